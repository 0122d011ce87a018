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
  /* Set only when BpGradCheck.has_book_rule: the exact derivative of
   * what the forward pass computes (the 1e-7 inside the log included),
   * and how far the numerical gradient is from it. */
  BpTensor *exact;
  double    max_abs_error_exact;
  double    max_rel_error_exact;
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
  /* The graph has a Softmax-with-Loss layer that sends the book's
   * (y − t)/N. The loss keeps the book's 1e-7 inside log(y + 1e-7), which
   * (y − t)/N leaves out, so backprop and the numerical gradient differ a
   * little (a lot for a confidently wrong prediction). The check then also
   * runs the expanded graph (softmax → cross_entropy, exact derivatives)
   * and compares the numerical gradient with that. */
  gboolean   has_book_rule;
  double     book_rule_difference;   /* max |backprop − exact| */
  double     max_abs_error_exact;
  double     max_rel_error_exact;
  guint      n_elements;   /* elements of all leaves */
  guint      n_checked;    /* of which compared (fewer only when sampled) */
} BpGradCheck;

/* Tolerances under which the check calls two gradients equal. */
#define BP_GRAD_CHECK_REL_TOLERANCE 1e-5
#define BP_GRAD_CHECK_ABS_TOLERANCE 1e-7

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
/* Backprop and the numerical gradient agree within the tolerances above,
 * or (has_book_rule) their only difference is the 1e-7 of the book's
 * Softmax-with-Loss: the numerical gradient agrees with the exact one. */
gboolean     bp_grad_check_agrees            (const BpGradCheck *self);
/* The difference is the one the 1e-7 makes (see has_book_rule). */
gboolean     bp_grad_check_explained_by_delta (const BpGradCheck *self);
/* A few translated lines for people: the cost counted in passes (2
 * forward passes per leaf element against 1 forward + 1 backward pass),
 * the measured times only when they are long enough to mean something
 * (at least BP_GRAD_CHECK_MIN_SECONDS), the largest error, and, when
 * has_book_rule, what the 1e-7 changes. */
#define BP_GRAD_CHECK_MIN_SECONDS 0.01
char        *bp_grad_check_describe          (const BpGradCheck *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpGradCheck, bp_grad_check_free)

G_END_DECLS
