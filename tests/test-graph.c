/* SPDX-License-Identifier: MIT */
/* The graph: the book's numbers, the branch rule, cycles, shape errors,
 * NaN, expansion, the trace and the gradient check. */
#include <math.h>
#include <string.h>

#include "bp-engine.h"
#include "bp-order-private.h"
#include "bp-trace-private.h"

static BpNode *
add_leaf (BpGraph    *graph,
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

static BpNode *
scalar (BpGraph    *graph,
        const char *id,
        double      v)
{
  return add_leaf (graph, id, "input", bp_tensor_new_scalar (v));
}

static BpNode *
op1 (BpGraph    *graph,
     const char *id,
     const char *op,
     BpNode     *x)
{
  g_autoptr(GError) error = NULL;
  BpNode *node = bp_graph_add_node (graph, id, op, &error);

  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, x, node, 0, &error));
  g_assert_no_error (error);
  return node;
}

static BpNode *
op2 (BpGraph    *graph,
     const char *id,
     const char *op,
     BpNode     *x,
     BpNode     *y)
{
  BpNode *node = op1 (graph, id, op, x);
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_graph_connect (graph, y, node, 1, &error));
  g_assert_no_error (error);
  return node;
}

static BpNode *
op3 (BpGraph    *graph,
     const char *id,
     const char *op,
     BpNode     *x,
     BpNode     *y,
     BpNode     *z)
{
  BpNode *node = op2 (graph, id, op, x, y);
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_graph_connect (graph, z, node, 2, &error));
  g_assert_no_error (error);
  return node;
}

static double
value_of (BpGraph    *graph,
          const char *id)
{
  BpNode *node = bp_graph_lookup (graph, id);

  g_assert_nonnull (node);
  g_assert_nonnull (bp_node_get_value (node));
  g_assert_true (bp_tensor_is_scalar (bp_node_get_value (node)));
  return bp_node_get_value (node)->data[0];
}

static double
grad_of (BpGraph    *graph,
         const char *id)
{
  BpNode *node = bp_graph_lookup (graph, id);

  g_assert_nonnull (node);
  g_assert_nonnull (bp_node_get_grad (node));
  g_assert_true (bp_tensor_is_scalar (bp_node_get_grad (node)));
  return bp_node_get_grad (node)->data[0];
}

static BpGraph *
apple_graph (void)
{
  BpGraph *graph = bp_graph_new ();
  BpNode *apple = scalar (graph, "apple", 100);
  BpNode *apple_num = scalar (graph, "apple_num", 2);
  BpNode *tax = scalar (graph, "tax", 1.1);
  BpNode *apple_price = op2 (graph, "apple_price", "mul", apple, apple_num);

  op2 (graph, "price", "mul", apple_price, tax);
  return graph;
}

static BpGraph *
apple_orange_graph (void)
{
  BpGraph *graph = bp_graph_new ();
  BpNode *apple = scalar (graph, "apple", 100);
  BpNode *apple_num = scalar (graph, "apple_num", 2);
  BpNode *orange = scalar (graph, "orange", 150);
  BpNode *orange_num = scalar (graph, "orange_num", 3);
  BpNode *tax = scalar (graph, "tax", 1.1);
  BpNode *apple_price = op2 (graph, "apple_price", "mul", apple, apple_num);
  BpNode *orange_price = op2 (graph, "orange_price", "mul", orange, orange_num);
  BpNode *all_price = op2 (graph, "all_price", "add", apple_price, orange_price);

  op2 (graph, "price", "mul", all_price, tax);
  return graph;
}

/* Every pass runs twice, with the trace recorded and without: the two take
 * different paths through the backward pass. */
static void
test_apples (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;

  bp_graph_set_record_trace (graph, record);
  g_assert_true (bp_graph_get_output (graph) == bp_graph_lookup (graph, "price"));

  for (int round = 0; round < 2; round++)
    {
      g_assert_true (bp_graph_forward (graph, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (value_of (graph, "apple_price"), 200, 1e-9);
      g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 220, 1e-9);

      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "price"), 1, 1e-12);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple_price"), 1.1, 1e-12);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple"), 2.2, 1e-12);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple_num"), 110, 1e-9);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), 200, 1e-9);
    }

  g_assert_true ((bp_graph_get_trace (graph) != NULL) == record);
}

static void
test_apples_oranges (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = apple_orange_graph ();
  g_autoptr(GError) error = NULL;

  bp_graph_set_record_trace (graph, record);

  /* backward alone runs forward first */
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "all_price"), 650, 1e-9);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 715, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple"), 2.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple_num"), 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "orange"), 3.3, 1e-12);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "orange_num"), 165, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), 650, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "all_price"), 1.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple_price"), 1.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "orange_price"), 1.1, 1e-12);

  /* a changed value is picked up by the next backward pass */
  bp_node_set_value (bp_graph_lookup (graph, "apple_num"), bp_tensor_new_scalar (4));
  bp_tensor_unref (bp_node_get_value (bp_graph_lookup (graph, "apple_num")));
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 1.1 * 850, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple_num"), 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), 850, 1e-9);
}

static void
test_branch (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *x = scalar (graph, "x", 3);
  BpNode *y = scalar (graph, "y", 5);
  BpNode *sq = op2 (graph, "sq", "mul", x, x);          /* x used twice by one node */
  BpNode *xy = op2 (graph, "xy", "mul", x, y);          /* and by another */
  BpNode *s = op2 (graph, "s", "add", sq, xy);
  BpNode *e = op1 (graph, "e", "exp", y);              /* consumed below */

  /* z = x² + x·y + x·e^y... keep it smaller: z = (x² + xy) · (x + e^y)/e^y */
  BpNode *xe = op2 (graph, "xe", "add", x, e);
  BpNode *z0 = op2 (graph, "z0", "mul", s, xe);
  op2 (graph, "z", "div", z0, e);

  bp_graph_set_record_trace (graph, record);

  for (int round = 0; round < 3; round++)
    {
      double ey = exp (5), xv = 3, yv = 5;
      double a = xv * xv + xv * yv;   /* 24 */
      double b = (xv + ey) / ey;
      /* z = a·b; dz/dx = (2x + y)·b + a/e^y; dz/dy = x·b + a·(−x/e^y) */
      double dzdx = (2 * xv + yv) * b + a / ey;
      double dzdy = xv * b - a * xv / ey;

      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (value_of (graph, "z"), a * b, 1e-9);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "x"), dzdx, 1e-9);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "y"), dzdy, 1e-9);
    }

  g_assert_cmpuint (bp_graph_get_n_consumers (graph, x), ==, 4);
  g_assert_cmpuint (bp_graph_get_n_consumers (graph, e), ==, 2);

  /* The trace visits each node once, even with several consumers. */
  if (record)
    {
      BpTrace *trace = bp_graph_get_trace (graph);
      guint n = bp_graph_get_n_nodes (graph);

      g_assert_cmpuint (bp_trace_get_n_forward (trace), ==, n);
      g_assert_cmpuint (bp_trace_get_n_backward (trace), ==, n);
      for (guint i = 0; i < n; i++)
        {
          int f = bp_trace_find_step (trace, bp_graph_get_node (graph, i), BP_STEP_FORWARD);
          int b = bp_trace_find_step (trace, bp_graph_get_node (graph, i), BP_STEP_BACKWARD);

          g_assert_cmpint (f, >=, 0);
          g_assert_cmpint (b, >=, (int) n);
        }
      /* x's gradient is the sum of what its consumers sent: the DG of
       * every step that targets x adds up to x's gradient. */
      {
        double total = 0;

        for (guint i = bp_trace_get_n_forward (trace); i < bp_trace_get_n_steps (trace); i++)
          {
            const BpStep *step = bp_trace_get_step (trace, i);

            for (guint s_ = 0; s_ < step->n_inputs; s_++)
              if (bp_node_get_input (step->node, s_) == x)
                total += step->downstream[s_]->data[0];
          }
        g_assert_cmpfloat_with_epsilon (total, grad_of (graph, "x"), 1e-9);
      }
    }
  (void) sq; (void) xy; (void) z0;
}

static void
test_unreached (void)
{
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;
  BpNode *other = scalar (graph, "other", 7);
  BpNode *side = op1 (graph, "side", "neg", bp_graph_lookup (graph, "tax"));

  /* two nodes feed nothing: no default output */
  g_assert_null (bp_graph_get_output (graph));
  g_assert_false (bp_graph_backward (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);

  bp_graph_set_output (graph, bp_graph_lookup (graph, "price"));
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "side"), -1.1, 1e-12);
  g_assert_null (bp_node_get_grad (other));
  g_assert_null (bp_node_get_grad (side));
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), 200, 1e-9);

  /* a pass with another output resets the gradients */
  bp_graph_set_output (graph, side);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), -1, 1e-12);
  g_assert_null (bp_node_get_grad (bp_graph_lookup (graph, "apple")));
  g_assert_null (bp_node_get_grad (bp_graph_lookup (graph, "price")));
}

static void
test_cycles (void)
{
  g_autoptr(BpGraph) graph = apple_orange_graph ();
  g_autoptr(GError) error = NULL;
  BpNode *price = bp_graph_lookup (graph, "price");
  BpNode *apple_price = bp_graph_lookup (graph, "apple_price");
  BpNode *all_price = bp_graph_lookup (graph, "all_price");
  BpNode *n = op1 (graph, "n", "neg", price);
  guint64 stamp;

  bp_graph_set_output (graph, n);
  stamp = bp_graph_get_stamp (graph);

  /* self loop */
  g_assert_true (bp_graph_would_cycle (graph, all_price, all_price));
  g_assert_false (bp_graph_connect (graph, all_price, all_price, 0, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_CYCLE);
  g_assert_nonnull (strstr (error->message, "“all_price” to itself"));
  g_clear_error (&error);

  /* a long loop names its path */
  g_assert_true (bp_graph_would_cycle (graph, n, apple_price));
  g_assert_false (bp_graph_connect (graph, n, apple_price, 1, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_CYCLE);
  g_assert_cmpstr (error->message, ==,
                   "Connecting “n” to “apple_price” would close a cycle: "
                   "apple_price → all_price → price → n → apple_price");
  g_clear_error (&error);

  /* nothing changed */
  g_assert_cmpuint (bp_graph_get_stamp (graph), ==, stamp);
  g_assert_true (bp_node_get_input (apple_price, 1) == bp_graph_lookup (graph, "apple_num"));
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "n"), -715, 1e-9);

  /* an edge that is not a cycle is fine, also with the order cached */
  g_assert_false (bp_graph_would_cycle (graph, bp_graph_lookup (graph, "apple"), price));
  g_assert_true (bp_graph_connect (graph, bp_graph_lookup (graph, "orange"), apple_price, 1, &error));
  g_assert_no_error (error);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_cmpfloat_with_epsilon (value_of (graph, "n"), -(100 * 150 + 450) * 1.1, 1e-9);
}

/* What a refused broadcast says after the shapes. */
#define BROADCAST_HINT ", or one of them must be 1 where they differ, to be copied (broadcast) " \
  "as numpy does: a 1×1, a 1×D row or an N×1 column with an N×D matrix"

static void
expect_invalid (BpGraph    *graph,
                GQuark      domain,
                int         code,
                const char *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (bp_graph_validate (graph, &error));
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);
  g_assert_false (bp_graph_forward (graph, &error));
  g_assert_error (error, domain, code);
  g_clear_error (&error);
  g_assert_false (bp_graph_backward (graph, &error));
  g_assert_error (error, domain, code);
}

static BpNode *
matrix (BpGraph    *graph,
        const char *id,
        guint       rows,
        guint       cols)
{
  BpTensor *t = bp_tensor_new (rows, cols);

  for (gsize i = 0; i < bp_tensor_n_elements (t); i++)
    t->data[i] = 0.1 * (double) (i + 1);
  return add_leaf (graph, id, "param", t);
}

static void
test_shape_errors (void)
{
  struct {
    const char *op;
    guint rows[3], cols[3];
    const char *message;
  } cases[] = {
    { "add", { 2, 3 }, { 3, 2 }, "Node “h1”: add: x is 2×3 but y is 3×2; both need the same shape" BROADCAST_HINT },
    { "sub", { 2, 3 }, { 1, 1 }, "Node “h1”: sub: x is 2×1 but y is 3×1; both need the same shape" BROADCAST_HINT },
    { "mul", { 2, 2 }, { 2, 3 }, "Node “h1”: mul: x is 2×2 but y is 2×3; both need the same shape" BROADCAST_HINT },
    { "div", { 1, 1 }, { 4, 3 }, "Node “h1”: div: x is 1×4 but y is 1×3; both need the same shape" BROADCAST_HINT },
    { "add", { 1, 2 }, { 3, 2 }, "Node “h1”: add: x is 1×3 but y is 2×2; both need the same shape" BROADCAST_HINT },
    { "matmul", { 2, 2 }, { 3, 3 }, "Node “h1”: matmul: X is 2×3 but W is 2×3; W needs 3 rows" },
    { "affine", { 2, 4, 1 }, { 3, 5, 5 }, "Node “h1”: affine: X is 2×3 but W is 4×5; W needs 3 rows" },
    { "affine", { 2, 3, 1 }, { 3, 5, 4 }, "Node “h1”: affine: b is 1×4 but X · W is 2×5; b needs to be 1×5" },
    { "affine", { 2, 3, 2 }, { 3, 5, 5 }, "Node “h1”: affine: b is 2×5 but X · W is 2×5; b needs to be 1×5" },
    { "cross_entropy", { 2, 2 }, { 3, 2 }, "Node “h1”: cross_entropy: y is 2×3 but t is 2×2; t needs to be 2×3 (one-hot) or 2×1 (labels)" },
    { "softmax_with_loss", { 2, 3 }, { 3, 3 }, "Node “h1”: softmax_with_loss: x is 2×3 but t is 3×3; t needs to be 2×3 (one-hot) or 2×1 (labels)" },
    { "mse", { 1, 1 }, { 3, 2 }, "Node “h1”: mse: y is 1×3 but t is 1×2; both need the same shape" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(BpGraph) graph = bp_graph_new ();
      g_autoptr(GError) error = NULL;
      const BpOp *op = bp_op_lookup (cases[c].op);
      BpNode *h1 = bp_graph_add_node (graph, "h1", cases[c].op, &error);
      BpNode *after = op1 (graph, "after", "neg", h1);

      g_assert_no_error (error);
      for (guint s = 0; s < op->arity; s++)
        {
          g_autofree char *id = g_strdup_printf ("in%u", s);
          BpNode *leaf = matrix (graph, id, cases[c].rows[s], cases[c].cols[s]);

          g_assert_true (bp_graph_connect (graph, leaf, h1, s, &error));
        }
      expect_invalid (graph, BP_ERROR, BP_ERROR_SHAPE, cases[c].message);
      g_assert_cmpstr (bp_node_get_error (h1), ==, cases[c].message);
      /* downstream of the bad node: no blame */
      g_assert_null (bp_node_get_error (after));
      g_assert_null (bp_node_get_error (bp_graph_lookup (graph, "in0")));
    }
}

static void
test_too_large (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *x = matrix (graph, "x", 1, 2);
  BpNode *r = op1 (graph, "r", "repeat", x);
  BpNode *big = matrix (graph, "big", 4096, 1);
  BpNode *w = matrix (graph, "w", 1, 8192);
  BpNode *m = op2 (graph, "m", "matmul", big, w);
  BpAttrs attrs = BP_ATTRS_INIT;

  attrs.axis = 0;
  attrs.times = BP_TENSOR_MAX_ELEMENTS;
  g_assert_true (bp_node_set_attrs (r, &attrs, &error));
  g_assert_no_error (error);
  bp_graph_set_output (graph, r);
  g_assert_false (bp_graph_validate (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "Node “r”: repeat: "));
  g_clear_error (&error);
  g_assert_nonnull (bp_node_get_error (m));
  g_assert_true (g_str_has_prefix (bp_node_get_error (m), "Node “m”: matmul: X · W would be 4096×8192"));

  attrs.times = 0;
  g_assert_false (bp_node_set_attrs (r, &attrs, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
}

static void
test_unconnected_and_marks (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *a = matrix (graph, "a", 2, 3);
  BpNode *b = matrix (graph, "b", 2, 3);
  BpNode *h1 = op1 (graph, "h1", "matmul", a);        /* W missing */
  BpNode *h2 = op2 (graph, "h2", "add", a, b);        /* fine */
  BpNode *h3 = op2 (graph, "h3", "matmul", h2, b);    /* 2×3 · 2×3 */
  BpNode *top = op2 (graph, "top", "add", h1, h3);
  BpNode *fine;

  bp_graph_set_output (graph, top);
  expect_invalid (graph, BP_ERROR, BP_ERROR_ARITY,
                  "Node “h1”: input “W” of matmul is not connected");

  /* every bad node is marked, the good and the merely downstream not */
  g_assert_cmpstr (bp_node_get_error (h1), ==, "Node “h1”: input “W” of matmul is not connected");
  g_assert_cmpstr (bp_node_get_error (h3), ==, "Node “h3”: matmul: X is 2×3 but W is 2×3; W needs 3 rows");
  g_assert_null (bp_node_get_error (h2));
  g_assert_null (bp_node_get_error (top));
  g_assert_null (bp_node_get_error (a));

  /* fixing them clears the marks */
  fine = matrix (graph, "fine", 3, 3);
  g_assert_true (bp_graph_connect (graph, fine, h1, 1, &error));
  g_assert_true (bp_graph_connect (graph, fine, h3, 1, &error));
  g_assert_no_error (error);
  g_assert_true (bp_graph_validate (graph, &error));
  g_assert_no_error (error);
  g_assert_null (bp_node_get_error (h1));
  g_assert_null (bp_node_get_error (h3));

  /* removing a node leaves its consumers' slots open */
  bp_graph_remove_node (graph, fine);
  g_assert_null (bp_node_get_input (h1, 1));
  g_assert_null (bp_node_get_input (h3, 1));
  g_assert_false (bp_graph_validate (graph, NULL));
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 6);
  g_assert_null (bp_graph_lookup (graph, "fine"));

  /* attributes are checked */
  {
    BpNode *s = op1 (graph, "s", "sum", a);
    BpAttrs attrs = BP_ATTRS_INIT;

    attrs.axis = 2;
    g_assert_false (bp_node_set_attrs (s, &attrs, &error));
    g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
    g_clear_error (&error);
  }
}

/* Asserts that the forward steps of the graph's trace are exactly the
 * computed nodes, in the graph's order, each with its node's value. */
static void
assert_trace_is_computed_part (BpGraph *graph)
{
  BpTrace *trace = bp_graph_get_trace (graph);
  BpNode *const *order;
  guint n, k = 0;

  g_assert_nonnull (trace);
  g_assert_cmpuint (bp_trace_get_stamp (trace), ==, bp_graph_get_stamp (graph));
  order = bp_graph_get_order (graph, &n);
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = order[i];
      int step = bp_trace_find_step (trace, node, BP_STEP_FORWARD);

      if (bp_node_get_blocker (node) != NULL)
        {
          g_assert_cmpint (step, ==, -1);
          continue;
        }
      g_assert_cmpint (step, ==, (int) k);
      g_assert_true (bp_trace_get_step (trace, k)->node == node);
      g_assert_true (bp_tensor_equal (bp_trace_get_step (trace, k)->value,
                                      bp_node_get_value (node), 0, 0));
      k++;
    }
  g_assert_cmpuint (bp_trace_get_n_forward (trace), ==, k);
}

/* An unconnected slot spoils its node and what waits on it, nothing else:
 * the rest is computed and differentiated as if it were not there. */
static void
test_partial_unconnected (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;
  BpNode *apple_price = bp_graph_lookup (graph, "apple_price");
  BpNode *price = bp_graph_lookup (graph, "price");
  BpNode *broken, *after, *fix;
  const char *message = "Node “broken”: input “y” of mul is not connected";

  bp_graph_set_record_trace (graph, record);
  bp_graph_set_output (graph, price);
  broken = op1 (graph, "broken", "mul", apple_price);
  after = op1 (graph, "after", "neg", broken);

  g_assert_false (bp_graph_forward (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  /* the computable part has its values, the rest none */
  g_assert_cmpfloat_with_epsilon (value_of (graph, "apple_price"), 200, 1e-9);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 220, 1e-9);
  g_assert_cmpfloat (value_of (graph, "apple"), ==, 100);
  g_assert_null (bp_node_get_value (broken));
  g_assert_null (bp_node_get_value (after));

  /* the cause carries the message; what waits on it only names it */
  g_assert_cmpstr (bp_node_get_error (broken), ==, message);
  g_assert_null (bp_node_get_error (after));
  g_assert_null (bp_node_get_error (price));
  g_assert_true (bp_node_get_blocker (broken) == broken);
  g_assert_true (bp_node_get_blocker (after) == broken);
  g_assert_null (bp_node_get_blocker (price));
  g_assert_null (bp_node_get_blocker (bp_graph_lookup (graph, "tax")));

  if (record)
    {
      assert_trace_is_computed_part (graph);
      g_assert_cmpuint (bp_trace_get_n_forward (bp_graph_get_trace (graph)), ==, 5);
      g_assert_cmpuint (bp_trace_get_n_backward (bp_graph_get_trace (graph)), ==, 0);
    }
  else
    g_assert_null (bp_graph_get_trace (graph));

  /* the output does not depend on the broken part: the book's gradients */
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple"), 2.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple_num"), 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), 200, 1e-9);
  g_assert_null (bp_node_get_grad (broken));
  g_assert_null (bp_node_get_grad (after));
  if (record)
    {
      BpTrace *trace = bp_graph_get_trace (graph);

      assert_trace_is_computed_part (graph);
      g_assert_cmpuint (bp_trace_get_n_backward (trace), ==, 5);
      g_assert_cmpint (bp_trace_find_step (trace, broken, BP_STEP_BACKWARD), ==, -1);
    }

  /* connecting the slot computes the rest */
  fix = scalar (graph, "fix", 3);
  g_assert_true (bp_graph_connect (graph, fix, broken, 1, &error));
  g_assert_true (bp_graph_forward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "broken"), 600, 1e-9);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "after"), -600, 1e-9);
  g_assert_null (bp_node_get_error (broken));
  g_assert_null (bp_node_get_blocker (after));
  if (record)
    {
      assert_trace_is_computed_part (graph);
      g_assert_cmpuint (bp_trace_get_n_forward (bp_graph_get_trace (graph)), ==, 8);
    }

  /* and breaking it again drops the values computed before */
  bp_graph_disconnect (graph, broken, 1);
  g_assert_false (bp_graph_forward (graph, NULL));
  g_assert_null (bp_node_get_value (broken));
  g_assert_null (bp_node_get_value (after));
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 220, 1e-9);
}

/* A shape error in a branch the output does not depend on: the output's
 * backward pass and evaluation still work; the error sits on its cause. */
static void
test_partial_shape_branch (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) out = NULL;
  BpNode *price = bp_graph_lookup (graph, "price");
  BpNode *a = matrix (graph, "a", 2, 3);
  BpNode *b = matrix (graph, "b", 3, 2);
  BpNode *ok = op1 (graph, "ok", "neg", a);
  BpNode *bad = op2 (graph, "bad", "add", ok, b);
  BpNode *worse = op2 (graph, "worse", "mul", bad, bad);
  const char *message = "Node “bad”: add: x is 2×3 but y is 3×2; both need the same shape" BROADCAST_HINT;

  bp_graph_set_record_trace (graph, record);
  bp_graph_set_output (graph, price);

  /* backward alone: it runs the (partial) forward pass itself */
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple"), 2.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), 200, 1e-9);
  g_assert_null (bp_node_get_grad (ok));
  g_assert_nonnull (bp_node_get_value (ok));
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (ok)->data[5], -0.6, 1e-12);
  g_assert_null (bp_node_get_value (bad));
  g_assert_null (bp_node_get_value (worse));
  g_assert_cmpstr (bp_node_get_error (bad), ==, message);
  g_assert_null (bp_node_get_error (worse));
  g_assert_null (bp_node_get_error (ok));
  g_assert_true (bp_node_get_blocker (worse) == bad);
  if (record)
    {
      assert_trace_is_computed_part (graph);
      g_assert_cmpuint (bp_trace_get_n_forward (bp_graph_get_trace (graph)), ==, 8);
      g_assert_cmpuint (bp_trace_get_n_backward (bp_graph_get_trace (graph)), ==, 5);
    }

  /* forward still reports the broken branch, keeping the rest */
  g_assert_false (bp_graph_forward (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 220, 1e-9);
  if (record)
    assert_trace_is_computed_part (graph);

  out = bp_graph_evaluate (graph, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_cmpfloat_with_epsilon (out->data[0], 220, 1e-9);
}

/* When the output itself cannot be computed, backward and evaluate fail
 * naming why, and no stale gradient survives. */
static void
test_partial_blocked_output (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;
  BpNode *price = bp_graph_lookup (graph, "price");
  BpNode *broken = op1 (graph, "broken", "mul", price);
  BpNode *after = op1 (graph, "after", "neg", broken);
  const char *message = "Node “broken”: input “y” of mul is not connected";
  BpTensor *out;

  bp_graph_set_record_trace (graph, record);

  /* a good pass first, whose gradients must not outlive a failed one */
  bp_graph_set_output (graph, price);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_nonnull (bp_node_get_grad (bp_graph_lookup (graph, "apple")));

  bp_graph_set_output (graph, after);
  g_assert_false (bp_graph_backward (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);
  g_assert_cmpstr (error->message, ==,
                   "The output “after” cannot be differentiated: it depends on “broken”, "
                   "which cannot be computed. Node “broken”: input “y” of mul is not connected");
  g_clear_error (&error);
  g_assert_null (bp_node_get_grad (bp_graph_lookup (graph, "apple")));
  g_assert_null (bp_node_get_grad (price));
  /* the values of the computable part are there all the same */
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 220, 1e-9);
  if (record)
    {
      assert_trace_is_computed_part (graph);
      g_assert_cmpuint (bp_trace_get_n_backward (bp_graph_get_trace (graph)), ==, 0);
    }

  out = bp_graph_evaluate (graph, &error);
  g_assert_null (out);
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);
  g_assert_true (strstr (error->message, "“after” cannot be evaluated") != NULL);
  g_clear_error (&error);

  /* the output is the bad node itself: its own message */
  bp_graph_set_output (graph, broken);
  g_assert_false (bp_graph_backward (graph, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_ids (void)
{
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;
  BpNode *node;

  g_assert_null (bp_graph_add_node (graph, "apple", "input", &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_null (bp_graph_add_node (graph, "", "input", &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (bp_graph_add_node (graph, "x", "frobnicate", &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_UNKNOWN_OP);
  g_clear_error (&error);

  node = bp_graph_add_node (graph, NULL, "mul", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bp_node_get_id (node), ==, "mul1");
  g_assert_cmpstr (bp_node_get_id (bp_graph_add_node (graph, NULL, "add", NULL)), ==, "add1");
  g_assert_nonnull (bp_graph_add_node (graph, "mul2", "neg", NULL));
  g_assert_cmpstr (bp_node_get_id (bp_graph_add_node (graph, NULL, "mul", NULL)), ==, "mul3");
  g_assert_cmpstr (bp_node_get_label (node), ==, "mul1");
  g_assert_false (bp_node_has_label (node));
  bp_node_set_label (node, "cost");
  g_assert_cmpstr (bp_node_get_label (node), ==, "cost");
  g_assert_true (bp_node_has_label (node));

  g_assert_false (bp_graph_rename_node (graph, node, "tax", &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_true (bp_graph_rename_node (graph, node, "cost", &error));
  g_assert_true (bp_graph_lookup (graph, "cost") == node);
  g_assert_null (bp_graph_lookup (graph, "mul1"));

  g_assert_false (bp_graph_connect (graph, node, bp_graph_lookup (graph, "apple"), 0, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);
  g_clear_error (&error);
  g_assert_false (bp_graph_connect (graph, node, bp_graph_lookup (graph, "price"), 2, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_ARITY);
}

/* Many adds, inserts, removals and renames against a plain table: every
 * id is found, removed ones are not, labels equal to an id keep their
 * text through renames, and a copy made between them agrees. */
static void
test_ids_many (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GHashTable) expect = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint step = 0; step < 4000; step++)
    {
      guint n = bp_graph_get_n_nodes (graph);
      guint what = g_rand_int_range (rand, 0, 10);

      if (n == 0 || what < 5)
        {
          g_autofree char *id = g_strdup_printf ("n%u", g_rand_int_range (rand, 0, 600));
          BpNode *node;

          if (what == 0 && n > 0)
            node = bp_graph_insert_node (graph, id, "neg", g_rand_int_range (rand, 0, n + 1), NULL);
          else
            node = bp_graph_add_node (graph, what == 1 ? NULL : id, "neg", NULL);
          g_assert_true ((node == NULL) == (what != 1 && g_hash_table_contains (expect, id)));
          if (node == NULL)
            continue;
          if (what == 2)
            bp_node_set_label (node, bp_node_get_id (node));
          if (what == 3)
            bp_node_set_label (node, "other");
          if (what > 0 && n > 0)
            {
              BpNode *src = bp_graph_get_node (graph, g_rand_int_range (rand, 0, n + 1));

              if (src != node)
                g_assert_true (bp_graph_connect (graph, src, node, 0, NULL));
            }
          g_hash_table_insert (expect, g_strdup (bp_node_get_id (node)), node);
        }
      else if (what < 8)
        {
          BpNode *node = bp_graph_get_node (graph, g_rand_int_range (rand, 0, n));

          g_assert_true (g_hash_table_remove (expect, bp_node_get_id (node)));
          bp_graph_remove_node (graph, node);
        }
      else if (what == 8)
        {
          BpNode *node = bp_graph_get_node (graph, g_rand_int_range (rand, 0, n));
          g_autofree char *old = g_strdup (bp_node_get_id (node));
          g_autofree char *label = g_strdup (bp_node_get_label (node));
          gboolean had_label = bp_node_has_label (node);
          g_autofree char *id = g_strdup_printf ("r%u", g_rand_int_range (rand, 0, 600));
          gboolean taken = g_hash_table_contains (expect, id) && !g_str_equal (id, old);

          g_assert_true (bp_graph_rename_node (graph, node, id, NULL) == !taken);
          if (!taken)
            {
              g_hash_table_remove (expect, old);
              g_hash_table_insert (expect, g_strdup (id), node);
            }
          g_assert_true (bp_node_has_label (node) == had_label);
          if (had_label)
            g_assert_cmpstr (bp_node_get_label (node), ==, label);
        }
      else
        {
          g_autoptr(BpGraph) copy = bp_graph_copy (graph);

          g_assert_cmpuint (bp_graph_get_n_nodes (copy), ==, n);
          for (guint i = 0; i < n; i++)
            {
              BpNode *a = bp_graph_get_node (graph, i);
              BpNode *b = bp_graph_get_node (copy, i);
              BpNode *in = bp_node_get_input (a, 0);

              g_assert_cmpstr (bp_node_get_id (a), ==, bp_node_get_id (b));
              g_assert_cmpstr (bp_node_get_label (a), ==, bp_node_get_label (b));
              g_assert_true (bp_node_has_label (a) == bp_node_has_label (b));
              g_assert_true (bp_graph_lookup (copy, bp_node_get_id (a)) == b);
              if (in == NULL)
                g_assert_null (bp_node_get_input (b, 0));
              else
                g_assert_cmpstr (bp_node_get_id (bp_node_get_input (b, 0)), ==, bp_node_get_id (in));
            }
        }

      g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, g_hash_table_size (expect));
      if (step % 50 == 0)
        {
          GHashTableIter iter;
          gpointer key, value;

          g_hash_table_iter_init (&iter, expect);
          while (g_hash_table_iter_next (&iter, &key, &value))
            g_assert_true (bp_graph_lookup (graph, key) == value);
          for (guint i = 0; i < 600; i++)
            {
              g_autofree char *id = g_strdup_printf ("n%u", i);

              g_assert_true (bp_graph_lookup (graph, id) == g_hash_table_lookup (expect, id));
            }
        }
    }
}

static void
test_copy (void)
{
  g_autoptr(BpGraph) graph = apple_orange_graph ();
  g_autoptr(BpGraph) copy = NULL;
  g_autoptr(GError) error = NULL;

  bp_node_set_position (bp_graph_lookup (graph, "apple"), 10, 20);
  bp_node_set_label (bp_graph_lookup (graph, "apple"), "apple price");
  copy = bp_graph_copy (graph);

  g_assert_cmpuint (bp_graph_get_n_nodes (copy), ==, bp_graph_get_n_nodes (graph));
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *a = bp_graph_get_node (graph, i);
      BpNode *b = bp_graph_get_node (copy, i);

      g_assert_cmpstr (bp_node_get_id (a), ==, bp_node_get_id (b));
      g_assert_cmpstr (bp_node_get_label (a), ==, bp_node_get_label (b));
      g_assert_true (bp_node_get_op (a) == bp_node_get_op (b));
      for (guint s = 0; s < bp_node_get_n_inputs (a); s++)
        g_assert_cmpstr (bp_node_get_id (bp_node_get_input (a, s)), ==,
                         bp_node_get_id (bp_node_get_input (b, s)));
    }
  {
    double x, y;
    g_assert_true (bp_node_get_position (bp_graph_lookup (copy, "apple"), &x, &y));
    g_assert_cmpfloat (x, ==, 10);
    g_assert_cmpfloat (y, ==, 20);
  }

  /* independent values */
  bp_tensor_fill (bp_node_get_value (bp_graph_lookup (copy, "apple")), 200);
  g_assert_true (bp_graph_backward (copy, &error));
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 715, 1e-9);
  g_assert_cmpfloat_with_epsilon (value_of (copy, "price"), 935, 1e-9);
}

static void
test_nan_inf (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = apple_orange_graph ();
  g_autoptr(GError) error = NULL;
  BpNode *l, *e, *r;

  bp_graph_set_record_trace (graph, record);
  bp_node_set_value (bp_graph_lookup (graph, "apple"), bp_tensor_new_scalar (NAN));
  bp_tensor_unref (bp_node_get_value (bp_graph_lookup (graph, "apple")));
  bp_node_set_value (bp_graph_lookup (graph, "orange"), bp_tensor_new_scalar (INFINITY));
  bp_tensor_unref (bp_node_get_value (bp_graph_lookup (graph, "orange")));

  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_true (isnan (value_of (graph, "price")));
  g_assert_true (isinf (value_of (graph, "orange_price")));
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple"), 2.2, 1e-12);
  g_assert_true (isnan (grad_of (graph, "tax")));
  g_assert_true (isinf (grad_of (graph, "orange_num")));

  /* log(0) = −∞, exp(1000) = ∞, 1/0 = ∞, and their gradients */
  l = op1 (graph, "l", "log", scalar (graph, "zero", 0));
  e = op1 (graph, "e", "exp", scalar (graph, "big", 1000));
  r = op1 (graph, "r", "reciprocal", bp_graph_lookup (graph, "zero"));
  bp_graph_set_output (graph, op2 (graph, "s", "add", op2 (graph, "le", "add", l, e), r));
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_true (isinf (value_of (graph, "l")) && value_of (graph, "l") < 0);
  g_assert_true (isinf (value_of (graph, "e")));
  g_assert_true (isnan (value_of (graph, "s")));
  g_assert_true (isinf (grad_of (graph, "big")));
  g_assert_true (isnan (grad_of (graph, "zero")) || isinf (grad_of (graph, "zero")));

  {
    g_autofree char *text = bp_tensor_to_string (bp_node_get_value (l), 6);
    g_assert_cmpstr (text, ==, "−∞");
  }
}

/* Values and gradients of every leaf after a backward pass, by id. */
static double
grad_of_element (BpGraph    *graph,
                 const char *id,
                 guint       index)
{
  BpTensor *grad = bp_node_get_grad (bp_graph_lookup (graph, id));

  g_assert_nonnull (grad);
  return grad->data[index];
}

static GHashTable *
leaf_results (BpGraph *graph,
              double  *out_value)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) bp_tensor_unref);
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  *out_value = bp_node_get_value (bp_graph_get_output (graph))->data[0];
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (bp_op_is_leaf (bp_node_get_op (node)))
        g_hash_table_insert (table, g_strdup (bp_node_get_id (node)),
                             bp_tensor_copy (bp_node_get_grad (node)));
    }
  return table;
}

static void
random_fill (BpTensor *t,
             double    lo,
             double    hi)
{
  for (gsize i = 0; i < bp_tensor_n_elements (t); i++)
    t->data[i] = g_test_rand_double_range (lo, hi);
}

static BpNode *
random_leaf (BpGraph    *graph,
             const char *id,
             guint       rows,
             guint       cols)
{
  BpTensor *t = bp_tensor_new (rows, cols);

  random_fill (t, -1, 1);
  return add_leaf (graph, id, "param", t);
}

/* A net that uses all three layers: sigmoid(X·W + b) → affine → softmax
 * with loss; the sigmoid output also feeds a second branch. */
static BpGraph *
layer_graph (void)
{
  BpGraph *graph = bp_graph_new ();
  BpNode *x = random_leaf (graph, "X", 4, 3);
  BpNode *w1 = random_leaf (graph, "W1", 3, 5);
  BpNode *b1 = random_leaf (graph, "b1", 1, 5);
  BpNode *w2 = random_leaf (graph, "W2", 5, 3);
  BpNode *b2 = random_leaf (graph, "b2", 1, 3);
  BpTensor *onehot = bp_tensor_new (4, 3);
  BpNode *t, *a1, *s1, *a2, *sq, *loss;

  for (guint r = 0; r < 4; r++)
    bp_tensor_set (onehot, r, (r * 2) % 3, 1.0);
  t = add_leaf (graph, "t", "const", onehot);

  a1 = op3 (graph, "a1", "affine", x, w1, b1);
  s1 = op1 (graph, "s1", "sigmoid", a1);
  a2 = op3 (graph, "a2", "affine", s1, w2, b2);
  loss = op2 (graph, "loss", "softmax_with_loss", a2, t);
  sq = op1 (graph, "sq", "sum", op1 (graph, "sq0", "square", s1));
  op2 (graph, "total", "add", loss, sq);
  bp_node_set_label (s1, "hidden");
  bp_node_set_position (s1, 300, 100);
  return graph;
}

static void
assert_same_results (GHashTable *a,
                     GHashTable *b,
                     double      abs_tol)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), <=, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      BpTensor *other = g_hash_table_lookup (b, key);

      g_assert_nonnull (other);
      g_assert_true (bp_tensor_equal (value, other, abs_tol, 1e-9));
    }
}

static void
test_expand (gconstpointer data)
{
  const char *which = data;
  g_autoptr(BpGraph) graph = layer_graph ();
  g_autoptr(BpGraph) expanded = bp_graph_copy (graph);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(GError) error = NULL;
  double v_before, v_after;
  const char *layers[] = { "a1", "s1", "a2", "loss" };
  guint n_before = bp_graph_get_n_nodes (expanded);
  guint expected_new = 0;

  before = leaf_results (graph, &v_before);

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      BpNode *node = bp_graph_lookup (expanded, layers[i]);
      const char *op = bp_node_get_op (node)->name;
      guint n_consumers = bp_graph_get_n_consumers (expanded, node);
      BpNode *last;

      if (!g_str_equal (which, "all") && !g_str_equal (which, op))
        continue;

      g_assert_true (bp_expand_can_expand (node));
      created = bp_expand_node (expanded, node, &error);
      g_assert_no_error (error);
      g_assert_nonnull (created);
      last = g_ptr_array_index (created, created->len - 1);
      g_assert_true (bp_graph_lookup (expanded, layers[i]) == last);
      g_assert_cmpuint (bp_graph_get_n_consumers (expanded, last), ==, n_consumers);

      if (g_str_equal (op, "sigmoid"))
        {
          const char *ops[] = { "neg", "exp", "const", "add", "reciprocal" };
          double x, y;

          g_assert_cmpuint (created->len, ==, 5);
          for (guint k = 0; k < 5; k++)
            g_assert_cmpstr (bp_node_get_op (g_ptr_array_index (created, k))->name, ==, ops[k]);
          g_assert_cmpstr (bp_node_get_id (g_ptr_array_index (created, 0)), ==, "s1.1");
          g_assert_cmpstr (bp_node_get_label (last), ==, "hidden");
          g_assert_true (bp_node_get_position (last, &x, &y));
          g_assert_cmpfloat (x, ==, 300);
          g_assert_true (bp_node_get_position (g_ptr_array_index (created, 0), &x, &y));
          g_assert_cmpfloat (x, <, 300);
          expected_new += 4;
        }
      else if (g_str_equal (op, "affine"))
        {
          BpNode *repeat = g_ptr_array_index (created, 1);

          g_assert_cmpuint (created->len, ==, 3);
          g_assert_cmpstr (bp_node_get_op (g_ptr_array_index (created, 0))->name, ==, "matmul");
          g_assert_cmpstr (bp_node_get_op (repeat)->name, ==, "repeat");
          g_assert_cmpuint (bp_node_get_attrs (repeat)->times, ==, 4);
          g_assert_cmpint (bp_node_get_attrs (repeat)->axis, ==, 0);
          g_assert_cmpstr (bp_node_get_op (last)->name, ==, "add");
          expected_new += 2;
        }
      else
        {
          g_assert_cmpuint (created->len, ==, 2);
          g_assert_cmpstr (bp_node_get_op (g_ptr_array_index (created, 0))->name, ==, "softmax");
          g_assert_cmpstr (bp_node_get_op (last)->name, ==, "cross_entropy");
          expected_new += 1;
        }
      g_clear_pointer (&created, g_ptr_array_unref);
    }

  g_assert_cmpuint (bp_graph_get_n_nodes (expanded), ==, n_before + expected_new);
  g_assert_cmpuint (expected_new, >, 0);

  after = leaf_results (expanded, &v_after);
  g_assert_cmpfloat_with_epsilon (v_before, v_after, 1e-10);
  /* The book's Softmax-with-Loss sends (y − t)/N; its expansion the exact
   * derivative, with the 1e-7 inside the log: they differ by that much. */
  assert_same_results (before, after,
                       g_str_equal (which, "affine") || g_str_equal (which, "sigmoid")
                       ? 1e-10 : 1e-5);

  /* a leaf cannot be expanded */
  g_assert_false (bp_expand_can_expand (bp_graph_lookup (expanded, "X")));
  g_assert_null (bp_expand_node (expanded, bp_graph_lookup (expanded, "X"), &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
}

/* Expand on softmax and cross_entropy goes one level further, down to
 * vol. 2's primitives (exp, Σ, 1/x, ×; +1e-7, log, ×t, Σ, ×−1/N), with
 * the same values and the same exact gradients. */
static void
test_expand_deep (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpGraph) layer = NULL;
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) one_level = NULL;
  g_autoptr(GHashTable) primitives = NULL;
  g_autoptr(BpTensor) xv = bp_tensor_parse ("[[0, 20], [1, 2]]", NULL);
  g_autoptr(BpTensor) tv = bp_tensor_parse ("[[1, 0], [0, 1]]", NULL);
  double v_layer, v_one, v_prim;
  BpNode *x = add_leaf (graph, "x", "input", g_steal_pointer (&xv));
  BpNode *t = add_leaf (graph, "t", "const", g_steal_pointer (&tv));
  const char *softmax_ops[] = { "exp", "sum", "reciprocal", "repeat", "mul" };
  const char *ce_ops[] = { "const", "add", "log", "mul", "sum", "const", "mul" };

  op2 (graph, "L", "softmax_with_loss", x, t);
  layer = bp_graph_copy (graph);
  g_hash_table_unref (leaf_results (layer, &v_layer));
  /* the layer: the book's (y − t)/N = [−1, 1]/2 on the first row */
  g_assert_cmpfloat_with_epsilon (grad_of_element (layer, "x", 0), -0.5, 1e-8);
  g_assert_cmpfloat_with_epsilon (grad_of_element (layer, "x", 1), 0.5, 1e-8);

  created = bp_expand_node (graph, bp_graph_lookup (graph, "L"), &error);
  g_assert_no_error (error);
  g_clear_pointer (&created, g_ptr_array_unref);
  one_level = leaf_results (graph, &v_one);
  g_assert_cmpfloat_with_epsilon (v_one, v_layer, 1e-12);
  /* the exact derivative of log(y + 1e-7) flattens out where y ≈ 2e-9 */
  g_assert_cmpfloat_with_epsilon (grad_of_element (graph, "x", 0), -0.0202 / 2, 2e-4);

  g_assert_true (bp_expand_can_expand (bp_graph_lookup (graph, "L.1")));
  created = bp_expand_node (graph, bp_graph_lookup (graph, "L.1"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (created->len, ==, G_N_ELEMENTS (softmax_ops));
  for (guint i = 0; i < created->len; i++)
    g_assert_cmpstr (bp_node_get_op (g_ptr_array_index (created, i))->name, ==, softmax_ops[i]);
  g_assert_cmpint (bp_node_get_attrs (g_ptr_array_index (created, 1))->axis, ==, 1);
  g_assert_cmpuint (bp_node_get_attrs (g_ptr_array_index (created, 3))->times, ==, 2);
  /* exp is a branch: it feeds Σ and × */
  g_assert_cmpuint (bp_graph_get_n_consumers (graph, g_ptr_array_index (created, 0)), ==, 2);
  g_clear_pointer (&created, g_ptr_array_unref);

  created = bp_expand_node (graph, bp_graph_lookup (graph, "L"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (created->len, ==, G_N_ELEMENTS (ce_ops));
  for (guint i = 0; i < created->len; i++)
    g_assert_cmpstr (bp_node_get_op (g_ptr_array_index (created, i))->name, ==, ce_ops[i]);
  g_assert_cmpstr (bp_node_get_label (g_ptr_array_index (created, 5)), ==, "−1/2");
  g_clear_pointer (&created, g_ptr_array_unref);

  primitives = leaf_results (graph, &v_prim);
  g_assert_cmpfloat_with_epsilon (v_prim, v_layer, 1e-12);
  assert_same_results (one_level, primitives, 1e-12);

  /* class labels have no ×t to expand into */
  {
    g_autoptr(BpGraph) labels = bp_graph_new ();
    g_autoptr(BpTensor) yv = bp_tensor_parse ("[[0.5, 0.5]]", NULL);
    BpNode *y = add_leaf (labels, "y", "input", g_steal_pointer (&yv));
    BpNode *l = add_leaf (labels, "l", "const", bp_tensor_new_scalar (1));
    BpNode *ce = op2 (labels, "ce", "cross_entropy", y, l);

    g_assert_null (bp_expand_node (labels, ce, &error));
    g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  }
}

/* A Softmax-with-Loss layer off the way to the output sends no
 * gradient: nothing for the check to explain. */
static void
test_gradcheck_stray_layer (void)
{
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(BpGradCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  BpNode *price = bp_graph_lookup (graph, "price");
  BpNode *stray = bp_graph_add_node (graph, "stray", "softmax_with_loss", &error);

  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, bp_graph_lookup (graph, "apple"), stray, 0, &error));
  g_assert_true (bp_graph_connect (graph, bp_graph_lookup (graph, "tax"), stray, 1, &error));
  bp_graph_set_output (graph, price);
  check = bp_grad_check_run (graph, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (check);
  g_assert_false (check->has_book_rule);
  g_assert_true (bp_grad_check_agrees (check));
}

static void
test_trace_apple (void)
{
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTrace) kept = NULL;
  const char *forward[] = { "apple", "apple_num", "tax", "apple_price", "price" };
  const double values[] = { 100, 2, 1.1, 200, 220 };
  const char *backward[] = { "price", "apple_price", "tax", "apple_num", "apple" };
  const double upstream[] = { 1, 1.1, 200, 110, 2.2 };
  BpTrace *trace;
  const BpStep *step;

  g_assert_true (bp_graph_forward (graph, &error));
  trace = bp_graph_get_trace (graph);
  g_assert_cmpuint (bp_trace_get_n_forward (trace), ==, 5);
  g_assert_cmpuint (bp_trace_get_n_backward (trace), ==, 0);
  g_assert_cmpuint (bp_trace_get_stamp (trace), ==, bp_graph_get_stamp (graph));

  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  trace = bp_graph_get_trace (graph);
  g_assert_cmpuint (bp_trace_get_n_steps (trace), ==, 10);
  g_assert_cmpuint (bp_trace_get_n_forward (trace), ==, 5);
  g_assert_cmpuint (bp_trace_get_n_backward (trace), ==, 5);

  for (guint i = 0; i < 5; i++)
    {
      step = bp_trace_get_step (trace, i);
      g_assert_cmpint (step->kind, ==, BP_STEP_FORWARD);
      g_assert_cmpstr (bp_node_get_id (step->node), ==, forward[i]);
      g_assert_cmpfloat_with_epsilon (step->value->data[0], values[i], 1e-9);
      g_assert_cmpint (bp_trace_find_step (trace, step->node, BP_STEP_FORWARD), ==, (int) i);

      step = bp_trace_get_step (trace, 5 + i);
      g_assert_cmpint (step->kind, ==, BP_STEP_BACKWARD);
      g_assert_cmpstr (bp_node_get_id (step->node), ==, backward[i]);
      g_assert_cmpfloat_with_epsilon (step->upstream->data[0], upstream[i], 1e-9);
      g_assert_cmpint (bp_trace_find_step (trace, step->node, BP_STEP_BACKWARD), ==, (int) (5 + i));
    }

  /* price: LG of apple_price is tax (1.1), of tax is apple_price (200) */
  step = bp_trace_get_step (trace, 5);
  g_assert_cmpuint (step->n_inputs, ==, 2);
  g_assert_cmpfloat_with_epsilon (step->local[0]->data[0], 1.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (step->local[1]->data[0], 200, 1e-9);
  g_assert_cmpfloat_with_epsilon (step->downstream[0]->data[0], 1.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (step->downstream[1]->data[0], 200, 1e-9);
  /* apple_price: mul swaps the inputs */
  step = bp_trace_get_step (trace, 6);
  g_assert_cmpfloat_with_epsilon (step->local[0]->data[0], 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (step->local[1]->data[0], 100, 1e-12);
  g_assert_cmpfloat_with_epsilon (step->downstream[0]->data[0], 2.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (step->downstream[1]->data[0], 110, 1e-9);
  /* leaves: the gradient arrives */
  step = bp_trace_get_step (trace, 9);
  g_assert_cmpuint (step->n_inputs, ==, 0);
  g_assert_null (step->local[0]);
  g_assert_null (step->downstream[0]);

  /* a kept trace is a snapshot: later passes do not change it */
  kept = bp_trace_ref (trace);
  bp_node_set_value (bp_graph_lookup (graph, "apple"), bp_tensor_new_scalar (50));
  bp_tensor_unref (bp_node_get_value (bp_graph_lookup (graph, "apple")));
  g_assert_cmpuint (bp_trace_get_stamp (kept), !=, bp_graph_get_stamp (graph));
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_true (bp_graph_get_trace (graph) != kept);
  g_assert_cmpfloat_with_epsilon (bp_trace_get_step (kept, 4)->value->data[0], 220, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_trace_get_step (kept, 0)->value->data[0], 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_trace_get_step (kept, 9)->upstream->data[0], 2.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (bp_trace_get_step (bp_graph_get_trace (graph), 4)->value->data[0], 110, 1e-9);

  /* backward twice: the trace is forward + one backward, not more */
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_cmpuint (bp_trace_get_n_steps (bp_graph_get_trace (graph)), ==, 10);
  /* and with a reference held, too */
  g_clear_pointer (&kept, bp_trace_unref);
  kept = bp_trace_ref (bp_graph_get_trace (graph));
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_cmpuint (bp_trace_get_n_steps (bp_graph_get_trace (graph)), ==, 10);
  g_assert_cmpuint (bp_trace_get_n_steps (kept), ==, 10);

  /* no recording, no trace */
  bp_graph_set_record_trace (graph, FALSE);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_null (bp_graph_get_trace (graph));
}

/* Trace tensors somebody keeps outlive the trace, unchanged; traces that
 * span several blocks of snapshots, shared forward steps and tensors too
 * large to copy all stay snapshots. */
static BpTensor *
fwd (BpTrace *trace,
     BpNode  *node)
{
  int index = bp_trace_find_step (trace, node, BP_STEP_FORWARD);

  g_assert_cmpint (index, >=, 0);
  return bp_trace_get_step (trace, index)->value;
}

/* A backward step checked against the op table alone: its DG is what
 * the op's backward sends down for the step's UG, its LG what the op's
 * local gives (NULL for an input with no DG), both for the input values
 * of the trace's forward steps, to the last bit. */
static void
check_step_by_ops (BpTrace      *trace,
                   const BpStep *step)
{
  BpNode *node = step->node;
  const BpOp *op = bp_node_get_op (node);
  BpTensor *out = fwd (trace, node);
  BpTensor *in[BP_OP_MAX_INPUTS] = { NULL, };
  BpTensor *dg[BP_OP_MAX_INPUTS] = { NULL, };

  g_assert_cmpint (step->kind, ==, BP_STEP_BACKWARD);
  g_assert_cmpuint (step->n_inputs, ==, op->arity);
  g_assert_true (bp_tensor_same_shape (step->upstream, out));
  g_assert_true (bp_tensor_equal (step->upstream, bp_node_get_grad (node), 0, 0));

  for (guint s = 0; s < BP_OP_MAX_INPUTS; s++)
    if (s >= op->arity)
      {
        g_assert_null (step->local[s]);
        g_assert_null (step->downstream[s]);
      }
  for (guint s = 0; s < op->arity; s++)
    {
      BpNode *input = bp_node_get_input (node, s);

      in[s] = fwd (trace, input);
      /* only the data input wants no gradient here */
      g_assert_true ((step->downstream[s] == NULL) ==
                     (bp_op_is_leaf (bp_node_get_op (input)) && !bp_node_get_needs_grad (input)));
      if (step->downstream[s] != NULL)
        dg[s] = bp_tensor_new (in[s]->rows, in[s]->cols);
    }

  if (op->arity > 0)
    op->backward (bp_node_get_attrs (node), in, out, step->upstream, dg);

  for (guint s = 0; s < op->arity; s++)
    {
      g_autoptr(BpTensor) local = NULL;

      if (dg[s] == NULL)
        {
          g_assert_null (step->downstream[s]);
          g_assert_null (step->local[s]);
          continue;
        }
      g_assert_true (bp_tensor_same_shape (step->downstream[s], in[s]));
      g_assert_true (bp_tensor_equal (step->downstream[s], dg[s], 0, 0));
      bp_tensor_unref (dg[s]);

      if (op->local != NULL)
        local = op->local (bp_node_get_attrs (node), in, out, s);
      if (local == NULL)
        g_assert_null (step->local[s]);
      else
        {
          g_assert_nonnull (step->local[s]);
          g_assert_true (bp_tensor_equal (step->local[s], local, 0, 0));
        }
    }
}

/* Scalars and matrices mixed: steps of 1×1 nodes with 1×1 inputs are
 * recorded as numbers and made into tensors when asked for, the others
 * whole; every one must say what the op table says, and the gradients
 * must be those of a pass without a trace. */
static void
test_trace_scalar_steps (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  const double m[] = { 0.5, -1, 2, 0.25 };
  const double r[] = { 0.3, -0.6 };
  BpNode *a = scalar (graph, "a", 0.7);
  BpNode *b = scalar (graph, "b", -1.3);
  BpNode *d = scalar (graph, "d", 2.5);
  BpNode *w = scalar (graph, "w", 1.5);
  BpNode *mat = add_leaf (graph, "M", "input", bp_tensor_new_from_data (2, 2, m));
  BpNode *row = add_leaf (graph, "R", "input", bp_tensor_new_from_data (1, 2, r));
  BpNode *ab, *ad, *s1, *mc, *tot, *q, *rr, *th, *sq, *mm, *rm, *t2, *sg, *ex, *aff, *sum, *pw, *loss;
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr(GPtrArray) grads = g_ptr_array_new_with_free_func ((GDestroyNotify) bp_tensor_unref);
  BpTrace *trace;
  guint n_scalar = 0, n_whole = 0;

  bp_node_set_needs_grad (d, FALSE);
  ab = op2 (graph, "ab", "mul", a, b);
  ad = op2 (graph, "ad", "mul", a, d);          /* d wants no gradient */
  s1 = op2 (graph, "s1", "add", ab, ad);
  mc = op2 (graph, "mc", "mul", mat, s1);       /* s1 copied to 2×2 */
  tot = op1 (graph, "tot", "sum", mc);          /* a scalar of a matrix */
  q = op2 (graph, "q", "div", tot, s1);         /* s1 twice: the branch rule */
  rr = op2 (graph, "rr", "sub", q, a);
  th = op1 (graph, "th", "tanh", rr);
  sq = op2 (graph, "sq", "mul", th, th);        /* the same input twice, its only consumer */
  mm = op2 (graph, "mm", "matmul", sq, w);      /* 1×1 matmul: LG from its local */
  rm = op2 (graph, "rm", "mul", row, mm);
  t2 = op1 (graph, "t2", "sum", rm);
  sg = op1 (graph, "sg", "sigmoid", t2);
  ex = op1 (graph, "ex", "exp", sg);
  aff = bp_graph_add_node (graph, "aff", "affine", &error);   /* three 1×1 inputs */
  g_assert_no_error (error);
  g_assert_true (bp_graph_connect (graph, rr, aff, 0, NULL));
  g_assert_true (bp_graph_connect (graph, w, aff, 1, NULL));
  g_assert_true (bp_graph_connect (graph, b, aff, 2, NULL));
  sum = op2 (graph, "sum", "add", ex, aff);
  pw = op1 (graph, "pw", "reciprocal", sum);
  loss = op2 (graph, "loss", "mse", pw, d);
  bp_graph_set_output (graph, loss);

  /* the gradients without a trace */
  bp_graph_set_record_trace (graph, FALSE);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (bp_node_get_grad (node) == NULL)
        continue;
      g_ptr_array_add (nodes, node);
      g_ptr_array_add (grads, bp_tensor_copy (bp_node_get_grad (node)));
    }
  g_assert_cmpuint (nodes->len, ==, bp_graph_get_n_nodes (graph) - 1);

  bp_graph_set_record_trace (graph, TRUE);
  for (int round = 0; round < 2; round++)
    {
      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
      trace = bp_graph_get_trace (graph);
      g_assert_cmpuint (bp_trace_get_n_backward (trace), ==, nodes->len);

      /* both kinds of steps are there, before any is asked for */
      n_scalar = n_whole = 0;
      for (guint i = 0; i < bp_trace_get_n_backward (trace); i++)
        if (bp_trace_get_records (trace)[i].form == BP_STEP_RECORD_SCALAR)
          n_scalar++;
        else
          n_whole++;
      /* whole: mc, tot, mm, rm, t2, aff, M, R */
      g_assert_cmpuint (n_whole, ==, 8);
      g_assert_cmpuint (n_scalar, ==, nodes->len - 8);

      for (guint i = 0; i < nodes->len; i++)
        g_assert_true (bp_tensor_equal (bp_node_get_grad (g_ptr_array_index (nodes, i)),
                                        g_ptr_array_index (grads, i), 0, 0));

      for (guint i = bp_trace_get_n_forward (trace); i < bp_trace_get_n_steps (trace); i++)
        {
          const BpStep *step = bp_trace_get_step (trace, i);

          check_step_by_ops (trace, step);
          /* asked for again: the same step */
          g_assert_true (bp_trace_get_step (trace, i) == step);
          g_assert_true (bp_trace_find_step (trace, step->node, BP_STEP_BACKWARD) == (int) i);
        }
      /* s1 sends its gradient twice: what mc and q sent */
      g_assert_cmpfloat (bp_node_get_grad (s1)->data[0], ==,
                         bp_trace_get_step (trace, bp_trace_find_step (trace, q, BP_STEP_BACKWARD))->downstream[1]->data[0] +
                         bp_trace_get_step (trace, bp_trace_find_step (trace, mc, BP_STEP_BACKWARD))->downstream[1]->data[0]);
    }
}

static void
test_trace_snapshots (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) kept_value = NULL;
  g_autoptr(BpTensor) kept_upstream = NULL;
  g_autoptr(BpTensor) kept_local = NULL;
  g_autoptr(BpTensor) kept_big = NULL;
  g_autoptr(BpTrace) kept = NULL;
  BpNode *x = scalar (graph, "x", 0.5);
  BpNode *big = add_leaf (graph, "big", "input", bp_tensor_new_filled (70, 70, 3));
  BpNode *prev = x;
  BpNode *sq, *total, *out;
  guint n = 20000;  /* some 100 000 snapshots: several blocks */
  BpTrace *trace;
  gpointer boxed;

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_add_node (graph, NULL, "neg", NULL);

      g_assert_true (bp_graph_connect (graph, prev, node, 0, NULL));
      prev = node;
    }
  /* big × big: a large tensor consumed twice accumulates its gradient */
  sq = op2 (graph, "sq", "mul", big, big);
  total = op1 (graph, "total", "sum", sq);
  out = op2 (graph, "out", "add", prev, total);
  bp_graph_set_output (graph, out);

  for (guint pass = 0; pass < 3; pass++)
    {
      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
    }
  trace = bp_graph_get_trace (graph);
  g_assert_cmpuint (bp_trace_get_n_forward (trace), ==, n + 5);
  g_assert_cmpuint (bp_trace_get_n_backward (trace), ==, n + 5);
  g_assert_cmpfloat (fwd (trace, x)->data[0], ==, 0.5);
  g_assert_cmpfloat (fwd (trace, bp_graph_get_node (graph, 2))->data[0], ==, -0.5);
  g_assert_cmpfloat (bp_node_get_value (out)->data[0], ==, 0.5 + 70 * 70 * 9);
  g_assert_cmpfloat (bp_node_get_grad (big)->data[0], ==, 6);
  g_assert_cmpfloat (bp_node_get_grad (x)->data[0], ==, 1);

  /* keep single tensors: a forward value, an upstream gradient, a local
   * gradient, and a large value */
  kept_value = bp_tensor_ref (fwd (trace, x));
  kept_big = bp_tensor_ref (fwd (trace, sq));
  {
    const BpStep *step = bp_trace_get_step (trace, bp_trace_find_step (trace, sq, BP_STEP_BACKWARD));

    g_assert_cmpuint (step->n_inputs, ==, 2);
    g_assert_cmpfloat (step->local[0]->data[0], ==, 3);
    g_assert_cmpfloat (step->downstream[1]->data[0], ==, 3);
    kept_local = bp_tensor_ref (step->local[0]);
  }
  kept_upstream = bp_tensor_ref (bp_trace_get_step (trace, bp_trace_find_step (trace, x, BP_STEP_BACKWARD))->upstream);
  boxed = g_boxed_copy (BP_TYPE_TENSOR, kept_value);
  g_assert_true (boxed == kept_value);

  /* new values, passes that reuse and replace the trace */
  bp_node_set_value (x, bp_tensor_new_scalar (2));
  bp_tensor_unref (bp_node_get_value (x));
  bp_node_set_value (big, bp_tensor_new_filled (70, 70, -1));
  bp_tensor_unref (bp_node_get_value (big));
  for (guint pass = 0; pass < 2; pass++)
    g_assert_true (bp_graph_backward (graph, &error));
  trace = bp_graph_get_trace (graph);
  g_assert_cmpfloat (fwd (trace, x)->data[0], ==, 2);
  g_assert_cmpfloat (bp_trace_get_step (trace, bp_trace_find_step (trace, x, BP_STEP_BACKWARD))->upstream->data[0], ==, 1);
  g_assert_cmpfloat (bp_node_get_grad (big)->data[0], ==, -2);

  g_assert_cmpfloat (kept_value->data[0], ==, 0.5);
  g_assert_cmpfloat (kept_upstream->data[0], ==, 1);
  g_assert_cmpfloat (kept_local->data[0], ==, 3);
  g_assert_cmpuint (kept_big->rows, ==, 70);
  g_assert_cmpfloat (kept_big->data[70 * 70 - 1], ==, 9);
  g_boxed_free (BP_TYPE_TENSOR, boxed);
  g_assert_cmpfloat (kept_value->data[0], ==, 0.5);

  /* a kept trace whose forward steps the graph's next trace shares: the
   * shared values outlive the kept trace */
  g_assert_true (bp_graph_forward (graph, &error));
  kept = bp_trace_ref (bp_graph_get_trace (graph));
  g_assert_true (bp_graph_backward (graph, &error));
  trace = bp_graph_get_trace (graph);
  g_assert_true (trace != kept);
  g_assert_true (fwd (trace, x) == fwd (kept, x));
  g_assert_cmpuint (bp_trace_get_n_backward (kept), ==, 0);
  g_clear_pointer (&kept, bp_trace_unref);
  g_assert_cmpfloat (fwd (trace, x)->data[0], ==, 2);
  g_assert_cmpfloat (fwd (trace, bp_graph_get_node (graph, 2))->data[0], ==, -2);
  g_assert_cmpfloat (fwd (trace, sq)->data[0], ==, 1);
  /* and the next pass reuses that trace */
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_true (bp_graph_get_trace (graph) == trace);
  g_assert_true (bp_graph_forward (graph, &error));
  g_assert_cmpfloat (fwd (trace, bp_graph_get_node (graph, 2))->data[0], ==, -2);
}

static void
test_order (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *const *order;
  guint n;
  /* inserted consumers first: the order must still put inputs first */
  BpNode *z = bp_graph_add_node (graph, "z", "add", &error);
  BpNode *y = bp_graph_add_node (graph, "y", "neg", &error);
  BpNode *b = scalar (graph, "b", 1);
  BpNode *a = scalar (graph, "a", 2);
  const char *expected[] = { "b", "a", "y", "z" };

  g_assert_true (bp_graph_connect (graph, a, y, 0, &error));
  g_assert_true (bp_graph_connect (graph, y, z, 0, &error));
  g_assert_true (bp_graph_connect (graph, b, z, 1, &error));

  order = bp_graph_get_order (graph, &n);
  g_assert_cmpuint (n, ==, 4);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (bp_node_get_id (order[i]), ==, expected[i]);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_cmpfloat_with_epsilon (value_of (graph, "z"), -1, 1e-12);
}

/* A chain of a million nodes: nothing may recurse. */
static void
test_long_chain (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *prev = scalar (graph, "x", 0.5);
  BpNode *x = prev;
  guint n = g_test_slow () ? 1000000 : 300000;

  bp_graph_set_record_trace (graph, FALSE);
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_add_node (graph, NULL, "neg", NULL);

      g_assert_true (bp_graph_connect (graph, prev, node, 0, NULL));
      prev = node;
    }
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (bp_node_get_value (prev)->data[0], ==, n % 2 ? -0.5 : 0.5);
  g_assert_cmpfloat (bp_node_get_grad (x)->data[0], ==, n % 2 ? -1 : 1);

  /* would_cycle walks the whole chain without recursion too */
  g_assert_true (bp_graph_would_cycle (graph, prev, x));
  g_assert_false (bp_graph_connect (graph, prev, bp_graph_get_node (graph, 1), 0, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_CYCLE);
}

static void
test_gradcheck (void)
{
  g_autoptr(BpGraph) graph = apple_orange_graph ();
  g_autoptr(BpGradCheck) check = NULL;
  g_autoptr(GError) error = NULL;

  check = bp_grad_check_run (graph, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (check->leaves->len, ==, 5);
  g_assert_cmpuint (check->numeric_forward_evals, ==, 10);
  g_assert_cmpuint (check->backprop_forward_evals, ==, 1);
  g_assert_cmpuint (check->backprop_backward_evals, ==, 1);
  g_assert_cmpfloat (check->max_rel_error, <, 1e-7);
  g_assert_cmpfloat (check->max_abs_error, <, 1e-6);
  {
    BpGradCheckLeaf *leaf = g_ptr_array_index (check->leaves, 4);

    g_assert_cmpstr (bp_node_get_id (leaf->node), ==, "tax");
    g_assert_cmpfloat_with_epsilon (leaf->backprop->data[0], 650, 1e-9);
    g_assert_cmpfloat_with_epsilon (leaf->numeric->data[0], 650, 1e-4);
    g_assert_cmpuint (leaf->forward_evals, ==, 2);
  }
  /* left as after backward, with the original values */
  g_assert_cmpfloat (value_of (graph, "apple"), ==, 100);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "tax"), 650, 1e-9);
  g_assert_cmpuint (bp_trace_get_n_backward (bp_graph_get_trace (graph)), ==, 9);
  g_clear_pointer (&check, bp_grad_check_free);

  /* the layer net: every element of every leaf */
  {
    g_autoptr(BpGraph) net = layer_graph ();

    check = bp_grad_check_run (net, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (check->numeric_forward_evals, ==, 2 * (12 + 15 + 5 + 15 + 3 + 12));
    /* The book's (y − t)/N leaves out the 1e-7 of the loss: the check
     * says so, and the numerical gradient matches the exact one. */
    g_assert_true (check->has_book_rule);
    g_assert_cmpfloat (check->book_rule_difference, >, 0);
    g_assert_cmpfloat (check->book_rule_difference, <, 1e-5);
    g_assert_cmpfloat (check->max_abs_error_exact, <, 1e-7);
    g_assert_true (bp_grad_check_agrees (check));
    /* relative errors only mean something away from zero */
    for (guint i = 0; i < check->leaves->len; i++)
      {
        BpGradCheckLeaf *leaf = g_ptr_array_index (check->leaves, i);

        g_assert_nonnull (leaf->exact);
        g_assert_true (bp_tensor_equal (leaf->exact, leaf->numeric, 1e-8, 1e-5));
        g_assert_true (bp_tensor_equal (leaf->backprop, leaf->numeric, 1e-5, 1e-3));
      }
    {
      g_autofree char *text = bp_grad_check_describe (check);

      g_assert_nonnull (strstr (text, "1e-7"));
      g_assert_nonnull (strstr (text, "forward passes"));
      /* a tiny graph: no milliseconds that contradict the lesson */
      if (check->numeric_seconds < BP_GRAD_CHECK_MIN_SECONDS
          && check->backprop_seconds < BP_GRAD_CHECK_MIN_SECONDS)
        g_assert_null (strstr (text, " ms"));
      else
        g_assert_nonnull (strstr (text, " ms"));
    }
    g_assert_cmpfloat (check->numeric_seconds, >=, 0);
  }
  g_clear_pointer (&check, bp_grad_check_free);

  /* a wrong gradient would show: NaN leaves make NaN errors */
  {
    g_autoptr(BpGraph) bad = apple_graph ();

    bp_node_set_value (bp_graph_lookup (bad, "apple"), bp_tensor_new_scalar (NAN));
    bp_tensor_unref (bp_node_get_value (bp_graph_lookup (bad, "apple")));
    check = bp_grad_check_run (bad, 1e-4, &error);
    g_assert_no_error (error);
    g_assert_true (isnan (check->max_abs_error));
    g_assert_cmpfloat (check->epsilon, ==, 1e-4);
  }
}

static void
changed_cb (BpGraph *graph,
            guint   *count)
{
  (*count)++;
}

static void
test_stamp_and_signal (void)
{
  g_autoptr(BpGraph) graph = apple_graph ();
  guint count = 0;
  guint64 stamp = bp_graph_get_stamp (graph);
  BpNode *apple = bp_graph_lookup (graph, "apple");
  BpAttrs attrs = BP_ATTRS_INIT;

  g_signal_connect (graph, "changed", G_CALLBACK (changed_cb), &count);
  g_assert_true (bp_graph_forward (graph, NULL));
  g_assert_cmpuint (bp_graph_get_stamp (graph), ==, stamp);
  g_assert_cmpuint (count, ==, 0);

  bp_node_set_position (apple, 1, 2);
  g_assert_cmpuint (bp_graph_get_stamp (graph), ==, stamp);
  bp_node_set_value (apple, bp_tensor_new_scalar (3));
  bp_tensor_unref (bp_node_get_value (apple));
  g_assert_cmpuint (bp_graph_get_stamp (graph), >, stamp);
  g_assert_cmpuint (count, ==, 1);
  stamp = bp_graph_get_stamp (graph);
  g_assert_true (bp_node_set_attrs (bp_graph_lookup (graph, "price"), &attrs, NULL));
  g_assert_cmpuint (bp_graph_get_stamp (graph), >, stamp);
  g_assert_cmpuint (count, ==, 2);

  /* Frozen: the stamp moves, the signal waits for the last thaw and
   * comes once; a thaw after no change emits nothing. */
  bp_graph_freeze_changed (graph);
  bp_graph_freeze_changed (graph);
  stamp = bp_graph_get_stamp (graph);
  g_assert_nonnull (bp_graph_add_node (graph, "extra", "input", NULL));
  bp_node_set_label (apple, "apple of the day");
  g_assert_cmpuint (bp_graph_get_stamp (graph), >, stamp);
  g_assert_cmpuint (count, ==, 2);
  bp_graph_thaw_changed (graph);
  g_assert_cmpuint (count, ==, 2);
  bp_graph_thaw_changed (graph);
  g_assert_cmpuint (count, ==, 3);
  bp_graph_freeze_changed (graph);
  bp_graph_thaw_changed (graph);
  g_assert_cmpuint (count, ==, 3);
}

/* The one cycle test: an order with ties broken by number, or a cycle. */
static void
test_order_sort (void)
{
  /* 0 ← 2, 1, 2 ← 1, 3 ← 0 and 2 */
  const guint dag_offsets[] = { 0, 1, 1, 2, 4 };
  const guint dag_inputs[] = { 2, 1, 0, 2 };
  const guint dag_order[] = { 1, 2, 0, 3 };
  /* 0 ← 2, 1 ← 0, 2 ← 1 (a cycle), 3 ← 2 (downstream of it) */
  const guint cyc_offsets[] = { 0, 1, 2, 3, 4 };
  const guint cyc_inputs[] = { 2, 0, 1, 2 };
  const guint cyc_path[] = { 2, 0, 1, 2 };
  /* 0 ← 0 */
  const guint self_offsets[] = { 0, 1 };
  const guint self_inputs[] = { 0 };
  /* 1 ← 0 twice (x × x) */
  const guint twice_offsets[] = { 0, 0, 2 };
  const guint twice_inputs[] = { 0, 0 };
  guint order[4];
  g_autoptr(GArray) cycle = g_array_new (FALSE, FALSE, sizeof (guint));

  g_assert_true (bp_order_sort (4, dag_offsets, dag_inputs, order, cycle));
  g_assert_cmpmem (order, sizeof (dag_order), dag_order, sizeof (dag_order));
  g_assert_cmpuint (cycle->len, ==, 0);

  g_assert_false (bp_order_sort (4, cyc_offsets, cyc_inputs, order, cycle));
  g_assert_cmpmem (cycle->data, cycle->len * sizeof (guint), cyc_path, sizeof (cyc_path));
  g_assert_false (bp_order_sort (4, cyc_offsets, cyc_inputs, order, NULL));

  g_assert_false (bp_order_sort (1, self_offsets, self_inputs, order, cycle));
  g_assert_cmpuint (cycle->len, ==, 2);
  g_assert_cmpuint (g_array_index (cycle, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (cycle, guint, 1), ==, 0);

  g_assert_true (bp_order_sort (2, twice_offsets, twice_inputs, order, NULL));
  g_assert_cmpuint (order[0], ==, 0);
  g_assert_cmpuint (order[1], ==, 1);

  g_assert_true (bp_order_sort (0, twice_offsets, twice_inputs, order, NULL));
}

static BpShapeStatus
infer (BpGraph  *graph,
       BpNode   *node,
       guint    *rows,
       guint    *cols,
       GError  **error)
{
  return bp_graph_infer_shape (graph, node, rows, cols, error);
}

/* Known, unknown while an input is missing, and an error that wins over
 * a missing input. */
static void
test_infer_shape (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *x = add_leaf (graph, "x", "input", bp_tensor_new (2, 3));
  BpNode *y = add_leaf (graph, "y", "input", bp_tensor_new (3, 2));
  BpNode *m = op2 (graph, "m", "matmul", x, y);
  BpNode *a = op1 (graph, "a", "add", m);           /* y unconnected */
  BpNode *b = op2 (graph, "b", "matmul", x, x);     /* 2×3 · 2×3 */
  BpNode *c = op2 (graph, "c", "add", a, b);
  BpNode *d = bp_graph_add_node (graph, "d", "mul", NULL);
  BpNode *e = op1 (graph, "e", "exp", a);
  guint rows = 7, cols = 7;

  g_assert_true (bp_graph_connect (graph, b, d, 1, NULL));  /* d's x unconnected */

  g_assert_cmpint (infer (graph, x, &rows, &cols, &error), ==, BP_SHAPE_KNOWN);
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpuint (cols, ==, 3);
  g_assert_cmpint (infer (graph, m, &rows, &cols, &error), ==, BP_SHAPE_KNOWN);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpuint (cols, ==, 2);

  /* Not known yet: the node itself, and what waits on it. */
  g_assert_cmpint (infer (graph, a, &rows, &cols, &error), ==, BP_SHAPE_UNKNOWN);
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 0);
  g_assert_cmpuint (cols, ==, 0);
  g_assert_cmpint (infer (graph, e, NULL, NULL, &error), ==, BP_SHAPE_UNKNOWN);
  g_assert_no_error (error);

  /* The error is the node's where the shapes fail, downstream too, and
   * even where another input is missing. */
  g_assert_cmpint (infer (graph, b, &rows, &cols, &error), ==, BP_SHAPE_ERROR);
  g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "“b”"));
  g_assert_cmpuint (rows, ==, 0);
  g_clear_error (&error);
  g_assert_cmpint (infer (graph, c, NULL, NULL, &error), ==, BP_SHAPE_ERROR);
  g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "“b”"));
  g_clear_error (&error);
  g_assert_cmpint (infer (graph, d, NULL, NULL, &error), ==, BP_SHAPE_ERROR);
  g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "“b”"));
  g_clear_error (&error);

  /* Completing the graph makes the shapes known. */
  g_assert_true (bp_graph_connect (graph, m, a, 1, NULL));
  g_assert_cmpint (infer (graph, e, &rows, &cols, &error), ==, BP_SHAPE_KNOWN);
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpuint (cols, ==, 2);
  g_assert_true (bp_graph_connect (graph, y, b, 1, NULL));
  g_assert_cmpint (infer (graph, c, &rows, &cols, &error), ==, BP_SHAPE_KNOWN);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpuint (cols, ==, 2);
  g_assert_cmpint (infer (graph, d, NULL, NULL, &error), ==, BP_SHAPE_UNKNOWN);
  g_assert_no_error (error);

  /* Too large counts as an error, not as unknown. */
  {
    BpNode *big = add_leaf (graph, "big", "input", bp_tensor_new (1, 1000));
    BpNode *rep = op1 (graph, "rep", "repeat", big);
    BpAttrs attrs = BP_ATTRS_INIT;

    attrs.axis = 0;
    attrs.times = 1000000;
    g_assert_true (bp_node_set_attrs (rep, &attrs, NULL));
    g_assert_cmpint (infer (graph, rep, NULL, NULL, &error), ==, BP_SHAPE_ERROR);
    g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
}

static void
test_insert_node (void)
{
  g_autoptr(BpGraph) graph = apple_graph ();
  g_autoptr(GError) error = NULL;
  BpNode *z;
  guint n;
  BpNode *const *order;

  z = bp_graph_insert_node (graph, "z", "input", 1, &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_get_node (graph, 1) == z);
  g_assert_cmpstr (bp_node_get_id (bp_graph_get_node (graph, 0)), ==, "apple");
  g_assert_cmpstr (bp_node_get_id (bp_graph_get_node (graph, 2)), ==, "apple_num");
  g_assert_true (bp_graph_lookup (graph, "z") == z);

  /* Ties in the order follow the insertion order. */
  order = bp_graph_get_order (graph, &n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpstr (bp_node_get_id (order[0]), ==, "apple");
  g_assert_cmpstr (bp_node_get_id (order[1]), ==, "z");
  g_assert_cmpstr (bp_node_get_id (order[2]), ==, "apple_num");

  /* At the end, like bp_graph_add_node; same refusals. */
  g_assert_true (bp_graph_insert_node (graph, "end", "neg", 6, NULL) == bp_graph_get_node (graph, 6));
  g_assert_null (bp_graph_insert_node (graph, "z", "input", 0, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_null (bp_graph_insert_node (graph, "w", "nope", 0, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_UNKNOWN_OP);
  g_clear_error (&error);

  /* Undoing a delete: the node comes back where it was, and the passes
   * agree with the original. */
  bp_graph_remove_node (graph, bp_graph_lookup (graph, "end"));
  bp_graph_remove_node (graph, z);
  bp_graph_remove_node (graph, bp_graph_lookup (graph, "apple_num"));
  z = bp_graph_insert_node (graph, "apple_num", "input", 1, &error);
  g_assert_no_error (error);
  bp_node_set_value (z, bp_tensor_new_scalar (2));
  bp_tensor_unref (bp_node_get_value (z));
  g_assert_true (bp_graph_connect (graph, z, bp_graph_lookup (graph, "apple_price"), 1, NULL));
  for (guint i = 0; i < 5; i++)
    {
      const char *ids[] = { "apple", "apple_num", "tax", "apple_price", "price" };

      g_assert_cmpstr (bp_node_get_id (bp_graph_get_node (graph, i)), ==, ids[i]);
    }
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (value_of (graph, "price"), 220, 1e-9);
  g_assert_cmpfloat_with_epsilon (grad_of (graph, "apple"), 2.2, 1e-12);
}

static void
test_attrs_equal (void)
{
  BpAttrs a = BP_ATTRS_INIT;
  BpAttrs b = BP_ATTRS_INIT;

  g_assert_true (bp_attrs_equal (&a, &b));
  b.axis = 0;
  g_assert_false (bp_attrs_equal (&a, &b));
  b = a;
  b.times = 3;
  g_assert_false (bp_attrs_equal (&a, &b));
  b = a;
  b.power = 3;
  g_assert_false (bp_attrs_equal (&a, &b));
  a.power = b.power = NAN;
  g_assert_true (bp_attrs_equal (&a, &b));
}

/* The branch rule when one node feeds the same op twice or more: x × x,
 * and (x × x) + x, with and without the trace. */
static void
test_same_input_twice (gconstpointer data)
{
  gboolean record = GPOINTER_TO_INT (data);
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *x = scalar (graph, "x", 3);
  BpNode *sq = op2 (graph, "sq", "mul", x, x);

  op2 (graph, "out", "add", sq, x);
  bp_graph_set_record_trace (graph, record);

  for (int round = 0; round < 2; round++)
    {
      g_assert_true (bp_graph_backward (graph, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (value_of (graph, "out"), 12, 1e-12);
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "x"), 7, 1e-12);   /* 2x + 1 */
      g_assert_cmpfloat_with_epsilon (grad_of (graph, "sq"), 1, 1e-12);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (int record = 0; record <= 1; record++)
    {
      const char *suffix = record ? "traced" : "untraced";
      g_autofree char *apples = g_strdup_printf ("/graph/apples/%s", suffix);
      g_autofree char *oranges = g_strdup_printf ("/graph/apples-oranges/%s", suffix);
      g_autofree char *branch = g_strdup_printf ("/graph/branch/%s", suffix);
      g_autofree char *nan = g_strdup_printf ("/graph/nan-inf/%s", suffix);
      g_autofree char *partial_unconnected = g_strdup_printf ("/graph/partial/unconnected/%s", suffix);
      g_autofree char *partial_shape = g_strdup_printf ("/graph/partial/shape-branch/%s", suffix);
      g_autofree char *partial_blocked = g_strdup_printf ("/graph/partial/blocked-output/%s", suffix);

      g_test_add_data_func (apples, GINT_TO_POINTER (record), test_apples);
      g_test_add_data_func (oranges, GINT_TO_POINTER (record), test_apples_oranges);
      g_test_add_data_func (branch, GINT_TO_POINTER (record), test_branch);
      g_test_add_data_func (nan, GINT_TO_POINTER (record), test_nan_inf);
      g_test_add_data_func (partial_unconnected, GINT_TO_POINTER (record), test_partial_unconnected);
      g_test_add_data_func (partial_shape, GINT_TO_POINTER (record), test_partial_shape_branch);
      g_test_add_data_func (partial_blocked, GINT_TO_POINTER (record), test_partial_blocked_output);
    }
  g_test_add_func ("/graph/unreached", test_unreached);
  g_test_add_func ("/graph/cycles", test_cycles);
  g_test_add_func ("/graph/shape-errors", test_shape_errors);
  g_test_add_func ("/graph/unconnected", test_unconnected_and_marks);
  g_test_add_func ("/graph/too-large", test_too_large);
  g_test_add_func ("/graph/ids", test_ids);
  g_test_add_func ("/graph/copy", test_copy);
  g_test_add_func ("/graph/ids-many", test_ids_many);
  g_test_add_func ("/graph/order", test_order);
  g_test_add_func ("/graph/long-chain", test_long_chain);
  g_test_add_func ("/graph/stamp", test_stamp_and_signal);
  g_test_add_data_func ("/graph/expand/sigmoid", "sigmoid", test_expand);
  g_test_add_data_func ("/graph/expand/affine", "affine", test_expand);
  g_test_add_data_func ("/graph/expand/softmax_with_loss", "softmax_with_loss", test_expand);
  g_test_add_data_func ("/graph/expand/all", "all", test_expand);
  g_test_add_func ("/graph/expand/softmax-primitives", test_expand_deep);
  g_test_add_func ("/graph/gradcheck/stray-layer", test_gradcheck_stray_layer);
  g_test_add_func ("/graph/trace/apple", test_trace_apple);
  g_test_add_func ("/graph/trace/snapshots", test_trace_snapshots);
  g_test_add_func ("/graph/trace/scalar-steps", test_trace_scalar_steps);
  g_test_add_func ("/graph/gradcheck", test_gradcheck);
  g_test_add_func ("/graph/order-sort", test_order_sort);
  g_test_add_func ("/graph/infer-shape", test_infer_shape);
  g_test_add_func ("/graph/insert-node", test_insert_node);
  g_test_add_func ("/graph/attrs-equal", test_attrs_equal);
  g_test_add_data_func ("/graph/same-input-twice/untraced", GINT_TO_POINTER (0), test_same_input_twice);
  g_test_add_data_func ("/graph/same-input-twice/traced", GINT_TO_POINTER (1), test_same_input_twice);

  return g_test_run ();
}
