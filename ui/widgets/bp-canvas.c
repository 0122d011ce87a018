/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>
#include <math.h>

#include "bp-canvas-private.h"
#include "bp-layout.h"
#include "bp-palette.h"
#include "bp-value-popover.h"

G_DEFINE_FINAL_TYPE (BpCanvas, bp_canvas, GTK_TYPE_WIDGET)

enum {
  MESSAGE,
  BLANK_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- helpers --- */

BpTrace *
_bp_canvas_trace (BpCanvas *self)
{
  return self->session != NULL ? bp_session_get_trace (self->session) : NULL;
}

GHashTable *
_bp_canvas_selection (BpCanvas *self)
{
  return bp_session_get_selection (self->session);
}

/* Selections the user makes on the canvas: the arrow keys move them. */
void
_bp_canvas_select (BpCanvas   *self,
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

GHashTable *
_bp_canvas_dup_selection (BpCanvas *self)
{
  GHashTable *set = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, _bp_canvas_selection (self));
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (set, key);
  return set;
}


/* The pass a position of the trace is in. */
static BpPass
bp_canvas_pass_at (BpCanvas *self,
                   guint     position)
{
  guint n_forward = self->session != NULL ? bp_session_get_n_forward (self->session) : 0;
  BpTrace *trace = _bp_canvas_trace (self);

  if (position == 0)
    return BP_PASS_NONE;
  if (position <= n_forward)
    return BP_PASS_FORWARD;
  /* Past the trace: a training iteration's updates. */
  if (trace == NULL || position <= bp_trace_get_n_steps (trace))
    return BP_PASS_BACKWARD;
  return BP_PASS_UPDATE;
}

void
_bp_canvas_fill_state (BpCanvas       *self,
                       BpDiagramState *state)
{
  BpDiagramState init = BP_DIAGRAM_STATE_INIT;
  guint n_forward = self->session != NULL ? bp_session_get_n_forward (self->session) : 0;

  *state = init;
  state->pass = bp_canvas_pass_at (self, self->position);
  state->step = state->pass == BP_PASS_BACKWARD ? self->position - n_forward : self->position;
  if (state->pass == BP_PASS_UPDATE)
    {
      state->step = self->position - bp_trace_get_n_steps (_bp_canvas_trace (self));
      state->updates = bp_session_get_updates (self->session);
      state->n_updates = bp_session_get_n_updates (self->session);
    }
  state->progress = self->progress;
  state->dark = self->dark;
  state->high_contrast = self->high_contrast;
  state->focus = _bp_canvas_focus_ring_node (self);
  state->text_scale = _bp_canvas_get_effective_text_scale (self);
  state->selected = self->session != NULL ? _bp_canvas_selection (self) : NULL;
  /* Small matrices become chips; the selected ones keep their numbers. */
  state->zoom = self->zoom;
  state->expanded = state->selected;
  state->hover = self->hover;
  state->hidden_values = self->hidden_values;
  state->hidden_grads = self->hidden_grads;
}

void
_bp_canvas_emit_message (BpCanvas   *self,
                         const char *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
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

/* The desktop's text scaling (Settings → Accessibility → Large Text, or
 * the text-scaling factor) reaches GTK as gtk-xft-dpi: 96 × 1024 at 1.
 * The diagram's text grows with the rest of the window. */
static void
settings_dpi_cb (BpCanvas    *self,
                 GParamSpec  *pspec,
                 GtkSettings *settings)
{
  int dpi = 0;
  double scale;

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  scale = dpi > 0 ? CLAMP (dpi / (96.0 * 1024.0), 0.5, 4.0) : 1.0;
  if (fabs (scale - self->desktop_text_scale) < 1e-6)
    return;
  self->desktop_text_scale = scale;
  if (self->diagram != NULL)
    {
      bp_diagram_set_text_only_scale (self->diagram, scale);
      bp_diagram_set_text_scale (self->diagram, _bp_canvas_get_effective_text_scale (self));
      bp_diagram_invalidate (self->diagram);
    }
  /* A fitted view stays fitted around the larger labels. */
  if (self->auto_fit && gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    bp_canvas_zoom_fit (self);
  _bp_canvas_invalidate_scene (self);
}

double
_bp_canvas_get_effective_text_scale (BpCanvas *self)
{
  return self->text_scale * self->desktop_text_scale;
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
  _bp_canvas_cancel_drag (self);
  self->hover = NULL;
  self->edited_node = NULL;
  self->focus_node = NULL;
  self->keynav = FALSE;
  self->connect_source = NULL;
  self->focus_blank = NULL;
  gtk_popover_popdown (GTK_POPOVER (self->value_popover));
  gtk_popover_popdown (GTK_POPOVER (self->connect_popover));
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
      bp_diagram_set_text_scale (self->diagram, _bp_canvas_get_effective_text_scale (self));
      /* Larger text (presenting) spreads the nodes too instead of
       * crowding them; at text scale 1 the spread is 1. */
      bp_diagram_set_spread_positions (self->diagram, TRUE);
      bp_diagram_set_text_only_scale (self->diagram, self->desktop_text_scale);
      /* Files may leave positions out; lay out only those. */
      if (!bp_layout_arrange (self->diagram, TRUE, &error))
        g_warning ("Cannot lay out the graph: %s", error->message);
    }

  bp_canvas_update_hidden (self);
  self->need_fit = TRUE;
  self->auto_fit = TRUE;
  g_clear_pointer (&self->fitted_expansion, g_free);
  if (gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    bp_canvas_zoom_fit (self);
  _bp_canvas_invalidate_scene (self);
  _bp_canvas_update_actions (self);
  _bp_canvas_update_accessible (self);
}

static void
session_changed_cb (BpCanvas  *self,
                    guint      change,
                    BpSession *session)
{
  _bp_canvas_cancel_drag (self);
  self->hover = NULL;
  if (self->edited_node != NULL && !bp_canvas_node_in_graph (self, self->edited_node))
    {
      self->edited_node = NULL;
      gtk_popover_popdown (GTK_POPOVER (self->value_popover));
    }
  /* Its list names nodes that may be gone. */
  self->connect_source = NULL;
  gtk_popover_popdown (GTK_POPOVER (self->connect_popover));
  if (self->focus_blank != NULL && !bp_canvas_node_in_graph (self, self->focus_blank))
    self->focus_blank = NULL;
  /* Nodes may be gone: the kept selection must not name them. */
  g_hash_table_remove_all (self->drawn_selected);
  _bp_canvas_forget_focus_node (self);
  self->position = bp_session_get_position (session);

  if (self->diagram != NULL)
    bp_diagram_invalidate (self->diagram);
  bp_canvas_update_hidden (self);
  _bp_canvas_invalidate_scene (self);
  _bp_canvas_update_actions (self);
  _bp_canvas_update_accessible (self);

  /* A layer expanded or collapsed brings new nodes: fit them in view
   * (unless the user chose a view of their own). */
  if (g_strcmp0 (self->fitted_expansion, bp_session_get_expanded_id (session)) != 0)
    {
      g_free (self->fitted_expansion);
      self->fitted_expansion = g_strdup (bp_session_get_expanded_id (session));
      if (self->auto_fit)
        bp_canvas_zoom_fit (self);
    }
}

static void
session_selection_changed_cb (BpCanvas  *self,
                              BpSession *session)
{
  /* Chosen elsewhere (the player, a panel): the arrow keys step again;
   * a keyboard focus follows a single node chosen so (the commands on
   * the selection act on the focused node), and ends with none. */
  if (!self->selecting)
    {
      BpNode *single = bp_session_get_selected_node (session);

      self->user_selection = FALSE;
      if (self->keynav && single != NULL && single != self->focus_node)
        _bp_canvas_set_focus_node (self, single, TRUE);
      else if (self->keynav && g_hash_table_size (bp_session_get_selection (session)) == 0)
        _bp_canvas_set_focus_node (self, self->focus_node, FALSE);
    }
  _bp_canvas_update_actions (self);
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

  if (self->scene_valid && _bp_canvas_trace (self) != NULL &&
      bp_canvas_pass_at (self, position) == bp_canvas_pass_at (self, self->position) &&
      bp_canvas_pass_at (self, position) != BP_PASS_NONE &&
      bp_canvas_pass_at (self, position) != BP_PASS_UPDATE &&
      ABS ((int) position - (int) self->position) <= 1)
    {
      int before = (int) self->position - 1;
      int after = (int) position - 1;

      /* The old state's labels, then the new one's. */
      _bp_canvas_damage_step (self, before);
      _bp_canvas_damage_step (self, after);
      self->position = position;
      self->progress = progress;
      _bp_canvas_damage_step (self, before);
      _bp_canvas_damage_step (self, after);
      return;
    }

  self->position = position;
  self->progress = progress;
  _bp_canvas_invalidate_scene (self);
}

static void
session_position_changed_cb (BpCanvas  *self,
                             BpSession *session)
{
  guint old = self->position;

  _bp_canvas_show_position (self, bp_session_get_position (session),
                           self->player != NULL ? bp_player_get_progress (self->player) : 1.0);
  if (self->position != old)
    _bp_canvas_follow_step (self);
  _bp_canvas_update_accessible (self);
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
  _bp_canvas_invalidate_scene (self);
  _bp_canvas_update_accessible (self);
}

/* --- hit testing --- */

/* --- gestures --- */

static void
palette_op_chosen_cb (BpCanvas   *self,
                      const char *op_name,
                      BpPalette  *palette)
{
  g_autoptr(GError) error = NULL;

  BpNode *node;

  bp_transcript ("palette chose %s", op_name);
  gtk_popover_popdown (GTK_POPOVER (palette));
  node = bp_canvas_add_node (self, op_name, self->palette_x, self->palette_y, &error);
  if (node == NULL)
    _bp_canvas_emit_message (self, error->message);
  else if (self->keynav || !self->palette_by_pointer)
    /* Added from the keyboard: the keyboard goes on from the new node. */
    _bp_canvas_set_focus_node (self, node, TRUE);
}

/* For the transcript: a popover is on screen and has the keyboard. */
static void
popover_map_cb (GtkWidget *popover,
                BpCanvas  *self)
{
  bp_transcript ("%s shown", gtk_widget_get_name (popover));
}

/* A popover took the pointer in the middle of the gestures (the double
 * click that opened it): the release went to the popover, so the drag
 * gesture still held the press and the click gesture its count, and the
 * next double click was lost, or half of it. Start every gesture afresh,
 * so that the next double click on a node opens its value editor. */
static void
popover_closed_cb (BpCanvas *self)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (self));

  bp_transcript ("popover closed");
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE (controller))
        gtk_event_controller_reset (controller);
    }
  _bp_canvas_cancel_drag (self);
  gtk_widget_grab_focus (GTK_WIDGET (self));
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
connect_target_chosen_cb (BpCanvas         *self,
                          BpNode           *target,
                          guint             slot,
                          BpConnectPopover *popover)
{
  BpNode *source = self->connect_source;

  gtk_popover_popdown (GTK_POPOVER (popover));
  /* A refusal (a cycle) is said through "message", as for a drag. */
  if (source != NULL && bp_canvas_node_in_graph (self, source) &&
      bp_canvas_node_in_graph (self, target))
    bp_canvas_connect (self, source, target, slot, NULL);
}

static void
connect_closed_cb (BpCanvas         *self,
                   BpConnectPopover *popover)
{
  BpNode *source = self->connect_source;

  self->connect_source = NULL;
  popover_closed_cb (self);
  /* The keyboard stays on the node it connected from. */
  if (source != NULL && bp_canvas_node_in_graph (self, source) && self->keynav)
    _bp_canvas_set_focus_node (self, source, TRUE);
}

static void
value_closed_cb (BpCanvas       *self,
                 BpValuePopover *popover)
{
  self->edited_node = NULL;
  popover_closed_cb (self);
}

/* --- actions --- */

/* --- GtkWidget --- */

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

  /* Fitted views stay fitted when the window or the side panel changes
   * size, until the user zooms or pans. */
  if ((self->need_fit || (self->auto_fit && (width != self->scene_width ||
                                             height != self->scene_height))) &&
      width > 0 && height > 0)
    bp_canvas_zoom_fit (self);
  gtk_popover_present (GTK_POPOVER (self->palette));
  gtk_popover_present (GTK_POPOVER (self->value_popover));
  gtk_popover_present (GTK_POPOVER (self->connect_popover));
  gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
bp_canvas_dispose (GObject *object)
{
  BpCanvas *self = BP_CANVAS (object);

  /* Unparenting a shown popover closes it: nothing of a canvas being
   * disposed may answer. */
  if (self->palette != NULL)
    g_signal_handlers_disconnect_by_data (self->palette, self);
  if (self->value_popover != NULL)
    g_signal_handlers_disconnect_by_data (self->value_popover, self);
  if (self->menu != NULL)
    g_signal_handlers_disconnect_by_data (self->menu, self);
  if (self->palette != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->palette));
      self->palette = NULL;
    }
  if (self->menu != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->menu));
      self->menu = NULL;
    }
  if (self->follow != NULL)
    adw_animation_reset (self->follow);
  g_clear_object (&self->follow);
  g_clear_pointer (&self->fitted_expansion, g_free);
  if (self->value_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->value_popover));
      self->value_popover = NULL;
    }
  if (self->connect_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->connect_popover));
      self->connect_popover = NULL;
    }
  bp_canvas_set_player (self, NULL);
  bp_canvas_set_session (self, NULL);
  _bp_canvas_cancel_drag (self);
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

  widget_class->snapshot = _bp_canvas_snapshot;
  widget_class->measure = bp_canvas_measure;
  widget_class->size_allocate = bp_canvas_size_allocate;

  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[BLANK_ACTIVATED] =
    g_signal_new ("blank-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);

  _bp_canvas_class_init_actions (widget_class);
  _bp_canvas_class_init_menu (widget_class);
  _bp_canvas_class_init_keys (widget_class);

  gtk_widget_class_set_css_name (widget_class, "bpcanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bp_canvas_init (BpCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

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
  self->desktop_text_scale = 1.0;
  self->progress = 1.0;
  self->pointer_x = -1;
  self->pointer_y = -1;

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (widget, TRUE);
  gtk_widget_set_vexpand (widget, TRUE);

  _bp_canvas_init_gestures (self);
  _bp_canvas_init_tooltip (self);
  _bp_canvas_init_menu (self);
  _bp_canvas_init_keys (self);

  self->palette = bp_palette_new ();
  gtk_widget_set_parent (GTK_WIDGET (self->palette), widget);
  g_signal_connect_swapped (self->palette, "op-chosen", G_CALLBACK (palette_op_chosen_cb), self);
  g_signal_connect_swapped (self->palette, "closed", G_CALLBACK (popover_closed_cb), self);
  gtk_widget_set_name (GTK_WIDGET (self->palette), "palette");
  g_signal_connect (self->palette, "map", G_CALLBACK (popover_map_cb), self);

  self->value_popover = bp_value_popover_new ();
  gtk_widget_set_parent (GTK_WIDGET (self->value_popover), widget);
  g_signal_connect_swapped (self->value_popover, "value-chosen", G_CALLBACK (value_chosen_cb), self);
  g_signal_connect_swapped (self->value_popover, "closed", G_CALLBACK (value_closed_cb), self);
  gtk_widget_set_name (GTK_WIDGET (self->value_popover), "value editor");
  g_signal_connect (self->value_popover, "map", G_CALLBACK (popover_map_cb), self);
  gtk_widget_set_name (GTK_WIDGET (self->menu), "context menu");
  g_signal_connect (self->menu, "map", G_CALLBACK (popover_map_cb), self);

  self->connect_popover = bp_connect_popover_new ();
  gtk_widget_set_parent (GTK_WIDGET (self->connect_popover), widget);
  g_signal_connect_swapped (self->connect_popover, "target-chosen",
                            G_CALLBACK (connect_target_chosen_cb), self);
  g_signal_connect_swapped (self->connect_popover, "closed", G_CALLBACK (connect_closed_cb), self);

  g_signal_connect_object (gtk_widget_get_settings (widget), "notify::gtk-xft-dpi",
                           G_CALLBACK (settings_dpi_cb), self, G_CONNECT_SWAPPED);
  settings_dpi_cb (self, NULL, gtk_widget_get_settings (widget));

  _bp_canvas_update_actions (self);
  _bp_canvas_update_accessible (self);
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
  _bp_canvas_invalidate_scene (self);
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
      bp_diagram_set_text_scale (self->diagram, _bp_canvas_get_effective_text_scale (self));
      bp_diagram_invalidate (self->diagram);
    }
  _bp_canvas_invalidate_scene (self);
}

double
bp_canvas_get_text_scale (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), 1.0);
  return self->text_scale;
}

void
bp_canvas_set_high_contrast (BpCanvas *self,
                             gboolean  high_contrast)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  high_contrast = !!high_contrast;
  if (self->high_contrast == high_contrast)
    return;
  self->high_contrast = high_contrast;
  _bp_canvas_invalidate_scene (self);
}

gboolean
bp_canvas_get_high_contrast (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);
  return self->high_contrast;
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
         g_hash_table_size (_bp_canvas_selection (self)) > 0;
}

/* --- Space held: drags pan --- */

BpNode **
bp_canvas_dup_selected_nodes (BpCanvas *self,
                              guint    *n_nodes)
{
  GHashTable *selected;
  BpNode **nodes;
  guint n, k = 0;

  g_return_val_if_fail (BP_IS_CANVAS (self), NULL);

  selected = _bp_canvas_selection (self);
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
                              x / _bp_canvas_get_spread (self),
                              y / _bp_canvas_get_spread (self), error);
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
      _bp_canvas_emit_message (self, local_error->message);
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
  /* The editor would show the number a quiz blank hides. */
  if (self->hidden_values != NULL && g_hash_table_contains (self->hidden_values, node))
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

void
bp_canvas_show_connect (BpCanvas *self,
                        BpNode   *node)
{
  cairo_rectangle_t r;
  double x0, y0, x1, y1;

  g_return_if_fail (BP_IS_CANVAS (self));
  g_return_if_fail (node != NULL);

  if (self->diagram == NULL || !bp_canvas_node_in_graph (self, node))
    return;
  self->connect_source = node;
  bp_connect_popover_set_source (self->connect_popover, self->graph, node);
  bp_diagram_get_node_rect (self->diagram, node, &r);
  bp_canvas_diagram_to_widget (self, r.x, r.y, &x0, &y0);
  bp_canvas_diagram_to_widget (self, r.x + r.width, r.y + r.height, &x1, &y1);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->connect_popover),
                               &(GdkRectangle) { (int) x0, (int) y0,
                                                 MAX (1, (int) (x1 - x0)),
                                                 MAX (1, (int) (y1 - y0)) });
  gtk_popover_popup (GTK_POPOVER (self->connect_popover));
}

/* The blank a box of the picture shows, if it is one. */
static gboolean
box_blank (BpCanvas           *self,
           const BpDiagramBox *b,
           BpNode            **node,
           BpQuizFlags        *what)
{
  BpNode *n = NULL;

  if (b->kind == BP_DIAGRAM_BOX_VALUE)
    {
      n = b->node;
      *what = BP_QUIZ_VALUE;
    }
  else if (b->kind == BP_DIAGRAM_BOX_GRADIENT)
    {
      /* Below an arrow: the gradient its source receives. */
      n = b->slot == G_MAXUINT ? b->node
          : b->slot < bp_node_get_n_inputs (b->node) ? bp_node_get_input (b->node, b->slot) : NULL;
      *what = BP_QUIZ_GRAD;
    }
  if (n == NULL)
    return FALSE;
  if (!g_hash_table_contains (*what == BP_QUIZ_VALUE ? self->hidden_values : self->hidden_grads, n))
    return FALSE;
  *node = n;
  return TRUE;
}

static GArray *
dup_boxes (BpCanvas *self)
{
  BpDiagramState state;

  if (self->diagram == NULL || self->hidden_values == NULL || self->hidden_grads == NULL)
    return NULL;
  _bp_canvas_fill_state (self, &state);
  return bp_diagram_get_boxes (self->diagram, _bp_canvas_trace (self), &state);
}

gboolean
bp_canvas_blank_at (BpCanvas     *self,
                    double        x,
                    double        y,
                    BpNode      **node,
                    BpQuizFlags  *what)
{
  g_autoptr(GArray) boxes = NULL;
  double dx, dy;

  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);

  if ((boxes = dup_boxes (self)) == NULL)
    return FALSE;
  bp_canvas_widget_to_diagram (self, x, y, &dx, &dy);
  for (guint i = 0; i < boxes->len; i++)
    {
      const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, i);
      BpNode *n;
      BpQuizFlags w;
      /* A little slack around the small box, for a finger or a projector. */
      double slack = 3.0 / MAX (self->zoom, 0.1);

      if (dx < b->rect.x - slack || dx > b->rect.x + b->rect.width + slack ||
          dy < b->rect.y - slack || dy > b->rect.y + b->rect.height + slack)
        continue;
      if (!box_blank (self, b, &n, &w))
        continue;
      if (node != NULL)
        *node = n;
      if (what != NULL)
        *what = w;
      return TRUE;
    }
  return FALSE;
}

gboolean
bp_canvas_get_blank_rect (BpCanvas     *self,
                          BpNode       *node,
                          BpQuizFlags   what,
                          GdkRectangle *rect)
{
  g_autoptr(GArray) boxes = NULL;

  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  if ((boxes = dup_boxes (self)) == NULL)
    return FALSE;
  for (guint i = 0; i < boxes->len; i++)
    {
      const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, i);
      BpNode *n;
      BpQuizFlags w;
      double x0, y0, x1, y1;

      if (!box_blank (self, b, &n, &w) || n != node || w != what)
        continue;
      bp_canvas_diagram_to_widget (self, b->rect.x, b->rect.y, &x0, &y0);
      bp_canvas_diagram_to_widget (self, b->rect.x + b->rect.width,
                                   b->rect.y + b->rect.height, &x1, &y1);
      rect->x = (int) floor (x0);
      rect->y = (int) floor (y0);
      rect->width = MAX (1, (int) ceil (x1 - x0));
      rect->height = MAX (1, (int) ceil (y1 - y0));
      return TRUE;
    }
  return FALSE;
}

void
bp_canvas_set_focus_blank (BpCanvas    *self,
                           BpNode      *node,
                           BpQuizFlags  what)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  if (self->focus_blank == node && self->focus_blank_what == what)
    return;
  self->focus_blank = node;
  self->focus_blank_what = what;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_bp_canvas_emit_blank_activated (BpCanvas    *self,
                                 BpNode      *node,
                                 BpQuizFlags  what)
{
  g_signal_emit (self, signals[BLANK_ACTIVATED], 0, node, (guint) what);
}
