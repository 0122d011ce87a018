/* SPDX-License-Identifier: MIT */
/* Every op of the catalog: its backward against central differences on
 * random inputs of several shapes, its local gradients against its
 * downstream gradients, and a few values worked out by hand. */
#include <math.h>
#include <string.h>

#include "bp-engine.h"
#include "bp-blas.h"

/* How to draw the random numbers of an input. */
typedef enum
{
  GEN_ANY,       /* −2 … 2 */
  GEN_POSITIVE,  /* 0.5 … 3: log, pow */
  GEN_AWAY,      /* ±(0.2 … 2): relu's kink, division by zero */
  GEN_PROB,      /* 0.05 … 1: cross entropy's y */
  GEN_TARGETS,   /* labels for an N×1 t next to an N×C y, else 0 … 1 */
} Gen;

typedef struct
{
  guint rows[BP_OP_MAX_INPUTS];
  guint cols[BP_OP_MAX_INPUTS];
  int    axis;
  guint  times;
  double power;
} Case;

typedef struct
{
  const char *op;
  Gen         gen[BP_OP_MAX_INPUTS];
  Case        cases[16];
} OpTest;

#define ATTRS_DEFAULT .axis = BP_AXIS_ALL, .times = 1, .power = 2

/* The shapes each op is tried on. Leaves: the value's shape. */
static const OpTest op_tests[] = {
  { "input", { 0 }, { { { 1 }, { 1 }, ATTRS_DEFAULT }, { { 2 }, { 3 }, ATTRS_DEFAULT } } },
  { "const", { 0 }, { { { 1 }, { 1 }, ATTRS_DEFAULT }, { { 3 }, { 2 }, ATTRS_DEFAULT } } },
  { "param", { 0 }, { { { 1 }, { 1 }, ATTRS_DEFAULT }, { { 4 }, { 1 }, ATTRS_DEFAULT } } },
/* The same shapes, then every way numpy broadcasts a matrix: a 1×1 with
 * any shape, a 1×D row or an N×1 column with N×D, on either side, and a
 * column with a row. */
#define BINARY_SHAPES \
    { { { 1, 1 }, { 1, 1 }, ATTRS_DEFAULT }, { { 2, 2 }, { 3, 3 }, ATTRS_DEFAULT }, \
      { { 4, 4 }, { 1, 1 }, ATTRS_DEFAULT }, { { 1, 1 }, { 5, 5 }, ATTRS_DEFAULT }, \
      { { 1, 2 }, { 1, 3 }, ATTRS_DEFAULT }, { { 2, 1 }, { 3, 1 }, ATTRS_DEFAULT }, \
      { { 1, 1 }, { 1, 4 }, ATTRS_DEFAULT }, { { 3, 1 }, { 1, 1 }, ATTRS_DEFAULT }, \
      { { 1, 3 }, { 3, 3 }, ATTRS_DEFAULT }, { { 3, 1 }, { 3, 3 }, ATTRS_DEFAULT }, \
      { { 2, 2 }, { 1, 3 }, ATTRS_DEFAULT }, { { 2, 2 }, { 3, 1 }, ATTRS_DEFAULT }, \
      { { 2, 1 }, { 1, 3 }, ATTRS_DEFAULT }, { { 1, 2 }, { 3, 1 }, ATTRS_DEFAULT } }
  { "add", { GEN_ANY, GEN_ANY }, BINARY_SHAPES },
  { "sub", { GEN_ANY, GEN_ANY }, BINARY_SHAPES },
  { "mul", { GEN_ANY, GEN_ANY }, BINARY_SHAPES },
  { "div", { GEN_ANY, GEN_AWAY }, BINARY_SHAPES },
#define UNARY_SHAPES \
    { { { 1 }, { 1 }, ATTRS_DEFAULT }, { { 2 }, { 3 }, ATTRS_DEFAULT }, \
      { { 3 }, { 2 }, ATTRS_DEFAULT }, { { 1 }, { 6 }, ATTRS_DEFAULT } }
  { "neg", { GEN_ANY }, UNARY_SHAPES },
  { "reciprocal", { GEN_AWAY }, UNARY_SHAPES },
  { "exp", { GEN_ANY }, UNARY_SHAPES },
  { "log", { GEN_POSITIVE }, UNARY_SHAPES },
  { "square", { GEN_ANY }, UNARY_SHAPES },
  { "pow", { GEN_POSITIVE }, {
      { { 1 }, { 1 }, .axis = BP_AXIS_ALL, .times = 1, .power = 2.5 },
      { { 2 }, { 3 }, .axis = BP_AXIS_ALL, .times = 1, .power = 3 },
      { { 3 }, { 2 }, .axis = BP_AXIS_ALL, .times = 1, .power = -1.5 },
      { { 2 }, { 2 }, .axis = BP_AXIS_ALL, .times = 1, .power = 0 },
      { { 1 }, { 4 }, .axis = BP_AXIS_ALL, .times = 1, .power = 1 } } },
  { "relu", { GEN_AWAY }, UNARY_SHAPES },
  { "sigmoid", { GEN_ANY }, UNARY_SHAPES },
  { "tanh", { GEN_ANY }, UNARY_SHAPES },
  { "repeat", { GEN_ANY }, {
      { { 1 }, { 4 }, .axis = 0, .times = 3, .power = 2 },
      { { 3 }, { 1 }, .axis = 1, .times = 2, .power = 2 },
      { { 2 }, { 3 }, .axis = 0, .times = 2, .power = 2 },
      { { 2 }, { 2 }, .axis = 1, .times = 3, .power = 2 },
      { { 1 }, { 1 }, .axis = 0, .times = 1, .power = 2 },
      { { 1 }, { 3 }, .axis = BP_AXIS_ALL, .times = 4, .power = 2 } } },
  { "sum", { GEN_ANY }, {
      { { 3 }, { 4 }, .axis = BP_AXIS_ALL, .times = 1, .power = 2 },
      { { 3 }, { 4 }, .axis = 0, .times = 1, .power = 2 },
      { { 3 }, { 4 }, .axis = 1, .times = 1, .power = 2 },
      { { 1 }, { 1 }, .axis = BP_AXIS_ALL, .times = 1, .power = 2 },
      { { 1 }, { 5 }, .axis = 0, .times = 1, .power = 2 } } },
  { "matmul", { GEN_ANY, GEN_ANY }, {
      { { 1, 1 }, { 1, 1 }, ATTRS_DEFAULT },
      { { 2, 3 }, { 3, 4 }, ATTRS_DEFAULT },
      { { 5, 2 }, { 2, 1 }, ATTRS_DEFAULT },
      { { 1, 3 }, { 3, 1 }, ATTRS_DEFAULT } } },
  { "affine", { GEN_ANY, GEN_ANY, GEN_ANY }, {
      { { 2, 3, 1 }, { 3, 4, 4 }, ATTRS_DEFAULT },
      { { 1, 2, 1 }, { 2, 2, 2 }, ATTRS_DEFAULT },
      { { 4, 1, 1 }, { 1, 3, 3 }, ATTRS_DEFAULT },
      { { 1, 1, 1 }, { 1, 1, 1 }, ATTRS_DEFAULT } } },
  { "softmax", { GEN_ANY }, {
      { { 1 }, { 3 }, ATTRS_DEFAULT },
      { { 2 }, { 4 }, ATTRS_DEFAULT },
      { { 3 }, { 1 }, ATTRS_DEFAULT } } },
#define LOSS_SHAPES \
    { { { 2, 2 }, { 3, 3 }, ATTRS_DEFAULT }, { { 1, 1 }, { 1, 1 }, ATTRS_DEFAULT }, \
      { { 3, 3 }, { 4, 1 }, ATTRS_DEFAULT }, { { 1, 1 }, { 5, 5 }, ATTRS_DEFAULT } }
  { "cross_entropy", { GEN_PROB, GEN_TARGETS }, LOSS_SHAPES },
  { "softmax_with_loss", { GEN_ANY, GEN_TARGETS }, LOSS_SHAPES },
  { "mse", { GEN_ANY, GEN_ANY }, {
      { { 1, 1 }, { 1, 1 }, ATTRS_DEFAULT },
      { { 2, 2 }, { 3, 3 }, ATTRS_DEFAULT },
      { { 4, 4 }, { 1, 1 }, ATTRS_DEFAULT } } },
};

static const OpTest *
find_test (const char *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (op_tests); i++)
    if (g_str_equal (op_tests[i].op, op))
      return &op_tests[i];
  return NULL;
}

static BpTensor *
random_tensor (Gen   gen,
               guint rows,
               guint cols,
               guint n_classes)
{
  BpTensor *t = bp_tensor_new (rows, cols);

  for (gsize i = 0; i < bp_tensor_n_elements (t); i++)
    {
      double v;

      switch (gen)
        {
        case GEN_POSITIVE:
          v = g_test_rand_double_range (0.5, 3);
          break;
        case GEN_AWAY:
          v = g_test_rand_double_range (0.2, 2) * (g_test_rand_bit () ? 1 : -1);
          break;
        case GEN_PROB:
          v = g_test_rand_double_range (0.05, 1);
          break;
        case GEN_TARGETS:
          if (cols == 1 && n_classes > 1)
            v = g_test_rand_int_range (0, n_classes);
          else
            v = g_test_rand_double_range (0, 1);
          break;
        case GEN_ANY:
        default:
          v = g_test_rand_double_range (-2, 2);
          break;
        }
      t->data[i] = v;
    }

  return t;
}

static BpNode *
leaf (BpGraph    *graph,
      const char *id,
      const char *op,
      BpTensor   *value)
{
  g_autoptr(GError) error = NULL;
  BpNode *node = bp_graph_add_node (graph, id, op, &error);

  g_assert_no_error (error);
  bp_node_set_value (node, value);
  bp_tensor_unref (value);
  return node;
}

static void
connect (BpGraph *graph,
         BpNode  *src,
         BpNode  *dst,
         guint    slot)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_graph_connect (graph, src, dst, slot, &error));
  g_assert_no_error (error);
}

/* s = Σ r ⊙ op(inputs) with random weights r: a scalar whose gradient
 * puts a different upstream gradient on every output element, so a rule
 * that mixes up elements cannot pass. Returns the op node. */
static BpNode *
build_case (BpGraph      *graph,
            const BpOp   *op,
            const OpTest *test,
            const Case   *c)
{
  g_autoptr(GError) error = NULL;
  BpNode *z;
  BpNode *weighted, *total;
  guint rows, cols;

  if (bp_op_is_leaf (op))
    z = leaf (graph, "z", op->name, random_tensor (GEN_ANY, c->rows[0], c->cols[0], 0));
  else
    {
      BpAttrs attrs = BP_ATTRS_INIT;

      z = bp_graph_add_node (graph, "z", op->name, &error);
      g_assert_no_error (error);
      attrs.axis = c->axis;
      attrs.times = c->times;
      attrs.power = c->power;
      g_assert_true (bp_node_set_attrs (z, &attrs, &error));
      g_assert_no_error (error);

      for (guint s = 0; s < op->arity; s++)
        {
          g_autofree char *id = g_strdup_printf ("in%u", s);
          BpTensor *value = random_tensor (test->gen[s], c->rows[s], c->cols[s], c->cols[0]);

          connect (graph, leaf (graph, id, s % 2 ? "input" : "param", value), z, s);
        }
    }

  g_assert_true (bp_node_get_shape (z, &rows, &cols));
  weighted = bp_graph_add_node (graph, "weighted", "mul", &error);
  total = bp_graph_add_node (graph, "total", "sum", &error);
  g_assert_no_error (error);
  connect (graph, z, weighted, 0);
  connect (graph, leaf (graph, "r", "const", random_tensor (GEN_POSITIVE, rows, cols, 0)), weighted, 1);
  connect (graph, weighted, total, 0);
  g_assert_true (bp_graph_get_output (graph) == total);

  return z;
}

static char *
case_name (const BpOp *op,
           const Case *c)
{
  GString *s = g_string_new (op->name);

  for (guint i = 0; i < MAX (op->arity, 1); i++)
    g_string_append_printf (s, " %u×%u", c->rows[i], c->cols[i]);
  if (op->attrs & BP_ATTR_AXIS)
    g_string_append_printf (s, " axis %d", c->axis);
  if (op->attrs & BP_ATTR_TIMES)
    g_string_append_printf (s, " times %u", c->times);
  if (op->attrs & BP_ATTR_POWER)
    g_string_append_printf (s, " power %g", c->power);
  return g_string_free (s, FALSE);
}

static void
test_backward (gconstpointer data)
{
  const BpOp *op = data;
  const OpTest *test = find_test (op->name);
  guint n_cases = 0;

  g_assert_nonnull (test);

  for (guint k = 0; k < G_N_ELEMENTS (test->cases) && test->cases[k].rows[0] > 0; k++)
    {
      const Case *c = &test->cases[k];
      g_autofree char *name = case_name (op, c);

      /* several random draws per shape */
      for (guint draw = 0; draw < 3; draw++)
        {
          g_autoptr(BpGraph) graph = bp_graph_new ();
          g_autoptr(BpGradCheck) check = NULL;
          g_autoptr(GError) error = NULL;

          build_case (graph, op, test, c);
          check = bp_grad_check_run (graph, 0, &error);
          g_assert_no_error (error);

          for (guint l = 0; l < check->leaves->len; l++)
            {
              BpGradCheckLeaf *lf = g_ptr_array_index (check->leaves, l);

              if (!bp_tensor_equal (lf->backprop, lf->numeric, 1e-6, 1e-5))
                {
                  g_autofree char *a = bp_tensor_to_string (lf->backprop, 10);
                  g_autofree char *b = bp_tensor_to_string (lf->numeric, 10);

                  g_test_message ("%s, leaf %s: backprop %s, numeric %s",
                                  name, bp_node_get_id (lf->node), a, b);
                  g_test_fail ();
                }
            }
        }
      n_cases++;
    }

  g_assert_cmpuint (n_cases, >=, 2);
}

/* LG is what the teaching panel shows as the local gradient: check that
 * it really turns UG into DG the way the panel says. */
static void
test_local (gconstpointer data)
{
  const BpOp *op = data;
  const OpTest *test = find_test (op->name);

  g_assert_nonnull (test);

  for (guint k = 0; k < G_N_ELEMENTS (test->cases) && test->cases[k].rows[0] > 0; k++)
    {
      const Case *c = &test->cases[k];
      g_autoptr(BpGraph) graph = bp_graph_new ();
      g_autoptr(GError) error = NULL;
      BpTrace *trace;
      BpNode *z = build_case (graph, op, test, c);
      const BpStep *step;
      int index;

      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
      trace = bp_graph_get_trace (graph);
      index = bp_trace_find_step (trace, z, BP_STEP_BACKWARD);
      g_assert_cmpint (index, >=, 0);
      step = bp_trace_get_step (trace, index);

      g_assert_true (step->node == z);
      g_assert_true (bp_tensor_equal (step->upstream, bp_node_get_grad (z), 0, 0));
      g_assert_cmpuint (step->n_inputs, ==, op->arity);

      for (guint s = 0; s < step->n_inputs; s++)
        {
          const BpTensor *ug = step->upstream;
          const BpTensor *lg = step->local[s];
          const BpTensor *dg = step->downstream[s];
          BpNode *input = bp_node_get_input (z, s);
          g_autoptr(BpTensor) expect = NULL;

          g_assert_nonnull (dg);
          g_assert_true (bp_tensor_same_shape (dg, bp_node_get_value (input)));
          /* the only consumer of the input: its gradient is this DG */
          g_assert_true (bp_tensor_equal (dg, bp_node_get_grad (input), 0, 0));

          /* An input broadcasting copied has no LG of its own, and the
           * op says why. */
          if (bp_op_is_broadcast (op, dg->rows, dg->cols, ug->rows, ug->cols))
            {
              g_autofree char *why = bp_op_describe_broadcast (op, bp_node_get_label (input),
                                                               dg->rows, dg->cols,
                                                               ug->rows, ug->cols);
              g_assert_null (lg);
              g_assert_nonnull (why);
              g_assert_nonnull (strstr (why, bp_node_get_label (input)));
              continue;
            }
          g_assert_true (op->arity == 0 || !op->broadcasts || bp_tensor_same_shape (dg, ug));

          if (lg == NULL)
            continue;

          if (g_str_equal (op->name, "matmul") || g_str_equal (op->name, "affine"))
            {
              /* dX = UG · Wᵀ, dW = Xᵀ · UG */
              const BpTensor *a = s == 0 ? ug : lg;
              const BpTensor *b = s == 0 ? lg : ug;

              g_assert_cmpuint (a->cols, ==, b->rows);
              expect = bp_tensor_new (a->rows, b->cols);
              for (guint i = 0; i < a->rows; i++)
                for (guint j = 0; j < b->cols; j++)
                  for (guint m = 0; m < a->cols; m++)
                    expect->data[i * b->cols + j] += bp_tensor_get (a, i, m) * bp_tensor_get (b, m, j);
            }
          else if (g_str_equal (op->name, "sum"))
            {
              /* every input element fed its output element with slope 1 */
              g_assert_true (bp_tensor_same_shape (lg, dg));
              expect = bp_tensor_new_filled (lg->rows, lg->cols, 1.0);
              g_assert_true (bp_tensor_equal (expect, lg, 0, 0));
              continue;
            }
          else if (bp_tensor_is_scalar (ug))
            {
              /* a scalar output: DG = UG · LG */
              expect = bp_tensor_copy (lg);
              for (gsize i = 0; i < bp_tensor_n_elements (expect); i++)
                expect->data[i] *= ug->data[0];
            }
          else
            {
              /* elementwise: DG = UG ⊙ LG */
              g_assert_true (bp_tensor_same_shape (ug, lg));
              expect = bp_tensor_copy (lg);
              for (gsize i = 0; i < bp_tensor_n_elements (expect); i++)
                expect->data[i] *= ug->data[i];
            }

          g_assert_true (bp_tensor_equal (expect, dg, 1e-12, 1e-10));
        }
    }
}

/* Expanding a broadcasting node shows its hidden Repeat nodes (a column's
 * copies first, then a row's) and gives the same values and gradients. */
static void
test_broadcast_expand (gconstpointer data)
{
  const BpOp *op = data;
  const OpTest *test = find_test (op->name);
  guint n_expanded = 0;

  for (guint k = 0; k < G_N_ELEMENTS (test->cases) && test->cases[k].rows[0] > 0; k++)
    {
      const Case *c = &test->cases[k];
      g_autoptr(BpGraph) graph = bp_graph_new ();
      g_autoptr(BpGraph) expanded = NULL;
      g_autoptr(GPtrArray) created = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *name = case_name (op, c);
      BpNode *z = build_case (graph, op, test, c);
      guint rows, cols, n_repeats = 0, expect_repeats = 0;
      BpNode *last;

      g_assert_true (bp_node_get_shape (z, &rows, &cols));
      for (guint s = 0; s < 2; s++)
        expect_repeats += (c->rows[s] != rows) + (c->cols[s] != cols);

      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
      expanded = bp_graph_copy (graph);

      if (expect_repeats == 0)
        {
          g_assert_false (bp_expand_can_expand (bp_graph_lookup (expanded, "z")));
          g_assert_null (bp_expand_node (expanded, bp_graph_lookup (expanded, "z"), &error));
          g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
          continue;
        }

      g_test_message ("%s", name);
      g_assert_true (bp_expand_can_expand (bp_graph_lookup (expanded, "z")));
      created = bp_expand_node (expanded, bp_graph_lookup (expanded, "z"), &error);
      g_assert_no_error (error);
      g_assert_nonnull (created);
      for (guint i = 0; i < created->len; i++)
        {
          BpNode *node = g_ptr_array_index (created, i);

          if (g_str_equal (bp_node_get_op (node)->name, "repeat"))
            n_repeats++;
        }
      g_assert_cmpuint (n_repeats, ==, expect_repeats);
      g_assert_cmpuint (created->len, ==, expect_repeats + 1);

      /* The op takes the node's place, now on inputs of one shape. */
      last = bp_graph_lookup (expanded, "z");
      g_assert_nonnull (last);
      g_assert_true (last == g_ptr_array_index (created, created->len - 1));
      g_assert_true (bp_node_get_op (last) == op);
      g_assert_false (bp_expand_can_expand (last));
      for (guint s = 0; s < 2; s++)
        {
          guint in_rows, in_cols;

          g_assert_true (bp_node_get_shape (bp_node_get_input (last, s), &in_rows, &in_cols));
          g_assert_cmpuint (in_rows, ==, rows);
          g_assert_cmpuint (in_cols, ==, cols);
        }

      g_assert_true (bp_graph_backward (expanded, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
        {
          BpNode *before = bp_graph_get_node (graph, i);
          BpNode *after = bp_graph_lookup (expanded, bp_node_get_id (before));

          g_assert_nonnull (after);
          g_assert_true (bp_tensor_equal (bp_node_get_value (before), bp_node_get_value (after), 1e-12, 1e-12));
          g_assert_true (bp_tensor_equal (bp_node_get_grad (before), bp_node_get_grad (after), 1e-12, 1e-12));
        }
      n_expanded++;
    }

  g_assert_cmpuint (n_expanded, >=, 10);
}

/* The shape rule: what numpy broadcasts, and nothing else, each refusal
 * naming the shapes. */
static void
test_broadcast_shapes (void)
{
  const struct { guint xr, xc, yr, yc, zr, zc; } ok[] = {
    { 2, 3, 2, 3, 2, 3 }, { 1, 1, 2, 3, 2, 3 }, { 2, 3, 1, 1, 2, 3 },
    { 1, 3, 2, 3, 2, 3 }, { 2, 3, 1, 3, 2, 3 }, { 2, 1, 2, 3, 2, 3 },
    { 2, 3, 2, 1, 2, 3 }, { 2, 1, 1, 3, 2, 3 }, { 1, 3, 2, 1, 2, 3 },
    { 1, 1, 1, 4, 1, 4 }, { 4, 1, 1, 1, 4, 1 },
  };
  const struct { guint xr, xc, yr, yc; } bad[] = {
    { 2, 3, 3, 2 }, { 2, 3, 1, 2 }, { 2, 3, 3, 1 }, { 1, 2, 1, 3 }, { 2, 1, 3, 1 },
    { 3, 3, 2, 3 }, { 1, 4, 2, 3 },
  };
  const char *names[] = { "add", "sub", "mul", "div" };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      const BpOp *op = bp_op_lookup (names[n]);
      BpAttrs attrs = BP_ATTRS_INIT;

      g_assert_true (op->broadcasts);
      for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
        {
          guint in_rows[2] = { ok[i].xr, ok[i].yr }, in_cols[2] = { ok[i].xc, ok[i].yc };
          guint rows = 0, cols = 0;
          g_autoptr(GError) error = NULL;

          g_assert_true (op->shape (&attrs, in_rows, in_cols, &rows, &cols, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (rows, ==, ok[i].zr);
          g_assert_cmpuint (cols, ==, ok[i].zc);
        }
      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        {
          guint in_rows[2] = { bad[i].xr, bad[i].yr }, in_cols[2] = { bad[i].xc, bad[i].yc };
          guint rows = 0, cols = 0;
          g_autoptr(GError) error = NULL;
          g_autofree char *expect = g_strdup_printf ("%s: x is %u×%u but y is %u×%u; both need the same "
                                                     "shape, or one of them must be 1 where they differ, "
                                                     "to be copied (broadcast) as numpy does: a 1×1, a "
                                                     "1×D row or an N×1 column with an N×D matrix",
                                                     names[n], bad[i].xr, bad[i].xc, bad[i].yr, bad[i].yc);

          g_assert_false (op->shape (&attrs, in_rows, in_cols, &rows, &cols, &error));
          g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
          g_assert_cmpstr (error->message, ==, expect);
        }
    }

  /* Only + − × ÷ broadcast; the others keep their own rules. */
  g_assert_false (bp_op_lookup ("mse")->broadcasts);
  g_assert_false (bp_op_lookup ("matmul")->broadcasts);
  g_assert_false (bp_op_is_broadcast (bp_op_lookup ("mse"), 1, 3, 2, 3));
  g_assert_false (bp_op_is_broadcast (bp_op_lookup ("add"), 2, 3, 2, 3));
  g_assert_true (bp_op_is_broadcast (bp_op_lookup ("add"), 1, 3, 2, 3));
}

/* The sentence the teaching panel shows for a copied input. */
static void
test_broadcast_describe (void)
{
  const BpOp *add = bp_op_lookup ("add");
  g_autofree char *bias = bp_op_describe_broadcast (add, "bias", 1, 3, 2, 3);
  g_autofree char *column = bp_op_describe_broadcast (add, "x", 2, 1, 2, 3);
  g_autofree char *scalar = bp_op_describe_broadcast (bp_op_lookup ("mul"), "y", 1, 1, 2, 3);
  g_autofree char *unnamed = bp_op_describe_broadcast (add, NULL, 1, 1, 1, 4);

  g_assert_cmpstr (bias, ==, "the 1×3 bias was copied to 2 rows: its gradient is the sum over the batch");
  g_assert_cmpstr (column, ==, "the 2×1 x was copied to 3 columns: its gradient is the sum along each row");
  g_assert_cmpstr (scalar, ==, "the 1×1 y was copied to every element of the 2×3 result: "
                               "its gradient is the sum of all their gradients");
  g_assert_cmpstr (unnamed, ==, "the 1×1 input was copied to 4 columns: its gradient is the sum along each row");
  g_assert_null (bp_op_describe_broadcast (add, "x", 2, 3, 2, 3));
  g_assert_null (bp_op_describe_broadcast (bp_op_lookup ("mse"), "x", 1, 3, 2, 3));
  g_assert_nonnull (strstr (add->backward_text, "sum over its copies"));
}

/* The kernels' own sum over the copies is the Repeat node's backward:
 * the same numbers as a graph of explicit repeat nodes, down to the bit. */
static void
test_broadcast_is_repeat (void)
{
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(BpGraph) explicit_graph = NULL;
  g_autoptr(GError) error = NULL;

  graph = bp_expr_parse ("x = [[1, 2, 3], [4, 5, 6]]\ns = 0.5\nb = [0.25, -1, 2]\n"
                         "y = sum((x * s + b) * x)", &error);
  g_assert_no_error (error);
  explicit_graph = bp_expr_parse ("x = [[1, 2, 3], [4, 5, 6]]\ns = 0.5\nb = [0.25, -1, 2]\n"
                                  "y = sum((x * repeat(repeat(s, 3, 1), 2, 0) + repeat(b, 2, 0)) * x)",
                                  &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_true (bp_graph_backward (explicit_graph, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      const char *id = (const char *[]) { "x", "s", "b" }[i];

      g_assert_true (bp_tensor_equal (bp_node_get_grad (bp_graph_lookup (graph, id)),
                                      bp_node_get_grad (bp_graph_lookup (explicit_graph, id)), 0, 0));
    }
  /* ds = Σ x², db = Σ over the batch of x */
  g_assert_cmpfloat (bp_node_get_grad (bp_graph_lookup (graph, "s"))->data[0], ==, 91);
  g_assert_cmpfloat (bp_node_get_grad (bp_graph_lookup (graph, "b"))->data[1], ==, 7);
}

static void
test_catalog (void)
{
  guint n_ops = 0;
  const BpOp *const *ops = bp_op_get_all (&n_ops);
  const char *required[] = {
    "input", "const", "param", "add", "sub", "mul", "div", "reciprocal", "neg",
    "exp", "log", "square", "pow", "relu", "sigmoid", "tanh", "repeat", "sum",
    "matmul", "affine", "softmax", "cross_entropy", "softmax_with_loss", "mse",
  };

  g_assert_cmpuint (n_ops, ==, G_N_ELEMENTS (required));
  g_assert_null (ops[n_ops]);

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const BpOp *op = bp_op_lookup (required[i]);

      g_assert_nonnull (op);
      g_assert_cmpstr (op->name, ==, required[i]);
      g_assert_nonnull (find_test (op->name));
    }
  g_assert_null (bp_op_lookup ("nope"));

  for (guint i = 0; i < n_ops; i++)
    {
      const BpOp *op = ops[i];

      g_assert_true (bp_op_lookup (op->name) == op);
      g_assert_true (op->symbol != NULL && *op->symbol);
      g_assert_true (op->title != NULL && *op->title);
      g_assert_true (op->forward_text != NULL && *op->forward_text);
      g_assert_true (op->formula != NULL && *op->formula);
      g_assert_true (op->backward_text != NULL && *op->backward_text);
      g_assert_cmpuint (op->arity, <=, BP_OP_MAX_INPUTS);

      if (bp_op_is_leaf (op))
        {
          g_assert_cmpuint (op->arity, ==, 0);
          continue;
        }
      g_assert_nonnull (op->shape);
      g_assert_nonnull (op->forward);
      g_assert_nonnull (op->backward);
      g_assert_nonnull (op->input_names);
      g_assert_cmpuint (g_strv_length ((char **) op->input_names), ==, op->arity);
    }

  g_assert_cmpstr (bp_op_lookup ("mul")->formula, ==, "∂z/∂x = y, ∂z/∂y = x");
  g_assert_true (bp_op_lookup ("sigmoid")->expandable);
  g_assert_true (bp_op_lookup ("affine")->expandable);
  g_assert_true (bp_op_lookup ("softmax_with_loss")->expandable);
  g_assert_false (bp_op_lookup ("mul")->expandable);
}

/* Runs one op on fixed inputs and returns its value and the gradients
 * of Σ output. */
static BpTensor *
run_op (const char  *name,
        BpAttrs     *attrs,
        BpTensor   **inputs,
        BpTensor   **grads)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  const BpOp *op = bp_op_lookup (name);
  BpNode *z = bp_graph_add_node (graph, "z", name, &error);
  BpNode *in[BP_OP_MAX_INPUTS];

  if (attrs != NULL)
    g_assert_true (bp_node_set_attrs (z, attrs, &error));
  for (guint s = 0; s < op->arity; s++)
    {
      g_autofree char *id = g_strdup_printf ("in%u", s);

      in[s] = leaf (graph, id, "input", bp_tensor_ref (inputs[s]));
      connect (graph, in[s], z, s);
    }
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  for (guint s = 0; s < op->arity; s++)
    grads[s] = bp_tensor_ref (bp_node_get_grad (in[s]));
  return bp_tensor_ref (bp_node_get_value (z));
}

static BpTensor *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  BpTensor *t = bp_tensor_parse (text, &error);

  g_assert_no_error (error);
  return t;
}

static void
assert_tensor (BpTensor   *t,
               const char *text)
{
  g_autoptr(BpTensor) expect = parse (text);

  if (!bp_tensor_equal (t, expect, 1e-9, 1e-9))
    {
      g_autofree char *got = bp_tensor_to_string (t, 10);
      g_error ("expected %s, got %s", text, got);
    }
}

static void
clear_all (BpTensor **v,
           guint      n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&v[i], bp_tensor_unref);
}

static void
test_values (void)
{
  BpTensor *in[3] = { NULL, };
  BpTensor *g[3] = { NULL, };
  BpTensor *out;
  BpAttrs attrs = BP_ATTRS_INIT;

  /* sigmoid(0) = 0.5, its gradient 0.25 */
  in[0] = parse ("[0, 1000, -1000]");
  out = run_op ("sigmoid", NULL, in, g);
  assert_tensor (out, "[0.5, 1, 0]");
  assert_tensor (g[0], "[0.25, 0, 0]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* relu passes where x > 0 */
  in[0] = parse ("[[-1, 2], [3, -4]]");
  out = run_op ("relu", NULL, in, g);
  assert_tensor (out, "[[0, 2], [3, 0]]");
  assert_tensor (g[0], "[[0, 1], [1, 0]]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* repeat sums, sum copies */
  in[0] = parse ("[1, 2]");
  attrs.axis = 0;
  attrs.times = 3;
  out = run_op ("repeat", &attrs, in, g);
  assert_tensor (out, "[[1, 2], [1, 2], [1, 2]]");
  assert_tensor (g[0], "[3, 3]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  in[0] = parse ("[[1], [2]]");
  attrs.axis = 1;
  attrs.times = 2;
  out = run_op ("repeat", &attrs, in, g);
  assert_tensor (out, "[[1, 1], [2, 2]]");
  assert_tensor (g[0], "[[2], [2]]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  in[0] = parse ("[[1, 2, 3], [4, 5, 6]]");
  attrs = (BpAttrs) BP_ATTRS_INIT;
  out = run_op ("sum", &attrs, in, g);
  assert_tensor (out, "21");
  assert_tensor (g[0], "[[1, 1, 1], [1, 1, 1]]");
  bp_tensor_unref (out); clear_all (g, 3);
  attrs.axis = 0;
  out = run_op ("sum", &attrs, in, g);
  assert_tensor (out, "[5, 7, 9]");
  bp_tensor_unref (out); clear_all (g, 3);
  attrs.axis = 1;
  out = run_op ("sum", &attrs, in, g);
  assert_tensor (out, "[[6], [15]]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* matmul: dX = dY·Wᵀ with dY = ones, dW = Xᵀ·dY */
  in[0] = parse ("[[1, 2, 3], [4, 5, 6]]");
  in[1] = parse ("[[1, 0], [0, 1], [1, 1]]");
  out = run_op ("matmul", NULL, in, g);
  assert_tensor (out, "[[4, 5], [10, 11]]");
  assert_tensor (g[0], "[[1, 1, 2], [1, 1, 2]]");
  assert_tensor (g[1], "[[5, 5], [7, 7], [9, 9]]");
  bp_tensor_unref (out); clear_all (g, 3);

  /* affine: the same plus b on every row; db = Σ over the batch */
  in[2] = parse ("[10, 20]");
  out = run_op ("affine", NULL, in, g);
  assert_tensor (out, "[[14, 25], [20, 31]]");
  assert_tensor (g[2], "[2, 2]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* softmax: rows sum to 1, stable for large inputs */
  in[0] = parse ("[[1000, 1000], [0, 0]]");
  out = run_op ("softmax", NULL, in, g);
  assert_tensor (out, "[[0.5, 0.5], [0.5, 0.5]]");
  assert_tensor (g[0], "[[0, 0], [0, 0]]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* cross entropy of the book's example: −log(0.6 + 1e-7) */
  in[0] = parse ("[0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]");
  in[1] = parse ("[0, 0, 1, 0, 0, 0, 0, 0, 0, 0]");
  out = run_op ("cross_entropy", NULL, in, g);
  g_assert_cmpfloat_with_epsilon (out->data[0], 0.510825457099338, 1e-9);
  bp_tensor_unref (out); clear_all (g, 3);
  /* the same with a label */
  g_clear_pointer (&in[1], bp_tensor_unref);
  in[1] = parse ("2");
  out = run_op ("cross_entropy", NULL, in, g);
  g_assert_cmpfloat_with_epsilon (out->data[0], 0.510825457099338, 1e-9);
  assert_tensor (g[1], "0");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* softmax with loss: the book's (y − t)/N for one-hot t */
  in[0] = parse ("[[0.3, 2.9, 4.0], [1, 2, 3]]");
  in[1] = parse ("[[0, 0, 1], [0, 1, 0]]");
  out = run_op ("softmax_with_loss", NULL, in, g);
  {
    double y[2][3];

    for (guint r = 0; r < 2; r++)
      {
        double sum = 0;

        for (guint c = 0; c < 3; c++)
          sum += (y[r][c] = exp (bp_tensor_get (in[0], r, c)));
        for (guint c = 0; c < 3; c++)
          {
            y[r][c] /= sum;
            g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], r, c),
                                            (y[r][c] - bp_tensor_get (in[1], r, c)) / 2, 1e-6);
          }
      }
    g_assert_cmpfloat_with_epsilon (out->data[0], -(log (y[0][2] + 1e-7) + log (y[1][1] + 1e-7)) / 2, 1e-12);
  }
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* a confidently wrong prediction: the book's layer (and PyTorch) send
   * (y − t)/N = [−1, 1], not the exact derivative of log(y + 1e-7) */
  in[0] = parse ("[[0, 20]]");
  in[1] = parse ("[[1, 0]]");
  out = run_op ("softmax_with_loss", NULL, in, g);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 0), -1, 1e-8);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 1), 1, 1e-8);
  g_assert_cmpfloat_with_epsilon (out->data[0], -log (1 / (1 + exp (20)) + 1e-7), 1e-12);
  bp_tensor_unref (out); clear_all (g, 3);
  /* the same with a class label */
  g_clear_pointer (&in[1], bp_tensor_unref);
  in[1] = parse ("0");
  out = run_op ("softmax_with_loss", NULL, in, g);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 0), -1, 1e-8);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 1), 1, 1e-8);
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* overflowing scores: the softmax stays finite, the loss is −log(1e-7),
   * and the gradient is still (y − t)/N over a batch of two */
  in[0] = parse ("[[1000, 0, -1000], [0, 800, 0]]");
  in[1] = parse ("[[0, 1, 0], [0, 1, 0]]");
  out = run_op ("softmax_with_loss", NULL, in, g);
  g_assert_cmpfloat_with_epsilon (out->data[0], -log (1e-7) / 2, 1e-6);
  assert_tensor (g[0], "[[0.5, -0.5, 0], [0, 0, 0]]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* targets that do not sum to 1 get the exact derivative:
   * d/dx of −Σ t·log(softmax(x) + 1e-7) ≈ y·Σt − t */
  in[0] = parse ("[[0, 0]]");
  in[1] = parse ("[[1, 1]]");
  out = run_op ("softmax_with_loss", NULL, in, g);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 0), 0, 1e-6);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 1), 0, 1e-6);
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);
  in[0] = parse ("[[0, 0]]");
  in[1] = parse ("[[2, 0]]");
  out = run_op ("softmax_with_loss", NULL, in, g);
  /* y = ½: (y·2 − t) = [1 − 2, 1 − 0] up to the 1e-7 */
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 0), -1, 1e-5);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (g[0], 0, 1), 1, 1e-5);
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* mse = ½ Σ (y − t)² */
  in[0] = parse ("[1, 2, 3]");
  in[1] = parse ("[1, 0, 6]");
  out = run_op ("mse", NULL, in, g);
  assert_tensor (out, "6.5");
  assert_tensor (g[0], "[0, 2, -3]");
  assert_tensor (g[1], "[0, -2, 3]");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);

  /* pow and the rest of the elementwise family at one point */
  in[0] = parse ("[4]");
  attrs = (BpAttrs) BP_ATTRS_INIT;
  attrs.power = 0.5;
  out = run_op ("pow", &attrs, in, g);
  assert_tensor (out, "2");
  assert_tensor (g[0], "0.25");
  bp_tensor_unref (out); clear_all (g, 3);
  out = run_op ("reciprocal", NULL, in, g);
  assert_tensor (out, "0.25");
  assert_tensor (g[0], "-0.0625");
  bp_tensor_unref (out); clear_all (in, 3); clear_all (g, 3);
}

static guint blas_refusals;

static void
count_blas_refusal (void)
{
  blas_refusals++;
}

/* A program that cannot load BLAS (bpgraph, linked statically) is told
 * once, at the first product large enough to want it, and the matrix
 * ops' own loops compute that product and every later one. */
static void
test_matmul_blas_unavailable (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(BpTensor) x = bp_tensor_new (24, 24);
  g_autoptr(BpTensor) w = bp_tensor_new (24, 24);
  BpTensor *in[3] = { x, w, NULL };
  BpTensor *g[3] = { NULL, NULL, NULL };

  for (guint i = 0; i < 24 * 24; i++)
    {
      x->data[i] = g_rand_double_range (rand, -1, 1);
      w->data[i] = g_rand_double_range (rand, -1, 1);
    }
  blas_refusals = 0;
  bp_blas_set_unavailable_func (count_blas_refusal);
  for (guint pass = 0; pass < 2; pass++)
    {
      BpTensor *y = run_op ("matmul", NULL, in, g);

      for (guint r = 0; r < 24; r++)
        for (guint c = 0; c < 24; c++)
          {
            double sum = 0;

            for (guint k = 0; k < 24; k++)
              sum += bp_tensor_get (x, r, k) * bp_tensor_get (w, k, c);
            g_assert_cmpfloat_with_epsilon (bp_tensor_get (y, r, c), sum, 1e-12);
          }
      bp_tensor_unref (y);
      clear_all (g, 3);
    }
  g_assert_false (bp_blas_available ());
  /* Once, or never where the engine was built without BLAS. */
  g_assert_cmpuint (blas_refusals, <=, 1);
  bp_blas_set_unavailable_func (NULL);
}

int
main (int   argc,
      char *argv[])
{
  guint n_ops;
  const BpOp *const *ops;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ops/catalog", test_catalog);
  g_test_add_func ("/ops/values", test_values);
  g_test_add_func ("/ops/broadcast/shapes", test_broadcast_shapes);
  g_test_add_func ("/ops/broadcast/describe", test_broadcast_describe);
  g_test_add_func ("/ops/broadcast/is-repeat", test_broadcast_is_repeat);
  g_test_add_func ("/ops/matmul/blas-unavailable", test_matmul_blas_unavailable);

  ops = bp_op_get_all (&n_ops);
  for (guint i = 0; i < n_ops; i++)
    {
      g_autofree char *backward = g_strdup_printf ("/ops/backward/%s", ops[i]->name);
      g_autofree char *local = g_strdup_printf ("/ops/local/%s", ops[i]->name);

      g_test_add_data_func (backward, ops[i], test_backward);
      g_test_add_data_func (local, ops[i], test_local);
      if (ops[i]->broadcasts)
        {
          g_autofree char *expand = g_strdup_printf ("/ops/broadcast/expand/%s", ops[i]->name);

          g_test_add_data_func (expand, ops[i], test_broadcast_expand);
        }
    }

  return g_test_run ();
}
