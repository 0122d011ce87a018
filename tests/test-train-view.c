/* SPDX-License-Identifier: MIT */
/* The Train view: training in a worker while the main loop runs, the
 * trained params sent to the session as one undoable edit, one traced
 * iteration shown in the session with its update. */
#include <adwaita.h>
#include <string.h>

#include "bp-engine.h"
#include "bp-session.h"
#include "bp-train-view.h"
#include "bp-ui-test.h"

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins the main loop until the view's job is done (at most 60 s). */
static void
wait_idle (BpTrainView *view)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  /* A timer wakes the loop, so that a job that never ends fails the
   * test instead of hanging it. */
  guint timer = g_timeout_add (100, tick_cb, NULL);

  while (bp_train_view_is_busy (view) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timer);
  g_assert_false (bp_train_view_is_busy (view));
}

static BpSession *
xor_session (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("xor-hidden-layer", &error);
  BpSession *session = bp_session_new ();

  g_assert_no_error (error);
  bp_session_set_document (session, doc, NULL);
  return session;
}

static void
test_train_and_send (void)
{
  g_autoptr(BpSession) session = xor_session ();
  GtkWindow *window = bp_train_view_new_window (session, NULL);
  BpTrainView *view;
  BpGraph *graph = bp_session_get_graph (session);
  g_autoptr(BpTensor) before = bp_tensor_copy (bp_node_get_value (bp_graph_lookup (graph, "W1")));
  BpHistory *history = bp_session_get_history (session);

  view = BP_TRAIN_VIEW (gtk_widget_get_last_child (adw_window_get_content (ADW_WINDOW (window))));
  g_assert_true (BP_IS_TRAIN_VIEW (view));
  bp_ui_test_present_and_wait (GTK_WIDGET (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.start", NULL));
  g_assert_true (bp_train_view_is_busy (view));
  wait_idle (view);
  g_assert_null (bp_train_view_get_status_text (view));
  g_assert_cmpuint (bp_train_view_get_iteration (view), ==, 2000);
  g_assert_cmpuint (bp_train_view_get_n_losses (view), ==, 2000);
  {
    /* A picture to look at: the curves and the boundary. */
    g_autoptr(GdkTexture) texture = NULL;
    g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "train-view.png", NULL);

    bp_ui_test_wait_for_frame (GTK_WIDGET (view));
    texture = bp_ui_test_render (GTK_WIDGET (window));
    g_assert_nonnull (texture);
    gdk_texture_save_to_png (texture, path);
  }

  /* The params came back trained, as one edit Undo takes back. */
  g_assert_false (bp_tensor_equal (before, bp_node_get_value (bp_graph_lookup (graph, "W1")), 0, 0));
  g_assert_cmpuint (bp_document_get_training (bp_session_get_document (session))->trained_iterations, ==, 2000);
  g_assert_true (bp_session_get_modified (session));
  g_assert_true (bp_history_undo (history));
  g_assert_true (bp_tensor_equal (before, bp_node_get_value (bp_graph_lookup (graph, "W1")), 0, 0));
  g_assert_true (bp_history_redo (history));
  /* The session's passes ran on the trained net. */
  g_assert_nonnull (bp_session_get_trace (session));
  g_assert_cmpuint (bp_session_get_n_steps (session), >, bp_session_get_n_forward (session));

  gtk_window_destroy (window);
}

static void
test_pause_and_iteration (void)
{
  g_autoptr(BpSession) session = xor_session ();
  GtkWindow *window = bp_train_view_new_window (session, NULL);
  BpTrainView *view = BP_TRAIN_VIEW (gtk_widget_get_last_child (adw_window_get_content (ADW_WINDOW (window))));
  BpGraph *graph = bp_session_get_graph (session);
  guint64 paused_at;
  const char *text;
  BpTensor *x;

  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.start", NULL));
  /* Pause at once: the worker stops within an iteration. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.pause", NULL));
  wait_idle (view);
  paused_at = bp_train_view_get_iteration (view);
  g_assert_cmpuint (paused_at, <, 2000);

  /* One iteration: the session shows that batch, the update as text. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.iteration", NULL));
  wait_idle (view);
  g_assert_cmpuint (bp_train_view_get_iteration (view), ==, paused_at + 1);
  text = bp_train_view_get_update_text (view);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "W1"));
  g_assert_nonnull (strstr (text, "W ← W − η·∂L/∂W"));
  x = bp_node_get_value (bp_graph_lookup (graph, "x"));
  g_assert_cmpuint (x->rows, ==, 20);   /* the example's batch size */
  g_assert_nonnull (bp_session_get_trace (session));
  g_assert_cmpuint (bp_session_get_n_steps (session), >, bp_session_get_n_forward (session));

  /* Another document: the view starts afresh with its settings. */
  {
    g_autoptr(BpDocument) fashion = bp_examples_load ("fashion-two-layer-net", NULL);

    bp_session_set_document (session, fashion, NULL);
    g_assert_cmpuint (bp_train_view_get_iteration (view), ==, 0);
    g_assert_cmpuint (bp_train_view_get_n_losses (view), ==, 0);
    g_clear_object (&fashion);
    fashion = bp_examples_load ("xor-hidden-layer", NULL);
    bp_session_set_document (session, fashion, NULL);
  }

  /* Reset: the first iteration again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.iteration", NULL));
  wait_idle (view);
  g_assert_cmpuint (bp_train_view_get_iteration (view), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.reset", NULL));
  g_assert_cmpuint (bp_train_view_get_iteration (view), ==, 0);
  g_assert_cmpuint (bp_train_view_get_n_losses (view), ==, 0);

  gtk_window_destroy (window);
}

static void
test_document_changed_while_training (void)
{
  g_autoptr(BpSession) session = xor_session ();
  GtkWindow *window = bp_train_view_new_window (session, NULL);
  BpTrainView *view = BP_TRAIN_VIEW (gtk_widget_get_last_child (adw_window_get_content (ADW_WINDOW (window))));
  g_autoptr(BpDocument) apples = bp_examples_load ("apples", NULL);
  BpHistory *history = bp_session_get_history (session);

  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.start", NULL));
  bp_session_set_document (session, apples, NULL);
  wait_idle (view);
  /* Nothing trained was sent to the apples. */
  g_assert_false (bp_history_can_undo (history));
  g_assert_cmpuint (bp_train_view_get_iteration (view), ==, 0);
  gtk_window_destroy (window);
}

static void
test_close_while_training (void)
{
  g_autoptr(BpSession) session = xor_session ();
  GtkWindow *window = bp_train_view_new_window (session, NULL);
  BpTrainView *view = BP_TRAIN_VIEW (gtk_widget_get_last_child (adw_window_get_content (ADW_WINDOW (window))));
  g_autoptr(GObject) keep = g_object_ref (G_OBJECT (view));

  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.start", NULL));
  gtk_window_destroy (window);
  /* The job ends on its own (cancelled) and touches no widget. */
  wait_idle (view);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: skipping the Train view tests\n");
      return 77;
    }
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/train-view/train-and-send", test_train_and_send);
  g_test_add_func ("/train-view/pause-and-iteration", test_pause_and_iteration);
  g_test_add_func ("/train-view/document-changed", test_document_changed_while_training);
  g_test_add_func ("/train-view/close-while-training", test_close_while_training);
  return g_test_run ();
}
