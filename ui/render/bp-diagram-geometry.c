/* SPDX-License-Identifier: MIT */
/* Geometry of the diagram: each node's shape and size (cached with its
 * text), where it stands, its ports, straight edges, and the hit test. */

#include <math.h>

#include "bp-diagram-private.h"

void
node_cache_free (gpointer data)
{
  NodeCache *nc = data;

  g_free (nc->label);
  g_free (nc->error);
  g_clear_object (&nc->main);
  g_clear_object (&nc->caption);
  g_clear_object (&nc->error_text);
  label_clear (&nc->value);
  label_clear (&nc->value_compact);
  for (guint i = 0; i < BP_OP_MAX_INPUTS; i++)
    {
      label_clear (&nc->grad[i]);
      label_clear (&nc->grad_compact[i]);
      label_clear (&nc->probe_grad[i]);
    }
  label_clear (&nc->out_grad);
  label_clear (&nc->probe);
  label_clear (&nc->probe_compact);
  g_free (nc->callout_text);
  g_clear_object (&nc->callout);
  g_free (nc);
}

const char *
geometry_node_main_text (BpNode *node, const BpOp *op)
{
  if (op->kind == BP_OP_KIND_LEAF)
    return bp_node_get_label (node);
  if (op->symbol != NULL && *op->symbol != '\0')
    return op->symbol;
  return op->name;
}

static gboolean
node_cache_is_current (NodeCache *nc, BpNode *node)
{
  const char *error = bp_node_get_error (node);

  return nc->op == bp_node_get_op (node)
      && nc->has_label == bp_node_has_label (node)
      && nc->n_inputs == bp_node_get_n_inputs (node)
      && g_strcmp0 (nc->label, bp_node_get_label (node)) == 0
      && g_strcmp0 (nc->error, error) == 0;
}

/* Drops caches of nodes that left the graph (after a change). */
void
geometry_prune_caches (BpDiagram *self)
{
  guint64 stamp = bp_graph_get_stamp (self->graph);
  guint n = bp_graph_get_n_nodes (self->graph);
  g_autoptr(GHashTable) alive = NULL;
  GHashTableIter iter;
  gpointer key;

  if (stamp == self->seen_stamp)
    return;
  self->seen_stamp = stamp;
  if (g_hash_table_size (self->nodes) <= n)
    return;
  alive = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < n; i++)
    g_hash_table_add (alive, bp_graph_get_node (self->graph, i));
  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (alive, key))
      g_hash_table_iter_remove (&iter);
}

NodeCache *
geometry_node_cache (BpDiagram *self, BpNode *node)
{
  NodeCache *nc = g_hash_table_lookup (self->nodes, node);
  const BpOp *op = bp_node_get_op (node);
  const char *error;
  const char *main_text;
  double s = self->text_scale;
  double tw, th;

  if (nc != NULL && node_cache_is_current (nc, node))
    return nc;
  if (nc == NULL)
    {
      nc = g_new0 (NodeCache, 1);
      g_hash_table_insert (self->nodes, node, nc);
    }
  else
    {
      /* Keep the value labels (keyed by tensor); rebuild the node's text. */
      g_clear_pointer (&nc->label, g_free);
      g_clear_pointer (&nc->error, g_free);
      g_clear_object (&nc->main);
      g_clear_object (&nc->caption);
      g_clear_object (&nc->error_text);
    }

  error = bp_node_get_error (node);
  nc->op = op;
  nc->label = g_strdup (bp_node_get_label (node));
  nc->error = g_strdup (error);
  nc->has_label = bp_node_has_label (node);
  nc->n_inputs = bp_node_get_n_inputs (node);
  main_text = geometry_node_main_text (node, op);

  switch (op->kind)
    {
    case BP_OP_KIND_LEAF:
      nc->main = text_make_layout (self, main_text, FONT_NAME);
      text_layout_size (nc->main, &tw, &th);
      nc->shape_w = MAX (tw + 2 * LEAF_PAD_X * s, LEAF_H * s);
      nc->shape_h = LEAF_H * s;
      break;

    case BP_OP_KIND_LAYER:
      nc->main = text_make_layout (self, main_text, FONT_NAME);
      text_layout_size (nc->main, &tw, &th);
      nc->shape_w = MAX (tw + 2 * LAYER_PAD_X * s, LAYER_MIN_W * s);
      nc->shape_h = LAYER_H * s;
      break;

    case BP_OP_KIND_OPERATION:
    default:
      /* Words (exp, log, repeat) in the name size so the circle stays small. */
      nc->main = text_make_layout (self, main_text,
                                   g_utf8_strlen (main_text, -1) > 2 ? FONT_NAME : FONT_SYMBOL);
      text_layout_size (nc->main, &tw, &th);
      nc->shape_w = nc->shape_h = MAX (CIRCLE_D * s, tw + 14 * s);
      break;
    }

  nc->caption_w = nc->caption_h = 0;
  /* A layer named like its op ("ReLU" in a ReLU box) needs no caption. */
  if (op->kind != BP_OP_KIND_LEAF && nc->has_label
      && g_ascii_strcasecmp (nc->label, main_text) != 0)
    {
      nc->caption = text_make_layout (self, nc->label, FONT_CAPTION);
      text_layout_size (nc->caption, &nc->caption_w, &nc->caption_h);
      nc->caption_h += CAPTION_GAP * s;
    }

  nc->error_w = nc->error_h = 0;
  if (error != NULL)
    {
      nc->error_text = text_make_layout (self, error, FONT_CAPTION);
      pango_layout_set_width (nc->error_text, (int) (220 * s * PANGO_SCALE));
      pango_layout_set_wrap (nc->error_text, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_alignment (nc->error_text, PANGO_ALIGN_CENTER);
      text_layout_size (nc->error_text, &nc->error_w, &nc->error_h);
    }

  return nc;
}

/* Where a node is drawn: its position spread apart as much as the text
 * grows (see bp_diagram_get_spread()), so that presentation mode enlarges
 * the picture as a whole instead of crowding it. Everything that draws or
 * hit-tests goes through here. */
void
geometry_node_centre (BpDiagram *self, BpNode *node, double *x, double *y)
{
  double spread = self->spread_positions ? MAX (self->text_scale / self->text_only_scale, 1.0) : 1.0;

  if (!bp_node_get_position (node, x, y))
    *x = *y = 0;
  *x *= spread;
  *y *= spread;
}

/* The input port of `slot`, on the left of the shape. */
void
geometry_input_port (BpDiagram *self, BpNode *node, guint slot, double *x, double *y)
{
  NodeCache *nc = geometry_node_cache (self, node);
  guint n = MAX (nc->n_inputs, 1);
  double cx, cy, dy, sp;

  geometry_node_centre (self, node, &cx, &cy);
  if (nc->op->kind == BP_OP_KIND_OPERATION)
    {
      double r = nc->shape_w / 2;

      sp = MIN (r * 0.9, 2 * r * 0.8 / n);
      dy = (slot - (n - 1) / 2.0) * sp;
      *x = cx - sqrt (MAX (r * r - dy * dy, 0));
    }
  else
    {
      sp = nc->shape_h * 0.8 / n;
      dy = (slot - (n - 1) / 2.0) * sp;
      *x = cx - nc->shape_w / 2;
    }
  *y = cy + dy;
}

void
geometry_output_port (BpDiagram *self, BpNode *node, double *x, double *y)
{
  NodeCache *nc = geometry_node_cache (self, node);
  double cx, cy;

  geometry_node_centre (self, node, &cx, &cy);
  *x = cx + nc->shape_w / 2;
  *y = cy;
}

void
geometry_node_box (BpDiagram *self, BpNode *node, gboolean is_output, cairo_rectangle_t *rect)
{
  NodeCache *nc = geometry_node_cache (self, node);
  double cx, cy;
  double w = is_output ? nc->shape_w : MAX (nc->shape_w, nc->caption_w);

  geometry_node_centre (self, node, &cx, &cy);
  rect->x = cx - w / 2;
  rect->y = cy - nc->shape_h / 2;
  rect->width = w;
  rect->height = nc->shape_h + (is_output ? 0 : nc->caption_h);
}

void
line_init (Line *l, double x0, double y0, double x1, double y1)
{
  l->x0 = x0; l->y0 = y0;
  l->x1 = x1; l->y1 = y1;
  l->len = hypot (x1 - x0, y1 - y0);
  if (l->len < 1e-9)
    {
      l->ux = 1;
      l->uy = 0;
    }
  else
    {
      l->ux = (x1 - x0) / l->len;
      l->uy = (y1 - y0) / l->len;
    }
  l->nx = l->uy;
  l->ny = -l->ux;
  if (l->ny > 0 || (l->ny == 0 && l->nx > 0))
    {
      l->nx = -l->nx;
      l->ny = -l->ny;
    }
}

void
line_point (const Line *l, double t, double *x, double *y)
{
  *x = l->x0 + (l->x1 - l->x0) * t;
  *y = l->y0 + (l->y1 - l->y0) * t;
}

/* The part of the line between t0 and t1, moved `dist` along the normal. */
void
line_part (const Line *l, double t0, double t1, double dist, Line *out)
{
  double ax, ay, bx, by;

  line_point (l, t0, &ax, &ay);
  line_point (l, t1, &bx, &by);
  line_init (out, ax + l->nx * dist, ay + l->ny * dist, bx + l->nx * dist, by + l->ny * dist);
}

gboolean
rects_overlap (const cairo_rectangle_t *a, const cairo_rectangle_t *b, double margin)
{
  return a->x < b->x + b->width + margin && b->x < a->x + a->width + margin
      && a->y < b->y + b->height + margin && b->y < a->y + a->height + margin;
}

/* Whether the line crosses the rectangle grown by `margin` (Liang-Barsky). */
gboolean
line_hits_rect (const Line *l, const cairo_rectangle_t *r, double margin)
{
  double p[4], q[4], t0 = 0, t1 = 1;
  double dx = l->x1 - l->x0, dy = l->y1 - l->y0;

  p[0] = -dx; q[0] = l->x0 - (r->x - margin);
  p[1] = dx;  q[1] = (r->x + r->width + margin) - l->x0;
  p[2] = -dy; q[2] = l->y0 - (r->y - margin);
  p[3] = dy;  q[3] = (r->y + r->height + margin) - l->y0;
  for (guint i = 0; i < 4; i++)
    {
      if (fabs (p[i]) < 1e-12)
        {
          if (q[i] < 0)
            return FALSE;
          continue;
        }
      if (p[i] < 0)
        t0 = MAX (t0, q[i] / p[i]);
      else
        t1 = MIN (t1, q[i] / p[i]);
      if (t0 > t1)
        return FALSE;
    }
  return TRUE;
}

/* --- public API: geometry and hit test --- */

void
bp_diagram_get_node_rect (BpDiagram         *self,
                          BpNode            *node,
                          cairo_rectangle_t *rect)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL && rect != NULL);

  geometry_node_box (self, node, FALSE, rect);
}

void
bp_diagram_get_output_port (BpDiagram *self, BpNode *node, double *x, double *y)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL && x != NULL && y != NULL);
  geometry_output_port (self, node, x, y);
}

void
bp_diagram_get_input_port (BpDiagram *self, BpNode *node, guint slot, double *x, double *y)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL && x != NULL && y != NULL);
  geometry_input_port (self, node, slot, x, y);
}

BpNode *
bp_diagram_hit_test (BpDiagram *self, double x, double y, BpHitPart *part, guint *slot)
{
  guint n;
  double r = PORT_HIT_R;

  g_return_val_if_fail (BP_IS_DIAGRAM (self), NULL);

  if (part != NULL)
    *part = BP_HIT_NONE;
  if (slot != NULL)
    *slot = 0;
  r *= self->text_scale;
  n = bp_graph_get_n_nodes (self->graph);

  /* Ports first (they sit on the outline), topmost node first. */
  for (guint i = n; i-- > 0;)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      guint n_in = bp_node_get_n_inputs (node);
      double px, py;

      geometry_output_port (self, node, &px, &py);
      if (hypot (x - px, y - py) <= r)
        {
          if (part != NULL)
            *part = BP_HIT_OUTPUT_PORT;
          return node;
        }
      for (guint k = 0; k < n_in; k++)
        {
          geometry_input_port (self, node, k, &px, &py);
          if (hypot (x - px, y - py) <= r)
            {
              if (part != NULL)
                *part = BP_HIT_INPUT_PORT;
              if (slot != NULL)
                *slot = k;
              return node;
            }
        }
    }
  for (guint i = n; i-- > 0;)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      cairo_rectangle_t rect;

      geometry_node_box (self, node, FALSE, &rect);
      if (x >= rect.x && x <= rect.x + rect.width && y >= rect.y && y <= rect.y + rect.height)
        {
          if (part != NULL)
            *part = BP_HIT_NODE;
          return node;
        }
    }
  return NULL;
}

void
bp_diagram_measure_node (BpDiagram *self, BpNode *node, double *width, double *height)
{
  NodeCache *nc;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL);

  /* Symmetric around the shape's centre (the node's position), with room
   * for the caption below. */
  nc = geometry_node_cache (self, node);
  if (width != NULL)
    *width = MAX (nc->shape_w, nc->caption_w);
  if (height != NULL)
    *height = nc->shape_h + 2 * nc->caption_h;
}

void
bp_diagram_estimate_node (BpDiagram *self, BpNode *node, double *width, double *height)
{
  const BpOp *op;
  const char *main_text, *label;
  double s, tw, th, shape_w, shape_h, caption_w = 0, caption_h = 0;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL);

  /* A node already measured exactly costs nothing more. */
  if (g_hash_table_contains (self->nodes, node))
    {
      bp_diagram_measure_node (self, node, width, height);
      return;
    }

  /* The same sizes as geometry_node_cache(), from estimated text widths. */
  op = bp_node_get_op (node);
  s = self->text_scale;
  main_text = geometry_node_main_text (node, op);
  switch (op->kind)
    {
    case BP_OP_KIND_LEAF:
      text_estimate (self, main_text, FONT_NAME, &tw, &th);
      shape_w = MAX (tw + 2 * LEAF_PAD_X * s, LEAF_H * s);
      shape_h = LEAF_H * s;
      break;
    case BP_OP_KIND_LAYER:
      text_estimate (self, main_text, FONT_NAME, &tw, &th);
      shape_w = MAX (tw + 2 * LAYER_PAD_X * s, LAYER_MIN_W * s);
      shape_h = LAYER_H * s;
      break;
    case BP_OP_KIND_OPERATION:
    default:
      text_estimate (self, main_text,
                     g_utf8_strlen (main_text, -1) > 2 ? FONT_NAME : FONT_SYMBOL, &tw, &th);
      shape_w = shape_h = MAX (CIRCLE_D * s, tw + 14 * s);
      break;
    }
  label = bp_node_get_label (node);
  if (op->kind != BP_OP_KIND_LEAF && bp_node_has_label (node)
      && g_ascii_strcasecmp (label, main_text) != 0)
    {
      text_estimate (self, label, FONT_CAPTION, &caption_w, &caption_h);
      caption_h += CAPTION_GAP * s;
    }
  if (width != NULL)
    *width = MAX (shape_w, caption_w);
  if (height != NULL)
    *height = shape_h + 2 * caption_h;
}
