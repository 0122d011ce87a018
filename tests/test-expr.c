/* SPDX-License-Identifier: MIT */
/* The .bpx expression language: syntax, semantics, errors with positions. */

#include <math.h>
#include <string.h>

#include "bp-document.h"
#include "bp-expr.h"

static BpGraph *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  BpGraph *graph = bp_expr_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (graph);
  return graph;
}

/* Runs both passes; returns the graph. */
static BpGraph *
run (const char *text)
{
  g_autoptr(GError) error = NULL;
  BpGraph *graph = parse_ok (text);

  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  return graph;
}

static BpTensor *
value_of (BpGraph    *graph,
          const char *id)
{
  BpNode *node = bp_graph_lookup (graph, id);

  g_assert_nonnull (node);
  return bp_node_get_value (node);
}

static BpTensor *
grad_of (BpGraph    *graph,
         const char *id)
{
  BpNode *node = bp_graph_lookup (graph, id);

  g_assert_nonnull (node);
  g_assert_nonnull (bp_node_get_grad (node));
  return bp_node_get_grad (node);
}

static void
assert_tensor (const BpTensor *tensor,
               guint           rows,
               guint           cols,
               const double   *expected)
{
  g_assert_nonnull (tensor);
  g_assert_cmpuint (tensor->rows, ==, rows);
  g_assert_cmpuint (tensor->cols, ==, cols);
  for (guint i = 0; i < rows * cols; i++)
    g_assert_cmpfloat_with_epsilon (tensor->data[i], expected[i], 1e-9);
}

static void
test_apples (void)
{
  g_autoptr(BpGraph) graph = run ("# The book's first example\n"
                                  "apple = 100\n"
                                  "apple_num = 2   # how many\n"
                                  "tax = 1.1\n"
                                  "\n"
                                  "price = apple * apple_num * tax\n");
  BpNode *price = bp_graph_lookup (graph, "price");

  /* 3 leaves + 2 multiplications: every operator is one node. */
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 5);
  g_assert_true (bp_graph_get_output (graph) == price);
  g_assert_cmpstr (bp_node_get_label (price), ==, "price");
  g_assert_cmpstr (bp_node_get_op (price)->name, ==, "mul");
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "apple"))->name, ==, "input");
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price")->data[0], 220, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple")->data[0], 2.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple_num")->data[0], 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax")->data[0], 200, 1e-9);
  /* Left-associative: (apple * apple_num) * tax. */
  g_assert_true (bp_node_get_input (bp_node_get_input (price, 0), 0)
                 == bp_graph_lookup (graph, "apple"));
  /* Nodes have no positions until laid out. */
  {
    double x, y;

    g_assert_false (bp_node_get_position (price, &x, &y));
  }
}

/* Precedence and associativity as in Python/numpy. */
static void
test_precedence (void)
{
  struct { const char *text; double value; } cases[] = {
    { "y = 1 + 2 * 3", 7 },
    { "y = (1 + 2) * 3", 9 },
    { "y = 10 - 4 - 3", 3 },
    { "y = 24 / 4 / 3", 2 },
    { "y = 2 ^ 3 ^ 2", 512 },
    { "y = 2 ** 3 ** 2", 512 },
    { "x = 3\ny = -x ^ 2", -9 },
    { "x = 3\ny = (-x) ^ 2", 9 },
    { "x = 4\ny = x ^ -1", 0.25 },
    { "x = 4\ny = x ^ (1 / 2)", 2 },
    { "x = 2\ny = --x", 2 },
    { "x = 2\ny = +x * -3", -6 },
    { "x = 5\ny = 1 / x", 0.2 },
    { "y = 1e2 + .5 + 2.5E-1", 100.75 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BpGraph) graph = run (cases[i].text);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpfloat_with_epsilon (value_of (graph, "y")->data[0], cases[i].value, 1e-12);
    }
}

/* Which node each construct makes. */
static void
test_nodes (void)
{
  g_autoptr(BpGraph) graph = NULL;
  BpNode *node;

  graph = parse_ok ("x = 3\n"
                    "a = 1 / x\n"      /* reciprocal, no const 1 */
                    "b = x ^ 2\n"      /* square */
                    "c = x ^ 3\n"      /* pow, power 3 */
                    "d = -x\n"         /* neg */
                    "e = x * 2\n"      /* mul with a const leaf */
                    "f = -2\n"         /* an input leaf of value -2 */
                    "g = param([1, 2])\n"
                    "h = const(5)\n");
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "a"))->name, ==, "reciprocal");
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "b"))->name, ==, "square");
  node = bp_graph_lookup (graph, "c");
  g_assert_cmpstr (bp_node_get_op (node)->name, ==, "pow");
  g_assert_cmpfloat (bp_node_get_attrs (node)->power, ==, 3);
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "d"))->name, ==, "neg");
  node = bp_node_get_input (bp_graph_lookup (graph, "e"), 1);
  g_assert_cmpstr (bp_node_get_op (node)->name, ==, "const");
  g_assert_cmpfloat (bp_node_get_value (node)->data[0], ==, 2);
  node = bp_graph_lookup (graph, "f");
  g_assert_cmpstr (bp_node_get_op (node)->name, ==, "input");
  g_assert_cmpfloat (bp_node_get_value (node)->data[0], ==, -2);
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "g"))->name, ==, "param");
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "h"))->name, ==, "const");
  /* x, a, b, c, d, const, e, f, g, h */
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 10);
  g_assert_true (bp_graph_get_output (graph) == bp_graph_lookup (graph, "h"));
}

/* Generated ids never take a name the text assigns, even later. */
static void
test_generated_ids (void)
{
  g_autoptr(BpGraph) graph = parse_ok ("x = 2\ny = x * x * x\nmul1 = 7\nmul2 = mul1 + y");
  BpNode *y = bp_graph_lookup (graph, "y");
  BpNode *inner = bp_node_get_input (y, 0);

  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "mul1"))->name, ==, "input");
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "mul2"))->name, ==, "add");
  g_assert_cmpstr (bp_node_get_op (inner)->name, ==, "mul");
  g_assert_cmpstr (bp_node_get_id (inner), !=, "mul1");
  g_assert_cmpstr (bp_node_get_id (inner), !=, "mul2");
  g_assert_false (bp_node_has_label (inner));
}

/* The statement's name goes to its value's node, also when the node
 * that ends the line is not that value (-tanh(x), -(-x)); the other
 * nodes keep the numbered ids they always had. */
static void
test_statement_names (void)
{
  g_autoptr(BpGraph) graph = parse_ok ("x = 1.5\n"
                                       "a = -tanh(x)\n"
                                       "b = (x + a)\n"
                                       "c = -(-(x * 2))\n"
                                       "d = exp(x) * 2 + 1\n");
  const char *ids[] = { "x", "tanh1", "a", "b", "const1", "mul1", "neg2", "c",
                        "exp1", "const2", "mul2", "const3", "d" };
  const char *ops[] = { "input", "tanh", "neg", "add", "const", "mul", "neg", "neg",
                        "exp", "const", "mul", "const", "add" };

  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      g_assert_cmpstr (bp_node_get_id (node), ==, ids[i]);
      g_assert_cmpstr (bp_node_get_op (node)->name, ==, ops[i]);
    }
  g_assert_true (bp_node_get_input (bp_graph_lookup (graph, "a"), 0) == bp_graph_lookup (graph, "tanh1"));
  g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (graph, "c")), ==, "c");
  g_assert_false (bp_node_has_label (bp_graph_lookup (graph, "neg2")));
}

/* sum and repeat follow the design (numpy's axes). */
static void
test_sum_repeat (void)
{
  g_autoptr(BpGraph) graph = run ("x = [[1, 2, 3], [4, 5, 6]]\n"
                                  "all = sum(x)\n"
                                  "rows = sum(x, 0)\n"
                                  "cols = sum(x, 1)\n"
                                  "r = [10, 20]\n"
                                  "stacked = repeat(r, 3, 0)\n"
                                  "c = [[1], [2]]\n"
                                  "side = repeat(c, 3, 1)\n"
                                  "dflt = repeat(r, 2)\n"
                                  "y = all + sum(rows) + sum(cols) + sum(stacked) + sum(side) + sum(dflt)\n");
  const double all[] = { 21 };
  const double rows[] = { 5, 7, 9 };
  const double cols[] = { 6, 15 };
  const double stacked[] = { 10, 20, 10, 20, 10, 20 };
  const double side[] = { 1, 1, 1, 2, 2, 2 };
  const double dr[] = { 5, 5 };       /* 3 copies in stacked + 2 in dflt */
  const double dc[] = { 3, 3 };
  const double dx[] = { 3, 3, 3, 3, 3, 3 };  /* copied back by each of the three sums */

  assert_tensor (value_of (graph, "all"), 1, 1, all);
  assert_tensor (value_of (graph, "rows"), 1, 3, rows);
  assert_tensor (value_of (graph, "cols"), 2, 1, cols);
  assert_tensor (value_of (graph, "stacked"), 3, 2, stacked);
  assert_tensor (value_of (graph, "side"), 2, 3, side);
  assert_tensor (value_of (graph, "dflt"), 2, 2, stacked);
  assert_tensor (grad_of (graph, "r"), 1, 2, dr);
  assert_tensor (grad_of (graph, "c"), 2, 1, dc);
  assert_tensor (grad_of (graph, "x"), 2, 3, dx);
  g_assert_cmpint (bp_node_get_attrs (bp_graph_lookup (graph, "all"))->axis, ==, BP_AXIS_ALL);
  g_assert_cmpuint (bp_node_get_attrs (bp_graph_lookup (graph, "stacked"))->times, ==, 3);
}

/* numpy's negative axes: -1 is the last axis (along each row), -2 the
 * first (down the rows), for sum and repeat, in calls and methods. */
static void
test_negative_axes (void)
{
  g_autoptr(BpGraph) graph = run ("x = [[1, 2, 3], [4, 5, 6]]\n"
                                  "last = sum(x, -1)\n"
                                  "first = sum(x, -2)\n"
                                  "m = x.sum(-1)\n"
                                  "c = [[1], [2]]\n"
                                  "wide = repeat(c, 3, -1)\n"
                                  "tall = repeat([7, 8], 2, -2)\n"
                                  "y = sum(last) + sum(first) + sum(m) + sum(wide) + sum(tall)\n");
  const double last[] = { 6, 15 };
  const double first[] = { 5, 7, 9 };
  const double wide[] = { 1, 1, 1, 2, 2, 2 };
  const double tall[] = { 7, 8, 7, 8 };
  const double dx[] = { 3, 3, 3, 3, 3, 3 };
  const double dc[] = { 3, 3 };

  assert_tensor (value_of (graph, "last"), 2, 1, last);
  assert_tensor (value_of (graph, "first"), 1, 3, first);
  assert_tensor (value_of (graph, "m"), 2, 1, last);
  assert_tensor (value_of (graph, "wide"), 2, 3, wide);
  assert_tensor (value_of (graph, "tall"), 2, 2, tall);
  assert_tensor (grad_of (graph, "x"), 2, 3, dx);
  assert_tensor (grad_of (graph, "c"), 2, 1, dc);
  /* stored as the axis it resolves to */
  g_assert_cmpint (bp_node_get_attrs (bp_graph_lookup (graph, "last"))->axis, ==, 1);
  g_assert_cmpint (bp_node_get_attrs (bp_graph_lookup (graph, "first"))->axis, ==, 0);
  g_assert_cmpint (bp_node_get_attrs (bp_graph_lookup (graph, "wide"))->axis, ==, 1);
  g_assert_cmpint (bp_node_get_attrs (bp_graph_lookup (graph, "tall"))->axis, ==, 0);
}

/* + - * / broadcast as numpy does, in expressions too. */
static void
test_broadcast (void)
{
  g_autoptr(BpGraph) graph = run ("x = [[1, -2], [3, 4]]\n"
                                  "a = [[1, 2], [3, 4]] * 2\n"
                                  "b = relu(x) * 2\n"
                                  "bias = [10, 20]\n"
                                  "c = x + bias\n"
                                  "col = [[1], [2]]\n"
                                  "d = x / col\n"
                                  "e = 1 - x\n"
                                  "y = sum(a + b + c + d + e)\n");
  const double a[] = { 2, 4, 6, 8 };
  const double b[] = { 2, 0, 6, 8 };
  const double c[] = { 11, 18, 13, 24 };
  const double d[] = { 1, -2, 1.5, 2 };
  const double e[] = { 0, 3, -2, -3 };
  /* dy/dx: b 2 where x > 0, c 1, d 1/col, e −1 */
  const double dx[] = { 2 + 1 + 1 - 1, 0 + 1 + 1 - 1, 2 + 1 + 0.5 - 1, 2 + 1 + 0.5 - 1 };
  /* the bias was copied to 2 rows: its gradient sums them */
  const double dbias[] = { 2, 2 };
  /* d(x/col)/dcol = −x/col², summed along each row */
  const double dcol[] = { -(1 - 2) / 1.0, -(3 + 4) / 4.0 };

  assert_tensor (value_of (graph, "a"), 2, 2, a);
  assert_tensor (value_of (graph, "b"), 2, 2, b);
  assert_tensor (value_of (graph, "c"), 2, 2, c);
  assert_tensor (value_of (graph, "d"), 2, 2, d);
  assert_tensor (value_of (graph, "e"), 2, 2, e);
  assert_tensor (grad_of (graph, "x"), 2, 2, dx);
  assert_tensor (grad_of (graph, "bias"), 1, 2, dbias);
  assert_tensor (grad_of (graph, "col"), 2, 1, dcol);
}

/* Python's reassignment: each assignment is a new node labelled with the
 * name, its id unique; later lines see the newest value. */
static void
test_reassign (void)
{
  g_autoptr(BpGraph) graph = run ("c = 1\n"
                                  "d = 3\n"
                                  "c = c + 1\n"
                                  "c += d\n"
                                  "c -= 1\n"
                                  "c *= d\n"
                                  "c /= 2\n"
                                  "c **= 2\n"
                                  "c_3 = 100   # taken by the user: skipped\n"
                                  "c = c + c_3\n"
                                  "d = 5\n"
                                  "out = c * d\n");
  const char *cs[] = { "c", "c_2", "c_4", "c_5", "c_6", "c_7", "c_8", "c_9" };
  BpNode *out = bp_graph_lookup (graph, "out");
  double c = 1;

  c = c + 1;
  c += 3;
  c -= 1;
  c *= 3;
  c /= 2;
  c = c * c;
  c = c + 100;

  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    {
      BpNode *node = bp_graph_lookup (graph, cs[i]);

      g_assert_nonnull (node);
      g_assert_cmpstr (bp_node_get_label (node), ==, "c");
    }
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "c_2"))->name, ==, "add");
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "c_7"))->name, ==, "div");
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "c_8"))->name, ==, "square");
  g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (graph, "c_3")), ==, "c_3");
  /* the second d is a new input: out uses it, c_4 the first */
  g_assert_cmpstr (bp_node_get_label (bp_graph_lookup (graph, "d_2")), ==, "d");
  g_assert_true (bp_node_get_input (out, 1) == bp_graph_lookup (graph, "d_2"));
  g_assert_true (bp_node_get_input (bp_graph_lookup (graph, "c_4"), 1) == bp_graph_lookup (graph, "d"));
  g_assert_true (bp_graph_get_output (graph) == out);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "c_9")->data[0], c, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "out")->data[0], c * 5, 1e-12);
  /* the first c's gradient flows through every later one */
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "c")->data[0], 5 * 2 * 6 * 3 / 2.0, 1e-9);

  /* the last assignment is the output, also when it reassigns */
  {
    g_autoptr(BpGraph) g2 = run ("x = 2; x = x * x; x += 1");

    g_assert_cmpstr (bp_node_get_id (bp_graph_get_output (g2)), ==, "x_3");
    g_assert_cmpfloat_with_epsilon (value_of (g2, "x_3")->data[0], 5, 1e-12);
  }
}

/* karpathy/micrograd's own tests (test/test_engine.py), typed as they are
 * written there, with Value(k) as k; the numbers are the ones PyTorch
 * gives in those tests. */
static void
test_micrograd (void)
{
  {
    g_autoptr(BpGraph) graph = run ("x = -4.0\n"
                                    "z = 2 * x + 2 + x\n"
                                    "q = z.relu() + z * x\n"
                                    "h = (z * z).relu()\n"
                                    "y = h + q + q * x\n");

    g_assert_cmpfloat (value_of (graph, "y")->data[0], ==, -20.0);
    g_assert_cmpfloat (grad_of (graph, "x")->data[0], ==, 46.0);
  }
  {
    g_autoptr(BpGraph) graph = run ("a = -4.0\n"
                                    "b = 2.0\n"
                                    "c = a + b\n"
                                    "d = a * b + b**3\n"
                                    "c += c + 1\n"
                                    "c += 1 + c + (-a)\n"
                                    "d += d * 2 + (b + a).relu()\n"
                                    "d += 3 * d + (b - a).relu()\n"
                                    "e = c - d\n"
                                    "f = e**2\n"
                                    "g = f / 2.0\n"
                                    "g += 10.0 / f\n");
    BpNode *g = bp_graph_get_output (graph);

    g_assert_cmpstr (bp_node_get_label (g), ==, "g");
    g_assert_cmpfloat_with_epsilon (bp_node_get_value (g)->data[0], 24.70408163265306, 1e-12);
    g_assert_cmpfloat_with_epsilon (grad_of (graph, "a")->data[0], 138.83381924198252, 1e-10);
    g_assert_cmpfloat_with_epsilon (grad_of (graph, "b")->data[0], 645.5772594752186, 1e-10);
  }
}

/* Every function of the design, with a value to check. */
static void
test_functions (void)
{
  g_autoptr(BpGraph) graph = run ("x = [[1, -2]]\n"
                                  "W = [[1, 2, 3], [4, 5, 6]]\n"
                                  "b = [1, 1, 1]\n"
                                  "t = [[0, 0, 1]]\n"
                                  "e = exp(x)\n"
                                  "l = log(e)\n"
                                  "s = sigmoid(x)\n"
                                  "r = relu(x)\n"
                                  "th = tanh(x)\n"
                                  "n = neg(x)\n"
                                  "q = square(x)\n"
                                  "rc = reciprocal(x)\n"
                                  "p = pow(x, 3)\n"
                                  "a = affine(x, W, b)\n"
                                  "m = x @ W\n"
                                  "mm = matmul(x, W)\n"
                                  "sm = softmax(a)\n"
                                  "ce = cross_entropy(sm, t)\n"
                                  "swl = softmax_with_loss(a, t)\n"
                                  "se = mse(sm, t)\n"
                                  "y = ce + swl + se + sum(l) + sum(s) + sum(r) + sum(th) + sum(n) + sum(q)"
                                  " + sum(rc) + sum(p) + sum(m) + sum(mm)\n");
  const double a[] = { -6, -7, -8 };
  const double r[] = { 1, 0 };
  const double p[] = { 1, -8 };

  assert_tensor (value_of (graph, "a"), 1, 3, a);
  assert_tensor (value_of (graph, "l"), 1, 2, (const double[]) { 1, -2 });
  assert_tensor (value_of (graph, "r"), 1, 2, r);
  assert_tensor (value_of (graph, "p"), 1, 2, p);
  assert_tensor (value_of (graph, "rc"), 1, 2, (const double[]) { 1, -0.5 });
  g_assert_cmpfloat_with_epsilon (value_of (graph, "s")->data[0], 1 / (1 + exp (-1)), 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "th")->data[1], tanh (-2), 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "ce")->data[0],
                                  value_of (graph, "swl")->data[0], 1e-6);
  g_assert_cmpstr (bp_node_get_op (bp_graph_lookup (graph, "m"))->name, ==, "matmul");
}

/* Newlines inside brackets continue the statement; ";" separates. */
static void
test_layout_of_text (void)
{
  g_autoptr(BpGraph) graph = run ("W = [[1, 2],\n"
                                  "     [3, 4]]   # a 2×2 matrix\n"
                                  "y = sum(W,\n"
                                  "        0); z = sum(y)\r\n");
  g_assert_cmpfloat (value_of (graph, "z")->data[0], ==, 10);
  g_clear_object (&graph);

  /* A bare expression as the last line is the output. */
  graph = run ("x = 3; x * x + 1\n\n");
  g_assert_cmpfloat (bp_node_get_value (bp_graph_get_output (graph))->data[0], ==, 10);
  g_clear_object (&graph);

  graph = run ("sum([[1, 2], [3, 4]])");
  g_assert_cmpfloat (bp_node_get_value (bp_graph_get_output (graph))->data[0], ==, 10);
}

typedef struct
{
  const char *text;
  int         code;
  const char *message;
} BadCase;

static const BadCase bad_cases[] = {
  { "", BP_ERROR_PARSE, "line 1, column 1: expected an assignment" },
  { "# nothing\n\n", BP_ERROR_PARSE, "line 1, column 1: expected an assignment" },
  { "x = ", BP_ERROR_PARSE, "line 1, column 5: expected a number, a name, “(” or “[” but found the end of the text" },
  { "x = 3\ny = x +* 2", BP_ERROR_PARSE, "line 2, column 8: expected a number, a name, “(” or “[” but found “*”" },
  { "x = 3 4", BP_ERROR_PARSE, "line 1, column 7: expected an operator or the end of the line but found the number 4" },
  { "x = (1 + 2", BP_ERROR_PARSE, "line 1, column 11: expected an operator or “)” but found the end of the text" },
  { "x = 1)", BP_ERROR_PARSE, "line 1, column 6: expected an operator or the end of the line but found “)”" },
  { "x = 1 $ 2", BP_ERROR_PARSE, "line 1, column 7: unexpected character “$”" },
  /* a comment takes no columns: what ends the line is where it starts */
  { "x = 1 + # more\n", BP_ERROR_PARSE, "line 1, column 9: expected a number, a name, “(” or “[” but found the end of the line" },
  { "x = 1 + # more", BP_ERROR_PARSE, "line 1, column 9: expected a number, a name, “(” or “[” but found the end of the text" },
  { "x = 2\ny = (x +\n  # note\n  )", BP_ERROR_PARSE, "line 4, column 3: expected a number, a name, “(” or “[” but found “)”" },
  { "x = 2;; y = x *\t\tq", BP_ERROR_PARSE, "line 1, column 18: unknown name “q”" },
  { "x = 1\n  y = x ° 2", BP_ERROR_PARSE, "line 2, column 9: unexpected character “°”" },
  { "x = Ţ + 1", BP_ERROR_PARSE, "line 1, column 5: unexpected character “Ţ”" },
  { "x = 1\ny = x + 사과", BP_ERROR_PARSE, "line 2, column 9: unexpected character “사”" },
  { "x += 4", BP_ERROR_PARSE, "line 1, column 1: “x” has no value yet for “+=” to change; assign it first with “=”" },
  { "y = 1\nx **= 2", BP_ERROR_PARSE, "line 2, column 1: “x” has no value yet for “**=” to change" },
  { "x = 2\nx **= x", BP_ERROR_PARSE, "line 2, column 7: expected a constant number but found the name “x”" },
  { "x = 2\nx = x", BP_ERROR_PARSE, "line 2, column 1: “x = x” only gives a node a second name" },
  { "x = 2\ny = x.", BP_ERROR_PARSE, "line 2, column 7: expected a method such as relu() after “.” but found the end of the text" },
  { "x = 2\ny = x.relu", BP_ERROR_PARSE, "line 2, column 7: expected a method such as relu() after “.” but found the name “relu”" },
  { "x = 2\ny = x.foo()", BP_ERROR_PARSE, "line 2, column 7: unknown function “foo”" },
  { "x = 2\ny = x.input()", BP_ERROR_PARSE, "line 2, column 7: input is not a method" },
  { "x = 2\ny = x.sum(2)", BP_ERROR_PARSE, "line 2, column 11: the axis must be 0 or -2 (down the rows), 1 or -1 (along each row)" },
  { "x = 2\ny = x.mul()", BP_ERROR_PARSE, "line 2, column 11: expected a number, a name, “(” or “[” but found “)”" },
  { "y = z + 1", BP_ERROR_PARSE, "line 1, column 5: unknown name “z”" },
  { "y = z + 1\nz = 2", BP_ERROR_PARSE, "line 1, column 5: “z” is used before it is assigned" },
  { "x = 2\ny = x", BP_ERROR_PARSE, "line 2, column 1: “y = x” only gives a node a second name" },
  { "x = 2\ny = x ^ x", BP_ERROR_PARSE, "line 2, column 9: expected a constant exponent but found the name “x”" },
  { "x = 2\ny = x ^ [1]", BP_ERROR_PARSE, "line 2, column 9: expected a constant exponent" },
  { "x = 2\ny = foo(x)", BP_ERROR_PARSE, "line 2, column 5: unknown function “foo”" },
  { "x = 2\ny = exp(x, x)", BP_ERROR_PARSE, "line 2, column 10: expected “)” but found “,”" },
  { "x = 2\ny = mul(x)", BP_ERROR_PARSE, "line 2, column 10: expected “,” and another argument but found “)”" },
  { "x = 2\ny = sum(x, 2)", BP_ERROR_PARSE, "line 2, column 12: the axis must be 0 or -2 (down the rows), 1 or -1 (along each row)" },
  { "x = 2\ny = sum(x, -3)", BP_ERROR_PARSE, "line 2, column 12: the axis must be 0 or -2 (down the rows), 1 or -1 (along each row)" },
  { "x = 2\ny = sum(x, 0.5)", BP_ERROR_PARSE, "line 2, column 12: the axis must be 0 or -2" },
  { "x = 2\ny = repeat(x)", BP_ERROR_PARSE, "line 2, column 13: expected “,” and the number of copies" },
  { "x = 2\ny = repeat(x, 0)", BP_ERROR_PARSE, "line 2, column 15: the number of copies must be a whole number from 1" },
  { "x = 2\ny = repeat(x, 2.5)", BP_ERROR_PARSE, "the number of copies must be a whole number" },
  { "x = 2\ny = repeat(x, 2, -3)", BP_ERROR_PARSE, "line 2, column 18: the axis must be 0 or -2 (down the rows), 1 or -1 (along each row)" },
  { "x = 2\ny = repeat(x, 2, 2)", BP_ERROR_PARSE, "line 2, column 18: the axis must be 0 or -2" },
  { "x = 2\ny = exp", BP_ERROR_PARSE, "line 2, column 5: “exp” is a function: write exp(…)" },
  { "exp = 2", BP_ERROR_PARSE, "line 1, column 1: “exp” is the name of a function" },
  { "x = input(y)", BP_ERROR_PARSE, "line 1, column 11: unknown name “y”" },
  { "x = 1\ny = input(x)", BP_ERROR_PARSE, "line 2, column 11: input() takes a number or a matrix" },
  { "x = [[1, 2], [3]]", BP_ERROR_SHAPE, "line 1, column 14: row 2 of the matrix has 1 elements but row 1 has 2" },
  { "x = [1, 2", BP_ERROR_PARSE, "line 1, column 10: expected “,” or “]” but found the end of the text" },
  { "x = []", BP_ERROR_PARSE, "line 1, column 6: expected a number but found “]”" },
  { "x = [[1, [2]]]", BP_ERROR_PARSE, "line 1, column 10: expected a number but found “[”" },
  { "x = [a]", BP_ERROR_PARSE, "line 1, column 6: expected a number but found the name “a”" },
  { "x = [1; 2]", BP_ERROR_PARSE, "line 1, column 7: expected “,” or a closing bracket but found “;”" },
  { "x = 2\ny = x\n+ 1", BP_ERROR_PARSE, "line 2, column 1: “y = x” only gives a node a second name" },
  { "x * 2\ny = 3", BP_ERROR_PARSE, "line 1, column 1: unknown name “x”" },
  { "x = 2\nx * 2\ny = 3", BP_ERROR_PARSE, "line 2, column 1: expected an assignment such as “y = …” (only the last line" },
  /* shape errors carry the position of the operator */
  { "a = [[1, 2]]\nb = [[1, 2]]\nc = a @ b", BP_ERROR_SHAPE, "line 3, column 7: " },
  { "a = [1, 2]\nb = [1, 2, 3]\n\nc = (a +\n  b)", BP_ERROR_SHAPE, "line 4, column 8: " },
  { "x = [[1, 2]]\nW = [[1], [2]]\nb = [1, 2]\ny = affine(x, W, b)", BP_ERROR_SHAPE, "line 4, column 5: " },
  { "x = 2\ny = repeat(x, 16777216, 0) + repeat(x, 16777216, 1)", 0, "line 2" },
  /* limits */
  { "x = 1\ny = x ^ (10 ^ 400)", BP_ERROR_PARSE, "the exponent must be a finite number" },
  /* numbers beyond the range of a double are mistakes, not ∞ */
  { "x = 1e400", BP_ERROR_PARSE, "line 1, column 5: the number 1e400 is beyond ±1.8e308, the range of a double" },
  { "x = [[1, -1E309]]", BP_ERROR_PARSE, "line 1, column 11: the number 1E309 is beyond ±1.8e308" },
  { "x = 1\ny = x ^ 1e400", BP_ERROR_PARSE, "line 2, column 9: the number 1e400 is beyond" },
  /* broadcasting refuses shapes numpy refuses */
  { "x = [[1, 2], [3, 4]]\ny = x * [1, 2, 3]", BP_ERROR_SHAPE,
    "line 2, column 7: Node “y”: mul: x is 2×2 but y is 1×3; both need the same shape, or one of them must be 1 where they differ" },
  { "x = [[1, 2], [3, 4]]\ny = x - [[1], [2], [3]]", BP_ERROR_SHAPE,
    "line 2, column 7: Node “y”: sub: x is 2×2 but y is 3×1; both need the same shape" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpGraph) graph = NULL;

      g_test_message ("case %u: %s", i, bad_cases[i].text);
      graph = bp_expr_parse (bad_cases[i].text, &error);
      g_assert_null (graph);
      g_assert_nonnull (error);
      g_assert_true (error->domain == BP_ERROR);
      if (bad_cases[i].code != 0)
        g_assert_error (error, BP_ERROR, bad_cases[i].code);
      if (strstr (error->message, bad_cases[i].message) == NULL)
        g_error ("case %u: “%s” does not contain “%s”", i, error->message, bad_cases[i].message);
    }
}

/* Nesting is limited, never a stack overflow; long flat chains are fine. */
static void
test_depth (void)
{
  const char *openers[] = { "(", "-", "exp(", "+" };

  for (guint k = 0; k < G_N_ELEMENTS (openers); k++)
    {
      g_autoptr(GString) text = g_string_new ("y = ");
      g_autoptr(GError) error = NULL;
      g_autoptr(BpGraph) graph = NULL;

      for (guint i = 0; i < 100000; i++)
        g_string_append (text, openers[k]);
      g_string_append (text, "1");
      graph = bp_expr_parse (text->str, &error);
      g_assert_null (graph);
      g_assert_error (error, BP_ERROR, BP_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, "levels deep"));
    }

  /* ^ on constants nests too. */
  {
    g_autoptr(GString) text = g_string_new ("x = 1\ny = x ^ ");
    g_autoptr(GError) error = NULL;
    g_autoptr(BpGraph) graph = NULL;

    for (guint i = 0; i < 100000; i++)
      g_string_append (text, "1 ^ ");
    g_string_append (text, "1");
    graph = bp_expr_parse (text->str, &error);
    g_assert_null (graph);
    g_assert_error (error, BP_ERROR, BP_ERROR_PARSE);
  }

  /* Exactly at the limit still parses. */
  {
    g_autoptr(GString) text = g_string_new ("y = ");
    g_autoptr(BpGraph) graph = NULL;

    for (guint i = 0; i < BP_EXPR_MAX_DEPTH - 1; i++)
      g_string_append (text, "(");
    g_string_append (text, "2");
    for (guint i = 0; i < BP_EXPR_MAX_DEPTH - 1; i++)
      g_string_append (text, ")");
    graph = run (text->str);
    g_assert_cmpfloat (value_of (graph, "y")->data[0], ==, 2);
  }

  /* A long left-associative chain is a loop, not recursion. */
  {
    g_autoptr(GString) text = g_string_new ("x = 1\ny = x");
    g_autoptr(BpGraph) graph = NULL;

    for (guint i = 0; i < 30000; i++)
      g_string_append (text, " + x");
    graph = run (text->str);
    g_assert_cmpfloat (value_of (graph, "y")->data[0], ==, 30001);
    g_assert_cmpfloat (grad_of (graph, "x")->data[0], ==, 30001);
  }
}

/* A literal that the document format could not hold is refused. */
static void
test_big_literal (void)
{
  g_autoptr(GString) text = g_string_new ("x = [0");
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = NULL;

  for (guint i = 0; i < BP_DOCUMENT_MAX_ELEMENTS; i++)
    g_string_append (text, ",0");
  g_string_append (text, "]\n");
  graph = bp_expr_parse (text->str, &error);
  g_assert_null (graph);
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "line 1, column 5: the matrix has more than"));
}

static void
test_not_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = bp_expr_parse ("x = 1 # caf\xe9\n", &error);

  g_assert_null (graph);
  g_assert_error (error, BP_ERROR, BP_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

/* Statements after ";" on one line, "\r\n" line ends and a last line
 * that is a comment: the same nodes as one statement a line. */
static void
test_one_line (void)
{
  g_autoptr(BpGraph) graph = run ("a = 1; b = a * 2; a = b + a\r\nc = a * b; a += c\n# end");
  const char *ids[] = { "a", "const1", "b", "a_2", "c", "a_3" };
  const char *labels[] = { "a", "const1", "b", "a", "c", "a" };

  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      g_assert_cmpstr (bp_node_get_id (node), ==, ids[i]);
      g_assert_cmpstr (bp_node_get_label (node), ==, labels[i]);
      g_assert_true (bp_graph_lookup (graph, ids[i]) == node);
    }
  g_assert_true (bp_graph_get_output (graph) == bp_graph_lookup (graph, "a_3"));
  g_assert_cmpfloat (value_of (graph, "a_3")->data[0], ==, 9);
}

/* Comments may hold any text, Korean included. */
static void
test_comments (void)
{
  g_autoptr(BpGraph) graph = run ("# 사과 쇼핑 ✓\napple = 100 # 사과\ny = apple * 2 # (unbalanced [\n");

  g_assert_cmpfloat (value_of (graph, "y")->data[0], ==, 200);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/expr/apples", test_apples);
  g_test_add_func ("/expr/precedence", test_precedence);
  g_test_add_func ("/expr/nodes", test_nodes);
  g_test_add_func ("/expr/generated-ids", test_generated_ids);
  g_test_add_func ("/expr/statement-names", test_statement_names);
  g_test_add_func ("/expr/sum-repeat", test_sum_repeat);
  g_test_add_func ("/expr/negative-axes", test_negative_axes);
  g_test_add_func ("/expr/broadcast", test_broadcast);
  g_test_add_func ("/expr/reassign", test_reassign);
  g_test_add_func ("/expr/micrograd", test_micrograd);
  g_test_add_func ("/expr/functions", test_functions);
  g_test_add_func ("/expr/layout-of-text", test_layout_of_text);
  g_test_add_func ("/expr/errors", test_errors);
  g_test_add_func ("/expr/depth", test_depth);
  g_test_add_func ("/expr/big-literal", test_big_literal);
  g_test_add_func ("/expr/not-utf8", test_not_utf8);
  g_test_add_func ("/expr/comments", test_comments);
  g_test_add_func ("/expr/one-line", test_one_line);

  return g_test_run ();
}
