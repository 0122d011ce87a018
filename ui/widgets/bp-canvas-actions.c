/* SPDX-License-Identifier: MIT */
/* The canvas.* actions and their keys; enabling them in one place. */
#include <glib/gi18n.h>
#include <math.h>

#include "bp-canvas-private.h"

void
_bp_canvas_update_actions (BpCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_graph = self->graph != NULL;
  gboolean has_selection = self->session != NULL && g_hash_table_size (_bp_canvas_selection (self)) > 0;
  BpNode *single = self->session != NULL ? bp_session_get_selected_node (self->session) : NULL;

  gtk_widget_action_set_enabled (widget, "canvas.delete", has_selection);
  gtk_widget_action_set_enabled (widget, "canvas.nudge", has_selection);
  gtk_widget_action_set_enabled (widget, "canvas.select-all", has_graph);
  gtk_widget_action_set_enabled (widget, "canvas.arrange", has_graph && bp_graph_get_n_nodes (self->graph) > 0);
  gtk_widget_action_set_enabled (widget, "canvas.add-node", has_graph);
  gtk_widget_action_set_enabled (widget, "canvas.edit-value",
                                 single != NULL && bp_op_is_leaf (bp_node_get_op (single)));
  gtk_widget_action_set_enabled (widget, "canvas.zoom-fit", has_graph);
  _bp_canvas_update_menu_actions (self);
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
arrange_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  g_autoptr(GError) error = NULL;

  if (self->graph == NULL)
    return;
  if (!bp_session_arrange (self->session, &error))
    _bp_canvas_emit_message (self, error->message);
  else
    bp_canvas_zoom_fit (self);
}

/* A place near the middle of the view that no node takes, so that nodes
 * added one after another from the keyboard do not stack up. */
static void
free_spot (BpCanvas *self,
           double   *x,
           double   *y)
{
  static const double dx[] = { 0, -1, 1, -2, 2 };
  static const double dy[] = { 0, 1, -1, 2, -2, 3, -3 };
  double cx = *x, cy = *y;
  guint n = bp_graph_get_n_nodes (self->graph);

  for (guint j = 0; j < G_N_ELEMENTS (dx); j++)
    for (guint i = 0; i < G_N_ELEMENTS (dy); i++)
      {
        double wx = cx + dx[j] * 150 * self->zoom, wy = cy + dy[i] * 90 * self->zoom;
        double px, py;
        gboolean taken = FALSE;

        bp_canvas_widget_to_diagram (self, wx, wy, &px, &py);
        for (guint k = 0; k < n && !taken; k++)
          {
            cairo_rectangle_t r;

            bp_diagram_get_node_rect (self->diagram, bp_graph_get_node (self->graph, k), &r);
            taken = fabs (r.x + r.width / 2 - px) < 110 && fabs (r.y + r.height / 2 - py) < 60;
          }
        if (!taken)
          {
            *x = wx;
            *y = wy;
            return;
          }
      }
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
  self->palette_by_pointer = !(x <= 0 || y <= 0 || x >= w || y >= h);
  if (!self->palette_by_pointer)
    {
      x = w / 2.0;
      y = h / 2.0;
      if (self->diagram != NULL)
        free_spot (self, &x, &y);
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
                           dx / _bp_canvas_get_spread (self),
                           dy / _bp_canvas_get_spread (self));
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

  g_variant_get (args, "(dd)", &dx, &dy);
  if (_bp_canvas_move_focus_by_arrow (self, dx, dy))
    return TRUE;
  if (!bp_canvas_get_arrows_nudge (self))
    return FALSE;
  return gtk_widget_activate_action (widget, "canvas.nudge", "(dd)", dx, dy);
}

/* Enter edits the selected leaf's value; on a node with a quiz blank it
 * goes on to the window, which asks for the answer. */
static gboolean
return_key_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  BpCanvas *self = BP_CANVAS (widget);
  BpNode *node = self->session != NULL ? bp_session_get_selected_node (self->session) : NULL;

  if (node != NULL &&
      ((self->hidden_values != NULL && g_hash_table_contains (self->hidden_values, node)) ||
       (self->hidden_grads != NULL && g_hash_table_contains (self->hidden_grads, node))))
    return FALSE;
  return gtk_widget_activate_action (widget, "canvas.edit-value", NULL);
}

void
_bp_canvas_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "canvas.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-reset", NULL, zoom_reset_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "canvas.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "canvas.delete", NULL, delete_action);
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
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "canvas.arrange", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.add-node", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Return, 0, return_key_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Enter, 0, return_key_cb, NULL);
  /* Alt+arrows nudge the selection whatever the arrows do. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "canvas.nudge", "(dd)", -NUDGE, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "canvas.nudge", "(dd)", NUDGE, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "canvas.nudge", "(dd)", 0.0, -NUDGE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "canvas.nudge", "(dd)", 0.0, NUDGE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, 0, arrow_key_cb, "(dd)", -NUDGE, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, 0, arrow_key_cb, "(dd)", NUDGE, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, 0, arrow_key_cb, "(dd)", 0.0, -NUDGE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, 0, arrow_key_cb, "(dd)", 0.0, NUDGE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", -NUDGE_BIG, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", NUDGE_BIG, 0.0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", 0.0, -NUDGE_BIG);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, GDK_SHIFT_MASK, arrow_key_cb, "(dd)", 0.0, NUDGE_BIG);
}
