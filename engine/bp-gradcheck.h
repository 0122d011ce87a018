/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

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
  guint     n_checked;     /* elements compared; the others are NaN in `numeric` */
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
  guint      n_elements;   /* elements of all leaves */
  guint      n_checked;    /* of which compared (fewer only when sampled) */
} BpGradCheck;

/* Called after each element with how many are done out of how many. */
typedef void (*BpGradCheckProgress) (guint    done,
                                     guint    total,
                                     gpointer user_data);

typedef enum
{
  BP_GRAD_CHECK_DEFAULT = 0,
  /* Above `max_elements`, compare a sample of `max_elements` elements
   * drawn at random (with `seed`) instead of failing. */
  BP_GRAD_CHECK_SAMPLE  = 1 << 0,
} BpGradCheckFlags;

/* The leaf elements a check would compare: its cost is two forward passes
 * for each. */
guint64      bp_grad_check_count_elements (BpGraph *graph);

/* Central differences with step `epsilon` (≤ 0: 1e-5 scaled to each
 * value) over every element of every leaf, against bp_graph_backward().
 * Relative error: |a−b| / max(|a|, |b|, 1e-8). The graph's values and
 * trace are left as after a backward pass. */
BpGradCheck *bp_grad_check_run   (BpGraph *graph, double epsilon, GError **error);
/* The same, bounded and interruptible. `max_elements` (0: no bound) caps
 * the elements compared: above it the check fails with BP_ERROR_TOO_LARGE
 * naming both numbers, or with BP_GRAD_CHECK_SAMPLE compares
 * `max_elements` elements chosen uniformly at random with `seed` (the same
 * seed, the same elements). `progress` (may be NULL) is called after each
 * element from the calling thread; `cancellable` (may be NULL) is checked
 * before each element, and a cancelled check fails with
 * G_IO_ERROR_CANCELLED. On failure or cancel the leaves keep their values.
 *
 * The check runs passes on `graph` and nudges its leaves: in a worker
 * thread, give it a bp_graph_copy() that nothing else touches. */
BpGradCheck *bp_grad_check_run_full (BpGraph              *graph,
                                     double                epsilon,
                                     guint                 max_elements,
                                     BpGradCheckFlags      flags,
                                     guint32               seed,
                                     BpGradCheckProgress   progress,
                                     gpointer              user_data,
                                     GCancellable         *cancellable,
                                     GError              **error);
void         bp_grad_check_free  (BpGradCheck *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpGradCheck, bp_grad_check_free)

G_END_DECLS
