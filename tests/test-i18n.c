/* SPDX-License-Identifier: MIT */
/* The engine's messages go through gettext: in English by default (the
 * tests' C.UTF-8 locale) and in Korean with LANGUAGE=ko and the build's
 * catalogue, placeholders filled in the translated order. */
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <string.h>

#include "bp-engine.h"

static BpNode *
add_matrix (BpGraph    *graph,
            const char *id,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) value = bp_tensor_parse (text, &error);
  BpNode *node;

  g_assert_no_error (error);
  node = bp_graph_add_node (graph, id, "input", &error);
  g_assert_no_error (error);
  bp_node_set_value (node, value);
  return node;
}

/* x (2×3) @ W (2×3): the book's matmul shape error, as the canvas shows it. */
static char *
matmul_shape_error (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *x = add_matrix (graph, "x", "[[1, 2, 3], [4, 5, 6]]");
  BpNode *w = add_matrix (graph, "W", "[[1, 2, 3], [4, 5, 6]]");
  BpNode *y = bp_graph_add_node (graph, "y", "matmul", &error);

  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, x, y, 0, &error));
  g_assert_true (bp_graph_connect (graph, w, y, 1, &error));
  g_assert_false (bp_graph_validate (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
  g_assert_nonnull (bp_node_get_error (y));
  return g_strdup (bp_node_get_error (y));
}

/* Connecting a third input to add: a plural message. */
static char *
arity_error (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *x = add_matrix (graph, "x", "1");
  BpNode *z = bp_graph_add_node (graph, "z", "add", &error);

  g_assert_no_error (error);
  g_assert_false (bp_graph_connect (graph, x, z, 2, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);
  return g_strdup (error->message);
}

static char *
parse_error (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = bp_expr_parse (text, &error);

  g_assert_null (graph);
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

static char *
document_error (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = bp_document_load_from_data (json, -1, &error);

  g_assert_null (document);
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

#define TWO_LINES "x = [[1, 2, 3], [4, 5, 6]]\ny = x @ x\n"
#define CYCLE_DOC "{\"format\": \"backprop-studio\", \"version\": 1, \"nodes\": [" \
                  "{\"id\": \"a\", \"op\": \"neg\", \"inputs\": [\"b\"]}," \
                  "{\"id\": \"b\", \"op\": \"neg\", \"inputs\": [\"a\"]}]}"

/* First: the tests' locale keeps English (other tests compare it). */
static void
test_english (void)
{
  g_autofree char *shape = matmul_shape_error ();
  g_autofree char *arity = arity_error ();
  g_autofree char *parse = parse_error (TWO_LINES);
  g_autofree char *syntax = parse_error ("y = (1 +\n");
  g_autofree char *cycle = document_error (CYCLE_DOC);

  g_assert_cmpstr (shape, ==, "Node “y”: matmul: X is 2×3 but W is 2×3; W needs 3 rows");
  g_assert_cmpstr (arity, ==, "Node “z”: add takes 2 inputs, there is no input 3");
  g_assert_cmpstr (parse, ==,
                   "line 2, column 7: Node “y”: matmul: X is 2×3 but W is 2×3; W needs 3 rows");
  g_assert_cmpstr (syntax, ==,
                   "line 2, column 1: expected a number, a name, “(” or “[” but found the end of the text");
  g_assert_true (strstr (cycle, "the inputs form a cycle") != NULL);

  /* The examples in English: the apples and the oranges too. */
  {
    g_autoptr(BpDocument) apples = bp_examples_load ("apples", NULL);
    g_autoptr(BpDocument) oranges = bp_examples_load ("apples-oranges", NULL);
    BpGraph *graph = bp_document_get_graph (oranges);

    g_assert_cmpstr (bp_document_get_title (apples), ==, "Apple shopping");
    g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (graph, "orange_num")), ==, "orange count");
    g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (graph, "price")), ==, "price");
  }
}

static char *
korean_label (BpDocument *document,
              const char *id)
{
  return g_strdup (bp_node_get_label (bp_graph_lookup (bp_document_get_graph (document), id)));
}

/* Last: switches the process to Korean. */
static void
test_korean (void)
{
  const char *localedir = g_getenv ("BP_TEST_LOCALEDIR");
  g_autofree char *mo = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *arity = NULL;
  g_autofree char *parse = NULL;
  g_autofree char *syntax = NULL;
  g_autofree char *cycle = NULL;
  g_autofree char *kind = NULL;

  if (localedir == NULL)
    {
      g_test_skip ("BP_TEST_LOCALEDIR not set");
      return;
    }
  mo = g_build_filename (localedir, "ko", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_assert_true (g_file_test (mo, G_FILE_TEST_EXISTS));

  g_setenv ("LANGUAGE", "ko", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  shape = matmul_shape_error ();
  arity = arity_error ();
  parse = parse_error (TWO_LINES);
  syntax = parse_error ("y = (1 +\n");
  cycle = document_error (CYCLE_DOC);
  kind = document_error ("[]");

  /* The shapes land in their places: X's 2×3, W's 2×3, 3 rows. */
  g_assert_cmpstr (shape, ==, "노드 “y”: matmul: X는 2×3인데 W는 2×3입니다. W는 3행이어야 합니다");
  g_assert_cmpstr (arity, ==, "노드 “z”: add은(는) 입력을 2개 받으므로 3번째 입력은 없습니다");
  g_assert_cmpstr (parse, ==,
                   "2행 7열: 노드 “y”: matmul: X는 2×3인데 W는 2×3입니다. W는 3행이어야 합니다");
  g_assert_cmpstr (syntax, ==,
                   "2행 1열: 수, 이름, “(” 또는 “[”이(가) 와야 하는데 텍스트의 끝이(가) 나왔습니다");
  g_assert_true (strstr (cycle, "입력이 순환을 이룹니다") != NULL);
  g_assert_cmpstr (kind, ==, "문서가 배열입니다. .bpgraph 문서는 JSON 객체입니다");

  /* The parser messages that were still English (a name assigned twice
   * is no longer one: it makes a new node, as Python does). */
  {
    g_autofree char *function = parse_error ("exp = 1\n");
    g_autofree char *alias = parse_error ("a = 1\nb = a\n");

    g_assert_nonnull (strstr (function, "함수 이름입니다"));
    g_assert_nonnull (strstr (alias, "이름을 하나 더 붙일 뿐입니다"));
  }

  /* The book's words: node and layer names, DG and UG. */
  g_assert_cmpstr (_(bp_op_lookup ("add")->title), ==, "덧셈 노드");
  g_assert_cmpstr (_(bp_op_lookup ("mul")->title), ==, "곱셈 노드");
  g_assert_cmpstr (_(bp_op_lookup ("repeat")->title), ==, "Repeat 노드");
  g_assert_cmpstr (_(bp_op_lookup ("sum")->title), ==, "Sum 노드");
  g_assert_cmpstr (_(bp_op_lookup ("matmul")->title), ==, "MatMul 노드");
  g_assert_cmpstr (_(bp_op_lookup ("affine")->title), ==, "Affine 계층");
  g_assert_cmpstr (_(bp_op_lookup ("softmax_with_loss")->title), ==, "Softmax-with-Loss 계층");
  g_assert_cmpstr (_(bp_op_lookup ("sigmoid")->title), ==, "Sigmoid 계층");
  g_assert_cmpstr (_(bp_op_lookup ("relu")->title), ==, "ReLU 계층");
  g_assert_cmpstr (_(bp_op_lookup ("cross_entropy")->title), ==, "교차 엔트로피 오차");
  g_assert_cmpstr (_("UG = %s (upstream gradient)"), ==, "UG = %s (상류 기울기)");

  /* The examples in Korean: the apples open with 사과, 사과 개수, 소비세. */
  {
    g_autoptr(BpDocument) apples = bp_examples_load ("apples", NULL);
    g_autofree char *apple = korean_label (apples, "apple");
    g_autofree char *count = korean_label (apples, "apple_num");
    g_autofree char *tax = korean_label (apples, "tax");

    g_assert_cmpstr (apple, ==, "사과");
    g_assert_cmpstr (count, ==, "사과 개수");
    g_assert_cmpstr (tax, ==, "소비세");
    g_assert_cmpstr (bp_document_get_title (apples), ==, "사과 쇼핑");
    g_assert_cmpstr (bp_example_get_title (bp_examples_lookup ("branch")), ==,
                     "분기 노드: 하나의 값, 두 갈래");
    /* the file itself stays English */
    g_assert_nonnull (strstr (bp_examples_lookup ("apples")->data, "\"apple count\""));
  }

  /* A worksheet's texts. */
  {
    g_autoptr(BpDocument) apples = bp_examples_load ("apples", NULL);
    g_autoptr(BpWorksheet) worksheet = bp_worksheet_new (apples, 1, 1, BP_WORKSHEET_HIDE_BOTH, NULL);
    g_autofree char *what = bp_worksheet_describe_blank (bp_worksheet_get_blank (worksheet, 0, 0));
    g_autofree char *xml = bp_worksheet_to_moodle_xml (worksheet, NULL);

    g_assert_cmpstr (what, ==, "“apple_price”의 값");
    g_assert_nonnull (strstr (xml, "빈칸 1: “apple_price”의 값은(는) 얼마입니까?"));
    g_assert_nonnull (strstr (xml, "사과 개수 = "));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/i18n/english", test_english);
  g_test_add_func ("/i18n/korean", test_korean);

  return g_test_run ();
}
