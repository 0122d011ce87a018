/* SPDX-License-Identifier: MIT */
/* Products that skip X's zeros.
 *
 * X is taken a panel of columns at a time, so that the rows of W (or dW)
 * the panel meets stay in the first-level cache. For each row of X, the
 * panel's nonzero entries are listed, then added in with the columns of
 * Y (or the row of G) in registers, a tile of at most 64 columns, eight
 * numbers to a vector: one multiply-add per nonzero entry and column.
 * W (or G) and Y (or dW) are worked on in copies whose rows are padded
 * to a multiple of 8 columns and start on a cache line: with 50
 * columns, a row of W otherwise starts mid-line and most vector loads
 * touch two lines.
 *
 * Each sum adds its terms in the order of k (forward) or of the batch's
 * rows (dW), as the plain loops do; only the zero terms are left out.
 *
 * The kernels are built for AVX-512 (x86-64-v4), eight doubles to a
 * vector, and only run on a processor that has it; elsewhere
 * bp_sparse_available() says no and the products stay dense. Built for
 * narrower vectors, the same loops measured slower than OpenBLAS's
 * dense product. */
#include <string.h>

#include "bp-sparse.h"

#if defined (__GNUC__) && !defined (__clang__) && defined (__x86_64__)
# define HAVE_KERNELS 1
# include <immintrin.h>
#endif

#define LANES 8
/* Columns a tile keeps in registers (8 vectors of 8). */
#define TILE 64
/* Bytes of W (or dW) rows a panel covers: well inside a 32 KiB L1. */
#define PANEL_BYTES 16384
#define ALIGN 64

typedef double Vec __attribute__ ((vector_size (LANES * sizeof (double))));
typedef gint64 VecMask __attribute__ ((vector_size (LANES * sizeof (double))));

/* --- scratch memory, kept per thread: allocating the padded copies at
 * each call costs page faults larger than the products --- */

#define N_SCRATCH 5

typedef struct
{
  gpointer data;
  gsize    size;
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *scratch = data;

  for (guint i = 0; i < N_SCRATCH; i++)
    g_aligned_free (scratch[i].data);
  g_free (scratch);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

/* Buffer `which` (0 … N_SCRATCH − 1) of this thread, at least `size` bytes, aligned
 * to a cache line; its contents are undefined. */
static gpointer
scratch (guint which,
         gsize size)
{
  Scratch *s = g_private_get (&scratch_key);

  if (s == NULL)
    {
      s = g_new0 (Scratch, N_SCRATCH);
      g_private_set (&scratch_key, s);
    }
  if (s[which].size < size)
    {
      g_aligned_free (s[which].data);
      s[which].data = g_aligned_alloc (1, size, ALIGN);
      s[which].size = size;
    }
  return s[which].data;
}

/* A copy of m (rows × cols) with rows of `stride` ≥ cols numbers, the
 * padding zero. */
static double *
padded_copy (guint         which,
             const double *m,
             guint         rows,
             guint         cols,
             guint         stride)
{
  double *p = scratch (which, (gsize) rows * stride * sizeof (double));

  for (guint r = 0; r < rows; r++)
    {
      memcpy (p + (gsize) r * stride, m + (gsize) r * cols, cols * sizeof (double));
      memset (p + (gsize) r * stride + cols, 0, (stride - cols) * sizeof (double));
    }
  return p;
}

static void
unpad (const double *p,
       double       *m,
       guint         rows,
       guint         cols,
       guint         stride)
{
  for (guint r = 0; r < rows; r++)
    memcpy (m + (gsize) r * cols, p + (gsize) r * stride, cols * sizeof (double));
}

#ifdef HAVE_KERNELS

#pragma GCC push_options
#pragma GCC target ("arch=x86-64-v4")

#define INLINE static inline __attribute__ ((always_inline))

INLINE Vec
load (const double *p)
{
  Vec v;

  memcpy (&v, p, sizeof v);
  return v;
}

static gsize
count_nonzero (const double *x,
               gsize         n)
{
  VecMask count = { 0, };
  gsize total = 0, i = 0;

  for (; i + LANES <= n; i += LANES)
    count -= (VecMask) (load (x + i) != 0.0);
  for (guint l = 0; l < LANES; l++)
    total += count[l];
  for (; i < n; i++)
    total += x[i] != 0.0;
  return total;
}

static gboolean
all_finite (const double *x,
            gsize         n)
{
  /* x − x is 0 for a finite x and NaN for ±∞ and NaN. */
  Vec acc = { 0, };
  double tail = 0.0;
  gsize i = 0;

  for (; i + LANES <= n; i += LANES)
    {
      Vec v = load (x + i);

      acc += v - v;
    }
  for (; i < n; i++)
    tail += x[i] - x[i];
  for (guint l = 0; l < LANES; l++)
    tail += acc[l];
  return tail == 0.0;
}

/* The nonzero entries of x[0 … n): their positions plus `base` and their
 * values; returns how many. idx and val have room for n + LANES. Eight
 * entries at a time, compressed in registers, then stored whole (a
 * compressing store to memory is slow on some AMD processors). */
static guint
list_nonzero (const double *x,
              guint         n,
              guint         base,
              guint32      *idx,
              double       *val)
{
  __m256i pos = _mm256_add_epi32 (_mm256_set1_epi32 ((int) base),
                                  _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
  guint m = 0, k = 0;

  for (; k + LANES <= n; k += LANES)
    {
      __m512d v = _mm512_loadu_pd (x + k);
      /* Unordered: a NaN is listed, as by x != 0 below. */
      __mmask8 nonzero = _mm512_cmp_pd_mask (v, _mm512_setzero_pd (), _CMP_NEQ_UQ);

      _mm512_storeu_pd (val + m, _mm512_maskz_compress_pd (nonzero, v));
      _mm256_storeu_si256 ((__m256i *) (idx + m), _mm256_maskz_compress_epi32 (nonzero, pos));
      m += __builtin_popcount (nonzero);
      pos = _mm256_add_epi32 (pos, _mm256_set1_epi32 (LANES));
    }
  for (; k < n; k++)
    {
      idx[m] = base + k;
      val[m] = x[k];
      m += x[k] != 0.0;
    }
  return m;
}

/* y[0 … 8·nb) += Σ over the entries e of val[e] · w[idx[e] · stride + …],
 * in the order of the entries. */
INLINE void
add_rows (guint          nb,
          guint          n_entries,
          const guint32 *idx,
          const double  *val,
          const double  *w,
          gsize          stride,
          double        *y)
{
  Vec acc[TILE / LANES];

#pragma GCC unroll 8
  for (guint b = 0; b < nb; b++)
    acc[b] = *(const Vec *) (y + b * LANES);
  for (guint e = 0; e < n_entries; e++)
    {
      const double *row = w + idx[e] * stride;
      double v = val[e];

#pragma GCC unroll 8
      for (guint b = 0; b < nb; b++)
        acc[b] += v * *(const Vec *) (row + b * LANES);
    }
#pragma GCC unroll 8
  for (guint b = 0; b < nb; b++)
    *(Vec *) (y + b * LANES) = acc[b];
}

/* dw[idx[e] · stride + …] += val[e] · g[0 … 8·nb) for each entry e. */
INLINE void
scatter_rows (guint          nb,
              guint          n_entries,
              const guint32 *idx,
              const double  *val,
              const double  *g,
              gsize          stride,
              double        *dw)
{
  Vec gv[TILE / LANES];

#pragma GCC unroll 8
  for (guint b = 0; b < nb; b++)
    gv[b] = *(const Vec *) (g + b * LANES);
  for (guint e = 0; e < n_entries; e++)
    {
      double *row = dw + idx[e] * stride;
      double v = val[e];

#pragma GCC unroll 8
      for (guint b = 0; b < nb; b++)
        *(Vec *) (row + b * LANES) += v * gv[b];
    }
}

/* One case per number of vectors, so that each keeps its vectors in
 * registers. */
#define CASES(CALL) \
  case 1: CALL (1); break; case 2: CALL (2); break; case 3: CALL (3); break; \
  case 4: CALL (4); break; case 5: CALL (5); break; case 6: CALL (6); break; \
  case 7: CALL (7); break; case 8: CALL (8); break; default: g_assert_not_reached ()

/* Both products on padded rows of `stride` numbers: for each panel of
 * X's columns and each row i of X, the row's nonzero entries in the
 * panel, then out[i] += entries · wg (forward) or out += entriesᵀ · wg[i]
 * (transposed). The entries are listed first, reading X once in order,
 * with where each row's part in each panel ends. */
static void
product (gboolean      transposed,
         guint         n,
         guint         d,
         guint         stride,
         const double *x,
         const double *wg,
         double       *out)
{
  guint panel = CLAMP (PANEL_BYTES / (stride * sizeof (double)), LANES, d);
  guint n_panels = (d + panel - 1) / panel;
  gsize n_x = (gsize) n * d;
  guint32 *idx = scratch (2, (n_x + LANES) * sizeof (guint32));
  double *val = scratch (3, (n_x + LANES) * sizeof (double));
  gsize *ends = scratch (4, ((gsize) n * n_panels + 1) * sizeof (gsize));
  gsize m = 0;

  ends[0] = 0;
  for (guint i = 0; i < n; i++)
    for (guint p = 0; p < n_panels; p++)
      {
        guint k0 = p * panel;

        m += list_nonzero (x + (gsize) i * d + k0, MIN (panel, d - k0), k0, idx + m, val + m);
        ends[(gsize) i * n_panels + p + 1] = m;
      }

  for (guint p = 0; p < n_panels; p++)
    for (guint i = 0; i < n; i++)
      {
        gsize first = ends[(gsize) i * n_panels + p];
        guint count = ends[(gsize) i * n_panels + p + 1] - first;

        for (guint j = 0; count > 0 && j < stride; j += TILE)
          {
            guint nb = MIN (TILE, stride - j) / LANES;

            if (transposed)
              {
#define SCATTER(NB) scatter_rows (NB, count, idx + first, val + first, wg + (gsize) i * stride + j, stride, out + j)
                switch (nb) { CASES (SCATTER); }
#undef SCATTER
              }
            else
              {
#define ADD(NB) add_rows (NB, count, idx + first, val + first, wg + j, stride, out + (gsize) i * stride + j)
                switch (nb) { CASES (ADD); }
#undef ADD
              }
          }
      }
}

#pragma GCC pop_options

static gpointer
check_cpu (G_GNUC_UNUSED gpointer data)
{
  __builtin_cpu_init ();
  return GINT_TO_POINTER (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl") &&
                          __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx512bw") ? 2 : 1);
}
#endif

gboolean
bp_sparse_available (void)
{
#ifdef HAVE_KERNELS
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, check_cpu, NULL)) == 2;
#else
  return FALSE;
#endif
}

gsize
bp_sparse_count_nonzero (const double *x,
                         gsize         n)
{
#ifdef HAVE_KERNELS
  g_return_val_if_fail (bp_sparse_available (), 0);

  return count_nonzero (x, n);
#else
  g_return_val_if_reached (0);
#endif
}

gboolean
bp_sparse_all_finite (const double *x,
                      gsize         n)
{
#ifdef HAVE_KERNELS
  g_return_val_if_fail (bp_sparse_available (), FALSE);

  return all_finite (x, n);
#else
  g_return_val_if_reached (FALSE);
#endif
}

static guint
padded (guint h)
{
  return (h + LANES - 1) / LANES * LANES;
}

void
bp_sparse_matmul_add (guint         n,
                      guint         d,
                      guint         h,
                      const double *x,
                      const double *w,
                      double       *y)
{
#ifdef HAVE_KERNELS
  guint stride = padded (h);
  const double *wp = padded_copy (0, w, d, h, stride);
  double *yp = padded_copy (1, y, n, h, stride);

  g_return_if_fail (bp_sparse_available ());

  product (FALSE, n, d, stride, x, wp, yp);
  unpad (yp, y, n, h, stride);
#else
  g_return_if_reached ();
#endif
}

void
bp_sparse_matmul_tn (guint         n,
                     guint         d,
                     guint         h,
                     const double *x,
                     const double *g,
                     double       *dw)
{
#ifdef HAVE_KERNELS
  guint stride = padded (h);
  const double *gp = padded_copy (0, g, n, h, stride);
  double *dwp = scratch (1, (gsize) d * stride * sizeof (double));

  g_return_if_fail (bp_sparse_available ());

  memset (dwp, 0, (gsize) d * stride * sizeof (double));
  product (TRUE, n, d, stride, x, gp, dwp);
  unpad (dwp, dw, d, h, stride);
#else
  g_return_if_reached ();
#endif
}
