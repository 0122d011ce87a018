/* SPDX-License-Identifier: MIT */
/* The quiz in the real window, under Xvfb: with the quiz on, no widget's
 * text, tooltip or title and nothing the canvas draws (its picture as
 * SVG, whose labels stay <text>) shows a hidden number, at any position
 * of the passes; a click on a blank opens the answer box there, Enter
 * checks, the score follows; Tab and Shift+Tab go from blank to blank;
 * the answers survive save and open; Worksheet… writes a PDF and leaves
 * the user's file alone when it cannot. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "bp-canvas-private.h"
#include "bp-export.h"
#include "bp-ui-test.h"
#include "bp-window-private.h"

static char *tmp_dir;

/* --- helpers --- */

static BpSession *
session_of (BpWindow *window)
{
  return window->session;
}

/* The apples with every gradient hidden and apple_price's value too, the
 * quiz on, at the end of the backward pass. */
static BpWindow *
open_quiz (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  BpSession *session = session_of (window);
  BpQuiz *quiz = bp_session_get_quiz (session);
  BpGraph *graph = bp_session_get_graph (session);

  bp_quiz_hide_all_grads (quiz);
  bp_quiz_set_hidden (quiz, bp_graph_lookup (graph, "apple_price"),
                      BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  bp_quiz_set_active (quiz, TRUE);
  bp_session_set_position (session, bp_session_get_n_steps (session));
  bp_ui_test_spin ();
  return window;
}

static void
add_elements (GArray *array, const BpTensor *t)
{
  for (gsize i = 0; t != NULL && i < bp_tensor_n_elements (t); i++)
    g_array_append_val (array, t->data[i]);
}

static gboolean
near (double a, double b)
{
  return fabs (fabs (a) - fabs (b)) <= MAX (1e-9, 5e-3 * fabs (b));
}

/* The numbers a blank hides and nothing else on the screen may show:
 * every blank's number, less those shown rightly elsewhere (apple_price's
 * gradient 1.1 is also tax's given value). */
static GArray *
forbidden_numbers (BpSession *session)
{
  BpQuiz *quiz = bp_session_get_quiz (session);
  BpGraph *graph = bp_session_get_graph (session);
  g_autoptr(GArray) hidden = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *forbidden = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      for (guint k = 0; k < 2; k++)
        {
          BpQuizFlags what = k == 0 ? BP_QUIZ_VALUE : BP_QUIZ_GRAD;
          BpTensor *t = bp_quiz_get_expected (quiz, node, what);

          add_elements (bp_quiz_is_blank (quiz, node, what) ? hidden : shown, t);
        }
    }
  for (guint i = 0; i < hidden->len; i++)
    {
      double h = g_array_index (hidden, double, i);
      gboolean also_shown = FALSE;

      for (guint j = 0; j < shown->len; j++)
        also_shown |= near (g_array_index (shown, double, j), h);
      if (!also_shown)
        g_array_append_val (forbidden, h);
    }
  return forbidden;
}

/* Fails naming the text when it writes a forbidden number. */
static void
assert_gives_nothing_away (const char *where,
                           const char *text,
                           GArray     *forbidden)
{
  static GRegex *number = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  if (text == NULL || *text == '\0')
    return;
  if (number == NULL)
    number = g_regex_new ("(?<![A-Za-z0-9_.])[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?(?![A-Za-z0-9_])",
                          0, 0, NULL);
  g_regex_match (number, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *token = g_match_info_fetch (match, 0);
      double v = g_ascii_strtod (token, NULL);

      for (guint i = 0; i < forbidden->len; i++)
        if (near (v, g_array_index (forbidden, double, i)))
          g_error ("%s shows the hidden number %s: “%s”", where, token, text);
      g_match_info_next (match, NULL);
    }
}

/* Every label, entry, tooltip and title of the widget tree (popovers
 * included: they are children of the widget they stand on). */
static void
walk_widgets (GtkWidget *widget,
              GArray    *forbidden,
              guint     *n_texts)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);
  const char *type = G_OBJECT_TYPE_NAME (widget);

  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      assert_gives_nothing_away (type, gtk_label_get_label (GTK_LABEL (widget)), forbidden);
      (*n_texts)++;
    }
  if (GTK_IS_EDITABLE (widget))
    assert_gives_nothing_away (type, gtk_editable_get_text (GTK_EDITABLE (widget)), forbidden);
  if (GTK_IS_WINDOW (widget))
    assert_gives_nothing_away ("the window's title", gtk_window_get_title (GTK_WINDOW (widget)), forbidden);
  if (ADW_IS_WINDOW_TITLE (widget))
    {
      assert_gives_nothing_away ("the title", adw_window_title_get_title (ADW_WINDOW_TITLE (widget)), forbidden);
      assert_gives_nothing_away ("the subtitle", adw_window_title_get_subtitle (ADW_WINDOW_TITLE (widget)), forbidden);
    }
  assert_gives_nothing_away ("a tooltip", tooltip, forbidden);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk_widgets (child, forbidden, n_texts);
}

/* What the canvas draws, as SVG (every label a <text>, every node a
 * <title>): the same renderer and the same state as on screen. */
static void
check_canvas_text (BpWindow *window,
                   GArray   *forbidden)
{
  BpCanvas *canvas = window->canvas;
  BpDiagramState state;
  g_autoptr(GBytes) svg = NULL;
  g_autoptr(GRegex) text = g_regex_new ("<(text|title|tspan)[^>]*>([^<]*)<", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *data = NULL;
  gsize length;
  guint n = 0;

  _bp_canvas_fill_state (canvas, &state);
  svg = bp_export_to_bytes (bp_canvas_get_diagram (canvas), _bp_canvas_trace (canvas),
                            &state, BP_EXPORT_SVG, NULL, NULL);
  g_assert_nonnull (svg);
  data = g_strndup (g_bytes_get_data (svg, &length), g_bytes_get_size (svg));
  g_regex_match (text, data, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *content = g_match_info_fetch (match, 2);

      assert_gives_nothing_away ("the canvas", content, forbidden);
      n++;
      g_match_info_next (match, NULL);
    }
  g_assert_cmpuint (n, >, 5);
}

/* The canvas's tooltips, over every label and node it drew. */
static void
check_canvas_tooltips (BpWindow *window,
                       GArray   *forbidden)
{
  BpCanvas *canvas = window->canvas;
  BpDiagramState state;
  g_autoptr(GArray) boxes = NULL;

  _bp_canvas_fill_state (canvas, &state);
  boxes = bp_diagram_get_boxes (bp_canvas_get_diagram (canvas), _bp_canvas_trace (canvas), &state);
  for (guint i = 0; i < boxes->len; i++)
    {
      const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, i);
      g_autofree char *markup = NULL;
      double x, y;

      bp_canvas_diagram_to_widget (canvas, b->rect.x + b->rect.width / 2,
                                   b->rect.y + b->rect.height / 2, &x, &y);
      markup = _bp_canvas_tooltip_markup (canvas, x, y);
      assert_gives_nothing_away ("a canvas tooltip", markup, forbidden);
    }
}

static void
check_everything (BpWindow *window)
{
  g_autoptr(GArray) forbidden = forbidden_numbers (session_of (window));
  guint n_texts = 0;

  walk_widgets (GTK_WIDGET (window), forbidden, &n_texts);
  g_assert_cmpuint (n_texts, >, 10);
  check_canvas_text (window, forbidden);
  check_canvas_tooltips (window, forbidden);
}

/* Clicks at the middle of a blank drawn on the canvas (the drag gesture
 * gets its signal, as a real press would start it). */
static void
click_blank (BpWindow    *window,
             BpNode      *node,
             BpQuizFlags  what)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window->canvas));
  GdkRectangle rect;
  GtkGesture *drag = NULL;
  BpNode *hit = NULL;
  BpQuizFlags hit_what = 0;

  g_assert_true (bp_canvas_get_blank_rect (window->canvas, node, what, &rect));
  g_assert_true (bp_canvas_blank_at (window->canvas, rect.x + rect.width / 2.0,
                                     rect.y + rect.height / 2.0, &hit, &hit_what));
  g_assert_true (hit == node);
  g_assert_cmpuint (hit_what, ==, what);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_DRAG (c))
        drag = GTK_GESTURE (c);
    }
  g_assert_nonnull (drag);
  g_signal_emit_by_name (drag, "drag-begin", rect.x + rect.width / 2.0, rect.y + rect.height / 2.0);
  g_signal_emit_by_name (drag, "drag-end", 0.0, 0.0);
  bp_ui_test_spin ();
}

static GtkPopover *
asked (BpWindow     *window,
       BpNode      **node,
       BpQuizFlags  *what)
{
  GtkPopover *popover = _bp_window_get_answer_popover (window, node, what);

  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  return popover;
}

/* With BP_SHOTS_DIR set, a picture of the whole screen there (popovers
 * and dialogs are surfaces of their own), to look at. */
static void
screen_picture (const char *name)
{
  const char *dir = g_getenv ("BP_SHOTS_DIR");
  g_autofree char *import = g_find_program_in_path ("import");
  g_autofree char *path = NULL;
  g_autofree char *cmd = NULL;
  gint64 until = g_get_monotonic_time () + 500 * 1000;

  if (dir == NULL || import == NULL)
    return;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/quiz-%s.png", dir, name);
  cmd = g_strdup_printf ("%s -window root %s", import, path);
  if (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL))
    g_test_message ("screen picture: %s", path);
}

/* --- tests --- */

/* At every position of both passes, with each node explained in the
 * panel and the gradient check run: no hidden number anywhere. */
static void
test_nothing_given_away (void)
{
  BpWindow *window = open_quiz ();
  BpSession *session = session_of (window);
  BpGraph *graph = bp_session_get_graph (session);
  g_autoptr(GError) error = NULL;
  guint n_steps = bp_session_get_n_steps (session);

  /* The check's table holds every gradient: it must show blanks. */
  g_assert_true (bp_teach_panel_run_grad_check (window->teach_panel, &error));
  g_assert_no_error (error);
  for (guint position = 0; position <= n_steps; position++)
    {
      bp_session_set_position (session, position);
      for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
        {
          bp_session_select_node (session, bp_graph_get_node (graph, i));
          bp_ui_test_spin ();
          check_everything (window);
        }
    }

  /* Answered: that number may show now, the others still not. */
  g_assert_true (_bp_window_answer_blank (window, bp_graph_lookup (graph, "apple"),
                                          BP_QUIZ_GRAD, "2.2", NULL));
  bp_ui_test_spin ();
  check_everything (window);

  /* The description and the check say the numbers once the quiz is off. */
  bp_quiz_set_active (bp_session_get_quiz (session), FALSE);
  bp_ui_test_spin ();
  {
    g_autoptr(GArray) none = forbidden_numbers (session);

    g_assert_cmpuint (none->len, ==, 0);
  }
  bp_ui_test_destroy_window_and_wait (window);
}

/* A click on a blank opens its box there; Enter checks; the verdict,
 * the filled blank and the score follow. */
static void
test_answer_popover (void)
{
  BpWindow *window = open_quiz ();
  BpSession *session = session_of (window);
  BpQuiz *quiz = bp_session_get_quiz (session);
  BpGraph *graph = bp_session_get_graph (session);
  BpNode *apple = bp_graph_lookup (graph, "apple");
  BpNode *node = NULL;
  BpQuizFlags what = 0;
  GtkPopover *popover;
  GdkRectangle pointing, blank;
  GtkWidget *entry;

  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 5);
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==,
                   "0 of 5 right at the first try, 5 still open");

  click_blank (window, apple, BP_QUIZ_GRAD);
  popover = asked (window, &node, &what);
  g_assert_true (node == apple);
  g_assert_cmpuint (what, ==, BP_QUIZ_GRAD);
  entry = GTK_WIDGET (window->answer_entry);
  /* The keyboard is in the box (in the entry's text). */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

    g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));
  }
  /* It points at the blank, not at the node. */
  g_assert_true (gtk_popover_get_pointing_to (popover, &pointing));
  g_assert_true (bp_canvas_get_blank_rect (window->canvas, apple, BP_QUIZ_GRAD, &blank));
  {
    graphene_point_t p, q;

    graphene_point_init (&p, blank.x, blank.y);
    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (window->canvas),
                                             GTK_WIDGET (window->player_bar), &p, &q));
    g_assert_cmpint (abs (pointing.x - (int) q.x), <=, 1);
    g_assert_cmpint (abs (pointing.y - (int) q.y), <=, 1);
  }

  /* Wrong: red, says so, the blank stays. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "2");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_true (gtk_widget_has_css_class (entry, "shake"));
  g_assert_nonnull (strstr (gtk_label_get_label (window->answer_result), "Not quite"));
  g_assert_true (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));
  screen_picture ("wrong");
  /* The verdict has the room its wrapped text needs. */
  {
    GtkWidget *label = GTK_WIDGET (window->answer_result);
    int height = 0;

    bp_ui_test_wait_for_frame (GTK_WIDGET (popover));
    gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (label),
                        &height, NULL, NULL, NULL);
    g_assert_cmpint (gtk_widget_get_height (label), >=, height);
  }

  /* Right: filled in (no longer a blank on the canvas), green. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "2.2");
  g_signal_emit_by_name (entry, "activate");
  bp_ui_test_spin ();
  g_assert_true (gtk_widget_has_css_class (entry, "success"));
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_nonnull (strstr (gtk_label_get_label (window->answer_result), "✓"));
  g_assert_nonnull (strstr (_bp_window_get_last_message (window), "Right"));
  /* The box goes, the number shows, the keyboard is on the canvas. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_true (gtk_widget_is_focus (GTK_WIDGET (window->canvas)));
  g_assert_false (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));
  g_assert_false (bp_canvas_get_blank_rect (window->canvas, apple, BP_QUIZ_GRAD, &blank));
  /* Not at the first try: the score says 0 of 5, 4 open. */
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==,
                   "0 of 5 right at the first try, 4 still open");

  /* Another, right at once. */
  click_blank (window, bp_graph_lookup (graph, "tax"), BP_QUIZ_GRAD);
  g_assert_true (_bp_window_answer_blank (window, NULL, 0, "200", NULL));
  bp_ui_test_spin ();
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==,
                   "1 of 5 right at the first try, 3 still open");
  screen_picture ("right");

  /* Reset Answers: every blank open again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.reset-answers", NULL));
  bp_ui_test_spin ();
  g_assert_true (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==,
                   "0 of 5 right at the first try, 5 still open");

  /* The leaf editor does not open on a hidden value. */
  bp_quiz_set_hidden (quiz, apple, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  bp_ui_test_spin ();
  bp_canvas_edit_value (window->canvas, apple);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->canvas->value_popover)));

  bp_ui_test_destroy_window_and_wait (window);
}

/* Tab and Shift+Tab, from the keyboard alone: from the canvas to the
 * first blank, on through all of them in pass order, round, and back. */
static void
test_tab (void)
{
  BpWindow *window = open_quiz ();
  BpSession *session = session_of (window);
  BpGraph *graph = bp_session_get_graph (session);
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  BpNode *node = NULL, *first = NULL;
  BpQuizFlags what = 0, first_what = 0;

  gtk_widget_grab_focus (GTK_WIDGET (window->canvas));
  g_assert_true (_bp_window_quiz_key (window, GDK_KEY_Tab, 0));
  bp_ui_test_spin ();
  asked (window, &first, &first_what);
  /* The forward pass comes first: apple_price's value. */
  g_assert_true (first == bp_graph_lookup (graph, "apple_price"));
  g_assert_cmpuint (first_what, ==, BP_QUIZ_VALUE);
  g_assert_true (window->canvas->focus_blank == first);

  for (guint i = 0; i < 5; i++)
    {
      asked (window, &node, &what);
      g_ptr_array_add (seen, GSIZE_TO_POINTER (GPOINTER_TO_SIZE (node) | (what == BP_QUIZ_GRAD)));
      g_assert_true (_bp_window_quiz_key (window, GDK_KEY_Tab, 0));
      bp_ui_test_spin ();
    }
  /* Five blanks, each once, then round to the first. */
  for (guint i = 0; i < seen->len; i++)
    for (guint j = i + 1; j < seen->len; j++)
      g_assert_true (seen->pdata[i] != seen->pdata[j]);
  asked (window, &node, &what);
  g_assert_true (node == first && what == first_what);

  /* Shift+Tab goes back: to the last. */
  g_assert_true (_bp_window_quiz_key (window, GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK));
  bp_ui_test_spin ();
  asked (window, &node, &what);
  g_assert_true (GSIZE_TO_POINTER (GPOINTER_TO_SIZE (node) | (what == BP_QUIZ_GRAD)) == seen->pdata[4]);

  /* Answered right, Tab goes on from there, not from the start. */
  g_assert_true (_bp_window_answer_blank (window, first, first_what, "200", NULL));
  g_assert_true (_bp_window_quiz_key (window, GDK_KEY_Tab, 0));
  bp_ui_test_spin ();
  asked (window, &node, &what);
  g_assert_true (GSIZE_TO_POINTER (GPOINTER_TO_SIZE (node) | (what == BP_QUIZ_GRAD)) == seen->pdata[1]);

  /* Quiz off: Tab is Tab again. */
  bp_quiz_set_active (bp_session_get_quiz (session), FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (window->canvas));
  g_assert_false (_bp_window_quiz_key (window, GDK_KEY_Tab, 0));

  bp_ui_test_destroy_window_and_wait (window);
}

/* The answers and the score are saved with the file and come back. */
static void
test_save_reopen (void)
{
  BpWindow *window = open_quiz ();
  BpWindow *other;
  BpGraph *graph = bp_session_get_graph (session_of (window));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "answers.bpgraph", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  BpQuiz *quiz;

  g_assert_true (_bp_window_answer_blank (window, bp_graph_lookup (graph, "apple"),
                                          BP_QUIZ_GRAD, "2.2", NULL));
  g_assert_true (_bp_window_answer_blank (window, bp_graph_lookup (graph, "apple_num"),
                                          BP_QUIZ_GRAD, "1", NULL));
  g_assert_true (_bp_window_answer_blank (window, bp_graph_lookup (graph, "apple_num"),
                                          BP_QUIZ_GRAD, "110", NULL));
  g_assert_false (bp_window_is_clean (window));   /* answers are unsaved changes */
  g_assert_true (_bp_window_save_to_file (window, file, &error));
  g_assert_no_error (error);
  bp_ui_test_destroy_window_and_wait (window);

  other = bp_ui_test_open_example ("apples");
  g_assert_true (bp_window_open_file (other, file));
  bp_ui_test_spin ();
  quiz = bp_session_get_quiz (session_of (other));
  graph = bp_session_get_graph (session_of (other));
  g_assert_true (bp_quiz_get_active (quiz));
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 5);
  g_assert_cmpuint (bp_quiz_get_n_solved (quiz), ==, 2);
  g_assert_cmpuint (bp_quiz_get_n_first_try (quiz), ==, 1);
  g_assert_false (bp_quiz_is_blank (quiz, bp_graph_lookup (graph, "apple"), BP_QUIZ_GRAD));
  g_assert_true (bp_quiz_is_blank (quiz, bp_graph_lookup (graph, "tax"), BP_QUIZ_GRAD));
  g_assert_true (bp_window_is_clean (other));
  g_assert_cmpstr (adw_window_title_get_subtitle (other->window_title), ==,
                   "1 of 5 right at the first try, 3 still open");
  bp_ui_test_destroy_window_and_wait (other);
}

/* Worksheet…: the dialog, then the file; a PDF is written, and on a
 * failure the user's file stays as it was. */
static void
test_worksheet (void)
{
  BpWindow *window = bp_ui_test_open_example ("apples");
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (tmp_dir, "sheet.pdf", NULL);
  g_autofree char *kept = g_build_filename (tmp_dir, "kept.pdf", NULL);
  g_autofree char *data = NULL;
  AdwMessageDialog *dialog;
  gsize length;

  /* The menu's action shows the dialog; its answer asks for the file. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export-worksheet", NULL));
  dialog = _bp_window_show_worksheet_dialog (window);
  g_assert_nonnull (dialog);
  screen_picture ("worksheet-dialog");
#ifdef __SANITIZE_ADDRESS__
  /* Showing the file chooser loads GIO modules whose constructors keep
   * memory that LeakSanitizer cannot trace past GLib (so no suppression
   * can name them): close the dialog instead. The normal build checks
   * the chooser. */
  adw_message_dialog_response (dialog, "cancel");
  bp_ui_test_spin ();
  g_assert_null (window->chooser);
#else
  adw_message_dialog_response (dialog, "export");
  bp_ui_test_spin ();
  g_assert_nonnull (window->chooser);
  g_assert_cmpuint (window->worksheet_variants, ==, 3);
  g_assert_cmpuint (window->worksheet_hide, ==, BP_WORKSHEET_HIDE_GRADIENTS);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (window->chooser));
  g_clear_object (&window->chooser);
#endif
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (ADW_IS_MESSAGE_DIALOG (l->data))
      gtk_window_destroy (l->data);
  bp_ui_test_spin ();

  g_assert_true (_bp_window_export_worksheet (window, pdf, 2, 7, BP_WORKSHEET_HIDE_BOTH, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &data, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (data, "%PDF"));

  /* A name that is neither .pdf nor .xml, and a graph with nothing to
   * ask: errors, and the file that was there is untouched. */
  g_assert_true (g_file_set_contents (kept, "the teacher's own file", -1, NULL));
  g_assert_false (_bp_window_export_worksheet (window, kept, 0, 1, BP_WORKSHEET_HIDE_BOTH, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  bp_window_new_document (window);
  bp_ui_test_spin ();
  g_assert_false (_bp_window_export_worksheet (window, kept, 2, 1, BP_WORKSHEET_HIDE_BOTH, &error));
  g_assert_nonnull (error);
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (kept, &data, NULL, NULL));
  g_assert_cmpstr (data, ==, "the teacher's own file");

  bp_ui_test_destroy_window_and_wait (window);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: skipping the quiz window tests\n");
      return 77;
    }

  tmp_dir = bp_ui_test_make_data_dir ("bp-test-quiz-ui-XXXXXX");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/quiz-ui/nothing-given-away", test_nothing_given_away);
  g_test_add_func ("/quiz-ui/answer-popover", test_answer_popover);
  g_test_add_func ("/quiz-ui/tab", test_tab);
  g_test_add_func ("/quiz-ui/save-reopen", test_save_reopen);
  g_test_add_func ("/quiz-ui/worksheet", test_worksheet);

  return g_test_run ();
}
