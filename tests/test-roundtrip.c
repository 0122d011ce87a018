/* SPDX-License-Identifier: MIT */
/* Whatever the writer writes, the loader loads: every fuzz corpus input
 * that loads (or parses, for expressions) is saved to a file and opened
 * again, and so are documents at each limit of README.md, up to a
 * 200,000-node chain laid out automatically. */

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "bp-document.h"
#include "bp-expr.h"
#include "bp-layout.h"

static char *tmp_dir;

/* Saves through the real file path and loads it back; the text must be
 * canonical (save → load → save identical) and the graph the same size. */
static void
assert_round_trip (BpDocument *document,
                   const char *what)
{
  g_autofree char *path = g_build_filename (tmp_dir, "round-trip.bpgraph", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) again = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  gsize length;

  saved = bp_document_to_data (document, &length);
  if (!bp_document_save_to_path (document, path, &error))
    g_error ("%s: the writer refused its own document: %s", what, error->message);
  again = bp_document_load_from_path (path, &error);
  if (again == NULL)
    g_error ("%s: a saved document does not load again: %s", what, error->message);
  g_assert_cmpuint (bp_graph_get_n_nodes (bp_document_get_graph (again)), ==,
                    bp_graph_get_n_nodes (bp_document_get_graph (document)));
  saved_again = bp_document_to_data (again, NULL);
  if (g_strcmp0 (saved, saved_again) != 0)
    g_error ("%s: save → load → save is not byte-identical", what);
  g_unlink (path);
}

static guint
for_each_file (const char *dir,
               void      (*func) (const char *contents, gsize length, const char *name))
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      func (contents, length, name);
      n++;
    }
  return n;
}

static guint n_loaded;

static void
document_input (const char *contents,
                gsize       length,
                const char *name)
{
  g_autoptr(BpDocument) document = bp_document_load_from_data (contents, (gssize) length, NULL);

  if (document == NULL)
    return;
  n_loaded++;
  assert_round_trip (document, name);
}

static void
expr_input (const char *contents,
            gsize       length,
            const char *name)
{
  g_autofree char *text = g_strndup (contents, length);
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(BpDocument) document = NULL;

  if (strlen (text) != length)
    return;
  graph = bp_expr_parse (text, NULL);
  if (graph == NULL)
    return;
  n_loaded++;
  document = bp_document_new_for_graph (graph);
  assert_round_trip (document, name);
}

static void
test_corpus (void)
{
  g_autofree char *documents = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus-document", NULL);
  g_autofree char *exprs = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus-expr", NULL);
  g_autofree char *pipeline = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus-pipeline", NULL);
  guint n;

  n_loaded = 0;
  n = for_each_file (documents, document_input);
  n += for_each_file (pipeline, document_input);
  n += for_each_file (exprs, expr_input);
  g_test_message ("%u of %u corpus inputs load and round-trip", n_loaded, n);
  g_assert_cmpuint (n_loaded, >, 50);
}

/* One document with every text, id, value and position at its limit. */
static void
test_limits (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) big = bp_tensor_new (1024, BP_DOCUMENT_MAX_ELEMENTS / 1024);
  g_autofree char *long_id = g_strnfill (BP_DOCUMENT_MAX_ID, 'i');
  g_autofree char *long_text = NULL;
  GString *text = g_string_new (NULL);
  BpNode *a, *b, *c;

  /* Multi-byte characters up to the byte limit. */
  while (text->len + strlen ("가") <= BP_DOCUMENT_MAX_TEXT)
    g_string_append (text, "가");
  long_text = g_string_free (text, FALSE);

  for (gsize i = 0; i < bp_tensor_n_elements (big); i++)
    big->data[i] = i % 3 == 0 ? -1.0 / 3 : i % 3 == 1 ? 1e300 : NAN;

  a = bp_graph_add_node (graph, long_id, "input", &error);
  g_assert_no_error (error);
  bp_node_set_value (a, big);
  bp_node_set_label (a, long_text);
  bp_node_set_position (a, BP_DOCUMENT_MAX_COORD, -BP_DOCUMENT_MAX_COORD);
  b = bp_graph_add_node (graph, "b", "sum", &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, a, b, 0, &error));
  bp_node_set_position (b, -BP_DOCUMENT_MAX_COORD, BP_DOCUMENT_MAX_COORD);
  c = bp_graph_add_node (graph, "c", "input", &error);
  g_assert_no_error (error);
  bp_node_set_label (c, "\xf0\x9f\x98\x80 \"quoted\" \\ \t\n\x01\x7f");

  document = bp_document_new_for_graph (graph);
  bp_document_set_title (document, long_text);
  bp_document_set_description (document, "en", long_text);
  bp_document_set_description (document, "ko", long_text);
  bp_document_set_quiz (document, long_id, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  assert_round_trip (document, "limits");
}

/* The node limit: a chain of 200,000 nodes, laid out automatically,
 * saves to a file that opens, with every coordinate within the limit. */
static void
test_node_limit_chain (void)
{
  g_autoptr(GString) text = g_string_new ("x0 = 1\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(BpDiagram) diagram = NULL;
  g_autoptr(BpDocument) document = NULL;
  double max_x = 0, max_y = 0;
  gsize length;
  g_autofree char *data = NULL;

  for (guint i = 1; i < BP_DOCUMENT_MAX_NODES; i++)
    g_string_append_printf (text, "x%u = -x%u\n", i, i - 1);
  graph = bp_expr_parse (text->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, BP_DOCUMENT_MAX_NODES);

  diagram = bp_diagram_new (graph);
  g_assert_true (bp_layout_arrange (diagram, FALSE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < BP_DOCUMENT_MAX_NODES; i++)
    {
      double x, y;

      g_assert_true (bp_node_get_position (bp_graph_get_node (graph, i), &x, &y));
      max_x = MAX (max_x, fabs (x));
      max_y = MAX (max_y, fabs (y));
    }
  g_test_message ("200,000-node chain: |x| ≤ %g, |y| ≤ %g", max_x, max_y);
  g_assert_cmpfloat (max_x, <=, BP_DOCUMENT_MAX_COORD);
  g_assert_cmpfloat (max_y, <=, BP_DOCUMENT_MAX_COORD);

  document = bp_document_new_for_graph (graph);
  data = bp_document_to_data (document, &length);
  g_test_message ("200,000-node chain: %" G_GSIZE_FORMAT " bytes", length);
  g_assert_cmpuint (length, <=, BP_DOCUMENT_MAX_BYTES);
  assert_round_trip (document, "200,000-node chain");
}

/* A document whose text would be over the file limit is not written (it
 * would never open again): the old file stays. */
static void
test_too_big_is_refused (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "kept.bpgraph", NULL);
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *label = g_strnfill (BP_DOCUMENT_MAX_TEXT, 'l');

  /* 600 labels of 64 KiB: 38 MiB of text, over the file limit. */
  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *id = g_strdup_printf ("n%u", i);
      BpNode *node = bp_graph_add_node (graph, id, "input", &error);

      g_assert_no_error (error);
      bp_node_set_label (node, label);
    }
  document = bp_document_new_for_graph (graph);
  g_file_set_contents (path, "old", -1, &error);
  g_assert_no_error (error);
  g_assert_false (bp_document_save_to_path (document, path, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_file_get_contents (path, &contents, NULL, NULL);
  g_assert_cmpstr (contents, ==, "old");
  g_unlink (path);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-roundtrip-XXXXXX", NULL);

  g_test_add_func ("/round-trip/corpus", test_corpus);
  g_test_add_func ("/round-trip/limits", test_limits);
  g_test_add_func ("/round-trip/node-limit-chain", test_node_limit_chain);
  g_test_add_func ("/round-trip/too-big-is-refused", test_too_big_is_refused);

  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
