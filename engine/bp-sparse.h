/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Matrix products that skip the zero entries of X: the same sums as
 * X · W and Xᵀ · G, without the terms 0 · w. A batch of images is half
 * zeros (the background), so these do half the multiply-adds of a dense
 * product; they are another way to compute matmul's and affine's rule,
 * not a rule of their own. Row-major matrices, as BpTensor. */

/* Whether this processor runs the kernels below (AVX-512). */
gboolean bp_sparse_available     (void);

/* The functions below only when bp_sparse_available(). */

/* How many entries of x[0 … n−1] are not zero. */
gsize    bp_sparse_count_nonzero (const double *x,
                                  gsize         n);
/* Whether every x[0 … n−1] is finite: skipping 0 · w is exact only then
 * (0 · ∞ is NaN). */
gboolean bp_sparse_all_finite    (const double *x,
                                  gsize         n);

/* Y (n×h) += X (n×d) · W (d×h). */
void     bp_sparse_matmul_add    (guint         n,
                                  guint         d,
                                  guint         h,
                                  const double *x,
                                  const double *w,
                                  double       *y);
/* dW (d×h) = Xᵀ · G, X n×d, G n×h. */
void     bp_sparse_matmul_tn     (guint         n,
                                  guint         d,
                                  guint         h,
                                  const double *x,
                                  const double *g,
                                  double       *dw);

G_END_DECLS
