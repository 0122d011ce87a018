/* SPDX-License-Identifier: MIT */
/* The Train view: training in a worker while the main loop runs, the
 * trained params sent to the session as one undoable edit, one traced
 * iteration shown in the session with its update. */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "bp-diagram.h"
#include "bp-engine.h"
#include "bp-export.h"
#include "bp-session.h"
#include "bp-teach-panel.h"
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

/* Paused, the iteration's update is one more step per param after the
 * backward pass: the numbers shown there are old − η·grad, computed here
 * by hand from the session's own trace. */
static void
test_update_step (void)
{
  g_autoptr(BpSession) session = xor_session ();
  GtkWindow *window = bp_train_view_new_window (session, NULL);
  BpTrainView *view = BP_TRAIN_VIEW (gtk_widget_get_last_child (adw_window_get_content (ADW_WINDOW (window))));
  BpTeachPanel *panel = BP_TEACH_PANEL (g_object_ref_sink (bp_teach_panel_new ()));
  BpGraph *graph = bp_session_get_graph (session);
  double lr;
  BpTrace *trace;
  guint n_trace, n_updates;

  bp_teach_panel_set_session (panel, session);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.start", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.pause", NULL));
  wait_idle (view);
  lr = bp_document_get_training (bp_session_get_document (session))->learning_rate;
  /* The document keeps how far the params shown were trained: up to
   * this iteration, without its update. */
  g_assert_cmpuint (bp_document_get_training (bp_session_get_document (session))->trained_iterations + 1,
                    ==, bp_train_view_get_iteration (view));

  /* Paused: the next iteration is in the session with its updates. */
  trace = bp_session_get_trace (session);
  g_assert_nonnull (trace);
  n_trace = bp_trace_get_n_steps (trace);
  n_updates = bp_session_get_n_updates (session);
  g_assert_cmpuint (n_updates, ==, 4);   /* W1, b1, W2, b2 */
  g_assert_cmpuint (bp_session_get_n_steps (session), ==, n_trace + n_updates);

  /* The end of the backward pass shows no update yet. */
  bp_session_set_position (session, n_trace);
  g_assert_cmpint (bp_session_get_pass (session), ==, BP_PASS_BACKWARD);
  g_assert_null (bp_session_get_current_update (session));
  g_assert_null (bp_session_get_revealed_update (session, bp_graph_lookup (graph, "W1")));

  for (guint k = 1; k <= n_updates; k++)
    {
      const BpUpdateStep *u;
      BpNode *param;
      BpTensor *old;
      const BpStep *back;
      g_autoptr(BpTensor) expected = NULL;
      g_autofree char *want = NULL;
      g_autofree char *w = NULL, *g = NULL, *eta = NULL, *after = NULL;
      gsize best = 0;
      const char *chain;

      bp_session_set_position (session, n_trace + k);
      g_assert_cmpint (bp_session_get_pass (session), ==, BP_PASS_UPDATE);
      g_assert_cmpuint (bp_session_get_pass_step (session), ==, k);
      g_assert_null (bp_session_get_current_step (session));
      u = bp_session_get_current_update (session);
      g_assert_nonnull (u);
      param = u->param;
      g_assert_true (bp_node_get_graph (param) == graph);
      g_assert_true (bp_session_get_revealed_update (session, param) == u);
      {
        g_autofree char *where = bp_session_describe_position (session);

        g_assert_nonnull (strstr (where, bp_node_get_label (param)));
      }

      /* By hand: the param's value and the gradient its backward step
       * received, in the session's trace. */
      old = bp_node_get_value (param);
      back = bp_trace_get_step (trace, bp_trace_find_step (trace, param, BP_STEP_BACKWARD));
      g_assert_nonnull (back->upstream);
      expected = bp_tensor_copy (old);
      for (gsize i = 0; i < bp_tensor_n_elements (old); i++)
        {
          expected->data[i] = old->data[i] - lr * back->upstream->data[i];
          if (fabs (back->upstream->data[i]) > fabs (back->upstream->data[best]))
            best = i;
        }
      g_assert_cmpfloat (u->learning_rate, ==, lr);
      g_assert_true (bp_tensor_equal (u->before, old, 0, 0));
      g_assert_true (bp_tensor_equal (u->grad, back->upstream, 1e-12, 1e-12));
      g_assert_true (bp_tensor_equal (u->after, expected, 1e-12, 1e-12));

      /* The teaching panel shows those numbers at the element with the
       * largest gradient. */
      bp_session_select_node (session, param);
      chain = bp_teach_panel_get_chain_text (panel);
      w = bp_format_number (old->data[best], 4);
      g = bp_format_number (back->upstream->data[best], 4);
      eta = bp_format_number (lr, 4);
      after = bp_format_number (expected->data[best], 4);
      if (bp_tensor_is_scalar (old))
        want = g_strdup_printf ("%s = %s − %s × %s = %s", bp_node_get_label (param), w, eta, g, after);
      else
        want = g_strdup_printf ("%s[%u,%u] = %s − %s × %s = %s", bp_node_get_label (param),
                                (guint) (best / old->cols), (guint) (best % old->cols),
                                w, eta, g, after);
      if (strstr (chain, want) == NULL)
        g_error ("“%s” not in the teaching panel's “%s”", want, chain);
      g_assert_nonnull (strstr (chain, "W ← W − η·∂L/∂W"));

      /* The diagram highlights the param with a callout. */
      {
        g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
        BpDiagramState state = BP_DIAGRAM_STATE_INIT;
        g_autoptr(GArray) boxes = NULL;
        gboolean callout = FALSE;

        state.pass = bp_session_get_pass (session);
        state.step = bp_session_get_pass_step (session);
        state.updates = bp_session_get_updates (session);
        state.n_updates = bp_session_get_n_updates (session);
        g_assert_cmpuint (bp_diagram_state_get_position (&state, trace), ==, n_trace + k);
        boxes = bp_diagram_get_boxes (diagram, trace, &state);
        for (guint i = 0; i < boxes->len; i++)
          {
            const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, i);

            if (b->kind == BP_DIAGRAM_BOX_CALLOUT && b->node == param)
              callout = TRUE;
          }
        g_assert_true (callout);
      }
    }

  /* Every step exported: both passes, then the updates. */
  {
    g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
    BpDiagramState state = BP_DIAGRAM_STATE_INIT;
    g_autofree char *dir = g_dir_make_tmp ("bp-update-steps-XXXXXX", NULL);
    g_autofree char *last = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *svg = NULL;
    guint n = 0;

    state.updates = bp_session_get_updates (session);
    state.n_updates = bp_session_get_n_updates (session);
    g_assert_true (bp_export_steps (diagram, trace, &state, dir, NULL, &n, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, n_trace + n_updates);
    last = g_strdup_printf ("%s/step-%02u.svg", dir, n);
    g_assert_true (g_file_get_contents (last, &svg, NULL, NULL));
    g_assert_nonnull (strstr (svg, "η·∂L/∂"));
  }

  /* An edit of a value: the updates no longer follow, and go. */
  {
    BpNode *w1 = bp_graph_lookup (graph, "W1");
    g_autoptr(BpTensor) v = bp_tensor_copy (bp_node_get_value (w1));
    g_autoptr(GError) error = NULL;

    v->data[0] += 1;
    g_assert_true (bp_history_set_value (bp_session_get_history (session), w1, v, &error));
    g_assert_cmpuint (bp_session_get_n_updates (session), ==, 0);
    g_assert_cmpuint (bp_session_get_position (session), <=, bp_session_get_n_steps (session));
  }

  g_object_unref (panel);
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
  if (!bp_ui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/train-view/train-and-send", test_train_and_send);
  g_test_add_func ("/train-view/pause-and-iteration", test_pause_and_iteration);
  g_test_add_func ("/train-view/update-step", test_update_step);
  g_test_add_func ("/train-view/document-changed", test_document_changed_while_training);
  g_test_add_func ("/train-view/close-while-training", test_close_while_training);
  return g_test_run ();
}
