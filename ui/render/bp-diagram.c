/* SPDX-License-Identifier: MIT */
/* The one renderer: the BpDiagram object and its public API. The work is
 * done in the parts named in bp-diagram-private.h: a frame is placed
 * (bp-diagram-place.c), then painted (bp-diagram-paint.c) through a
 * BpPainter, or only measured. */

#include <math.h>
#include <string.h>

#include "bp-diagram-private.h"

G_DEFINE_FINAL_TYPE (BpDiagram, bp_diagram, G_TYPE_OBJECT)

static const BpDiagramState default_state = BP_DIAGRAM_STATE_INIT;

static void
bp_diagram_finalize (GObject *object)
{
  BpDiagram *self = BP_DIAGRAM (object);

  g_clear_pointer (&self->nodes, g_hash_table_unref);
  g_clear_pointer (&self->place_cache, place_cache_free);
  g_clear_object (&self->blank);
  g_clear_object (&self->scratch);
  for (guint i = 0; i < N_FONTS; i++)
    {
      g_clear_pointer (&self->fonts[i], pango_font_description_free);
      g_clear_pointer (&self->advances[i], g_hash_table_unref);
    }
  g_clear_object (&self->pango);
  g_clear_object (&self->graph);

  G_OBJECT_CLASS (bp_diagram_parent_class)->finalize (object);
}

static void
bp_diagram_class_init (BpDiagramClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bp_diagram_finalize;
}

static void
bp_diagram_init (BpDiagram *self)
{
  cairo_font_options_t *options;

  self->text_scale = 1.0;
  self->text_only_scale = 1.0;
  self->nodes = g_hash_table_new_full (NULL, NULL, NULL, node_cache_free);

  /* A private context whose metrics do not depend on the target: no
   * hinting of metrics, so screen, SVG, PNG and PDF lay text out alike. */
  self->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (self->pango, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (self->pango, FALSE);

  bp_diagram_style_rebuild_fonts (self);
  self->blank = text_make_layout (self, "?", FONT_VALUE);
}

/* Places and paints (or, without a painter, measures) one frame. */
static void
run_frame (BpDiagram *self, BpPainter *p, BpTrace *trace, const BpDiagramState *state,
           Frame *f)
{
  frame_init (f, self, p, trace, state != NULL ? state : &default_state);
  place_scene (f);
  paint_scene (f);
}

BpDiagram *
bp_diagram_new (BpGraph *graph)
{
  BpDiagram *self;

  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);

  self = g_object_new (BP_TYPE_DIAGRAM, NULL);
  self->graph = g_object_ref (graph);
  self->seen_stamp = bp_graph_get_stamp (graph);
  return self;
}

BpGraph *
bp_diagram_get_graph (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), NULL);
  return self->graph;
}

void
bp_diagram_invalidate (BpDiagram *self)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_hash_table_remove_all (self->nodes);
  g_clear_pointer (&self->place_cache, place_cache_free);
  self->seen_stamp = bp_graph_get_stamp (self->graph);
}

void
bp_diagram_set_text_scale (BpDiagram *self, double text_scale)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  text_scale = CLAMP (text_scale, 0.25, 8.0);
  if (fabs (text_scale - self->text_scale) < 1e-9)
    return;
  self->text_scale = text_scale;
  bp_diagram_style_rebuild_fonts (self);
  g_clear_object (&self->blank);
  self->blank = text_make_layout (self, "?", FONT_VALUE);
  g_hash_table_remove_all (self->nodes);
  g_clear_pointer (&self->place_cache, place_cache_free);
}

double
bp_diagram_get_text_scale (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), 1.0);
  return self->text_scale;
}

double
bp_diagram_get_spread (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), 1.0);
  return self->spread_positions ? MAX (self->text_scale / self->text_only_scale, 1.0) : 1.0;
}

void
bp_diagram_set_text_only_scale (BpDiagram *self, double factor)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (factor > 0);
  self->text_only_scale = factor;
}

void
bp_diagram_set_spread_positions (BpDiagram *self, gboolean spread)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  self->spread_positions = !!spread;
}

gboolean
bp_diagram_get_spread_positions (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), FALSE);
  return self->spread_positions;
}

guint
bp_diagram_state_get_position (const BpDiagramState *state, BpTrace *trace)
{
  guint n_forward;

  if (state == NULL || trace == NULL)
    return 0;
  n_forward = bp_trace_get_n_forward (trace);
  switch (state->pass)
    {
    case BP_PASS_FORWARD:
      return MIN (state->step, n_forward);
    case BP_PASS_BACKWARD:
      return n_forward + MIN (state->step, bp_trace_get_n_backward (trace));
    case BP_PASS_UPDATE:
      return bp_trace_get_n_steps (trace) + MIN (state->step, state->n_updates);
    case BP_PASS_NONE:
    default:
      return 0;
    }
}

void
bp_diagram_state_set_position (BpDiagramState *state, BpTrace *trace, guint position)
{
  guint n_forward = trace != NULL ? bp_trace_get_n_forward (trace) : 0;

  g_return_if_fail (state != NULL);

  if (trace == NULL || position == 0)
    {
      state->pass = BP_PASS_NONE;
      state->step = 0;
    }
  else if (position <= n_forward)
    {
      state->pass = BP_PASS_FORWARD;
      state->step = position;
    }
  else if (position <= bp_trace_get_n_steps (trace) || state->n_updates == 0)
    {
      state->pass = BP_PASS_BACKWARD;
      state->step = position - n_forward;
    }
  else
    {
      state->pass = BP_PASS_UPDATE;
      state->step = MIN (position - bp_trace_get_n_steps (trace), state->n_updates);
    }
}

void
bp_diagram_draw (BpDiagram            *self,
                 cairo_t              *cr,
                 BpTrace              *trace,
                 const BpDiagramState *state)
{
  g_autoptr(BpPainter) p = NULL;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (cr != NULL);

  p = bp_painter_new_cairo (cr);
  bp_diagram_paint (self, p, trace, state);
}

void
bp_diagram_paint (BpDiagram            *self,
                  BpPainter            *painter,
                  BpTrace              *trace,
                  const BpDiagramState *state)
{
  Frame f;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (painter != NULL);

  run_frame (self, painter, trace, state, &f);
  frame_clear (&f);
}

void
bp_diagram_get_bounds (BpDiagram            *self,
                       const BpDiagramState *state,
                       cairo_rectangle_t    *bounds)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));

  /* The labels a pass shows are part of the bounds: measure with the
   * graph's own trace. */
  bp_diagram_get_trace_bounds (self, bp_graph_get_trace (self->graph), state, bounds);
}

void
bp_diagram_get_trace_bounds (BpDiagram            *self,
                             BpTrace              *trace,
                             const BpDiagramState *state,
                             cairo_rectangle_t    *bounds)
{
  Frame f;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (bounds != NULL);

  run_frame (self, NULL, trace, state, &f);
  frame_clear (&f);

  if (!f.have_bounds)
    {
      bounds->x = bounds->y = bounds->width = bounds->height = 0;
      return;
    }
  bounds->x = f.x0;
  bounds->y = f.y0;
  bounds->width = f.x1 - f.x0;
  bounds->height = f.y1 - f.y0;
}

static void
union_rect (cairo_rectangle_t *a, const cairo_rectangle_t *b, gboolean *have)
{
  double x1, y1;

  if (!*have)
    {
      *a = *b;
      *have = TRUE;
      return;
    }
  x1 = MAX (a->x + a->width, b->x + b->width);
  y1 = MAX (a->y + a->height, b->y + b->height);
  a->x = MIN (a->x, b->x);
  a->y = MIN (a->y, b->y);
  a->width = x1 - a->x;
  a->height = y1 - a->y;
}

void
bp_diagram_get_steps_bounds (BpDiagram            *self,
                             BpTrace              *trace,
                             const BpDiagramState *state,
                             cairo_rectangle_t    *bounds)
{
  BpDiagramState st;
  gboolean have = FALSE;
  guint n_steps;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (bounds != NULL);

  st = state != NULL ? *state : default_state;
  n_steps = trace != NULL ? bp_trace_get_n_steps (trace) + st.n_updates : 0;
  /* Every position: the callout moves from step to step. */
  for (guint position = 0; position <= n_steps; position++)
    {
      cairo_rectangle_t b;

      bp_diagram_state_set_position (&st, trace, position);
      st.progress = 1.0;
      st.highlight_last = TRUE;
      bp_diagram_get_trace_bounds (self, trace, &st, &b);
      union_rect (bounds, &b, &have);
    }
  if (!have)
    *bounds = (cairo_rectangle_t) { 0, 0, 0, 0 };
}

double
bp_diagram_fit (BpDiagram            *self,
                BpTrace              *trace,
                const BpDiagramState *state,
                double                view_width,
                double                view_height,
                double                margin,
                cairo_rectangle_t    *bounds)
{
  BpDiagramState st;
  cairo_rectangle_t b;
  double zoom = 1.0;

  g_return_val_if_fail (BP_IS_DIAGRAM (self), 1.0);

  st = state != NULL ? *state : default_state;
  /* The size depends on the zoom (matrices too small to read become
   * chips): fit with grids, then again at that zoom until it settles
   * (twice is enough: chips only make the picture smaller). */
  st.zoom = 1.0;
  for (guint round = 0; round < 3; round++)
    {
      double next;

      bp_diagram_get_trace_bounds (self, trace, &st, &b);
      if (b.width <= 0 || b.height <= 0)
        break;
      next = MIN ((view_width - 2 * margin) / b.width, (view_height - 2 * margin) / b.height);
      next = MAX (next, 1e-3);
      if (fabs (next - zoom) < 1e-6 && round > 0)
        break;
      zoom = next;
      st.zoom = zoom;
    }
  /* Settled or not, what is returned must fit: measured at that zoom,
   * shrunk if need be (smaller only turns more grids into chips). */
  st.zoom = zoom;
  bp_diagram_get_trace_bounds (self, trace, &st, &b);
  if (b.width > 0 && b.height > 0)
    zoom = MIN (zoom, MAX (1e-3, MIN ((view_width - 2 * margin) / b.width,
                                      (view_height - 2 * margin) / b.height)));
  if (bounds != NULL)
    *bounds = b;
  return zoom;
}

GArray *
bp_diagram_get_boxes (BpDiagram            *self,
                      BpTrace              *trace,
                      const BpDiagramState *state)
{
  Frame f;
  GArray *boxes;

  g_return_val_if_fail (BP_IS_DIAGRAM (self), NULL);

  frame_init (&f, self, NULL, trace, state != NULL ? state : &default_state);
  place_scene (&f);
  boxes = g_steal_pointer (&f.boxes);
  /* The labels shown at this state, as they are drawn (a quiz blank or
   * a smaller label stands inside its place). */
  frame_clear (&f);
  return boxes;
}

gboolean
bp_diagram_get_step_rect (BpDiagram            *self,
                          BpTrace              *trace,
                          const BpDiagramState *state,
                          cairo_rectangle_t    *rect)
{
  Frame f;
  gboolean have = FALSE;
  cairo_rectangle_t r = { 0 };

  g_return_val_if_fail (BP_IS_DIAGRAM (self), FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  frame_init (&f, self, NULL, trace, state != NULL ? state : &default_state);
  place_scene (&f);
  if (f.current_node != NULL)
    for (guint i = 0; i < f.boxes->len; i++)
      {
        const BpDiagramBox *b = &g_array_index (f.boxes, BpDiagramBox, i);
        gboolean mine;

        /* Its node, its callout, the values it sent or received and the
         * gradients it sent. */
        switch (b->kind)
          {
          case BP_DIAGRAM_BOX_NODE:
          case BP_DIAGRAM_BOX_CALLOUT:
            mine = b->node == f.current_node;
            break;
          case BP_DIAGRAM_BOX_VALUE:
          case BP_DIAGRAM_BOX_GRADIENT:
            mine = b->node == f.current_node;
            break;
          case BP_DIAGRAM_BOX_CAPTION:
          default:
            mine = FALSE;
            break;
          }
        if (mine)
          union_rect (&r, &b->rect, &have);
      }
  frame_clear (&f);
  if (have)
    *rect = r;
  return have;
}

guint
bp_diagram_get_edge_label_rects (BpDiagram            *self,
                                 BpTrace              *trace,
                                 const BpDiagramState *state,
                                 BpNode               *node,
                                 guint                 slot,
                                 cairo_rectangle_t    *value_rect,
                                 cairo_rectangle_t    *grad_rect,
                                 double               *arrow_y)
{
  Frame f;
  Edge *e = NULL;
  guint flags = 0;

  g_return_val_if_fail (BP_IS_DIAGRAM (self), 0);
  g_return_val_if_fail (node != NULL, 0);

  if (slot >= bp_node_get_n_inputs (node))
    return 0;
  frame_init (&f, self, NULL, trace, state != NULL ? state : &default_state);
  place_scene (&f);
  for (guint i = 0; i < f.edges->len; i++)
    {
      Edge *edge = &g_array_index (f.edges, Edge, i);

      if (edge->dst == node && edge->slot == slot)
        e = edge;
    }
  if (e != NULL)
    {
      double x, w, h;

      if (arrow_y != NULL)
        line_point (&e->line, e->t, &x, arrow_y);
      if (e->value != NULL)
        {
          gboolean blank = place_is_hidden (f.state->hidden_values, e->src);
          Label *label = place_value_label (&f, e);

          if (blank)
            text_blank_size (self, f.s, &w, &h);
          else
            {
              label_set (self, label, e->value, e->compact);
              w = label->width;
              h = label->height;
            }
          if (value_rect != NULL)
            {
              place_label_rect (&e->line, e->t, w, h, e->lift, LABEL_GAP * f.s,
                                &value_rect->x, &value_rect->y);
              value_rect->width = w;
              value_rect->height = h;
            }
          flags |= 1;
        }
      if (e->back != NULL)
        {
          gboolean blank = place_is_hidden (f.state->hidden_grads, e->src);
          Label *label = place_grad_label (&f, e);

          if (blank)
            text_blank_size (self, f.s, &w, &h);
          else
            {
              label_set (self, label, e->back->downstream[slot], e->compact);
              w = label->width;
              h = label->height;
            }
          if (grad_rect != NULL)
            {
              place_label_rect (&e->line, e->tg, w, h, -BACK_OFFSET * f.s - e->lift,
                                GRAD_GAP * f.s, &grad_rect->x, &grad_rect->y);
              grad_rect->width = w;
              grad_rect->height = h;
            }
          flags |= 2;
        }
    }
  frame_clear (&f);
  return flags;
}

void
bp_diagram_measure_tensor (BpDiagram *self, BpTensor *tensor, double *width, double *height)
{
  Label label = { 0 };

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (tensor != NULL);

  label_set (self, &label, tensor, FALSE);
  if (width != NULL)
    *width = label.width;
  if (height != NULL)
    *height = label.height;
  label_clear (&label);
}

void
bp_diagram_measure_chip (BpDiagram *self, BpTensor *tensor, double *width, double *height)
{
  Label label = { 0 };

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (tensor != NULL);

  label_set (self, &label, tensor, TRUE);
  if (width != NULL)
    *width = label.width;
  if (height != NULL)
    *height = label.height;
  label_clear (&label);
}

void
bp_diagram_estimate_tensor (BpDiagram *self, BpTensor *tensor, double *width, double *height)
{
  g_autofree char *text = NULL;
  double w, h;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (tensor != NULL);

  /* Grids are rare in big graphs: those are measured exactly. */
  if (!bp_tensor_is_scalar (tensor))
    {
      bp_diagram_measure_tensor (self, tensor, width, height);
      return;
    }
  text = bp_format_number (tensor->data[0], 4);
  text_estimate (self, text, FONT_VALUE, &w, &h);
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

void
bp_diagram_measure_heading (BpDiagram *self, const char *text, double *width, double *height)
{
  g_autoptr(PangoLayout) layout = NULL;
  double w, h;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (text != NULL);

  layout = text_make_layout (self, text, FONT_NAME);
  text_layout_size (layout, &w, &h);
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

void
bp_diagram_paint_heading (BpDiagram  *self,
                          BpPainter  *painter,
                          const char *text,
                          double      x,
                          double      y,
                          BpPass      pass,
                          gboolean    dark)
{
  const Palette *pal = bp_diagram_style_palette (dark);
  g_autoptr(PangoLayout) layout = NULL;
  const Rgb *colour;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (painter != NULL && text != NULL);

  colour = pass == BP_PASS_BACKWARD ? &pal->bwd : pass == BP_PASS_FORWARD ? &pal->fwd
           : pass == BP_PASS_UPDATE ? &pal->upd : &pal->text;
  layout = text_make_layout (self, text, FONT_NAME);
  bp_painter_show_layout (painter, layout, x, y, colour);
}
