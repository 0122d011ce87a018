/* SPDX-License-Identifier: MIT */
#include <glib/gi18n-lib.h>
#include <math.h>

#include "bp-error.h"
#include "bp-expand.h"
#include "bp-gradcheck.h"
#include "bp-tensor.h"

static void
leaf_free (gpointer data)
{
  BpGradCheckLeaf *leaf = data;

  g_clear_pointer (&leaf->backprop, bp_tensor_unref);
  g_clear_pointer (&leaf->numeric, bp_tensor_unref);
  g_clear_pointer (&leaf->exact, bp_tensor_unref);
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

static gboolean
has_softmax_with_loss (BpGraph *graph)
{
  guint n = bp_graph_get_n_nodes (graph);

  /* Only a layer on the way to the output sends a gradient. */
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (g_str_equal (bp_node_get_op (node)->name, "softmax_with_loss")
          && bp_node_get_grad (node) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The exact gradients: the same graph with every Softmax-with-Loss
 * expanded into softmax → cross_entropy, whose derivatives keep the 1e-7.
 * Leaves keep their ids in the expansion. */
static gboolean
exact_gradients (BpGraph      *graph,
                 BpGradCheck  *self,
                 GError      **error)
{
  g_autoptr(BpGraph) copy = bp_graph_copy (graph);
  g_autoptr(GPtrArray) layers = g_ptr_array_new ();
  guint n = bp_graph_get_n_nodes (graph);

  /* The layers that send a gradient in the original (the copy has run
   * no pass yet). */
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (g_str_equal (bp_node_get_op (node)->name, "softmax_with_loss")
          && bp_node_get_grad (node) != NULL)
        g_ptr_array_add (layers, bp_graph_lookup (copy, bp_node_get_id (node)));
    }
  for (guint i = 0; i < layers->len; i++)
    {
      g_autoptr(GPtrArray) created = bp_expand_node (copy, g_ptr_array_index (layers, i), error);

      if (created == NULL)
        return FALSE;
    }
  bp_graph_set_record_trace (copy, FALSE);
  if (!bp_graph_backward (copy, error))
    return FALSE;

  for (guint l = 0; l < self->leaves->len; l++)
    {
      BpGradCheckLeaf *leaf = g_ptr_array_index (self->leaves, l);
      BpNode *twin = bp_graph_lookup (copy, bp_node_get_id (leaf->node));
      BpTensor *grad = twin != NULL ? bp_node_get_grad (twin) : NULL;
      gsize count = bp_tensor_n_elements (leaf->backprop);

      leaf->exact = grad != NULL ? bp_tensor_copy (grad)
                                 : bp_tensor_new (leaf->backprop->rows, leaf->backprop->cols);
      for (gsize i = 0; i < count; i++)
        {
          double a = leaf->exact->data[i];
          double b = leaf->numeric->data[i];
          double abs_error = fabs (a - b);
          double rel_error = abs_error / MAX (MAX (fabs (a), fabs (b)), 1e-8);

          /* A sampled check leaves the other elements unknown (NaN). */
          if (isnan (b) && !isnan (leaf->backprop->data[i]))
            continue;
          update_max (&self->book_rule_difference, fabs (a - leaf->backprop->data[i]));
          update_max (&leaf->max_abs_error_exact, abs_error);
          update_max (&leaf->max_rel_error_exact, rel_error);
        }
      update_max (&self->max_abs_error_exact, leaf->max_abs_error_exact);
      update_max (&self->max_rel_error_exact, leaf->max_rel_error_exact);
    }
  return TRUE;
}

guint64
bp_grad_check_count_elements (BpGraph *graph)
{
  guint n_nodes;
  guint64 total = 0;

  g_return_val_if_fail (BP_IS_GRAPH (graph), 0);

  n_nodes = bp_graph_get_n_nodes (graph);
  for (guint i = 0; i < n_nodes; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      BpTensor *value = bp_node_get_value (node);

      if (bp_op_is_leaf (bp_node_get_op (node)) && value != NULL)
        total += bp_tensor_n_elements (value);
    }
  return total;
}

BpGradCheck *
bp_grad_check_run (BpGraph  *graph,
                   double    epsilon,
                   GError  **error)
{
  return bp_grad_check_run_full (graph, epsilon, 0, BP_GRAD_CHECK_DEFAULT, 0,
                                 NULL, NULL, NULL, error);
}

BpGradCheck *
bp_grad_check_run_full (BpGraph              *graph,
                        double                epsilon,
                        guint                 max_elements,
                        BpGradCheckFlags      flags,
                        guint32               seed,
                        BpGradCheckProgress   progress,
                        gpointer              user_data,
                        GCancellable         *cancellable,
                        GError              **error)
{
  g_autoptr(BpGradCheck) self = NULL;
  g_autoptr(GTimer) timer = NULL;
  g_autoptr(GRand) rand = NULL;
  guint64 n_total, n_wanted, n_seen = 0, n_picked = 0;
  guint n_nodes;

  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  n_total = bp_grad_check_count_elements (graph);
  n_wanted = n_total;
  if (max_elements > 0 && n_total > max_elements)
    {
      if (!(flags & BP_GRAD_CHECK_SAMPLE))
        {
          g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_total);

          g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                       /* Translators: the number of elements, then the most checked */
                       _("The leaves have %s elements, and at most %u are checked (two "
                         "forward passes each); check a sample of them instead"),
                       count, max_elements);
          return NULL;
        }
      n_wanted = max_elements;
      rand = g_rand_new_with_seed (seed);
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  self = g_new0 (BpGradCheck, 1);
  self->leaves = g_ptr_array_new_with_free_func (leaf_free);
  self->epsilon = epsilon > 0 ? epsilon : 1e-5;
  self->n_elements = (guint) MIN (n_total, G_MAXUINT);

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
      g_autofree guint8 *skipped = rand != NULL ? g_new0 (guint8, n) : NULL;

      bp_node_set_value (leaf->node, work);

      for (gsize i = 0; i < n; i++)
        {
          double v = original->data[i];
          double h = epsilon > 0 ? epsilon : 1e-5 * MAX (1.0, fabs (v));
          double plus, minus;
          gboolean pick = TRUE;

          /* Selection sampling (Knuth's algorithm S): each element is
           * taken with probability wanted-left / elements-left, which
           * picks exactly n_wanted, uniformly, in one pass. */
          if (rand != NULL)
            pick = g_rand_double (rand) * (double) (n_total - n_seen)
                   < (double) (n_wanted - n_picked);
          n_seen++;
          if (!pick)
            {
              leaf->numeric->data[i] = NAN;
              skipped[i] = 1;
              continue;
            }
          n_picked++;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              bp_node_set_value (leaf->node, original);
              return NULL;
            }
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
          leaf->n_checked++;
          if (progress != NULL)
            progress ((guint) n_picked, (guint) n_wanted, user_data);
        }

      bp_node_set_value (leaf->node, original);
      self->numeric_forward_evals += leaf->forward_evals;
      self->n_checked += leaf->n_checked;

      for (gsize i = 0; i < n; i++)
        {
          double a = leaf->backprop->data[i];
          double b = leaf->numeric->data[i];
          double abs_error, rel_error;

          if (skipped != NULL && skipped[i])
            continue;
          abs_error = fabs (a - b);
          rel_error = abs_error / MAX (MAX (fabs (a), fabs (b)), 1e-8);
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

  /* With the gradients of that pass: which layers send one. */
  if (has_softmax_with_loss (graph))
    {
      self->has_book_rule = TRUE;
      if (!exact_gradients (graph, self, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

static gboolean
within (double abs_error,
        double rel_error)
{
  return rel_error <= BP_GRAD_CHECK_REL_TOLERANCE || abs_error <= BP_GRAD_CHECK_ABS_TOLERANCE;
}

gboolean
bp_grad_check_explained_by_delta (const BpGradCheck *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->has_book_rule
         && !within (self->max_abs_error, self->max_rel_error)
         && within (self->max_abs_error_exact, self->max_rel_error_exact);
}

gboolean
bp_grad_check_agrees (const BpGradCheck *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return within (self->max_abs_error, self->max_rel_error)
         || bp_grad_check_explained_by_delta (self);
}

char *
bp_grad_check_describe (const BpGradCheck *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *rel = NULL;
  guint n_elements;

  g_return_val_if_fail (self != NULL, NULL);

  n_elements = self->numeric_forward_evals / 2;
  g_string_append_printf (out,
                          /* Translators: the cost of numerical differentiation
                           * counted in passes over the graph */
                          g_dngettext (GETTEXT_PACKAGE,
                                       "Numerical differentiation: %u forward passes (2 for each of the %u input element).",
                                       "Numerical differentiation: %u forward passes (2 for each of the %u input elements).",
                                       n_elements),
                          self->numeric_forward_evals, n_elements);
  g_string_append_c (out, '\n');
  g_string_append_printf (out,
                          /* Translators: the cost of backpropagation in passes */
                          _("Backpropagation: %u forward + %u backward pass, whatever the number of inputs."),
                          self->backprop_forward_evals, self->backprop_backward_evals);
  /* On a tiny graph the clock measures the machine, not the method. */
  if (self->numeric_seconds >= BP_GRAD_CHECK_MIN_SECONDS
      || self->backprop_seconds >= BP_GRAD_CHECK_MIN_SECONDS)
    {
      g_string_append_c (out, '\n');
      g_string_append_printf (out,
                              /* Translators: measured times in milliseconds */
                              _("Measured: numerical %.1f ms, backpropagation %.1f ms."),
                              self->numeric_seconds * 1e3, self->backprop_seconds * 1e3);
    }
  g_string_append_c (out, '\n');
  rel = g_strdup_printf ("%.1e", self->max_rel_error);
  /* Translators: the largest relative error between the two gradients */
  g_string_append_printf (out, _("Largest relative error: %s."), rel);
  if (self->has_book_rule)
    {
      g_autofree char *diff = g_strdup_printf ("%.1e", self->book_rule_difference);
      g_autofree char *exact = g_strdup_printf ("%.1e", self->max_rel_error_exact);

      g_string_append_c (out, '\n');
      g_string_append_printf (out,
                              /* Translators: %s are numbers such as 3.4e-07 */
                              _("Softmax-with-Loss sends the book’s (y − t)/N, which leaves out the 1e-7 "
                                "inside log(y + 1e-7); that changes the gradient by up to %s. Against the "
                                "exact derivative of the loss, the largest relative error is %s."),
                              diff, exact);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
