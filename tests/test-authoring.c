/* SPDX-License-Identifier: MIT */
/* A teacher builds the book's apple graph in a real window, from an empty
 * document, the way the interface offers it: the palette (opened with its
 * key) adds each node, drags place and connect them, the side panel names
 * them, sets the values and makes the output, the player's keys run both
 * passes; the numbers must be the book's (220; 2.2, 110, 200). Also: an
 * operation changed in place keeps its connections, and a graph with two
 * ends offers the choice of its output. */
#include <math.h>
#include <gdk/x11/gdkx.h>

#include "bp-canvas-private.h"
#include "bp-node-inspector-private.h"
#include "bp-ui-test.h"
#include "bp-window-private.h"

static void
node_centre (BpCanvas *canvas,
             BpNode   *node,
             double   *wx,
             double   *wy)
{
  cairo_rectangle_t r;

  bp_diagram_get_node_rect (bp_canvas_get_diagram (canvas), node, &r);
  bp_canvas_diagram_to_widget (canvas, r.x + r.width / 2, r.y + r.height / 2, wx, wy);
}

/* Adds a node from the palette as a user does: the key opens it, the
 * search narrows it, Enter chooses. Returns the new (selected) node. */
static BpNode *
add_from_palette (BpWindow   *window,
                  const char *search)
{
  BpCanvas *canvas = window->canvas;
  BpNode *node;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (canvas), "canvas.add-node", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (canvas->palette)));
  bp_palette_set_search (canvas->palette, search);
  g_assert_true (bp_palette_choose (canvas->palette));
  node = bp_session_get_selected_node (window->session);
  g_assert_nonnull (node);
  return node;
}

/* Drags the selected node to (x, y) of the canvas. */
static void
place (BpWindow *window,
       BpNode   *node,
       double    x,
       double    y)
{
  double wx, wy;

  node_centre (window->canvas, node, &wx, &wy);
  bp_ui_test_drag (window->canvas, wx, wy, x, y);
}

static void
apply_row (AdwEntryRow *row,
           const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

/* Names the selected node and, for a leaf, gives it a value. */
static BpNode *
describe (BpWindow   *window,
          const char *id,
          const char *label,
          const char *value)
{
  BpNodeInspector *inspector = window->inspector;

  apply_row (inspector->id_row, id);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (inspector->edit_error)));
  if (label != NULL)
    apply_row (inspector->label_row, label);
  if (value != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (inspector->value_entry), value);
      g_signal_emit_by_name (inspector->value_entry, "activate");
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (inspector->value_error)));
    }
  return bp_graph_lookup (bp_session_get_graph (window->session), id);
}

/* A connection drag from src's output port to input `slot` of dst. */
static void
connect_nodes (BpWindow *window,
               BpNode   *src,
               BpNode   *dst,
               guint     slot)
{
  BpDiagram *diagram = bp_canvas_get_diagram (window->canvas);
  double x0, y0, x1, y1, wx0, wy0, wx1, wy1;

  bp_diagram_get_output_port (diagram, src, &x0, &y0);
  bp_diagram_get_input_port (diagram, dst, slot, &x1, &y1);
  bp_canvas_diagram_to_widget (window->canvas, x0, y0, &wx0, &wy0);
  bp_canvas_diagram_to_widget (window->canvas, x1, y1, &wx1, &wy1);
  bp_ui_test_drag (window->canvas, wx0, wy0, wx1, wy1);
  g_assert_true (bp_node_get_input (dst, slot) == src);
}

/* --- real X input (xdotool, XTEST) --- */

/* Runs xdotool with `args` (one command line); the events it sends reach
 * GTK through the X server as a user's would. */
static void
xdotool (const char *format,
         ...)
{
  g_autofree char *args = NULL;
  g_autofree char *command = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list ap;

  va_start (ap, format);
  args = g_strdup_vprintf (format, ap);
  va_end (ap);
  command = g_strconcat ("xdotool ", args, NULL);
  g_assert_true (g_spawn_command_line_sync (command, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", command, err);
}

static gboolean
palette_shown (gpointer data)
{
  BpWindow *window = data;

  return gtk_widget_get_mapped (GTK_WIDGET (window->canvas->palette));
}

static gboolean
palette_gone (gpointer data)
{
  return !palette_shown (data);
}

static gboolean
value_editor_shown (gpointer data)
{
  BpWindow *window = data;

  return gtk_widget_get_mapped (GTK_WIDGET (window->canvas->value_popover));
}

static gboolean
value_editor_gone (gpointer data)
{
  return !value_editor_shown (data);
}

static gboolean
has_x_focus (gpointer data)
{
  return gtk_widget_has_focus (GTK_WIDGET (((BpWindow *) data)->canvas));
}

/* A point of the canvas in the window's X coordinates. */
static void
canvas_to_x (BpWindow *window,
             double    x,
             double    y,
             int      *xx,
             int      *xy)
{
  graphene_point_t in = GRAPHENE_POINT_INIT (x, y), out;
  double sx, sy;

  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (window->canvas), GTK_WIDGET (window),
                                           &in, &out));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &sx, &sy);
  *xx = (int) round (out.x + sx);
  *xy = (int) round (out.y + sy);
}

static gulong
window_xid (BpWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  return (gulong) gdk_x11_surface_get_xid (surface);
}

/* A double click at a point of the canvas, as the X server delivers it. */
static void
double_click (BpWindow *window,
              double    x,
              double    y)
{
  int xx, xy;

  canvas_to_x (window, x, y, &xx, &xy);
  xdotool ("mousemove --window %lu --sync %d %d", window_xid (window), xx, xy);
  xdotool ("click --repeat 2 --delay 60 1");
}

/* After a node is added from the palette (opened by a double click on
 * the empty canvas, searched by typing, chosen with Enter), a double
 * click on the new node opens its value editor at once, every time;
 * typing then goes to the editor, not to the canvas. Real X events. */
static void
test_double_click_after_palette (void)
{
  BpWindow *window = bp_ui_test_new_empty_window ();
  BpSession *session = window->session;
  BpGraph *graph = bp_session_get_graph (session);
  /* Far enough apart that the nodes do not overlap. */
  static const double spots[][2] = { { 150, 120 }, { 150, 260 }, { 420, 160 }, { 420, 330 } };
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()) || xdotool_path == NULL)
    {
      g_test_skip ("needs X11 and xdotool");
      bp_ui_test_destroy_window (window);
      return;
    }
  /* The keys go to the window under the pointer (no window manager). */
  xdotool ("windowfocus --sync %lu", window_xid (window));
  gtk_widget_grab_focus (GTK_WIDGET (window->canvas));
  g_assert_true (bp_ui_test_wait_until (has_x_focus, window, 30));

  for (guint i = 0; i < G_N_ELEMENTS (spots); i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", 10 * (i + 1));
      BpNode *node;

      g_test_message ("node %u at (%g, %g)", i, spots[i][0], spots[i][1]);
      double_click (window, spots[i][0], spots[i][1]);
      g_assert_true (bp_ui_test_wait_until (palette_shown, window, 30));
      xdotool ("type --delay 20 input");
      xdotool ("key --delay 20 Return");
      g_assert_true (bp_ui_test_wait_until (palette_gone, window, 30));
      g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, i + 1);
      node = bp_session_get_selected_node (session);
      g_assert_nonnull (node);

      /* At once: the very next double click, on the new node. */
      double_click (window, spots[i][0], spots[i][1]);
      g_assert_true (bp_ui_test_wait_until (value_editor_shown, window, 30));
      /* The typing goes to the editor (Ctrl+A there selects its text,
       * not every node). */
      xdotool ("key --delay 20 ctrl+a");
      xdotool ("type --delay 20 %s", text);
      xdotool ("key --delay 20 Return");
      g_assert_true (bp_ui_test_wait_until (value_editor_gone, window, 30));
      g_assert_cmpuint (g_hash_table_size (bp_session_get_selection (session)), ==, 1);
      g_assert_nonnull (bp_node_get_value (node));
      g_assert_cmpfloat (bp_node_get_value (node)->data[0], ==, 10.0 * (i + 1));
    }

  bp_ui_test_destroy_window (window);
}

static void
test_apples_from_empty (void)
{
  BpWindow *window = bp_ui_test_new_empty_window ();
  BpSession *session = window->session;
  BpGraph *graph = bp_session_get_graph (session);
  BpNode *apple, *apple_num, *tax, *apple_price, *price;
  guint n_steps;

  g_assert_cmpstr (bp_session_get_title (session), ==, "Untitled");
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 0);

  apple = add_from_palette (window, "input");
  place (window, apple, 80, 80);
  apple = describe (window, "apple", "apple price", "100");
  apple_num = add_from_palette (window, "input");
  place (window, apple_num, 80, 220);
  apple_num = describe (window, "apple_num", "apple count", "2");
  tax = add_from_palette (window, "input");
  place (window, tax, 80, 360);
  tax = describe (window, "tax", NULL, "1.1");
  apple_price = add_from_palette (window, "multiply");
  place (window, apple_price, 300, 150);
  apple_price = describe (window, "apple_price", NULL, NULL);
  price = add_from_palette (window, "multiply");
  place (window, price, 500, 260);
  price = describe (window, "price", NULL, NULL);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 5);
  g_assert_cmpstr (bp_node_get_label (apple), ==, "apple price");

  connect_nodes (window, apple, apple_price, 0);
  connect_nodes (window, apple_num, apple_price, 1);
  connect_nodes (window, apple_price, price, 0);
  connect_nodes (window, tax, price, 1);

  /* Make the output explicit in the side panel. */
  bp_session_select_node (session, price);
  gtk_switch_set_active (window->inspector->output_switch, TRUE);
  g_assert_true (bp_graph_get_output (graph) == price);
  g_assert_false (gtk_revealer_get_reveal_child (window->output_revealer));

  /* Both passes with the player's keys' actions, to the end. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "player.backward", NULL));
  n_steps = bp_session_get_n_steps (session);
  g_assert_cmpuint (n_steps, ==, 10);
  bp_session_set_position (session, n_steps);

  g_assert_cmpfloat_with_epsilon (bp_node_get_value (price)->data[0], 220.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (apple)->data[0], 2.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (apple_num)->data[0], 110.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (tax)->data[0], 200.0, 1e-9);
  /* What the side panel shows of them. */
  bp_session_select_node (session, apple_num);
  g_assert_cmpstr (gtk_label_get_label (window->inspector->grad_label), ==, "110");
  bp_session_select_node (session, price);
  g_assert_cmpstr (gtk_label_get_label (window->inspector->value_label), ==, "220");

  /* Every step can be undone back to the empty graph. */
  while (bp_history_can_undo (bp_session_get_history (session)))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 0);

  bp_ui_test_destroy_window (window);
}

/* Changing a node's operation keeps its id, label and connections, as one
 * undo step. */
static void
test_change_op (void)
{
  BpWindow *window = bp_window_new (NULL);
  BpSession *session = window->session;
  BpGraph *graph;
  BpNode *node;
  guint n_ops, add_index = G_MAXUINT;
  const BpOp *const *ops = bp_op_get_all (&n_ops);

  g_assert_true (bp_window_open_example (window, "apples"));
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  graph = bp_session_get_graph (session);
  bp_session_select_node (session, bp_graph_lookup (graph, "apple_price"));

  for (guint i = 0; i < n_ops; i++)
    if (g_str_equal (ops[i]->name, "add"))
      add_index = i;
  adw_combo_row_set_selected (window->inspector->op_row, add_index);

  node = bp_graph_lookup (graph, "apple_price");
  g_assert_cmpstr (bp_node_get_op (node)->name, ==, "add");
  g_assert_true (bp_node_get_input (node, 0) == bp_graph_lookup (graph, "apple"));
  g_assert_true (bp_node_get_input (node, 1) == bp_graph_lookup (graph, "apple_num"));
  g_assert_true (bp_node_get_input (bp_graph_lookup (graph, "price"), 0) == node);
  /* (100 + 2) × 1.1 */
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (bp_graph_lookup (graph, "price"))->data[0],
                                  112.2, 1e-9);
  g_assert_cmpstr (bp_history_get_undo_label (bp_session_get_history (session)), ==,
                   "Change Operation");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "apple_price"))->name, ==, "mul");

  bp_ui_test_destroy_window (window);
}

/* Two ends and no output: the window says so and offers both. */
static void
test_choose_output (void)
{
  BpWindow *window = bp_ui_test_new_empty_window ();
  BpSession *session = window->session;
  BpNode *a, *b;
  GMenuModel *menu = G_MENU_MODEL (window->output_section);

  a = add_from_palette (window, "input");
  place (window, a, 100, 100);
  g_assert_false (gtk_revealer_get_reveal_child (window->output_revealer));
  b = add_from_palette (window, "input");
  place (window, b, 100, 300);
  g_assert_null (bp_graph_get_output (bp_session_get_graph (session)));
  g_assert_true (gtk_revealer_get_reveal_child (window->output_revealer));
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 2);
  g_assert_false (g_action_group_get_action_enabled (bp_player_bar_get_actions (window->player_bar),
                                                    "backward"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set-output", "s",
                                             bp_node_get_id (b)));
  g_assert_true (bp_graph_get_output (bp_session_get_graph (session)) == b);
  g_assert_false (gtk_revealer_get_reveal_child (window->output_revealer));

  bp_ui_test_destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (!bp_ui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/authoring/apples-from-empty", test_apples_from_empty);
  g_test_add_func ("/authoring/change-op", test_change_op);
  g_test_add_func ("/authoring/choose-output", test_choose_output);
  g_test_add_func ("/authoring/double-click-after-palette", test_double_click_after_palette);

  return g_test_run ();
}
