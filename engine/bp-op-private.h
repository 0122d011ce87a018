/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-error.h"
#include "bp-op.h"
#include "bp-tensor-private.h"

G_BEGIN_DECLS

/* Each kernel file defines its catalog entries next to its rules;
 * bp-op.c puts them in palette order. */
extern const BpOp bp_op_input;
extern const BpOp bp_op_const;
extern const BpOp bp_op_param;
extern const BpOp bp_op_add;
extern const BpOp bp_op_sub;
extern const BpOp bp_op_mul;
extern const BpOp bp_op_div;
extern const BpOp bp_op_neg;
extern const BpOp bp_op_reciprocal;
extern const BpOp bp_op_exp;
extern const BpOp bp_op_log;
extern const BpOp bp_op_square;
extern const BpOp bp_op_pow;
extern const BpOp bp_op_relu;
extern const BpOp bp_op_sigmoid;
extern const BpOp bp_op_tanh;
extern const BpOp bp_op_repeat;
extern const BpOp bp_op_sum;
extern const BpOp bp_op_matmul;
extern const BpOp bp_op_affine;
extern const BpOp bp_op_softmax;
extern const BpOp bp_op_cross_entropy;
extern const BpOp bp_op_softmax_with_loss;
extern const BpOp bp_op_mse;

/* Input-name lists shared by several entries. */
extern const char *const bp_op_names_x[];
extern const char *const bp_op_names_xy[];

/* Sets a BP_ERROR_SHAPE error. */
void      bp_op_shape_error       (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* LG of `slot` as the backward pass itself computes it for an upstream
 * gradient of ones: the rule stays written once, in the op's backward.
 * Right for ops whose DG is UG ⊙ LG (elementwise) or whose output is a
 * scalar (losses, where DG = UG·LG). */
BpTensor *bp_op_local_by_backward (const BpOp      *op,
                                   const BpAttrs   *attrs,
                                   BpTensor *const *in,
                                   const BpTensor  *out,
                                   guint            slot);

/* Broadcasting, as numpy does it for a matrix: the output shape of two
 * inputs, each side equal or 1 (FALSE otherwise, nothing set). */
gboolean  bp_op_broadcast_shape   (guint  x_rows,
                                   guint  x_cols,
                                   guint  y_rows,
                                   guint  y_cols,
                                   guint *out_rows,
                                   guint *out_cols);

/* dx = the gradient `ug` (shaped like the output) summed over the copies
 * broadcasting made of an input shaped like dx: the Repeat node's
 * backward, once per axis copied, in the order bp-expand.c draws the
 * hidden Repeat nodes (columns first, then rows). */
void      bp_op_sum_over_copies   (const BpTensor *ug,
                                   BpTensor       *dx);

/* Wᵀ for matmul and affine. */
BpTensor *bp_op_transpose         (const BpTensor *t);

G_END_DECLS

G_BEGIN_DECLS
/* Row-wise softmax, stable: subtracts each row's maximum first. */
void      bp_op_softmax_rows      (const double *x, double *y, guint rows, guint cols);
G_END_DECLS
