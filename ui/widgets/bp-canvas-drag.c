/* SPDX-License-Identifier: MIT */
/* Pointer and key gestures, each a drag mode: move the selected nodes,
 * pan, rubber-band selection, connect from an output port (or a
 * picked-up edge) to an input port, and back; clicks, hover, scroll and
 * pinch. Gestures only send the session commands. */
#include <glib/gi18n.h>
#include <math.h>

#include "bp-canvas-private.h"

static void
bp_canvas_set_cursor (BpCanvas   *self,
                      const char *name)
{
  if (g_strcmp0 (self->cursor_name, name) == 0)
    return;
  self->cursor_name = name;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), name);
}

void
_bp_canvas_cancel_drag (BpCanvas *self)
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

BpNode *
_bp_canvas_hit (BpCanvas  *self,
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
  BpNode *node = _bp_canvas_hit (self, self->drag_x, self->drag_y, &part, &slot);
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
  BpNode *blank_node;
  BpQuizFlags blank_what;

  _bp_canvas_cancel_drag (self);
  /* For a test from outside: the press reached the canvas. */
  bp_transcript ("drag begin at %.0f,%.0f", x, y);
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

  /* A quiz blank asks for its answer (no drag starts from it). */
  if (bp_canvas_blank_at (self, x, y, &blank_node, &blank_what))
    {
      _bp_canvas_emit_blank_activated (self, blank_node, blank_what);
      return;
    }

  node = _bp_canvas_hit (self, x, y, &part, &slot);

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
          g_autoptr(GHashTable) set = _bp_canvas_dup_selection (self);

          if (!g_hash_table_remove (set, node))
            g_hash_table_add (set, node);
          _bp_canvas_select (self, set);
        }
      else if (!g_hash_table_contains (_bp_canvas_selection (self), node))
        {
          self->selecting = TRUE;
          bp_session_select_node (self->session, node);
          self->selecting = FALSE;
        }
      self->user_selection = TRUE;

      if (!g_hash_table_contains (_bp_canvas_selection (self), node))
        return;

      self->drag_mode = DRAG_MOVE;
      n = bp_graph_get_n_nodes (self->graph);
      for (guint i = 0; i < n; i++)
        {
          BpNode *sel = bp_graph_get_node (self->graph, i);
          double pos[2] = { 0, 0 };

          if (!g_hash_table_contains (_bp_canvas_selection (self), sel))
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
          gboolean dst_moves = g_hash_table_contains (_bp_canvas_selection (self), dst);

          for (guint k = 0; k < n_in; k++)
            {
              BpNode *src = bp_node_get_input (dst, k);

              if (src != NULL && (dst_moves || g_hash_table_contains (_bp_canvas_selection (self), src)))
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

/* GTK took the sequence back (a grab, a popover's reset): no drag-end
 * follows from the pointer. */
static void
drag_cancel_cb (BpCanvas         *self,
                GdkEventSequence *sequence,
                GtkGesture       *gesture)
{
  bp_transcript ("drag cancelled");
}

static void
bp_canvas_move_dragged (BpCanvas *self,
                        double    offset_x,
                        double    offset_y)
{
  /* Pointer pixels to stored units: the drawing is spread and zoomed. */
  double dx = offset_x / (self->zoom * _bp_canvas_get_spread (self));
  double dy = offset_y / (self->zoom * _bp_canvas_get_spread (self));

  _bp_canvas_damage_dragged (self);
  for (guint i = 0; i < self->drag_nodes->len; i++)
    {
      BpNode *node = g_ptr_array_index (self->drag_nodes, i);
      double *old = &g_array_index (self->drag_old, double, 2 * i);

      bp_node_set_position (node, old[0] + dx, old[1] + dy);
    }
  _bp_canvas_damage_dragged (self);
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
      _bp_canvas_pan_by (self,
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

  set = self->rubber_extend ? _bp_canvas_dup_selection (self) : g_hash_table_new (NULL, NULL);
  if (fabs (self->drag_x - self->drag_start_x) < 3 &&
      fabs (self->drag_y - self->drag_start_y) < 3)
    {
      /* A click on empty canvas. */
      _bp_canvas_select (self, set);
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
  _bp_canvas_select (self, set);
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
        _bp_canvas_emit_message (self, error->message);
      bp_history_end_group (self->history);
      return;
    }

  if (target != NULL)
    bp_canvas_connect (self, src, target, slot, NULL);
  else
    {
      BpHitPart part;
      guint hit_slot;
      BpNode *node = _bp_canvas_hit (self, self->drag_x, self->drag_y, &part, &hit_slot);

      if (node != NULL && node != src && bp_node_get_n_inputs (node) > 0)
        {
          g_autofree char *message =
            g_strdup_printf (_("Every input of %s is connected: drop on an input port to replace one"),
                             bp_node_get_id (node));

          _bp_canvas_emit_message (self, message);
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
          _bp_canvas_cancel_drag (self);
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

  _bp_canvas_cancel_drag (self);
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

  node = _bp_canvas_hit (self, x, y, &part, &slot);
  if (node == NULL)
    {
      self->palette_by_pointer = TRUE;
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

  node = _bp_canvas_hit (self, x, y, &part, &slot);
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
      _bp_canvas_damage_node (self, self->hover);
      self->hover = node;
      _bp_canvas_damage_node (self, self->hover);
    }
}

static void
leave_cb (BpCanvas                 *self,
          GtkEventControllerMotion *motion)
{
  if (self->hover != NULL)
    {
      _bp_canvas_damage_node (self, self->hover);
      self->hover = NULL;
    }
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

      _bp_canvas_zoom_at (self, self->zoom * factor, self->pointer_x, self->pointer_y);
      return TRUE;
    }
  if (mods & GDK_SHIFT_MASK && dx == 0)
    {
      dx = dy;
      dy = 0;
    }
  _bp_canvas_pan_by (self, -round (dx * unit), -round (dy * unit));
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
  _bp_canvas_zoom_at (self, self->pinch_zoom * scale, cx, cy);
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
      self->session != NULL && g_hash_table_size (_bp_canvas_selection (self)) > 0)
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

/* When a popover closes (the palette, the value editor, the menu), GDK
 * ends the pointer grab it held with a grab-broken event on its surface,
 * and the canvas, its parent, receives it too. On a busy machine that
 * event can come after the next press: GtkGesture then cancels every
 * sequence, the drag that press began included, and a connection
 * dragged right after a menu closed was dropped halfway. A grab broken
 * on a surface no longer shown cannot be about the canvas's drag: it
 * stops here, before the canvas's gestures. */
static gboolean
stale_grab_broken_cb (BpCanvas                 *self,
                      GdkEvent                 *event,
                      GtkEventControllerLegacy *legacy)
{
  GdkSurface *surface;
  GtkNative *native;

  if (gdk_event_get_event_type (event) != GDK_GRAB_BROKEN)
    return GDK_EVENT_PROPAGATE;
  surface = gdk_event_get_surface (event);
  native = gtk_widget_get_native (GTK_WIDGET (self));
  if (surface == NULL || gdk_surface_get_mapped (surface) ||
      (native != NULL && surface == gtk_native_get_surface (native)))
    return GDK_EVENT_PROPAGATE;
  bp_transcript ("grab of a closed popover ended: ignored");
  return GDK_EVENT_STOP;
}

void
_bp_canvas_init_gestures (BpCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGesture *drag, *click, *zoom;
  GtkEventController *motion, *scroll, *key, *legacy;

  legacy = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (legacy, "event", G_CALLBACK (stale_grab_broken_cb), self);
  gtk_widget_add_controller (widget, legacy);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect_swapped (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect_swapped (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  g_signal_connect_swapped (drag, "cancel", G_CALLBACK (drag_cancel_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));

  click = gtk_gesture_click_new ();
  self->click = click;
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
}
