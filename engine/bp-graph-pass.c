/* SPDX-License-Identifier: MIT */
/* The passes: forward, backward (with the branch rule in one place) and
 * the trace they record. */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "bp-graph-private.h"

/* A tensor of the given shape that nobody else holds, reusing *slot
 * when it can: tensors a trace holds stay untouched snapshots. */
static inline BpTensor *
writable (BpTensor **slot,
          guint      rows,
          guint      cols)
{
  BpTensor *t = *slot;

  if (t != NULL && bp_tensor_get_ref_count (t) == 1 && t->rows == rows && t->cols == cols)
    return t;

  if (t != NULL)
    bp_tensor_unref (t);
  *slot = bp_tensor_new_uninit (rows, cols);
  return *slot;
}

static BpNode *
find_output (BpGraph  *self,
             GError  **error)
{
  BpNode *output = bp_graph_get_output (self);

  if (output == NULL)
    {
      guint n_unused = 0;

      for (guint i = 0; i < self->nodes->len; i++)
        if (((BpNode *) g_ptr_array_index (self->nodes, i))->n_consumers == 0)
          n_unused++;

      if (self->nodes->len == 0)
        g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("The graph is empty"));
      else
        g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                     /* Translators: %u is a number of nodes whose value goes nowhere */
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%u node feeds nothing; choose which one is the output",
                                  "%u nodes feed nothing; choose which one is the output",
                                  n_unused),
                     n_unused);
    }

  return output;
}

/* Computes the nodes in order and records their steps (when `trace` is
 * not NULL); returns how many nodes it computed. `all_valid` is a constant at each call: with TRUE the
 * check per node and the separate step count compile away. */
static inline G_ALWAYS_INLINE guint
forward_nodes (BpGraph       *self,
               BpTrace       *trace,
               BpStep        *steps,
               BpTensorArena *arena,
               gboolean       all_valid)
{
  guint n_steps = 0;

  for (guint k = 0; k < self->n_order; k++)
    {
      BpNode *node = self->order[k];
      const BpOp *op = node->op;

      /* Leaves are always valid, so this only drops computed values. */
      if (!all_valid && !node->valid)
        {
          g_clear_pointer (&node->value, bp_tensor_unref);
          continue;
        }

      if (op->arity > 0)
        {
          BpTensor *in[BP_OP_MAX_INPUTS];
          BpTensor *out = writable (&node->value, node->rows, node->cols);

          for (guint s = 0; s < op->arity; s++)
            in[s] = node->inputs[s]->value;
          op->forward (&node->attrs, in, out);
        }

      if (trace != NULL)
        {
          steps[all_valid ? k : n_steps] = (BpStep) {
            .kind = BP_STEP_FORWARD,
            .node = node,
            .value = bp_trace_snapshot (trace, arena, BP_STEP_FORWARD, node->value),
          };
        }
      if (!all_valid)
        n_steps++;
    }

  return all_valid ? self->n_order : n_steps;
}

/* The forward pass over every node that can be computed; the others
 * lose their value. FALSE (with the first error) when some could not.
 * `trace` NULL: record nothing. */
static gboolean
run_forward (BpGraph  *self,
             BpTrace  *trace,
             GError  **error)
{
  BpStep *steps = NULL;
  BpTensorArena *arena = NULL;
  gboolean valid;
  guint n_steps;

  valid = bp_graph_validate (self, error);

  if (trace != NULL)
    {
      steps = bp_trace_add_steps (trace, BP_STEP_FORWARD, self->n_order);
      arena = bp_trace_get_arena (trace, BP_STEP_FORWARD);
    }

  if (G_LIKELY (valid))
    n_steps = forward_nodes (self, trace, steps, arena, TRUE);
  else
    n_steps = forward_nodes (self, trace, steps, arena, FALSE);

  /* Only computed nodes have a step. */
  if (trace != NULL && n_steps < self->n_order)
    bp_trace_shrink (trace, n_steps);

  self->values_stamp = self->stamp;
  return valid;
}

/* Why `node` (invalid after validation) cannot be computed, when it
 * was asked to be differentiated or else evaluated. */
static void
set_blocked_error (BpNode      *node,
                   gboolean     differentiating,
                   GError     **error)
{
  BpNode *blocker = node->blocker;

  g_assert (blocker != NULL && blocker->error != NULL);

  if (blocker == node)
    g_set_error_literal (error, BP_ERROR, node->error_code, node->error);
  else if (differentiating)
    g_set_error (error, BP_ERROR, blocker->error_code,
                 /* Translators: the output node, the broken node it depends on,
                  * then that node's own error message */
                 _("The output “%s” cannot be differentiated: it depends on “%s”, which cannot be computed. %s"),
                 node->id, blocker->id, blocker->error);
  else
    g_set_error (error, BP_ERROR, blocker->error_code,
                 /* Translators: the output node, the broken node it depends on,
                  * then that node's own error message */
                 _("The output “%s” cannot be evaluated: it depends on “%s”, which cannot be computed. %s"),
                 node->id, blocker->id, blocker->error);
}

static gboolean
forward_pass (BpGraph  *self,
              GError  **error)
{
  /* Emptied first: when nobody else holds the old trace, its tensors go
   * back to one reference and are reused in place, and so is its memory. */
  if (self->record_trace && self->trace != NULL && bp_trace_get_ref_count (self->trace) == 1)
    bp_trace_reset (self->trace, self->stamp);
  else
    g_clear_pointer (&self->trace, bp_trace_unref);

  if (!self->record_trace)
    return run_forward (self, NULL, error);

  if (self->trace == NULL)
    self->trace = bp_trace_new (self->stamp, 2 * self->nodes->len);
  /* A partial pass keeps its trace: the steps of the nodes it computed. */
  return run_forward (self, self->trace, error);
}

gboolean
bp_graph_forward (BpGraph  *self,
                  GError  **error)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);

  return forward_pass (self, error);
}

/* The branch rule, in one place: the first gradient to reach `node` in
 * this pass sets its gradient, every later one adds to it. `dg` may be
 * the node's own gradient already (a kernel wrote it in place, being
 * first): then only the pass is marked. A trace's own tensor stays its
 * snapshot: an arena one is copied, a large one shared (and copied before
 * anything is added to it). */
static inline void
receive_grad (BpNode   *node,
              BpTensor *dg,
              guint64   pass)
{
  gsize n;
  double *acc;

  /* A data input: nothing was computed for it. */
  if (dg == NULL)
    return;
  n = bp_tensor_n_elements (dg);

  if (node->grad_pass != pass)
    {
      node->grad_pass = pass;
      if (dg == node->grad)
        return;
      if (bp_tensor_get_ref_count (dg) == BP_TENSOR_ARENA_REF_COUNT)
        {
          BpTensor *grad = writable (&node->grad, node->rows, node->cols);

          memcpy (grad->data, dg->data, n * sizeof (double));
        }
      else
        {
          g_clear_pointer (&node->grad, bp_tensor_unref);
          node->grad = bp_tensor_ref (dg);
        }
      return;
    }

  if (bp_tensor_get_ref_count (node->grad) > 1)
    {
      BpTensor *copy = bp_tensor_copy (node->grad);

      bp_tensor_unref (node->grad);
      node->grad = copy;
    }

  acc = node->grad->data;
  for (gsize i = 0; i < n; i++)
    acc[i] += dg->data[i];
}

/* Kernels never write their UG, so one tensor of ones per shape serves. */
static BpTensor *
ones_like (BpGraph *self,
           guint    rows,
           guint    cols)
{
  if (self->ones == NULL || self->ones->rows != rows || self->ones->cols != cols)
    {
      g_clear_pointer (&self->ones, bp_tensor_unref);
      self->ones = bp_tensor_new_filled (rows, cols, 1.0);
    }
  return self->ones;
}

static inline BpTensor *
scratch (BpGraph *self,
         guint    slot,
         guint    rows,
         guint    cols)
{
  return writable (&self->scratch[slot], rows, cols);
}

/* Whether the backward step of `node` is recorded as a scalar
 * (BpStepRecord): it and its inputs are 1×1, and its LG, if it has one,
 * is what its backward sends down for an upstream gradient of one. */
static inline gboolean
is_scalar_step (const BpNode *node)
{
  const BpOp *op = node->op;

  if (node->rows != 1 || node->cols != 1 || op->arity > BP_STEP_RECORD_MAX_INPUTS ||
      (op->local != NULL && !op->local_from_backward))
    return FALSE;
  for (guint s = 0; s < op->arity; s++)
    if (node->inputs[s]->rows != 1 || node->inputs[s]->cols != 1)
      return FALSE;
  return TRUE;
}

/* Records the DG the backward call just wrote, before the branch rule
 * adds anything to them, and the LG: the op's own backward once more,
 * for an upstream gradient of one, into numbers on the stack, as a
 * whole step gets them (the rule stays written once, in the op). */
static inline void
record_scalar_step (BpStepRecord    *record,
                    BpNode          *node,
                    BpTensor *const *in,
                    BpTensor *const *dg)
{
  const BpOp *op = node->op;
  double one = 1.0;
  double lg[BP_STEP_RECORD_MAX_INPUTS];
  BpTensor ones = { .ref_count = 1, .rows = 1, .cols = 1, .data = &one };
  BpTensor local[BP_STEP_RECORD_MAX_INPUTS];
  BpTensor *lgs[BP_OP_MAX_INPUTS] = { NULL, };
  guint has_downstream = 0;

  for (guint s = 0; s < op->arity; s++)
    {
      if (dg[s] == NULL)
        continue;
      has_downstream |= 1u << s;
      record->downstream[s] = dg[s]->data[0];
      local[s] = (BpTensor) { .ref_count = 1, .rows = 1, .cols = 1, .data = &lg[s] };
      lgs[s] = &local[s];
    }
  record->has_downstream = has_downstream;
  record->has_local = op->local_from_backward;

  if (op->local_from_backward && has_downstream != 0)
    {
      op->backward (&node->attrs, in, node->value, &ones, lgs);
      for (guint s = 0; s < op->arity; s++)
        if (lgs[s] != NULL)
          record->local[s] = lg[s];
    }
}

/* Sends the gradient down from `output` through its ancestors, last
 * first, recording their steps in `trace` when it is not NULL; returns
 * how many steps. `tracing` is a constant at each call (trace != NULL):
 * with FALSE everything about the trace compiles away. */
static inline G_ALWAYS_INLINE guint
backward_nodes (BpGraph       *self,
                BpNode        *output,
                guint64        pass,
                BpTrace       *trace,
                BpStep        *steps,
                BpStepRecord  *records,
                BpTensorArena *arena,
                gboolean       tracing)
{
  BpStep *step = NULL;
  BpStepRecord *record = NULL;
  guint n_steps = 0;

  for (guint k = output->order_pos + 1; k-- > 0;)
    {
      BpNode *node = self->order[k];
      const BpOp *op = node->op;
      BpTensor *in[BP_OP_MAX_INPUTS];
      BpTensor *dg[BP_OP_MAX_INPUTS];
      gboolean scalar = FALSE;

      /* Not an ancestor of the output. */
      if (node->grad_pass != pass)
        continue;

      if (tracing)
        {
          record = &records[n_steps];
          step = &steps[n_steps++];
          record->node = node;
          scalar = is_scalar_step (node);
          if (scalar)
            {
              record->form = BP_STEP_RECORD_SCALAR;
              record->n_inputs = op->arity;
              record->upstream = node->grad->data[0];
              record->has_downstream = 0;
            }
          else
            {
              record->form = BP_STEP_RECORD_WHOLE;
              *step = (BpStep) {
                .kind = BP_STEP_BACKWARD,
                .node = node,
                .upstream = bp_trace_snapshot (trace, arena, BP_STEP_BACKWARD, node->grad),
              };
            }
        }

      if (op->arity == 0)
        continue;

      for (guint s = 0; s < op->arity; s++)
        in[s] = node->inputs[s]->value;

      /* A step recorded as a scalar computes as without a trace, then
       * copies out its numbers. */
      if (!tracing || scalar)
        {
          /* A kernel writes straight into the input's gradient when it
           * is the first to arrive there (and not the same input as an
           * earlier slot: x × x); otherwise into scratch. */
          for (guint s = 0; s < op->arity; s++)
            {
              BpNode *input = node->inputs[s];
              gboolean first = input->grad_pass != pass;

              if (self->n_no_grad > 0 && input->skip_grad)
                {
                  dg[s] = NULL;
                  continue;
                }
              for (guint t = 0; t < s && first; t++)
                first = node->inputs[t] != input;
              if (first)
                dg[s] = writable (&input->grad, input->rows, input->cols);
              else
                dg[s] = scratch (self, s, input->rows, input->cols);
            }

          op->backward (&node->attrs, in, node->value, node->grad, dg);

          if (scalar)
            record_scalar_step (record, node, in, dg);

          for (guint s = 0; s < op->arity; s++)
            receive_grad (node->inputs[s], dg[s], pass);
        }
      else
        {
          gboolean skip[BP_OP_MAX_INPUTS];

          for (guint s = 0; s < op->arity; s++)
            {
              skip[s] = self->n_no_grad > 0 && node->inputs[s]->skip_grad;
              dg[s] = skip[s] ? NULL :
                bp_trace_new_tensor (trace, arena, BP_STEP_BACKWARD,
                                     node->inputs[s]->rows, node->inputs[s]->cols);
            }

          op->backward (&node->attrs, in, node->value, node->grad, dg);

          step->n_inputs = op->arity;

          if (op->local_from_backward)
            {
              /* One backward call with UG = ones gives every LG. */
              BpTensor *ones = ones_like (self, node->rows, node->cols);

              for (guint s = 0; s < op->arity; s++)
                step->local[s] = skip[s] ? NULL :
                  bp_trace_new_tensor (trace, arena, BP_STEP_BACKWARD,
                                       node->inputs[s]->rows, node->inputs[s]->cols);
              op->backward (&node->attrs, in, node->value, ones, step->local);
              /* An input copied by broadcasting has no LG of its own:
               * its DG sums UG ⊙ LG over the copies. */
              if (op->broadcasts)
                for (guint s = 0; s < op->arity; s++)
                  if (!bp_tensor_same_shape (in[s], node->value))
                    step->local[s] = NULL;
            }
          else if (op->local != NULL)
            {
              for (guint s = 0; s < op->arity; s++)
                {
                  if (skip[s])
                    continue;
                  step->local[s] = op->local (&node->attrs, in, node->value, s);
                  if (step->local[s] != NULL)
                    bp_trace_hold (trace, BP_STEP_BACKWARD, step->local[s]);
                }
            }

          for (guint s = 0; s < op->arity; s++)
            {
              BpNode *input = node->inputs[s];

              step->downstream[s] = dg[s];

              receive_grad (input, dg[s], pass);
            }
        }
    }

  return n_steps;
}

gboolean
bp_graph_backward (BpGraph  *self,
                   GError  **error)
{
  BpTrace *trace = NULL;
  BpStep *steps = NULL;
  BpStepRecord *records = NULL;
  guint n_steps = 0;
  BpTensorArena *arena = NULL;
  BpNode *output;
  guint64 pass;

  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);

  /* A new pass number resets every gradient at once: a gradient counts
   * only when it was set in this pass, so the first arrival sets it and
   * later ones add to it. A failed pass leaves no gradient at all. */
  pass = ++self->grad_pass;

  /* Broken parts elsewhere do not matter: only the output's ancestors
   * must be valid, and an invalid one makes the output invalid too. */
  bp_graph_validate (self, NULL);

  output = find_output (self, error);
  if (output == NULL)
    return FALSE;

  /* Values first: recompute them if stale, or reuse the forward steps
   * already recorded for these values. */
  if (self->values_stamp != self->stamp ||
      (self->record_trace && (self->trace == NULL || bp_trace_get_stamp (self->trace) != self->stamp)))
    forward_pass (self, NULL);
  else if (!self->record_trace)
    g_clear_pointer (&self->trace, bp_trace_unref);
  else if (bp_trace_get_ref_count (self->trace) == 1)
    bp_trace_truncate_backward (self->trace);
  else
    {
      BpTrace *copy = bp_trace_copy_forward (self->trace);

      bp_trace_unref (self->trace);
      self->trace = copy;
    }

  if (!output->valid)
    {
      set_blocked_error (output, TRUE, error);
      return FALSE;
    }

  trace = self->record_trace ? self->trace : NULL;

  /* Data inputs want no gradient, nor does a node all of whose inputs
   * are such: nothing is computed for them. */
  if (self->n_no_grad > 0)
    for (guint k = 0; k <= output->order_pos; k++)
      {
        BpNode *node = self->order[k];

        if (node->op->arity == 0)
          node->skip_grad = node->no_grad;
        else
          {
            node->skip_grad = TRUE;
            for (guint s = 0; s < node->op->arity; s++)
              if (!node->inputs[s]->skip_grad)
                node->skip_grad = FALSE;
          }
      }

  /* One step per ancestor of the output at most; the unused ones are
   * dropped at the end. */
  if (trace != NULL)
    {
      steps = bp_trace_add_steps (trace, BP_STEP_BACKWARD, output->order_pos + 1);
      records = bp_trace_get_records (trace);
      arena = bp_trace_get_arena (trace, BP_STEP_BACKWARD);
    }

  bp_tensor_fill (writable (&output->grad, output->rows, output->cols), 1.0);
  output->grad_pass = pass;

  if (trace != NULL)
    n_steps = backward_nodes (self, output, pass, trace, steps, records, arena, TRUE);
  else
    n_steps = backward_nodes (self, output, pass, NULL, NULL, NULL, NULL, FALSE);

  if (trace != NULL)
    bp_trace_shrink (trace, bp_trace_get_n_forward (trace) + n_steps);

  return TRUE;
}

BpTrace *
bp_graph_get_trace (BpGraph *self)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  return self->trace;
}

void
bp_graph_set_record_trace (BpGraph  *self,
                           gboolean  record)
{
  g_return_if_fail (BP_IS_GRAPH (self));

  self->record_trace = !!record;
}

BpTensor *
bp_graph_evaluate (BpGraph  *self,
                   GError  **error)
{
  BpNode *output;

  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  bp_graph_validate (self, NULL);
  output = find_output (self, error);
  if (output == NULL)
    return NULL;
  if (!output->valid)
    {
      set_blocked_error (output, FALSE, error);
      return NULL;
    }

  /* Leaves the recorded trace alone: it still describes its stamp. */
  run_forward (self, NULL, NULL);

  return bp_tensor_ref (output->value);
}
