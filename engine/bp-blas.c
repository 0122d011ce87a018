/* SPDX-License-Identifier: MIT */
/* OpenBLAS, opened the first time a product is large enough to want it.
 *
 * Linking it would make every process pay for it at start-up: the
 * dynamic loader relocates the whole library and its constructor starts
 * one thread per core, some 20 ms of CPU before main(), while most
 * processes (`bpgraph eval`, the examples of the book) never multiply a
 * matrix larger than a few rows. Without the library the matrix ops
 * keep their own loops. */
#include <gmodule.h>

#include "bp-blas.h"

#ifdef BP_BLAS_LIBRARY
/* CBLAS's enum values are part of its ABI. */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

typedef void (*DgemmFunc) (int order, int trans_a, int trans_b, int m, int n, int k,
                           double alpha, const double *a, int lda, const double *b,
                           int ldb, double beta, double *c, int ldc);
typedef void (*SetThreadsFunc) (int n);

static DgemmFunc dgemm_func;

static gpointer
open_blas (gpointer data)
{
  GModule *module = g_module_open (BP_BLAS_LIBRARY, G_MODULE_BIND_LOCAL);
  SetThreadsFunc set_threads = NULL;
  gpointer symbol = NULL;

  if (module == NULL)
    return NULL;
  if (!g_module_symbol (module, "cblas_dgemm", &symbol) || symbol == NULL)
    {
      g_module_close (module);
      return NULL;
    }
  /* One BLAS thread unless the user asks for more (OPENBLAS_NUM_THREADS):
   * a batch's products are small enough that a second thread gains
   * nothing measurable on two cores, and on a busy machine OpenBLAS's
   * spinning threads made an iteration several times slower. */
  if (g_getenv ("OPENBLAS_NUM_THREADS") == NULL
      && g_module_symbol (module, "openblas_set_num_threads", (gpointer *) &set_threads)
      && set_threads != NULL)
    set_threads (1);
  /* Kept open for the life of the process. */
  g_module_make_resident (module);
  dgemm_func = (DgemmFunc) symbol;
  return symbol;
}
#endif

static void (*unavailable_func) (void);
static gboolean unavailable;

void
bp_blas_set_unavailable_func (void (*func) (void))
{
  unavailable_func = func;
  unavailable = func != NULL;
}

/* Whether large products can go to BLAS; opens the library on first use. */
gboolean
bp_blas_available (void)
{
#ifdef BP_BLAS_LIBRARY
  static GOnce once = G_ONCE_INIT;

  if (G_UNLIKELY (unavailable))
    {
      void (*func) (void) = g_steal_pointer (&unavailable_func);

      if (func != NULL)
        func ();
      return FALSE;
    }
  return g_once (&once, open_blas, NULL) != NULL;
#else
  return FALSE;
#endif
}

/* C (m×n) = alpha · op(A) · op(B) + beta · C, row-major, as cblas_dgemm.
 * Only after bp_blas_available() returned TRUE. */
void
bp_blas_dgemm (BpBlasTranspose  trans_a,
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
               guint            ldc)
{
#ifdef BP_BLAS_LIBRARY
  g_return_if_fail (dgemm_func != NULL);
  dgemm_func (CBLAS_ROW_MAJOR,
              trans_a == BP_BLAS_TRANS ? CBLAS_TRANS : CBLAS_NO_TRANS,
              trans_b == BP_BLAS_TRANS ? CBLAS_TRANS : CBLAS_NO_TRANS,
              (int) m, (int) n, (int) k, alpha, a, (int) lda, b, (int) ldb,
              beta, c, (int) ldc);
#else
  g_return_if_reached ();
#endif
}
