/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-trace.h"

G_BEGIN_DECLS

/* The graph records a trace; everyone else only reads it. */
BpTrace *bp_trace_new                (guint64 stamp, guint reserve);
/* Appends a zeroed step; forward steps must all come before backward ones. */
BpStep  *bp_trace_add_step           (BpTrace *self, BpStepKind kind, BpNode *node);
/* Empties a trace nobody else holds, keeping its memory for the next
 * recording (a million steps are worth not allocating again). */
void     bp_trace_reset              (BpTrace *self, guint64 stamp);
/* Drops the backward steps (the graph is about to record new ones). */
void     bp_trace_truncate_backward  (BpTrace *self);
/* A new trace with the same forward steps (sharing the tensors). */
BpTrace *bp_trace_copy_forward       (const BpTrace *self);
int      bp_trace_get_ref_count      (const BpTrace *self);

G_END_DECLS
