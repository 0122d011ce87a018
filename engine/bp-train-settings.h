/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-json-reader.h"
#include "bp-document.h"
#include "bp-graph.h"
#include "bp-optimizer.h"

G_BEGIN_DECLS

/* How a document's graph is trained; kept in the document as its
 * "training" member:
 *
 *   "training": {
 *     "data": "fashion-mnist",        a data set name or a folder (bp-dataset.h)
 *     "input": "x",                   the input leaf the examples go to (N × features)
 *     "target": "t",                  the leaf the labels go to (N × classes one-hot, or N × 1)
 *     "iterations": 10000,
 *     "batch_size": 100,
 *     "learning_rate": 0.1,
 *     "optimizer": "sgd",             sgd, momentum, adam
 *     "init": "gaussian",             gaussian (× init_scale), he, xavier
 *     "init_scale": 0.01,
 *     "seed": 1,
 *     "shapes": {"W1": [784, 50], …}, the params' shapes when initialised
 *     "trained_iterations": 0         how many iterations the params'
 *                                     values have had (0: not trained)
 *   }
 *
 * Every member is optional (defaults: the book's 5.7 settings above,
 * input "x", target "t", no shapes). The params are the graph's `param`
 * leaves; a param not named in "shapes" keeps its shape. */
struct _BpTrainSettings
{
  char           *data;
  char           *input;
  char           *target;
  guint           iterations;
  guint           batch_size;
  double          learning_rate;
  BpOptimizerKind optimizer;
  BpInitKind      init;
  double          init_scale;
  guint64         seed;
  GHashTable     *shapes;       /* param id → guint[2] (rows, cols) */
  guint64         trained_iterations;
};

#define BP_TRAIN_MAX_ITERATIONS 100000000u
#define BP_TRAIN_MAX_BATCH      100000u

BpTrainSettings *bp_train_settings_new    (void);
BpTrainSettings *bp_train_settings_copy   (const BpTrainSettings *self);
void             bp_train_settings_free   (BpTrainSettings *self);
void             bp_train_settings_set_shape (BpTrainSettings *self, const char *param_id,
                                              guint rows, guint cols);
/* FALSE when no shape is recorded for it. */
gboolean         bp_train_settings_get_shape (const BpTrainSettings *self, const char *param_id,
                                              guint *rows, guint *cols);

/* The "training" member. The reader refuses wrong types, unknown
 * members and values out of range with a message naming the member. */
BpTrainSettings *bp_train_settings_from_json  (BpJsonNode *node, GError **error);
/* Canonical JSON (members in the order above, two-space indent at
 * `indent` levels), no trailing newline. */
void             bp_train_settings_append_json (const BpTrainSettings *self,
                                                GString               *out,
                                                guint                  indent);
/* The ids it names exist in `graph`: input and target are leaves that
 * are not params, every shape names a param. */
gboolean         bp_train_settings_check      (const BpTrainSettings *self,
                                               BpGraph               *graph,
                                               GError               **error);

/* Gives every param of `graph` its initial value: the shape from
 * "shapes" (else its own), the numbers drawn from the seed with the
 * settings' init. The trainer starts from exactly these. */
void             bp_train_settings_init_params (const BpTrainSettings *self,
                                                BpGraph               *graph);
/* For a document not trained yet (trained_iterations 0) whose params do
 * not have the shapes "shapes" gives them: initialises them, so that the
 * graph can run as soon as it is loaded. TRUE when it did. */
gboolean         bp_train_settings_prepare     (const BpTrainSettings *self,
                                                BpGraph               *graph);
/* The ids (a set) of the params a document need not store: not trained
 * yet, every param exactly its initial value, and its shape in "shapes"
 * (bp_train_settings_prepare draws it again on loading). NULL when every
 * value must be stored. */
GHashTable      *bp_train_settings_get_implied_params (const BpTrainSettings *self,
                                                       BpGraph               *graph);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpTrainSettings, bp_train_settings_free)

G_END_DECLS
