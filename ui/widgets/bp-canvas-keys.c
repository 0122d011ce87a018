/* SPDX-License-Identifier: MIT */
/* The canvas from the keyboard and for a screen reader.
 *
 * GTK 4.8 has no accessible objects for parts of a custom-drawn widget
 * (GtkAccessible implementations outside GTK came in 4.10), and making
 * every node a child widget would put a widget per node back into a
 * canvas that draws thousands of nodes from one kept image. So the
 * canvas keeps a keyboard focus of its own among the nodes: Tab and
 * Shift+Tab walk them in graph order (inputs first), the arrow keys go
 * to the nearest node that way; the renderer draws a focus ring around
 * it, and the canvas's accessible label is the focused node in words
 * (bp-describe.h) while its description is the player's step: what a
 * screen reader speaks as the focus or the step moves. */
#include <glib/gi18n.h>
#include <math.h>

#include "bp-canvas-private.h"
#include "bp-describe.h"

static gboolean
node_in_graph (BpCanvas *self,
               BpNode   *node)
{
  guint n = self->graph != NULL ? bp_graph_get_n_nodes (self->graph) : 0;

  for (guint i = 0; i < n && node != NULL; i++)
    if (bp_graph_get_node (self->graph, i) == node)
      return TRUE;
  return FALSE;
}

BpNode *
_bp_canvas_focus_ring_node (BpCanvas *self)
{
  if (!self->keynav || self->focus_node == NULL || !gtk_widget_has_focus (GTK_WIDGET (self)))
    return NULL;
  return self->focus_node;
}

void
_bp_canvas_update_accessible (BpCanvas *self)
{
  g_autofree char *label = NULL;
  g_autofree char *step = NULL;
  BpDiagramState state;
  BpTrace *trace = _bp_canvas_trace (self);

  if (self->graph == NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Graph canvas, empty"),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "",
                                      -1);
      return;
    }
  _bp_canvas_fill_state (self, &state);
  /* What is shown when the step has finished: the words do not animate. */
  if (self->session != NULL)
    bp_diagram_state_set_position (&state, trace, bp_session_get_position (self->session));
  if (self->focus_node != NULL && node_in_graph (self, self->focus_node))
    {
      g_autofree char *node = bp_describe_node (self->graph, trace, &state, self->focus_node);

      /* Translators: the canvas for a screen reader, then its focused node */
      label = g_strdup_printf (_("Graph canvas: %s"), node);
    }
  else
    {
      guint n = bp_graph_get_n_nodes (self->graph);

      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Graph canvas, %u node; press Tab to go through the nodes",
                                            "Graph canvas, %u nodes; press Tab to go through the nodes",
                                            n), n);
    }
  step = bp_describe_step (trace, &state,
                           self->session != NULL ? bp_session_get_position (self->session) : 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, step,
                                  -1);
}

/* Moves the keyboard focus to `node` (NULL: none) and selects it, so the
 * commands on the selection (Enter, F2, Delete, the menu) act on it. */
void
_bp_canvas_set_focus_node (BpCanvas *self,
                           BpNode   *node,
                           gboolean  keynav)
{
  BpNode *old_ring = _bp_canvas_focus_ring_node (self);

  self->focus_node = node;
  self->keynav = keynav && node != NULL;
  if (node != NULL && keynav)
    {
      g_autoptr(GHashTable) set = g_hash_table_new (NULL, NULL);

      g_hash_table_add (set, node);
      _bp_canvas_select (self, set);
      _bp_canvas_scroll_to_node (self, node);
    }
  if (old_ring != _bp_canvas_focus_ring_node (self))
    {
      _bp_canvas_damage_node (self, old_ring);
      _bp_canvas_damage_node (self, _bp_canvas_focus_ring_node (self));
    }
  _bp_canvas_update_accessible (self);
}

void
_bp_canvas_scroll_to_node (BpCanvas *self,
                           BpNode   *node)
{
  cairo_rectangle_t r;
  double x0, y0, x1, y1, dx = 0, dy = 0;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double margin = 24;

  if (self->diagram == NULL || width <= 0 || height <= 0)
    return;
  bp_diagram_get_node_rect (self->diagram, node, &r);
  bp_canvas_diagram_to_widget (self, r.x, r.y, &x0, &y0);
  bp_canvas_diagram_to_widget (self, r.x + r.width, r.y + r.height, &x1, &y1);
  if (x0 < margin)
    dx = margin - x0;
  else if (x1 > width - margin)
    dx = (width - margin) - x1;
  if (y0 < margin)
    dy = margin - y0;
  else if (y1 > height - margin)
    dy = (height - margin) - y1;
  if (dx != 0 || dy != 0)
    _bp_canvas_pan_by (self, round (dx), round (dy));
}

/* The nodes in graph order: inputs first, as the passes run. */
static BpNode *
step_in_order (BpCanvas *self,
               BpNode   *from,
               int       delta)
{
  guint n = 0;
  BpNode *const *order = bp_graph_get_order (self->graph, &n);
  int index = -1;

  if (n == 0)
    return NULL;
  for (guint i = 0; i < n; i++)
    if (order[i] == from)
      index = (int) i;
  if (index < 0)
    return delta > 0 ? order[0] : order[n - 1];
  index += delta;
  if (index < 0 || index >= (int) n)
    return NULL;
  return order[index];
}

static void
node_centre (BpCanvas *self,
             BpNode   *node,
             double   *x,
             double   *y)
{
  cairo_rectangle_t r;

  bp_diagram_get_node_rect (self->diagram, node, &r);
  *x = r.x + r.width / 2;
  *y = r.y + r.height / 2;
}

static gboolean
is_edge (BpNode *a,
         BpNode *b)
{
  for (guint i = 0; i < bp_node_get_n_inputs (a); i++)
    if (bp_node_get_input (a, i) == b)
      return TRUE;
  for (guint i = 0; i < bp_node_get_n_inputs (b); i++)
    if (bp_node_get_input (b, i) == a)
      return TRUE;
  return FALSE;
}

BpNode *
_bp_canvas_neighbour (BpCanvas *self,
                      BpNode   *from,
                      double    dx,
                      double    dy)
{
  double fx, fy, best_score = INFINITY;
  BpNode *best = NULL;
  guint n;

  if (self->diagram == NULL || from == NULL)
    return NULL;
  node_centre (self, from, &fx, &fy);
  n = bp_graph_get_n_nodes (self->graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      double x, y, along, across, score;

      if (node == from)
        continue;
      node_centre (self, node, &x, &y);
      along = (x - fx) * dx + (y - fy) * dy;
      across = fabs ((x - fx) * dy - (y - fy) * dx);
      /* Only nodes that way, within 60° of it; the nearest in line wins. */
      if (along <= 0 || across > along * 1.8)
        continue;
      score = along + 2 * across;
      /* Neighbours along an edge come first, as the passes go. */
      if (is_edge (from, node))
        score *= 0.5;
      if (score < best_score)
        {
          best_score = score;
          best = node;
        }
    }
  return best;
}

/* Tab and Shift+Tab: the next node, until the last; then the focus goes
 * on to the next widget as usual. */
gboolean
_bp_canvas_focus (GtkWidget        *widget,
                  GtkDirectionType  direction)
{
  BpCanvas *self = BP_CANVAS (widget);
  int delta;
  BpNode *next;

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (g_type_class_peek (GTK_TYPE_WIDGET))->focus (widget, direction);
  if (self->graph == NULL || bp_graph_get_n_nodes (self->graph) == 0)
    {
      if (gtk_widget_has_focus (widget))
        return FALSE;
      return gtk_widget_grab_focus (widget);
    }
  delta = direction == GTK_DIR_TAB_FORWARD ? 1 : -1;
  if (!gtk_widget_has_focus (widget))
    {
      /* Coming in (Tab, or F6 from the side panel): back to the node it
       * was on, else the first node (from behind, the last). */
      if (!gtk_widget_grab_focus (widget))
        return FALSE;
      if (self->keynav && node_in_graph (self, self->focus_node))
        _bp_canvas_set_focus_node (self, self->focus_node, TRUE);
      else
        _bp_canvas_set_focus_node (self, step_in_order (self, NULL, delta), TRUE);
      return TRUE;
    }
  next = step_in_order (self, self->keynav && node_in_graph (self, self->focus_node)
                              ? self->focus_node : NULL, delta);
  if (next == NULL)
    return FALSE;
  _bp_canvas_set_focus_node (self, next, TRUE);
  return TRUE;
}

/* The arrow keys: the nearest node that way. */
gboolean
_bp_canvas_move_focus_by_arrow (BpCanvas *self,
                                double    dx,
                                double    dy)
{
  BpNode *next;
  double len = hypot (dx, dy);

  if (!bp_canvas_get_arrows_move_focus (self) || len == 0)
    return FALSE;
  next = _bp_canvas_neighbour (self, self->focus_node, dx / len, dy / len);
  if (next != NULL)
    _bp_canvas_set_focus_node (self, next, TRUE);
  else
    gtk_widget_error_bell (GTK_WIDGET (self));
  /* At the edge the key still belongs to the canvas: nothing else moves. */
  return TRUE;
}

static void
focus_enter_cb (BpCanvas *self)
{
  if (self->focus_node != NULL)
    _bp_canvas_damage_node (self, self->focus_node);
  _bp_canvas_update_accessible (self);
}

static void
focus_leave_cb (BpCanvas *self)
{
  if (self->focus_node != NULL && node_in_graph (self, self->focus_node))
    _bp_canvas_damage_node (self, self->focus_node);
}

/* A pointer press ends keyboard navigation: the ring goes, the arrow
 * keys nudge or step again. */
static void
pointer_pressed_cb (BpCanvas *self)
{
  if (self->keynav)
    _bp_canvas_set_focus_node (self, self->focus_node, FALSE);
}

void
_bp_canvas_forget_focus_node (BpCanvas *self)
{
  if (self->focus_node != NULL && !node_in_graph (self, self->focus_node))
    {
      self->focus_node = NULL;
      self->keynav = FALSE;
    }
}

static void
leave_keynav_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);

  _bp_canvas_set_focus_node (self, self->focus_node, FALSE);
}

void
_bp_canvas_init_keys (BpCanvas *self)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkGesture *press = gtk_gesture_click_new ();

  g_signal_connect_swapped (focus, "enter", G_CALLBACK (focus_enter_cb), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (press), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (press), GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (press, "pressed", G_CALLBACK (pointer_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (press));
}

void
_bp_canvas_class_init_keys (GtkWidgetClass *widget_class)
{
  widget_class->focus = _bp_canvas_focus;
  gtk_widget_class_install_action (widget_class, "canvas.leave-keynav", NULL, leave_keynav_action);
}

/* --- public API --- */

BpNode *
bp_canvas_get_focus_node (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), NULL);

  return self->keynav && node_in_graph (self, self->focus_node) ? self->focus_node : NULL;
}

void
bp_canvas_set_focus_node (BpCanvas *self,
                          BpNode   *node)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  g_return_if_fail (node == NULL || node_in_graph (self, node));

  _bp_canvas_set_focus_node (self, node, node != NULL);
}

gboolean
bp_canvas_get_arrows_move_focus (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), FALSE);

  return bp_canvas_get_focus_node (self) != NULL && !self->presenting;
}
