/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>
#include <math.h>

#include "bp-canvas-private.h"
#include "bp-layout.h"
#include "bp-palette.h"
#include "bp-value-popover.h"

typedef enum
{
  DRAG_NONE,
  DRAG_MOVE,      /* moving the selected nodes */
  DRAG_PAN,       /* middle button, or Space + drag */
  DRAG_RUBBER,    /* rubber-band selection */
  DRAG_CONNECT,   /* from an output port (or a picked-up edge) to an input port */
  DRAG_CONNECT_REVERSE, /* from a free input port to a node's output */
} DragMode;

struct _BpCanvas
{
  GtkWidget       parent_instance;

  /* Owned References */
  BpSession      *session;
  BpPlayer       *player;          /* the animation's progress, or NULL */
  BpDiagram      *diagram;
  GHashTable     *drawn_selected;  /* the selection the kept scene shows */
  GHashTable     *hidden_values;   /* quiz blanks, while the quiz is on */
  GHashTable     *hidden_grads;
  cairo_surface_t *scene;          /* the diagram rasterized at widget size × scale */
  cairo_region_t *damage;          /* widget pixels of the scene to draw again */
  GPtrArray      *drag_edges;      /* DRAG_MOVE: consumers of edges touching moved nodes… */
  GArray         *drag_edge_slots; /* …and their slots (guint) */
  BpPalette      *palette;         /* parented popovers */
  BpValuePopover *value_popover;

  /* Borrowed References */
  BpGraph        *graph;           /* the session's */
  BpHistory      *history;         /* the session's */
  BpNode         *hover;
  BpNode         *edited_node;     /* the value popover's node */

  /* what the kept scene shows of the session's position */
  guint           position;
  double          progress;
  gboolean        dark;
  double          text_scale;

  /* view: widget = diagram * zoom + offset */
  double          zoom;
  double          offset_x;
  double          offset_y;
  gboolean        need_fit;
  int             scene_width;     /* what the scene was drawn for */
  int             scene_height;
  int             scene_scale;
  gboolean        scene_valid;
  gboolean        in_snapshot;

  /* pointer */
  double          pointer_x;
  double          pointer_y;
  gboolean        space_down;
  gboolean        space_used;      /* a drag happened while Space was held */
  const char     *cursor_name;

  /* keys */
  gboolean        user_selection;  /* the selection was made on the canvas */
  gboolean        selecting;       /* the canvas is changing the selection */
  gboolean        presenting;

  /* drag */
  DragMode        drag_mode;
  double          drag_start_x;    /* widget coordinates */
  double          drag_start_y;
  double          drag_x;          /* current, widget coordinates */
  double          drag_y;
  double          pan_start_x;
  double          pan_start_y;
  GPtrArray      *drag_nodes;      /* BpNode*, the nodes being moved */
  GArray         *drag_old;        /* double pairs: their positions before */
  BpNode         *connect_src;     /* DRAG_CONNECT: the source; REVERSE: the consumer */
  guint           connect_slot;    /* REVERSE: the slot of connect_src */
  BpNode         *detach_dst;      /* an edge picked up from this input port… */
  guint           detach_slot;
  BpNode         *connect_target;  /* the node under the pointer that would connect */
  guint           connect_target_slot;
  gboolean        rubber_extend;

  /* pinch */
  double          pinch_zoom;

  /* palette position, diagram units */
  double          palette_x;
  double          palette_y;
};

G_DEFINE_FINAL_TYPE (BpCanvas, bp_canvas, GTK_TYPE_WIDGET)

enum {
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define ZOOM_MIN     0.1
#define ZOOM_MAX     8.0
#define ZOOM_STEP    1.2
#define FIT_MARGIN   24.0
#define NUDGE        10.0
#define NUDGE_BIG    50.0

static void bp_canvas_update_actions (BpCanvas *self);

/* Stored positions times this are diagram units (see
 * bp_diagram_set_spread_positions()): presenting spreads the nodes. */
static double
bp_canvas_get_spread (BpCanvas *self)
{
  return self->diagram != NULL ? bp_diagram_get_spread (self->diagram) : 1.0;
}

/* --- helpers --- */

static BpTrace *
bp_canvas_trace (BpCanvas *self)
{
  return self->session != NULL ? bp_session_get_trace (self->session) : NULL;
}

static GHashTable *
bp_canvas_selection (BpCanvas *self)
{
  return bp_session_get_selection (self->session);
}

/* Selections the user makes on the canvas: the arrow keys move them. */
static void
bp_canvas_select (BpCanvas   *self,
                  GHashTable *set)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  guint n = self->graph != NULL ? bp_graph_get_n_nodes (self->graph) : 0;

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);

      if (g_hash_table_contains (set, node))
        g_ptr_array_add (nodes, node);
    }
  self->selecting = TRUE;
  bp_session_select (self->session, (BpNode *const *) nodes->pdata, nodes->len);
  self->selecting = FALSE;
  self->user_selection = TRUE;
}

static GHashTable *
bp_canvas_dup_selection (BpCanvas *self)
{
  GHashTable *set = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, bp_canvas_selection (self));
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (set, key);
  return set;
}

/* Everything is drawn again at the next frame. */
static void
bp_canvas_invalidate_scene (BpCanvas *self)
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

static void bp_canvas_fill_state (BpCanvas *self, BpDiagramState *state);

/* Scrolls the view by whole pixels. The kept scene is shifted and only
 * the strips that come into view are drawn. */
static void
bp_canvas_pan_by (BpCanvas *self,
                  double    dx,
                  double    dy)
{
  int width = self->scene_width;
  int height = self->scene_height;
  cairo_surface_t *shifted;
  cairo_region_t *fresh;
  cairo_t *cr;

  if (dx == 0 && dy == 0)
    return;
  self->offset_x += dx;
  self->offset_y += dy;
  self->need_fit = FALSE;

  if (!self->scene_valid || self->scene == NULL ||
      fabs (dx) >= width || fabs (dy) >= height)
    {
      bp_canvas_invalidate_scene (self);
      return;
    }

  shifted = cairo_surface_create_similar_image (self->scene, CAIRO_FORMAT_RGB24,
                                                width * self->scene_scale,
                                                height * self->scene_scale);
  cairo_surface_set_device_scale (shifted, self->scene_scale, self->scene_scale);
  cr = cairo_create (shifted);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_surface (cr, self->scene, dx, dy);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (self->scene);
  self->scene = shifted;

  /* Pending damage moves with the picture; what came into view is new. */
  cairo_region_translate (self->damage, (int) dx, (int) dy);
  fresh = cairo_region_create_rectangle (&(cairo_rectangle_int_t) { 0, 0, width, height });
  cairo_region_subtract_rectangle (fresh, &(cairo_rectangle_int_t) { (int) dx, (int) dy, width, height });
  cairo_region_union (self->damage, fresh);
  cairo_region_destroy (fresh);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A node's own pixels: its shape, halo and ports (hovering changes
 * nothing else). */
static void
bp_canvas_damage_node (BpCanvas *self,
                       BpNode   *node)
{
  cairo_rectangle_t r;
  double grow = 16 * self->text_scale;

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
  double s = self->text_scale;
  double cx = 0, cy = 0, grow = 16 * s;

  bp_diagram_get_node_rect (self->diagram, node, &r);
  bp_node_get_position (node, &cx, &cy);
  cx *= bp_canvas_get_spread (self);
  cy *= bp_canvas_get_spread (self);
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
  double grow = 24 * self->text_scale;

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
  if (bp_diagram_get_edge_label_rects (self->diagram, bp_canvas_trace (self), state, dst, slot,
                                       &value_rect, &grad_rect, &arrow_y) != 0)
    {
      rect_union (&r, &value_rect);
      rect_union (&r, &grad_rect);
    }
  bp_canvas_damage_diagram_rect (self, &r);
}

/* What the moved nodes cover where they are now: the nodes and the edges
 * into and out of them with their labels. */
static void
bp_canvas_damage_dragged (BpCanvas *self)
{
  BpDiagramState state;

  if (!self->scene_valid || self->diagram == NULL)
    return;
  bp_canvas_fill_state (self, &state);

  for (guint i = 0; i < self->drag_nodes->len; i++)
    bp_canvas_damage_node_box (self, g_ptr_array_index (self->drag_nodes, i), FALSE);
  for (guint i = 0; i < self->drag_edges->len; i++)
    bp_canvas_damage_edge (self, g_ptr_array_index (self->drag_edges, i),
                           g_array_index (self->drag_edge_slots, guint, i), &state);
}

/* The pass a position of the trace is in. */
static BpPass
bp_canvas_pass_at (BpCanvas *self,
                   guint     position)
{
  guint n_forward = self->session != NULL ? bp_session_get_n_forward (self->session) : 0;

  if (position == 0)
    return BP_PASS_NONE;
  return position <= n_forward ? BP_PASS_FORWARD : BP_PASS_BACKWARD;
}

/* What one step of a pass changes: its node, its callout, and the edges
 * into and out of it where its value or gradient travels. */
static void
bp_canvas_damage_step (BpCanvas *self,
                       int       index)
{
  BpDiagramState state;
  BpNode *node;
  guint n;

  if (!self->scene_valid || self->diagram == NULL || index < 0 ||
      (guint) index >= bp_trace_get_n_steps (bp_canvas_trace (self)))
    return;
  bp_canvas_fill_state (self, &state);
  node = bp_trace_get_step (bp_canvas_trace (self), index)->node;

  bp_canvas_damage_node_box (self, node, TRUE);
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
bp_canvas_fill_state (BpCanvas       *self,
                      BpDiagramState *state)
{
  BpDiagramState init = BP_DIAGRAM_STATE_INIT;
  guint n_forward = self->session != NULL ? bp_session_get_n_forward (self->session) : 0;

  *state = init;
  state->pass = bp_canvas_pass_at (self, self->position);
  state->step = state->pass == BP_PASS_BACKWARD ? self->position - n_forward : self->position;
  state->progress = self->progress;
  state->dark = self->dark;
  state->text_scale = self->text_scale;
  state->selected = self->session != NULL ? bp_canvas_selection (self) : NULL;
  state->hover = self->hover;
  state->hidden_values = self->hidden_values;
  state->hidden_grads = self->hidden_grads;
}

static void
bp_canvas_set_cursor (BpCanvas   *self,
                      const char *name)
{
  if (g_strcmp0 (self->cursor_name, name) == 0)
    return;
  self->cursor_name = name;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), name);
}

static void
bp_canvas_emit_message (BpCanvas   *self,
                        const char *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}


static void
bp_canvas_cancel_drag (BpCanvas *self)
{
  self->drag_mode = DRAG_NONE;
  g_ptr_array_set_size (self->drag_nodes, 0);
  g_array_set_size (self->drag_old, 0);
  g_ptr_array_set_size (self->drag_edges, 0);
  g_array_set_size (self->drag_edge_slots, 0);
  self->connect_src = NULL;
  self->connect_target = NULL;
  self->detach_dst = NULL;
}

static gboolean
bp_canvas_node_in_graph (BpCanvas *self,
                         BpNode   *node)
{
  guint n;

  if (node == NULL || self->graph == NULL)
    return FALSE;
  n = bp_graph_get_n_nodes (self->graph);
  for (guint i = 0; i < n; i++)
    if (bp_graph_get_node (self->graph, i) == node)
      return TRUE;
  return FALSE;
}

static void
bp_canvas_clamp_zoom (double *zoom)
{
  *zoom = CLAMP (*zoom, ZOOM_MIN, ZOOM_MAX);
}

/* --- the session --- */

static void
bp_canvas_update_hidden (BpCanvas *self)
{
  BpQuiz *quiz = self->session != NULL ? bp_session_get_quiz (self->session) : NULL;

  g_clear_pointer (&self->hidden_values, g_hash_table_unref);
  g_clear_pointer (&self->hidden_grads, g_hash_table_unref);
  if (quiz != NULL && bp_quiz_get_active (quiz))
    {
      self->hidden_values = bp_quiz_dup_blanks (quiz, BP_QUIZ_VALUE);
      self->hidden_grads = bp_quiz_dup_blanks (quiz, BP_QUIZ_GRAD);
    }
}

static gboolean
bp_canvas_layout_cb (BpGraph   *graph,
                     gpointer   user_data,
                     GError   **error)
{
  BpCanvas *self = user_data;

  if (self->diagram == NULL || bp_diagram_get_graph (self->diagram) != graph)
    return TRUE;
  bp_diagram_invalidate (self->diagram);
  return bp_layout_arrange (self->diagram, FALSE, error);
}

static void
session_document_changed_cb (BpCanvas  *self,
                             BpSession *session)
{
  bp_canvas_cancel_drag (self);
  self->hover = NULL;
  self->edited_node = NULL;
  gtk_popover_popdown (GTK_POPOVER (self->value_popover));
  gtk_popover_popdown (GTK_POPOVER (self->palette));
  g_hash_table_remove_all (self->drawn_selected);

  g_clear_object (&self->diagram);
  self->graph = bp_session_get_graph (session);
  self->position = bp_session_get_position (session);
  self->progress = 1.0;
  if (self->graph != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->diagram = bp_diagram_new (self->graph);
      bp_diagram_set_text_scale (self->diagram, self->text_scale);
      /* Larger text (presenting) spreads the nodes too instead of
       * crowding them; at text scale 1 the spread is 1. */
      bp_diagram_set_spread_positions (self->diagram, TRUE);
      /* Files may leave positions out; lay out only those. */
      if (!bp_layout_arrange (self->diagram, TRUE, &error))
        g_warning ("Cannot lay out the graph: %s", error->message);
    }

  bp_canvas_update_hidden (self);
  self->need_fit = TRUE;
  if (gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    bp_canvas_zoom_fit (self);
  bp_canvas_invalidate_scene (self);
  bp_canvas_update_actions (self);
}

static void
session_changed_cb (BpCanvas  *self,
                    guint      change,
                    BpSession *session)
{
  bp_canvas_cancel_drag (self);
  self->hover = NULL;
  if (self->edited_node != NULL && !bp_canvas_node_in_graph (self, self->edited_node))
    {
      self->edited_node = NULL;
      gtk_popover_popdown (GTK_POPOVER (self->value_popover));
    }
  /* Nodes may be gone: the kept selection must not name them. */
  g_hash_table_remove_all (self->drawn_selected);
  self->position = bp_session_get_position (session);

  if (self->diagram != NULL)
    bp_diagram_invalidate (self->diagram);
  bp_canvas_update_hidden (self);
  bp_canvas_invalidate_scene (self);
  bp_canvas_update_actions (self);
}

static void
session_selection_changed_cb (BpCanvas  *self,
                              BpSession *session)
{
  /* Chosen elsewhere (the player, a panel): the arrow keys step again. */
  if (!self->selecting)
    self->user_selection = FALSE;
  bp_canvas_update_actions (self);
  /* The next frame redraws the nodes whose selection changed. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Shows another position of the pass: the player moves one step at a
 * time, many frames per step, so then only what the steps before and
 * after touch is drawn again. */
void
_bp_canvas_show_position (BpCanvas *self,
                         guint     position,
                         double    progress)
{
  progress = CLAMP (progress, 0.0, 1.0);
  if (self->position == position && self->progress == progress)
    return;

  if (self->scene_valid && bp_canvas_trace (self) != NULL &&
      bp_canvas_pass_at (self, position) == bp_canvas_pass_at (self, self->position) &&
      bp_canvas_pass_at (self, position) != BP_PASS_NONE &&
      ABS ((int) position - (int) self->position) <= 1)
    {
      int before = (int) self->position - 1;
      int after = (int) position - 1;

      /* The old state's labels, then the new one's. */
      bp_canvas_damage_step (self, before);
      bp_canvas_damage_step (self, after);
      self->position = position;
      self->progress = progress;
      bp_canvas_damage_step (self, before);
      bp_canvas_damage_step (self, after);
      return;
    }

  self->position = position;
  self->progress = progress;
  bp_canvas_invalidate_scene (self);
}

static void
session_position_changed_cb (BpCanvas  *self,
                             BpSession *session)
{
  _bp_canvas_show_position (self, bp_session_get_position (session),
                           self->player != NULL ? bp_player_get_progress (self->player) : 1.0);
}

static void
player_progress_cb (BpCanvas   *self,
                    GParamSpec *pspec,
                    BpPlayer   *player)
{
  _bp_canvas_show_position (self, bp_session_get_position (self->session),
                           bp_player_get_progress (player));
}

static void
quiz_changed_cb (BpCanvas *self,
                 BpQuiz   *quiz)
{
  bp_canvas_update_hidden (self);
  bp_canvas_invalidate_scene (self);
}

static void
history_notify_cb (BpCanvas   *self,
                   GParamSpec *pspec,
                   BpHistory  *history)
{
  bp_canvas_update_actions (self);
}

/* --- hit testing --- */

static BpNode *
bp_canvas_hit (BpCanvas  *self,
               double     wx,
               double     wy,
               BpHitPart *part,
               guint     *slot)
{
  double x, y;

  *part = BP_HIT_NONE;
  *slot = 0;
  if (self->diagram == NULL)
    return NULL;
  bp_canvas_widget_to_diagram (self, wx, wy, &x, &y);
  return bp_diagram_hit_test (self->diagram, x, y, part, slot);
}

/* The input slot a connection dropped on `node` goes to: the port under
 * the pointer, else the first free one. */
static gboolean
bp_canvas_pick_slot (BpNode    *node,
                     BpHitPart  part,
                     guint      hit_slot,
                     guint     *slot)
{
  guint n = bp_node_get_n_inputs (node);

  if (n == 0)
    return FALSE;
  if (part == BP_HIT_INPUT_PORT && hit_slot < n)
    {
      *slot = hit_slot;
      return TRUE;
    }
  for (guint i = 0; i < n; i++)
    if (bp_node_get_input (node, i) == NULL)
      {
        *slot = i;
        return TRUE;
      }
  return FALSE;
}

static void
bp_canvas_update_connect_target (BpCanvas *self)
{
  BpHitPart part;
  guint slot;
  BpNode *node = bp_canvas_hit (self, self->drag_x, self->drag_y, &part, &slot);
  BpNode *target = NULL;
  guint target_slot = 0;

  if (self->drag_mode == DRAG_CONNECT)
    {
      if (node != NULL && node != self->connect_src &&
          bp_canvas_pick_slot (node, part, slot, &target_slot))
        target = node;
    }
  else if (node != NULL && node != self->connect_src)
    target = node;

  self->connect_target = target;
  self->connect_target_slot = target_slot;
}

/* --- gestures --- */

static void
drag_begin_cb (BpCanvas       *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  gboolean extend = (mods & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) != 0;
  BpHitPart part;
  guint slot;
  BpNode *node;

  bp_canvas_cancel_drag (self);
  self->drag_start_x = self->drag_x = x;
  self->drag_start_y = self->drag_y = y;
  self->pointer_x = x;
  self->pointer_y = y;

  /* A double click may just have opened a popover: leave it the keyboard. */
  if (!gtk_widget_has_focus (GTK_WIDGET (self)) &&
      !gtk_widget_get_visible (GTK_WIDGET (self->palette)) &&
      !gtk_widget_get_visible (GTK_WIDGET (self->value_popover)))
    gtk_widget_grab_focus (GTK_WIDGET (self));

  if (self->space_down)
    self->space_used = TRUE;
  if (button == GDK_BUTTON_MIDDLE || self->space_down || self->graph == NULL)
    {
      self->drag_mode = DRAG_PAN;
      self->pan_start_x = self->offset_x;
      self->pan_start_y = self->offset_y;
      bp_canvas_set_cursor (self, "grabbing");
      return;
    }
  if (button == GDK_BUTTON_SECONDARY)
    return;

  node = bp_canvas_hit (self, x, y, &part, &slot);

  if (node != NULL && part == BP_HIT_OUTPUT_PORT)
    {
      self->drag_mode = DRAG_CONNECT;
      self->connect_src = node;
      gtk_widget_queue_draw (GTK_WIDGET (self));   /* the overlay only */
      return;
    }

  if (node != NULL && part == BP_HIT_INPUT_PORT && slot < bp_node_get_n_inputs (node))
    {
      BpNode *src = bp_node_get_input (node, slot);

      if (src != NULL)
        {
          /* Pick up the edge: drop it elsewhere to move it, on nothing to
           * remove it. */
          self->drag_mode = DRAG_CONNECT;
          self->connect_src = src;
          self->detach_dst = node;
          self->detach_slot = slot;
        }
      else
        {
          self->drag_mode = DRAG_CONNECT_REVERSE;
          self->connect_src = node;
          self->connect_slot = slot;
        }
      gtk_widget_queue_draw (GTK_WIDGET (self));   /* the overlay only */
      return;
    }

  if (node != NULL)
    {
      guint n;

      /* Clicked, even if the player had selected it: the arrow keys
       * move it now (see bp_canvas_get_arrows_nudge()). */
      if (extend)
        {
          g_autoptr(GHashTable) set = bp_canvas_dup_selection (self);

          if (!g_hash_table_remove (set, node))
            g_hash_table_add (set, node);
          bp_canvas_select (self, set);
        }
      else if (!g_hash_table_contains (bp_canvas_selection (self), node))
        {
          self->selecting = TRUE;
          bp_session_select_node (self->session, node);
          self->selecting = FALSE;
        }
      self->user_selection = TRUE;

      if (!g_hash_table_contains (bp_canvas_selection (self), node))
        return;

      self->drag_mode = DRAG_MOVE;
      n = bp_graph_get_n_nodes (self->graph);
      for (guint i = 0; i < n; i++)
        {
          BpNode *sel = bp_graph_get_node (self->graph, i);
          double pos[2] = { 0, 0 };

          if (!g_hash_table_contains (bp_canvas_selection (self), sel))
            continue;
          bp_node_get_position (sel, &pos[0], &pos[1]);
          g_ptr_array_add (self->drag_nodes, sel);
          g_array_append_vals (self->drag_old, pos, 2);
        }
      /* The edges that move with them, found once for the whole drag. */
      for (guint i = 0; i < n; i++)
        {
          BpNode *dst = bp_graph_get_node (self->graph, i);
          guint n_in = bp_node_get_n_inputs (dst);
          gboolean dst_moves = g_hash_table_contains (bp_canvas_selection (self), dst);

          for (guint k = 0; k < n_in; k++)
            {
              BpNode *src = bp_node_get_input (dst, k);

              if (src != NULL && (dst_moves || g_hash_table_contains (bp_canvas_selection (self), src)))
                {
                  g_ptr_array_add (self->drag_edges, dst);
                  g_array_append_val (self->drag_edge_slots, k);
                }
            }
        }
      bp_canvas_set_cursor (self, "grabbing");
      return;
    }

  self->drag_mode = DRAG_RUBBER;
  self->rubber_extend = extend;
}

static void
bp_canvas_move_dragged (BpCanvas *self,
                        double    offset_x,
                        double    offset_y)
{
  /* Pointer pixels to stored units: the drawing is spread and zoomed. */
  double dx = offset_x / (self->zoom * bp_canvas_get_spread (self));
  double dy = offset_y / (self->zoom * bp_canvas_get_spread (self));

  bp_canvas_damage_dragged (self);
  for (guint i = 0; i < self->drag_nodes->len; i++)
    {
      BpNode *node = g_ptr_array_index (self->drag_nodes, i);
      double *old = &g_array_index (self->drag_old, double, 2 * i);

      bp_node_set_position (node, old[0] + dx, old[1] + dy);
    }
  bp_canvas_damage_dragged (self);
}

static void
drag_update_cb (BpCanvas       *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *gesture)
{
  double x = self->drag_start_x + offset_x;
  double y = self->drag_start_y + offset_y;

  if (x == self->drag_x && y == self->drag_y)
    return;
  self->drag_x = self->pointer_x = x;
  self->drag_y = self->pointer_y = y;

  switch (self->drag_mode)
    {
    case DRAG_MOVE:
      bp_canvas_move_dragged (self, offset_x, offset_y);
      break;

    case DRAG_PAN:
      bp_canvas_pan_by (self,
                        round (self->pan_start_x + offset_x - self->offset_x),
                        round (self->pan_start_y + offset_y - self->offset_y));
      break;

    case DRAG_RUBBER:
      /* Only the overlay changes: the cached scene stays. */
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_CONNECT:
    case DRAG_CONNECT_REVERSE:
      bp_canvas_update_connect_target (self);
      /* The pending connection is an overlay: the scene stays. */
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_NONE:
    default:
      break;
    }
}

static void
bp_canvas_finish_rubber (BpCanvas *self)
{
  g_autoptr(GHashTable) set = NULL;
  double x0, y0, x1, y1;
  guint n;

  set = self->rubber_extend ? bp_canvas_dup_selection (self) : g_hash_table_new (NULL, NULL);
  if (fabs (self->drag_x - self->drag_start_x) < 3 &&
      fabs (self->drag_y - self->drag_start_y) < 3)
    {
      /* A click on empty canvas. */
      bp_canvas_select (self, set);
      return;
    }

  bp_canvas_widget_to_diagram (self, MIN (self->drag_start_x, self->drag_x),
                               MIN (self->drag_start_y, self->drag_y), &x0, &y0);
  bp_canvas_widget_to_diagram (self, MAX (self->drag_start_x, self->drag_x),
                               MAX (self->drag_start_y, self->drag_y), &x1, &y1);
  n = bp_graph_get_n_nodes (self->graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      cairo_rectangle_t r;

      bp_diagram_get_node_rect (self->diagram, node, &r);
      if (r.x < x1 && r.x + r.width > x0 && r.y < y1 && r.y + r.height > y0)
        g_hash_table_add (set, node);
    }
  bp_canvas_select (self, set);
}

static void
bp_canvas_finish_connect (BpCanvas *self)
{
  g_autoptr(GError) error = NULL;
  BpNode *src = self->connect_src;
  BpNode *target;
  guint slot;

  bp_canvas_update_connect_target (self);
  target = self->connect_target;
  slot = self->connect_target_slot;

  if (self->drag_mode == DRAG_CONNECT_REVERSE)
    {
      /* Dragged from a free input back to a node: that node feeds it. */
      if (target != NULL)
        bp_canvas_connect (self, target, src, self->connect_slot, NULL);
      return;
    }

  if (self->detach_dst != NULL)
    {
      if (target == self->detach_dst && slot == self->detach_slot)
        return;
      bp_history_begin_group (self->history, N_("Reconnect"));
      bp_history_disconnect (self->history, self->detach_dst, self->detach_slot);
      if (target != NULL && !bp_history_connect (self->history, src, target, slot, &error))
        bp_canvas_emit_message (self, error->message);
      bp_history_end_group (self->history);
      return;
    }

  if (target != NULL)
    bp_canvas_connect (self, src, target, slot, NULL);
  else
    {
      BpHitPart part;
      guint hit_slot;
      BpNode *node = bp_canvas_hit (self, self->drag_x, self->drag_y, &part, &hit_slot);

      if (node != NULL && node != src && bp_node_get_n_inputs (node) > 0)
        {
          g_autofree char *message =
            g_strdup_printf (_("Every input of %s is connected: drop on an input port to replace one"),
                             bp_node_get_id (node));

          bp_canvas_emit_message (self, message);
        }
    }
}

static void
drag_end_cb (BpCanvas       *self,
             double          offset_x,
             double          offset_y,
             GtkGestureDrag *gesture)
{
  DragMode mode;

  drag_update_cb (self, offset_x, offset_y, gesture);
  mode = self->drag_mode;

  switch (mode)
    {
    case DRAG_MOVE:
      if (self->drag_nodes->len > 0)
        {
          g_autofree double *old_x = g_new (double, self->drag_nodes->len);
          g_autofree double *old_y = g_new (double, self->drag_nodes->len);
          g_autofree BpNode **nodes = g_new (BpNode *, self->drag_nodes->len);
          guint n = self->drag_nodes->len;

          for (guint i = 0; i < n; i++)
            {
              nodes[i] = g_ptr_array_index (self->drag_nodes, i);
              old_x[i] = g_array_index (self->drag_old, double, 2 * i);
              old_y[i] = g_array_index (self->drag_old, double, 2 * i + 1);
            }
          bp_canvas_cancel_drag (self);
          bp_history_record_move (self->history, nodes, n, old_x, old_y);
        }
      break;

    case DRAG_RUBBER:
      bp_canvas_finish_rubber (self);
      break;

    case DRAG_CONNECT:
    case DRAG_CONNECT_REVERSE:
      bp_canvas_finish_connect (self);
      break;

    case DRAG_PAN:
    case DRAG_NONE:
    default:
      break;
    }

  bp_canvas_cancel_drag (self);
  self->cursor_name = NULL;
  bp_canvas_set_cursor (self, self->space_down ? "grab" : "default");
  /* Edits redraw through the history; the overlay goes away here. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
click_pressed_cb (BpCanvas        *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *gesture)
{
  BpHitPart part;
  guint slot;
  BpNode *node;

  if (n_press != 2 || self->graph == NULL)
    return;

  node = bp_canvas_hit (self, x, y, &part, &slot);
  if (node == NULL)
    {
      bp_canvas_show_palette (self, x, y);
      return;
    }
  if (bp_op_is_leaf (bp_node_get_op (node)))
    bp_canvas_edit_value (self, node);
}

static void
motion_cb (BpCanvas                 *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  BpHitPart part;
  guint slot;
  BpNode *node;

  self->pointer_x = x;
  self->pointer_y = y;
  if (self->drag_mode != DRAG_NONE)
    return;

  node = bp_canvas_hit (self, x, y, &part, &slot);
  if (self->space_down)
    bp_canvas_set_cursor (self, "grab");
  else if (part == BP_HIT_OUTPUT_PORT || part == BP_HIT_INPUT_PORT)
    bp_canvas_set_cursor (self, "crosshair");
  else if (node != NULL)
    bp_canvas_set_cursor (self, "pointer");
  else
    bp_canvas_set_cursor (self, "default");

  /* Redraw only when the hovered node changes, not on every motion. */
  if (node != self->hover)
    {
      bp_canvas_damage_node (self, self->hover);
      self->hover = node;
      bp_canvas_damage_node (self, self->hover);
    }
}

static void
leave_cb (BpCanvas                 *self,
          GtkEventControllerMotion *motion)
{
  if (self->hover != NULL)
    {
      bp_canvas_damage_node (self, self->hover);
      self->hover = NULL;
    }
}

static void
bp_canvas_zoom_at (BpCanvas *self,
                   double    zoom,
                   double    wx,
                   double    wy)
{
  double dx, dy;

  bp_canvas_clamp_zoom (&zoom);
  if (zoom == self->zoom)
    return;
  bp_canvas_widget_to_diagram (self, wx, wy, &dx, &dy);
  self->zoom = zoom;
  /* Keep the diagram point under (wx, wy) where it was. */
  self->offset_x = wx - dx * zoom;
  self->offset_y = wy - dy * zoom;
  self->need_fit = FALSE;
  bp_canvas_invalidate_scene (self);
}

static gboolean
scroll_cb (BpCanvas                 *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *scroll)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  double unit = gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_WHEEL ? 40.0 : 1.0;

  if (mods & GDK_CONTROL_MASK)
    {
      double factor = pow (ZOOM_STEP, -dy * (unit > 1 ? 1.0 : 0.05));

      bp_canvas_zoom_at (self, self->zoom * factor, self->pointer_x, self->pointer_y);
      return TRUE;
    }
  if (mods & GDK_SHIFT_MASK && dx == 0)
    {
      dx = dy;
      dy = 0;
    }
  bp_canvas_pan_by (self, -round (dx * unit), -round (dy * unit));
  return TRUE;
}

static void
zoom_begin_cb (BpCanvas         *self,
               GdkEventSequence *sequence,
               GtkGestureZoom   *gesture)
{
  self->pinch_zoom = self->zoom;
}

static void
zoom_scale_changed_cb (BpCanvas       *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  double cx, cy;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    {
      cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  bp_canvas_zoom_at (self, self->pinch_zoom * scale, cx, cy);
}

static gboolean
key_pressed_cb (BpCanvas              *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *key)
{
  /* In a window the player bar sees Space first and calls the same
   * functions; this is for a canvas on its own. */
  if (keyval == GDK_KEY_space)
    {
      bp_canvas_begin_space_pan (self);
      return TRUE;
    }
  if (keyval == GDK_KEY_Escape && self->drag_mode == DRAG_NONE &&
      self->session != NULL && g_hash_table_size (bp_canvas_selection (self)) > 0)
    {
      bp_session_select_node (self->session, NULL);
      return TRUE;
    }
  return FALSE;
}

static void
key_released_cb (BpCanvas              *self,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 GtkEventControllerKey *key)
{
  if (keyval == GDK_KEY_space)
    bp_canvas_end_space_pan (self);
}

static void
palette_op_chosen_cb (BpCanvas   *self,
                      const char *op_name,
                      BpPalette  *palette)
{
  g_autoptr(GError) error = NULL;

  gtk_popover_popdown (GTK_POPOVER (palette));
  if (bp_canvas_add_node (self, op_name, self->palette_x, self->palette_y, &error) == NULL)
    bp_canvas_emit_message (self, error->message);
}

static void
value_chosen_cb (BpCanvas       *self,
                 const char     *text,
                 BpValuePopover *popover)
{
  g_autoptr(GError) error = NULL;

  if (self->edited_node == NULL)
    return;
  if (!bp_history_set_value_text (self->history, self->edited_node, text, &error))
    {
      bp_value_popover_set_error (popover, error->message);
      return;
    }
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
value_closed_cb (BpCanvas       *self,
                 BpValuePopover *popover)
{
  self->edited_node = NULL;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

/* --- actions --- */

static void
bp_canvas_update_actions (BpCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_graph = self->graph != NULL;
  gboolean has_selection = self->session != NULL && g_hash_table_size (bp_canvas_selection (self)) > 0;
  BpNode *single = self->session != NULL ? bp_session_get_selected_node (self->session) : NULL;

  gtk_widget_action_set_enabled (widget, "canvas.undo",
                                 self->history != NULL && bp_history_can_undo (self->history));
  gtk_widget_action_set_enabled (widget, "canvas.redo",
                                 self->history != NULL && bp_history_can_redo (self->history));
  gtk_widget_action_set_enabled (widget, "canvas.delete", has_selection);
  gtk_widget_action_set_enabled (widget, "canvas.nudge", has_selection);
  gtk_widget_action_set_enabled (widget, "canvas.select-all", has_graph);
  gtk_widget_action_set_enabled (widget, "canvas.arrange", has_graph && bp_graph_get_n_nodes (self->graph) > 0);
  gtk_widget_action_set_enabled (widget, "canvas.add-node", has_graph);
  gtk_widget_action_set_enabled (widget, "canvas.edit-value",
                                 single != NULL && bp_op_is_leaf (bp_node_get_op (single)));
  gtk_widget_action_set_enabled (widget, "canvas.zoom-fit", has_graph);
}

static void
zoom_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);

  bp_canvas_set_zoom (self, self->zoom * ZOOM_STEP, -1, -1);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);

  bp_canvas_set_zoom (self, self->zoom / ZOOM_STEP, -1, -1);
}

static void
zoom_reset_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  bp_canvas_set_zoom (BP_CANVAS (widget), 1.0, -1, -1);
}

static void
zoom_fit_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  bp_canvas_zoom_fit (BP_CANVAS (widget));
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);

  self->selecting = TRUE;
  bp_session_select_all (self->session);
  self->selecting = FALSE;
  self->user_selection = TRUE;
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  bp_canvas_delete_selection (BP_CANVAS (widget));
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  bp_history_undo (BP_CANVAS (widget)->history);
}

static void
redo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  bp_history_redo (BP_CANVAS (widget)->history);
}

static void
arrange_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  g_autoptr(GError) error = NULL;

  if (self->graph == NULL)
    return;
  if (!bp_session_arrange (self->session, &error))
    bp_canvas_emit_message (self, error->message);
  else
    bp_canvas_zoom_fit (self);
}

static void
add_node_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  double x = self->pointer_x;
  double y = self->pointer_y;
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);

  /* From a keyboard shortcut or a header button the pointer may be
   * anywhere: use the centre then. */
  if (x <= 0 || y <= 0 || x >= w || y >= h)
    {
      x = w / 2.0;
      y = h / 2.0;
    }
  bp_canvas_show_palette (self, x, y);
}

static void
edit_value_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  BpNode *node = bp_session_get_selected_node (self->session);

  if (node != NULL && bp_op_is_leaf (bp_node_get_op (node)))
    bp_canvas_edit_value (self, node);
}

static void
nudge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  g_autofree BpNode **nodes = NULL;
  double dx, dy;
  guint n;

  g_variant_get (param, "(dd)", &dx, &dy);
  nodes = bp_canvas_dup_selected_nodes (self, &n);
  /* The same distance on screen whatever the spread. */
  if (n > 0)
    bp_history_move_nodes (self->history, nodes, n,
                           dx / bp_canvas_get_spread (self),
                           dy / bp_canvas_get_spread (self));
}

/* Arrow keys: nudge the nodes the user selected, else leave the key to
 * the window (the player steps with ←/→). Up/Down are kept from moving
 * the focus out of the canvas. */
static gboolean
arrow_key_cb (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  BpCanvas *self = BP_CANVAS (widget);
  double dx, dy;

  if (!bp_canvas_get_arrows_nudge (self))
    return FALSE;
  g_variant_get (args, "(dd)", &dx, &dy);
  return gtk_widget_activate_action (widget, "canvas.nudge", "(dd)", dx, dy);
}

/* --- GtkWidget --- */

static void
bp_canvas_draw_overlay (BpCanvas    *self,
                        GtkSnapshot *snapshot,
                        int          width,
                        int          height)
{
  cairo_t *cr;
  double accent[3] = { 0.21, 0.52, 0.89 };   /* Adwaita blue */

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

  bp_canvas_fill_state (self, &state);
  cairo_translate (cr, self->offset_x, self->offset_y);
  cairo_scale (cr, self->zoom, self->zoom);
  bp_diagram_draw (self->diagram, cr, bp_canvas_trace (self), &state);
  cairo_restore (cr);
}

static void
bp_canvas_snapshot (GtkWidget   *widget,
                    GtkSnapshot *snapshot)
{
  BpCanvas *self = BP_CANVAS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double r, g, b;
  int scale;

  if (width <= 0 || height <= 0)
    return;

  bp_diagram_get_background (self->dark, &r, &g, &b);
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
      g_hash_table_iter_init (&iter, bp_canvas_selection (self));
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (self->drawn_selected, key))
          bp_canvas_damage_node (self, key);
      g_hash_table_iter_init (&iter, self->drawn_selected);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (bp_canvas_selection (self), key))
          bp_canvas_damage_node (self, key);
      self->in_snapshot = FALSE;
    }
  if (!self->scene_valid || !cairo_region_is_empty (self->damage))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_remove_all (self->drawn_selected);
      g_hash_table_iter_init (&iter, bp_canvas_selection (self));
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
}

static void
bp_canvas_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  *minimum = 100;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 560;
}

static void
bp_canvas_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  BpCanvas *self = BP_CANVAS (widget);

  if (self->need_fit && width > 0 && height > 0)
    bp_canvas_zoom_fit (self);
  gtk_popover_present (GTK_POPOVER (self->palette));
  gtk_popover_present (GTK_POPOVER (self->value_popover));
}

static void
bp_canvas_dispose (GObject *object)
{
  BpCanvas *self = BP_CANVAS (object);

  if (self->palette != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->palette));
      self->palette = NULL;
    }
  if (self->value_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->value_popover));
      self->value_popover = NULL;
    }
  bp_canvas_set_player (self, NULL);
  bp_canvas_set_session (self, NULL);
  bp_canvas_cancel_drag (self);
  self->hover = NULL;
  self->edited_node = NULL;
  g_clear_pointer (&self->scene, cairo_surface_destroy);
  g_clear_pointer (&self->hidden_values, g_hash_table_unref);
  g_clear_pointer (&self->hidden_grads, g_hash_table_unref);
  g_clear_object (&self->diagram);

  G_OBJECT_CLASS (bp_canvas_parent_class)->dispose (object);
}

static void
bp_canvas_finalize (GObject *object)
{
  BpCanvas *self = BP_CANVAS (object);

  g_clear_pointer (&self->drawn_selected, g_hash_table_unref);
  g_clear_pointer (&self->drag_nodes, g_ptr_array_unref);
  g_clear_pointer (&self->drag_old, g_array_unref);
  g_clear_pointer (&self->drag_edges, g_ptr_array_unref);
  g_clear_pointer (&self->drag_edge_slots, g_array_unref);
  g_clear_pointer (&self->damage, cairo_region_destroy);

  G_OBJECT_CLASS (bp_canvas_parent_class)->finalize (object);
}

static void
bp_canvas_class_init (BpCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_canvas_dispose;
  object_class->finalize = bp_canvas_finalize;

  widget_class->snapshot = bp_canvas_snapshot;
  widget_class->measure = bp_canvas_measure;
  widget_class->size_allocate = bp_canvas_size_allocate;

  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "canvas.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-reset", NULL, zoom_reset_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "canvas.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "canvas.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "canvas.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "canvas.redo", NULL, redo_action);
  gtk_widget_class_install_action (widget_class, "canvas.arrange", NULL, arrange_action);
  gtk_widget_class_install_action (widget_class, "canvas.add-node", NULL, add_node_action);
  gtk_widget_class_install_action (widget_class, "canvas.edit-value", NULL, edit_value_action);
  gtk_widget_class_install_action (widget_class, "canvas.nudge", "(dd)", nudge_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "canvas.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "canvas.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "canvas.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "canvas.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "canvas.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "canvas.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK, "canvas.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "canvas.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "canvas.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "canvas.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "canvas.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_y, GDK_CONTROL_MASK, "canvas.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "canvas.arrange", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.add-node", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "canvas.edit-value", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "canvas.edit-value", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, 0, arrow_key_cb, "(dd)", -NUDGE, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, 0, arrow_key_cb, "(dd)", NUDGE, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, 0, arrow_key_cb, "(dd)", 0.0, -NUDGE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, 0, arrow_key_cb, "(dd)", 0.0, NUDGE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", -NUDGE_BIG, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", NUDGE_BIG, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", 0.0, -NUDGE_BIG);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", 0.0, NUDGE_BIG);

  gtk_widget_class_set_css_name (widget_class, "bpcanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bp_canvas_init (BpCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGesture *drag, *click, *zoom;
  GtkEventController *motion, *scroll, *key;

  self->drawn_selected = g_hash_table_new (NULL, NULL);
  self->drag_nodes = g_ptr_array_new ();
  self->drag_old = g_array_new (FALSE, FALSE, sizeof (double));
  self->drag_edges = g_ptr_array_new ();
  self->drag_edge_slots = g_array_new (FALSE, FALSE, sizeof (guint));
  self->damage = cairo_region_create ();
  self->zoom = 1.0;
  self->offset_x = FIT_MARGIN;
  self->offset_y = FIT_MARGIN;
  self->text_scale = 1.0;
  self->progress = 1.0;
  self->pointer_x = -1;
  self->pointer_y = -1;


  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_widget_set_vexpand (widget, TRUE);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect_swapped (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect_swapped (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  zoom = gtk_gesture_zoom_new ();
  g_signal_connect_swapped (zoom, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect_swapped (zoom, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (zoom));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (widget, motion);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_swapped (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (widget, scroll);

  key = gtk_event_controller_key_new ();
  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect_swapped (key, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (widget, key);

  self->palette = bp_palette_new ();
  gtk_widget_set_parent (GTK_WIDGET (self->palette), widget);
  g_signal_connect_swapped (self->palette, "op-chosen", G_CALLBACK (palette_op_chosen_cb), self);

  self->value_popover = bp_value_popover_new ();
  gtk_widget_set_parent (GTK_WIDGET (self->value_popover), widget);
  g_signal_connect_swapped (self->value_popover, "value-chosen", G_CALLBACK (value_chosen_cb), self);
  g_signal_connect_swapped (self->value_popover, "closed", G_CALLBACK (value_closed_cb), self);

  bp_canvas_update_actions (self);
}

/* --- public API --- */

GtkWidget *
bp_canvas_new (void)
{
  return g_object_new (BP_TYPE_CANVAS, NULL);
}

void
bp_canvas_set_session (BpCanvas  *self,
                       BpSession *session)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  g_return_if_fail (session == NULL || BP_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (bp_session_get_history (self->session), self);
      g_signal_handlers_disconnect_by_data (bp_session_get_quiz (self->session), self);
      bp_session_set_layout_func (self->session, NULL, NULL, NULL);
    }
  g_set_object (&self->session, session);
  self->graph = NULL;
  self->history = NULL;
  g_clear_object (&self->diagram);
  if (session == NULL)
    return;

  self->history = bp_session_get_history (session);
  bp_session_set_layout_func (session, bp_canvas_layout_cb, self, NULL);
  g_signal_connect_swapped (session, "document-changed",
                            G_CALLBACK (session_document_changed_cb), self);
  g_signal_connect_swapped (session, "changed", G_CALLBACK (session_changed_cb), self);
  g_signal_connect_swapped (session, "selection-changed",
                            G_CALLBACK (session_selection_changed_cb), self);
  g_signal_connect_swapped (session, "position-changed",
                            G_CALLBACK (session_position_changed_cb), self);
  g_signal_connect_swapped (self->history, "notify::can-undo",
                            G_CALLBACK (history_notify_cb), self);
  g_signal_connect_swapped (self->history, "notify::can-redo",
                            G_CALLBACK (history_notify_cb), self);
  g_signal_connect_swapped (bp_session_get_quiz (session), "changed",
                            G_CALLBACK (quiz_changed_cb), self);
  session_document_changed_cb (self, session);
}

BpSession *
bp_canvas_get_session (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), NULL);
  return self->session;
}

void
bp_canvas_set_player (BpCanvas *self,
                      BpPlayer *player)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  g_return_if_fail (player == NULL || BP_IS_PLAYER (player));

  if (self->player == player)
    return;
  if (self->player != NULL)
    g_signal_handlers_disconnect_by_data (self->player, self);
  g_set_object (&self->player, player);
  if (player != NULL)
    g_signal_connect_swapped (player, "notify::progress",
                              G_CALLBACK (player_progress_cb), self);
}

BpDiagram *
bp_canvas_get_diagram (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), NULL);
  return self->diagram;
}

void
bp_canvas_set_dark (BpCanvas *self,
                    gboolean  dark)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  dark = !!dark;
  if (self->dark == dark)
    return;
  self->dark = dark;
  bp_canvas_invalidate_scene (self);
}

gboolean
bp_canvas_get_dark (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);
  return self->dark;
}

void
bp_canvas_set_text_scale (BpCanvas *self,
                          double    scale)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  g_return_if_fail (scale > 0);

  if (self->text_scale == scale)
    return;
  self->text_scale = scale;
  if (self->diagram != NULL)
    {
      bp_diagram_set_text_scale (self->diagram, scale);
      bp_diagram_invalidate (self->diagram);
    }
  bp_canvas_invalidate_scene (self);
}

double
bp_canvas_get_text_scale (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), 1.0);
  return self->text_scale;
}

void
bp_canvas_set_presenting (BpCanvas *self,
                          gboolean  presenting)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  self->presenting = !!presenting;
}

gboolean
bp_canvas_get_arrows_nudge (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);

  return self->user_selection && !self->presenting && self->session != NULL &&
         g_hash_table_size (bp_canvas_selection (self)) > 0;
}

/* --- Space held: drags pan --- */

void
bp_canvas_begin_space_pan (BpCanvas *self)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  if (self->space_down)
    return;   /* key repeat */
  self->space_down = TRUE;
  /* Pressed in the middle of a drag: not a tap either. */
  self->space_used = self->drag_mode != DRAG_NONE;
  if (self->drag_mode == DRAG_NONE)
    bp_canvas_set_cursor (self, "grab");
}

gboolean
bp_canvas_end_space_pan (BpCanvas *self)
{
  gboolean used;

  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);

  if (!self->space_down)
    return FALSE;
  used = self->space_used || self->drag_mode != DRAG_NONE;
  self->space_down = FALSE;
  self->space_used = FALSE;
  if (self->drag_mode == DRAG_NONE)
    bp_canvas_set_cursor (self, "default");
  return used;
}

gboolean
bp_canvas_get_space_held (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);

  return self->space_down;
}

double
bp_canvas_get_zoom (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), 1.0);
  return self->zoom;
}

void
bp_canvas_set_zoom (BpCanvas *self,
                    double    zoom,
                    double    x,
                    double    y)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  if (x < 0 || y < 0)
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  bp_canvas_zoom_at (self, zoom, x, y);
}

void
bp_canvas_zoom_fit (BpCanvas *self)
{
  BpDiagramState state;
  cairo_rectangle_t bounds;
  int width, height;
  double zoom;

  g_return_if_fail (BP_IS_CANVAS (self));

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  if (self->diagram == NULL || width <= 0 || height <= 0)
    {
      self->need_fit = TRUE;
      return;
    }
  self->need_fit = FALSE;

  bp_canvas_fill_state (self, &state);
  bp_diagram_get_bounds (self->diagram, &state, &bounds);
  if (bounds.width <= 0 || bounds.height <= 0)
    {
      bounds.width = MAX (bounds.width, 1);
      bounds.height = MAX (bounds.height, 1);
    }
  zoom = MIN ((width - 2 * FIT_MARGIN) / bounds.width,
              (height - 2 * FIT_MARGIN) / bounds.height);
  /* A tiny graph should not fill the screen with giant circles. */
  zoom = MIN (zoom, 2.0);
  bp_canvas_clamp_zoom (&zoom);
  self->zoom = zoom;
  self->offset_x = width / 2.0 - (bounds.x + bounds.width / 2) * zoom;
  self->offset_y = height / 2.0 - (bounds.y + bounds.height / 2) * zoom;
  bp_canvas_invalidate_scene (self);
}

void
bp_canvas_widget_to_diagram (BpCanvas *self,
                             double    wx,
                             double    wy,
                             double   *dx,
                             double   *dy)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  *dx = (wx - self->offset_x) / self->zoom;
  *dy = (wy - self->offset_y) / self->zoom;
}

void
bp_canvas_diagram_to_widget (BpCanvas *self,
                             double    dx,
                             double    dy,
                             double   *wx,
                             double   *wy)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  *wx = dx * self->zoom + self->offset_x;
  *wy = dy * self->zoom + self->offset_y;
}

BpNode **
bp_canvas_dup_selected_nodes (BpCanvas *self,
                              guint    *n_nodes)
{
  GHashTable *selected;
  BpNode **nodes;
  guint n, k = 0;

  g_return_val_if_fail (BP_IS_CANVAS (self), NULL);

  selected = bp_canvas_selection (self);
  nodes = g_new0 (BpNode *, g_hash_table_size (selected) + 1);
  n = self->graph ? bp_graph_get_n_nodes (self->graph) : 0;
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);

      if (g_hash_table_contains (selected, node))
        nodes[k++] = node;
    }
  if (n_nodes)
    *n_nodes = k;
  return nodes;
}

BpNode *
bp_canvas_add_node (BpCanvas   *self,
                    const char *op_name,
                    double      x,
                    double      y,
                    GError    **error)
{
  BpNode *node;

  g_return_val_if_fail (BP_IS_CANVAS (self), NULL);
  g_return_val_if_fail (op_name != NULL, NULL);

  if (self->graph == NULL)
    {
      g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("No document is open"));
      return NULL;
    }
  /* Diagram units to a stored position. */
  node = bp_history_add_node (self->history, op_name,
                              x / bp_canvas_get_spread (self),
                              y / bp_canvas_get_spread (self), error);
  if (node != NULL)
    {
      self->selecting = TRUE;
      bp_session_select_node (self->session, node);
      self->selecting = FALSE;
      self->user_selection = TRUE;
    }
  return node;
}

gboolean
bp_canvas_connect (BpCanvas  *self,
                   BpNode    *src,
                   BpNode    *dst,
                   guint      slot,
                   GError   **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);
  g_return_val_if_fail (src != NULL && dst != NULL, FALSE);

  if (self->graph == NULL)
    {
      g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("No document is open"));
      return FALSE;
    }
  if (!bp_history_connect (self->history, src, dst, slot, &local_error))
    {
      bp_canvas_emit_message (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

void
bp_canvas_delete_selection (BpCanvas *self)
{
  g_autofree BpNode **nodes = NULL;
  guint n;

  g_return_if_fail (BP_IS_CANVAS (self));

  nodes = bp_canvas_dup_selected_nodes (self, &n);
  if (n == 0)
    return;
  bp_history_delete_nodes (self->history, nodes, n);
}

void
bp_canvas_show_palette (BpCanvas *self,
                        double    x,
                        double    y)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  if (self->graph == NULL)
    return;
  bp_canvas_widget_to_diagram (self, x, y, &self->palette_x, &self->palette_y);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->palette),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  bp_palette_reset (self->palette);
  gtk_popover_popup (GTK_POPOVER (self->palette));
}

void
bp_canvas_edit_value (BpCanvas *self,
                      BpNode   *node)
{
  cairo_rectangle_t r;
  double x0, y0, x1, y1;
  g_autofree char *text = NULL;
  BpTensor *value;

  g_return_if_fail (BP_IS_CANVAS (self));
  g_return_if_fail (node != NULL);

  if (!bp_op_is_leaf (bp_node_get_op (node)))
    return;

  self->edited_node = node;
  value = bp_node_get_value (node);
  text = value ? bp_tensor_to_string (value, BP_FORMAT_EXACT) : g_strdup ("0");

  bp_diagram_get_node_rect (self->diagram, node, &r);
  bp_canvas_diagram_to_widget (self, r.x, r.y, &x0, &y0);
  bp_canvas_diagram_to_widget (self, r.x + r.width, r.y + r.height, &x1, &y1);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->value_popover),
                               &(GdkRectangle) { (int) x0, (int) y0,
                                                 MAX (1, (int) (x1 - x0)),
                                                 MAX (1, (int) (y1 - y0)) });
  bp_value_popover_set_node (self->value_popover, bp_node_get_label (node), text);
  gtk_popover_popup (GTK_POPOVER (self->value_popover));
}
