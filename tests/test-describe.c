/* SPDX-License-Identifier: MIT */
/* The diagram in words: the sentences a screen reader speaks for a node
 * and a step, the quiz blanks left out as the picture leaves them out,
 * and the text transcript of both passes. */
#include <string.h>
#include <glib/gstdio.h>

#include "bp-describe.h"
#include "bp-examples.h"
#include "bp-export.h"

static BpDocument *
load_apples (void)
{
  g_autoptr(GError) error = NULL;
  BpDocument *document = bp_examples_load ("apples", &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  bp_graph_set_record_trace (bp_document_get_graph (document), TRUE);
  g_assert_true (bp_graph_backward (bp_document_get_graph (document), &error));
  g_assert_no_error (error);
  return document;
}

static void
assert_contains (const char *text, const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

static void
assert_lacks (const char *text, const char *part)
{
  if (strstr (text, part) != NULL)
    g_error ("“%s” contains “%s”", text, part);
}

static void
test_node (void)
{
  g_autoptr(BpDocument) document = load_apples ();
  BpGraph *graph = bp_document_get_graph (document);
  BpTrace *trace = bp_graph_get_trace (graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpNode *apple_price = bp_graph_lookup (graph, "apple_price");
  BpNode *apple = bp_graph_lookup (graph, "apple");
  g_autofree char *at_end = NULL;
  g_autofree char *before = NULL;
  g_autofree char *forward = NULL;
  g_autofree char *leaf = NULL;

  /* The end of the backward pass: value, gradient, inputs and output. */
  bp_diagram_state_set_position (&state, trace, bp_trace_get_n_steps (trace));
  at_end = bp_describe_node (graph, trace, &state, apple_price);
  assert_contains (at_end, bp_node_get_label (apple_price));
  assert_contains (at_end, "Multiply node");
  assert_contains (at_end, "value 200");
  assert_contains (at_end, "gradient 1.1");
  assert_contains (at_end, "inputs apple");
  assert_contains (at_end, "output to");

  /* Before any step: no numbers for computed nodes, a leaf's value. */
  bp_diagram_state_set_position (&state, trace, 0);
  before = bp_describe_node (graph, trace, &state, apple_price);
  assert_contains (before, "not computed yet");
  assert_lacks (before, "200");
  leaf = bp_describe_node (graph, trace, &state, apple);
  assert_contains (leaf, "value 100");
  assert_lacks (leaf, "gradient");

  /* After the forward pass: the value, no gradient yet. */
  bp_diagram_state_set_position (&state, trace, bp_trace_get_n_forward (trace));
  forward = bp_describe_node (graph, trace, &state, apple_price);
  assert_contains (forward, "value 200");
  assert_lacks (forward, "gradient");
}

/* The book's numbers, step by step. */
static void
test_steps (void)
{
  g_autoptr(BpDocument) document = load_apples ();
  BpGraph *graph = bp_document_get_graph (document);
  BpTrace *trace = bp_graph_get_trace (graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  guint n_forward = bp_trace_get_n_forward (trace);
  guint n_steps = bp_trace_get_n_steps (trace);
  g_autofree char *ready = bp_describe_step (trace, &state, 0);
  g_autofree char *last_forward = NULL;
  g_autofree char *first_backward = NULL;
  g_autoptr(GString) all = g_string_new (NULL);

  assert_contains (ready, "Ready");
  bp_diagram_state_set_position (&state, trace, n_forward);
  last_forward = bp_describe_step (trace, &state, n_forward);
  assert_contains (last_forward, "Forward step");
  assert_contains (last_forward, "computes 220");

  bp_diagram_state_set_position (&state, trace, n_forward + 1);
  first_backward = bp_describe_step (trace, &state, n_forward + 1);
  assert_contains (first_backward, "Backward step 1 of");
  assert_contains (first_backward, "receives the gradient 1");
  assert_contains (first_backward, "1 × 1.1 = 1.1");
  assert_contains (first_backward, "1 × 200 = 200");

  for (guint p = n_forward + 1; p <= n_steps; p++)
    {
      g_autofree char *sentence = NULL;

      bp_diagram_state_set_position (&state, trace, p);
      sentence = bp_describe_step (trace, &state, p);
      g_string_append_printf (all, "%s\n", sentence);
    }
  /* d apple 2.2, d apple count 110, d tax 200 */
  assert_contains (all->str, "receives the gradient 2.2");
  assert_contains (all->str, "receives the gradient 110");
  assert_contains (all->str, "receives the gradient 200");
}

/* After the backward pass of a training iteration: its param updates. */
static void
test_update (void)
{
  g_autoptr(BpDocument) document = load_apples ();
  BpGraph *graph = bp_document_get_graph (document);
  BpTrace *trace = bp_graph_get_trace (graph);
  g_autoptr(BpTensor) before = bp_tensor_new_scalar (0.5);
  g_autoptr(BpTensor) grad = bp_tensor_new_scalar (0.2);
  g_autoptr(BpTensor) after = bp_tensor_new_scalar (0.48);
  BpUpdateStep update = { bp_graph_lookup (graph, "tax"), before, grad, after, 0.1,
                          "W ← W − η·∂L/∂W", BP_OPTIMIZER_SGD };
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  guint n_steps = bp_trace_get_n_steps (trace);
  g_autofree char *sentence = NULL;

  state.updates = &update;
  state.n_updates = 1;
  bp_diagram_state_set_position (&state, trace, n_steps + 1);
  sentence = bp_describe_step (trace, &state, n_steps + 1);
  assert_contains (sentence, "Update step 1 of 1: tax, W ← W − η·∂L/∂W with η = 0.1");
  assert_contains (sentence, "from 0.5 with the gradient 0.2 to 0.48");
}

/* A quiz blank is a blank in words too: the number is not spoken. */
static void
test_blanks (void)
{
  g_autoptr(BpDocument) document = load_apples ();
  BpGraph *graph = bp_document_get_graph (document);
  BpTrace *trace = bp_graph_get_trace (graph);
  BpNode *tax = bp_graph_lookup (graph, "tax");
  BpNode *price = bp_graph_lookup (graph, "price");
  g_autoptr(GHashTable) hidden_grads = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) hidden_values = g_hash_table_new (NULL, NULL);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  g_autofree char *node = NULL;
  g_autofree char *out = NULL;
  g_autofree char *transcript = NULL;
  guint n_steps = bp_trace_get_n_steps (trace);

  g_hash_table_add (hidden_grads, tax);
  g_hash_table_add (hidden_values, price);
  state.hidden_grads = hidden_grads;
  state.hidden_values = hidden_values;
  bp_diagram_state_set_position (&state, trace, n_steps);
  node = bp_describe_node (graph, trace, &state, tax);
  assert_contains (node, "gradient a blank");
  assert_lacks (node, "200");
  out = bp_describe_node (graph, trace, &state, price);
  assert_contains (out, "value a blank");
  assert_lacks (out, "220");

  transcript = bp_describe_transcript (graph, trace, &state, "Apples");
  assert_lacks (transcript, "220");
  assert_lacks (transcript, "= 200 to tax");
  assert_lacks (transcript, "gradient 200");
}

static void
test_transcript (void)
{
  g_autoptr(BpDocument) document = load_apples ();
  BpGraph *graph = bp_document_get_graph (document);
  BpTrace *trace = bp_graph_get_trace (graph);
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  g_autofree char *text = bp_describe_transcript (graph, trace, NULL, "Apple shopping");
  g_autofree char *dir = g_dir_make_tmp ("bp-describe-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "apples.txt", NULL);
  g_autofree char *file_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint n_forward = bp_trace_get_n_forward (trace);
  g_autofree char *last = g_strdup_printf ("Backward step %u of %u",
                                           bp_trace_get_n_backward (trace),
                                           bp_trace_get_n_backward (trace));

  g_assert_true (g_str_has_prefix (text, "Apple shopping\n"));
  assert_contains (text, "Nodes");
  assert_contains (text, "Edges");
  assert_contains (text, "Forward pass:");
  assert_contains (text, "Backward pass:");
  assert_contains (text, last);
  assert_contains (text, "value 220");
  /* Every step once. */
  for (guint p = 1; p <= bp_trace_get_n_steps (trace); p++)
    {
      g_autofree char *head = p <= n_forward
          ? g_strdup_printf ("- Forward step %u of %u:", p, n_forward)
          : g_strdup_printf ("- Backward step %u of %u:", p - n_forward, bp_trace_get_n_backward (trace));

      assert_contains (text, head);
    }

  /* The export writes the same text, as a file and in memory. */
  bp_diagram_state_set_position (&state, trace, bp_trace_get_n_steps (trace));
  g_assert_true (bp_export_to_file (diagram, trace, &state, path, 1.0, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &file_text, NULL, &error));
  assert_contains (file_text, last);
  bytes = bp_export_to_bytes (diagram, trace, &state, BP_EXPORT_TEXT, NULL, &error);
  g_assert_no_error (error);
  assert_contains (g_bytes_get_data (bytes, NULL), last);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/describe/node", test_node);
  g_test_add_func ("/describe/steps", test_steps);
  g_test_add_func ("/describe/blanks", test_blanks);
  g_test_add_func ("/describe/update", test_update);
  g_test_add_func ("/describe/transcript", test_transcript);
  return g_test_run ();
}
