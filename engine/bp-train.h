/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include "bp-dataset.h"
#include "bp-graph.h"
#include "bp-optimizer.h"
#include "bp-train-settings.h"

G_BEGIN_DECLS

/* Training a graph, the book's 5.7 loop:
 *
 *   for i in 1 … iterations:
 *     bind a random mini-batch to the input and target leaves
 *     forward + backward (the graph's own passes and op rules; the
 *       input and target need no gradient, so none is computed)
 *     update every param leaf with the optimizer
 *     each epoch (train size / batch size iterations): train and test accuracy
 *
 * The graph's output is the loss (1×1); the prediction is the argmax of
 * the loss node's first input (the scores), or score > 0.5 when it has
 * one column. The trace is off while training runs; one iteration can be
 * run with the trace on (bp_trainer_step_traced), so that a player can
 * step through its forward and backward pass and its update.
 *
 * The batch of iteration k is drawn from the seed and k alone, and the
 * params start from the seed: the same settings give the same numbers.
 *
 * A trainer is used from one thread at a time (a worker thread may run
 * it); it changes the graph it was given, which nobody else may touch
 * meanwhile. */
typedef struct _BpTrainer BpTrainer;

typedef struct
{
  guint64 iteration;        /* iterations done, counting earlier runs */
  guint64 last_iteration;   /* where this run stops */
  double  loss;             /* this iteration's loss */
  gboolean epoch_end;       /* the accuracies below are new */
  guint   epoch;
  double  train_accuracy;   /* 0 … 1 */
  double  test_accuracy;
  double  seconds;          /* since this run started */
} BpTrainProgress;

typedef struct
{
  guint64 iteration;
  double  train_accuracy;
  double  test_accuracy;
} BpTrainEpoch;

/* One iteration replayed with the trace on. */
typedef struct
{
  guint64  iteration;
  double   loss;
  guint   *batch;           /* the examples' indices in the training part */
  guint    batch_size;
  /* A copy of the graph as it was in that iteration: the batch bound,
   * the params before the update, and the trace of its forward and
   * backward pass (bp_graph_get_trace). */
  BpGraph *graph;
  /* BpUpdateStep per param: W, ∂L/∂W and the new W (of the trainer's
   * graph; find the copy's node by id). */
  GArray  *updates;
} BpTrainIteration;

void              bp_train_iteration_free (BpTrainIteration *self);

typedef void    (*BpTrainFunc) (const BpTrainProgress *progress, gpointer user_data);

/* Checks that the settings fit the graph and the data (the error names
 * what does not), binds a first batch, and marks the input and target
 * as needing no gradient. When settings->trained_iterations is 0 the
 * params are initialised (shapes from the settings, numbers from the
 * seed); otherwise training continues from their values. */
BpTrainer        *bp_trainer_new          (BpGraph               *graph,
                                           const BpTrainSettings *settings,
                                           BpDataset             *data,
                                           GError               **error);
void              bp_trainer_free         (BpTrainer *self);
BpGraph          *bp_trainer_get_graph    (BpTrainer *self);
BpDataset        *bp_trainer_get_dataset  (BpTrainer *self);
/* trained_iterations follows the training. */
const BpTrainSettings *bp_trainer_get_settings (BpTrainer *self);
guint64           bp_trainer_get_iteration (BpTrainer *self);
guint             bp_trainer_get_iterations_per_epoch (BpTrainer *self);
/* Params (their nodes in the graph), in the graph's order. */
BpNode *const    *bp_trainer_get_params   (BpTrainer *self, guint *n_params);

/* New params from the seed, iteration 0, no history. */
void              bp_trainer_reset        (BpTrainer *self);
/* One iteration; its loss in *loss. */
gboolean          bp_trainer_step         (BpTrainer *self, double *loss, GError **error);
/* Iterations until `last_iteration` is done (stops early, returning
 * FALSE with G_IO_ERROR_CANCELLED, when `cancellable` is cancelled);
 * `func` after each iteration, with the accuracies after each epoch. */
gboolean          bp_trainer_run          (BpTrainer    *self,
                                           guint64       last_iteration,
                                           BpTrainFunc   func,
                                           gpointer      user_data,
                                           GCancellable *cancellable,
                                           GError      **error);
/* The next iteration, with its forward and backward pass traced on a
 * copy of the graph, then the same iteration (and its update) on the
 * trainer's graph with the trace off. */
BpTrainIteration *bp_trainer_step_traced  (BpTrainer *self, GError **error);

/* The examples of iteration k (1-based): batch_size indices. */
void              bp_trainer_get_batch    (BpTrainer *self, guint64 iteration, guint *indices);
/* Loss per iteration (double), accuracies per epoch (BpTrainEpoch). */
GArray           *bp_trainer_get_losses   (BpTrainer *self);
GArray           *bp_trainer_get_epochs   (BpTrainer *self);

/* The share of examples of `part` classified right (at most
 * `max_examples` of them, 0: all). */
gboolean          bp_trainer_evaluate     (BpTrainer     *self,
                                           BpDatasetPart  part,
                                           guint          max_examples,
                                           double        *accuracy,
                                           GError       **error);
/* The predicted class of each row of `x` (N × features) into `classes`,
 * and, when `p1` is not NULL, how sure the net is of class 1 (the
 * softmax of the scores, for a decision-boundary picture). */
gboolean          bp_trainer_predict      (BpTrainer      *self,
                                           const BpTensor *x,
                                           guint          *classes,
                                           double         *p1,
                                           GError        **error);

/* Ends training: binds the first test example (a one-example batch the
 * diagram can show), gives the input and target their gradients back,
 * and leaves the params trained. */
void              bp_trainer_finish       (BpTrainer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpTrainer, bp_trainer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpTrainIteration, bp_train_iteration_free)

G_END_DECLS
