/* SPDX-License-Identifier: MIT */
/* Drives the built `bpgraph` (path in argv[1]) on files and -e
 * expressions, and reads its JSON back with json-glib. */

#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bp-document.h"
#include "bp-graph.h"
#include "bp-examples.h"
#include "bp-train-settings.h"

static const char *bpgraph;
static char *tmpdir;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs bpgraph with the NULL-terminated arguments. */
G_GNUC_NULL_TERMINATED
static void
run_bpgraph (Run *run,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;
  int wait_status;

  g_ptr_array_add (args, (gpointer) bpgraph);
  va_start (ap, run);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* nodes[id][member] as an array of rows. */
static JsonArray *
node_member (JsonNode   *root,
             const char *id,
             const char *member)
{
  JsonObject *nodes = json_object_get_object_member (json_node_get_object (root), "nodes");
  JsonObject *node;

  g_assert_true (json_object_has_member (nodes, id));
  node = json_object_get_object_member (nodes, id);
  return json_object_get_array_member (node, member);
}

static double
element (JsonArray *rows,
         guint      r,
         guint      c)
{
  return json_array_get_double_element (json_array_get_array_element (rows, r), c);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static void
test_eval_json_file (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "resources", "examples",
                                                 "apples.bpgraph", NULL);
  JsonObject *nodes;

  run_bpgraph (&run, "eval", path, "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  root = parse_json (run.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "output"), ==,
                   "price");
  nodes = json_object_get_object_member (json_node_get_object (root), "nodes");
  g_assert_cmpuint (json_object_get_size (nodes), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (nodes, "price"),
                                                  "op"), ==, "mul");
  g_assert_cmpfloat_with_epsilon (element (node_member (root, "price", "value"), 0, 0), 220, 1e-9);
  g_assert_cmpfloat (element (node_member (root, "price", "grad"), 0, 0), ==, 1);
  g_assert_cmpfloat_with_epsilon (element (node_member (root, "apple", "grad"), 0, 0), 2.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (element (node_member (root, "apple_num", "grad"), 0, 0), 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (element (node_member (root, "tax", "grad"), 0, 0), 200, 1e-9);
}

static void
test_eval_json_expression (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;

  run_bpgraph (&run, "eval", "-e", "x = 2; y = 3; z = (x + y) ^ 2", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_json (run.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "output"), ==, "z");
  g_assert_cmpfloat (element (node_member (root, "z", "value"), 0, 0), ==, 25);
  g_assert_cmpfloat (element (node_member (root, "x", "grad"), 0, 0), ==, 10);
  g_assert_cmpfloat (element (node_member (root, "y", "grad"), 0, 0), ==, 10);
}

/* Full double precision: 0.1 + 0.2 prints as 0.30000000000000004. */
static void
test_eval_precision (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *value;

  run_bpgraph (&run, "eval", "-e", "a = 0.1\nb = 0.2\nc = a + b\n", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "0.30000000000000004"));
  root = parse_json (run.out);
  g_assert_cmpfloat (element (node_member (root, "c", "value"), 0, 0), ==, 0.1 + 0.2);

  run_clear (&run);
  json_node_unref (g_steal_pointer (&root));
  run_bpgraph (&run, "eval", "-e", "x = [[1, 2], [3, 4]]; y = sum(x, 0)", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_json (run.out);
  value = node_member (root, "y", "value");
  g_assert_cmpuint (json_array_get_length (value), ==, 1);
  g_assert_cmpfloat (element (value, 0, 1), ==, 6);
  value = node_member (root, "x", "grad");
  g_assert_cmpuint (json_array_get_length (value), ==, 2);
  g_assert_cmpfloat (element (value, 1, 1), ==, 1);
}

/* A product large enough for BLAS: where bpgraph is a static program,
 * which cannot load OpenBLAS, it hands the run to its dynamic helper,
 * so every digit is what the engine computes in a program that loads
 * the library (this one). The matrix ops' own loops add in another
 * order and differ in the last digits. */
static void
test_eval_large_product (void)
{
  g_autofree char *path = tmp_path ("large-product.bpgraph");
  g_autoptr(GString) doc = g_string_new ("{\"format\": \"backprop-studio\", \"version\": 1, "
                                         "\"output\": \"L\", \"nodes\": [\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  const char *const ids[] = { "X", "W", "Y", "Z" };
  BpGraph *graph;

  for (guint m = 0; m < 2; m++)
    {
      g_string_append_printf (doc, "{\"id\": \"%s\", \"op\": \"%s\", \"value\": [",
                              ids[m], m == 0 ? "input" : "param");
      for (guint r = 0; r < 24; r++)
        {
          g_string_append (doc, r > 0 ? ", [" : "[");
          for (guint c = 0; c < 24; c++)
            {
              char number[G_ASCII_DTOSTR_BUF_SIZE];

              g_ascii_dtostr (number, sizeof number, g_rand_double_range (rand, -1, 1));
              g_string_append_printf (doc, "%s%s", c > 0 ? ", " : "", number);
            }
          g_string_append (doc, "]");
        }
      g_string_append (doc, "]},\n");
    }
  g_string_append (doc, "{\"id\": \"Y\", \"op\": \"matmul\", \"inputs\": [\"X\", \"W\"]},\n"
                        "{\"id\": \"Z\", \"op\": \"tanh\", \"inputs\": [\"Y\"]},\n"
                        "{\"id\": \"L\", \"op\": \"sum\", \"inputs\": [\"Z\"]}]}\n");
  g_assert_true (g_file_set_contents (path, doc->str, -1, NULL));

  run_bpgraph (&run, "eval", path, "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  root = parse_json (run.out);

  document = bp_document_load_from_path (path, &error);
  g_assert_no_error (error);
  graph = bp_document_get_graph (document);
  bp_graph_backward (graph, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      BpNode *node = bp_graph_lookup (graph, ids[i]);
      const BpTensor *value = bp_node_get_value (node);
      const BpTensor *grad = bp_node_get_grad (node);
      JsonArray *values = node_member (root, ids[i], "value");
      JsonArray *grads = node_member (root, ids[i], "grad");

      for (guint r = 0; r < value->rows; r++)
        for (guint c = 0; c < value->cols; c++)
          {
            g_assert_cmpfloat (element (values, r, c), ==, bp_tensor_get (value, r, c));
            g_assert_cmpfloat (element (grads, r, c), ==, bp_tensor_get (grad, r, c));
          }
    }
}

/* With LD_PRELOAD set, a static bpgraph has its dynamic twin run the
 * command (so that the preloaded library sees it); its own answers
 * (--version, --help, a usage error) and the commands' stay the same. */
static void
test_preload (void)
{
  const char *asan = g_getenv ("ASAN_OPTIONS");
  g_autofree char *asan_saved = g_strdup (asan);
  /* A sanitizer's runtime wants to come first otherwise. */
  g_autofree char *asan_preload = g_strconcat (asan != NULL ? asan : "",
                                               asan != NULL ? ":" : "",
                                               "verify_asan_link_order=0", NULL);
  g_auto(Run) plain = { 0 };
  g_auto(Run) version = { 0 };
  g_auto(Run) help = { 0 };
  g_auto(Run) eval = { 0 };
  g_auto(Run) bogus = { 0 };

  run_bpgraph (&plain, "eval", "-e", "x = 3; y = x * x", NULL);
  g_setenv ("ASAN_OPTIONS", asan_preload, TRUE);
  g_setenv ("LD_PRELOAD", "libm.so.6", TRUE);
  run_bpgraph (&version, "--version", NULL);
  run_bpgraph (&help, "--help", NULL);
  run_bpgraph (&eval, "eval", "-e", "x = 3; y = x * x", NULL);
  run_bpgraph (&bogus, "bogus", NULL);
  g_unsetenv ("LD_PRELOAD");
  if (asan_saved != NULL)
    g_setenv ("ASAN_OPTIONS", asan_saved, TRUE);
  else
    g_unsetenv ("ASAN_OPTIONS");

  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "bpgraph "));
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "bpgraph eval"));
  g_assert_cmpint (eval.status, ==, 0);
  g_assert_cmpstr (eval.out, ==, plain.out);
  g_assert_cmpint (bogus.status, ==, 2);
  g_assert_nonnull (strstr (bogus.err, "bogus"));
}

/* A node that does not lead to the output has no gradient: null. */
static void
test_eval_null_grad (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = tmp_path ("side.bpgraph");
  JsonObject *side;

  g_assert_true (g_file_set_contents (path,
                                      "{\"format\": \"backprop-studio\", \"version\": 1, \"output\": \"y\", \"nodes\": ["
                                      "{\"id\": \"x\", \"op\": \"input\", \"value\": 1},"
                                      "{\"id\": \"y\", \"op\": \"exp\", \"inputs\": [\"x\"]},"
                                      "{\"id\": \"side\", \"op\": \"neg\", \"inputs\": [\"x\"]}]}",
                                      -1, NULL));
  run_bpgraph (&run, "eval", path, "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_json (run.out);
  side = json_object_get_object_member (json_object_get_object_member (json_node_get_object (root),
                                                                      "nodes"), "side");
  g_assert_true (json_object_get_null_member (side, "grad"));
  g_assert_cmpfloat_with_epsilon (element (node_member (root, "x", "grad"), 0, 0), exp (1), 1e-12);
}

static void
test_eval_text (void)
{
  g_auto(Run) run = { 0 };

  run_bpgraph (&run, "eval", "-e", "apple = 100; n = 2; tax = 1.1; price = apple * n * tax", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "output: price = 220"));
  g_assert_nonnull (strstr (run.out, "2.2"));
}

/* Broadcasting, reassignment and numpy's axes work from the command line,
 * in expressions and in documents; 1e400 is refused there too. */
static void
test_eval_broadcast (void)
{
  g_autofree char *doc = tmp_path ("broadcast.bpgraph");

  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonNode) root = NULL;

    run_bpgraph (&run, "eval", "-e", "x = [[1, -2], [3, 4]]; c = relu(x) * 2; c += 1; s = sum(c, -1)",
                 "--json", NULL);
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    root = parse_json (run.out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "output"), ==, "s");
    g_assert_cmpfloat (element (node_member (root, "c_2", "value"), 0, 1), ==, 1);
    g_assert_cmpfloat (element (node_member (root, "s", "value"), 0, 0), ==, 4);
    g_assert_cmpfloat (element (node_member (root, "s", "value"), 1, 0), ==, 16);
    g_assert_cmpfloat (element (node_member (root, "x", "grad"), 0, 0), ==, 2);
    g_assert_cmpfloat (element (node_member (root, "x", "grad"), 0, 1), ==, 0);
    /* the constant 2 was copied to the 4 elements: its gradient sums them */
    g_assert_cmpfloat (element (node_member (root, "const1", "grad"), 0, 0), ==, 1 + 0 + 3 + 4);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", "-e", "[[1, 2], [3, 4]] * 2", NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "[[2, 4], [6, 8]]"));
  }

  g_assert_true (g_file_set_contents (doc,
    "{\"format\": \"backprop-studio\", \"version\": 1, \"output\": \"y\", \"nodes\": ["
    "{\"id\": \"X\", \"op\": \"input\", \"value\": [[1, 2, 3], [4, 5, 6]]},"
    "{\"id\": \"b\", \"op\": \"param\", \"value\": [10, 20, 30]},"
    "{\"id\": \"h\", \"op\": \"add\", \"inputs\": [\"X\", \"b\"]},"
    "{\"id\": \"y\", \"op\": \"sum\", \"inputs\": [\"h\"], \"axis\": -2}]}", -1, NULL));
  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonNode) root = NULL;

    run_bpgraph (&run, "eval", doc, "--json", NULL);
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    root = parse_json (run.out);
    g_assert_cmpfloat (element (node_member (root, "y", "value"), 0, 2), ==, 3 + 6 + 60);
    /* the 1×3 bias was copied to 2 rows: its gradient is the sum over the batch */
    g_assert_cmpfloat (element (node_member (root, "b", "grad"), 0, 0), ==, 2);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "check", doc, NULL);
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", "-e", "x = [[1, 2], [3, 4]]; y = x * [1, 2, 3]", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "mul: x is 2×2 but y is 1×3; both need the same shape"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", "-e", "x = 1e400", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "line 1, column 5: the number 1e400 is beyond ±1.8e308"));
  }
}

static void
test_errors (void)
{
  g_autofree char *missing = tmp_path ("missing.bpgraph");
  g_autofree char *bad = tmp_path ("bad.bpgraph");
  g_autofree char *cyclic = g_test_build_filename (G_TEST_DIST, "corpus", "document",
                                                   "cycle.bpgraph", NULL);

  g_assert_true (g_file_set_contents (bad, "{\"format\": \"backprop-studio\"", -1, NULL));

  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "Usage"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "frobnicate", NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "unknown command"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", NULL);
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", "--bogus", "x.bpgraph", NULL);
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", "a.bpgraph", "-e", "x = 1", NULL);
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", missing, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "missing.bpgraph"));
    g_assert_cmpstr (run.out, ==, "");
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", bad, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "not valid JSON"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", cyclic, "--json", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "cycle"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", "-e", "x = 1\ny = x +", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "line 2, column 8: expected"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "eval", "-e", "a = [[1, 2]]; b = [[1, 2]]; c = a @ b", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "matmul"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "convert", "-e", "x = 1; y = exp(x)", NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "-o"));
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "examples", "pears", "-o", "-", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "apples"));
  }
}

static void
test_help (void)
{
  const char *commands[] = { "eval", "check", "export", "convert", "examples", "train",
                             "worksheet" };

  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "--help", NULL);
    g_assert_cmpint (run.status, ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      g_assert_nonnull (strstr (run.out, commands[i]));
  }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      run_bpgraph (&run, commands[i], "--help", NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, commands[i]));
      g_assert_nonnull (strstr (run.out, "Usage"));
    }
}

static void
test_check (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "resources", "examples",
                                                 "two-layer-net.bpgraph", NULL);
  JsonObject *object;

  run_bpgraph (&run, "check", path, "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_json (run.out);
  object = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (object, "agree"));
  g_assert_cmpfloat (json_object_get_double_member (object, "max_rel_error"), <, 1e-5);
  g_assert_true (json_object_has_member (json_object_get_object_member (object, "leaves"), "W1"));
  g_assert_cmpint (json_object_get_int_member (object, "backprop_backward_evals"), ==, 1);

  run_clear (&run);
  run_bpgraph (&run, "check", "-e", "apple = 100; n = 2; tax = 1.1; price = apple * n * tax", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "agree"));
}

static void
test_examples (void)
{
  const BpExample *examples;
  guint n;

  examples = bp_examples_get_all (&n);
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "examples", NULL);
    g_assert_cmpint (run.status, ==, 0);
    for (guint i = 0; i < n; i++)
      g_assert_nonnull (strstr (run.out, examples[i].name));
  }
  for (guint i = 0; i < n; i++)
    {
      g_auto(Run) run = { 0 };
      g_autofree char *file = g_strconcat (examples[i].name, ".bpgraph", NULL);
      g_autofree char *path = tmp_path (file);
      g_autofree char *contents = NULL;

      run_bpgraph (&run, "examples", examples[i].name, "-o", path, NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, examples[i].data);

      /* Every example evaluates. */
      run_clear (&run);
      run_bpgraph (&run, "eval", path, "--json", NULL);
      g_assert_cmpint (run.status, ==, 0);
      json_node_unref (parse_json (run.out));
    }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "examples", "apples", "-o", "-", NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_cmpstr (run.out, ==, bp_examples_lookup ("apples")->data);
  }
}

static void
test_convert (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *bpx = tmp_path ("sigmoid.bpx");
  g_autofree char *out = tmp_path ("sigmoid.bpgraph");
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  BpGraph *graph;
  double x0, y0, x1, y1;

  g_assert_true (g_file_set_contents (bpx, "x = 1\ny = 1 / (1 + exp(-x))\n", -1, NULL));
  run_bpgraph (&run, "convert", bpx, "-o", out, NULL);
  g_assert_cmpint (run.status, ==, 0);

  document = bp_document_load_from_path (out, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bp_document_get_title (document), ==, "sigmoid");
  graph = bp_document_get_graph (document);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 6);
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    g_assert_true (bp_node_get_position (bp_graph_get_node (graph, i), &x0, &y0));
  /* Left to right: the input left of the output. */
  bp_node_get_position (bp_graph_lookup (graph, "x"), &x0, &y0);
  bp_node_get_position (bp_graph_lookup (graph, "y"), &x1, &y1);
  g_assert_cmpfloat (x0, <, x1);
  g_assert_cmpstr (bp_node_get_id (bp_graph_get_output (graph)), ==, "y");
}

static void
test_export (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *svg = tmp_path ("apples.svg");
  g_autofree char *contents = NULL;

  run_bpgraph (&run, "export", "-e", "apple = 100; n = 2; price = apple * n", "-o", svg,
               "--pass", "backward", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));

  run_clear (&run);
  run_bpgraph (&run, "export", "-e", "x = 1", "-o", svg, "--pass", "sideways", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);
  run_bpgraph (&run, "export", "-e", "x = 1", "-o", "out.gif", NULL);
  g_assert_cmpint (run.status, ==, 2);
}

/* Export treats its target as Save does: a read-only file is refused and
 * kept, a symbolic link is written through to its target, the mode stays;
 * a device is never replaced. */
static void
test_safe_targets (void)
{
  g_autofree char *ro = tmp_path ("read-only.svg");
  g_autofree char *real = tmp_path ("real.svg");
  g_autofree char *link = tmp_path ("link.svg");
  g_autofree char *contents = NULL;
  GStatBuf st;

  {
    g_auto(Run) run = { 0 };

    g_assert_true (g_file_set_contents (ro, "keep", -1, NULL));
    g_assert_cmpint (g_chmod (ro, 0444), ==, 0);
    run_bpgraph (&run, "export", "-e", "y = 2 * 3", "-o", ro, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "read-only"));
    g_assert_true (g_file_get_contents (ro, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "keep");
    g_clear_pointer (&contents, g_free);
  }
  {
    g_auto(Run) run = { 0 };

    g_assert_true (g_file_set_contents (real, "old", -1, NULL));
    g_assert_cmpint (g_chmod (real, 0604), ==, 0);
    g_unlink (link);
    g_assert_cmpint (symlink (real, link), ==, 0);
    run_bpgraph (&run, "export", "-e", "y = 2 * 3", "-o", link, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
    g_assert_true (g_file_get_contents (real, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "<svg"));
    g_assert_cmpint (g_stat (real, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0604);
  }
  if (g_stat ("/dev/full", &st) == 0 && S_ISCHR (st.st_mode))
    {
      g_auto(Run) run = { 0 };

      run_bpgraph (&run, "examples", "apples", "-o", "/dev/full", NULL);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_nonnull (strstr (run.err, "device"));
      g_assert_cmpint (g_stat ("/dev/full", &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
    }
}

/* Special files are refused at once, not read without end. */
static void
test_special_inputs (void)
{
  const char *const paths[] = { "/dev/zero", "/dev/urandom", "/tmp" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(Run) run = { 0 };

      if (!g_file_test (paths[i], G_FILE_TEST_EXISTS))
        continue;
      run_bpgraph (&run, "eval", paths[i], NULL);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_nonnull (strstr (run.err, "not a file"));
    }
}

/* eval --json prints UTF-8 only: a lone surrogate is refused at load. */
static void
test_eval_json_utf8 (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *path = tmp_path ("surrogate.bpgraph");
  const char *text = "{\"format\": \"backprop-studio\", \"version\": 1, \"nodes\": "
                     "[{\"id\": \"a\", \"op\": \"input\", \"label\": \"x\\ud800 y\"}]}";

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  run_bpgraph (&run, "eval", path, "--json", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_utf8_validate (run.err, -1, NULL));

  run_clear (&run);
  run_bpgraph (&run, "eval", "-e", "caf\xe9 = 1", "--json", NULL);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_true (g_utf8_validate (run.out, -1, NULL));
}

/* The check's bound: above it a clear message, or a stated sample. */
static void
test_check_bound (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) text = g_string_new ("x = [");
  const char *expr;
  JsonObject *object;

  /* A 20 × 20 leaf: 400 elements. */
  for (guint r = 0; r < 20; r++)
    {
      g_string_append (text, r > 0 ? ", [" : "[");
      for (guint c = 0; c < 20; c++)
        g_string_append_printf (text, c > 0 ? ", %g" : "%g", (r * 20 + c) / 400.0 - 0.5);
      g_string_append_c (text, ']');
    }
  g_string_append (text, "]\ny = sum(sigmoid(x))");
  expr = text->str;

  run_bpgraph (&run, "check", "-e", expr, "--max-elements", "100", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "--max-elements 100"));
  g_assert_nonnull (strstr (run.err, "--sample"));

  run_clear (&run);
  run_bpgraph (&run, "check", "-e", expr, "--max-elements", "100", "--sample", "--seed", "7",
               "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_json (run.out);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "checked_elements"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (object, "numeric_forward_evals"), ==, 200);
  g_assert_true (json_object_get_boolean_member (object, "agree"));

  run_clear (&run);
  run_bpgraph (&run, "check", "-e", expr, "--max-elements", "100", "--sample", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "sampled 100 of"));
}

/* The CLI works without a display and loads neither GTK nor the
 * renderer's libraries (nor json-glib, nor the shared GLib when it is
 * linked with the static one, nor what GIO's file layer needs); none
 * at all when it is one static program. */
static void
test_no_gtk (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "ldd", bpgraph, NULL };
  int wait_status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &wait_status, &error))
    {
      g_test_skip ("ldd is not available");
      return;
    }
#ifdef BP_CLI_FULLY_STATIC
  /* No shared library at all. */
  g_assert_nonnull (strstr (err, "not a dynamic executable"));
  return;
#endif
  g_assert_nonnull (strstr (out, "libc.so"));
  g_assert_null (strstr (out, "libgtk"));
  g_assert_null (strstr (out, "libcairo"));
  g_assert_null (strstr (out, "libpango"));
  g_assert_null (strstr (out, "libgvc"));
  g_assert_null (strstr (out, "libjson-glib"));
#ifdef BP_STATIC_CLI
  g_assert_null (strstr (out, "libglib-2.0"));
  g_assert_null (strstr (out, "libgio-2.0"));
  /* (not libstdc++: UBSan's runtime loads it) */
  g_assert_null (strstr (out, "libdouble-conversion"));
  g_assert_null (strstr (out, "libmount"));
  g_assert_null (strstr (out, "libselinux"));
  g_assert_null (strstr (out, "libpcre2"));
#endif
  g_assert_null (strstr (out, "libadwaita"));
  g_assert_null (strstr (out, "libgdk"));
}

static void
test_train (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-cli-train-XXXXXX", NULL);
  g_autofree char *example = g_build_filename (dir, "xor.bpgraph", NULL);
  g_autofree char *trained = g_build_filename (dir, "trained.bpgraph", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BpDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "examples", "xor-hidden-layer", "-o", example, NULL);
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "train", example, "--iterations", "400", "--seed", "2",
                 "--optimizer", "adam", "--lr", "0.05", "--json", "-o", trained, NULL);
    g_assert_cmpint (run.status, ==, 0);
    root = parse_json (run.out);
    object = json_node_get_object (root);
    g_assert_cmpstr (json_object_get_string_member (object, "data"), ==, "xor");
    g_assert_cmpstr (json_object_get_string_member (object, "optimizer"), ==, "adam");
    g_assert_cmpint (json_object_get_int_member (object, "iterations"), ==, 400);
    /* 400 points in batches of 20: an epoch every 20 iterations. */
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "epochs")), ==, 20);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "losses")), ==, 400);
    g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (object, "final"),
                                                      "test_accuracy"), >, 0.9);
  }
  {
    g_auto(Run) run = { 0 };

    /* The text report: a line per epoch, the summary last. */
    run_bpgraph (&run, "train", example, "--iterations", "40", NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "epoch   2  iteration      40"));
    g_assert_nonnull (strstr (run.out, "done: 40 iterations"));
  }

  doc = bp_document_load_from_path (trained, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_document_get_training (doc)->trained_iterations, ==, 400);
  g_assert_cmpint (bp_document_get_training (doc)->optimizer, ==, BP_OPTIMIZER_ADAM);

  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "train", example, "--optimizer", "rmsprop", NULL);
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "train", example, "--data", dir, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "train-images-idx3-ubyte"));
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *apples = g_test_build_filename (G_TEST_DIST, "..", "resources", "examples",
                                                     "apples.bpgraph", NULL);

    /* Nothing to train: no param leaves, no x or t. */
    run_bpgraph (&run, "train", apples, "--data", "xor", NULL);
    g_assert_cmpint (run.status, ==, 1);
  }

  g_unlink (trained);
  g_unlink (example);
  g_rmdir (dir);
}

static guint
count_pdf_pages (const char *data,
                 gsize       length)
{
  static const char needle[] = "/Type /Page";
  gsize n = strlen (needle);
  guint pages = 0;

  for (gsize i = 0; i + n < length; i++)
    if (memcmp (data + i, needle, n) == 0 && data[i + n] != 's')
      pages++;
  return pages;
}

/* bpgraph worksheet: N sheets then N keys; the seed makes it reproducible. */
static void
test_worksheet (void)
{
  g_autofree char *apples = g_test_build_filename (G_TEST_DIST, "..", "resources", "examples",
                                                   "apples.bpgraph", NULL);
  g_autofree char *pdf = g_build_filename (tmpdir, "sheet.pdf", NULL);
  g_autofree char *xml1 = g_build_filename (tmpdir, "sheet1.xml", NULL);
  g_autofree char *xml2 = g_build_filename (tmpdir, "sheet2.xml", NULL);
  g_autofree char *xml3 = g_build_filename (tmpdir, "sheet3.xml", NULL);
  g_autofree char *data = NULL;
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autofree char *text1 = NULL;
  g_autofree char *text2 = NULL;
  g_autofree char *text3 = NULL;
  gsize length;

  {
    g_auto(Run) run = { 0 };

    run_bpgraph (&run, "worksheet", apples, "--variants", "3", "--seed", "7",
                 "--hide", "both", "-o", pdf, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_file_get_contents (pdf, &data, &length, NULL));
    g_assert_true (g_str_has_prefix (data, "%PDF-"));
    g_assert_cmpuint (count_pdf_pages (data, length), ==, 6);
  }
  if (pdfinfo != NULL)
    {
      g_autofree char *out = NULL;
      g_autofree char *command = g_strdup_printf ("pdfinfo '%s'", pdf);

      g_assert_true (g_spawn_command_line_sync (command, &out, NULL, NULL, NULL));
      g_assert_nonnull (strstr (out, "Pages:           6"));
    }

  {
    g_auto(Run) a = { 0 };
    g_auto(Run) b = { 0 };
    g_auto(Run) c = { 0 };

    run_bpgraph (&a, "worksheet", apples, "-n", "2", "--seed", "99", "-o", xml1, NULL);
    run_bpgraph (&b, "worksheet", apples, "-n", "2", "--seed", "99", "-o", xml2, NULL);
    run_bpgraph (&c, "worksheet", apples, "-n", "2", "--seed", "100", "-o", xml3, NULL);
    g_assert_cmpint (a.status, ==, 0);
    g_assert_cmpint (b.status, ==, 0);
    g_assert_cmpint (c.status, ==, 0);
    g_assert_true (g_file_get_contents (xml1, &text1, NULL, NULL));
    g_assert_true (g_file_get_contents (xml2, &text2, NULL, NULL));
    g_assert_true (g_file_get_contents (xml3, &text3, NULL, NULL));
    g_assert_cmpstr (text1, ==, text2);
    g_assert_cmpstr (text1, !=, text3);
    g_assert_nonnull (strstr (text1, "<question type=\"numerical\">"));
    /* the default hides the gradients: no value is asked */
    g_assert_null (strstr (text1, "the value of"));
  }

  /* usage errors: exit 2 with a message */
  {
    const char *bad[][8] = {
      { "worksheet", NULL },
      { "worksheet", "-e", "y = 2 * 3", "-o", "x.txt", NULL },
      { "worksheet", "-e", "y = 2 * 3", "--hide", "answers", "-o", "x.pdf", NULL },
      { "worksheet", "-e", "y = 2 * 3", "-n", "0", "-o", "x.pdf", NULL },
      { "worksheet", "-e", "y = 2 * 3", "--seed", "-4", "-o", "x.pdf", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(Run) run = { 0 };

        run_bpgraph (&run, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], bad[i][5],
                     bad[i][6], bad[i][7], NULL);
        g_assert_cmpint (run.status, ==, 2);
        g_assert_true (g_str_has_prefix (run.err, "bpgraph: "));
      }
  }
  /* an expression works too; a folder that does not exist is bad input */
  {
    g_auto(Run) ok = { 0 };
    g_auto(Run) missing = { 0 };

    run_bpgraph (&ok, "worksheet", "-e", "x = 3\ny = x * x + 2 * x", "--hide", "values",
                 "-o", xml3, NULL);
    g_assert_cmpint (ok.status, ==, 0);
    run_bpgraph (&missing, "worksheet", apples, "-o", "/nonexistent-dir/sheet.pdf", NULL);
    g_assert_cmpint (missing.status, ==, 1);
  }
}

/* The confidently wrong prediction: backprop sends the book's [−1, 1],
 * and the check says that the 1e-7 makes the difference. */
static void
test_check_book_rule (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) json = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *expr = "x = [[0, 20]]\nt = [[1, 0]]\nL = softmax_with_loss(x, t)";

  run_bpgraph (&run, "check", "-e", expr, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "[[−1, 1]]"));
  g_assert_nonnull (strstr (run.out, "1e-7"));
  /* the cost in passes, not in milliseconds of a tiny graph */
  g_assert_nonnull (strstr (run.out, "8 forward passes"));
  g_assert_null (strstr (run.out, " ms"));

  run_bpgraph (&json, "check", "-e", expr, "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  root = parse_json (json.out);
  object = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (object, "agree"));
  g_assert_cmpfloat (json_object_get_double_member (object, "book_rule_difference"), >, 0.9);
  g_assert_cmpfloat (json_object_get_double_member (object, "max_rel_error_exact"), <, 1e-2);
}

/* The help in Korean with the build's catalogue. */
static void
test_help_korean (void)
{
  g_autofree char *po = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_autofree char *mo = g_build_filename (po, "ko", "LC_MESSAGES", "backprop-studio.mo", NULL);
  g_auto(Run) run = { 0 };
  g_auto(Run) sub = { 0 };

  if (!g_file_test (mo, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the Korean catalogue is not built");
      return;
    }
  g_setenv ("LANGUAGE", "ko", TRUE);
  g_setenv ("BP_LOCALEDIR", po, TRUE);
  run_bpgraph (&run, "--help", NULL);
  run_bpgraph (&sub, "worksheet", "--help", NULL);
  g_unsetenv ("LANGUAGE");
  g_unsetenv ("BP_LOCALEDIR");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "사용법"));
  g_assert_nonnull (strstr (run.out, "정답지"));
  g_assert_cmpint (sub.status, ==, 0);
  g_assert_nonnull (strstr (sub.out, "같은 시드는 같은 학습지를 만듭니다"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-BPGRAPH\n", argv[0]);
      return 1;
    }
  bpgraph = argv[1];
  tmpdir = g_dir_make_tmp ("bpgraph-cli-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/cli/eval/json-file", test_eval_json_file);
  g_test_add_func ("/cli/eval/json-expression", test_eval_json_expression);
  g_test_add_func ("/cli/eval/precision", test_eval_precision);
  g_test_add_func ("/cli/eval/null-grad", test_eval_null_grad);
  g_test_add_func ("/cli/eval/large-product", test_eval_large_product);
  g_test_add_func ("/cli/preload", test_preload);
  g_test_add_func ("/cli/eval/text", test_eval_text);
  g_test_add_func ("/cli/eval/broadcast", test_eval_broadcast);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/check", test_check);
  g_test_add_func ("/cli/examples", test_examples);
  g_test_add_func ("/cli/convert", test_convert);
  g_test_add_func ("/cli/export", test_export);
  g_test_add_func ("/cli/no-gtk", test_no_gtk);
  g_test_add_func ("/cli/train", test_train);
  g_test_add_func ("/cli/worksheet", test_worksheet);
  g_test_add_func ("/cli/check-book-rule", test_check_book_rule);
  g_test_add_func ("/cli/help-korean", test_help_korean);
  g_test_add_func ("/cli/safe-targets", test_safe_targets);
  g_test_add_func ("/cli/special-inputs", test_special_inputs);
  g_test_add_func ("/cli/eval/json-utf8", test_eval_json_utf8);
  g_test_add_func ("/cli/check/bound", test_check_bound);

  status = g_test_run ();

  /* Remove what the tests wrote. */
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
