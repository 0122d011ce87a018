/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which operand of bp_blas_dgemm() is transposed. */
typedef enum
{
  BP_BLAS_NO_TRANS,
  BP_BLAS_TRANS,
} BpBlasTranspose;

gboolean bp_blas_available (void);
/* For a program that cannot load a shared library (a static one):
 * `func` is called instead of loading BLAS, the first time a product
 * wants it. It may hand the run to another program and not return;
 * when it returns, the matrix ops keep their own loops. */
void     bp_blas_set_unavailable_func (void (*func) (void));
void     bp_blas_dgemm     (BpBlasTranspose  trans_a,
                            BpBlasTranspose  trans_b,
                            guint            m,
                            guint            n,
                            guint            k,
                            double           alpha,
                            const double    *a,
                            guint            lda,
                            const double    *b,
                            guint            ldb,
                            double           beta,
                            double          *c,
                            guint            ldc);

G_END_DECLS
