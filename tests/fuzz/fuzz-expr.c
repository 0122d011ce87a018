/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the .bpx expression parser. A graph that parses
 * must also survive the document format unchanged. */

#include <string.h>

#include "bp-document.h"
#include "bp-expr.h"

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *text = NULL;
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;

  /* The parser takes a C string: stop at the first NUL as a file would. */
  text = g_strndup ((const char *) data, size);
  graph = bp_expr_parse (text, &error);
  if (graph == NULL)
    {
      if (error == NULL || error->domain != BP_ERROR || error->message == NULL)
        g_error ("parse failed without a BP_ERROR");
      return 0;
    }
  if (bp_graph_get_output (graph) == NULL)
    g_error ("a parsed graph has no output");

  document = bp_document_new_for_graph (graph);
  saved = bp_document_to_data (document, NULL);
  again = bp_document_load_from_data (saved, -1, &error);
  if (again == NULL)
    g_error ("a parsed graph does not load as a document: %s\n%s", error->message, saved);
  saved_again = bp_document_to_data (again, NULL);
  if (g_strcmp0 (saved, saved_again) != 0)
    g_error ("document round trip differs:\n%s\n---\n%s", saved, saved_again);
  return 0;
}
