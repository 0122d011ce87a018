/* SPDX-License-Identifier: MIT */
/* The teaching side under Xvfb, in the real window: stepping through the
 * apple graph's backward pass with the panel's UG × LG = DG checked
 * against the engine's trace, step back, the quiz, expanding a sigmoid,
 * the gradient check, presentation mode, exporting every step, the Korean
 * UI — and a picture of each mode (kept in BP_SHOTS_DIR or the build dir). */
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "bp-expand.h"
#include "bp-expr.h"
#include "bp-ui-test.h"
#include "bp-node-inspector-private.h"
#include "bp-window-private.h"

static char *tmp_dir;

/* --- helpers --- */

/* Renders the window as GTK would into a PNG for people to look at, and
 * checks that it is not blank. */
static void
picture (BpWindow   *window,
         const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  g_autofree char *png = NULL;
  g_autofree char *file = g_strconcat ("teach-", name, ".png", NULL);
  const char *dir = g_getenv ("BP_SHOTS_DIR");
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  int width, height;
  gsize stride;

  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  bp_ui_test_spin ();
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));

  texture = bp_ui_test_render (GTK_WIDGET (window));

  if (dir == NULL)
    dir = g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : tmp_dir;
  g_mkdir_with_parents (dir, 0755);
  png = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("picture: %s", png);

  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y += 2)
    for (int x = 0; x < width; x += 2)
      g_hash_table_add (colours, GUINT_TO_POINTER (*(const guint32 *) (pixels + y * stride + x * 4)));
  g_assert_cmpuint (g_hash_table_size (colours), >, 20);
}

/* Popovers are surfaces of their own: for them, a picture of the screen. */
static void
screen_picture (const char *name)
{
  const char *dir = g_getenv ("BP_SHOTS_DIR");
  g_autofree char *file = g_strconcat ("teach-", name, ".png", NULL);
  g_autofree char *path = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *import = g_find_program_in_path ("import");
  gint64 until = g_get_monotonic_time () + 300 * 1000;

  if (import == NULL)
    return;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  if (dir == NULL)
    dir = g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : tmp_dir;
  path = g_build_filename (dir, file, NULL);
  cmd = g_strdup_printf ("%s -window root %s", import, path);
  if (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL))
    g_test_message ("screen picture: %s", path);
}

static char *
fmt (const BpTensor *t)
{
  return bp_tensor_to_string (t, 6);
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    {
      g_test_message ("“%s” not in “%s”", needle, haystack);
      return FALSE;
    }
  return TRUE;
}

/* --- tests --- */

/* The book's figure 5-16 in numbers, node by node. */
static void
test_backward_steps (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpPlayer *player = (window)->player;
  BpTeachPanel *panel = (window)->teach_panel;
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  guint n_forward = bp_session_get_n_forward (bp_player_get_session (player));
  guint n_steps = bp_session_get_n_steps (bp_player_get_session (player));
  BpTrace *trace;

  g_assert_cmpuint (n_steps, ==, 10);
  /* Opens with every value shown, as the canvas does. */
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward);

  /* Not reached yet: the panel says so and shows no number. */
  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "apple"));
  bp_ui_test_spin ();
  g_assert_true (contains (bp_teach_panel_get_chain_text (panel), "not reached"));
  g_assert_true (contains (bp_teach_panel_get_value_text (panel), "100"));
  /* An operation shows its forward step with the numbers it received. */
  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "price"));
  bp_ui_test_spin ();
  g_assert_cmpstr (bp_teach_panel_get_value_text (panel), ==, "x = 200, y = 1.1 → Value = 220");

  gtk_widget_activate_action (GTK_WIDGET (window), "player.step", NULL);
  bp_ui_test_spin ();
  trace = bp_session_get_trace (bp_player_get_session (player));
  for (guint k = 1; ; k++)
    {
      const BpStep *step = bp_session_get_current_step (bp_player_get_session (player));
      const char *chain;
      g_autofree char *ug = NULL;

      g_assert_nonnull (step);
      g_assert_cmpint (step->kind, ==, BP_STEP_BACKWARD);
      g_assert_true (step == bp_trace_get_step (trace, n_forward + k - 1));

      /* The canvas draws what the player says, and the panel follows. */
      g_assert_cmpint (bp_session_get_pass (bp_canvas_get_session (window->canvas)), ==, BP_PASS_BACKWARD);
      g_assert_cmpuint (bp_session_get_pass_step (bp_canvas_get_session (window->canvas)), ==, k);
      g_assert_true (bp_teach_panel_get_node (panel) == step->node);
      g_assert_true (bp_session_get_selected_node (bp_canvas_get_session (window->canvas)) == step->node);

      chain = bp_teach_panel_get_chain_text (panel);
      ug = fmt (step->upstream);
      g_assert_true (contains (chain, ug));
      for (guint i = 0; i < step->n_inputs; i++)
        {
          g_autofree char *lg = fmt (step->local[i]);
          g_autofree char *dg = fmt (step->downstream[i]);
          g_autofree char *line = g_strdup_printf ("→ %s: UG × LG = DG: %s × %s = %s",
                                                   bp_node_get_label (bp_node_get_input (step->node, i)),
                                                   ug, lg, dg);
          g_assert_true (contains (chain, line));
        }

      /* The numbers of the book. */
      if (g_str_equal (bp_node_get_id (step->node), "price"))
        {
          g_assert_true (contains (chain, "→ apple_price: UG × LG = DG: 1 × 1.1 = 1.1"));
          g_assert_true (contains (chain, "→ tax: UG × LG = DG: 1 × 200 = 200"));
        }
      else if (g_str_equal (bp_node_get_id (step->node), "apple_price"))
        {
          g_assert_true (contains (chain, "→ apple: UG × LG = DG: 1.1 × 2 = 2.2"));
          g_assert_true (contains (chain, "→ apple count: UG × LG = DG: 1.1 × 100 = 110"));
        }
      else if (g_str_equal (bp_node_get_id (step->node), "apple"))
        g_assert_true (contains (chain, "∂L/∂apple = 2.2"));
      else if (g_str_equal (bp_node_get_id (step->node), "tax"))
        g_assert_true (contains (chain, "∂L/∂tax = 200"));

      if (k == 3)
        picture (window, "backward-step");

      if (n_forward + k == n_steps)
        break;
      gtk_widget_activate_action (GTK_WIDGET (window), "player.step", NULL);
      bp_ui_test_spin ();
    }
  g_assert_true (contains (bp_player_bar_get_position_text ((window)->player_bar),
                           "5 of 5"));

  /* Step back really goes back: the last node is not reached any more. */
  {
    BpNode *last = bp_session_get_current_step (bp_player_get_session (player))->node;

    gtk_widget_activate_action (GTK_WIDGET (window), "player.step-back", NULL);
    bp_ui_test_spin ();
    g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_steps - 1);
    g_assert_cmpuint (bp_session_get_pass_step (bp_canvas_get_session (window->canvas)), ==, n_steps - n_forward - 1);
    bp_session_select_node (bp_canvas_get_session (window->canvas), last);
    bp_ui_test_spin ();
    g_assert_true (contains (bp_teach_panel_get_chain_text (panel), "not reached"));
  }

  /* Editing during playback keeps the position and updates the numbers. */
  {
    g_autoptr(GError) error = NULL;
    guint position = bp_session_get_position (bp_player_get_session (player));

    g_assert_true (bp_history_set_value_text (bp_session_get_history (bp_canvas_get_session (window->canvas)), bp_graph_lookup (graph, "tax"), "1.2", &error));
    g_assert_no_error (error);
    bp_ui_test_spin ();
    g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, position);
    bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "apple_price"));
    bp_ui_test_spin ();
    g_assert_true (contains (bp_teach_panel_get_chain_text (panel), "1.2 × 2 = 2.4"));
  }

  /* Reset hides every number. */
  gtk_widget_activate_action (GTK_WIDGET (window), "player.reset", NULL);
  bp_ui_test_spin ();
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 0);
  g_assert_cmpint (bp_session_get_pass (bp_canvas_get_session (window->canvas)), ==, BP_PASS_NONE);

  bp_ui_test_destroy_window_and_wait (window);
}

static void
test_play_forward (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpPlayer *player = (window)->player;
  guint64 start = g_get_monotonic_time ();

  bp_player_set_speed (player, BP_PLAYER_MAX_SPEED);
  gtk_widget_activate_action (GTK_WIDGET (window), "player.forward", NULL);
  g_assert_true (bp_player_get_playing (player));
  /* Driven by the animation's "done" (or at once when animations are off). */
  while (bp_player_get_playing (player) && g_get_monotonic_time () - start < 20 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (bp_player_get_playing (player));
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, bp_session_get_n_forward (bp_player_get_session (player)));
  g_assert_cmpfloat (bp_player_get_progress (player), ==, 1.0);

  gtk_widget_activate_action (GTK_WIDGET (window), "player.backward", NULL);
  while (bp_player_get_playing (player) && g_get_monotonic_time () - start < 40 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, bp_session_get_n_steps (bp_player_get_session (player)));

  /* Animations off (the system setting): every step still arrives. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "player.reset", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "player.step", NULL);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 1);
  g_assert_cmpfloat (bp_player_get_progress (player), ==, 1.0);
  gtk_widget_activate_action (GTK_WIDGET (window), "player.play", NULL);
  while (bp_player_get_playing (player) && g_get_monotonic_time () - start < 60 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, bp_session_get_n_steps (bp_player_get_session (player)));
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);

  bp_ui_test_destroy_window_and_wait (window);
}

/* The answer popover's result label got the height its wrapped text
 * needs at the width it was given (GtkPopover 4.8 may measure the height
 * for a wider width than it allocates, cutting the last line). */
static void
assert_answer_fits (BpWindow *window)
{
  GtkWidget *bar = GTK_WIDGET ((window)->player_bar);
  GtkWidget *popover = NULL;
  GtkWidget *label;
  int height = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (bar); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child) && gtk_widget_has_css_class (child, "quiz-popover"))
      popover = child;
  g_assert_nonnull (popover);
  /* Another test's window on the same X server may take the focus, which
   * closes an autohide popover: open it again as a plain one (autohide
   * only changes while it is hidden) to measure it. */
  gtk_popover_popdown (GTK_POPOVER (popover));
  bp_ui_test_spin ();
  gtk_popover_set_autohide (GTK_POPOVER (popover), FALSE);
  gtk_popover_popup (GTK_POPOVER (popover));
  bp_ui_test_wait_for_frame (popover);
  bp_ui_test_spin ();
  label = gtk_widget_get_last_child (gtk_popover_get_child (GTK_POPOVER (popover)));
  g_assert_true (GTK_IS_LABEL (label));
  g_assert_cmpint (gtk_widget_get_width (label), >, 0);
  gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (label),
                      &height, NULL, NULL, NULL);
  g_test_message ("answer label %d×%d, needs height %d", gtk_widget_get_width (label),
                  gtk_widget_get_height (label), height);
  g_assert_cmpint (gtk_widget_get_height (label), >=, height);
}

static void
test_quiz (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpPlayer *player = (window)->player;
  BpQuiz *quiz = bp_session_get_quiz ((window)->session);
  BpTeachPanel *panel = (window)->teach_panel;
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  g_autofree char *data = NULL;

  bp_session_set_position (bp_player_get_session (player), bp_session_get_n_steps (bp_player_get_session (player)));
  bp_quiz_set_active (quiz, TRUE);
  bp_ui_test_spin ();
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 3);

  /* The panel gives nothing away: apple's gradient is a blank in the
   * backward step of apple_price too. */
  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "apple_price"));
  bp_ui_test_spin ();
  g_assert_true (contains (bp_teach_panel_get_chain_text (panel), "→ apple: UG × LG = DG: 1.1 × 2 = ?"));
  picture (window, "quiz");

  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "apple"));
  bp_ui_test_spin ();
  g_assert_false (contains (bp_teach_panel_get_chain_text (panel), "2.2"));
  /* Nor does the window's own gradient row. */
  g_assert_cmpstr (gtk_label_get_label (window->inspector->grad_label), ==, "?");
  g_assert_cmpint (bp_teach_panel_submit_answer (panel, BP_QUIZ_GRAD, "100"), ==, BP_QUIZ_ANSWER_WRONG);
  g_assert_true (contains (bp_teach_panel_get_quiz_text (panel), "∂z/∂x = y"));
  g_assert_cmpint (bp_teach_panel_submit_answer (panel, BP_QUIZ_GRAD, "2.2"), ==, BP_QUIZ_ANSWER_RIGHT);
  g_assert_true (contains (bp_teach_panel_get_quiz_text (panel), "✓"));
  g_assert_true (contains (bp_teach_panel_get_chain_text (panel), "2.2"));
  g_assert_cmpuint (bp_quiz_get_n_solved (quiz), ==, 1);
  g_assert_cmpstr (gtk_label_get_label (window->inspector->grad_label), !=, "?");

  /* On the canvas (also in presentation mode): a popover on the node. */
  {
    const char *result = NULL;
    BpNode *tax = bp_graph_lookup (graph, "tax");

    g_assert_false (_bp_window_answer_on_canvas (window, bp_graph_lookup (graph, "price"), NULL, NULL));
    g_assert_true (_bp_window_answer_on_canvas (window, tax, "2", &result));
    g_assert_true (contains (result, "✗"));
    g_assert_true (contains (result, "∂z/∂y = x"));
    assert_answer_fits (window);   /* waits until it is on screen */
    screen_picture ("quiz-popover");
    g_assert_true (_bp_window_answer_on_canvas (window, tax, "200", &result));
    g_assert_true (contains (result, "✓"));
    g_assert_false (bp_quiz_is_blank (quiz, tax, BP_QUIZ_GRAD));
    /* Solved: nothing left to ask there. */
    g_assert_false (_bp_window_answer_on_canvas (window, tax, NULL, NULL));
  }

  /* The teacher's choice goes into the saved document. */
  bp_quiz_set_active (quiz, FALSE);
  bp_quiz_set_hidden (quiz, bp_graph_lookup (graph, "apple_price"), BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  data = bp_document_to_data (bp_window_get_document (window), NULL);
  g_assert_true (contains (data, "\"apple_price\": [\"value\", \"grad\"]"));

  bp_ui_test_destroy_window_and_wait (window);
}

static void
test_expand_sigmoid (void)
{
  BpWindow *window = bp_ui_test_open_example ("sigmoid");
  BpTeachPanel *panel = (window)->teach_panel;
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) before = NULL;
  guint n_nodes = bp_graph_get_n_nodes (graph);

  before = bp_tensor_copy (bp_node_get_grad (bp_graph_lookup (graph, "x")));
  /* σ'(1) = σ(1)(1 − σ(1)) */
  g_assert_cmpfloat_with_epsilon (before->data[0], 0.19661193324148185, 1e-12);

  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "y"));
  bp_ui_test_spin ();
  g_assert_true (bp_teach_panel_expand (panel, &error));
  g_assert_no_error (error);
  bp_ui_test_spin ();
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), >, n_nodes);
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "y"))->name, !=, "sigmoid");
  g_assert_true (bp_tensor_equal (bp_node_get_grad (bp_graph_lookup (graph, "x")), before, 1e-12, 1e-9));
  g_assert_true (contains (bp_teach_panel_get_expand_text (panel), "✓"));
  g_assert_null (strstr (bp_teach_panel_get_expand_text (panel), "✗"));
  bp_canvas_zoom_fit (window->canvas);
  picture (window, "expanded");

  /* One undo puts the layer back. */
  g_assert_true (bp_teach_panel_collapse (panel));
  bp_ui_test_spin ();
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, n_nodes);
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "y"))->name, ==, "sigmoid");
  g_assert_true (bp_tensor_equal (bp_node_get_grad (bp_graph_lookup (graph, "x")), before, 1e-12, 1e-9));
  g_assert_false (bp_teach_panel_collapse (panel));

  bp_ui_test_destroy_window_and_wait (window);
}

static void
test_grad_check (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpTeachPanel *panel = (window)->teach_panel;
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_teach_panel_run_grad_check (panel, &error));
  g_assert_no_error (error);
  /* Three scalar leaves: 6 forward passes against 1 + 1. */
  g_assert_true (contains (bp_teach_panel_get_check_text (panel), "6 forward passes"));
  g_assert_true (contains (bp_teach_panel_get_check_text (panel), "1 forward + 1 backward"));

  /* In a worker, as the Run button does: the window stays live, the
   * result is the same; pressed again while it runs, it cancels. */
  bp_teach_panel_start_grad_check (panel);
  g_assert_true (bp_teach_panel_get_checking (panel));
  while (bp_teach_panel_get_checking (panel))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (contains (bp_teach_panel_get_check_text (panel), "6 forward passes"));
  bp_teach_panel_start_grad_check (panel);
  bp_teach_panel_start_grad_check (panel);
  while (bp_teach_panel_get_checking (panel))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (contains (bp_teach_panel_get_check_text (panel), "cancelled") ||
                 contains (bp_teach_panel_get_check_text (panel), "6 forward passes"));

  /* Scroll the side panel down to the table for the picture. */
  {
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (window->side_scroller);

    bp_ui_test_present_and_wait (GTK_WIDGET (window));
    bp_ui_test_spin ();
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    picture (window, "grad-check");
  }

  bp_ui_test_destroy_window_and_wait (window);
}

static void
canvas_drag (BpCanvas *canvas,
             double    x0,
             double    y0,
             double    dx,
             double    dy)
{
  GtkGesture *gesture = bp_ui_test_find_drag_gesture (canvas);

  g_signal_emit_by_name (gesture, "drag-begin", x0, y0);
  g_signal_emit_by_name (gesture, "drag-update", dx / 2, dy / 2);
  g_signal_emit_by_name (gesture, "drag-update", dx, dy);
  g_signal_emit_by_name (gesture, "drag-end", dx, dy);
}

/* Where a node's stored position is on screen: presenting spreads the
 * positions (bp_diagram_get_spread()) before the zoom. */
static void
node_to_widget (BpCanvas *canvas,
                BpNode   *node,
                double   *wx,
                double   *wy)
{
  double spread = bp_diagram_get_spread (bp_canvas_get_diagram (canvas));
  double x = 0, y = 0;

  g_assert_true (bp_node_get_position (node, &x, &y));
  bp_canvas_diagram_to_widget (canvas, x * spread, y * spread, wx, wy);
}

static void
test_presentation (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpPlayer *player = (window)->player;

  bp_session_set_position (bp_player_get_session (player), bp_session_get_n_forward (bp_player_get_session (player)) + 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.presentation", NULL);
  g_assert_true (_bp_window_get_presenting (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->header_bar)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET ((window)->player_bar)));
  g_assert_cmpfloat (bp_canvas_get_text_scale (window->canvas), >, 1.4);
  /* Fit after the size change. */
  {
    gint64 until = g_get_monotonic_time () + 600 * 1000;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  picture (window, "presentation");

  /* The nodes spread as the text grows, the fitted picture stays on
   * screen, and a dragged node follows the pointer. */
  {
    BpCanvas *canvas = window->canvas;
    BpDiagram *diagram = bp_canvas_get_diagram (canvas);
    BpNode *apple = bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (canvas)), "apple");
    BpDiagramState state = BP_DIAGRAM_STATE_INIT;
    cairo_rectangle_t bounds;
    double x0, y0, x1, y1, wx, wy, wx1, wy1;

    g_assert_cmpfloat (bp_diagram_get_spread (diagram), ==,
                       bp_canvas_get_text_scale (canvas));
    state.text_scale = bp_canvas_get_text_scale (canvas);
    bp_diagram_get_bounds (diagram, &state, &bounds);
    bp_canvas_diagram_to_widget (canvas, bounds.x, bounds.y, &x0, &y0);
    bp_canvas_diagram_to_widget (canvas, bounds.x + bounds.width,
                                 bounds.y + bounds.height, &x1, &y1);
    g_assert_cmpfloat (x0, >=, 0);
    g_assert_cmpfloat (y0, >=, 0);
    g_assert_cmpfloat (x1, <=, gtk_widget_get_width (GTK_WIDGET (canvas)));
    g_assert_cmpfloat (y1, <=, gtk_widget_get_height (GTK_WIDGET (canvas)));

    node_to_widget (canvas, apple, &wx, &wy);
    canvas_drag (canvas, wx, wy, 60, 30);
    node_to_widget (canvas, apple, &wx1, &wy1);
    g_assert_cmpfloat_with_epsilon (wx1, wx + 60, 1.0);
    g_assert_cmpfloat_with_epsilon (wy1, wy + 30, 1.0);
    bp_history_undo (bp_session_get_history (bp_canvas_get_session (canvas)));
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.leave-presentation", NULL);
  g_assert_false (_bp_window_get_presenting (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->header_bar)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));
  g_assert_cmpfloat (bp_canvas_get_text_scale (window->canvas), ==, 1.0);

  bp_ui_test_destroy_window_and_wait (window);
}

static guint
count_occurrences (const char *text,
                   gsize       length,
                   const char *needle)
{
  guint n = 0;
  gsize len = strlen (needle);

  for (gsize i = 0; i + len <= length; i++)
    if (memcmp (text + i, needle, len) == 0)
      n++;
  return n;
}

static void
test_export_pass (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (tmp_dir, "steps", NULL);
  guint n;

  g_autofree char *pdf = g_build_filename (tmp_dir, "steps.pdf", NULL);
  g_autofree char *first = NULL;
  g_autofree char *pdf_text = NULL;

  /* Both passes, forward then backward: 5 + 5 steps of the apples. */
  n = _bp_window_export_steps (window, folder, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 10);
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("step-%02u.svg", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_true (contains (text, "<svg"));
      /* One fixed frame: every step declares the first one's size. */
      if (first == NULL)
        first = g_strndup (strstr (text, "<svg"), strcspn (strstr (text, "<svg"), ">"));
      else
        g_assert_true (g_str_has_prefix (strstr (text, "<svg"), first));
    }
  n = _bp_window_export_steps (window, pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 10);
  g_assert_true (g_file_get_contents (pdf, &pdf_text, NULL, NULL));
  g_assert_true (g_str_has_prefix (pdf_text, "%PDF"));

  /* Print goes through the same renderer: the view, and the handout
   * with four steps a page (10 steps: 3 pages). */
  {
    g_autofree char *printed = g_build_filename (tmp_dir, "printed.pdf", NULL);
    g_autofree char *handout = g_build_filename (tmp_dir, "handout.pdf", NULL);
    g_autofree char *text = NULL;
    gsize length;

    g_assert_true (_bp_window_print_to_pdf (window, printed, FALSE, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (printed, &text, &length, NULL));
    g_assert_true (g_str_has_prefix (text, "%PDF"));
    g_clear_pointer (&text, g_free);
    g_assert_true (_bp_window_print_to_pdf (window, handout, TRUE, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (handout, &text, &length, NULL));
    g_assert_cmpuint (count_occurrences (text, length, "/Type /Page") -
                      count_occurrences (text, length, "/Type /Pages"), ==, 3);
  }

  bp_ui_test_destroy_window_and_wait (window);
}

/* The longest hint (a node that feeds several others) shows whole. */
static void
test_quiz_long_hint (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpPlayer *player = (window)->player;
  BpQuiz *quiz = bp_session_get_quiz ((window)->session);
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (window->canvas));
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  BpNode *apple_num = bp_graph_lookup (graph, "apple_num");
  g_autoptr(GError) error = NULL;
  const char *result = NULL;
  BpNode *square;

  /* apple count also feeds a square of its own. */
  square = bp_history_add_node (history, "square", 200, 420, &error);
  g_assert_no_error (error);
  g_assert_true (bp_history_connect (history, apple_num, square, 0, &error));
  g_assert_no_error (error);
  bp_ui_test_spin ();
  bp_session_set_position (bp_player_get_session (player), bp_session_get_n_steps (bp_player_get_session (player)));
  bp_quiz_set_active (quiz, TRUE);
  bp_ui_test_spin ();
  g_assert_true (bp_quiz_is_blank (quiz, apple_num, BP_QUIZ_GRAD));

  g_assert_true (_bp_window_answer_on_canvas (window, apple_num, "1", &result));
  g_assert_true (contains (result, "several"));
  assert_answer_fits (window);   /* waits until it is on screen */
  screen_picture ("quiz-long-hint");

  bp_ui_test_destroy_window_and_wait (window);
}

/* A node the engine cannot compute says why instead of "press Forward":
 * its own error, or the broken node it waits for. */
static void
test_blocked_reason (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpTeachPanel *panel = (window)->teach_panel;
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (window->canvas));
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  BpNode *apple_price = bp_graph_lookup (graph, "apple_price");
  BpNode *price = bp_graph_lookup (graph, "price");
  g_autofree char *waits = NULL;

  bp_history_disconnect (history, apple_price, 0);
  bp_ui_test_spin ();
  bp_session_select_node (bp_canvas_get_session (window->canvas), apple_price);
  bp_ui_test_spin ();
  g_assert_true (contains (bp_teach_panel_get_value_text (panel), "cannot be computed"));
  g_assert_true (contains (bp_teach_panel_get_value_text (panel),
                           bp_node_get_error (apple_price)));
  g_assert_false (contains (bp_teach_panel_get_value_text (panel), "press Forward"));
  g_assert_true (contains (bp_teach_panel_get_chain_text (panel), "cannot be computed"));

  bp_session_select_node (bp_canvas_get_session (window->canvas), price);
  bp_ui_test_spin ();
  g_assert_null (bp_node_get_error (price));
  waits = g_strdup_printf ("waits for “%s”", bp_node_get_label (apple_price));
  g_assert_true (contains (bp_teach_panel_get_value_text (panel), waits));
  screen_picture ("blocked-reason");

  /* Mended: the number comes back. */
  bp_history_undo (history);
  bp_ui_test_spin ();
  bp_session_select_node (bp_canvas_get_session (window->canvas), price);
  bp_ui_test_spin ();
  g_assert_true (contains (bp_teach_panel_get_value_text (panel), "220"));

  bp_ui_test_destroy_window_and_wait (window);
}

/* matmul shows Wᵀ, sum copies, repeat sums: the panel uses the right
 * product sign and the trace's own local gradients. */
static void
test_matrix_steps (void)
{
  static const struct { const char *example; const char *node; const char *expect; } cases[] = {
    /* LG of X is Wᵀ (3×2): dX = dY · Wᵀ = [1,1,1] · Wᵀ = [9, 12] */
    { "matmul", "Y", "→ X: UG · LG = DG: [[1, 1, 1]] · [[1, 2], [3, 4], [5, 6]] = [[9, 12]]" },
    /* LG of W is Xᵀ (2×1), on the left: dW = Xᵀ · dY */
    { "matmul", "Y", "→ W: LG · UG = DG: [[1], [2]] · [[1, 1, 1]] = [[1, 1, 1], [2, 2, 2]]" },
    /* sum copies the upstream 1 to every element */
    { "repeat-sum", "L", "→ x ⊙ w: UG × LG = DG: 1 × [[1, 1, 1], [1, 1, 1]] = [[1, 1, 1], [1, 1, 1]]" },
    /* repeat sums the two rows of its upstream gradient (w): dx = [4, 1, 1] */
    { "repeat-sum", "x_rep", "= [[4, 1, 1]]" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      BpWindow *window = bp_ui_test_open_example (cases[c].example);
      BpPlayer *player = (window)->player;
      BpTeachPanel *panel = (window)->teach_panel;
      BpNode *node = bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (window->canvas)), cases[c].node);
      int index = bp_trace_find_step (bp_session_get_trace (bp_player_get_session (player)), node, BP_STEP_BACKWARD);

      g_assert_cmpint (index, >=, 0);
      bp_session_set_position (bp_player_get_session (player), index + 1);
      bp_session_select_node (bp_canvas_get_session (window->canvas), node);
      bp_ui_test_spin ();
      g_assert_true (contains (bp_teach_panel_get_chain_text (panel), cases[c].expect));
      if (c == 0)
        picture (window, "matmul");
      bp_ui_test_destroy_window_and_wait (window);
    }
}

/* A batch of two rows plus a 1×3 bias, as the book's Affine adds it:
 * the bias is broadcast (copied to both rows). */
static BpWindow *
open_bias_batch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = bp_expr_parse ("X = [[1, 2, 3], [4, 5, 6]]\n"
                                            "bias = [0.5, -1, 2]\n"
                                            "h = X + bias\n"
                                            "y = sum(h * h)", &error);
  g_autoptr(BpDocument) document = NULL;
  BpWindow *window = bp_window_new (NULL);

  g_assert_no_error (error);
  document = bp_document_new_for_graph (graph);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 720);
  bp_window_set_document (window, document, NULL);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  bp_ui_test_spin ();
  return window;
}

/* Shows the backward step of node `id` and returns the panel's text. */
static const char *
chain_text_at_backward_step (BpWindow   *window,
                             const char *id)
{
  BpSession *session = window->session;
  BpNode *node = bp_graph_lookup (bp_session_get_graph (session), id);
  int index;

  g_assert_nonnull (node);
  index = bp_trace_find_step (bp_session_get_trace (session), node, BP_STEP_BACKWARD);
  g_assert_cmpint (index, >=, 0);
  bp_session_set_position (session, index + 1);
  bp_session_select_node (session, node);
  bp_ui_test_spin ();
  return bp_teach_panel_get_chain_text (window->teach_panel);
}

/* The panel says which input was broadcast, and that its gradient is the
 * sum over the copies; Expand shows the hidden Repeat node with the same
 * gradients, whose own step then sums the rows. */
static void
test_broadcast (void)
{
  BpWindow *window = open_bias_batch ();
  BpSession *session = window->session;
  BpGraph *graph = bp_session_get_graph (session);
  g_autoptr(BpTensor) grad_bias = NULL;
  g_autoptr(BpTensor) grad_x = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  guint n_nodes = bp_graph_get_n_nodes (graph), n_repeats = 0;
  BpNode *repeat = NULL;

  text = chain_text_at_backward_step (window, "h");
  g_test_message ("%s", text);
  g_assert_true (contains (text, "the 1×3 bias was copied to 2 rows: its gradient is the sum over the batch"));
  /* X has the output's shape: nothing to say about it. */
  g_assert_null (strstr (text, "the 2×3 X"));
  /* dbias = Σ rows of 2h: 2·([1.5, 1, 5] + [4.5, 4, 8]) */
  g_assert_true (contains (text, "→ bias: DG = [[12, 10, 26]]"));
  grad_bias = bp_tensor_copy (bp_node_get_grad (bp_graph_lookup (graph, "bias")));
  grad_x = bp_tensor_copy (bp_node_get_grad (bp_graph_lookup (graph, "X")));
  g_assert_cmpfloat (grad_bias->data[2], ==, 26);
  picture (window, "broadcast");

  /* The 1×1 case says "every element". */
  {
    g_autofree char *why = bp_op_describe_broadcast (bp_op_lookup ("mul"), "s", 1, 1, 2, 3);

    g_assert_true (contains (why, "every element of the 2×3 result"));
  }

  /* Expand: the hidden Repeat node becomes a real one, same gradients. */
  bp_session_select_node (session, bp_graph_lookup (graph, "h"));
  bp_ui_test_spin ();
  g_assert_true (bp_expand_can_expand (bp_graph_lookup (graph, "h")));
  g_assert_true (bp_teach_panel_expand (window->teach_panel, &error));
  g_assert_no_error (error);
  bp_ui_test_spin ();
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    if (g_str_equal (bp_node_get_op (bp_graph_get_node (graph, i))->name, "repeat"))
      {
        repeat = bp_graph_get_node (graph, i);
        n_repeats++;
      }
  g_assert_cmpuint (n_repeats, ==, 1);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, n_nodes + 1);
  g_assert_true (bp_node_get_input (repeat, 0) == bp_graph_lookup (graph, "bias"));
  g_assert_true (bp_tensor_equal (grad_bias, bp_node_get_grad (bp_graph_lookup (graph, "bias")), 0, 0));
  g_assert_true (bp_tensor_equal (grad_x, bp_node_get_grad (bp_graph_lookup (graph, "X")), 0, 0));
  /* Now h adds two 2×3 matrices: no copy left to mention ... */
  text = chain_text_at_backward_step (window, "h");
  g_assert_null (strstr (text, "was copied"));
  /* ... and the Repeat node's own step sums the gradient of its copies. */
  text = chain_text_at_backward_step (window, bp_node_get_id (repeat));
  g_test_message ("%s", text);
  g_assert_true (contains (text, "[[12, 10, 26]]"));
  bp_canvas_zoom_fit (window->canvas);
  picture (window, "broadcast-expanded");

  g_assert_true (bp_teach_panel_collapse (window->teach_panel));
  bp_ui_test_spin ();
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, n_nodes);

  bp_ui_test_destroy_window_and_wait (window);
}

static void
test_normal_picture (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");

  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (window->canvas)), "apple_price"));
  picture (window, "normal");
  bp_ui_test_destroy_window_and_wait (window);
}

/* Last: switches the process to Korean. */
static void
test_korean (void)
{
  const char *localedir = g_getenv ("BP_TEST_LOCALEDIR");
  g_autofree char *mo = NULL;
  BpWindow *window;
  BpPlayer *player;
  BpTeachPanel *panel;

  if (localedir == NULL)
    {
      g_test_skip ("BP_TEST_LOCALEDIR not set");
      return;
    }
  mo = g_build_filename (localedir, "ko", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_assert_true (g_file_test (mo, G_FILE_TEST_EXISTS));

  g_setenv ("LANGUAGE", "ko", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_assert_cmpstr (bp_teach_panel_get_language (), ==, "ko");

  window = bp_ui_test_open_example ("apples");
  player = (window)->player;
  panel = (window)->teach_panel;

  /* The example explains itself in Korean, with the book's words. */
  g_assert_true (contains (bp_teach_panel_get_description_text (panel), "순전파"));
  bp_session_set_position (bp_player_get_session (player), bp_session_get_n_forward (bp_player_get_session (player)) + 2);
  bp_ui_test_spin ();
  g_assert_true (contains (bp_player_bar_get_position_text ((window)->player_bar),
                           "역전파"));
  picture (window, "korean");

  bp_ui_test_destroy_window_and_wait (window);

  /* The broadcast bias, in Korean. */
  window = open_bias_batch ();
  {
    const char *text = chain_text_at_backward_step (window, "h");

    g_test_message ("%s", text);
    g_assert_true (contains (text, "1×3 bias"));
    g_assert_true (contains (text, "배치"));
    g_assert_null (strstr (text, "was copied"));
  }
  picture (window, "broadcast-korean");
  bp_ui_test_destroy_window_and_wait (window);
}

/* --- keys the player shares with the canvas --- */

/* A key press through the window's capture-phase shortcuts, then the
 * focused widget's own: the order GTK delivers it in. */
static void
press_key (BpWindow        *window,
           guint            keyval,
           GdkModifierType  mods)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  if (bp_ui_test_deliver_key (GTK_WIDGET (window), GTK_PHASE_CAPTURE, keyval, mods, FALSE))
    return;
  if (focus != NULL)
    bp_ui_test_deliver_key (focus, GTK_PHASE_BUBBLE, keyval, mods, FALSE);
  bp_ui_test_spin ();
}

static void
space_key (BpWindow *window,
           gboolean  press)
{
  GtkEventController *keys = bp_ui_test_find_controller (GTK_WIDGET (window), "bp-player-space");
  gboolean handled = FALSE;

  g_assert_nonnull (keys);
  if (press)
    {
      g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_space, 65, 0, &handled);
      g_assert_true (handled);
    }
  else
    g_signal_emit_by_name (keys, "key-released", GDK_KEY_space, 65, 0);
}

/* Space: a tap plays/pauses, held during a drag it pans (and does not
 * play). ←/→ step, unless the user selected nodes on the focused canvas:
 * then they nudge them; Page Up/Down always step, and in presentation
 * mode the arrows do too. */
static void
test_shared_keys (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpPlayer *player = (window)->player;
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (window->canvas));
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  BpNode *apple = bp_graph_lookup (graph, "apple");
  guint n_forward = bp_session_get_n_forward (bp_player_get_session (player));
  double wx0, wy0, wx, wy, x0, y0, x, y;

  g_assert_false (bp_player_get_playing (player));

  /* A tap plays, another pauses. */
  space_key (window, TRUE);
  g_assert_true (bp_canvas_get_space_held (window->canvas));
  g_assert_false (bp_player_get_playing (player));   /* not on the press */
  space_key (window, FALSE);
  g_assert_false (bp_canvas_get_space_held (window->canvas));
  g_assert_true (bp_player_get_playing (player));
  space_key (window, TRUE);
  space_key (window, TRUE);                          /* key repeat */
  space_key (window, FALSE);
  g_assert_false (bp_player_get_playing (player));
  bp_session_set_position (bp_player_get_session (player), n_forward);

  /* Space + drag on empty canvas pans the view, moves no node, and is
   * no tap. */
  g_assert_true (bp_node_get_position (apple, &x0, &y0));
  bp_canvas_diagram_to_widget (window->canvas, x0, y0, &wx0, &wy0);
  space_key (window, TRUE);
  canvas_drag (window->canvas, 4, 4, 40, 25);
  space_key (window, FALSE);
  g_assert_false (bp_player_get_playing (player));
  g_assert_true (bp_node_get_position (apple, &x, &y));
  g_assert_cmpfloat (x, ==, x0);
  g_assert_cmpfloat (y, ==, y0);
  bp_canvas_diagram_to_widget (window->canvas, x0, y0, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, wx0 + 40, 1.0);
  g_assert_cmpfloat_with_epsilon (wy, wy0 + 25, 1.0);
  g_assert_false (bp_history_can_undo (history));

  /* Even on a node, with Space held the drag pans. */
  space_key (window, TRUE);
  canvas_drag (window->canvas, wx, wy, -40, -25);
  space_key (window, FALSE);
  g_assert_false (bp_player_get_playing (player));
  g_assert_true (bp_node_get_position (apple, &x, &y));
  g_assert_cmpfloat (x, ==, x0);
  bp_canvas_diagram_to_widget (window->canvas, x0, y0, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, wx0, 1.0);

  /* Typing a space in an entry is text, not the player's. */
  {
    GtkWidget *entry = gtk_entry_new ();
    GtkEventController *keys = bp_ui_test_find_controller (GTK_WIDGET (window), "bp-player-space");
    gboolean handled = TRUE;

    gtk_box_append (window->side_panel, entry);
    gtk_widget_grab_focus (entry);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_space, 65, 0, &handled);
    g_assert_false (handled);
    g_signal_emit_by_name (keys, "key-released", GDK_KEY_space, 65, 0);
    g_assert_false (bp_player_get_playing (player));
    gtk_box_remove (window->side_panel, entry);
  }

  /* ←/→ step; the node the player selects for its step is not the
   * user's selection, so the next → steps again. */
  gtk_widget_grab_focus (GTK_WIDGET (window->canvas));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (window->canvas));
  press_key (window, GDK_KEY_Right, 0);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 1);
  g_assert_nonnull (bp_session_get_selected_node (bp_canvas_get_session (window->canvas)));
  g_assert_false (bp_canvas_get_arrows_nudge (window->canvas));
  press_key (window, GDK_KEY_Right, 0);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 2);
  press_key (window, GDK_KEY_Left, 0);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 1);
  g_assert_false (bp_history_can_undo (history));

  /* A node clicked on the canvas: the arrows nudge it, the player stays. */
  g_assert_true (bp_node_get_position (apple, &x0, &y0));
  bp_canvas_diagram_to_widget (window->canvas, x0, y0, &wx, &wy);
  canvas_drag (window->canvas, wx, wy, 0, 0);
  g_assert_true (bp_session_get_selected_node (bp_canvas_get_session (window->canvas)) == apple);
  g_assert_true (bp_canvas_get_arrows_nudge (window->canvas));
  press_key (window, GDK_KEY_Right, 0);
  press_key (window, GDK_KEY_Down, 0);
  press_key (window, GDK_KEY_Left, GDK_SHIFT_MASK);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 1);
  g_assert_true (bp_node_get_position (apple, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, x0 + 10 - 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, y0 + 10, 1e-9);
  g_assert_true (bp_history_can_undo (history));

  /* Page Down (a presentation remote) steps all the same. */
  press_key (window, GDK_KEY_Page_Down, 0);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 2);
  press_key (window, GDK_KEY_Page_Up, 0);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 1);

  /* Presenting, a clicked node does not take the arrows. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.presentation", NULL);
  bp_ui_test_spin ();
  node_to_widget (window->canvas, apple, &wx, &wy);
  canvas_drag (window->canvas, wx, wy, 0, 0);
  g_assert_true (bp_session_get_selected_node (bp_canvas_get_session (window->canvas)) == apple);
  g_assert_false (bp_canvas_get_arrows_nudge (window->canvas));
  gtk_widget_grab_focus (GTK_WIDGET (window->canvas));
  press_key (window, GDK_KEY_Right, 0);
  g_assert_true (bp_node_get_position (apple, &x0, &y0));
  g_assert_cmpfloat (x0, ==, x);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.leave-presentation", NULL);

  bp_ui_test_destroy_window_and_wait (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: skipping the teaching tests\n");
      return 77;
    }

  tmp_dir = bp_ui_test_make_data_dir ("bp-test-teach-XXXXXX");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/teach/normal-picture", test_normal_picture);
  g_test_add_func ("/teach/backward-steps", test_backward_steps);
  g_test_add_func ("/teach/play", test_play_forward);
  g_test_add_func ("/teach/matrix-steps", test_matrix_steps);
  g_test_add_func ("/teach/broadcast", test_broadcast);
  g_test_add_func ("/teach/quiz", test_quiz);
  g_test_add_func ("/teach/quiz-long-hint", test_quiz_long_hint);
  g_test_add_func ("/teach/expand-sigmoid", test_expand_sigmoid);
  g_test_add_func ("/teach/grad-check", test_grad_check);
  g_test_add_func ("/teach/blocked-reason", test_blocked_reason);
  g_test_add_func ("/teach/presentation", test_presentation);
  g_test_add_func ("/teach/shared-keys", test_shared_keys);
  g_test_add_func ("/teach/export-pass", test_export_pass);
  g_test_add_func ("/teach/korean", test_korean);

  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    /* Only our own temporary folder. */
    if (g_str_has_prefix (tmp_dir, g_get_tmp_dir ()))
      (void) !system (cmd);
  }
  g_free (tmp_dir);
  return ret;
}
