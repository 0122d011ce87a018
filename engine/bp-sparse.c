/* SPDX-License-Identifier: MIT */
/* Products that skip X's zeros.
 *
 * Y += X · W: X is taken a panel of columns at a time, so that the rows
 * of W the panel meets stay in the first-level cache. For each row of X,
 * the panel's nonzero entries are listed (eight at a time, with a
 * compress), then added in with a tile of at most 64 columns of Y's row
 * in registers, eight numbers to a vector: one multiply-add per nonzero
 * entry and column.
 *
 * dW = Xᵀ · G: X's nonzero entries are sorted into columns (8×8 blocks
 * transposed in registers, each column compressed), then each row of dW
 * is summed in registers over its column's entries.
 *
 * W (or G) and Y are worked on in copies whose rows are padded to a
 * multiple of 8 columns and start on a cache line: with 50 columns, a
 * row of W otherwise starts mid-line and most vector loads touch two
 * lines. dW, only stored to, is written in place.
 *
 * Each sum keeps two partial sums, the even and the odd terms in order
 * (of k for Y, of the batch's rows for dW), added at the end: one chain
 * of multiply-adds waits on the previous one's result. So the numbers
 * differ from a dense product's by rounding only, and are the same for
 * the same inputs.
 *
 * The kernels are built for AVX-512 (x86-64-v4) and only run on a
 * processor that has it; elsewhere bp_sparse_available() says no and the
 * products stay dense. Built for narrower vectors, the same loops
 * measured slower than OpenBLAS's dense product. */
#include <string.h>

#include "bp-sparse.h"

#if defined (__GNUC__) && !defined (__clang__) && defined (__x86_64__)
# define HAVE_KERNELS 1
# include <immintrin.h>
#endif

#define LANES 8
/* Columns a tile keeps in registers (8 vectors of 8). */
#define TILE 64
/* Bytes of W's rows a panel of X's columns meets: well inside a 32 KiB
 * first-level cache. */
#define PANEL_BYTES 16384
#define ALIGN 64
/* Rows of X listed at a time by the forward product. */
#define ROW_BLOCK 128

typedef double Vec __attribute__ ((vector_size (LANES * sizeof (double))));
typedef gint64 VecMask __attribute__ ((vector_size (LANES * sizeof (double))));

/* --- scratch memory, kept per thread: allocating the padded copies at
 * each call costs page faults larger than the products --- */

#define N_SCRATCH 6

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

/* Buffer `which` (0 … N_SCRATCH − 1) of this thread, at least `size`
 * bytes, aligned to a cache line; its contents are undefined. */
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
/* GCC 12 warns inside its own AVX-512 shuffles (_mm512_undefined_pd). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

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

/* The nonzero entries of x[0 … n): their positions plus `base`, times
 * `step` (where their rows start in W), and their values; returns how
 * many. idx and val have room for n + LANES. Eight
 * entries at a time, compressed in registers, then stored whole (a
 * compressing store to memory is slow on some AMD processors). */
static guint
list_nonzero (const double *x,
              guint         n,
              guint         base,
              guint         step,
              guint32      *idx,
              double       *val)
{
  __m256i pos = _mm256_mullo_epi32 (_mm256_add_epi32 (_mm256_set1_epi32 ((int) base),
                                                      _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7)),
                                    _mm256_set1_epi32 ((int) step));
  guint m = 0, k = 0;

  for (; k + LANES <= n; k += LANES)
    {
      __m512d v = _mm512_loadu_pd (x + k);
      /* Unordered: a NaN is listed, as by x != 0 below. */
      __mmask8 nonzero = _mm512_cmp_pd_mask (v, _mm512_setzero_pd (), _CMP_NEQ_UQ);

      _mm512_storeu_pd (val + m, _mm512_maskz_compress_pd (nonzero, v));
      _mm256_storeu_si256 ((__m256i *) (idx + m), _mm256_maskz_compress_epi32 (nonzero, pos));
      m += __builtin_popcount (nonzero);
      pos = _mm256_add_epi32 (pos, _mm256_set1_epi32 ((int) (LANES * step)));
    }
  for (; k < n; k++)
    {
      idx[m] = (base + k) * step;
      val[m] = x[k];
      m += x[k] != 0.0;
    }
  return m;
}

/* out[0 … 8·nb) = init[0 … 8·nb) (zeros when NULL) + Σ over the entries
 * e of val[e] · src[idx[e] + …], in the order of the entries. Loads and
 * stores need no alignment: dW's rows are written in place. */
INLINE void
sum_rows (guint          nb,
          guint          n_entries,
          const guint32 *idx,
          const double  *val,
          const double  *src,
          const double  *init,
          double        *out)
{
  Vec acc[TILE / LANES], odd[TILE / LANES];
  guint e = 0;

#pragma GCC unroll 8
  for (guint b = 0; b < nb; b++)
    {
      if (init != NULL)
        memcpy (&acc[b], init + b * LANES, sizeof acc[b]);
      else
        acc[b] = (Vec) { 0, };
      odd[b] = (Vec) { 0, };
    }
  for (; e + 1 < n_entries; e += 2)
    {
      const double *row0 = src + idx[e];
      const double *row1 = src + idx[e + 1];
      double v0 = val[e], v1 = val[e + 1];

#pragma GCC unroll 8
      for (guint b = 0; b < nb; b++)
        {
          acc[b] += v0 * *(const Vec *) (row0 + b * LANES);
          odd[b] += v1 * *(const Vec *) (row1 + b * LANES);
        }
    }
  if (e < n_entries)
    {
      const double *row0 = src + idx[e];
      double v0 = val[e];

#pragma GCC unroll 8
      for (guint b = 0; b < nb; b++)
        acc[b] += v0 * *(const Vec *) (row0 + b * LANES);
    }
#pragma GCC unroll 8
  for (guint b = 0; b < nb; b++)
    {
      Vec sum = acc[b] + odd[b];

      memcpy (out + b * LANES, &sum, sizeof sum);
    }
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

        m += list_nonzero (x + (gsize) i * d + k0, MIN (panel, d - k0), k0, stride, idx + m, val + m);
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

#define ADD(NB) sum_rows (NB, count, idx + first, val + first, w + j, \
                         y + (gsize) i * stride + j, y + (gsize) i * stride + j)
            switch (nb) { CASES (ADD); }
#undef ADD
          }
      }
}

/* Columns c0 … c7 of the 8×8 block whose rows are r[0 … 7]. */
INLINE void
transpose8 (const __m512d *r,
            __m512d       *c)
{
  __m512d t[8], u[8];

  for (guint q = 0; q < 4; q++)
    {
      t[2 * q] = _mm512_unpacklo_pd (r[2 * q], r[2 * q + 1]);
      t[2 * q + 1] = _mm512_unpackhi_pd (r[2 * q], r[2 * q + 1]);
    }
  /* u[0]: columns 0 and 4 of rows 0–3, u[1]: 2 and 6, u[2]: 1 and 5,
   * u[3]: 3 and 7; u[4 …] the same for rows 4–7. */
  for (guint h = 0; h < 2; h++)
    {
      u[4 * h] = _mm512_shuffle_f64x2 (t[4 * h], t[4 * h + 2], 0x88);
      u[4 * h + 1] = _mm512_shuffle_f64x2 (t[4 * h], t[4 * h + 2], 0xdd);
      u[4 * h + 2] = _mm512_shuffle_f64x2 (t[4 * h + 1], t[4 * h + 3], 0x88);
      u[4 * h + 3] = _mm512_shuffle_f64x2 (t[4 * h + 1], t[4 * h + 3], 0xdd);
    }
  c[0] = _mm512_shuffle_f64x2 (u[0], u[4], 0x88);
  c[4] = _mm512_shuffle_f64x2 (u[0], u[4], 0xdd);
  c[2] = _mm512_shuffle_f64x2 (u[1], u[5], 0x88);
  c[6] = _mm512_shuffle_f64x2 (u[1], u[5], 0xdd);
  c[1] = _mm512_shuffle_f64x2 (u[2], u[6], 0x88);
  c[5] = _mm512_shuffle_f64x2 (u[2], u[6], 0xdd);
  c[3] = _mm512_shuffle_f64x2 (u[3], u[7], 0x88);
  c[7] = _mm512_shuffle_f64x2 (u[3], u[7], 0xdd);
}

/* dW = Xᵀ · G, G on padded rows: X's nonzero entries sorted into columns,
 * in the order of the rows, then each row of dW is the sum over its
 * column's entries of x · G's row, in registers.
 *
 * The columns are filled eight rows at a time: each 8×8 block of X is
 * transposed in registers and each of its columns' nonzeros appended
 * to that column's list with one compress. A column's list has room for
 * 8 more entries than it gets, since each append writes 8. An entry
 * keeps where its row of G starts (its row times `stride`). */
static void
product_tn (guint         n,
            guint         d,
            guint         h,
            guint         stride,
            const double *x,
            const double *g,
            double       *dw)
{
  double *last = scratch (1, stride * sizeof (double));
  gsize n_x = (gsize) n * d;
  guint n8 = n / LANES * LANES, d8 = d / LANES * LANES;
  guint32 *col_rows = scratch (2, (n_x + (gsize) (d + 1) * LANES) * sizeof (guint32));
  double *col_vals = scratch (3, (n_x + (gsize) (d + 1) * LANES) * sizeof (double));
  gsize *start = scratch (4, ((gsize) d + 1) * sizeof (gsize));
  gsize *next = scratch (5, ((gsize) d + LANES) * sizeof (gsize));
  gsize total = 0;

  /* How many nonzeros each column has, eight columns at a time. */
  memset (next, 0, (gsize) d * sizeof (gsize));
  for (guint i = 0; i < n; i++)
    {
      const double *row = x + (gsize) i * d;
      guint k = 0;

      for (; k < d8; k += LANES)
        {
          VecMask *count = (VecMask *) (next + k);

          *count -= (VecMask) (load (row + k) != 0.0);
        }
      for (; k < d; k++)
        next[k] += row[k] != 0.0;
    }
  for (guint k = 0; k < d; k++)
    {
      gsize count = next[k];

      start[k] = next[k] = total;
      total += count + LANES;
    }
  start[d] = total;

  for (guint i0 = 0; i0 < n8; i0 += LANES)
    {
      const __m256i block_rows = _mm256_mullo_epi32 (_mm256_add_epi32 (_mm256_set1_epi32 ((int) i0),
                                                                       _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7)),
                                                     _mm256_set1_epi32 ((int) stride));

      for (guint k0 = 0; k0 < d8; k0 += LANES)
        {
          __m512d r[LANES], c[LANES];

          for (guint l = 0; l < LANES; l++)
            r[l] = _mm512_loadu_pd (x + (gsize) (i0 + l) * d + k0);
          transpose8 (r, c);
          for (guint l = 0; l < LANES; l++)
            {
              __mmask8 nonzero = _mm512_cmp_pd_mask (c[l], _mm512_setzero_pd (), _CMP_NEQ_UQ);
              gsize at = next[k0 + l];

              _mm512_storeu_pd (col_vals + at, _mm512_maskz_compress_pd (nonzero, c[l]));
              _mm256_storeu_si256 ((__m256i *) (col_rows + at),
                                   _mm256_maskz_compress_epi32 (nonzero, block_rows));
              next[k0 + l] = at + __builtin_popcount (nonzero);
            }
        }
      for (guint l = 0; l < LANES; l++)
        for (guint k = d8; k < d; k++)
          {
            double v = x[(gsize) (i0 + l) * d + k];
            gsize at = next[k];

            col_rows[at] = (i0 + l) * stride;
            col_vals[at] = v;
            next[k] = at + (v != 0.0);
          }
    }
  for (guint i = n8; i < n; i++)
    for (guint k = 0; k < d; k++)
      {
        double v = x[(gsize) i * d + k];
        gsize at = next[k];

        col_rows[at] = i * stride;
        col_vals[at] = v;
        next[k] = at + (v != 0.0);
      }

  /* Each row of dW is written whole vectors at a time, its padding
   * spilling over the start of the rows after it, which are written
   * later; a row whose padding would pass dW's end goes through `last`. */
  for (guint k = 0; k < d; k++)
    {
      guint count = next[k] - start[k];
      gboolean in_place = (gsize) k * h + stride <= (gsize) d * h;
      double *out = in_place ? dw + (gsize) k * h : last;

      for (guint j = 0; j < stride; j += TILE)
        {
          guint nb = MIN (TILE, stride - j) / LANES;

#define SUM(NB) sum_rows (NB, count, col_rows + start[k], col_vals + start[k], g + j, NULL, out + j)
          switch (nb) { CASES (SUM); }
#undef SUM
        }
      if (!in_place)
        memcpy (dw + (gsize) k * h, last, h * sizeof (double));
    }
}

#pragma GCC diagnostic pop
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
  /* A block of rows at a time, so that the list of a block's entries
   * stays small (an evaluation runs 1000 examples at once). y is finite
   * or not: its numbers are added to, never multiplied. */
  yp = scratch (1, (gsize) MIN (n, ROW_BLOCK) * stride * sizeof (double));
  for (guint i0 = 0; i0 < n; i0 += ROW_BLOCK)
    {
      guint rows = MIN (ROW_BLOCK, n - i0);
      double *yb = y + (gsize) i0 * h;

      for (guint i = 0; i < rows; i++)
        {
          memcpy (yp + (gsize) i * stride, yb + (gsize) i * h, h * sizeof (double));
          memset (yp + (gsize) i * stride + h, 0, (stride - h) * sizeof (double));
        }
      product (rows, d, stride, x + (gsize) i0 * d, wp, yp);
      unpad (yp, yb, rows, h, stride);
    }
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

  if (!bp_sparse_available () || n == 0 || d == 0 || h == 0 ||
      sampled_density (x, n, d) > max_density)
    return FALSE;
  gp = padded_finite_copy (0, g, n, h, stride);
  if (gp == NULL)
    return FALSE;

  product_tn (n, d, h, stride, x, gp, dw);
  return TRUE;
#else
  return FALSE;
#endif
}
