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

/* Y (n×h) += X (n×d) · W (d×h), skipping X's zeros, when this processor
 * runs the kernel, X's share of nonzero entries (estimated on every
 * fourth row) is at most `max_density` and W is finite (0 · ∞ is NaN,
 * so skipping is exact only then). FALSE when it did nothing. */
gboolean bp_sparse_matmul_add    (guint         n,
                                  guint         d,
                                  guint         h,
                                  const double *x,
                                  const double *w,
                                  double       *y,
                                  double        max_density);
/* dW (d×h) = Xᵀ · G, X n×d, G n×h, likewise (G finite). */
gboolean bp_sparse_matmul_tn     (guint         n,
                                  guint         d,
                                  guint         h,
                                  const double *x,
                                  const double *g,
                                  double       *dw,
                                  double        max_density);

G_END_DECLS
