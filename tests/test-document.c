/* SPDX-License-Identifier: MIT */
/* The .bpgraph loader and saver: round trips, canonical output, and every
 * way a file can be broken. */

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "bp-document.h"
#include "bp-examples.h"

#define HEADER "{\"format\": \"backprop-studio\", \"version\": 1, "

/* ---------------------------------------------------------------- */
/* Round trips                                                       */

static void
test_examples_round_trip (void)
{
  const BpExample *examples;
  guint n;

  examples = bp_examples_get_all (&n);
  g_assert_cmpuint (n, >=, 10);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDocument) document = NULL;
      g_autoptr(BpDocument) again = NULL;
      g_autofree char *saved = NULL;
      g_autofree char *saved_again = NULL;
      g_autofree char *path = NULL;
      g_autofree char *file_contents = NULL;
      gsize length, file_length;

      document = bp_examples_load (examples[i].name, &error);
      g_assert_no_error (error);
      g_assert_nonnull (document);

      /* The shipped files are canonical: saving gives the same bytes. */
      saved = bp_document_to_data (document, &length);
      g_assert_cmpuint (length, ==, examples[i].length);
      g_assert_cmpstr (saved, ==, examples[i].data);

      again = bp_document_load_from_data (saved, (gssize) length, &error);
      g_assert_no_error (error);
      saved_again = bp_document_to_data (again, NULL);
      g_assert_cmpstr (saved_again, ==, saved);

      /* The compiled-in copy is the file in resources/examples/. */
      path = g_strdup_printf ("%s.bpgraph", examples[i].name);
      g_file_get_contents (g_test_get_filename (G_TEST_DIST, "..", "resources", "examples",
                                                path, NULL),
                           &file_contents, &file_length, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (file_contents, ==, examples[i].data);

      /* Every example has what the gallery shows. */
      g_assert_nonnull (bp_document_get_title (document));
      g_assert_nonnull (bp_document_get_description (document, "en"));
      g_assert_nonnull (bp_document_get_description (document, "ko"));
      g_assert_cmpstr (examples[i].title, ==, bp_document_get_title (document));
      g_assert_nonnull (bp_graph_get_output (bp_document_get_graph (document)));
      g_assert_true (bp_graph_validate (bp_document_get_graph (document), &error));
      g_assert_no_error (error);
      for (guint k = 0; k < bp_graph_get_n_nodes (bp_document_get_graph (document)); k++)
        {
          double x, y;

          g_assert_true (bp_node_get_position (bp_graph_get_node (bp_document_get_graph (document), k),
                                               &x, &y));
        }
    }
}

/* The book's numbers, loaded from the built-in examples. */
static void
test_examples_values (void)
{
  struct { const char *example, *node; double value, grad; } cases[] = {
    { "apples", "price", 220, 1 },
    { "apples", "apple", 100, 2.2 },
    { "apples", "apple_num", 2, 110 },
    { "apples", "tax", 1.1, 200 },
    { "apples-oranges", "price", 715, 1 },
    { "apples-oranges", "orange", 150, 3.3 },
    { "apples-oranges", "orange_num", 3, 165 },
    { "apples-oranges", "tax", 1.1, 650 },
    { "square-of-sum", "x", 2, 10 },
    { "sigmoid", "x", 1, 0.19661193324148185 },
    { "sigmoid-by-hand", "x", 1, 0.19661193324148185 },
    /* the branch: the two paths' gradients add up, 2 + 3 */
    { "branch", "apple", 100, 5 },
    { "branch", "mine", 2, 100 },
    { "branch", "price", 500, 1 },
    /* Softmax-with-Loss, as the layer and from its primitives */
    { "softmax-with-loss", "L", 0.30571432905300044, 1 },
    { "softmax-with-loss-by-hand", "L", 0.30571432905300044, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDocument) document = bp_examples_load (cases[i].example, &error);
      BpGraph *graph;
      BpNode *node;

      g_assert_no_error (error);
      graph = bp_document_get_graph (document);
      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
      node = bp_graph_lookup (graph, cases[i].node);
      g_assert_nonnull (node);
      g_assert_cmpfloat_with_epsilon (bp_node_get_value (node)->data[0], cases[i].value, 1e-9);
      g_assert_cmpfloat_with_epsilon (bp_node_get_grad (node)->data[0], cases[i].grad, 1e-9);
    }
}

static BpTensor *
tensor (const char *text)
{
  g_autoptr(GError) error = NULL;
  BpTensor *t = bp_tensor_parse (text, &error);

  g_assert_no_error (error);
  return t;
}

static void
assert_node (BpGraph    *graph,
             const char *id,
             const char *value,
             const char *grad)
{
  BpNode *node = bp_graph_lookup (graph, id);
  g_autoptr(BpTensor) v = tensor (value);
  g_autoptr(BpTensor) g = tensor (grad);

  g_assert_nonnull (node);
  g_assert_true (bp_tensor_equal (bp_node_get_value (node), v, 1e-9, 1e-9));
  g_assert_true (bp_tensor_equal (bp_node_get_grad (node), g, 1e-9, 1e-9));
}

static BpGraph *
run_example (const char *name,
             BpDocument **document)
{
  g_autoptr(GError) error = NULL;

  *document = bp_examples_load (name, &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_backward (bp_document_get_graph (*document), &error));
  g_assert_no_error (error);
  return bp_document_get_graph (*document);
}

/* The matrices of the book: §5.6.2 (the batch Affine), §5.5.1 (ReLU), and
 * the Softmax-with-Loss of vol. 2's appendix from its primitives. */
static void
test_examples_matrices (void)
{
  g_autoptr(BpDocument) affine = NULL;
  g_autoptr(BpDocument) relu = NULL;
  g_autoptr(BpDocument) layer = NULL;
  g_autoptr(BpDocument) by_hand = NULL;
  BpGraph *graph;
  BpTensor *layer_grad, *hand_grad;

  graph = run_example ("affine-batch", &affine);
  assert_node (graph, "XW", "[[0, 0, 0], [10, 10, 10]]", "[[1, 2, 3], [4, 5, 6]]");
  assert_node (graph, "B", "[1, 2, 3]", "[5, 7, 9]");
  assert_node (graph, "Y", "[[1, 2, 3], [11, 12, 13]]", "[[1, 2, 3], [4, 5, 6]]");

  graph = run_example ("relu", &relu);
  assert_node (graph, "x", "[[1.0, -0.5], [-2.0, 3.0]]", "[[1, 0], [0, 1]]");
  assert_node (graph, "y", "[[1, 0], [0, 3]]", "[[1, 1], [1, 1]]");

  /* the layer sends (y − t)/N; the primitives the exact derivative, which
   * differs only by the 1e-7 inside the log */
  graph = run_example ("softmax-with-loss", &layer);
  layer_grad = bp_node_get_grad (bp_graph_lookup (graph, "a"));
  graph = run_example ("softmax-with-loss-by-hand", &by_hand);
  hand_grad = bp_node_get_grad (bp_graph_lookup (graph, "a"));
  g_assert_true (bp_tensor_equal (layer_grad, hand_grad, 1e-6, 0));
  g_assert_cmpfloat_with_epsilon (layer_grad->data[2], 0.7365969 - 1, 1e-6);
  g_assert_cmpuint (bp_graph_get_n_consumers (graph, bp_graph_lookup (graph, "exp_a")), ==, 2);
}

/* Titles and labels follow the language of the messages: the .pot has
 * them (through resources/examples/bp-examples-strings.c) and loading
 * translates; in English they are the file's. */
static void
test_examples_english_labels (void)
{
  g_autoptr(BpDocument) oranges = NULL;
  BpGraph *graph = run_example ("apples-oranges", &oranges);

  g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (graph, "apple_num")), ==, "apple count");
  g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (graph, "tax")), ==, "tax");
  g_assert_cmpstr (bp_example_get_title (bp_examples_lookup ("apples")), ==, "Apple shopping");
}

static void
test_examples_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = bp_examples_load ("pears", &error);

  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "apples"));
  g_assert_null (bp_examples_lookup ("pears"));
  g_assert_nonnull (bp_examples_lookup ("two-layer-net"));
}

static guint64
bits (double d)
{
  guint64 b;

  memcpy (&b, &d, sizeof b);
  return b;
}

/* Every double comes back bit for bit, in its shortest form. */
static void
test_numbers (void)
{
  const double values[] = {
    1.1, 0.1 + 0.2, 100, -2.5, 1e300, -1e-300, 5e-324, 1.7976931348623157e308,
    G_PI, 1.0 / 3.0, 123456789012345678.0, 0.000123, NAN, INFINITY, -INFINITY, 0,
  };
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) loaded = NULL;
  g_autoptr(BpTensor) tensor = bp_tensor_new_from_data (4, 4, values);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *again = NULL;
  BpNode *node;
  BpTensor *value;

  node = bp_graph_add_node (graph, "v", "input", &error);
  g_assert_no_error (error);
  bp_node_set_value (node, tensor);
  document = bp_document_new_for_graph (graph);
  data = bp_document_to_data (document, NULL);

  g_assert_nonnull (strstr (data, "[[1.1, 0.30000000000000004, 100, -2.5], "));
  g_assert_nonnull (strstr (data, "\"NaN\", \"Infinity\", \"-Infinity\", 0]]"));
  g_assert_nonnull (strstr (data, "1e+300"));

  loaded = bp_document_load_from_data (data, -1, &error);
  g_assert_no_error (error);
  value = bp_node_get_value (bp_graph_lookup (bp_document_get_graph (loaded), "v"));
  g_assert_cmpuint (value->rows, ==, 4);
  g_assert_cmpuint (value->cols, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (isnan (values[i]))
        g_assert_true (isnan (value->data[i]));
      else
        g_assert_cmpuint (bits (value->data[i]), ==, bits (values[i]));
    }
  again = bp_document_to_data (loaded, NULL);
  g_assert_cmpstr (again, ==, data);
}

/* Value shapes: a number, a flat array, rows; and the helper forms. */
static void
test_value_forms (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(BpTensor) column = NULL;
  BpGraph *graph;
  BpTensor *v;
  const double col[] = { 1, 2, 3 };

  document = bp_document_load_from_data (HEADER "\"nodes\": ["
                                         "{\"id\": \"a\", \"op\": \"input\", \"value\": 3},"
                                         "{\"id\": \"b\", \"op\": \"input\", \"value\": [1, 2, 3]},"
                                         "{\"id\": \"c\", \"op\": \"input\", \"value\": [[1], [2], [3]]},"
                                         "{\"id\": \"d\", \"op\": \"param\", \"value\": [[1.5, \"NaN\"]]},"
                                         "{\"id\": \"e\", \"op\": \"const\"}]}", -1, &error);
  g_assert_no_error (error);
  graph = bp_document_get_graph (document);
  v = bp_node_get_value (bp_graph_lookup (graph, "a"));
  g_assert_cmpuint (v->rows, ==, 1);
  g_assert_cmpuint (v->cols, ==, 1);
  v = bp_node_get_value (bp_graph_lookup (graph, "b"));
  g_assert_cmpuint (v->rows, ==, 1);
  g_assert_cmpuint (v->cols, ==, 3);
  v = bp_node_get_value (bp_graph_lookup (graph, "c"));
  g_assert_cmpuint (v->rows, ==, 3);
  g_assert_cmpuint (v->cols, ==, 1);
  g_assert_cmpfloat (v->data[2], ==, 3);
  v = bp_node_get_value (bp_graph_lookup (graph, "d"));
  g_assert_true (isnan (v->data[1]));
  v = bp_node_get_value (bp_graph_lookup (graph, "e"));
  g_assert_cmpfloat (v->data[0], ==, 0);

  column = bp_tensor_new_from_data (3, 1, col);
  bp_json_append_tensor (json, column, FALSE);
  g_string_append (json, " ");
  bp_json_append_tensor (json, bp_node_get_value (bp_graph_lookup (graph, "a")), TRUE);
  g_string_append (json, " ");
  bp_json_append_tensor (json, bp_node_get_value (bp_graph_lookup (graph, "b")), FALSE);
  g_assert_cmpstr (json->str, ==, "[[1], [2], [3]] [[3]] [1, 2, 3]");
}

/* Titles, descriptions, labels and quiz entries; text that needs escaping. */
static void
test_metadata (void)
{
  const char *tricky = "a \"quoted\" back\\slash\nnew line\ttab \x01 사과 ✓";
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *again = NULL;
  g_auto(GStrv) quiz = NULL;
  BpNode *x, *y;

  x = bp_graph_add_node (graph, "x", "input", &error);
  y = bp_graph_add_node (graph, "y", "exp", &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, x, y, 0, &error));
  bp_node_set_label (x, tricky);
  bp_node_set_position (y, 220.5, -40);

  document = bp_document_new_for_graph (graph);
  bp_document_set_title (document, tricky);
  bp_document_set_description (document, "en", "English");
  bp_document_set_description (document, "ko", "한국어 설명");
  bp_document_set_quiz (document, "y", BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  bp_document_set_quiz (document, "x", BP_QUIZ_GRAD);
  g_assert_cmpstr (bp_document_get_description (document, "de"), ==, "English");

  data = bp_document_to_data (document, NULL);
  g_assert_true (g_str_has_suffix (data, "}\n"));
  g_assert_nonnull (strstr (data, "\\u0001"));
  loaded = bp_document_load_from_data (data, -1, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (bp_document_get_title (loaded), ==, tricky);
  g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (bp_document_get_graph (loaded), "x")),
                   ==, tricky);
  g_assert_false (bp_node_has_label (bp_graph_lookup (bp_document_get_graph (loaded), "y")));
  g_assert_cmpstr (bp_document_get_description (loaded, "ko"), ==, "한국어 설명");
  g_assert_cmpuint (bp_document_get_quiz (loaded, "y"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_cmpuint (bp_document_get_quiz (loaded, "x"), ==, BP_QUIZ_GRAD);
  g_assert_cmpuint (bp_document_get_quiz (loaded, "nobody"), ==, 0);
  quiz = bp_document_get_quiz_nodes (loaded);
  g_assert_cmpuint (g_strv_length (quiz), ==, 2);
  g_assert_cmpstr (quiz[0], ==, "x");
  g_assert_cmpstr (quiz[1], ==, "y");

  again = bp_document_to_data (loaded, NULL);
  g_assert_cmpstr (again, ==, data);

  bp_document_set_quiz (loaded, "x", 0);
  g_assert_cmpuint (bp_document_get_quiz (loaded, "x"), ==, 0);
}

/* A student's answers are saved with the document and read back; a file
 * from before answers were saved still loads, with none; answers to
 * blanks the teacher took away, or on nodes that are gone, are not
 * written. */
static void
test_answers_roundtrip (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) loaded = NULL;
  g_autoptr(BpDocument) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *again = NULL;
  g_auto(GStrv) ids = NULL;
  const char *right = NULL;
  BpNode *x, *y;

  x = bp_graph_add_node (graph, "x", "input", &error);
  y = bp_graph_add_node (graph, "y", "exp", &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, x, y, 0, &error));
  document = bp_document_new_for_graph (graph);
  bp_document_set_quiz (document, "y", BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  bp_document_set_quiz (document, "x", BP_QUIZ_GRAD);
  bp_document_set_answer (document, "y", BP_QUIZ_VALUE, 1, "1");
  bp_document_set_answer (document, "y", BP_QUIZ_GRAD, 3, NULL);
  bp_document_set_answer (document, "x", BP_QUIZ_GRAD, 2, "\"one\" 사과");
  /* Not a blank: not saved. */
  bp_document_set_answer (document, "x", BP_QUIZ_VALUE, 1, "0");

  data = bp_document_to_data (document, NULL);
  g_assert_nonnull (strstr (data, "\"answers\""));
  loaded = bp_document_load_from_data (data, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_document_get_answer (loaded, "y", BP_QUIZ_VALUE, &right), ==, 1);
  g_assert_cmpstr (right, ==, "1");
  g_assert_cmpuint (bp_document_get_answer (loaded, "y", BP_QUIZ_GRAD, &right), ==, 3);
  g_assert_null (right);
  g_assert_cmpuint (bp_document_get_answer (loaded, "x", BP_QUIZ_GRAD, &right), ==, 2);
  g_assert_cmpstr (right, ==, "\"one\" 사과");
  g_assert_cmpuint (bp_document_get_answer (loaded, "x", BP_QUIZ_VALUE, &right), ==, 0);
  g_assert_null (right);
  ids = bp_document_get_answer_nodes (loaded);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  again = bp_document_to_data (loaded, NULL);
  g_assert_cmpstr (again, ==, data);

  /* Tries 0 forgets; clearing forgets all. */
  bp_document_set_answer (loaded, "y", BP_QUIZ_GRAD, 0, NULL);
  g_assert_cmpuint (bp_document_get_answer (loaded, "y", BP_QUIZ_GRAD, NULL), ==, 0);
  g_assert_cmpuint (bp_document_get_answer (loaded, "y", BP_QUIZ_VALUE, NULL), ==, 1);
  bp_document_clear_answers (loaded);
  g_clear_pointer (&again, g_free);
  again = bp_document_to_data (loaded, NULL);
  g_assert_null (strstr (again, "answers"));

  /* A file without answers (as every file before them) loads. */
  old = bp_document_load_from_data ("{\"format\": \"backprop-studio\", \"version\": 1, "
                                    "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], "
                                    "\"quiz\": {\"a\": [\"value\"]}}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_document_get_quiz (old, "a"), ==, BP_QUIZ_VALUE);
  g_assert_cmpuint (bp_document_get_answer (old, "a", BP_QUIZ_VALUE, NULL), ==, 0);

  /* A node removed: its answers are not written, and the file loads. */
  bp_graph_remove_node (graph, y);
  g_clear_pointer (&data, g_free);
  data = bp_document_to_data (document, NULL);
  g_assert_null (strstr (data, "\"y\""));
  g_clear_object (&loaded);
  loaded = bp_document_load_from_data (data, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_document_get_answer (loaded, "x", BP_QUIZ_GRAD, NULL), ==, 2);
}

/* Quiz blanks whose node was removed are not saved: the loader would
 * refuse a quiz naming no node, and a saved file must load. */
static void
test_quiz_stale (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) quiz = NULL;
  BpNode *x, *y;

  x = bp_graph_add_node (graph, "x", "input", &error);
  y = bp_graph_add_node (graph, "y", "exp", &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, x, y, 0, &error));
  document = bp_document_new_for_graph (graph);
  bp_document_set_quiz (document, "x", BP_QUIZ_GRAD);
  bp_document_set_quiz (document, "y", BP_QUIZ_VALUE);

  bp_graph_remove_node (graph, y);
  data = bp_document_to_data (document, NULL);
  g_assert_null (strstr (data, "\"y\""));
  loaded = bp_document_load_from_data (data, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_document_get_quiz (loaded, "x"), ==, BP_QUIZ_GRAD);
  quiz = bp_document_get_quiz_nodes (loaded);
  g_assert_cmpuint (g_strv_length (quiz), ==, 1);
  g_clear_object (&loaded);
  g_clear_pointer (&data, g_free);

  /* Only stale blanks left: no quiz member at all (an empty one is fine
   * too, but nothing is simpler). */
  bp_graph_remove_node (graph, x);
  data = bp_document_to_data (document, NULL);
  g_assert_null (strstr (data, "quiz"));
  loaded = bp_document_load_from_data (data, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
}

/* An unconnected slot is saved as null and loads back unconnected. */
static void
test_unconnected_slot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autofree char *data = NULL;
  BpGraph *graph;
  BpNode *add;

  document = bp_document_load_from_data (HEADER "\"nodes\": ["
                                         "{\"id\": \"a\", \"op\": \"input\", \"value\": 1},"
                                         "{\"id\": \"s\", \"op\": \"add\", \"inputs\": [\"a\", null]}]}",
                                         -1, &error);
  g_assert_no_error (error);
  graph = bp_document_get_graph (document);
  add = bp_graph_lookup (graph, "s");
  g_assert_nonnull (bp_node_get_input (add, 0));
  g_assert_null (bp_node_get_input (add, 1));
  g_assert_false (bp_graph_validate (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);

  data = bp_document_to_data (document, NULL);
  g_assert_nonnull (strstr (data, "\"inputs\": [\"a\", null]"));
}

/* Inputs may name nodes listed later; attributes survive. */
static void
test_forward_references (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  BpGraph *graph;
  BpNode *r;

  document = bp_document_load_from_data (HEADER "\"output\": \"s\", \"nodes\": ["
                                         "{\"id\": \"s\", \"op\": \"sum\", \"inputs\": [\"r\"], \"axis\": 1},"
                                         "{\"id\": \"r\", \"op\": \"repeat\", \"inputs\": [\"x\"], \"times\": 3, \"axis\": 1},"
                                         "{\"id\": \"p\", \"op\": \"pow\", \"inputs\": [\"s\"], \"power\": 0.5},"
                                         "{\"id\": \"x\", \"op\": \"input\", \"value\": [[1], [2]]}]}",
                                         -1, &error);
  g_assert_no_error (error);
  graph = bp_document_get_graph (document);
  r = bp_graph_lookup (graph, "r");
  g_assert_cmpuint (bp_node_get_attrs (r)->times, ==, 3);
  g_assert_cmpint (bp_node_get_attrs (r)->axis, ==, 1);
  g_assert_cmpfloat (bp_node_get_attrs (bp_graph_lookup (graph, "p"))->power, ==, 0.5);
  g_assert_true (bp_graph_get_output (graph) == bp_graph_lookup (graph, "s"));
  g_assert_true (bp_graph_forward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (bp_node_get_value (bp_graph_lookup (graph, "s"))->data[1], ==, 6);
}

/* numpy's axes in documents: -1 is the last axis, -2 the first; saved
 * as the axis they resolve to. */
static void
test_negative_axes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autofree char *data = NULL;
  BpGraph *graph;
  const BpTensor *v;

  document = bp_document_load_from_data (HEADER "\"output\": \"t\", \"nodes\": ["
                                         "{\"id\": \"x\", \"op\": \"input\", \"value\": [[1, 2, 3], [4, 5, 6]]},"
                                         "{\"id\": \"last\", \"op\": \"sum\", \"inputs\": [\"x\"], \"axis\": -1},"
                                         "{\"id\": \"first\", \"op\": \"sum\", \"inputs\": [\"x\"], \"axis\": -2},"
                                         "{\"id\": \"all\", \"op\": \"sum\", \"inputs\": [\"x\"]},"
                                         "{\"id\": \"wide\", \"op\": \"repeat\", \"inputs\": [\"last\"], \"times\": 2, \"axis\": -1},"
                                         "{\"id\": \"t\", \"op\": \"sum\", \"inputs\": [\"wide\"]}]}",
                                         -1, &error);
  g_assert_no_error (error);
  graph = bp_document_get_graph (document);
  g_assert_true (bp_graph_forward (graph, &error));
  g_assert_no_error (error);

  v = bp_node_get_value (bp_graph_lookup (graph, "last"));
  g_assert_cmpuint (v->rows, ==, 2);
  g_assert_cmpuint (v->cols, ==, 1);
  g_assert_cmpfloat (v->data[0], ==, 6);
  g_assert_cmpfloat (v->data[1], ==, 15);
  v = bp_node_get_value (bp_graph_lookup (graph, "first"));
  g_assert_cmpuint (v->rows, ==, 1);
  g_assert_cmpuint (v->cols, ==, 3);
  g_assert_cmpfloat (v->data[2], ==, 9);
  g_assert_cmpfloat (bp_node_get_value (bp_graph_lookup (graph, "all"))->data[0], ==, 21);
  v = bp_node_get_value (bp_graph_lookup (graph, "wide"));
  g_assert_cmpuint (v->cols, ==, 2);
  g_assert_cmpfloat (bp_node_get_value (bp_graph_lookup (graph, "t"))->data[0], ==, 42);

  data = bp_document_to_data (document, NULL);
  g_assert_nonnull (strstr (data, "\"id\": \"last\", \"op\": \"sum\", \"inputs\": [\"x\"], \"axis\": 1"));
  g_assert_nonnull (strstr (data, "\"id\": \"first\", \"op\": \"sum\", \"inputs\": [\"x\"], \"axis\": 0"));
  g_assert_null (strstr (data, "\"id\": \"all\", \"op\": \"sum\", \"inputs\": [\"x\"], \"axis\""));
}

/* ---------------------------------------------------------------- */
/* Broken documents                                                  */

typedef struct
{
  const char *json;
  int         code;
  const char *message;  /* a part of the message */
} BadCase;

static const BadCase bad_cases[] = {
  /* not a document */
  { "", BP_ERROR_INVALID, "empty" },
  { "   \n\t ", BP_ERROR_INVALID, "empty" },
  { "{", BP_ERROR_INVALID, "not valid JSON" },
  { "nodes: []", BP_ERROR_INVALID, "not valid JSON" },
  { "[1, 2]", BP_ERROR_INVALID, "JSON object" },
  { "42", BP_ERROR_INVALID, "JSON object" },
  { "{}", BP_ERROR_INVALID, "“format” is missing" },
  { "{\"format\": \"backprop-studio\", \"nodes\": []}", BP_ERROR_INVALID, "“version” is missing" },
  { HEADER "\"title\": \"x\"}", BP_ERROR_INVALID, "“nodes” is missing" },
  { "{\"format\": \"other\", \"version\": 1, \"nodes\": []}", BP_ERROR_INVALID, "“format” must be" },
  { "{\"format\": \"backprop-studio\", \"version\": 2, \"nodes\": []}", BP_ERROR_INVALID, "“version” must be 1" },
  { "{\"format\": \"backprop-studio\", \"version\": \"1\", \"nodes\": []}", BP_ERROR_INVALID, "“version” must be 1" },
  { HEADER "\"nodes\": {}}", BP_ERROR_INVALID, "“nodes” is an object, not an array" },
  { HEADER "\"nodes\": [], \"extra\": 1}", BP_ERROR_INVALID, "unknown member “extra”" },
  { HEADER "\"nodes\": [], \"title\": 5}", BP_ERROR_INVALID, "“title” is a number, not a string" },
  { HEADER "\"nodes\": [], \"description\": \"hello\"}", BP_ERROR_INVALID, "“description” is a string" },
  { HEADER "\"nodes\": [], \"description\": {\"en\": 1}}", BP_ERROR_INVALID, "“description” “en” is a number" },
  /* nodes */
  { HEADER "\"nodes\": [3]}", BP_ERROR_INVALID, "node 1: is a number, not an object" },
  { HEADER "\"nodes\": [{\"op\": \"input\"}]}", BP_ERROR_INVALID, "node 1: has no “id”" },
  { HEADER "\"nodes\": [{\"id\": \"\", \"op\": \"input\"}]}", BP_ERROR_INVALID, "node 1: “id” is empty" },
  { HEADER "\"nodes\": [{\"id\": 7, \"op\": \"input\"}]}", BP_ERROR_INVALID, "node 1: “id” is a number" },
  { HEADER "\"nodes\": [{\"id\": \"a\"}]}", BP_ERROR_INVALID, "node “a”: has no “op”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": null}]}", BP_ERROR_INVALID, "node “a”: “op” is null" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"mull\"}]}", BP_ERROR_UNKNOWN_OP, "node “a”: unknown op “mull”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"a\", \"op\": \"input\"}]}",
    BP_ERROR_DUPLICATE, "node “a”: the id is used by node 1 already" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"colour\": \"red\"}]}", BP_ERROR_INVALID,
    "node “a”: unknown member “colour”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"label\": [1]}]}", BP_ERROR_INVALID,
    "node “a”: “label” is an array, not a string" },
  /* inputs */
  { HEADER "\"nodes\": [{\"id\": \"m\", \"op\": \"mul\"}]}", BP_ERROR_ARITY, "node “m”: mul takes 2 inputs but has no “inputs”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"m\", \"op\": \"mul\", \"inputs\": [\"a\"]}]}",
    BP_ERROR_ARITY, "node “m”: mul takes 2 inputs but “inputs” lists 1" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"inputs\": [\"a\"]}]}",
    BP_ERROR_ARITY, "input takes 0 inputs" },
  { HEADER "\"nodes\": [{\"id\": \"e\", \"op\": \"exp\", \"inputs\": \"a\"}]}",
    BP_ERROR_INVALID, "node “e”: “inputs” is a string, not an array" },
  { HEADER "\"nodes\": [{\"id\": \"e\", \"op\": \"exp\", \"inputs\": [1]}]}",
    BP_ERROR_INVALID, "node “e”: input 1 is a number; it must be a node id or null" },
  { HEADER "\"nodes\": [{\"id\": \"e\", \"op\": \"exp\", \"inputs\": [\"ghost\"]}]}",
    BP_ERROR_UNKNOWN_NODE, "node “e”: input 1 names “ghost”" },
  { HEADER "\"nodes\": [{\"id\": \"e\", \"op\": \"exp\", \"inputs\": [\"e\"]}]}",
    BP_ERROR_CYCLE, "node “e”: the inputs form a cycle: e → e" },
  { HEADER "\"nodes\": [{\"id\": \"x\", \"op\": \"input\"}, {\"id\": \"a\", \"op\": \"add\", \"inputs\": [\"x\", \"c\"]},"
    "{\"id\": \"b\", \"op\": \"exp\", \"inputs\": [\"a\"]}, {\"id\": \"c\", \"op\": \"exp\", \"inputs\": [\"b\"]},"
    "{\"id\": \"d\", \"op\": \"exp\", \"inputs\": [\"c\"]}]}",
    BP_ERROR_CYCLE, "the inputs form a cycle" },
  /* values */
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": []}]}", BP_ERROR_SHAPE, "node “a”: “value” is an empty array" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [[]]}]}", BP_ERROR_SHAPE, "node “a”: “value” has an empty row" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [[1, 2], [3]]}]}", BP_ERROR_SHAPE,
    "node “a”: “value” is ragged: row 2 has 1 elements but row 1 has 2" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [[1, 2], 3]}]}", BP_ERROR_INVALID,
    "node “a”: row 2 of “value” is a number, not an array" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [1, [2]]}]}", BP_ERROR_INVALID,
    "node “a”: element 2 of row 1 of “value” is an array, not a number" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [[[1]]]}]}", BP_ERROR_INVALID,
    "element 1 of row 1 of “value” is an array" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": \"12\"}]}", BP_ERROR_INVALID,
    "node “a”: “value” is the string “12”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [1, \"nan\"]}]}", BP_ERROR_INVALID,
    "element 2 of row 1 of “value” is the string “nan”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": true}]}", BP_ERROR_INVALID,
    "node “a”: “value” is a boolean" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": null}]}", BP_ERROR_INVALID,
    "node “a”: “value” is null" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": {\"x\": 1}}]}", BP_ERROR_INVALID,
    "node “a”: “value” is an object" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"e\", \"op\": \"exp\", \"inputs\": [\"a\"], \"value\": 1}]}",
    BP_ERROR_INVALID, "node “e”: a exp node computes its value" },
  /* attributes */
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"axis\": 0}]}", BP_ERROR_INVALID,
    "node “a”: a input node has no “axis” attribute" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"s\", \"op\": \"sum\", \"inputs\": [\"a\"], \"axis\": 2}]}",
    BP_ERROR_INVALID, "node “s”: “axis” must be 0 or -2 (down the rows), 1 or -1 (along each row); leave it out to sum every element" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"s\", \"op\": \"sum\", \"inputs\": [\"a\"], \"axis\": -3}]}",
    BP_ERROR_INVALID, "node “s”: “axis” must be 0 or -2 (down the rows), 1 or -1 (along each row); leave it out" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"s\", \"op\": \"sum\", \"inputs\": [\"a\"], \"axis\": 0.5}]}",
    BP_ERROR_INVALID, "“axis” must be" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"r\", \"op\": \"repeat\", \"inputs\": [\"a\"], \"axis\": -3}]}",
    BP_ERROR_INVALID, "node “r”: “axis” must be 0 or -2 (down the rows), 1 or -1 (along each row)" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"r\", \"op\": \"repeat\", \"inputs\": [\"a\"], \"axis\": 2}]}",
    BP_ERROR_INVALID, "node “r”: “axis” must be 0 or -2 (down the rows), 1 or -1 (along each row)" },
  /* a number beyond the range of a double is a mistake, not ∞ */
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": 1e400}]}", BP_ERROR_INVALID,
    "node “a”: “value” is a number beyond ±1.8e308, the range of a double; write the string “Infinity” for ∞" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [[1, 2], [3, -1e400]]}]}", BP_ERROR_INVALID,
    "node “a”: element 2 of row 2 of “value” is a number beyond ±1.8e308, the range of a double" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [5, 1E999]}]}", BP_ERROR_INVALID,
    "node “a”: element 2 of row 1 of “value” is a number beyond ±1.8e308" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"r\", \"op\": \"repeat\", \"inputs\": [\"a\"], \"times\": 0}]}",
    BP_ERROR_INVALID, "node “r”: “times” must be a whole number of at least 1" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"r\", \"op\": \"repeat\", \"inputs\": [\"a\"], \"times\": \"3\"}]}",
    BP_ERROR_INVALID, "“times” must be a whole number" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"r\", \"op\": \"repeat\", \"inputs\": [\"a\"], \"times\": 99999999999}]}",
    BP_ERROR_TOO_LARGE, "node “r”: “times” is 99999999999" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}, {\"id\": \"p\", \"op\": \"pow\", \"inputs\": [\"a\"], \"power\": \"Infinity\"}]}",
    BP_ERROR_INVALID, "node “p”: “power” must be a finite number" },
  /* positions */
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"pos\": [1]}]}", BP_ERROR_INVALID,
    "node “a”: “pos” must be an array of two numbers" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"pos\": [1, \"2\"]}]}", BP_ERROR_INVALID,
    "“pos” must be an array of two numbers [x, y], not a string" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"pos\": [1, 1e300]}]}", BP_ERROR_TOO_LARGE,
    "node “a”: “pos” lies beyond" },
  /* output and quiz */
  { HEADER "\"output\": \"ghost\", \"nodes\": []}", BP_ERROR_UNKNOWN_NODE, "“output” names “ghost”" },
  { HEADER "\"output\": 1, \"nodes\": []}", BP_ERROR_INVALID, "“output” is a number" },
  { HEADER "\"nodes\": [], \"quiz\": {\"ghost\": [\"grad\"]}}", BP_ERROR_UNKNOWN_NODE, "“quiz” names “ghost”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"quiz\": {\"a\": [\"answer\"]}}", BP_ERROR_INVALID,
    "node “a”: its quiz entry may hold only “value” and “grad”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"quiz\": {\"a\": \"grad\"}}", BP_ERROR_INVALID,
    "node “a”: its quiz entry must be an array" },
  { HEADER "\"nodes\": [], \"quiz\": []}", BP_ERROR_INVALID, "“quiz” is an array" },
  /* a student's answers */
  { HEADER "\"nodes\": [], \"answers\": []}", BP_ERROR_INVALID, "“answers” is an array" },
  { HEADER "\"nodes\": [], \"answers\": {\"ghost\": {\"grad\": {\"tries\": 1}}}}", BP_ERROR_UNKNOWN_NODE,
    "“answers” names “ghost”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": [1]}}", BP_ERROR_INVALID,
    "node “a”: its answers must be an object" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"label\": {\"tries\": 1}}}}",
    BP_ERROR_INVALID, "node “a”: its answers may hold only “value” and “grad”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"grad\": 2}}}",
    BP_ERROR_INVALID, "node “a”: its answer must be an object" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"grad\": {\"tries\": 0}}}}",
    BP_ERROR_INVALID, "node “a”: its answer’s “tries” must be a whole number from 1" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"grad\": {\"tries\": 1.5}}}}",
    BP_ERROR_INVALID, "“tries” must be a whole number" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"grad\": {\"tries\": \"1\"}}}}",
    BP_ERROR_INVALID, "“tries” must be a whole number" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"grad\": {\"right\": \"1\"}}}}",
    BP_ERROR_INVALID, "node “a”: its answer has no “tries”" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"grad\": {\"tries\": 1, \"right\": 1}}}}",
    BP_ERROR_INVALID, "node “a”: “right” is a number, not a string" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\"}], \"answers\": {\"a\": {\"grad\": {\"tries\": 1, \"first\": 1}}}}",
    BP_ERROR_INVALID, "node “a”: its answer has an unknown member “first”" },
  /* lone surrogates: valid JSON, but not text once unescaped */
  { HEADER "\"title\": \"a\\ud800b\", \"nodes\": []}", BP_ERROR_INVALID,
    "A text in “title” is not valid UTF-8" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"label\": \"\\ud800 x\"}]}",
    BP_ERROR_INVALID, "A text in “label” is not valid UTF-8" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"label\": \"\\udfff\"}]}",
    BP_ERROR_INVALID, "not valid" },
  { HEADER "\"description\": {\"en\": \"x\\ud83d y\"}, \"nodes\": []}", BP_ERROR_INVALID,
    "A text in “en” is not valid UTF-8" },
  { HEADER "\"nodes\": [{\"id\": \"a\\ud800\", \"op\": \"input\"}]}", BP_ERROR_INVALID,
    "not valid" },
  { HEADER "\"nodes\": [], \"x\\ud800 y\": 1}", BP_ERROR_INVALID, "not valid" },
  /* JSON and nothing looser (json-glib, the reader before, took these) */
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": 022}]}",
    BP_ERROR_INVALID, "not valid JSON: line 1, column 91: “022” is not a number" },
  { HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"label\": \"\\q\"}]}",
    BP_ERROR_INVALID, "not valid JSON: line 1, column 92: unknown escape “\\q”" },
  { HEADER "\"nodes\": [],}", BP_ERROR_INVALID,
    "not valid JSON: line 1, column 57: expected a member name in double quotes, found “}”" },
  /* trailing content */
  { HEADER "\"nodes\": []}\n" HEADER "\"nodes\": []}", BP_ERROR_INVALID,
    "The document goes on after its end (byte 57)" },
  { HEADER "\"nodes\": []}]", BP_ERROR_INVALID, "goes on after its end" },
  { HEADER "\"nodes\": []} x", BP_ERROR_INVALID, "goes on after its end" },
};

/* A surrogate pair is one character; trailing white space is no content. */
static void
test_surrogate_pair_and_trailing_space (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;

  document = bp_document_load_from_data (HEADER "\"title\": \"\\ud83d\\ude00\", "
                                         "\"nodes\": []}\n\n  \t\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bp_document_get_title (document), ==, "\xf0\x9f\x98\x80");
}

/* The JSON writer never writes bytes that are not UTF-8. */
static void
test_json_string_always_utf8 (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  bp_json_append_string (out, "ok\xed\xa0\x80 \xff");
  g_assert_true (g_utf8_validate (out->str, -1, NULL));
  g_assert_cmpstr (out->str, ==, "\"ok\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\"");
}

static void
test_bad_documents (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDocument) document = NULL;

      g_test_message ("case %u: %s", i, bad_cases[i].json);
      document = bp_document_load_from_data (bad_cases[i].json, -1, &error);
      g_assert_null (document);
      g_assert_error (error, BP_ERROR, bad_cases[i].code);
      if (strstr (error->message, bad_cases[i].message) == NULL)
        g_error ("case %u: “%s” does not contain “%s”", i, error->message, bad_cases[i].message);
    }
}

/* Bytes that are not text, or text that never ends in brackets. */
static void
test_bad_bytes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GString) deep = g_string_new (HEADER "\"nodes\": [], \"title\": ");
  const char latin1[] = HEADER "\"title\": \"caf\xe9\", \"nodes\": []}";
  const char with_nul[] = HEADER "\"nodes\": []}\0trailing";

  document = bp_document_load_from_data (latin1, -1, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  document = bp_document_load_from_data (with_nul, sizeof with_nul - 1, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);

  /* json-glib would recurse 100,000 times and overflow the stack. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  document = bp_document_load_from_data (deep->str, (gssize) deep->len, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "levels deep"));
  g_clear_error (&error);

  /* json-glib skips C comments and reads single-quoted strings: brackets
   * hidden there must not fool the depth count. Neither is JSON. */
  g_string_assign (deep, "");
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "[/*]*/");
  document = bp_document_load_from_data (deep->str, (gssize) deep->len, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "comments"));
  g_clear_error (&error);

  g_string_assign (deep, "");
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "['a]', ");
  document = bp_document_load_from_data (deep->str, (gssize) deep->len, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);

  document = bp_document_load_from_data (HEADER "\"nodes\": [] /* note */}", -1, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);

  /* Brackets inside strings do not count. */
  g_string_assign (deep, HEADER "\"title\": \"");
  for (guint i = 0; i < 1000; i++)
    g_string_append (deep, "[{\\\"");
  g_string_append (deep, "\", \"nodes\": []}");
  document = bp_document_load_from_data (deep->str, (gssize) deep->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  g_assert_cmpuint (strlen (bp_document_get_title (document)), ==, 3000);
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GString) json = g_string_new (HEADER "\"nodes\": [");
  g_autofree char *long_id = g_strnfill (BP_DOCUMENT_MAX_ID + 1, 'x');
  g_autofree char *long_doc = g_strdup_printf (HEADER "\"nodes\": [{\"id\": \"%s\", \"op\": \"input\"}]}",
                                               long_id);

  document = bp_document_load_from_data (long_doc, -1, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* One node above the limit, as small as a node can be written. */
  for (guint i = 0; i <= BP_DOCUMENT_MAX_NODES; i++)
    g_string_append_printf (json, "%s{\"id\":\"%x\",\"op\":\"input\"}", i ? "," : "", i);
  g_string_append (json, "]}");
  document = bp_document_load_from_data (json->str, (gssize) json->len, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "nodes"));
  g_clear_error (&error);

  /* A value with more elements than a tensor may have. */
  g_string_assign (json, HEADER "\"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": [");
  for (guint i = 0; i <= BP_DOCUMENT_MAX_ELEMENTS; i++)
    g_string_append (json, i ? ",0" : "0");
  g_string_append (json, "]}]}");
  document = bp_document_load_from_data (json->str, (gssize) json->len, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "node “a”"));
}

/* Files in tests/corpus/document/: the name says the expected error. */
static void
test_corpus (void)
{
  struct { const char *file; int code; } files[] = {
    { "empty.bpgraph", BP_ERROR_INVALID },
    { "not-json.bpgraph", BP_ERROR_INVALID },
    { "not-utf8.bpgraph", BP_ERROR_INVALID },
    { "binary.bpgraph", BP_ERROR_INVALID },
    { "deep.bpgraph", BP_ERROR_TOO_LARGE },
    { "cycle.bpgraph", BP_ERROR_CYCLE },
    { "dangling.bpgraph", BP_ERROR_UNKNOWN_NODE },
    { "duplicate.bpgraph", BP_ERROR_DUPLICATE },
    { "unknown-op.bpgraph", BP_ERROR_UNKNOWN_OP },
    { "arity.bpgraph", BP_ERROR_ARITY },
    { "ragged.bpgraph", BP_ERROR_SHAPE },
    { "string-number.bpgraph", BP_ERROR_INVALID },
    { "missing.bpgraph", BP_ERROR_IO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "corpus", "document",
                                                     files[i].file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDocument) document = bp_document_load_from_path (path, &error);

      g_test_message ("%s: %s", files[i].file, error ? error->message : "loaded");
      g_assert_null (document);
      g_assert_error (error, BP_ERROR, files[i].code);
    }
}

/* Saving replaces the file through a temporary one, leaving nothing else. */
static void
test_save_atomic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bp-document-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "apples.bpgraph", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "no", "such", "dir.bpgraph", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad_path);
  g_autoptr(BpDocument) document = bp_examples_load ("apples", &error);
  g_autoptr(BpDocument) other = bp_examples_load ("matmul", &error);
  g_autoptr(BpDocument) loaded = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  const BpExample *apples = bp_examples_lookup ("apples");
  guint n_files = 0;

  g_assert_no_error (error);
  g_assert_true (bp_document_save_to_file (other, file, &error));
  g_assert_true (bp_document_save_to_file (document, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, apples->data);

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  g_assert_false (bp_document_save_to_file (document, bad_file, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_clear_error (&error);

  loaded = bp_document_load_from_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bp_document_get_title (loaded), ==, "Apple shopping");

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* .bpx files go through the expression parser. */
static void
test_load_bpx (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bp-document-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "apples.bpx", NULL);
  g_autoptr(BpDocument) document = NULL;
  BpGraph *graph;

  g_assert_true (g_file_set_contents (path, "apple = 100\napple_num = 2\ntax = 1.1\n"
                                      "price = apple * apple_num * tax\n", -1, &error));
  document = bp_document_load_from_path (path, &error);
  g_assert_no_error (error);
  graph = bp_document_get_graph (document);
  g_assert_cmpstr (bp_node_get_id (bp_graph_get_output (graph)), ==, "price");
  g_assert_true (bp_graph_forward (graph, &error));
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (bp_graph_get_output (graph))->data[0],
                                  220, 1e-9);

  g_assert_true (g_file_set_contents (path, "price = apple *\n", -1, &error));
  g_clear_object (&document);
  document = bp_document_load_from_path (path, &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "line 1, column"));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A big chain loads and saves in canonical form (no quadratic steps). */
static void
test_large_document (void)
{
  g_autoptr(GString) json = g_string_new (HEADER "\"nodes\": [{\"id\": \"n0\", \"op\": \"input\", \"value\": 0.5}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) again = NULL;
  g_autofree char *data = NULL;
  g_autofree char *data_again = NULL;

  for (guint i = 1; i < 20000; i++)
    g_string_append_printf (json, ", {\"id\": \"n%u\", \"op\": \"%s\", \"inputs\": [\"n%u\"]}",
                            i, i % 2 ? "tanh" : "neg", i - 1);
  g_string_append (json, "]}");
  document = bp_document_load_from_data (json->str, (gssize) json->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_graph_get_n_nodes (bp_document_get_graph (document)), ==, 20000);
  data = bp_document_to_data (document, NULL);
  again = bp_document_load_from_data (data, -1, &error);
  g_assert_no_error (error);
  data_again = bp_document_to_data (again, NULL);
  g_assert_cmpstr (data, ==, data_again);
}

/* Strings and numbers as the JSON writers put them. */
static void
test_json_append (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  bp_json_append_string (out, "plain id");
  g_assert_cmpstr (out->str, ==, "\"plain id\"");
  g_string_truncate (out, 0);
  bp_json_append_string (out, "a\"b\\c\nd\te\rf\x01g\x7fh 사과");
  g_assert_cmpstr (out->str, ==, "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u007fh 사과\"");
  g_string_truncate (out, 0);
  bp_json_append_string (out, "");
  g_assert_cmpstr (out->str, ==, "\"\"");
  g_string_truncate (out, 0);
  bp_json_append_string (out, "\"");
  g_assert_cmpstr (out->str, ==, "\"\\\"\"");

  g_string_truncate (out, 0);
  bp_json_append_number (out, 0.1);
  g_string_append_c (out, ' ');
  bp_json_append_number (out, -2.5e-300);
  g_string_append_c (out, ' ');
  bp_json_append_number (out, INFINITY);
  g_string_append_c (out, ' ');
  bp_json_append_number (out, 1e15);
  g_assert_cmpstr (out->str, ==, "0.1 -2.5e-300 \"Infinity\" 1e+15");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/document/examples/round-trip", test_examples_round_trip);
  g_test_add_func ("/document/examples/values", test_examples_values);
  g_test_add_func ("/document/examples/matrices", test_examples_matrices);
  g_test_add_func ("/document/examples/english-labels", test_examples_english_labels);
  g_test_add_func ("/document/examples/unknown", test_examples_unknown);
  g_test_add_func ("/document/numbers", test_numbers);
  g_test_add_func ("/document/value-forms", test_value_forms);
  g_test_add_func ("/document/metadata", test_metadata);
  g_test_add_func ("/document/quiz-stale", test_quiz_stale);
  g_test_add_func ("/document/answers", test_answers_roundtrip);
  g_test_add_func ("/document/unconnected-slot", test_unconnected_slot);
  g_test_add_func ("/document/forward-references", test_forward_references);
  g_test_add_func ("/document/negative-axes", test_negative_axes);
  g_test_add_func ("/document/bad/documents", test_bad_documents);
  g_test_add_func ("/document/bad/bytes", test_bad_bytes);
  g_test_add_func ("/document/surrogate-pair", test_surrogate_pair_and_trailing_space);
  g_test_add_func ("/document/json-string-utf8", test_json_string_always_utf8);
  g_test_add_func ("/document/bad/limits", test_limits);
  g_test_add_func ("/document/bad/corpus", test_corpus);
  g_test_add_func ("/document/save-atomic", test_save_atomic);
  g_test_add_func ("/document/load-bpx", test_load_bpx);
  g_test_add_func ("/document/large", test_large_document);
  g_test_add_func ("/document/json-append", test_json_append);

  return g_test_run ();
}
