/* SPDX-License-Identifier: MIT */
/* Drives the real BpWindow under Xvfb: examples, save → reopen, broken
 * files, autosave and its restore offer, the close question, export, dark
 * mode, and a picture of the window that must not be blank. */
#include <glib/gstdio.h>

#include "bp-application.h"
#include "bp-autosave.h"
#include "bp-examples.h"
#include "bp-ui-test.h"
#include "bp-node-inspector-private.h"
#include "bp-window-private.h"

static char *tmp_dir;

/* --- helpers --- */

static BpWindow *
new_window_with_example (const char *name)
{
  BpWindow *window = bp_window_new (NULL);

  g_assert_true (bp_window_open_example (window, name));
  return window;
}

static char *
document_data (BpWindow *window)
{
  return bp_document_to_data (bp_window_get_document (window), NULL);
}

/* Edits the first leaf's value through the canvas, as the side panel does. */
static BpNode *
edit_first_leaf (BpWindow   *window,
                 const char *text)
{
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (bp_op_is_leaf (bp_node_get_op (node)))
        {
          g_assert_true (bp_history_set_value_text (bp_session_get_history (bp_canvas_get_session (window->canvas)), node, text, &error));
          g_assert_no_error (error);
          return node;
        }
    }

  g_assert_not_reached ();
  return NULL;
}

static AdwMessageDialog *
find_dialog_for (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) &&
          gtk_window_get_transient_for (GTK_WINDOW (item)) == parent)
        return ADW_MESSAGE_DIALOG (item);
    }

  return NULL;
}

static void
clear_autosaves (void)
{
  GList *copies = bp_autosave_list ();

  for (const GList *l = copies; l != NULL; l = l->next)
    bp_autosave_remove (l->data);
  g_list_free_full (copies, g_object_unref);
}

/* --- tests --- */

static void
test_window_example (void)
{
  BpWindow *window = new_window_with_example ("apples");
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  const char *title;

  g_assert_nonnull (bp_window_get_document (window));
  g_assert_true (bp_document_get_graph (bp_window_get_document (window)) == graph);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), >, 3);
  g_assert_null (bp_window_get_file (window));
  g_assert_true (bp_window_is_clean (window));

  title = gtk_window_get_title (GTK_WINDOW (window));
  g_assert_nonnull (strstr (title, bp_document_get_title (bp_window_get_document (window))));
  g_assert_null (strstr (title, "•"));

  /* The gallery lists every built-in example. */
  {
    guint n_examples = 0;

    bp_examples_get_all (&n_examples);
    g_assert_cmpuint (n_examples, >, 0);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-examples", NULL));
    g_assert_nonnull (window->gallery);
    g_assert_cmpuint (bp_example_gallery_get_n_tiles (window->gallery), ==, n_examples);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->gallery), "window.close", NULL));
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->gallery)));
  }

  /* F9's action hides and shows the side panel. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-side-panel", NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-side-panel", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));

  /* An edit marks the title; undo takes the mark away again. */
  edit_first_leaf (window, "150");
  g_assert_false (bp_window_is_clean (window));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (window)), "•"));
  g_assert_true (bp_history_undo (bp_session_get_history (bp_canvas_get_session (window->canvas))));
  g_assert_true (bp_window_is_clean (window));
  g_assert_null (strstr (gtk_window_get_title (GTK_WINDOW (window)), "•"));

  /* Choosing quiz blanks changes the document too (it saves them). */
  {
    BpQuiz *quiz = bp_session_get_quiz ((window)->session);
    BpNode *apple = bp_graph_lookup (graph, "apple");

    bp_quiz_set_hidden (quiz, apple, bp_quiz_get_hidden (quiz, apple) ^ BP_QUIZ_VALUE);
  }
  g_assert_false (bp_window_is_clean (window));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (window)), "•"));

  bp_ui_test_destroy_window (window);
}

/* Another program changes the open file: the window says so; Reload
 * reads its version; Save asks before writing over it. */
static void
test_window_changed_on_disk (void)
{
  BpWindow *window = new_window_with_example ("apples");
  g_autofree char *path = g_build_filename (tmp_dir, "watched.bpgraph", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gint64 deadline;

  g_assert_true (_bp_window_save_to_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_false (_bp_window_file_changed_on_disk (window));
  g_assert_false (gtk_revealer_get_reveal_child (window->changed_revealer));

  /* Another version of the document, with another title. */
  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  {
    g_autoptr(GString) other = g_string_new (data);

    g_string_replace (other, "\"Apple shopping\"", "\"Changed elsewhere\"", 1);
    g_usleep (20000);   /* a modification time of its own */
    g_assert_true (g_file_set_contents (path, other->str, -1, NULL));
  }
  g_assert_true (_bp_window_file_changed_on_disk (window));
  /* The monitor tells the window; give it a moment, or ask. */
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (!gtk_revealer_get_reveal_child (window->changed_revealer) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  _bp_window_check_disk (window);
  g_assert_true (gtk_revealer_get_reveal_child (window->changed_revealer));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.reload", NULL));
  g_assert_cmpstr (bp_document_get_title (bp_window_get_document (window)), ==, "Changed elsewhere");
  g_assert_false (gtk_revealer_get_reveal_child (window->changed_revealer));
  g_assert_false (_bp_window_file_changed_on_disk (window));

  bp_ui_test_destroy_window (window);
}

static void
test_window_save_reopen (void)
{
  BpWindow *window = new_window_with_example ("apples");
  BpWindow *other;
  g_autofree char *path = g_build_filename (tmp_dir, "saved.bpgraph", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *reopened = NULL;

  edit_first_leaf (window, "[[1, 2], [3, 4]]");
  g_assert_false (bp_window_is_clean (window));

  g_assert_true (_bp_window_save_to_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_true (bp_window_is_clean (window));
  g_assert_true (g_file_equal (bp_window_get_file (window), file));
  g_assert_null (strstr (gtk_window_get_title (GTK_WINDOW (window)), "•"));
  saved = document_data (window);

  /* Saved files become recent files and the last file. */
  {
    g_autofree char *uri = g_file_get_uri (file);
    g_autofree char *last = g_settings_get_string (window->settings, "last-file");

    g_assert_true (gtk_recent_manager_has_item (gtk_recent_manager_get_default (), uri));
    g_assert_cmpstr (last, ==, uri);
  }

  other = new_window_with_example ("apples");
  g_assert_true (bp_window_open_file (other, file));
  g_assert_true (g_file_equal (bp_window_get_file (other), file));
  g_assert_true (bp_window_is_clean (other));
  reopened = document_data (other);
  g_assert_cmpstr (saved, ==, reopened);

  bp_ui_test_destroy_window (other);
  bp_ui_test_destroy_window (window);
}

static void
test_window_broken_file (void)
{
  BpWindow *window = new_window_with_example ("apples");
  BpDocument *before_document = bp_window_get_document (window);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "broken.bpgraph", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) expected = NULL;
  g_autoptr(BpDocument) none = NULL;

  edit_first_leaf (window, "7");
  before = document_data (window);

  g_assert_true (g_file_set_contents (path,
                                      "{\"format\": \"backprop-studio\", \"version\": 1, "
                                      "\"nodes\": [{\"id\": \"a\", \"op\": \"no_such_op\"}]}",
                                      -1, NULL));
  none = bp_document_load_from_path (path, &expected);
  g_assert_null (none);
  g_assert_nonnull (expected);

  g_assert_false (bp_window_open_file (window, file));

  /* Untouched: same document object, same content, still unsaved. */
  g_assert_true (bp_window_get_document (window) == before_document);
  after = document_data (window);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (bp_window_is_clean (window));
  g_assert_null (bp_window_get_file (window));

  /* The loader's own message is what the user sees. */
  g_assert_cmpstr (_bp_window_get_last_message (window), ==, expected->message);
  g_assert_nonnull (window->error_dialog);
  g_assert_true (find_dialog_for (GTK_WINDOW (window)) == window->error_dialog);
  g_assert_cmpstr (adw_message_dialog_get_body (window->error_dialog), ==, expected->message);

  gtk_window_destroy (GTK_WINDOW (window->error_dialog));
  bp_ui_test_destroy_window (window);
}

static void
test_window_autosave_restore (void)
{
  BpWindow *window = new_window_with_example ("apples");
  BpWindow *restored;
  g_autofree char *path = g_build_filename (tmp_dir, "origin.bpgraph", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *restored_data = NULL;
  g_autoptr(GFile) origin = NULL;
  AdwMessageDialog *dialog;
  GFile *copy;
  GList *copies;

  clear_autosaves ();

  /* Nothing to save while clean. */
  g_assert_null (_bp_window_autosave_now (window));
  g_assert_null (bp_autosave_list ());

  g_assert_true (_bp_window_save_to_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (window->autosave_source, ==, 0);
  edit_first_leaf (window, "123");
  edited = document_data (window);
  /* The 30 s timer runs while there are unsaved changes. */
  g_assert_cmpuint (window->autosave_source, !=, 0);

  copy = _bp_window_autosave_now (window);
  g_assert_nonnull (copy);
  g_assert_true (g_file_query_exists (copy, NULL));
  origin = bp_autosave_get_origin (copy);
  g_assert_nonnull (origin);
  g_assert_true (g_file_equal (origin, file));

  /* As after a crash: the copy is still there at the next start. */
  copies = bp_autosave_list ();
  g_assert_cmpuint (g_list_length (copies), ==, 1);
  g_assert_true (g_file_equal (copies->data, copy));

  restored = new_window_with_example ("apples");
  dialog = _bp_window_offer_restore (restored, copies);
  g_list_free_full (copies, g_object_unref);
  g_assert_nonnull (dialog);
  g_assert_true (find_dialog_for (GTK_WINDOW (restored)) == dialog);
  adw_message_dialog_response (dialog, "restore");
  bp_ui_test_spin ();

  restored_data = document_data (restored);
  g_assert_cmpstr (restored_data, ==, edited);
  g_assert_false (bp_window_is_clean (restored));
  g_assert_true (g_file_equal (bp_window_get_file (restored), file));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (restored)), "•"));

  /* The original window's copy was consumed; the restored window keeps
   * its own until it is saved. */
  g_assert_false (g_file_query_exists (copy, NULL));
  copies = bp_autosave_list ();
  g_assert_cmpuint (g_list_length (copies), ==, 1);
  g_list_free_full (copies, g_object_unref);

  g_assert_true (_bp_window_save_to_file (restored, file, &error));
  g_assert_no_error (error);
  g_assert_true (bp_window_is_clean (restored));
  g_assert_null (bp_autosave_list ());

  /* Discard removes the copies. */
  g_assert_nonnull (_bp_window_autosave_now (window));
  copies = bp_autosave_list ();
  g_assert_cmpuint (g_list_length (copies), ==, 1);
  dialog = _bp_window_offer_restore (restored, copies);
  g_list_free_full (copies, g_object_unref);
  adw_message_dialog_response (dialog, "discard");
  bp_ui_test_spin ();
  g_assert_null (bp_autosave_list ());

  bp_ui_test_destroy_window (restored);
  bp_ui_test_destroy_window (window);
}

static gboolean
file_exists_soon (GFile    *file,
                  gboolean  exists)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_file_query_exists (file, NULL) != exists && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  return g_file_query_exists (file, NULL) == exists;
}

/* The timer itself (shortened from 30 s): it writes while there are
 * unsaved changes, and the copy goes once the document is clean again. */
static void
test_window_autosave_timer (void)
{
  BpWindow *window = new_window_with_example ("apples");
  g_autoptr(BpDocument) copy_document = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *copy_data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) copy = NULL;

  clear_autosaves ();
  _bp_window_set_autosave_interval (window, 20);
  g_assert_cmpuint (window->autosave_source, ==, 0);

  edit_first_leaf (window, "42");
  edited = document_data (window);
  g_assert_cmpuint (window->autosave_source, !=, 0);
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while ((window->autosave_file == NULL || !g_file_query_exists (window->autosave_file, NULL)) &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_nonnull (window->autosave_file);
  copy = g_object_ref (window->autosave_file);
  g_assert_true (g_file_query_exists (copy, NULL));

  copy_document = bp_document_load_from_file (copy, &error);
  g_assert_no_error (error);
  copy_data = bp_document_to_data (copy_document, NULL);
  g_assert_cmpstr (copy_data, ==, edited);
  g_assert_null (bp_autosave_get_origin (copy));   /* an example: no file */

  /* Undo back to the saved state: nothing to protect any more. */
  g_assert_true (bp_history_undo (bp_session_get_history (bp_canvas_get_session (window->canvas))));
  g_assert_true (bp_window_is_clean (window));
  g_assert_true (file_exists_soon (copy, FALSE));
  g_assert_cmpuint (window->autosave_source, ==, 0);

  bp_ui_test_destroy_window (window);
}

static void
test_window_close_asks (void)
{
  BpWindow *window = new_window_with_example ("apples");
  AdwMessageDialog *dialog;
  g_autoptr(GSettings) settings = NULL;
  GFile *copy;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_present (GTK_WINDOW (window));
  edit_first_leaf (window, "3");
  copy = g_object_ref (_bp_window_autosave_now (window));

  /* Unsaved: closing asks, and Cancel keeps everything. */
  gtk_window_close (GTK_WINDOW (window));
  bp_ui_test_spin ();
  g_assert_nonnull (window);
  dialog = find_dialog_for (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  g_assert_true (adw_message_dialog_has_response (dialog, "discard"));
  g_assert_true (adw_message_dialog_has_response (dialog, "save"));
  adw_message_dialog_response (dialog, "cancel");
  bp_ui_test_spin ();
  g_assert_nonnull (window);
  g_assert_false (bp_window_is_clean (window));

  /* Discard closes, removes the crash copy and keeps the window size. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1010, 690);
  gtk_window_close (GTK_WINDOW (window));
  bp_ui_test_spin ();
  dialog = find_dialog_for (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "discard");
  bp_ui_test_spin ();
  g_assert_null (window);
  g_assert_false (g_file_query_exists (copy, NULL));
  g_object_unref (copy);

  settings = g_settings_new (APP_ID);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1010);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 690);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

static gboolean
panel_settled (gpointer data)
{
  BpWindow *window = data;

  return !window->panel_position_pending && window->panel_layout_source == 0;
}

/* Numbers are drawn at 13.5 px at zoom 1. */
#define NUMBER_PX 13.5

/* Resizes the window as a window manager would, and lets the panel move
 * and the canvas fit again. */
static void
resize_window (BpWindow *window,
               int       width,
               int       height)
{
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  bp_ui_test_wait_for_frame (GTK_WIDGET (window));
  bp_ui_test_spin ();
  g_assert_true (bp_ui_test_wait_until (panel_settled, window, 10));
  bp_ui_test_wait_for_frame (GTK_WIDGET (window));
  bp_ui_test_spin ();
}

/* A 1024×768 window (a projector's) puts the panel under the canvas, so
 * that the networks' numbers fit at 11 px or more; a wide window keeps
 * it beside. The canvas fits itself as the panel moves. */
static void
test_window_narrow_panel (void)
{
  static const char *const names[] = { "two-layer-net", "affine-batch" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      BpWindow *window = bp_window_new (NULL);
      graphene_rect_t canvas, panel;

      gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
      g_assert_true (bp_window_open_example (window, names[i]));
      bp_ui_test_present_and_wait (GTK_WIDGET (window));
      g_assert_true (bp_ui_test_wait_until (panel_settled, window, 10));
      bp_ui_test_wait_for_frame (GTK_WIDGET (window));
      bp_ui_test_spin ();

      g_assert_true (window->panel_below);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (window->canvas), GTK_WIDGET (window), &canvas));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (window->side_scroller), GTK_WIDGET (window), &panel));
      /* Under the canvas, as wide as the window, and tall enough to read. */
      g_assert_cmpfloat (panel.origin.y, >=, canvas.origin.y + canvas.size.height - 1);
      g_assert_cmpfloat (canvas.size.width, >=, 1000);
      g_assert_cmpfloat (panel.size.height, >=, 150);
      g_assert_cmpfloat (canvas.size.height, >=, 300);
      g_test_message ("%s at 1024×768: canvas %.0f×%.0f, numbers at %.1f px", names[i],
                      canvas.size.width, canvas.size.height,
                      NUMBER_PX * bp_canvas_get_zoom (window->canvas));
      g_assert_cmpfloat (NUMBER_PX * bp_canvas_get_zoom (window->canvas), >=, 11.0);

      /* A wide window: beside the canvas again, fitted again. */
      resize_window (window, 1280, 800);
      g_assert_false (window->panel_below);
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (window->canvas), GTK_WIDGET (window), &canvas));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (window->side_scroller), GTK_WIDGET (window), &panel));
      g_assert_cmpfloat (panel.origin.x, >=, canvas.origin.x + canvas.size.width - 1);
      g_assert_cmpfloat (panel.size.width, >=, 250);
      g_assert_cmpfloat (canvas.size.width, >=, 900);
      g_test_message ("%s at 1280×800: canvas %.0f×%.0f, numbers at %.1f px", names[i],
                      canvas.size.width, canvas.size.height,
                      NUMBER_PX * bp_canvas_get_zoom (window->canvas));
      g_assert_cmpfloat (NUMBER_PX * bp_canvas_get_zoom (window->canvas), >=, 11.0);

      /* And back: F9 still hides and shows the panel under the canvas. */
      resize_window (window, 1024, 768);
      g_assert_true (window->panel_below);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-side-panel", NULL));
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-side-panel", NULL));
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->side_scroller)));

      bp_ui_test_destroy_window_and_wait (window);
    }
}

/* The panel has just gone under the canvas: widen the window before it
 * is placed there. */
static void
widen_once_cb (GtkWidget  *paned,
               GParamSpec *pspec,
               BpWindow   *window)
{
  if (gtk_orientable_get_orientation (GTK_ORIENTABLE (paned)) != GTK_ORIENTATION_VERTICAL)
    return;
  g_signal_handlers_disconnect_by_func (paned, widen_once_cb, window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
}

/* Opened narrow and widened at once, as a window manager or a test does
 * on start-up: the resize comes while the panel's move under the canvas
 * still waits for its place, and must not be lost (no allocation follows
 * to see it again). */
static void
test_window_widened_while_panel_moves (void)
{
  BpWindow *window = bp_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 760);
  g_assert_true (bp_window_open_example (window, "apples"));
  g_signal_connect (window->paned, "notify::orientation", G_CALLBACK (widen_once_cb), window);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  g_assert_true (bp_ui_test_wait_until (panel_settled, window, 10));
  bp_ui_test_wait_for_frame (GTK_WIDGET (window));
  bp_ui_test_spin ();
  g_assert_true (bp_ui_test_wait_until (panel_settled, window, 10));

  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, 1180);
  g_assert_false (window->panel_below);

  bp_ui_test_destroy_window_and_wait (window);
}

static void
test_window_export (void)
{
  BpWindow *window = new_window_with_example ("apples");
  const char *extensions[] = { "svg", "png", "pdf" };
  const char *magic[] = { "<", "\x89PNG", "%PDF" };

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      g_autofree char *name = g_strdup_printf ("export.%s", extensions[i]);
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_assert_true (_bp_window_export_to_path (window, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_cmpuint (length, >, 100);
      g_assert_true (g_str_has_prefix (contents, magic[i]) ||
                     (i == 0 && strstr (contents, "<svg") != NULL));
    }

  bp_ui_test_destroy_window (window);
}

static void
test_window_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  BpWindow *window = new_window_with_example ("apples");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  bp_ui_test_spin ();
  g_assert_true (bp_canvas_get_dark (window->canvas));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "dark"));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  bp_ui_test_spin ();
  g_assert_false (bp_canvas_get_dark (window->canvas));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  bp_ui_test_destroy_window (window);
}

static void
test_window_message_toast (void)
{
  BpWindow *window = new_window_with_example ("apples");

  g_signal_emit_by_name (window->canvas, "message", "That connection would close a cycle");
  g_assert_cmpstr (_bp_window_get_last_message (window), ==, "That connection would close a cycle");

  bp_ui_test_destroy_window (window);
}

/* Renders the window the way GTK would and checks that it shows more than
 * a flat background; the PNG stays in the build dir for people to look at. */
static void
test_window_picture (void)
{
  BpWindow *window = new_window_with_example ("apples");
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  g_autofree char *png = NULL;
  g_autoptr(GHashTable) colours = NULL;
  int width, height;
  gsize stride;
  guint dark_pixels = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 640);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  bp_canvas_zoom_fit (window->canvas);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  g_assert_cmpint (width, >, 200);
  g_assert_cmpint (height, >, 200);

  texture = bp_ui_test_render (GTK_WIDGET (window));

  png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : tmp_dir,
                          "test-window.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("window picture: %s", png);

  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);

  /* Text, node outlines and arrows: many colours, and dark ink on the
   * light canvas. A blank or single-colour window fails. */
  colours = g_hash_table_new (NULL, NULL);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint32 *p = (const guint32 *) (pixels + y * stride + x * 4);

        g_hash_table_add (colours, GUINT_TO_POINTER (*p & 0x00ffffff));
        if ((*p & 0xff) < 0x60 && ((*p >> 8) & 0xff) < 0x60 && ((*p >> 16) & 0xff) < 0x60)
          dark_pixels++;
      }
  g_test_message ("%u colours, %u dark pixels", g_hash_table_size (colours), dark_pixels);
  g_assert_cmpuint (g_hash_table_size (colours), >, 20);
  g_assert_cmpuint (dark_pixels, >, 500);

  bp_ui_test_destroy_window (window);
}

static BpWindow *
find_other_window (BpWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (BP_IS_WINDOW (item) && BP_WINDOW (item) != window)
        return BP_WINDOW (item);
    }

  return NULL;
}

static gboolean
drop_files (BpWindow *window,
            GFile    *file)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;
  gboolean found = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (&file, 1));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        {
          g_signal_emit_by_name (controller, "drop", &value, 10.0, 10.0, &handled);
          found = TRUE;
        }
    }
  g_value_unset (&value);
  g_assert_true (found);
  /* The files are read in a worker. */
  while (window->n_opening > 0)
    g_main_context_iteration (NULL, TRUE);

  return handled;
}

/* A file dropped on the window (or opened with the chooser) replaces a
 * clean document, but never unsaved work: that gets a new window. */
static void
test_window_drop_file (void)
{
  BpWindow *window = new_window_with_example ("apples");
  BpWindow *other;
  g_autofree char *path = g_build_filename (tmp_dir, "dropped.bpx", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *edited = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (path, "a = 3\nb = 4\ny = a * b + a\n", -1, NULL));

  g_assert_true (drop_files (window, file));
  g_assert_null (find_other_window (window));
  g_assert_cmpstr (bp_document_get_title (bp_window_get_document (window)), ==, "dropped");
  g_assert_nonnull (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (window->canvas)), "y"));
  /* An expression has nowhere to be saved back to: Save asks. */
  g_assert_null (bp_window_get_file (window));

  edit_first_leaf (window, "5");
  edited = document_data (window);
  g_assert_true (drop_files (window, file));
  after = document_data (window);
  g_assert_cmpstr (edited, ==, after);
  other = find_other_window (window);
  g_assert_nonnull (other);
  g_assert_nonnull (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (other->canvas)), "y"));
  g_assert_true (bp_window_is_clean (other));

  bp_ui_test_destroy_window (other);
  bp_ui_test_destroy_window (window);
}

/* The side panel replays the trace like the canvas: apple's gradient
 * appears only once the backward pass has reached apple. */
static void
test_window_panel_follows_player (void)
{
  BpWindow *window = new_window_with_example ("apples");
  BpPlayer *player = (window)->player;
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  BpTrace *trace;
  int apple_back;

  trace = bp_session_get_trace (bp_player_get_session (player));
  apple_back = bp_trace_find_step (trace, bp_graph_lookup (graph, "apple"), BP_STEP_BACKWARD);
  g_assert_cmpint (apple_back, >, 0);

  bp_session_set_position (bp_player_get_session (player), bp_session_get_n_forward (bp_player_get_session (player)));
  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "apple"));
  g_assert_cmpstr (gtk_label_get_label (window->inspector->value_label), ==, "100");
  g_assert_cmpstr (gtk_label_get_label (window->inspector->grad_label), ==, "—");

  /* Stepping selects the step's node: look at apple again each time. */
  bp_session_set_position (bp_player_get_session (player), (guint) apple_back);
  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "apple"));
  g_assert_cmpstr (gtk_label_get_label (window->inspector->grad_label), ==, "—");
  bp_session_set_position (bp_player_get_session (player), (guint) apple_back + 1);
  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_lookup (graph, "apple"));
  g_assert_cmpstr (gtk_label_get_label (window->inspector->grad_label), ==, "2.2");

  bp_session_set_position (bp_player_get_session (player), 0);
  bp_session_select_node (bp_canvas_get_session (window->canvas), bp_graph_get_output (graph));
  g_assert_cmpstr (gtk_label_get_label (window->inspector->value_label), ==, "—");

  bp_ui_test_destroy_window (window);
}

/* The side panel's value editor: a valid value applies and the forward
 * value follows; invalid text is explained and never applied. */
static void
test_window_value_editor (void)
{
  BpWindow *window = new_window_with_example ("apples");
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (window->canvas));
  BpNode *apple = bp_graph_lookup (graph, "apple");
  BpNode *output = bp_graph_get_output (graph);
  BpTensor *value;

  g_assert_nonnull (apple);
  g_assert_nonnull (output);
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (output)->data[0], 220.0, 1e-9);

  bp_session_select_node (bp_canvas_get_session (window->canvas), apple);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->inspector->value_editor)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->inspector->value_entry)), ==, "100");

  gtk_editable_set_text (GTK_EDITABLE (window->inspector->value_entry), "250");
  g_signal_emit_by_name (window->inspector->value_entry, "activate");
  apple = bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (window->canvas)), "apple");
  output = bp_graph_get_output (bp_session_get_graph (bp_canvas_get_session (window->canvas)));
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (apple)->data[0], 250.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (output)->data[0], 550.0, 1e-9);
  g_assert_cmpstr (gtk_label_get_label (window->inspector->value_label), ==, "250");
  g_assert_false (bp_window_is_clean (window));

  gtk_editable_set_text (GTK_EDITABLE (window->inspector->value_entry), "[[1, 2], [3]");
  g_signal_emit_by_name (window->inspector->value_entry, "activate");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->inspector->value_error)));
  g_assert_cmpstr (gtk_label_get_label (window->inspector->value_error), !=, "");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window->inspector->value_entry), "error"));
  value = bp_node_get_value (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (window->canvas)), "apple"));
  g_assert_true (bp_tensor_is_scalar (value));
  g_assert_cmpfloat_with_epsilon (value->data[0], 250.0, 1e-9);

  /* Typing again clears the complaint. */
  gtk_editable_set_text (GTK_EDITABLE (window->inspector->value_entry), "3");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->inspector->value_error)));

  bp_ui_test_destroy_window (window);
}

static guint
count_windows (GtkApplication *app)
{
  return g_list_length (gtk_application_get_windows (app));
}

/* The application: activate opens the apple example (and offers what a
 * crash left), files from the command line open in windows of their own,
 * a broken one leaves its window on the example with the message. */
static void
test_application (void)
{
  g_autoptr(BpApplication) app = bp_application_new ();
  g_autofree char *good_path = g_build_filename (tmp_dir, "app-good.bpx", NULL);
  g_autofree char *bad_path = g_build_filename (tmp_dir, "app-bad.bpgraph", NULL);
  GFile *files[2];
  g_autoptr(GError) error = NULL;
  BpWindow *window;
  BpWindow *restored_offer_window;
  AdwMessageDialog *dialog;
  GList *windows;
  BpWindow *source;
  g_autoptr(GFile) copy = NULL;

  clear_autosaves ();
  source = new_window_with_example ("sigmoid");
  edit_first_leaf (source, "2");
  copy = g_object_ref (_bp_window_autosave_now (source));
  g_clear_object (&source->autosave_file);   /* as if it had crashed: the copy stays */
  bp_ui_test_destroy_window (source);
  g_assert_true (g_file_query_exists (copy, NULL));

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_application_activate (G_APPLICATION (app));
  g_assert_cmpuint (count_windows (GTK_APPLICATION (app)), ==, 1);
  window = BP_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  g_assert_true (bp_window_is_clean (window));
  g_assert_nonnull (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (window->canvas)), "apple"));
  restored_offer_window = window;
  dialog = find_dialog_for (GTK_WINDOW (restored_offer_window));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "later");
  bp_ui_test_spin ();
  g_assert_true (g_file_query_exists (copy, NULL));   /* kept for next time */
  bp_autosave_remove (copy);

  /* A second activate presents the same window. */
  g_application_activate (G_APPLICATION (app));
  g_assert_cmpuint (count_windows (GTK_APPLICATION (app)), ==, 1);

  g_assert_true (g_file_set_contents (good_path, "x = 2\ny = x * x\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad_path, "{\"format\": \"backprop-studio\"", -1, NULL));
  files[0] = g_file_new_for_path (good_path);
  files[1] = g_file_new_for_path (bad_path);
  g_application_open (G_APPLICATION (app), files, 2, "");
  g_object_unref (files[0]);
  g_object_unref (files[1]);
  /* The files are read in workers: the windows show up at once, the
   * documents when read. */
  g_assert_cmpuint (count_windows (GTK_APPLICATION (app)), ==, 2);
  for (gboolean opening = TRUE; opening;)
    {
      opening = FALSE;
      for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
        opening |= BP_WINDOW (l->data)->n_opening > 0;
      g_main_context_iteration (NULL, opening);
    }

  /* The clean example window took the first file; the broken one got a
   * window that stays on the example and says why. */
  g_assert_cmpuint (count_windows (GTK_APPLICATION (app)), ==, 2);
  g_assert_nonnull (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (window->canvas)), "y"));
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  for (const GList *l = windows; l != NULL; l = l->next)
    if (l->data != window)
      {
        BpWindow *other = l->data;

        g_assert_nonnull (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (other->canvas)), "apple"));
        g_assert_nonnull (_bp_window_get_last_message (other));
        g_assert_nonnull (other->error_dialog);
      }

  /* The app actions exist; quit closes every (clean) window. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "shortcuts"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "new-window"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-example", g_variant_new_string ("matmul"));
  {
    gboolean found = FALSE;

    for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
      found |= bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (BP_WINDOW (l->data)->canvas)), "W") != NULL;
    g_assert_true (found);
  }
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  bp_ui_test_spin ();
  g_assert_cmpuint (count_windows (GTK_APPLICATION (app)), ==, 0);

  clear_autosaves ();
}

/* The shortcuts window builds, and lists every key the window, the
 * application and the canvas bind. */
static void
test_window_shortcuts (void)
{
  static const char *const expected[] = {
    "<Control>o", "<Control>s", "<Control><Shift>s", "<Control>e", "<Control>w",
    "<Control>n", "<Control>q", "<Control>question", "F9",
    "<Control>z", "<Control><Shift>z", "<Control>y", "<Control>a", "Delete",
    "<Control>plus", "<Control>minus", "<Control>0", "<Control>1", "<Control>l",
    "<Control><Shift>n", "Return",
  };
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/BackpropStudio/gtk/help-overlay.ui");
  g_autoptr(GHashTable) accels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));

  for (const GSList *l = objects; l != NULL; l = l->next)
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) parts = NULL;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;
      g_object_get (l->data, "accelerator", &accelerator, NULL);
      if (accelerator == NULL)
        continue;
      parts = g_strsplit (accelerator, " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          guint key;
          GdkModifierType mods;

          /* Every listed accelerator is one GTK understands. */
          g_assert_true (gtk_accelerator_parse (parts[i], &key, &mods));
          g_hash_table_add (accels, g_strdup (parts[i]));
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (!g_hash_table_contains (accels, expected[i]))
      g_error ("%s is not in the shortcuts window", expected[i]);

  /* Shown for real: GTK 4.8 warns (fatal here) about some page layouts. */
  bp_ui_test_present_and_wait (GTK_WIDGET (overlay));

  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: skipping the window tests\n");
      return 77;
    }

  /* Autosave copies and recent files go to a private data dir, set
   * before GLib reads XDG_DATA_HOME. */
  tmp_dir = bp_ui_test_make_data_dir ("bp-test-window-XXXXXX");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/window/example", test_window_example);
  g_test_add_func ("/window/save-reopen", test_window_save_reopen);
  g_test_add_func ("/window/changed-on-disk", test_window_changed_on_disk);
  g_test_add_func ("/window/broken-file", test_window_broken_file);
  g_test_add_func ("/window/autosave-restore", test_window_autosave_restore);
  g_test_add_func ("/window/autosave-timer", test_window_autosave_timer);
  g_test_add_func ("/window/close-asks", test_window_close_asks);
  g_test_add_func ("/window/export", test_window_export);
  g_test_add_func ("/window/narrow-panel", test_window_narrow_panel);
  g_test_add_func ("/window/widened-while-panel-moves", test_window_widened_while_panel_moves);
  g_test_add_func ("/window/dark", test_window_dark);
  g_test_add_func ("/window/message-toast", test_window_message_toast);
  g_test_add_func ("/window/drop-file", test_window_drop_file);
  g_test_add_func ("/window/value-editor", test_window_value_editor);
  g_test_add_func ("/window/panel-follows-player", test_window_panel_follows_player);
  g_test_add_func ("/window/shortcuts", test_window_shortcuts);
  g_test_add_func ("/window/picture", test_window_picture);
  g_test_add_func ("/window/application", test_application);

  ret = g_test_run ();

  clear_autosaves ();
  g_free (tmp_dir);

  return ret;
}
