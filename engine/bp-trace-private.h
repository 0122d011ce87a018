/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-trace.h"
#include "bp-tensor-private.h"

G_BEGIN_DECLS

/* What the pass writes for each backward step. A step of a 1×1 node
 * whose inputs (at most BP_STEP_RECORD_MAX_INPUTS) are 1×1 too keeps its
 * numbers here, a few bytes instead of a BpStep and five tensors: a
 * scalar graph's backward pass is bound by the memory it writes.
 * bp_trace_get_step() makes the BpStep of such a step, 1×1 tensors in
 * the trace's arena, the first time somebody asks for it; the numbers
 * are the same, computed by the same kernels. Any other step is written
 * whole into its BpStep by the pass (`form` BP_STEP_RECORD_WHOLE). */
#define BP_STEP_RECORD_MAX_INPUTS 2

typedef enum
{
  BP_STEP_RECORD_WHOLE,   /* the BpStep holds the step */
  BP_STEP_RECORD_SCALAR,  /* the numbers below; the BpStep is not made yet */
} BpStepRecordForm;

typedef struct
{
  BpNode *node;
  guint8  form;            /* BpStepRecordForm */
  guint8  n_inputs;
  guint8  has_downstream;  /* bit s: input s received a DG (else NULL) */
  guint8  has_local;       /* the inputs with a DG have an LG too */
  double  upstream;
  /* Only the entries of inputs with a DG are written. */
  double  downstream[BP_STEP_RECORD_MAX_INPUTS];
  double  local[BP_STEP_RECORD_MAX_INPUTS];
} BpStepRecord;

/* The graph records a trace; everyone else only reads it. */
BpTrace *bp_trace_new                (guint64 stamp, guint reserve);
/* Appends `n` steps of `kind` and returns the first (forward steps must
 * all come before backward ones); the pointer is
 * valid until steps are added or removed. The steps are uninitialised:
 * the caller writes each whole (or drops it with bp_trace_shrink); for
 * backward steps, the caller writes each one's record
 * (bp_trace_get_records) and, for a step recorded whole, its BpStep. */
BpStep  *bp_trace_add_steps          (BpTrace *self, BpStepKind kind, guint n);
/* The records of the backward steps, the first backward step's first;
 * valid until steps are added or removed. */
BpStepRecord *bp_trace_get_records   (BpTrace *self);
/* Drops steps from the end, leaving `n_steps` (not fewer than the forward
 * ones unless all backward steps are gone already). */
void     bp_trace_shrink             (BpTrace *self, guint n_steps);
/* Empties a trace nobody else holds, keeping its memory for the next
 * recording (a million steps are worth not allocating again). */
void     bp_trace_reset              (BpTrace *self, guint64 stamp);
/* Drops the backward steps (the graph is about to record new ones). */
void     bp_trace_truncate_backward  (BpTrace *self);
/* A new trace with the same forward steps (sharing the tensors). */
BpTrace *bp_trace_copy_forward       (const BpTrace *self);
int      bp_trace_get_ref_count      (const BpTrace *self);

/* Where the steps of `kind` keep their small tensors: the trace's arena,
 * valid until the next reset (or truncation, for backward). */
BpTensorArena *bp_trace_get_arena    (BpTrace *self, BpStepKind kind);
/* The trace takes over a reference to `tensor` (one too large for the
 * arena, or made elsewhere) and drops it with the steps of `kind`. */
void     bp_trace_hold               (BpTrace *self, BpStepKind kind, BpTensor *tensor);

/* A snapshot of `t` for a step of `kind`: small tensors are copied into
 * the arena, large ones shared (the graph never writes a tensor that is
 * held elsewhere). */
static inline BpTensor *
bp_trace_snapshot (BpTrace       *self,
                   BpTensorArena *arena,
                   BpStepKind     kind,
                   BpTensor      *t)
{
  if (G_LIKELY (bp_tensor_fits_arena (t->rows, t->cols)))
    return bp_tensor_arena_copy (arena, t);
  bp_trace_hold (self, kind, bp_tensor_ref (t));
  return t;
}

/* A new uninitialised tensor owned by the trace, for a step of `kind`. */
static inline BpTensor *
bp_trace_new_tensor (BpTrace       *self,
                     BpTensorArena *arena,
                     BpStepKind     kind,
                     guint          rows,
                     guint          cols)
{
  BpTensor *t;

  if (G_LIKELY (bp_tensor_fits_arena (rows, cols)))
    return bp_tensor_arena_alloc (arena, rows, cols);
  t = bp_tensor_new_uninit (rows, cols);
  bp_trace_hold (self, kind, t);
  return t;
}

G_END_DECLS
