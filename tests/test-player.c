/* SPDX-License-Identifier: MIT */
/* The player's logic, without a display: the position in the trace, step
 * and step back, playback driven by "done" (no widget: no animation),
 * recomputing after an edit keeps the position. */
#include <math.h>

#include "bp-ui-test.h"
#include "bp-examples.h"
#include "bp-player.h"
#include "bp-quiz.h"

static BpDocument *
load_apples (void)
{
  g_autoptr(GError) error = NULL;
  BpDocument *doc = bp_examples_load ("apples", &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return doc;
}

static void
test_positions (void)
{
  g_autoptr(BpDocument) doc = load_apples ();
  BpGraph *graph = bp_document_get_graph (doc);
  g_autoptr(BpPlayer) player = bp_ui_test_player_new (graph);
  guint n_forward, n_steps;
  const BpStep *step;

  n_forward = bp_session_get_n_forward (bp_player_get_session (player));
  n_steps = bp_session_get_n_steps (bp_player_get_session (player));
  /* 5 nodes: 5 forward steps, 5 backward steps (leaves receive theirs). */
  g_assert_cmpuint (n_forward, ==, 5);
  g_assert_cmpuint (n_steps, ==, 10);
  g_assert_null (bp_session_get_error (bp_player_get_session (player)));

  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 0);
  g_assert_cmpint (bp_session_get_pass (bp_player_get_session (player)), ==, BP_PASS_NONE);
  g_assert_null (bp_session_get_current_step (bp_player_get_session (player)));

  bp_player_step (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 1);
  g_assert_cmpint (bp_session_get_pass (bp_player_get_session (player)), ==, BP_PASS_FORWARD);
  g_assert_cmpuint (bp_session_get_pass_step (bp_player_get_session (player)), ==, 1);
  /* No widget: the step arrives at once. */
  g_assert_cmpfloat (bp_player_get_progress (player), ==, 1.0);

  for (guint i = 1; i < n_forward; i++)
    bp_player_step (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward);
  g_assert_cmpint (bp_session_get_pass (bp_player_get_session (player)), ==, BP_PASS_FORWARD);
  step = bp_session_get_current_step (bp_player_get_session (player));
  g_assert_cmpint (step->kind, ==, BP_STEP_FORWARD);
  g_assert_cmpstr (bp_node_get_id (step->node), ==, "price");
  g_assert_cmpfloat_with_epsilon (step->value->data[0], 220.0, 1e-9);

  /* The first backward step is the output receiving 1. */
  bp_player_step (player);
  g_assert_cmpint (bp_session_get_pass (bp_player_get_session (player)), ==, BP_PASS_BACKWARD);
  g_assert_cmpuint (bp_session_get_pass_step (bp_player_get_session (player)), ==, 1);
  step = bp_session_get_current_step (bp_player_get_session (player));
  g_assert_cmpint (step->kind, ==, BP_STEP_BACKWARD);
  g_assert_cmpstr (bp_node_get_id (step->node), ==, "price");
  g_assert_cmpfloat (step->upstream->data[0], ==, 1.0);

  /* Step back really goes back. */
  bp_player_step_back (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward);
  g_assert_cmpint (bp_session_get_pass (bp_player_get_session (player)), ==, BP_PASS_FORWARD);
  bp_player_step_back (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward - 1);

  /* Clamped at both ends. */
  bp_session_set_position (bp_player_get_session (player), 1000);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_steps);
  bp_player_step (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_steps);
  bp_player_reset (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 0);
  bp_player_step_back (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 0);

  /* Position ↔ pass state. */
  g_assert_cmpuint (bp_session_position_for (bp_player_get_session (player), BP_PASS_BACKWARD, 2), ==, n_forward + 2);
  g_assert_cmpuint (bp_session_position_for (bp_player_get_session (player), BP_PASS_FORWARD, 99), ==, n_forward);
  g_assert_cmpuint (bp_session_position_for (bp_player_get_session (player), BP_PASS_NONE, 3), ==, 0);
}

static void
test_fill_state (void)
{
  g_autoptr(BpDocument) doc = load_apples ();
  g_autoptr(BpPlayer) player = bp_ui_test_player_new (bp_document_get_graph (doc));
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;

  bp_session_set_position (bp_player_get_session (player), bp_session_get_n_forward (bp_player_get_session (player)) + 3);
  bp_player_fill_state (player, &state);
  g_assert_cmpint (state.pass, ==, BP_PASS_BACKWARD);
  g_assert_cmpuint (state.step, ==, 3);
  g_assert_cmpfloat (state.progress, ==, 1.0);
}

static void
test_recompute_keeps_position (void)
{
  g_autoptr(BpDocument) doc = load_apples ();
  BpGraph *graph = bp_document_get_graph (doc);
  g_autoptr(BpPlayer) player = bp_ui_test_player_new (graph);
  BpSession *session = bp_player_get_session (player);
  BpHistory *history = bp_session_get_history (session);
  g_autoptr(BpTensor) value = bp_tensor_new_scalar (150);
  g_autoptr(GError) error = NULL;
  guint n_forward = bp_session_get_n_forward (session);
  const BpStep *step;

  bp_session_set_position (session, n_forward + 2);
  step = bp_session_get_current_step (session);
  g_assert_cmpstr (bp_node_get_id (step->node), ==, "apple_price");
  /* ∂price/∂apple_price = tax = 1.1 */
  g_assert_cmpfloat_with_epsilon (step->upstream->data[0], 1.1, 1e-12);

  /* Edit a value during playback: the session runs the passes again and
   * the position stays on backward step 2. */
  g_assert_true (bp_history_set_value (history, bp_graph_lookup (graph, "apple"), value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bp_session_get_position (session), ==, n_forward + 2);
  step = bp_session_get_current_step (session);
  g_assert_cmpstr (bp_node_get_id (step->node), ==, "apple_price");
  /* ∂price/∂apple = apple_num × tax stays 2.2; the value changed. */
  step = bp_trace_get_step (bp_session_get_trace (session), n_forward - 1);
  g_assert_cmpfloat_with_epsilon (step->value->data[0], 330.0, 1e-9);

  /* At the end of a pass, a new node keeps the player at the end. */
  {
    BpNode *extra;

    bp_session_set_position (session, n_forward);
    extra = bp_history_add_node (history, "neg", 0, 0, &error);
    g_assert_no_error (error);
    g_assert_true (bp_history_connect (history, bp_graph_lookup (graph, "apple"), extra, 0, &error));
    g_assert_cmpuint (bp_session_get_n_forward (session), ==, n_forward + 1);
    g_assert_cmpuint (bp_session_get_position (session), ==, n_forward + 1);
    bp_session_set_position (session, bp_session_get_n_steps (session));
    bp_history_delete_nodes (history, &extra, 1);
    g_assert_cmpuint (bp_session_get_position (session), ==, bp_session_get_n_steps (session));
    bp_session_set_position (session, n_forward + 2);
  }

  bp_history_set_value (history, bp_graph_lookup (graph, "tax"), value, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_session_get_position (session), ==, n_forward + 2);
  step = bp_session_get_current_step (session);
  g_assert_cmpfloat_with_epsilon (step->upstream->data[0], 150.0, 1e-9);
}

static void
test_invalid_graph (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpPlayer) player = NULL;
  g_autoptr(GError) error = NULL;
  BpNode *x, *mul;

  mul = bp_graph_add_node (graph, "m", "mul", &error);
  g_assert_no_error (error);

  /* No input of m is connected: nothing to play, and a reason. */
  player = bp_ui_test_player_new (graph);
  g_assert_cmpuint (bp_session_get_n_steps (bp_player_get_session (player)), ==, 0);
  g_assert_nonnull (bp_session_get_error (bp_player_get_session (player)));
  bp_player_step (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 0);
  bp_player_play (player);
  g_assert_false (bp_player_get_playing (player));

  /* Input y still is not: the part that can be computed (x) plays, and
   * the reason stays. Edits go through the session's history, which
   * runs the passes again. */
  {
    BpSession *session = bp_player_get_session (player);
    BpHistory *history = bp_session_get_history (session);

    mul = bp_graph_lookup (bp_session_get_graph (session), "m");
    x = bp_history_add_node (history, "input", 0, 0, &error);
    g_assert_no_error (error);
    g_assert_true (bp_history_connect (history, x, mul, 0, &error));
    g_assert_cmpuint (bp_session_get_n_steps (session), ==, 1);
    g_assert_cmpuint (bp_session_get_n_forward (session), ==, 1);
    g_assert_nonnull (bp_session_get_error (session));

    /* Fixing it brings the steps. */
    g_assert_true (bp_history_connect (history, x, mul, 1, &error));
    g_assert_cmpuint (bp_session_get_n_steps (session), >, 1);
  }
  g_assert_null (bp_session_get_error (bp_player_get_session (player)));
}

static void
quit_when_stopped_cb (BpPlayer   *player,
                      GParamSpec *pspec,
                      GMainLoop  *loop)
{
  if (!bp_player_get_playing (player))
    g_main_loop_quit (loop);
}

static void
test_play (void)
{
  g_autoptr(BpDocument) doc = load_apples ();
  g_autoptr(BpPlayer) player = bp_ui_test_player_new (bp_document_get_graph (doc));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint n_forward = bp_session_get_n_forward (bp_player_get_session (player));
  guint n_steps = bp_session_get_n_steps (bp_player_get_session (player));
  g_autofree char *text = NULL;

  bp_player_set_speed (player, 100);   /* clamped */
  g_assert_cmpfloat (bp_player_get_speed (player), ==, BP_PLAYER_MAX_SPEED);
  g_assert_cmpuint (bp_player_get_pause_duration (player), <, 200);

  g_signal_connect (player, "notify::playing", G_CALLBACK (quit_when_stopped_cb), loop);

  /* Forward plays the forward pass from the start and stops at its end. */
  bp_session_set_position (bp_player_get_session (player), n_steps);
  bp_player_forward (player);
  g_assert_true (bp_player_get_playing (player));
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 1);
  g_main_loop_run (loop);
  g_assert_false (bp_player_get_playing (player));
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward);

  /* Backward plays from every value shown to the last gradient. */
  bp_player_reset (player);
  bp_player_backward (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_forward + 1);
  g_main_loop_run (loop);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_steps);
  text = bp_session_describe_position (bp_player_get_session (player));
  g_assert_nonnull (strstr (text, "5 of 5"));

  /* Pause stops where it is; play at the end starts over. */
  bp_player_play (player);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 1);
  bp_player_pause (player);
  g_assert_false (bp_player_get_playing (player));
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, 1);
  bp_player_toggle_play (player);
  g_assert_true (bp_player_get_playing (player));
  g_main_loop_run (loop);
  g_assert_cmpuint (bp_session_get_position (bp_player_get_session (player)), ==, n_steps);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/player/positions", test_positions);
  g_test_add_func ("/player/fill-state", test_fill_state);
  g_test_add_func ("/player/recompute-keeps-position", test_recompute_keeps_position);
  g_test_add_func ("/player/invalid-graph", test_invalid_graph);
  g_test_add_func ("/player/play", test_play);

  return g_test_run ();
}
