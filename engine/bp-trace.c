/* SPDX-License-Identifier: MIT */
#include "bp-trace-private.h"

struct _BpTrace
{
  int            ref_count;
  /* BpStep, one per step. The BpStep of a backward step recorded as a
   * scalar (see BpStepRecord) stays unwritten until it is asked for. */
  GArray        *steps;
  /* BpStepRecord, one per backward step */
  GArray        *records;
  guint          n_forward;
  guint64        stamp;
  /* node → step index, built on the first lookup */
  GHashTable    *forward_index;
  GHashTable    *backward_index;
  /* The steps' tensors, by step kind: small ones in an arena, references
   * to the others in `held`. The steps only borrow them, so emptying a
   * trace touches no step. */
  BpTensorArena *arena[2];
  GPtrArray     *held[2];
};

G_DEFINE_BOXED_TYPE (BpTrace, bp_trace, bp_trace_ref, bp_trace_unref)

static void
drop_index (BpTrace *self)
{
  g_clear_pointer (&self->forward_index, g_hash_table_unref);
  g_clear_pointer (&self->backward_index, g_hash_table_unref);
}

/* Forgets the tensors of `kind`; their memory is kept for the next
 * recording unless somebody still holds one of them. */
static void
release (BpTrace    *self,
         BpStepKind  kind)
{
  gboolean fresh = bp_tensor_arena_is_shared (self->arena[kind]);

  /* Under AddressSanitizer the blocks go back to malloc, whose quarantine
   * then reports any read through a step pointer kept too long. */
#ifdef BP_TENSOR_ARENA_ASAN
  fresh = TRUE;
#endif

  if (self->held[kind]->len > 0)
    g_ptr_array_set_size (self->held[kind], 0);

  if (fresh)
    {
      bp_tensor_arena_unref (self->arena[kind]);
      self->arena[kind] = bp_tensor_arena_new ();
    }
  else
    bp_tensor_arena_rewind (self->arena[kind]);
}

BpTrace *
bp_trace_new (guint64 stamp,
              guint   reserve)
{
  BpTrace *self = g_new0 (BpTrace, 1);

  self->ref_count = 1;
  self->stamp = stamp;
  /* Not cleared: the graph writes every step whole, in one go. */
  self->steps = g_array_sized_new (FALSE, FALSE, sizeof (BpStep), reserve);
  self->records = g_array_new (FALSE, FALSE, sizeof (BpStepRecord));
  for (guint k = 0; k < 2; k++)
    {
      self->arena[k] = bp_tensor_arena_new ();
      self->held[k] = g_ptr_array_new_with_free_func ((GDestroyNotify) bp_tensor_unref);
    }

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
  g_array_unref (self->records);
  for (guint k = 0; k < 2; k++)
    {
      g_ptr_array_unref (self->held[k]);
      bp_tensor_arena_unref (self->arena[k]);
    }
  g_free (self);
}

int
bp_trace_get_ref_count (const BpTrace *self)
{
  return self->ref_count;
}

BpTensorArena *
bp_trace_get_arena (BpTrace    *self,
                    BpStepKind  kind)
{
  return self->arena[kind];
}

void
bp_trace_hold (BpTrace    *self,
               BpStepKind  kind,
               BpTensor   *tensor)
{
  g_ptr_array_add (self->held[kind], tensor);
}

BpStep *
bp_trace_add_steps (BpTrace    *self,
                    BpStepKind  kind,
                    guint       n)
{
  guint first = self->steps->len;
  BpStep *steps;

  g_return_val_if_fail (kind == BP_STEP_BACKWARD || self->n_forward == self->steps->len, NULL);

  drop_index (self);
  /* Neither array is written here: a step recorded as a scalar never
   * touches its BpStep's memory during the pass. */
  g_array_set_size (self->steps, first + n);
  steps = &g_array_index (self->steps, BpStep, first);
  if (kind == BP_STEP_FORWARD)
    self->n_forward += n;
  else
    g_array_set_size (self->records, self->steps->len - self->n_forward);

  return steps;
}

BpStepRecord *
bp_trace_get_records (BpTrace *self)
{
  return (BpStepRecord *) (gpointer) self->records->data;
}

void
bp_trace_shrink (BpTrace *self,
                 guint    n_steps)
{
  g_return_if_fail (n_steps <= self->steps->len);

  drop_index (self);
  g_array_set_size (self->steps, n_steps);
  self->n_forward = MIN (self->n_forward, n_steps);
  g_array_set_size (self->records, n_steps - self->n_forward);
}

void
bp_trace_reset (BpTrace *self,
                guint64  stamp)
{
  g_return_if_fail (self->ref_count == 1);

  drop_index (self);
  g_array_set_size (self->steps, 0);
  g_array_set_size (self->records, 0);
  self->n_forward = 0;
  self->stamp = stamp;
  release (self, BP_STEP_BACKWARD);
  release (self, BP_STEP_FORWARD);
}

void
bp_trace_truncate_backward (BpTrace *self)
{
  drop_index (self);
  g_array_set_size (self->steps, self->n_forward);
  g_array_set_size (self->records, 0);
  release (self, BP_STEP_BACKWARD);
}

BpTrace *
bp_trace_copy_forward (const BpTrace *self)
{
  BpTrace *copy = bp_trace_new (self->stamp, self->steps->len);
  BpStep *dst = bp_trace_add_steps (copy, BP_STEP_FORWARD, self->n_forward);
  BpTensorArena *last_arena = NULL;

  /* The copy borrows the same tensors: it holds their arenas (once each)
   * and references to the others. */
  for (guint i = 0; i < self->n_forward; i++)
    {
      const BpStep *step = &g_array_index (self->steps, BpStep, i);
      BpTensor *value = step->value;

      dst[i] = (BpStep) { .kind = BP_STEP_FORWARD, .node = step->node, .value = value };
      if (value == NULL)
        continue;
      if (bp_tensor_get_ref_count (value) == BP_TENSOR_ARENA_REF_COUNT)
        {
          BpTensorArena *arena = bp_tensor_get_arena (value);

          if (arena == last_arena)
            continue;
          last_arena = arena;
        }
      bp_trace_hold (copy, BP_STEP_FORWARD, bp_tensor_ref (value));
    }

  return copy;
}

static BpTensor *
arena_scalar (BpTensorArena *arena,
              double         value)
{
  BpTensor *t = bp_tensor_arena_alloc (arena, 1, 1);

  t->data[0] = value;
  return t;
}

/* Writes the BpStep of a step recorded as a scalar, in 1×1 tensors of
 * the backward steps' arena: they stay valid, and the step unchanged,
 * as long as the other tensors of the step's kind. */
static void
make_scalar_step (BpTrace      *self,
                  BpStep       *step,
                  BpStepRecord *record)
{
  BpTensorArena *arena = self->arena[BP_STEP_BACKWARD];

  *step = (BpStep) {
    .kind = BP_STEP_BACKWARD,
    .node = record->node,
    .upstream = arena_scalar (arena, record->upstream),
    .n_inputs = record->n_inputs,
  };
  for (guint s = 0; s < record->n_inputs; s++)
    {
      if (!(record->has_downstream & (1u << s)))
        continue;
      step->downstream[s] = arena_scalar (arena, record->downstream[s]);
      if (record->has_local)
        step->local[s] = arena_scalar (arena, record->local[s]);
    }
  record->form = BP_STEP_RECORD_WHOLE;
}

/* Step `index`, made first if it was recorded as a scalar. The trace is
 * the same for every reader either way, so this counts as reading. */
static inline const BpStep *
step_at (const BpTrace *self,
         guint          index)
{
  BpStep *step = &g_array_index (self->steps, BpStep, index);

  if (index >= self->n_forward)
    {
      BpStepRecord *record = &g_array_index (self->records, BpStepRecord,
                                             index - self->n_forward);

      if (G_UNLIKELY (record->form == BP_STEP_RECORD_SCALAR))
        make_scalar_step ((BpTrace *) self, step, record);
    }
  return step;
}

/* The node of step `index`, without making its BpStep. */
static inline BpNode *
step_node (const BpTrace *self,
           guint          index)
{
  if (index < self->n_forward)
    return g_array_index (self->steps, BpStep, index).node;
  return g_array_index (self->records, BpStepRecord, index - self->n_forward).node;
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

  return step_at (self, index);
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
          BpNode *step_of = step_node (self, i);
          GHashTable *table = i < self->n_forward ? self->forward_index
                                                  : self->backward_index;

          if (!g_hash_table_contains (table, step_of))
            g_hash_table_insert (table, step_of, GUINT_TO_POINTER (i + 1));
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

gboolean
bp_trace_is_revealed (const BpTrace *self,
                      guint          position,
                      const BpNode  *node,
                      BpStepKind     kind)
{
  int index;

  if (self == NULL || node == NULL)
    return FALSE;
  index = bp_trace_find_step (self, node, kind);
  return index >= 0 && (guint) index < position;
}

const BpStep *
bp_trace_get_step_before (const BpTrace *self,
                          guint          position)
{
  if (self == NULL || position == 0 || position > self->steps->len)
    return NULL;
  return step_at (self, position - 1);
}

static gboolean
in_set (GHashTable   *set,
        const BpNode *node)
{
  return set != NULL && node != NULL && g_hash_table_contains (set, node);
}

gboolean
bp_step_is_hidden (const BpStep *step,
                   BpStepPart    part,
                   guint         input,
                   GHashTable   *hidden_values,
                   GHashTable   *hidden_grads)
{
  g_return_val_if_fail (step != NULL, FALSE);

  switch (part)
    {
    case BP_STEP_UPSTREAM:
      return in_set (hidden_grads, step->node);
    case BP_STEP_LOCAL:
      if (in_set (hidden_values, step->node))
        return TRUE;
      for (guint j = 0; j < bp_node_get_n_inputs (step->node); j++)
        if (in_set (hidden_values, bp_node_get_input (step->node, j)))
          return TRUE;
      return FALSE;
    case BP_STEP_DOWNSTREAM:
      return in_set (hidden_grads, step->node) ||
             (input < bp_node_get_n_inputs (step->node) &&
              in_set (hidden_grads, bp_node_get_input (step->node, input)));
    default:
      return FALSE;
    }
}
