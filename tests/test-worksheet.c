/* SPDX-License-Identifier: MIT */
/* Worksheets: variants, blanks, answers, the PDF and the Moodle XML. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bp-engine.h"
#include "bp-worksheet-pdf.h"

static BpDocument *
example (const char *name)
{
  g_autoptr(GError) error = NULL;
  BpDocument *document = bp_examples_load (name, &error);

  g_assert_no_error (error);
  return document;
}

static BpWorksheet *
make (const char      *name,
      guint            n,
      guint64          seed,
      BpWorksheetHide  hide)
{
  g_autoptr(BpDocument) document = example (name);
  g_autoptr(GError) error = NULL;
  BpWorksheet *worksheet = bp_worksheet_new (document, n, seed, hide, &error);

  g_assert_no_error (error);
  g_assert_nonnull (worksheet);
  return worksheet;
}

/* A short number: at most three decimals. */
static gboolean
is_friendly (double v)
{
  double scaled = v * 1000;

  return isfinite (v) && fabs (v) <= 1e5
         && fabs (scaled - round (scaled)) <= 1e-6 * MAX (1.0, fabs (scaled));
}

/* The variant's own document, saved, loaded and run again as `bpgraph
 * eval` does: every answer of the key is what that gives. */
static void
assert_answers_match_eval (BpWorksheet *worksheet,
                           guint        variant)
{
  g_autoptr(BpDocument) document = bp_worksheet_get_document (worksheet, variant);
  g_autofree char *data = bp_document_to_data (document, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) loaded = bp_document_load_from_data (data, -1, &error);
  g_autoptr(GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) bp_tensor_unref);
  BpGraph *graph;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_no_error (error);
  graph = bp_document_get_graph (loaded);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);

  for (guint b = 0; b < bp_worksheet_get_n_blanks (worksheet, variant); b++)
    {
      const BpWorksheetBlank *blank = bp_worksheet_get_blank (worksheet, variant, b);
      BpNode *node = bp_graph_lookup (graph, bp_node_get_id (blank->node));

      g_assert_cmpuint (blank->number, ==, b + 1);
      g_assert_nonnull (node);
      if (blank->kind == BP_QUIZ_VALUE)
        {
          g_assert_true (bp_tensor_equal (blank->answer, bp_node_get_value (node), 0, 0));
          continue;
        }
      g_assert_cmpint (blank->kind, ==, BP_QUIZ_GRAD);
      g_assert_true (bp_node_get_input (blank->consumer, blank->slot) == blank->node);
      /* The gradients on the arrows leaving a node add up to its own
       * (the branch rule). */
      {
        BpTensor *sum = g_hash_table_lookup (sums, bp_node_get_id (blank->node));

        if (sum == NULL)
          g_hash_table_insert (sums, (gpointer) bp_node_get_id (blank->node),
                               bp_tensor_copy (blank->answer));
        else
          for (gsize i = 0; i < bp_tensor_n_elements (sum); i++)
            sum->data[i] += blank->answer->data[i];
      }
    }
  g_hash_table_iter_init (&iter, sums);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_true (bp_tensor_equal (value, bp_node_get_grad (bp_graph_lookup (graph, key)),
                                    1e-12, 1e-12));
}

static void
test_apples (void)
{
  g_autoptr(BpWorksheet) worksheet = make ("apples", 4, 42, BP_WORKSHEET_HIDE_BOTH);

  g_assert_cmpuint (bp_worksheet_get_n_variants (worksheet), ==, 4);
  g_assert_cmpstr (bp_worksheet_get_title (worksheet), ==, "Apple shopping");
  for (guint k = 0; k < 4; k++)
    {
      BpGraph *graph = bp_worksheet_get_graph (worksheet, k);
      BpNode *output = bp_graph_get_output (graph);
      double tax = bp_node_get_value (bp_graph_lookup (graph, "tax"))->data[0];
      double count = bp_node_get_value (bp_graph_lookup (graph, "apple_num"))->data[0];

      /* values: apple_price, price; gradients: the four arrows */
      g_assert_cmpuint (bp_worksheet_get_n_blanks (worksheet, k), ==, 6);
      g_assert_cmpint (bp_worksheet_get_blank (worksheet, k, 0)->kind, ==, BP_QUIZ_VALUE);
      g_assert_cmpint (bp_worksheet_get_blank (worksheet, k, 5)->kind, ==, BP_QUIZ_GRAD);
      g_assert_true (g_hash_table_contains (bp_worksheet_get_hidden_values (worksheet, k), output));
      g_assert_false (g_hash_table_contains (bp_worksheet_get_hidden_grads (worksheet, k), output));
      g_assert_false (g_hash_table_contains (bp_worksheet_get_hidden_values (worksheet, k),
                                             bp_graph_lookup (graph, "tax")));

      /* friendly: a tax of 1.x, a whole number of apples, short numbers */
      g_assert_cmpfloat (tax, >, 1);
      g_assert_cmpfloat (tax, <, 2);
      g_assert_cmpfloat (fabs (count - round (count)), <, 1e-12);
      for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
        {
          BpNode *node = bp_graph_get_node (graph, i);

          g_assert_true (is_friendly (bp_node_get_value (node)->data[0]));
          g_assert_true (is_friendly (bp_node_get_grad (node)->data[0]));
        }
      assert_answers_match_eval (worksheet, k);
    }
}

/* The branch: two arrows leave "apple", each with its own gradient. */
static void
test_branch (void)
{
  g_autoptr(BpWorksheet) worksheet = make ("branch", 2, 5, BP_WORKSHEET_HIDE_GRADIENTS);
  BpGraph *graph = bp_worksheet_get_graph (worksheet, 0);
  guint from_apple = 0;

  g_assert_null (bp_worksheet_get_hidden_values (worksheet, 0));
  for (guint b = 0; b < bp_worksheet_get_n_blanks (worksheet, 0); b++)
    {
      const BpWorksheetBlank *blank = bp_worksheet_get_blank (worksheet, 0, b);

      g_assert_cmpint (blank->kind, ==, BP_QUIZ_GRAD);
      if (blank->node == bp_graph_lookup (graph, "apple"))
        from_apple++;
    }
  g_assert_cmpuint (from_apple, ==, 2);
  assert_answers_match_eval (worksheet, 0);
  assert_answers_match_eval (worksheet, 1);
}

static void
test_values_only (void)
{
  g_autoptr(BpWorksheet) worksheet = make ("apples-oranges", 1, 3, BP_WORKSHEET_HIDE_VALUES);

  g_assert_null (bp_worksheet_get_hidden_grads (worksheet, 0));
  /* apple total, orange total, total, price */
  g_assert_cmpuint (bp_worksheet_get_n_blanks (worksheet, 0), ==, 4);
  for (guint b = 0; b < 4; b++)
    g_assert_cmpint (bp_worksheet_get_blank (worksheet, 0, b)->kind, ==, BP_QUIZ_VALUE);
  assert_answers_match_eval (worksheet, 0);
}

static void
leaf_values (BpWorksheet *worksheet,
             GString     *out)
{
  for (guint k = 0; k < bp_worksheet_get_n_variants (worksheet); k++)
    {
      g_autofree char *givens = bp_worksheet_describe_givens (worksheet, k);

      g_string_append_printf (out, "%s\n", givens);
    }
}

static void
test_seed (void)
{
  g_autoptr(BpWorksheet) a = make ("apples-oranges", 3, 2024, BP_WORKSHEET_HIDE_BOTH);
  g_autoptr(BpWorksheet) b = make ("apples-oranges", 3, 2024, BP_WORKSHEET_HIDE_BOTH);
  g_autoptr(BpWorksheet) c = make ("apples-oranges", 3, 2025, BP_WORKSHEET_HIDE_BOTH);
  g_autoptr(GString) va = g_string_new (NULL);
  g_autoptr(GString) vb = g_string_new (NULL);
  g_autoptr(GString) vc = g_string_new (NULL);
  g_autofree char *xa = bp_worksheet_to_moodle_xml (a, NULL);
  g_autofree char *xb = bp_worksheet_to_moodle_xml (b, NULL);
  g_autofree char *xc = bp_worksheet_to_moodle_xml (c, NULL);

  leaf_values (a, va);
  leaf_values (b, vb);
  leaf_values (c, vc);
  g_assert_cmpstr (va->str, ==, vb->str);
  g_assert_cmpstr (xa, ==, xb);
  g_assert_cmpstr (va->str, !=, vc->str);
  g_assert_cmpstr (xa, !=, xc);
  /* the variants of one worksheet differ from each other */
  {
    g_autofree char *g0 = bp_worksheet_describe_givens (a, 0);
    g_autofree char *g1 = bp_worksheet_describe_givens (a, 1);

    g_assert_cmpstr (g0, !=, g1);
  }
}

/* --- Moodle XML read back with GMarkupParser --- */

typedef struct
{
  GPtrArray *stack;          /* element names */
  guint      n_questions;    /* numerical */
  guint      n_categories;
  guint      n_questiontext;
  guint      n_answers;
  guint      n_tolerances;
  GArray    *answers;        /* double */
  GArray    *tolerances;     /* double */
  gboolean   in_numerical;
} Moodle;

static const char *
parent (Moodle *m,
        guint   up)
{
  return m->stack->len > up ? g_ptr_array_index (m->stack, m->stack->len - 1 - up) : "";
}

static void
start_cb (GMarkupParseContext  *context,
          const char           *name,
          const char          **attr_names,
          const char          **attr_values,
          gpointer              data,
          GError              **error)
{
  Moodle *m = data;

  if (m->stack->len == 0)
    g_assert_cmpstr (name, ==, "quiz");
  if (g_str_equal (name, "question"))
    {
      const char *type = NULL;

      g_assert_cmpstr (parent (m, 0), ==, "quiz");
      for (guint i = 0; attr_names[i] != NULL; i++)
        if (g_str_equal (attr_names[i], "type"))
          type = attr_values[i];
      g_assert_nonnull (type);
      if (g_str_equal (type, "numerical"))
        {
          m->n_questions++;
          m->in_numerical = TRUE;
        }
      else
        {
          g_assert_cmpstr (type, ==, "category");
          m->n_categories++;
          m->in_numerical = FALSE;
        }
    }
  else if (g_str_equal (name, "questiontext"))
    {
      g_assert_cmpstr (parent (m, 0), ==, "question");
      m->n_questiontext++;
    }
  else if (g_str_equal (name, "answer"))
    {
      g_assert_cmpstr (parent (m, 0), ==, "question");
      g_assert_true (m->in_numerical);
      m->n_answers++;
    }
  else if (g_str_equal (name, "tolerance"))
    {
      g_assert_cmpstr (parent (m, 0), ==, "answer");
      m->n_tolerances++;
    }
  g_ptr_array_add (m->stack, g_strdup (name));
}

static void
end_cb (GMarkupParseContext  *context,
        const char           *name,
        gpointer              data,
        GError              **error)
{
  Moodle *m = data;

  g_ptr_array_remove_index (m->stack, m->stack->len - 1);
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              data,
         GError              **error)
{
  Moodle *m = data;
  g_autofree char *copy = g_strndup (text, length);
  double v;

  if (g_str_equal (parent (m, 0), "text") && g_str_equal (parent (m, 1), "answer"))
    {
      v = g_ascii_strtod (copy, NULL);
      g_array_append_val (m->answers, v);
    }
  else if (g_str_equal (parent (m, 0), "tolerance"))
    {
      v = g_ascii_strtod (copy, NULL);
      g_array_append_val (m->tolerances, v);
    }
}

static void
test_moodle (void)
{
  g_autoptr(BpWorksheet) worksheet = make ("affine-batch", 2, 9, BP_WORKSHEET_HIDE_BOTH);
  g_autofree char *xml = NULL;
  g_autofree char *path = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GError) error = NULL;
  GMarkupParser parser = { start_cb, end_cb, text_cb, NULL, NULL };
  GMarkupParseContext *context;
  Moodle m = { 0 };
  guint expected = 0, index = 0;
  gsize length;

  xml = bp_worksheet_to_moodle_xml (worksheet, &length);
  g_assert_cmpuint (strlen (xml), ==, length);
  m.stack = g_ptr_array_new_with_free_func (g_free);
  m.answers = g_array_new (FALSE, FALSE, sizeof (double));
  m.tolerances = g_array_new (FALSE, FALSE, sizeof (double));
  context = g_markup_parse_context_new (&parser, 0, &m, NULL);
  g_assert_true (g_markup_parse_context_parse (context, xml, (gssize) length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (context);

  /* one numerical question per element of every blank */
  for (guint k = 0; k < bp_worksheet_get_n_variants (worksheet); k++)
    for (guint b = 0; b < bp_worksheet_get_n_blanks (worksheet, k); b++)
      {
        const BpWorksheetBlank *blank = bp_worksheet_get_blank (worksheet, k, b);

        for (gsize e = 0; e < bp_tensor_n_elements (blank->answer); e++)
          {
            double answer = blank->answer->data[e];

            g_assert_cmpuint (index, <, m.answers->len);
            g_assert_cmpfloat (g_array_index (m.answers, double, index), ==, answer);
            g_assert_cmpfloat (g_array_index (m.tolerances, double, index), ==,
                               bp_worksheet_tolerance (answer));
            g_assert_cmpfloat (g_array_index (m.tolerances, double, index), >, 0);
            index++;
          }
        expected += bp_tensor_n_elements (blank->answer);
      }
  g_assert_cmpuint (m.n_categories, ==, 1);
  g_assert_cmpuint (m.n_questions, ==, expected);
  g_assert_cmpuint (m.n_questiontext, ==, expected);
  g_assert_cmpuint (m.n_answers, ==, expected);
  g_assert_cmpuint (m.n_tolerances, ==, expected);
  g_assert_cmpuint (m.answers->len, ==, expected);
  g_assert_cmpuint (m.stack->len, ==, 0);

  /* saved whole */
  path = g_build_filename (g_get_tmp_dir (), "bp-test-worksheet.xml", NULL);
  g_assert_true (bp_worksheet_save_moodle_xml (worksheet, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, NULL, &error));
  g_assert_cmpstr (saved, ==, xml);
  g_unlink (path);

  g_ptr_array_unref (m.stack);
  g_array_unref (m.answers);
  g_array_unref (m.tolerances);
}

/* --- the PDF --- */

/* "/Type /Page" objects (not "/Type /Pages"); the PDF has binary
 * streams, so no string functions that stop at a NUL. */
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

static void
test_pdf (void)
{
  g_autoptr(BpWorksheet) worksheet = make ("apples", 3, 11, BP_WORKSHEET_HIDE_BOTH);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "bp-test-worksheet.pdf", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  guint n_pages = 0;

  g_assert_cmpuint (bp_worksheet_pdf_get_n_pages (worksheet), ==, 6);
  g_assert_false (bp_worksheet_pdf_is_key_page (worksheet, 2));
  g_assert_true (bp_worksheet_pdf_is_key_page (worksheet, 3));
  g_assert_true (bp_worksheet_pdf_write (worksheet, path, &n_pages, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_pages, ==, 6);
  g_assert_true (g_file_get_contents (path, &data, &length, &error));
  g_assert_true (g_str_has_prefix (data, "%PDF-"));
  g_assert_cmpuint (count_pdf_pages (data, length), ==, 6);
  g_unlink (path);

  /* chosen by the name */
  g_assert_true (bp_worksheet_write_file (worksheet, path, &error));
  g_assert_no_error (error);
  g_unlink (path);
  g_assert_false (bp_worksheet_write_file (worksheet, "sheet.txt", &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_clear_error (&error);

  /* a folder that does not exist: an error, no crash */
  g_assert_false (bp_worksheet_pdf_write (worksheet, "/nonexistent-dir/sheet.pdf", NULL, &error));
  g_assert_nonnull (error);
}

/* Every built-in example makes a worksheet of every kind, and draws. */
static void
test_every_example (void)
{
  guint n;
  const BpExample *examples = bp_examples_get_all (&n);
  const BpWorksheetHide hides[] = { BP_WORKSHEET_HIDE_VALUES, BP_WORKSHEET_HIDE_GRADIENTS,
                                    BP_WORKSHEET_HIDE_BOTH };

  for (guint i = 0; i < n; i++)
    for (guint h = 0; h < G_N_ELEMENTS (hides); h++)
      {
        g_autoptr(BpWorksheet) worksheet = make (examples[i].name, 2, i * 7 + h, hides[h]);
        cairo_surface_t *surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
        cairo_t *cr = cairo_create (surface);

        for (guint p = 0; p < bp_worksheet_pdf_get_n_pages (worksheet); p++)
          bp_worksheet_pdf_draw_page (worksheet, cr, p, BP_WORKSHEET_PAGE_WIDTH,
                                      BP_WORKSHEET_PAGE_HEIGHT);
        g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
        cairo_destroy (cr);
        cairo_surface_destroy (surface);
        assert_answers_match_eval (worksheet, 1);
      }
}

/* One-hot labels stay one-hot, even as an "input" leaf. */
static void
test_labels_kept (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = bp_expr_parse ("x = [[0.3, 2.9, 4.0]]\nt = [[0, 0, 1]]\n"
                                            "L = softmax_with_loss(x, t)", &error);
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpWorksheet) worksheet = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "t"))->name, !=, "const");
  document = bp_document_new_for_graph (graph);
  worksheet = bp_worksheet_new (document, 3, 8, BP_WORKSHEET_HIDE_GRADIENTS, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 3; k++)
    {
      BpGraph *variant = bp_worksheet_get_graph (worksheet, k);
      g_autoptr(BpTensor) onehot = bp_tensor_parse ("[[0, 0, 1]]", NULL);

      g_assert_true (bp_tensor_equal (bp_node_get_value (bp_graph_lookup (variant, "t")), onehot, 0, 0));
      assert_answers_match_eval (worksheet, k);
    }
}

static void
test_errors (void)
{
  g_autoptr(BpDocument) apples = example ("apples");
  g_autoptr(GError) error = NULL;
  g_autoptr(BpWorksheet) none = NULL;
  BpWorksheetHide hide;

  none = bp_worksheet_new (apples, 0, 1, BP_WORKSHEET_HIDE_BOTH, &error);
  g_assert_null (none);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (bp_worksheet_hide_from_string ("answers", &hide, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (bp_worksheet_hide_from_string ("gradients", &hide, NULL));
  g_assert_cmpint (hide, ==, BP_WORKSHEET_HIDE_GRADIENTS);

  /* two outputs: which one? */
  {
    g_autoptr(BpGraph) graph = bp_graph_new ();
    g_autoptr(BpDocument) document = NULL;
    BpNode *a = bp_graph_add_node (graph, "a", "input", NULL);
    BpNode *b = bp_graph_add_node (graph, "b", "exp", NULL);
    BpNode *c = bp_graph_add_node (graph, "c", "neg", NULL);

    g_assert_true (bp_graph_connect (graph, a, b, 0, NULL));
    g_assert_true (bp_graph_connect (graph, a, c, 0, NULL));
    document = bp_document_new_for_graph (graph);
    none = bp_worksheet_new (document, 1, 1, BP_WORKSHEET_HIDE_BOTH, &error);
    g_assert_null (none);
    g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* a leaf alone has no value to ask for */
  {
    g_autoptr(BpGraph) graph = bp_expr_parse ("a = 1", NULL);
    g_autoptr(BpDocument) document = bp_document_new_for_graph (graph);

    none = bp_worksheet_new (document, 1, 1, BP_WORKSHEET_HIDE_VALUES, &error);
    g_assert_null (none);
    g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/worksheet/apples", test_apples);
  g_test_add_func ("/worksheet/branch", test_branch);
  g_test_add_func ("/worksheet/values-only", test_values_only);
  g_test_add_func ("/worksheet/seed", test_seed);
  g_test_add_func ("/worksheet/moodle", test_moodle);
  g_test_add_func ("/worksheet/pdf", test_pdf);
  g_test_add_func ("/worksheet/every-example", test_every_example);
  g_test_add_func ("/worksheet/labels-kept", test_labels_kept);
  g_test_add_func ("/worksheet/errors", test_errors);

  return g_test_run ();
}
