/* SPDX-License-Identifier: MIT */
/* The kept scene: the diagram rasterized at widget size, drawn again only
 * where something changed (damage), and the overlays on top of it. */
#include <glib/gi18n.h>
#include <math.h>

#include "bp-canvas-private.h"

/* Everything is drawn again at the next frame. */
void
_bp_canvas_invalidate_scene (BpCanvas *self)
{
  self->scene_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Only this rectangle (diagram units) is drawn again: dragging a node
 * redraws the node and its edges, not the 500 others. */
static void
bp_canvas_damage_diagram_rect (BpCanvas                *self,
                               const cairo_rectangle_t *r)
{
  double x0, y0, x1, y1;
  cairo_rectangle_int_t rect;

  if (!self->scene_valid)
    return;
  bp_canvas_diagram_to_widget (self, r->x, r->y, &x0, &y0);
  bp_canvas_diagram_to_widget (self, r->x + r->width, r->y + r->height, &x1, &y1);
  rect.x = (int) floor (MIN (x0, x1)) - 2;
  rect.y = (int) floor (MIN (y0, y1)) - 2;
  rect.width = (int) ceil (fabs (x1 - x0)) + 5;
  rect.height = (int) ceil (fabs (y1 - y0)) + 5;
  cairo_region_union_rectangle (self->damage, &rect);
  if (!self->in_snapshot)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
rect_union_point (cairo_rectangle_t *r,
                  double             x,
                  double             y)
{
  double x1 = MAX (r->x + r->width, x);
  double y1 = MAX (r->y + r->height, y);

  r->x = MIN (r->x, x);
  r->y = MIN (r->y, y);
  r->width = x1 - r->x;
  r->height = y1 - r->y;
}

static void
rect_union (cairo_rectangle_t       *r,
            const cairo_rectangle_t *other)
{
  if (other->width <= 0 && other->height <= 0)
    return;
  rect_union_point (r, other->x, other->y);
  rect_union_point (r, other->x + other->width, other->y + other->height);
}

/* A node's own pixels: its shape, halo and ports (hovering changes
 * nothing else). */
void
_bp_canvas_damage_node (BpCanvas *self,
                        BpNode   *node)
{
  cairo_rectangle_t r;
  double grow = 16 * _bp_canvas_get_effective_text_scale (self);

  if (node == NULL || self->diagram == NULL)
    return;
  bp_diagram_get_node_rect (self->diagram, node, &r);
  r.x -= grow;
  r.y -= grow;
  r.width += 2 * grow;
  r.height += 2 * grow;
  bp_canvas_damage_diagram_rect (self, &r);
}

/* What a node covers besides its edges: shape, caption, halo, error
 * note, and the output's stub; with `callout`, the UG × LG = DG box the
 * backward pass shows above the current node. */
static void
bp_canvas_damage_node_box (BpCanvas *self,
                           BpNode   *node,
                           gboolean  callout)
{
  cairo_rectangle_t r;
  double s = _bp_canvas_get_effective_text_scale (self);
  double cx = 0, cy = 0, grow = 16 * s;

  bp_diagram_get_node_rect (self->diagram, node, &r);
  bp_node_get_position (node, &cx, &cy);
  cx *= _bp_canvas_get_spread (self);
  cy *= _bp_canvas_get_spread (self);
  r.x -= grow;
  r.y -= grow;
  r.width += 2 * grow;
  r.height += 2 * grow + 40 * s;   /* the caption and an error note below */
  if (bp_node_get_error (node) != NULL)
    {
      cairo_rectangle_t note = { cx - 260 * s, r.y, 520 * s, r.height + 40 * s };

      rect_union (&r, &note);
    }
  if (node == bp_graph_get_output (self->graph))
    {
      cairo_rectangle_t stub = { cx, cy - 60 * s, r.width / 2 + 640 * s, 120 * s };

      rect_union (&r, &stub);
    }
  if (callout)
    {
      cairo_rectangle_t box = { cx - 320 * s, r.y - 240 * s, 640 * s, 240 * s + grow };

      rect_union (&r, &box);
    }
  bp_canvas_damage_diagram_rect (self, &r);
}

/* An edge with its labels and arrows as `state` shows them. */
static void
bp_canvas_damage_edge (BpCanvas             *self,
                       BpNode               *dst,
                       guint                 slot,
                       const BpDiagramState *state)
{
  BpNode *src = bp_node_get_input (dst, slot);
  cairo_rectangle_t r, value_rect = { 0 }, grad_rect = { 0 };
  double x, y, arrow_y;
  double grow = 24 * _bp_canvas_get_effective_text_scale (self);

  if (src == NULL)
    return;
  bp_diagram_get_output_port (self->diagram, src, &x, &y);
  r.x = x;
  r.y = y;
  r.width = r.height = 0;
  bp_diagram_get_input_port (self->diagram, dst, slot, &x, &y);
  rect_union_point (&r, x, y);
  r.x -= grow;
  r.y -= grow;
  r.width += 2 * grow;
  r.height += 2 * grow;
  if (bp_diagram_get_edge_label_rects (self->diagram, _bp_canvas_trace (self), state, dst, slot,
                                       &value_rect, &grad_rect, &arrow_y) != 0)
    {
      rect_union (&r, &value_rect);
      rect_union (&r, &grad_rect);
    }
  bp_canvas_damage_diagram_rect (self, &r);
}

/* What the moved nodes cover where they are now: the nodes and the edges
 * into and out of them with their labels. */
void
_bp_canvas_damage_dragged (BpCanvas *self)
{
  BpDiagramState state;

  if (!self->scene_valid || self->diagram == NULL)
    return;
  _bp_canvas_fill_state (self, &state);

  for (guint i = 0; i < self->drag_nodes->len; i++)
    bp_canvas_damage_node_box (self, g_ptr_array_index (self->drag_nodes, i), FALSE);
  for (guint i = 0; i < self->drag_edges->len; i++)
    bp_canvas_damage_edge (self, g_ptr_array_index (self->drag_edges, i),
                           g_array_index (self->drag_edge_slots, guint, i), &state);
}

/* What one step of a pass changes: its node, its callout, and the edges
 * into and out of it where its value or gradient travels. */
void
_bp_canvas_damage_step (BpCanvas *self,
                        int       index)
{
  BpDiagramState state;
  BpNode *node;
  guint n;

  if (!self->scene_valid || self->diagram == NULL || index < 0 ||
      (guint) index >= bp_trace_get_n_steps (_bp_canvas_trace (self)))
    return;
  _bp_canvas_fill_state (self, &state);
  node = bp_trace_get_step (_bp_canvas_trace (self), index)->node;

  bp_canvas_damage_node_box (self, node, TRUE);
  /* The callout may stand above, below or beside its node. */
  {
    cairo_rectangle_t rect;

    if (bp_diagram_get_step_rect (self->diagram, _bp_canvas_trace (self), &state, &rect))
      bp_canvas_damage_diagram_rect (self, &rect);
  }
  n = bp_graph_get_n_nodes (self->graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *dst = bp_graph_get_node (self->graph, i);
      guint n_in = bp_node_get_n_inputs (dst);

      for (guint slot = 0; slot < n_in; slot++)
        if (dst == node || bp_node_get_input (dst, slot) == node)
          bp_canvas_damage_edge (self, dst, slot, &state);
    }
}

static void
bp_canvas_draw_overlay (BpCanvas    *self,
                        GtkSnapshot *snapshot,
                        int          width,
                        int          height)
{
  cairo_t *cr;
  double accent[3] = { 0.21, 0.52, 0.89 };   /* Adwaita blue */
  GdkRectangle blank;

  /* The quiz blank being answered: a ring the keyboard user can follow
   * (an overlay, so Tab redraws nothing of the scene). */
  if (self->focus_blank != NULL &&
      bp_canvas_get_blank_rect (self, self->focus_blank, self->focus_blank_what, &blank))
    {
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      cairo_rectangle (cr, blank.x - 3.5, blank.y - 3.5, blank.width + 7, blank.height + 7);
      cairo_set_source_rgb (cr, accent[0], accent[1], accent[2]);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }

  if (self->drag_mode == DRAG_RUBBER)
    {
      double x = MIN (self->drag_start_x, self->drag_x);
      double y = MIN (self->drag_start_y, self->drag_y);
      double w = fabs (self->drag_x - self->drag_start_x);
      double h = fabs (self->drag_y - self->drag_start_y);

      if (w < 1 || h < 1)
        return;
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      cairo_rectangle (cr, x + 0.5, y + 0.5, w, h);
      cairo_set_source_rgba (cr, accent[0], accent[1], accent[2], 0.15);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, accent[0], accent[1], accent[2], 0.8);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }
  else if (self->drag_mode == DRAG_CONNECT || self->drag_mode == DRAG_CONNECT_REVERSE)
    {
      double x0, y0, x1, y1, px, py;

      if (self->drag_mode == DRAG_CONNECT)
        {
          bp_diagram_get_output_port (self->diagram, self->connect_src, &px, &py);
          bp_canvas_diagram_to_widget (self, px, py, &x0, &y0);
          x1 = self->drag_x;
          y1 = self->drag_y;
          if (self->connect_target != NULL)
            {
              bp_diagram_get_input_port (self->diagram, self->connect_target,
                                         self->connect_target_slot, &px, &py);
              bp_canvas_diagram_to_widget (self, px, py, &x1, &y1);
            }
        }
      else
        {
          bp_diagram_get_input_port (self->diagram, self->connect_src, self->connect_slot, &px, &py);
          bp_canvas_diagram_to_widget (self, px, py, &x1, &y1);
          x0 = self->drag_x;
          y0 = self->drag_y;
          if (self->connect_target != NULL)
            {
              bp_diagram_get_output_port (self->diagram, self->connect_target, &px, &py);
              bp_canvas_diagram_to_widget (self, px, py, &x0, &y0);
            }
        }

      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_source_rgba (cr, accent[0], accent[1], accent[2], 0.9);
      cairo_set_line_width (cr, 2.5);
      cairo_move_to (cr, x0, y0);
      cairo_curve_to (cr, (x0 + x1) / 2, y0, (x0 + x1) / 2, y1, x1, y1);
      if (self->connect_target == NULL)
        cairo_set_dash (cr, (double[]) { 6, 5 }, 2, 0);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      cairo_arc (cr, x1, y1, self->connect_target ? 6 : 4, 0, 2 * G_PI);
      cairo_arc (cr, x0, y0, 4, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_destroy (cr);
    }
}

/* The background and the diagram in widget coordinates onto `cr`, within
 * its clip. */
static void
bp_canvas_draw_diagram (BpCanvas *self,
                        cairo_t  *cr,
                        double    r,
                        double    g,
                        double    b)
{
  BpDiagramState state;

  cairo_save (cr);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_OVER);

  _bp_canvas_fill_state (self, &state);
  cairo_translate (cr, self->offset_x, self->offset_y);
  cairo_scale (cr, self->zoom, self->zoom);
  bp_diagram_draw (self->diagram, cr, _bp_canvas_trace (self), &state);
  cairo_restore (cr);
}

/* An empty document says how to begin. */
static void
bp_canvas_draw_empty_hint (BpCanvas    *self,
                           GtkSnapshot *snapshot,
                           int          width,
                           int          height)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *markup = NULL;
  GdkRGBA color;
  int text_width, text_height;

  markup = g_markup_printf_escaped ("<span size=\"x-large\" weight=\"bold\">%s</span>\n%s",
                                    _("An Empty Graph"),
                                    _("Double-click the canvas or press Ctrl+Shift+N to add a node.\n"
                                      "Drag from a node’s output port to another’s input to connect them."));
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_markup (layout, markup, -1);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_width (layout, MAX (1, width - 48) * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  color = self->dark ? (GdkRGBA) { 1, 1, 1, 0.55 } : (GdkRGBA) { 0, 0, 0, 0.55 };

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (24, (height - text_height) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

void
_bp_canvas_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  BpCanvas *self = BP_CANVAS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double r, g, b;
  int scale;

  if (width <= 0 || height <= 0)
    return;

  {
    BpDiagramState state;

    _bp_canvas_fill_state (self, &state);
    bp_diagram_state_get_background (&state, &r, &g, &b);
  }
  if (self->diagram == NULL)
    {
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { r, g, b, 1 },
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }

  scale = gtk_widget_get_scale_factor (widget);
  if (self->scene == NULL || self->scene_width != width || self->scene_height != height ||
      self->scene_scale != scale)
    {
      g_clear_pointer (&self->scene, cairo_surface_destroy);
      self->scene = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width * scale, height * scale);
      /* Drawn at device pixels: sharp on HiDPI screens too. */
      cairo_surface_set_device_scale (self->scene, scale, scale);
      self->scene_width = width;
      self->scene_height = height;
      self->scene_scale = scale;
      self->scene_valid = FALSE;
        }

  /* The diagram is drawn only where something changed; overlays such as
   * the rubber band go on top of the kept scene. */
  /* Nodes selected or unselected since the scene was drawn. Only while
   * the scene is valid: every change of the graph invalidates it, so no
   * node here can have been freed. */
  if (self->scene_valid)
    {
      GHashTableIter iter;
      gpointer key;

      self->in_snapshot = TRUE;
      g_hash_table_iter_init (&iter, _bp_canvas_selection (self));
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (self->drawn_selected, key))
          _bp_canvas_damage_node (self, key);
      g_hash_table_iter_init (&iter, self->drawn_selected);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (_bp_canvas_selection (self), key))
          _bp_canvas_damage_node (self, key);
      self->in_snapshot = FALSE;
    }
  if (!self->scene_valid || !cairo_region_is_empty (self->damage))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_remove_all (self->drawn_selected);
      g_hash_table_iter_init (&iter, _bp_canvas_selection (self));
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (self->drawn_selected, key);
    }

  if (!self->scene_valid)
    {
      cairo_t *cr = cairo_create (self->scene);

      bp_canvas_draw_diagram (self, cr, r, g, b);
      cairo_destroy (cr);
      self->scene_valid = TRUE;
      cairo_region_subtract (self->damage, self->damage);
    }
  else if (!cairo_region_is_empty (self->damage))
    {
      /* Drawn again in place, clipped to the damage: the renderer culls
       * each label by everything it draws, so nothing near a clip edge
       * is left out (tests/test-diagram.c draws in tiles to check). */
      cairo_t *cr = cairo_create (self->scene);
      int n = cairo_region_num_rectangles (self->damage);

      for (int i = 0; i < n; i++)
        {
          cairo_rectangle_int_t rect;

          cairo_region_get_rectangle (self->damage, i, &rect);
          cairo_rectangle (cr, rect.x, rect.y, rect.width, rect.height);
        }
      cairo_clip (cr);
      bp_canvas_draw_diagram (self, cr, r, g, b);
      cairo_destroy (cr);
      cairo_surface_flush (self->scene);
      cairo_region_subtract (self->damage, self->damage);
    }

  /* Handing the opaque image over as a Cairo node lets the Cairo renderer
   * paint it as it is; a GdkTexture would be copied and converted first. */
  {
    cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

    cairo_set_source_surface (cr, self->scene, 0, 0);
    cairo_paint (cr);
    cairo_destroy (cr);
  }

  bp_canvas_draw_overlay (self, snapshot, width, height);
  if (self->graph != NULL && bp_graph_get_n_nodes (self->graph) == 0)
    bp_canvas_draw_empty_hint (self, snapshot, width, height);
}
