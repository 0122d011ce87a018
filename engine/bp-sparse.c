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

#define N_SCRATCH 9

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

/* X's share of nonzero entries, counted on every fourth row (a
 * quarter of a pass over X, and the same answer for the same X). */
static double
sampled_density (const double *x,
                 guint         n,
                 guint         d)
{
  VecMask count = { 0, };
  gsize total = 0, n_counted = 0;

  for (guint i = 0; i < n; i += 4)
    {
      const double *row = x + (gsize) i * d;
      guint k = 0;

      for (; k + LANES <= d; k += LANES)
        count -= (VecMask) (load (row + k) != 0.0);
      for (; k < d; k++)
        total += row[k] != 0.0;
      n_counted += d;
    }
  for (guint l = 0; l < LANES; l++)
    total += count[l];
  return n_counted > 0 ? (double) total / n_counted : 0.0;
}

/* A copy of m (rows × cols) with rows of `stride` ≥ cols numbers, the
 * padding zero, in scratch buffer `which`; NULL when m has a number
 * that is not finite (skipping 0 · w is exact only for a finite w:
 * 0 · ∞ is NaN). */
static double *
padded_finite_copy (guint         which,
                    const double *m,
                    guint         rows,
                    guint         cols,
                    guint         stride)
{
  double *p = scratch (which, (gsize) rows * stride * sizeof (double));
  /* x − x is 0 for a finite x, NaN for ±∞ and NaN. */
  Vec check = { 0, };
  double tail = 0.0;

  for (guint r = 0; r < rows; r++)
    {
      const double *from = m + (gsize) r * cols;
      double *to = p + (gsize) r * stride;
      guint c = 0;

      for (; c + LANES <= cols; c += LANES)
        {
          Vec v = load (from + c);

          check += v - v;
          *(Vec *) (to + c) = v;
        }
      for (; c < cols; c++)
        {
          tail += from[c] - from[c];
          to[c] = from[c];
        }
      for (; c < stride; c++)
        to[c] = 0.0;
    }
  for (guint l = 0; l < LANES; l++)
    tail += check[l];
  return tail == 0.0 ? p : NULL;
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

/* out[0 … 8·nb) = Σ over the entries e of val[e] · g[idx[e] · stride + …],
 * in the order of the entries. */
INLINE void
sum_rows (guint          nb,
          guint          n_entries,
          const guint32 *idx,
          const double  *val,
          const double  *g,
          gsize          stride,
          double        *out)
{
  Vec acc[TILE / LANES];

#pragma GCC unroll 8
  for (guint b = 0; b < nb; b++)
    acc[b] = (Vec) { 0, };
  for (guint e = 0; e < n_entries; e++)
    {
      const double *row = g + idx[e] * stride;
      double v = val[e];

#pragma GCC unroll 8
      for (guint b = 0; b < nb; b++)
        acc[b] += v * *(const Vec *) (row + b * LANES);
    }
#pragma GCC unroll 8
  for (guint b = 0; b < nb; b++)
    *(Vec *) (out + b * LANES) = acc[b];
}

/* One case per number of vectors, so that each keeps its vectors in
 * registers. */
#define CASES(CALL) \
  case 1: CALL (1); break; case 2: CALL (2); break; case 3: CALL (3); break; \
  case 4: CALL (4); break; case 5: CALL (5); break; case 6: CALL (6); break; \
  case 7: CALL (7); break; case 8: CALL (8); break; default: g_assert_not_reached ()

/* Y += X · W on padded rows of `stride` numbers: for each panel of X's
 * columns and each row i of X, the row's nonzero entries in the panel,
 * then Y[i] += entries · W. The entries are listed first, reading X once
 * in order, with where each row's part in each panel ends. */
static void
product (guint         n,
         guint         d,
         guint         stride,
         const double *x,
         const double *w,
         double       *y)
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

#define ADD(NB) add_rows (NB, count, idx + first, val + first, w + j, stride, y + (gsize) i * stride + j)
            switch (nb) { CASES (ADD); }
#undef ADD
          }
      }
}

/* dW = Xᵀ · G on padded rows: X's nonzero entries by rows, sorted into
 * columns (a counting sort, keeping the order of the rows), then each
 * row of dW is the sum over its column's entries of x · G's row, in
 * registers. */
static void
product_tn (guint         n,
            guint         d,
            guint         stride,
            const double *x,
            const double *g,
            double       *dw)
{
  gsize n_x = (gsize) n * d;
  guint32 *idx = scratch (2, (n_x + LANES) * sizeof (guint32));
  double *val = scratch (3, (n_x + LANES) * sizeof (double));
  guint32 *rows = scratch (4, (n_x + 1) * sizeof (guint32));
  guint32 *col_rows = scratch (5, (n_x + 1) * sizeof (guint32));
  double *col_vals = scratch (6, (n_x + 1) * sizeof (double));
  gsize *start = scratch (8, ((gsize) d + 1) * sizeof (gsize));
  gsize *next = scratch (7, (gsize) d * sizeof (gsize));
  gsize m = 0, f = 0;

  memset (start, 0, ((gsize) d + 1) * sizeof (gsize));
  for (guint i = 0; i < n; i++)
    {
      guint count = list_nonzero (x + (gsize) i * d, d, 0, idx + m, val + m);

      for (guint c = 0; c < count; c++)
        start[idx[m + c] + 1]++;
      m += count;
      /* The row's number in place of its entries' columns, once counted. */
      for (guint c = 0; c < count; c++)
        rows[m - count + c] = i;
    }
  for (guint k = 0; k < d; k++)
    {
      start[k + 1] += start[k];
      next[k] = start[k];
    }
  for (f = 0; f < m; f++)
    {
      gsize at = next[idx[f]]++;

      col_rows[at] = rows[f];
      col_vals[at] = val[f];
    }

  for (guint k = 0; k < d; k++)
    {
      guint count = start[k + 1] - start[k];

      for (guint j = 0; j < stride; j += TILE)
        {
          guint nb = MIN (TILE, stride - j) / LANES;

#define SUM(NB) sum_rows (NB, count, col_rows + start[k], col_vals + start[k], g + j, stride, dw + (gsize) k * stride + j)
          switch (nb) { CASES (SUM); }
#undef SUM
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

static guint
padded (guint h)
{
  return (h + LANES - 1) / LANES * LANES;
}

gboolean
bp_sparse_matmul_add (guint         n,
                      guint         d,
                      guint         h,
                      const double *x,
                      const double *w,
                      double       *y,
                      double        max_density)
{
#ifdef HAVE_KERNELS
  guint stride = padded (h);
  const double *wp;
  double *yp;

  if (!bp_sparse_available () || n == 0 || d == 0 || h == 0 ||
      sampled_density (x, n, d) > max_density)
    return FALSE;
  wp = padded_finite_copy (0, w, d, h, stride);
  if (wp == NULL)
    return FALSE;
  /* y is finite or not: its numbers are added to, never multiplied. */
  yp = scratch (1, (gsize) n * stride * sizeof (double));
  for (guint i = 0; i < n; i++)
    {
      memcpy (yp + (gsize) i * stride, y + (gsize) i * h, h * sizeof (double));
      memset (yp + (gsize) i * stride + h, 0, (stride - h) * sizeof (double));
    }

  product (n, d, stride, x, wp, yp);
  unpad (yp, y, n, h, stride);
  return TRUE;
#else
  return FALSE;
#endif
}

gboolean
bp_sparse_matmul_tn (guint         n,
                     guint         d,
                     guint         h,
                     const double *x,
                     const double *g,
                     double       *dw,
                     double        max_density)
{
#ifdef HAVE_KERNELS
  guint stride = padded (h);
  const double *gp;
  double *dwp;

  if (!bp_sparse_available () || n == 0 || d == 0 || h == 0 ||
      sampled_density (x, n, d) > max_density)
    return FALSE;
  gp = padded_finite_copy (0, g, n, h, stride);
  if (gp == NULL)
    return FALSE;
  dwp = scratch (1, (gsize) d * stride * sizeof (double));

  product_tn (n, d, stride, x, gp, dwp);
  unpad (dwp, dw, d, h, stride);
  return TRUE;
#else
  return FALSE;
#endif
}
