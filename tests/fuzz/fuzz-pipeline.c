/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the whole path a file takes in the application:
 * load → forward and backward passes with their trace → gradient check
 * (small inputs only, and bounded) → automatic layout of missing
 * positions → SVG export. Every step may refuse the input with a
 * BP_ERROR; none may crash, leak or hang. */

#include "bp-document.h"
#include "bp-export.h"
#include "bp-gradcheck.h"
#include "bp-layout.h"

/* Keeps each input fast enough for a fuzzer (and for the replay test). */
#define MAX_NODES     64
#define MAX_ELEMENTS  256
#define CHECK_BOUND   64

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

static void
assert_engine_error (const GError *error,
                     const char   *step)
{
  if (error == NULL || error->domain != BP_ERROR || error->message == NULL)
    g_error ("%s failed without a BP_ERROR", step);
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDiagram) diagram = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) svg = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpGraph *graph;
  BpTrace *trace = NULL;
  guint n;

  if (size > G_MAXSSIZE)
    return 0;
  document = bp_document_load_from_data ((const char *) data, (gssize) size, &error);
  if (document == NULL)
    {
      assert_engine_error (error, "load");
      return 0;
    }
  graph = bp_document_get_graph (document);
  n = bp_graph_get_n_nodes (graph);
  if (n > MAX_NODES || bp_grad_check_count_elements (graph) > MAX_ELEMENTS)
    return 0;

  /* Passes: a graph with shape errors or no single output is refused. */
  bp_graph_set_record_trace (graph, TRUE);
  if (bp_graph_validate (graph, &error) && bp_graph_get_output (graph) != NULL)
    {
      if (bp_graph_backward (graph, &error))
        {
          g_autoptr(BpGraph) copy = bp_graph_copy (graph);
          g_autoptr(BpGradCheck) check = NULL;

          trace = bp_graph_get_trace (graph);
          state.pass = BP_PASS_BACKWARD;
          state.step = bp_trace_get_n_backward (trace);
          /* On a copy, as the application's worker does. */
          check = bp_grad_check_run_full (copy, 0, CHECK_BOUND, BP_GRAD_CHECK_SAMPLE, 1,
                                          NULL, NULL, NULL, &error);
          if (check == NULL)
            assert_engine_error (error, "gradient check");
          else if (check->n_checked > CHECK_BOUND)
            g_error ("the gradient check compared %u elements, above its bound %u",
                     check->n_checked, CHECK_BOUND);
          g_clear_error (&error);
        }
      else
        assert_engine_error (error, "backward");
    }
  else if (error != NULL)
    assert_engine_error (error, "validate");
  g_clear_error (&error);

  diagram = bp_diagram_new (graph);
  if (!bp_layout_arrange (diagram, TRUE, &error))
    {
      assert_engine_error (error, "layout");
      return 0;
    }
  svg = bp_export_to_bytes (diagram, trace, &state, BP_EXPORT_SVG, NULL, &error);
  if (svg == NULL)
    assert_engine_error (error, "export");
  else if (g_bytes_get_size (svg) == 0)
    g_error ("an empty SVG");
  return 0;
}
