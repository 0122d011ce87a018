/* SPDX-License-Identifier: MIT */
#include <math.h>

#include "bp-gradcheck.h"

static void
leaf_free (gpointer data)
{
  BpGradCheckLeaf *leaf = data;

  g_clear_pointer (&leaf->backprop, bp_tensor_unref);
  g_clear_pointer (&leaf->numeric, bp_tensor_unref);
  g_free (leaf);
}

void
bp_grad_check_free (BpGradCheck *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->leaves, g_ptr_array_unref);
  g_free (self);
}

/* The backward pass seeds every output element with 1, so it computes the
 * gradient of the sum of the output: compare against that. */
static gboolean
evaluate_sum (BpGraph  *graph,
              double   *sum,
              GError  **error)
{
  g_autoptr(BpTensor) out = bp_graph_evaluate (graph, error);
  gsize n;

  if (out == NULL)
    return FALSE;

  *sum = 0.0;
  n = bp_tensor_n_elements (out);
  for (gsize i = 0; i < n; i++)
    *sum += out->data[i];

  return TRUE;
}

static inline void
update_max (double *max,
            double  value)
{
  /* NaN wins: a broken gradient must not look fine. */
  if (isnan (value) || isnan (*max))
    *max = NAN;
  else if (value > *max)
    *max = value;
}

BpGradCheck *
bp_grad_check_run (BpGraph  *graph,
                   double    epsilon,
                   GError  **error)
{
  g_autoptr(BpGradCheck) self = NULL;
  g_autoptr(GTimer) timer = NULL;
  guint n_nodes;

  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);

  self = g_new0 (BpGradCheck, 1);
  self->leaves = g_ptr_array_new_with_free_func (leaf_free);
  self->epsilon = epsilon > 0 ? epsilon : 1e-5;

  /* Backprop: one forward and one backward pass. */
  timer = g_timer_new ();
  if (!bp_graph_forward (graph, error) || !bp_graph_backward (graph, error))
    return NULL;
  self->backprop_seconds = g_timer_elapsed (timer, NULL);
  self->backprop_forward_evals = 1;
  self->backprop_backward_evals = 1;

  n_nodes = bp_graph_get_n_nodes (graph);
  for (guint i = 0; i < n_nodes; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      BpTensor *value = bp_node_get_value (node);
      BpTensor *grad = bp_node_get_grad (node);
      BpGradCheckLeaf *leaf;

      if (!bp_op_is_leaf (bp_node_get_op (node)))
        continue;

      leaf = g_new0 (BpGradCheckLeaf, 1);
      leaf->node = node;
      /* A leaf the output does not depend on has gradient zero. */
      leaf->backprop = grad != NULL ? bp_tensor_copy (grad) : bp_tensor_new (value->rows, value->cols);
      leaf->numeric = bp_tensor_new (value->rows, value->cols);
      g_ptr_array_add (self->leaves, leaf);
    }

  /* Numerical differentiation: two forward passes per element. The leaf
   * gets a private copy to nudge, so no recorded tensor changes. */
  g_timer_start (timer);
  for (guint l = 0; l < self->leaves->len; l++)
    {
      BpGradCheckLeaf *leaf = g_ptr_array_index (self->leaves, l);
      g_autoptr(BpTensor) original = bp_tensor_ref (bp_node_get_value (leaf->node));
      g_autoptr(BpTensor) work = bp_tensor_copy (original);
      gsize n = bp_tensor_n_elements (work);

      bp_node_set_value (leaf->node, work);

      for (gsize i = 0; i < n; i++)
        {
          double v = original->data[i];
          double h = epsilon > 0 ? epsilon : 1e-5 * MAX (1.0, fabs (v));
          double plus, minus;

          work->data[i] = v + h;
          if (!evaluate_sum (graph, &plus, error))
            {
              bp_node_set_value (leaf->node, original);
              return NULL;
            }
          work->data[i] = v - h;
          if (!evaluate_sum (graph, &minus, error))
            {
              bp_node_set_value (leaf->node, original);
              return NULL;
            }
          work->data[i] = v;

          leaf->numeric->data[i] = (plus - minus) / (2.0 * h);
          leaf->forward_evals += 2;
        }

      bp_node_set_value (leaf->node, original);
      self->numeric_forward_evals += leaf->forward_evals;

      for (gsize i = 0; i < n; i++)
        {
          double a = leaf->backprop->data[i];
          double b = leaf->numeric->data[i];
          double abs_error = fabs (a - b);
          double rel_error = abs_error / MAX (MAX (fabs (a), fabs (b)), 1e-8);

          update_max (&leaf->max_abs_error, abs_error);
          update_max (&leaf->max_rel_error, rel_error);
        }
      update_max (&self->max_abs_error, leaf->max_abs_error);
      update_max (&self->max_rel_error, leaf->max_rel_error);
    }
  self->numeric_seconds = g_timer_elapsed (timer, NULL);

  /* Leave values, gradients and trace as after a backward pass. */
  if (!bp_graph_backward (graph, error))
    return NULL;

  return g_steal_pointer (&self);
}
