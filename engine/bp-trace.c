/* SPDX-License-Identifier: MIT */
#include "bp-trace-private.h"

struct _BpTrace
{
  int         ref_count;
  GArray     *steps;       /* BpStep */
  guint       n_forward;
  guint64     stamp;
  /* node → step index, built on the first lookup */
  GHashTable *forward_index;
  GHashTable *backward_index;
};

G_DEFINE_BOXED_TYPE (BpTrace, bp_trace, bp_trace_ref, bp_trace_unref)

static void
step_clear (gpointer data)
{
  BpStep *step = data;

  g_clear_pointer (&step->value, bp_tensor_unref);
  g_clear_pointer (&step->upstream, bp_tensor_unref);
  for (guint i = 0; i < BP_OP_MAX_INPUTS; i++)
    {
      g_clear_pointer (&step->local[i], bp_tensor_unref);
      g_clear_pointer (&step->downstream[i], bp_tensor_unref);
    }
}

static void
drop_index (BpTrace *self)
{
  g_clear_pointer (&self->forward_index, g_hash_table_unref);
  g_clear_pointer (&self->backward_index, g_hash_table_unref);
}

BpTrace *
bp_trace_new (guint64 stamp,
              guint   reserve)
{
  BpTrace *self = g_new0 (BpTrace, 1);

  self->ref_count = 1;
  self->stamp = stamp;
  self->steps = g_array_sized_new (FALSE, TRUE, sizeof (BpStep), reserve);
  g_array_set_clear_func (self->steps, step_clear);

  return self;
}

BpTrace *
bp_trace_ref (BpTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  self->ref_count++;
  return self;
}

void
bp_trace_unref (BpTrace *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->ref_count > 0);

  if (--self->ref_count > 0)
    return;

  drop_index (self);
  g_array_unref (self->steps);
  g_free (self);
}

int
bp_trace_get_ref_count (const BpTrace *self)
{
  return self->ref_count;
}

BpStep *
bp_trace_add_step (BpTrace    *self,
                   BpStepKind  kind,
                   BpNode     *node)
{
  BpStep *step;

  g_return_val_if_fail (kind == BP_STEP_BACKWARD || self->n_forward == self->steps->len, NULL);

  drop_index (self);
  g_array_set_size (self->steps, self->steps->len + 1);
  step = &g_array_index (self->steps, BpStep, self->steps->len - 1);
  step->kind = kind;
  step->node = node;
  if (kind == BP_STEP_FORWARD)
    self->n_forward++;

  return step;
}

void
bp_trace_reset (BpTrace *self,
                guint64  stamp)
{
  g_return_if_fail (self->ref_count == 1);

  drop_index (self);
  g_array_set_size (self->steps, 0);
  self->n_forward = 0;
  self->stamp = stamp;
}

void
bp_trace_truncate_backward (BpTrace *self)
{
  drop_index (self);
  g_array_set_size (self->steps, self->n_forward);
}

BpTrace *
bp_trace_copy_forward (const BpTrace *self)
{
  BpTrace *copy = bp_trace_new (self->stamp, self->steps->len);

  for (guint i = 0; i < self->n_forward; i++)
    {
      const BpStep *step = &g_array_index (self->steps, BpStep, i);
      BpStep *dst = bp_trace_add_step (copy, BP_STEP_FORWARD, step->node);

      dst->value = step->value ? bp_tensor_ref (step->value) : NULL;
    }

  return copy;
}

guint
bp_trace_get_n_steps (const BpTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->steps->len;
}

guint
bp_trace_get_n_forward (const BpTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_forward;
}

guint
bp_trace_get_n_backward (const BpTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->steps->len - self->n_forward;
}

const BpStep *
bp_trace_get_step (const BpTrace *self,
                   guint          index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);

  return &g_array_index (self->steps, BpStep, index);
}

int
bp_trace_find_step (const BpTrace *self,
                    const BpNode  *node,
                    BpStepKind     kind)
{
  BpTrace *mutable_self = (BpTrace *) self;
  GHashTable *index;
  gpointer value;

  g_return_val_if_fail (self != NULL, -1);

  /* Lookups come in bursts (the UI asks for every node); an index makes
   * each O(1). Stored as index + 1 so that 0 means absent. */
  if (self->forward_index == NULL)
    {
      mutable_self->forward_index = g_hash_table_new (NULL, NULL);
      mutable_self->backward_index = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < self->steps->len; i++)
        {
          const BpStep *step = &g_array_index (self->steps, BpStep, i);
          GHashTable *table = step->kind == BP_STEP_FORWARD ? self->forward_index
                                                            : self->backward_index;

          if (!g_hash_table_contains (table, step->node))
            g_hash_table_insert (table, step->node, GUINT_TO_POINTER (i + 1));
        }
    }

  index = kind == BP_STEP_FORWARD ? self->forward_index : self->backward_index;
  value = g_hash_table_lookup (index, node);

  return value != NULL ? (int) GPOINTER_TO_UINT (value) - 1 : -1;
}

guint64
bp_trace_get_stamp (const BpTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->stamp;
}
