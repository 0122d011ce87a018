/* SPDX-License-Identifier: MIT */
/* Painting the placed scene through a BpPainter, as the book draws it:
 * operation nodes are circles with the op symbol, layers rounded boxes,
 * leaves named values on the left; forward values stand above the
 * arrows, gradients below them in a second colour with a heavier arrow
 * pointing back. With no painter the same code only measures (bounds). */

#include <math.h>
#include <string.h>

#include "bp-diagram-private.h"

static BpRgba
rgba (const Rgb *c, double alpha)
{
  return (BpRgba) { c->r, c->g, c->b, alpha };
}

/* A filled arrowhead with its tip at (x, y) pointing along (dx, dy). */
static void
arrow_head (BpPainter *p, double x, double y, double dx, double dy, double len, double half_w,
            const BpRgba *colour)
{
  double n = hypot (dx, dy);
  double ux, uy;

  if (n < 1e-9)
    return;
  ux = dx / n;
  uy = dy / n;
  bp_painter_move_to (p, x, y);
  bp_painter_line_to (p, x - ux * len - uy * half_w, y - uy * len + ux * half_w);
  bp_painter_line_to (p, x - ux * len * 0.72, y - uy * len * 0.72);
  bp_painter_line_to (p, x - ux * len + uy * half_w, y - uy * len - ux * half_w);
  bp_painter_close_path (p);
  bp_painter_draw_path (p, colour, NULL, 0, NULL, 0);
}

static double
fade (Frame *f, gboolean fresh)
{
  if (!fresh)
    return 1.0;
  return CLAMP (f->state->progress, 0.0, 1.0);
}

/* A chip's heat-map: one square per element, the stronger the larger its
 * magnitude; negative values in the dim text colour. */
static void
draw_heat_map (Frame *f, Label *label, double x, double y, const Rgb *colour, double alpha)
{
  BpTensor *t = label->key;
  double max = 0, cell = label->heat_cell;
  double top = y + (label->height - label->heat_rows * cell) / 2;

  for (guint r = 0; r < label->heat_rows; r++)
    for (guint c = 0; c < label->heat_cols; c++)
      {
        double v = fabs (bp_tensor_get (t, r, c));

        if (isfinite (v))
          max = MAX (max, v);
      }
  for (guint r = 0; r < label->heat_rows; r++)
    for (guint c = 0; c < label->heat_cols; c++)
      {
        double v = bp_tensor_get (t, r, c);
        double k = (max > 0 && isfinite (v)) ? fabs (v) / max : 0;
        BpRgba fill = rgba (v < 0 ? &f->pal->text_dim : colour, alpha * (0.12 + 0.88 * k));

        bp_painter_rectangle (f->p, x + label->heat_x + c * label->heat_cell_w,
                              top + r * cell, label->heat_cell_w * 0.9, cell * 0.9);
        bp_painter_draw_path (f->p, &fill, NULL, 0, NULL, 0);
      }
}

static void
draw_brackets (Frame *f, double x, double y, double w, double h, const BpRgba *colour)
{
  double s = f->s;
  double bw = BRACKET_W * s;
  double lw = 1.2 * s;

  bp_painter_move_to (f->p, x + bw, y + lw);
  bp_painter_line_to (f->p, x + lw, y + lw);
  bp_painter_line_to (f->p, x + lw, y + h - lw);
  bp_painter_line_to (f->p, x + bw, y + h - lw);
  bp_painter_move_to (f->p, x + w - bw, y + lw);
  bp_painter_line_to (f->p, x + w - lw, y + lw);
  bp_painter_line_to (f->p, x + w - lw, y + h - lw);
  bp_painter_line_to (f->p, x + w - bw, y + h - lw);
  bp_painter_draw_path (f->p, NULL, colour, lw, NULL, 0);
}

static void
draw_label (Frame *f, Label *label, double x, double y, const Rgb *colour, double alpha)
{
  BpPainter *p = f->p;
  double s = f->s;
  BpRgba ink = rgba (colour, alpha);
  BpRgba halo = rgba (&f->pal->bg, 0.85 * alpha);
  gboolean chip = label->heat_rows > 0;

  /* Bounds and culling both by everything drawn: the halo is wider than
   * the text, and a label culled by its text box alone would leave its
   * halo's edge unpainted in a redrawn strip next to it. */
  frame_add_rect (f, x - HALO_X * s, y, label->width + 2 * HALO_X * s, label->height);
  if (p == NULL || alpha <= 0
      || !frame_visible (f, x - (HALO_X + INK_SLOP) * s, y - INK_SLOP * s,
                         label->width + 2 * (HALO_X + INK_SLOP) * s,
                         label->height + 2 * INK_SLOP * s))
    return;

  if (f->greek)
    {
      BpRgba bar = rgba (colour, 0.45 * alpha);

      bp_painter_rectangle (p, x, y + label->height * 0.25, label->width, label->height * 0.5);
      bp_painter_draw_path (p, &bar, NULL, 0, NULL, 0);
      return;
    }

  /* A halo of the page colour keeps numbers readable over crossing lines
   * (a plain rectangle: Cairo fills those fastest). */
  bp_painter_rectangle (p, x - HALO_X * s, y, label->width + 2 * HALO_X * s, label->height);
  bp_painter_draw_path (p, &halo, NULL, 0, NULL, 0);

  if (label->cells != NULL)
    {
      double cy = y + s;

      draw_brackets (f, x, y, label->width, label->height, &ink);
      for (guint r = 0; r < label->rows; r++)
        {
          double cx = x + (BRACKET_W + 3) * s;

          for (guint c = 0; c < label->cols; c++)
            {
              PangoLayout *cell = label->cells[r * label->cols + c];
              double cw, ch;

              /* Numbers right-aligned in their column. */
              text_layout_size (cell, &cw, &ch);
              bp_painter_show_layout (p, cell, cx + label->col_w[c] - cw,
                                      cy - label->cell_h * 0.04, &ink);
              cx += label->col_w[c] + GRID_COL_GAP * s;
            }
          cy += label->cell_h * 0.92;
        }
      return;
    }
  if (!bp_tensor_is_scalar (label->key))
    {
      double bracket_w = chip ? label->heat_x - 3 * s : label->width;

      draw_brackets (f, x, y, bracket_w, label->height, &ink);
      bp_painter_show_layout (p, label->text, x + (BRACKET_W + 3) * s, y, &ink);
      if (chip)
        draw_heat_map (f, label, x, y, colour, alpha);
      return;
    }
  bp_painter_show_layout (p, label->text, x, y, &ink);
}

/* A quiz blank: an empty box with "?". */
static void
draw_blank (Frame *f, double x, double y, const Rgb *colour, double alpha)
{
  BpPainter *p = f->p;
  double s = f->s;
  double w, h, tw, th;
  double dash[] = { 4 * s, 2.5 * s };
  BpRgba bg = rgba (&f->pal->bg, alpha), ink = rgba (colour, alpha);

  text_blank_size (f->self, s, &w, &h);
  frame_add_rect (f, x, y, w, h);
  if (p == NULL)
    return;
  bp_painter_rounded_rect (p, x, y, w, h, 4 * s);
  bp_painter_draw_path (p, &bg, &ink, 1.6 * s, dash, 2);
  text_layout_size (f->self->blank, &tw, &th);
  bp_painter_show_layout (p, f->self->blank, x + (w - tw) / 2, y + (h - th) / 2, &ink);
}

/* The heavier arrow pointing back, under an edge around `t`. */
static void
draw_back_arrow (Frame *f, const Line *l, double t, double alpha)
{
  BpPainter *p = f->p;
  double s = f->s;
  double head = (ARROW_LEN + 2) * s;
  double half = 0.25;
  double t0, t1;
  Line back;
  BpRgba ink = rgba (&f->pal->bwd, alpha);

  /* Half the edge around the label, but long enough to read as an arrow. */
  if (l->len > 0 && l->len * 2 * half < 2.4 * head)
    half = 1.2 * head / l->len;
  t0 = CLAMP (t - half, 0.06, 0.94);
  t1 = CLAMP (t + half, 0.06, 0.94);
  line_part (l, t0, t1, -BACK_OFFSET * s, &back);
  frame_add_rect (f, MIN (back.x0, back.x1) - 5 * s, MIN (back.y0, back.y1) - 5 * s,
                  fabs (back.x1 - back.x0) + 10 * s, fabs (back.y1 - back.y0) + 10 * s);
  if (p == NULL
      || !frame_visible (f, MIN (back.x0, back.x1) - head, MIN (back.y0, back.y1) - head,
                         fabs (back.x1 - back.x0) + 2 * head, fabs (back.y1 - back.y0) + 2 * head))
    return;

  /* From the head end (x0, pointing back) the line starts behind the tip. */
  bp_painter_move_to (p, back.x0 + back.ux * head * 0.6, back.y0 + back.uy * head * 0.6);
  bp_painter_line_to (p, back.x1, back.y1);
  bp_painter_draw_path (p, NULL, &ink, BACK_LINE * f->lw * s, NULL, 0);
  if (!f->no_heads)
    arrow_head (p, back.x0, back.y0, -back.ux, -back.uy, head, (ARROW_HALF_W + 1.5) * s, &ink);
}

/* A dot travelling along an edge during the animation of a step. */
static void
draw_token (Frame *f, const Line *l, double t, double dist, const Rgb *colour)
{
  BpPainter *p = f->p;
  double x, y;
  BpRgba glow = rgba (colour, 0.25), ink = rgba (colour, 1.0);

  if (p == NULL)
    return;
  line_point (l, t, &x, &y);
  x += l->nx * dist;
  y += l->ny * dist;
  bp_painter_arc (p, x, y, 8 * f->s, 0, 2 * G_PI);
  bp_painter_draw_path (p, &glow, NULL, 0, NULL, 0);
  bp_painter_arc (p, x, y, 4.5 * f->s, 0, 2 * G_PI);
  bp_painter_draw_path (p, &ink, NULL, 0, NULL, 0);
}

static void
draw_line_arrow (Frame *f, const Line *l)
{
  BpPainter *p = f->p;
  double s = f->s;
  double head = ARROW_LEN * s;
  BpRgba ink = rgba (&f->pal->edge, 1.0);

  frame_add_rect (f, MIN (l->x0, l->x1), MIN (l->y0, l->y1),
                  fabs (l->x1 - l->x0), fabs (l->y1 - l->y0));
  if (p == NULL
      || !frame_visible (f, MIN (l->x0, l->x1) - head, MIN (l->y0, l->y1) - head,
                         fabs (l->x1 - l->x0) + 2 * head, fabs (l->y1 - l->y0) + 2 * head))
    return;
  bp_painter_move_to (p, l->x0, l->y0);
  bp_painter_line_to (p, l->x1 - l->ux * head * 0.6, l->y1 - l->uy * head * 0.6);
  bp_painter_draw_path (p, NULL, &ink, EDGE_LINE * f->lw * s, NULL, 0);
  if (!f->no_heads)
    arrow_head (p, l->x1, l->y1, l->ux, l->uy, head, ARROW_HALF_W * s, &ink);
}

static void
draw_edge_line (Frame *f, Edge *e)
{
  /* Tiny (a big graph fitted): the back arrow would merge with its edge,
   * so the edge itself takes its colour and weight, one stroke for two. */
  if (f->tiny && e->back != NULL && !e->back_fresh)
    {
      const Line *l = &e->line;
      BpRgba ink = rgba (&f->pal->bwd, 1.0);

      frame_add_rect (f, MIN (l->x0, l->x1), MIN (l->y0, l->y1),
                      fabs (l->x1 - l->x0), fabs (l->y1 - l->y0));
      if (!frame_visible (f, MIN (l->x0, l->x1), MIN (l->y0, l->y1),
                          fabs (l->x1 - l->x0), fabs (l->y1 - l->y0)))
        return;
      bp_painter_move_to (f->p, l->x0, l->y0);
      bp_painter_line_to (f->p, l->x1, l->y1);
      bp_painter_draw_path (f->p, NULL, &ink, BACK_LINE * f->lw * f->s, NULL, 0);
      return;
    }
  draw_line_arrow (f, &e->line);
  if (e->back != NULL)
    draw_back_arrow (f, &e->line, e->tg, fade (f, e->back_fresh));
}

/* A label (or its quiz blank) at its place beside the line. */
static void
draw_value_or_blank (Frame *f, Label *label, gboolean blank, const Line *l, double t,
                     double lift, gboolean grad, double alpha)
{
  const Rgb *colour = grad ? &f->pal->bwd : &f->pal->fwd;
  double x, y, w, h;
  double dist = grad ? -BACK_OFFSET * f->s - lift : lift;
  double gap = (grad ? GRAD_GAP : LABEL_GAP) * f->s;

  if (blank)
    text_blank_size (f->self, f->s, &w, &h);
  else
    {
      w = label->width;
      h = label->height;
    }
  place_label_rect (l, t, w, h, dist, gap, &x, &y);
  if (blank)
    draw_blank (f, x, y, colour, alpha);
  else
    draw_label (f, label, x, y, colour, alpha);
}

static void
draw_edge_labels (Frame *f, Edge *e)
{
  if (e->value != NULL)
    {
      gboolean blank = place_is_hidden (f->state->hidden_values, e->src);
      Label *label = place_value_label (f, e);

      if (!blank)
        label_set (f->self, label, e->value, e->compact);
      draw_value_or_blank (f, label, blank, &e->line, e->t, e->lift, FALSE,
                           fade (f, e->value_fresh));
    }
  if (e->back != NULL)
    {
      gboolean blank = place_is_hidden (f->state->hidden_grads, e->src);
      Label *label = place_grad_label (f, e);

      if (!blank)
        label_set (f->self, label, e->back->downstream[e->slot], e->compact);
      draw_value_or_blank (f, label, blank, &e->line, e->tg, e->lift, TRUE,
                           fade (f, e->back_fresh));
    }
}

static void
draw_edge_tokens (Frame *f, Edge *e)
{
  double p = CLAMP (f->state->progress, 0.0, 1.0);

  if (p >= 1.0)
    return;
  if (e->value != NULL && e->value_fresh)
    draw_token (f, &e->line, p, 0, &f->pal->fwd);
  if (e->back != NULL && e->back_fresh)
    draw_token (f, &e->line, 1 - p, -BACK_OFFSET * f->s, &f->pal->bwd);
}

/* The output is marked by an arrow leaving to the right, carrying the
 * final value above and the seed gradient (1) below. */
static void
draw_output_stub (Frame *f, BpNode *node, gboolean labels)
{
  NodeCache *nc = geometry_node_cache (f->self, node);
  gboolean vfresh, gfresh;
  BpTensor *value = place_shown_value (f, node, &vfresh);
  const BpStep *back = place_shown_backward (f, node, &gfresh);
  gboolean vblank = place_is_hidden (f->state->hidden_values, node);
  gboolean gblank = place_is_hidden (f->state->hidden_grads, node);
  Line l;

  if (back != NULL && back->upstream == NULL)
    back = NULL;
  if (f->has_stub)
    l = f->stub;
  else
    {
      double x0, y0;

      geometry_output_port (f->self, node, &x0, &y0);
      line_init (&l, x0, y0, x0 + STUB_MIN * f->s, y0);
    }

  if (!labels)
    {
      draw_line_arrow (f, &l);
      if (back != NULL)
        draw_back_arrow (f, &l, 0.5, fade (f, gfresh));
      return;
    }

  if (value != NULL)
    {
      if (!vblank)
        label_set (f->self, &nc->value, value, FALSE);
      draw_value_or_blank (f, &nc->value, vblank, &l, 0.5, 0, FALSE, fade (f, vfresh));
    }
  if (back != NULL)
    {
      if (!gblank)
        label_set (f->self, &nc->out_grad, back->upstream, FALSE);
      draw_value_or_blank (f, &nc->out_grad, gblank, &l, 0.5, 0, TRUE, fade (f, gfresh));
    }
  /* The output's name at the end of the arrow. */
  if (nc->caption != NULL)
    {
      double tx = l.x1 + 6 * f->s;
      double ty = l.y0 - (nc->caption_h - CAPTION_GAP * f->s) / 2;
      BpRgba ink = rgba (&f->pal->text, 1.0);

      frame_add_rect (f, tx, ty, nc->caption_w, nc->caption_h);
      if (f->p != NULL)
        bp_painter_show_layout (f->p, nc->caption, tx, ty, &ink);
    }
}

static void
draw_port (Frame *f, double x, double y, gboolean open)
{
  BpRgba fill, stroke;

  if (f->p == NULL)
    return;
  fill = rgba (open ? &f->pal->bg : &f->pal->accent, 1.0);
  stroke = rgba (open ? &f->pal->error : &f->pal->accent, 1.0);
  bp_painter_arc (f->p, x, y, PORT_R * f->s, 0, 2 * G_PI);
  bp_painter_close_path (f->p);
  bp_painter_draw_path (f->p, &fill, &stroke, 1.3 * f->s, NULL, 0);
}

static void
shape_path (BpPainter *p, NodeCache *nc, double cx, double cy, double grow)
{
  double w = nc->shape_w + 2 * grow;
  double h = nc->shape_h + 2 * grow;

  switch (nc->op->kind)
    {
    case BP_OP_KIND_OPERATION:
      bp_painter_arc (p, cx, cy, w / 2, 0, 2 * G_PI);
      bp_painter_close_path (p);
      break;
    case BP_OP_KIND_LEAF:
      bp_painter_rounded_rect (p, cx - w / 2, cy - h / 2, w, h, h / 2);
      break;
    case BP_OP_KIND_LAYER:
    default:
      bp_painter_rounded_rect (p, cx - w / 2, cy - h / 2, w, h, 9 + grow);
      break;
    }
}

/* "apple price: value 100, gradient 2.2", as far as this state shows. */
static char *
node_description (Frame *f, BpNode *node, NodeCache *nc)
{
  GString *desc = g_string_new (nc->label);
  gboolean fresh;
  BpTensor *value = place_shown_value (f, node, &fresh);
  const BpStep *back = place_shown_backward (f, node, &fresh);
  const char *sep = ": ";

  if (value != NULL && !place_is_hidden (f->state->hidden_values, node))
    {
      g_autofree char *text = bp_tensor_to_string (value, 4);

      g_string_append_printf (desc, "%svalue %s", sep, text);
      sep = ", ";
    }
  if (back != NULL && back->upstream != NULL && !place_is_hidden (f->state->hidden_grads, node))
    {
      g_autofree char *text = bp_tensor_to_string (back->upstream, 4);

      g_string_append_printf (desc, "%sgradient %s", sep, text);
    }
  return g_string_free (desc, FALSE);
}

/* "node-apple": an XML name from the node's id. */
static char *
node_group_id (BpNode *node, guint index)
{
  const char *id = bp_node_get_id (node);
  GString *out = g_string_new ("node-");
  gboolean changed = FALSE;

  for (const char *p = id != NULL ? id : ""; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.')
        g_string_append_c (out, *p);
      else
        {
          g_string_append_c (out, '_');
          changed = TRUE;
        }
    }
  /* Two ids may read alike once cleaned: the index keeps them apart. */
  if (changed || id == NULL)
    g_string_append_printf (out, "-%u", index);
  return g_string_free (out, FALSE);
}

static void
draw_node (Frame *f, BpNode *node, guint index)
{
  BpDiagram *self = f->self;
  NodeCache *nc = geometry_node_cache (self, node);
  const Palette *pal = f->pal;
  BpPainter *p = f->p;
  double s = f->s;
  double cx, cy, tw, th;
  gboolean selected = place_is_hidden (f->state->selected, node);
  gboolean focused = (f->state->focus == node);
  gboolean hover = (f->state->hover == node);
  gboolean current = (f->current_node == node && (f->current >= 0 || f->update != NULL));
  gboolean error = (nc->error != NULL);
  gboolean is_output = (node == f->output);
  const Rgb *pass_colour = f->update != NULL ? &pal->upd
                           : (f->current >= 0 && (guint) f->current >= f->n_forward)
                           ? &pal->bwd : &pal->fwd;
  BpRgba fill, stroke, ink;
  gboolean grouped = FALSE;

  geometry_node_centre (self, node, &cx, &cy);
  frame_add_rect (f, cx - MAX (nc->shape_w, nc->caption_w) / 2, cy - nc->shape_h / 2,
                  MAX (nc->shape_w, nc->caption_w), nc->shape_h + (is_output ? 0 : nc->caption_h));
  if (error)
    frame_add_rect (f, cx - nc->error_w / 2, cy + nc->shape_h / 2 + nc->caption_h + 2 * s,
                    nc->error_w, nc->error_h);
  if (current || selected)
    frame_add_rect (f, cx - nc->shape_w / 2 - 6 * s, cy - nc->shape_h / 2 - 6 * s,
                    nc->shape_w + 12 * s, nc->shape_h + 12 * s);
  if (focused)
    frame_add_rect (f, cx - nc->shape_w / 2 - 10 * s, cy - nc->shape_h / 2 - 10 * s,
                    nc->shape_w + 20 * s, nc->shape_h + 20 * s);
  if (p == NULL
      || !frame_visible (f, cx - MAX (nc->shape_w, MAX (nc->caption_w, nc->error_w)) / 2 - 8 * s,
                         cy - nc->shape_h / 2 - 8 * s,
                         MAX (nc->shape_w, MAX (nc->caption_w, nc->error_w)) + 16 * s,
                         nc->shape_h + nc->caption_h + nc->error_h + 16 * s))
    return;

  /* Exports name each node; the screen has no use for the text. */
  if (bp_painter_get_cairo (p) == NULL)
    {
      g_autofree char *id = node_group_id (node, index);
      g_autofree char *desc = node_description (f, node, nc);

      bp_painter_begin_group (p, id, nc->label, desc);
      grouped = TRUE;
    }

  /* Halos first: the current step in the pass colour, the selection in
   * the accent colour. */
  if (current)
    {
      BpRgba halo = rgba (pass_colour, 0.22);

      shape_path (p, nc, cx, cy, 5 * s);
      bp_painter_draw_path (p, &halo, NULL, 0, NULL, 0);
    }
  if (selected)
    {
      BpRgba ring = rgba (&pal->accent, 0.35);

      shape_path (p, nc, cx, cy, 3.5 * s);
      bp_painter_draw_path (p, NULL, &ring, 3 * s, NULL, 0);
    }
  /* The keyboard focus: a dashed ring outside everything else, in the
   * text colour so that it shows on any fill, as GTK's focus outline. */
  if (focused)
    {
      BpRgba ring = rgba (&pal->text, 1.0);
      double dash[] = { 4 * s, 3 * s };

      shape_path (p, nc, cx, cy, 8 * s);
      bp_painter_draw_path (p, NULL, &ring, 2 * f->lw * s, dash, 2);
    }

  shape_path (p, nc, cx, cy, 0);
  if (error)
    fill = rgba (&pal->error_fill, 1.0);
  else if (nc->op->kind == BP_OP_KIND_LEAF)
    fill = rgba (hover ? &pal->leaf_hover : &pal->leaf_fill, 1.0);
  else
    fill = rgba (hover ? &pal->node_hover : &pal->node_fill, 1.0);
  if (error)
    {
      double dash[] = { 4 * s, 2.5 * s };

      stroke = rgba (&pal->error, 1.0);
      bp_painter_draw_path (p, &fill, &stroke, 2 * s, dash, 2);
    }
  else if (current)
    {
      stroke = rgba (pass_colour, 1.0);
      bp_painter_draw_path (p, &fill, &stroke, 2.6 * f->lw * s, NULL, 0);
    }
  else if (selected)
    {
      stroke = rgba (&pal->accent, 1.0);
      bp_painter_draw_path (p, &fill, &stroke, 2 * f->lw * s, NULL, 0);
    }
  else if (nc->op->kind == BP_OP_KIND_LEAF)
    bp_painter_draw_path (p, &fill, NULL, 0, NULL, 0);
  else if (f->tiny)
    {
      /* A few pixels across, an outline thinner than a pixel only greys
       * the dot: one fill in the outline's colour reads the same. */
      stroke = rgba (&pal->node_stroke, 0.55);
      bp_painter_draw_path (p, &stroke, NULL, 0, NULL, 0);
    }
  else
    {
      stroke = rgba (&pal->node_stroke, 1.0);
      bp_painter_draw_path (p, &fill, &stroke, NODE_LINE * f->lw * s, NULL, 0);
    }

  text_layout_size (nc->main, &tw, &th);
  ink = rgba (error ? &pal->error : &pal->text, 1.0);
  /* Too small to read: the shape alone. */
  if (!f->greek)
    bp_painter_show_layout (p, nc->main, cx - tw / 2, cy - th / 2, &ink);

  if (nc->caption != NULL && !is_output && !f->greek)
    {
      BpRgba dim = rgba (&pal->text_dim, 1.0);

      bp_painter_show_layout (p, nc->caption, cx - nc->caption_w / 2,
                              cy + nc->shape_h / 2 + CAPTION_GAP * s, &dim);
    }

  if (error && !f->greek)
    {
      double ex = cx - 110 * s, ey = cy + nc->shape_h / 2 + nc->caption_h + 2 * s;
      PangoRectangle ink_rect;
      BpRgba patch = rgba (&pal->bg, 0.9), red = rgba (&pal->error, 1.0);

      /* On a patch of page colour: the message may cross arrows. */
      pango_layout_get_pixel_extents (nc->error_text, NULL, &ink_rect);
      bp_painter_rectangle (p, ex + ink_rect.x - 3 * s, ey + ink_rect.y,
                            ink_rect.width + 6 * s, ink_rect.height);
      bp_painter_draw_path (p, &patch, NULL, 0, NULL, 0);
      bp_painter_show_layout (p, nc->error_text, ex, ey, &red);
    }

  /* Ports: on hover or selection for connecting; always for an input that
   * is missing, so the gap is visible. */
  for (guint i = 0; i < nc->n_inputs; i++)
    {
      gboolean open = (bp_node_get_input (node, i) == NULL);

      if (open || hover || selected)
        {
          double px, py;

          geometry_input_port (self, node, i, &px, &py);
          draw_port (f, px, py, open);
        }
    }
  if (hover || selected)
    {
      double px, py;

      geometry_output_port (self, node, &px, &py);
      draw_port (f, px, py, FALSE);
    }
  if (grouped)
    bp_painter_end_group (p);
}

/* During the backward pass: UG × LG = DG where place_callout() put it,
 * with a leader to its node. */
static void
draw_callout (Frame *f)
{
  BpPainter *p = f->p;
  NodeCache *nc;
  cairo_rectangle_t r = f->callout;
  double s = f->s, pad = CALLOUT_PAD * s;
  double sx, sy;
  BpRgba bg, line, ink;

  if (!f->has_callout)
    return;
  nc = geometry_node_cache (f->self, f->current_node);
  sx = CLAMP (f->callout_tip_x, r.x, r.x + r.width);
  sy = CLAMP (f->callout_tip_y, r.y, r.y + r.height);
  frame_add_rect (f, r.x, r.y, r.width, r.height);
  frame_add_rect (f, MIN (sx, f->callout_tip_x), MIN (sy, f->callout_tip_y),
                  fabs (sx - f->callout_tip_x), fabs (sy - f->callout_tip_y));
  if (p == NULL || nc->callout == NULL)
    return;

  bg = rgba (&f->pal->bg, 0.96);
  line = rgba (f->update != NULL ? &f->pal->upd : &f->pal->bwd, 1.0);
  ink = rgba (&f->pal->text, 1.0);
  /* The leader from the box to the node, ending in a dot. */
  if (hypot (sx - f->callout_tip_x, sy - f->callout_tip_y) > 0.5)
    {
      bp_painter_move_to (p, sx, sy);
      bp_painter_line_to (p, f->callout_tip_x, f->callout_tip_y);
      bp_painter_draw_path (p, NULL, &line, 1.4 * s, NULL, 0);
      bp_painter_arc (p, f->callout_tip_x, f->callout_tip_y, 2.5 * s, 0, 2 * G_PI);
      bp_painter_draw_path (p, &line, NULL, 0, NULL, 0);
    }
  bp_painter_rounded_rect (p, r.x, r.y, r.width, r.height, 6 * s);
  bp_painter_draw_path (p, &bg, &line, 1.4 * s, NULL, 0);
  bp_painter_show_layout (p, nc->callout, r.x + pad, r.y + pad, &ink);
}

void
paint_scene (Frame *f)
{
  BpGraph *graph = f->self->graph;
  guint n = bp_graph_get_n_nodes (graph);
  GArray *edges = f->edges;
  cairo_t *cr = f->p != NULL ? bp_painter_get_cairo (f->p) : NULL;

  if (cr != NULL)
    {
      cairo_save (cr);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      /* Butt caps: round ones cost two arcs per arrow. */
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
    }

  /* One stroke per edge: measured, Cairo is slower with one long path
   * spanning the surface than with many small ones. */
  for (guint i = 0; i < edges->len; i++)
    draw_edge_line (f, &g_array_index (edges, Edge, i));
  if (f->output != NULL)
    draw_output_stub (f, f->output, FALSE);
  for (guint i = 0; i < n; i++)
    draw_node (f, bp_graph_get_node (graph, i), i);
  for (guint i = 0; i < edges->len; i++)
    draw_edge_labels (f, &g_array_index (edges, Edge, i));
  if (f->output != NULL)
    draw_output_stub (f, f->output, TRUE);
  for (guint i = 0; i < edges->len; i++)
    draw_edge_tokens (f, &g_array_index (edges, Edge, i));
  draw_callout (f);

  if (cr != NULL)
    cairo_restore (cr);
}
