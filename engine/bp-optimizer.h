/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include "bp-graph.h"

G_BEGIN_DECLS

/* How the `param` leaves learn from their gradients, as the book writes
 * its optimizers (chapter 6.1), and how they start.
 *
 *   SGD       W ← W − η·∂L/∂W                              (the book's 5.7)
 *   Momentum  v ← α·v − η·∂L/∂W;  W ← W + v                (α = 0.9)
 *   Adam      m ← m + (1 − β₁)(∂L/∂W − m);
 *             v ← v + (1 − β₂)((∂L/∂W)² − v);
 *             W ← W − η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + 1e-7)  (β₁ = 0.9, β₂ = 0.999)
 */
typedef enum
{
  BP_OPTIMIZER_SGD,
  BP_OPTIMIZER_MOMENTUM,
  BP_OPTIMIZER_ADAM,
} BpOptimizerKind;

/* How params start: the book's 0.01 × a standard normal number
 * (weight_init_std), He (√(2/n) × normal, for ReLU) or Xavier (√(1/n) ×
 * normal, for sigmoid and tanh), n being the rows of the weight matrix
 * (its inputs). Biases (one row) start at zero with every method. */
typedef enum
{
  BP_INIT_GAUSSIAN,
  BP_INIT_HE,
  BP_INIT_XAVIER,
} BpInitKind;

#define BP_OPTIMIZER_MOMENTUM_DEFAULT 0.9
#define BP_OPTIMIZER_BETA1_DEFAULT    0.9
#define BP_OPTIMIZER_BETA2_DEFAULT    0.999

/* "sgd", "momentum", "adam" ↔ the kind; FALSE for an unknown name. */
const char *bp_optimizer_kind_to_string (BpOptimizerKind kind);
gboolean    bp_optimizer_kind_from_string (const char *name, BpOptimizerKind *kind);
/* "gaussian", "he", "xavier". */
const char *bp_init_kind_to_string      (BpInitKind kind);
gboolean    bp_init_kind_from_string    (const char *name, BpInitKind *kind);

/* One parameter's update, as data: the numbers of W ← W − η·∂L/∂W (or
 * the optimizer's rule), so that a view can show it as one more step
 * after the backward pass. */
typedef struct
{
  BpNode     *param;        /* borrowed from the graph */
  BpTensor   *before;       /* W */
  BpTensor   *grad;         /* ∂L/∂W */
  BpTensor   *after;        /* the new W */
  double      learning_rate;
  const char *formula;      /* "W ← W − η·∂L/∂W" (static) */
  BpOptimizerKind kind;     /* the rule that made `after` */
} BpUpdateStep;

void bp_update_step_clear (BpUpdateStep *step);
/* A copy holding its own references, for `param` (may be another
 * graph's node with the same id). */
void bp_update_step_copy  (const BpUpdateStep *step, BpNode *param, BpUpdateStep *copy);
/* The element an update is best shown by: the one with the largest
 * |∂L/∂W| (the first of equals; a pixel always blank in the data has
 * no gradient and would show nothing happening), as an index into the
 * tensors' data. */
gsize bp_update_step_pick (const BpUpdateStep *step);
/* The update's numbers at that element, one line, translated:
 * "W1[2,0] = 0.5 − 0.1 × 0.2 = 0.48" (SGD), or
 * "W1[2,0]: 0.5 → 0.47 (∂L/∂W = 0.2, η = 0.1)" (Momentum, Adam, whose
 * formula has more than these numbers). `name` is the param's label. */
char *bp_update_step_describe (const BpUpdateStep *step, const char *name);

typedef struct _BpOptimizer BpOptimizer;

BpOptimizer *bp_optimizer_new      (BpOptimizerKind kind, double learning_rate);
void         bp_optimizer_free     (BpOptimizer *self);
BpOptimizerKind bp_optimizer_get_kind (const BpOptimizer *self);
double       bp_optimizer_get_learning_rate (const BpOptimizer *self);
/* α of Momentum, β₁ and β₂ of Adam. */
void         bp_optimizer_set_momentum (BpOptimizer *self, double momentum);
void         bp_optimizer_set_betas    (BpOptimizer *self, double beta1, double beta2);
/* Forgets the velocities and moments (a new run). */
void         bp_optimizer_reset    (BpOptimizer *self);

/* Applies one update to each of `params` (param leaves that have a
 * gradient from the last backward pass; those without are left alone).
 * With `steps` non-NULL (an array of BpUpdateStep), appends each
 * update's numbers. The params' values change in place when nothing
 * else holds them, so a run of thousands of iterations allocates
 * nothing. */
void         bp_optimizer_update   (BpOptimizer  *self,
                                    BpNode *const *params,
                                    guint         n_params,
                                    GArray       *steps);

/* Sets every param of `graph` listed in `params` to fresh values drawn
 * with `seed`, keeping its shape: the same seed gives the same numbers.
 * `scale` is the book's weight_init_std for BP_INIT_GAUSSIAN (0.01). */
void         bp_optimizer_init_params (BpNode *const *params,
                                       guint         n_params,
                                       BpInitKind    init,
                                       double        scale,
                                       guint64       seed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpOptimizer, bp_optimizer_free)

G_END_DECLS
