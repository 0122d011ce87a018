/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-graph.h"

G_BEGIN_DECLS

#define BP_TYPE_TRACE (bp_trace_get_type ())

/* Which pass a picture shows (the player's position, as a pass and a
 * step within it). UPDATE comes after a whole backward pass when a
 * training iteration is shown: one step per param, W ← W − η·∂L/∂W
 * (BpUpdateStep, which the trace itself does not hold). */
typedef enum
{
  BP_PASS_NONE,
  BP_PASS_FORWARD,
  BP_PASS_BACKWARD,
  BP_PASS_UPDATE,
} BpPass;

typedef enum
{
  BP_STEP_FORWARD,
  BP_STEP_BACKWARD,
} BpStepKind;

/* One step of a pass, as the book narrates it.
 * Forward: `node` computed `value` from its inputs.
 * Backward: `node` received the upstream gradient `upstream` (UG); for
 * each input i its local gradient `local[i]` (LG, NULL when not one
 * matrix) and the downstream gradient `downstream[i]` (DG = UG × LG) sent
 * to input i. Leaves have a backward step with no inputs: the gradient
 * arrives. Tensors are immutable snapshots owned by the trace; to keep
 * one beyond the trace, bp_tensor_ref() it (small ones live in one block
 * of memory with the rest of the trace's, which that keeps allocated).
 * A step and its tensors stay valid and unchanged as long as the trace;
 * the backward step of a scalar node is made, from numbers the pass
 * recorded, the first time bp_trace_get_step() or
 * bp_trace_get_step_before() returns it (so reading a trace is not
 * thread-safe: one thread at a time). */
typedef struct
{
  BpStepKind kind;
  BpNode    *node;         /* borrowed; valid while the graph stamp matches */
  BpTensor  *value;
  BpTensor  *upstream;
  guint      n_inputs;
  BpTensor  *local[BP_OP_MAX_INPUTS];
  BpTensor  *downstream[BP_OP_MAX_INPUTS];
} BpStep;

GType          bp_trace_get_type        (void) G_GNUC_CONST;
BpTrace       *bp_trace_ref             (BpTrace *self);
void           bp_trace_unref           (BpTrace *self);
guint          bp_trace_get_n_steps     (const BpTrace *self);
/* Steps 0 … n_forward-1 are forward, the rest backward. */
guint          bp_trace_get_n_forward   (const BpTrace *self);
guint          bp_trace_get_n_backward  (const BpTrace *self);
const BpStep  *bp_trace_get_step        (const BpTrace *self, guint index);
/* Index of the forward (or backward) step of `node`, or -1. */
int            bp_trace_find_step       (const BpTrace *self, const BpNode *node,
                                         BpStepKind kind);
/* The player's position in a trace counts the steps already taken:
 * 0 shows nothing computed, n_forward a finished forward pass, n_steps a
 * finished backward pass. The one rule for what a position shows: the
 * step of `node` of this kind exists and was taken before `position`.
 * Leaves have no forward step; their given value is always known, so the
 * caller decides whether to show it. */
gboolean       bp_trace_is_revealed     (const BpTrace *self, guint position,
                                         const BpNode *node, BpStepKind kind);
/* The step taken at `position` (position − 1), or NULL at 0. */
const BpStep  *bp_trace_get_step_before (const BpTrace *self, guint position);

/* The numbers of a backward step. */
typedef enum
{
  BP_STEP_UPSTREAM,    /* UG: the node's gradient */
  BP_STEP_LOCAL,       /* LG of an input: computed from values */
  BP_STEP_DOWNSTREAM,  /* DG of an input: what that input receives */
} BpStepPart;

/* Whether a quiz hides a number of a backward step, given the sets of
 * nodes (BpNode* keys, either may be NULL) whose value and whose
 * gradient are blanks. The one rule for every place that writes a
 * step's numbers (the callout, the teaching panel): UG is the node's
 * gradient; LG of input `input` comes from the values of the node and
 * its inputs; DG is the input's gradient, and hides with UG too (DG = UG
 * × LG would give UG away). */
gboolean       bp_step_is_hidden        (const BpStep *step, BpStepPart part, guint input,
                                         GHashTable *hidden_values, GHashTable *hidden_grads);

/* The graph stamp the trace was recorded at. */
guint64        bp_trace_get_stamp       (const BpTrace *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpTrace, bp_trace_unref)

G_END_DECLS
