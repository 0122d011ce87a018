/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include "bp-error.h"
#include "bp-tensor.h"

G_BEGIN_DECLS

/* A labelled data set for training: a training part and a test part,
 * each a list of examples with `n_features` numbers and a class label
 * 0 … n_classes − 1.
 *
 * Two kinds:
 *  - images from IDX files (the format of MNIST and Fashion-MNIST): a
 *    folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
 *    t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally
 *    gzipped (.gz). Pixels 0 … 255 become numbers 0 … 1, as the book's
 *    load_mnist(normalize=True) gives them. Debian's
 *    dataset-fashion-mnist package puts them in BP_DATASET_FASHION_MNIST_DIR.
 *  - small 2-D sets generated from a seed (XOR, circles, two moons,
 *    spiral), two classes, for networks small enough to read on screen.
 *
 * Immutable once made, so a worker thread may train on one while the
 * main thread reads it. */
typedef struct _BpDataset BpDataset;

#define BP_DATASET_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef enum
{
  BP_DATASET_TRAIN,
  BP_DATASET_TEST,
} BpDatasetPart;

/* Examples in each part of a generated 2-D set. */
#define BP_DATASET_2D_TRAIN 400
#define BP_DATASET_2D_TEST  200

BpDataset  *bp_dataset_ref            (BpDataset *self);
void        bp_dataset_unref          (BpDataset *self);

/* "fashion-mnist", one of the 2-D sets ("xor", "circles", "moons",
 * "spiral", generated with `seed`), or a folder holding the four IDX
 * files. A missing Fashion-MNIST says how to install it
 * (BP_ERROR_NOT_FOUND); a broken or truncated file is BP_ERROR_INVALID
 * naming the file and what is wrong. */
BpDataset  *bp_dataset_load           (const char *name_or_dir,
                                       guint64     seed,
                                       GError    **error);
BpDataset  *bp_dataset_load_idx_dir   (const char *dir, GError **error);
/* NULL with BP_ERROR_INVALID for an unknown name. */
BpDataset  *bp_dataset_new_2d         (const char *name, guint64 seed, GError **error);
/* The names bp_dataset_load knows, NULL-terminated, static. */
const char *const *bp_dataset_get_names (void);

const char *bp_dataset_get_name       (const BpDataset *self);
guint       bp_dataset_get_n_features (const BpDataset *self);
guint       bp_dataset_get_n_classes  (const BpDataset *self);
guint       bp_dataset_get_n_examples (const BpDataset *self, BpDatasetPart part);
/* Images: their height and width (28×28); 0 for 2-D sets. */
guint       bp_dataset_get_image_rows (const BpDataset *self);
guint       bp_dataset_get_image_cols (const BpDataset *self);
guint       bp_dataset_get_label      (const BpDataset *self, BpDatasetPart part, guint index);
/* Feature j of an example (0 … 1 for images). */
double      bp_dataset_get_feature    (const BpDataset *self, BpDatasetPart part,
                                       guint index, guint j);

/* Copies the examples `indices[0 … n−1]` into the rows of `x` (n ×
 * n_features) and their labels into `t`: one-hot when t has n_classes
 * columns, class numbers when it has one. t may be NULL. */
void        bp_dataset_fill_batch     (const BpDataset *self,
                                       BpDatasetPart    part,
                                       const guint     *indices,
                                       guint            n,
                                       BpTensor        *x,
                                       BpTensor        *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpDataset, bp_dataset_unref)

G_END_DECLS
