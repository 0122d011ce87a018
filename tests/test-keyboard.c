/* SPDX-License-Identifier: MIT */
/* Everything from the keyboard: the book's apple graph built in a real
 * window from an empty document with keys only (each key goes through
 * the window's and the focused widget's real key controllers and
 * shortcuts, in the order GTK delivers it; text is committed into the
 * focused entry as an input method does), run backward, and checked
 * against the book's numbers (220; 2.2, 110, 200). Also: Tab and the
 * arrows move the canvas's keyboard focus, which the renderer draws as
 * a ring; the desktop's text scaling and high-contrast style reach the
 * diagram. */
#include <math.h>

#include "bp-canvas-private.h"
#include "bp-node-inspector-private.h"
#include "bp-ui-test.h"
#include "bp-window-private.h"

/* --- the window --- */

/* Ctrl+Shift+N, the operation's name, Enter; for a leaf Enter again, its
 * value, Enter; then F2, the label, Enter, and F6 back to the canvas. */
static BpNode *
add_node_by_keys (BpWindow   *window,
                  const char *op_search,
                  const char *value,
                  const char *label)
{
  BpCanvas *canvas = window->canvas;
  BpNode *node;

  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (canvas));
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (canvas->palette)));
  g_assert_true (bp_ui_test_focus_in (GTK_WINDOW (window), GTK_WIDGET (canvas->palette)));
  bp_ui_test_type_text (GTK_WINDOW (window), op_search);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Return, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (canvas->palette)));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (canvas));
  node = bp_canvas_get_focus_node (canvas);
  g_assert_nonnull (node);
  g_assert_true (bp_session_get_selected_node (window->session) == node);

  if (value != NULL)
    {
      bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Return, 0);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (canvas->value_popover)));
      bp_ui_test_type_text (GTK_WINDOW (window), value);
      bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Return, 0);
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (canvas->value_popover)));
      g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (canvas));
    }

  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_F2, 0);
  g_assert_true (bp_ui_test_focus_in (GTK_WINDOW (window), GTK_WIDGET (window->inspector->label_row)));
  bp_ui_test_type_text (GTK_WINDOW (window), label);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Return, 0);
  g_assert_cmpstr (bp_node_get_label (node), ==, label);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_F6, 0);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (canvas));
  g_assert_true (bp_canvas_get_focus_node (canvas) == node);
  return node;
}

/* Tab or Shift+Tab until the canvas's keyboard focus is on `node`. */
static void
tab_to (BpWindow *window,
        BpNode   *node)
{
  BpCanvas *canvas = window->canvas;
  guint n = 0;
  BpNode *const *order = bp_graph_get_order (bp_session_get_graph (window->session), &n);
  int from = -1, to = -1;

  for (guint i = 0; i < n; i++)
    {
      if (order[i] == bp_canvas_get_focus_node (canvas))
        from = (int) i;
      if (order[i] == node)
        to = (int) i;
    }
  g_assert_cmpint (to, >=, 0);
  g_assert_cmpint (from, >=, 0);
  for (int i = from; i != to; i += to > from ? 1 : -1)
    bp_ui_test_send_key (GTK_WINDOW (window), to > from ? GDK_KEY_Tab : GDK_KEY_ISO_Left_Tab,
              to > from ? 0 : GDK_SHIFT_MASK);
  g_assert_true (bp_canvas_get_focus_node (canvas) == node);
}

/* Ctrl+K, the target's name, Down as many times as needed, Enter. */
static void
connect_by_keys (BpWindow   *window,
                 BpNode     *source,
                 const char *search,
                 const char *target_row)
{
  BpCanvas *canvas = window->canvas;
  g_auto(GStrv) visible = NULL;
  guint index;

  tab_to (window, source);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_k, GDK_CONTROL_MASK);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (canvas->connect_popover)));
  g_assert_true (bp_ui_test_focus_in (GTK_WINDOW (window), GTK_WIDGET (canvas->connect_popover)));
  bp_ui_test_type_text (GTK_WINDOW (window), search);
  visible = bp_connect_popover_dup_visible (canvas->connect_popover);
  g_assert_true (g_strv_contains ((const char *const *) visible, target_row));
  for (index = 0; !g_str_equal (visible[index], target_row); index++)
    bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Down, 0);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Return, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (canvas->connect_popover)));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (canvas));
  g_assert_true (bp_canvas_get_focus_node (canvas) == source);
}

static void
test_apples_by_keys (void)
{
  BpWindow *window = bp_ui_test_new_empty_window ();
  BpSession *session = window->session;
  BpGraph *graph = bp_session_get_graph (session);
  BpNode *apple, *apple_num, *tax, *apple_price, *price;
  guint n_forward;

  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 0);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_F6, 0);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (window->canvas));

  apple = add_node_by_keys (window, "input", "100", "apple");
  apple_num = add_node_by_keys (window, "input", "2", "apple count");
  tax = add_node_by_keys (window, "input", "1.1", "tax");
  apple_price = add_node_by_keys (window, "multiply", NULL, "apple price");
  price = add_node_by_keys (window, "multiply", NULL, "price");
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 5);

  connect_by_keys (window, apple, "apple price x", "apple price — input x");
  connect_by_keys (window, apple_num, "apple price y", "apple price — input y");
  connect_by_keys (window, apple_price, "price x", "price — input x");
  connect_by_keys (window, tax, "price y", "price — input y");
  g_assert_true (bp_node_get_input (apple_price, 0) == apple);
  g_assert_true (bp_node_get_input (apple_price, 1) == apple_num);
  g_assert_true (bp_node_get_input (price, 0) == apple_price);
  g_assert_true (bp_node_get_input (price, 1) == tax);
  /* The one node nothing consumes is the output. */
  g_assert_true (bp_graph_get_output (graph) == price);

  /* Ctrl+L lays it out; B runs both passes to the end. */
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_l, GDK_CONTROL_MASK);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_b, 0);
  n_forward = bp_session_get_n_forward (session);
  g_assert_cmpuint (bp_session_get_n_steps (session), ==, 10);
  bp_ui_test_spin ();
  g_assert_cmpuint (bp_session_get_pass (session), ==, BP_PASS_BACKWARD);

  g_assert_cmpfloat_with_epsilon (bp_node_get_value (price)->data[0], 220.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (apple)->data[0], 2.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (apple_num)->data[0], 110.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (tax)->data[0], 200.0, 1e-9);

  /* Step through with Home and Page Down: the first backward step. */
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Home, 0);
  g_assert_cmpuint (bp_session_get_position (session), ==, 0);
  for (guint i = 0; i <= n_forward; i++)
    bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Page_Down, 0);
  g_assert_cmpuint (bp_session_get_position (session), ==, n_forward + 1);
  g_assert_true (bp_session_get_current_step (session)->node == price);

  /* Delete removes the focused node (Ctrl+Z brings it back). */
  tab_to (window, tax);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Delete, 0);
  g_assert_null (bp_graph_lookup (graph, bp_node_get_id (apple)) == apple ? NULL : apple);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 4);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 5);

  bp_ui_test_destroy_window (window);
}

/* Tab walks the nodes in graph order, the arrows go to the nearest node
 * that way, Escape leaves; the focused node has a ring on screen. */
static void
test_focus_ring (void)
{
  BpWindow *window = bp_window_new (NULL);
  BpCanvas *canvas = window->canvas;
  BpGraph *graph;
  BpNode *apple, *apple_price, *price;
  g_autoptr(GdkTexture) plain = NULL;
  g_autoptr(GdkTexture) ringed = NULL;
  g_autofree guchar *a = NULL;
  g_autofree guchar *b = NULL;
  gsize stride, differ = 0;
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_assert_true (bp_window_open_example (window, "apples"));
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  graph = bp_session_get_graph (window->session);
  apple = bp_graph_lookup (graph, "apple");
  apple_price = bp_graph_lookup (graph, "apple_price");
  price = bp_graph_lookup (graph, "price");

  gtk_widget_grab_focus (GTK_WIDGET (canvas));
  bp_ui_test_spin ();
  g_assert_null (bp_canvas_get_focus_node (canvas));
  plain = bp_ui_test_render (GTK_WIDGET (canvas));

  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Tab, 0);
  g_assert_true (bp_canvas_get_focus_node (canvas) == apple);
  g_assert_true (bp_session_get_selected_node (window->session) == apple);
  g_assert_true (bp_canvas_get_arrows_move_focus (canvas));

  /* → from apple: apple price, then price; ← back. */
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Right, 0);
  g_assert_true (bp_canvas_get_focus_node (canvas) == apple_price);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Right, 0);
  g_assert_true (bp_canvas_get_focus_node (canvas) == price);
  /* ← from price: one of its inputs, both as near. */
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Left, 0);
  g_assert_true (bp_canvas_get_focus_node (canvas) == bp_node_get_input (price, 0) ||
                 bp_canvas_get_focus_node (canvas) == bp_node_get_input (price, 1));
  /* Nothing further up from apple: the focus stays. */
  bp_canvas_set_focus_node (canvas, apple);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Up, 0);
  g_assert_true (bp_canvas_get_focus_node (canvas) == apple);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Down, 0);
  g_assert_true (bp_canvas_get_focus_node (canvas) == bp_graph_lookup (graph, "apple_num"));
  /* The arrows moved no node and no step. */
  g_assert_false (bp_history_can_undo (bp_session_get_history (window->session)));

  /* Shift+Tab back in graph order, the ring drawn around the node. */
  bp_canvas_set_focus_node (canvas, price);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK);
  g_assert_true (bp_canvas_get_focus_node (canvas) == apple_price);
  bp_canvas_set_focus_node (canvas, apple);
  bp_ui_test_wait_for_frame (GTK_WIDGET (canvas));
  ringed = bp_ui_test_render (GTK_WIDGET (canvas));

  width = gdk_texture_get_width (plain);
  height = gdk_texture_get_height (plain);
  g_assert_cmpint (gdk_texture_get_width (ringed), ==, width);
  stride = (gsize) width * 4;
  a = g_malloc (stride * height);
  b = g_malloc (stride * height);
  gdk_texture_download (plain, a, stride);
  gdk_texture_download (ringed, b, stride);
  {
    cairo_rectangle_t r;
    double x0, y0, x1, y1;

    bp_diagram_get_node_rect (bp_canvas_get_diagram (canvas), apple, &r);
    bp_canvas_diagram_to_widget (canvas, r.x - 14, r.y - 14, &x0, &y0);
    bp_canvas_diagram_to_widget (canvas, r.x + r.width + 14, r.y + r.height + 14, &x1, &y1);
    for (int y = MAX (0, (int) y0); y < MIN (height, (int) y1); y++)
      for (int x = MAX (0, (int) x0); x < MIN (width, (int) x1); x++)
        if (memcmp (a + y * stride + x * 4, b + y * stride + x * 4, 4) != 0)
          differ++;
  }
  /* The selection halo and the ring: well over a hundred pixels. */
  g_assert_cmpuint (differ, >, 100);

  /* Escape: no selection, no focus ring; the arrows step again. */
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Escape, 0);
  g_assert_null (bp_canvas_get_focus_node (canvas));
  g_assert_false (bp_canvas_get_arrows_move_focus (canvas));

  bp_ui_test_destroy_window (window);
}

/* Quiz blanks from the keyboard: while the picture shows blanks, Tab goes
 * from blank to blank (in pass order) and opens each one's answer box;
 * the answer is typed and Enter checks it. */
static void
test_quiz_answer (void)
{
  BpWindow *window = bp_window_new (NULL);
  BpCanvas *canvas = window->canvas;
  BpQuiz *quiz = bp_session_get_quiz (window->session);
  BpNode *apple;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_assert_true (bp_window_open_example (window, "apples"));
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  apple = bp_graph_lookup (bp_session_get_graph (window->session), "apple");
  bp_session_set_position (window->session, bp_session_get_n_steps (window->session));
  bp_quiz_set_active (quiz, TRUE);
  bp_ui_test_spin ();
  g_assert_true (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));

  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_F6, 0);
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Tab, 0);
  g_assert_nonnull (window->answer_popover);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->answer_popover)));
  g_assert_true (bp_ui_test_focus_in (GTK_WINDOW (window), GTK_WIDGET (window->answer_entry)));
  for (guint i = 0; i < 8 && !(canvas->focus_blank == apple && canvas->focus_blank_what == BP_QUIZ_GRAD); i++)
    bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Tab, 0);
  g_assert_true (canvas->focus_blank == apple);
  g_assert_cmpuint (canvas->focus_blank_what, ==, BP_QUIZ_GRAD);
  g_assert_true (bp_ui_test_focus_in (GTK_WINDOW (window), GTK_WIDGET (window->answer_entry)));
  bp_ui_test_type_text (GTK_WINDOW (window), "2.2");
  bp_ui_test_send_key (GTK_WINDOW (window), GDK_KEY_Return, 0);
  g_assert_false (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));
  g_assert_true (bp_quiz_is_solved (quiz, apple, BP_QUIZ_GRAD));

  bp_ui_test_destroy_window (window);
}

/* The desktop's text scaling grows the diagram's text; high contrast
 * reaches the canvas from the style manager. */
static void
test_text_scale_and_contrast (void)
{
  BpWindow *window = bp_window_new (NULL);
  BpCanvas *canvas = window->canvas;
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (canvas));
  int dpi = 0;
  double before, on_screen;

  g_assert_true (bp_window_open_example (window, "apples"));
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  before = bp_diagram_get_text_scale (bp_canvas_get_diagram (canvas));
  on_screen = before * bp_canvas_get_zoom (canvas);

  g_object_set (settings, "gtk-xft-dpi", (int) (96 * 1024 * 1.5), NULL);
  bp_ui_test_wait_for_frame (GTK_WIDGET (canvas));
  g_assert_cmpfloat_with_epsilon (bp_diagram_get_text_scale (bp_canvas_get_diagram (canvas)),
                                  1.5 * bp_canvas_get_text_scale (canvas), 1e-9);
  g_assert_cmpfloat (bp_diagram_get_text_scale (bp_canvas_get_diagram (canvas)), >, before);
  /* The text grows, the layout stays: a fitted view shows larger text
   * rather than the same picture zoomed out. */
  g_assert_cmpfloat (bp_diagram_get_spread (bp_canvas_get_diagram (canvas)), ==, 1.0);
  g_test_message ("text on screen: %.3f, with large text %.3f", on_screen,
                  bp_diagram_get_text_scale (bp_canvas_get_diagram (canvas)) * bp_canvas_get_zoom (canvas));
  g_assert_cmpfloat (bp_diagram_get_text_scale (bp_canvas_get_diagram (canvas)) * bp_canvas_get_zoom (canvas),
                     >, on_screen * 1.1);
  g_object_set (settings, "gtk-xft-dpi", dpi, NULL);
  bp_ui_test_spin ();
  g_assert_cmpfloat_with_epsilon (bp_diagram_get_text_scale (bp_canvas_get_diagram (canvas)),
                                  before, 1e-9);

  g_assert_false (bp_canvas_get_high_contrast (canvas));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  /* libadwaita reads high contrast from the desktop only: the canvas
   * follows what the window is told. */
  bp_canvas_set_high_contrast (canvas, TRUE);
  g_assert_true (bp_canvas_get_high_contrast (canvas));

  bp_ui_test_destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (!bp_ui_test_init (&argc, &argv))
    return 77;
  /* A pass plays at once, as with animations off on the desktop. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/keyboard/apples-by-keys", test_apples_by_keys);
  g_test_add_func ("/keyboard/focus-ring", test_focus_ring);
  g_test_add_func ("/keyboard/quiz-answer", test_quiz_answer);
  g_test_add_func ("/keyboard/text-scale-and-contrast", test_text_scale_and_contrast);

  return g_test_run ();
}
