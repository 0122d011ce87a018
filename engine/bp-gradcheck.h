/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-graph.h"

G_BEGIN_DECLS

/* Backprop against numerical differentiation for one leaf. */
typedef struct
{
  BpNode   *node;          /* borrowed */
  BpTensor *backprop;      /* d(output)/d(leaf) from one backward pass */
  BpTensor *numeric;       /* central differences, element by element */
  double    max_abs_error;
  double    max_rel_error;
  guint     forward_evals; /* 2 per element */
} BpGradCheckLeaf;

typedef struct
{
  GPtrArray *leaves;       /* BpGradCheckLeaf*, in graph order */
  double     max_abs_error;
  double     max_rel_error;
  guint      numeric_forward_evals;  /* 2 × number of leaf elements */
  guint      backprop_forward_evals; /* 1 */
  guint      backprop_backward_evals;/* 1 */
  double     numeric_seconds;
  double     backprop_seconds;
  double     epsilon;
} BpGradCheck;

/* Central differences with step `epsilon` (≤ 0: 1e-5 scaled to each
 * value) over every element of every leaf, against bp_graph_backward().
 * Relative error: |a−b| / max(|a|, |b|, 1e-8). The graph's values and
 * trace are left as after a backward pass. */
BpGradCheck *bp_grad_check_run   (BpGraph *graph, double epsilon, GError **error);
void         bp_grad_check_free  (BpGradCheck *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpGradCheck, bp_grad_check_free)

G_END_DECLS
