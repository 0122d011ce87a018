/* SPDX-License-Identifier: MIT */
#include <glib/gi18n-lib.h>

#include "bp-expand.h"

/* Horizontal distance between the nodes of an expansion. */
#define SPACING 90.0

typedef struct
{
  BpNode *node;
  guint   slot;
} Consumer;

/* The inputs of a broadcasting node (+ − × ÷) that were copied to the
 * output's shape, as a bit mask (0: none, or the shapes are not known),
 * with the output's shape. */
static guint
copied_inputs (const BpNode *node,
               guint        *out_rows,
               guint        *out_cols)
{
  const BpOp *op = bp_node_get_op (node);
  guint rows, cols;
  guint mask = 0;

  if (!op->broadcasts || !bp_node_get_shape (node, &rows, &cols))
    return 0;
  for (guint s = 0; s < op->arity; s++)
    {
      BpNode *input = bp_node_get_input (node, s);
      guint in_rows, in_cols;

      if (input != NULL && bp_node_get_shape (input, &in_rows, &in_cols) &&
          bp_op_is_broadcast (op, in_rows, in_cols, rows, cols))
        mask |= 1u << s;
    }
  if (out_rows != NULL)
    *out_rows = rows;
  if (out_cols != NULL)
    *out_cols = cols;
  return mask;
}

gboolean
bp_expand_can_expand (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, FALSE);

  return bp_node_get_op (node)->expandable || copied_inputs (node, NULL, NULL) != 0;
}

/* "<id>.<k>" with the first k ≥ *step that is free. */
static char *
free_id (BpGraph    *graph,
         const char *id,
         guint      *step)
{
  for (;; (*step)++)
    {
      char *candidate = g_strdup_printf ("%s.%u", id, *step);

      if (bp_graph_lookup (graph, candidate) == NULL)
        {
          (*step)++;
          return candidate;
        }
      g_free (candidate);
    }
}

static BpNode *
add (BpGraph    *graph,
     GPtrArray  *created,
     const char *id,
     guint      *step,
     const char *op_name)
{
  g_autofree char *new_id = free_id (graph, id, step);
  BpNode *node = bp_graph_add_node (graph, new_id, op_name, NULL);

  g_assert (node != NULL);
  g_ptr_array_add (created, node);
  return node;
}

static void
connect (BpGraph *graph,
         BpNode  *src,
         BpNode  *dst,
         guint    slot)
{
  gboolean ok = bp_graph_connect (graph, src, dst, slot, NULL);

  /* Fresh nodes cannot close a cycle. */
  g_assert (ok);
}

GPtrArray *
bp_expand_node (BpGraph  *graph,
                BpNode   *node,
                GError  **error)
{
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(GArray) consumers = NULL;
  g_autofree char *id = NULL;
  g_autofree char *label = NULL;
  const BpOp *op;
  BpNode *inputs[BP_OP_MAX_INPUTS] = { NULL, };
  BpNode *last = NULL;
  gboolean was_output;
  gboolean has_position;
  double x = 0, y = 0;
  guint rows = 0, cols = 0;
  guint step = 1;
  guint n_nodes;

  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);
  g_return_val_if_fail (node != NULL && bp_node_get_graph (node) == graph, NULL);

  op = bp_node_get_op (node);
  if (!bp_expand_can_expand (node))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the node's id, then its op's name */
                   _("Node “%s”: %s has no primitive subgraph to expand into"),
                   bp_node_get_id (node), op->name);
      return NULL;
    }

  /* Everything that can fail is checked before the graph changes. */
  for (guint s = 0; s < op->arity; s++)
    {
      inputs[s] = bp_node_get_input (node, s);
      if (inputs[s] == NULL)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_ARITY,
                       /* Translators: the node's id, the input's name ("x"), the
                        * op's name ("sigmoid") */
                       _("Node “%s”: input “%s” of %s is not connected"),
                       bp_node_get_id (node), op->input_names[s], op->name);
          return NULL;
        }
    }
  /* Class labels (N×1 for C > 1 classes) have no elementwise ×t. */
  if (g_str_equal (op->name, "cross_entropy"))
    {
      guint t_rows = 0, t_cols = 0;

      if (bp_node_get_shape (inputs[1], &t_rows, &t_cols)
          && bp_node_get_shape (inputs[0], &rows, &cols)
          && cols > 1 && t_cols == 1)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       /* Translators: the node's id */
                       _("Node “%s”: the labels t are class numbers; only one-hot labels "
                         "(the shape of y) can be expanded into ×t"),
                       bp_node_get_id (node));
          return NULL;
        }
    }
  if (!bp_node_get_shape (inputs[0], &rows, &cols))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_SHAPE,
                   /* Translators: the node's id, its input's id, then why the
                    * input's shape is unknown */
                   _("Node “%s”: the shape of “%s” is not known: %s"),
                   bp_node_get_id (node), bp_node_get_id (inputs[0]),
                   bp_node_get_error (inputs[0]) ? bp_node_get_error (inputs[0])
                                                 : _("fix the nodes before it first"));
      return NULL;
    }

  id = g_strdup (bp_node_get_id (node));
  label = bp_node_has_label (node) ? g_strdup (bp_node_get_label (node)) : NULL;
  has_position = bp_node_get_position (node, &x, &y);
  was_output = bp_graph_get_output (graph) == node;

  consumers = g_array_new (FALSE, FALSE, sizeof (Consumer));
  n_nodes = bp_graph_get_n_nodes (graph);
  for (guint i = 0; i < n_nodes; i++)
    {
      BpNode *other = bp_graph_get_node (graph, i);

      for (guint s = 0; s < bp_node_get_n_inputs (other); s++)
        if (bp_node_get_input (other, s) == node)
          {
            Consumer c = { other, s };
            g_array_append_val (consumers, c);
          }
    }

  created = g_ptr_array_new ();

  if (g_str_equal (op->name, "sigmoid"))
    {
      /* The book's drawing: ×−1, exp, +1, 1/x. */
      BpNode *neg = add (graph, created, id, &step, "neg");
      BpNode *exp = add (graph, created, id, &step, "exp");
      BpNode *one = add (graph, created, id, &step, "const");
      BpNode *plus = add (graph, created, id, &step, "add");
      g_autoptr(BpTensor) ones = bp_tensor_new_filled (rows, cols, 1.0);

      last = add (graph, created, id, &step, "reciprocal");
      bp_node_set_value (one, ones);
      bp_node_set_label (one, "1");
      connect (graph, inputs[0], neg, 0);
      connect (graph, neg, exp, 0);
      connect (graph, exp, plus, 0);
      connect (graph, one, plus, 1);
      connect (graph, plus, last, 0);
    }
  else if (g_str_equal (op->name, "affine"))
    {
      /* X · W, then b repeated for each row of the batch, then +. */
      BpNode *matmul = add (graph, created, id, &step, "matmul");
      BpNode *repeat = add (graph, created, id, &step, "repeat");
      BpAttrs attrs = BP_ATTRS_INIT;
      gboolean ok;

      last = add (graph, created, id, &step, "add");
      attrs.axis = 0;
      attrs.times = rows;
      ok = bp_node_set_attrs (repeat, &attrs, NULL);
      g_assert (ok);
      connect (graph, inputs[0], matmul, 0);
      connect (graph, inputs[1], matmul, 1);
      connect (graph, inputs[2], repeat, 0);
      connect (graph, matmul, last, 0);
      connect (graph, repeat, last, 1);
    }
  else if (op->broadcasts)
    {
      /* The hidden Repeat nodes of broadcasting made visible: for each
       * copied input, its columns copied first, then its rows (the order
       * bp_op_sum_over_copies undoes), then the op on equal shapes. */
      BpNode *feeds[BP_OP_MAX_INPUTS] = { NULL, };
      guint out_rows = 0, out_cols = 0;
      guint mask = copied_inputs (node, &out_rows, &out_cols);

      for (guint s = 0; s < op->arity; s++)
        {
          guint in_rows = 0, in_cols = 0;

          feeds[s] = inputs[s];
          if (!(mask & (1u << s)))
            continue;
          bp_node_get_shape (inputs[s], &in_rows, &in_cols);
          for (guint k = 0; k < 2; k++)
            {
              guint axis = 1 - k;
              BpAttrs attrs = BP_ATTRS_INIT;
              BpNode *repeat;
              gboolean ok;

              if ((axis == 1 ? in_cols : in_rows) == (axis == 1 ? out_cols : out_rows))
                continue;
              repeat = add (graph, created, id, &step, "repeat");
              attrs.axis = axis;
              attrs.times = axis == 1 ? out_cols : out_rows;
              ok = bp_node_set_attrs (repeat, &attrs, NULL);
              g_assert (ok);
              connect (graph, feeds[s], repeat, 0);
              feeds[s] = repeat;
            }
        }
      last = add (graph, created, id, &step, op->name);
      for (guint s = 0; s < op->arity; s++)
        connect (graph, feeds[s], last, s);
    }
  else if (g_str_equal (op->name, "softmax_with_loss"))
    {
      BpNode *softmax = add (graph, created, id, &step, "softmax");

      last = add (graph, created, id, &step, "cross_entropy");
      connect (graph, inputs[0], softmax, 0);
      connect (graph, softmax, last, 0);
      connect (graph, inputs[1], last, 1);
    }
  else if (g_str_equal (op->name, "softmax"))
    {
      /* Vol. 2's appendix figure: exp, Σ along each row, 1/x, and ×
       * (the row's sum copied to each column by a Repeat node, since the
       * engine's × takes equal shapes). exp feeds two nodes: a branch. */
      BpNode *exp = add (graph, created, id, &step, "exp");
      BpNode *sum = add (graph, created, id, &step, "sum");
      BpNode *inv = add (graph, created, id, &step, "reciprocal");
      BpNode *repeat = add (graph, created, id, &step, "repeat");
      BpAttrs attrs = BP_ATTRS_INIT;
      gboolean ok;

      last = add (graph, created, id, &step, "mul");
      attrs.axis = 1;
      ok = bp_node_set_attrs (sum, &attrs, NULL);
      g_assert (ok);
      attrs.times = cols;
      ok = bp_node_set_attrs (repeat, &attrs, NULL);
      g_assert (ok);
      connect (graph, inputs[0], exp, 0);
      connect (graph, exp, sum, 0);
      connect (graph, sum, inv, 0);
      connect (graph, inv, repeat, 0);
      connect (graph, exp, last, 0);
      connect (graph, repeat, last, 1);
    }
  else if (g_str_equal (op->name, "cross_entropy"))
    {
      /* log, ×t, Σ, ×−1 as the appendix draws it; the book's code adds
       * 1e-7 inside the log and divides by the batch size N, and so do
       * these nodes, so that the values stay those of the layer. */
      BpNode *delta = add (graph, created, id, &step, "const");
      BpNode *plus = add (graph, created, id, &step, "add");
      BpNode *log = add (graph, created, id, &step, "log");
      BpNode *times_t = add (graph, created, id, &step, "mul");
      BpNode *sum = add (graph, created, id, &step, "sum");
      BpNode *minus = add (graph, created, id, &step, "const");
      g_autoptr(BpTensor) deltas = bp_tensor_new_filled (rows, cols, 1e-7);
      g_autoptr(BpTensor) factor = bp_tensor_new_scalar (-1.0 / rows);
      g_autofree char *factor_label = rows == 1 ? g_strdup ("−1")
                                                : g_strdup_printf ("−1/%u", rows);

      last = add (graph, created, id, &step, "mul");
      bp_node_set_value (delta, deltas);
      bp_node_set_label (delta, "1e-7");
      bp_node_set_value (minus, factor);
      bp_node_set_label (minus, factor_label);
      connect (graph, inputs[0], plus, 0);
      connect (graph, delta, plus, 1);
      connect (graph, plus, log, 0);
      connect (graph, log, times_t, 0);
      connect (graph, inputs[1], times_t, 1);
      connect (graph, times_t, sum, 0);
      connect (graph, sum, last, 0);
      connect (graph, minus, last, 1);
    }
  else
    g_assert_not_reached ();

  /* The last node takes the layer's place. */
  bp_graph_remove_node (graph, node);
  if (!bp_graph_rename_node (graph, last, id, error))
    g_assert_not_reached ();
  if (label != NULL)
    bp_node_set_label (last, label);
  for (guint i = 0; i < consumers->len; i++)
    {
      Consumer *c = &g_array_index (consumers, Consumer, i);
      connect (graph, last, c->node, c->slot);
    }
  if (was_output)
    bp_graph_set_output (graph, last);

  if (has_position)
    {
      guint n = created->len;

      /* A row ending where the layer stood; constants below it. */
      for (guint i = 0; i < n; i++)
        {
          BpNode *part = g_ptr_array_index (created, i);
          double dy = bp_op_is_leaf (bp_node_get_op (part)) ? SPACING * 0.7 : 0;

          bp_node_set_position (part, x - SPACING * (n - 1 - i), y + dy);
        }
    }

  return g_steal_pointer (&created);
}
