/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-trace.h"
#include "bp-tensor-private.h"

G_BEGIN_DECLS

/* The graph records a trace; everyone else only reads it. */
BpTrace *bp_trace_new                (guint64 stamp, guint reserve);
/* Appends `n` steps of `kind` and returns the first (forward steps must
 * all come before backward ones); the pointer is
 * valid until steps are added or removed. The steps are uninitialised:
 * the caller writes each whole (or drops it with bp_trace_shrink). */
BpStep  *bp_trace_add_steps          (BpTrace *self, BpStepKind kind, guint n);
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
