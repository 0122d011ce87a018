/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The largest tensor the engine will allocate (elements). Documents and
 * expressions asking for more are refused with BP_ERROR_TOO_LARGE. */
#define BP_TENSOR_MAX_ELEMENTS (1u << 24)

#define BP_TYPE_TENSOR (bp_tensor_get_type ())

/* A dense row-major matrix of doubles; a scalar is 1×1. Refcounted, not
 * thread-safe (the engine is single-threaded). The fields are public for
 * the op kernels; treat them as read-only elsewhere. */
typedef struct _BpTensor
{
  /*< private >*/
  int ref_count;
  /*< public >*/
  guint rows;
  guint cols;
  double *data;
} BpTensor;

GType       bp_tensor_get_type        (void) G_GNUC_CONST;
BpTensor   *bp_tensor_new             (guint rows, guint cols);          /* zeros */
BpTensor   *bp_tensor_new_scalar      (double value);
BpTensor   *bp_tensor_new_from_data   (guint rows, guint cols, const double *data);
BpTensor   *bp_tensor_new_filled      (guint rows, guint cols, double value);
BpTensor   *bp_tensor_ref             (BpTensor *self);
void        bp_tensor_unref           (BpTensor *self);
BpTensor   *bp_tensor_copy            (const BpTensor *self);
/* Parses a number or a matrix literal "[[1, 2], [3, 4]]" / "[1, 2]". */
BpTensor   *bp_tensor_parse           (const char *text, GError **error);

static inline gsize
bp_tensor_n_elements (const BpTensor *self) { return (gsize) self->rows * self->cols; }
static inline double
bp_tensor_get (const BpTensor *self, guint r, guint c) { return self->data[(gsize) r * self->cols + c]; }
static inline void
bp_tensor_set (BpTensor *self, guint r, guint c, double v) { self->data[(gsize) r * self->cols + c] = v; }

gboolean    bp_tensor_is_scalar       (const BpTensor *self);
gboolean    bp_tensor_same_shape      (const BpTensor *a, const BpTensor *b);
void        bp_tensor_fill            (BpTensor *self, double value);
/* TRUE when shapes match and every element is within abs_tol or rel_tol.
 * NaN equals NaN here so that "NaN propagates" can be asserted. */
gboolean    bp_tensor_equal           (const BpTensor *a, const BpTensor *b,
                                       double abs_tol, double rel_tol);
/* "2×3" */
char       *bp_tensor_shape_string    (guint rows, guint cols);
/* A number for people: 220, 2.2, 110, 0.000123, 1.5e+12, NaN, ∞, −∞.
 * Uses at most `digits` significant digits (6 is a good default).
 * BP_FORMAT_EXACT instead gives the shortest plain-ASCII text that reads
 * back to the same double ("1.1", "-2.5", "NaN", "Infinity"): for entries
 * the user edits and for files. */
#define BP_FORMAT_EXACT 0
char       *bp_format_number          (double value, int digits);
/* bp_format_number (value, BP_FORMAT_EXACT) written into `buf` (at least
 * BP_FORMAT_EXACT_SIZE bytes) without allocating; returns its length. */
#define BP_FORMAT_EXACT_SIZE 32
gsize       bp_format_exact           (double value, char *buf);
/* "220" for a scalar, "[[1, 2], [3, 4]]" otherwise (bp_format_number). */
char       *bp_tensor_to_string       (const BpTensor *self, int digits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpTensor, bp_tensor_unref)

G_END_DECLS
