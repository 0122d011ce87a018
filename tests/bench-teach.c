/* SPDX-License-Identifier: MIT */
/* The book's argument for backpropagation, in figures: for every built-in
 * example, what the gradient check costs by numerical differentiation
 * (2 forward passes per leaf element) against one forward and one
 * backward pass, and how far the two agree. Also how fast the player
 * steps through a whole trace. Prints figures; asserts nothing timed. */
#include "bp-ui-test.h"
#include "bp-examples.h"
#include "bp-gradcheck.h"
#include "bp-player.h"

int
main (int   argc,
      char *argv[])
{
  const BpExample *examples;
  guint n_examples = 0;

  g_test_init (&argc, &argv, NULL);

  examples = bp_examples_get_all (&n_examples);
  g_print ("%-20s %8s %10s %12s %12s %8s %10s\n", "example", "elements", "fwd passes",
           "numeric ms", "backprop ms", "ratio", "max rel");
  for (guint i = 0; i < n_examples; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDocument) doc = bp_examples_load (examples[i].name, &error);
      g_autoptr(BpGradCheck) check = NULL;
      double numeric_ms, backprop_ms;

      if (doc == NULL)
        {
          g_printerr ("%s: %s\n", examples[i].name, error->message);
          return 1;
        }
      check = bp_grad_check_run (bp_document_get_graph (doc), 0.0, &error);
      if (check == NULL)
        {
          g_print ("%-20s (no check: %s)\n", examples[i].name, error->message);
          continue;
        }
      numeric_ms = check->numeric_seconds * 1000.0;
      backprop_ms = check->backprop_seconds * 1000.0;
      g_print ("%-20s %8u %10u %12.4f %12.4f %8.1f %10.1e\n", examples[i].name,
               check->numeric_forward_evals / 2, check->numeric_forward_evals,
               numeric_ms, backprop_ms,
               backprop_ms > 0 ? numeric_ms / backprop_ms : 0.0,
               check->max_rel_error);
    }

  /* A layer of the size of a small network: sum(sigmoid(X · W)), X 16×64,
   * W 64×64 — 5120 leaf elements. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BpGraph) graph = bp_graph_new ();
    g_autoptr(BpTensor) x = bp_tensor_new (16, 64);
    g_autoptr(BpTensor) w = bp_tensor_new (64, 64);
    g_autoptr(BpGradCheck) check = NULL;
    BpNode *nx, *nw, *mm, *sg, *sum;

    for (gsize k = 0; k < bp_tensor_n_elements (x); k++)
      x->data[k] = g_test_rand_double_range (-1, 1);
    for (gsize k = 0; k < bp_tensor_n_elements (w); k++)
      w->data[k] = g_test_rand_double_range (-0.2, 0.2);
    nx = bp_graph_add_node (graph, "X", "input", &error);
    nw = bp_graph_add_node (graph, "W", "param", &error);
    mm = bp_graph_add_node (graph, "XW", "matmul", &error);
    sg = bp_graph_add_node (graph, "Y", "sigmoid", &error);
    sum = bp_graph_add_node (graph, "L", "sum", &error);
    bp_node_set_value (nx, x);
    bp_node_set_value (nw, w);
    if (!bp_graph_connect (graph, nx, mm, 0, &error) ||
        !bp_graph_connect (graph, nw, mm, 1, &error) ||
        !bp_graph_connect (graph, mm, sg, 0, &error) ||
        !bp_graph_connect (graph, sg, sum, 0, &error) ||
        (check = bp_grad_check_run (graph, 0.0, &error)) == NULL)
      {
        g_printerr ("layer: %s\n", error->message);
        return 1;
      }
    g_print ("%-20s %8u %10u %12.4f %12.4f %8.1f %10.1e\n", "layer 16×64·64×64",
             check->numeric_forward_evals / 2, check->numeric_forward_evals,
             check->numeric_seconds * 1000.0, check->backprop_seconds * 1000.0,
             check->backprop_seconds > 0 ? check->numeric_seconds / check->backprop_seconds : 0.0,
             check->max_rel_error);
  }

  /* Stepping: every position of the two-layer net's trace, forward and back. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BpDocument) doc = bp_examples_load ("two-layer-net", &error);
    g_autoptr(BpPlayer) player = NULL;
    gint64 start;
    guint n_steps, rounds = 200;

    if (doc == NULL)
      return 0;
    player = bp_ui_test_player_new (bp_document_get_graph (doc));
    n_steps = bp_session_get_n_steps (bp_player_get_session (player));
    start = g_get_monotonic_time ();
    for (guint r = 0; r < rounds; r++)
      {
        for (guint k = 0; k < n_steps; k++)
          bp_player_step (player);
        for (guint k = 0; k < n_steps; k++)
          bp_player_step_back (player);
      }
    g_print ("player: %u steps of two-layer-net, %.2f µs per step (no animation)\n",
             n_steps, (g_get_monotonic_time () - start) / (2.0 * rounds * n_steps));
  }
  return 0;
}
