/* SPDX-License-Identifier: MIT */
/* The products that skip X's zeros against plain loops, and the cases
 * where they must decline (X too dense, W not finite). */
#include <math.h>
#include <string.h>

#include "bp-engine.h"
#include "bp-sparse.h"

/* X with about `zeros` of its entries 0 (some −0), the rest in (−1, 1). */
static double *
random_x (GRand  *rand,
          guint   n,
          guint   d,
          double  zeros)
{
  double *x = g_new (double, (gsize) n * d);

  for (gsize i = 0; i < (gsize) n * d; i++)
    {
      double u = g_rand_double (rand);

      x[i] = u < zeros ? (u < zeros / 8 ? -0.0 : 0.0) : g_rand_double_range (rand, -1, 1);
    }
  return x;
}

static double *
random_matrix (GRand *rand,
               guint  rows,
               guint  cols)
{
  double *m = g_new (double, (gsize) rows * cols);

  for (gsize i = 0; i < (gsize) rows * cols; i++)
    m[i] = g_rand_double_range (rand, -1, 1);
  return m;
}

/* |a − b| within rounding of a sum of `terms` products of numbers ≤ 1. */
static void
assert_close (const double *a,
              const double *b,
              gsize         n,
              guint         terms)
{
  for (gsize i = 0; i < n; i++)
    if (fabs (a[i] - b[i]) > 1e-15 * (terms + 1) * 4)
      g_error ("entry %" G_GSIZE_FORMAT ": %.17g, expected %.17g", i, a[i], b[i]);
}

static const guint shapes[][3] = {
  { 100, 784, 50 }, /* the book's first layer */
  { 13, 37, 10 },
  { 9, 64, 8 },
  { 20, 100, 130 }, /* more columns than one tile */
  { 8, 8, 1 },
  { 3, 200, 70 },
  { 17, 5, 64 },
  { 300, 30, 20 }, /* several blocks of rows */
};

static void
test_sparse_products (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  if (!bp_sparse_available ())
    {
      g_test_skip ("this processor has no AVX-512: the products stay dense");
      return;
    }

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint z = 0; z < 3; z++)
      {
        guint n = shapes[s][0], d = shapes[s][1], h = shapes[s][2];
        double zeros = z == 0 ? 0.5 : z == 1 ? 0.9 : 0.0;
        g_autofree double *x = random_x (rand, n, d, zeros);
        g_autofree double *w = random_matrix (rand, d, h);
        g_autofree double *g = random_matrix (rand, n, h);
        g_autofree double *y = random_matrix (rand, n, h);
        g_autofree double *y_plain = g_memdup2 (y, (gsize) n * h * sizeof (double));
        g_autofree double *dw = g_new (double, (gsize) d * h);
        g_autofree double *dw_plain = g_new0 (double, (gsize) d * h);

        for (guint i = 0; i < n; i++)
          for (guint k = 0; k < d; k++)
            for (guint j = 0; j < h; j++)
              {
                y_plain[(gsize) i * h + j] += x[(gsize) i * d + k] * w[(gsize) k * h + j];
                dw_plain[(gsize) k * h + j] += x[(gsize) i * d + k] * g[(gsize) i * h + j];
              }

        g_assert_true (bp_sparse_matmul_add (n, d, h, x, w, y, 1.0));
        assert_close (y, y_plain, (gsize) n * h, d);
        g_assert_true (bp_sparse_matmul_tn (n, d, h, x, g, dw, 1.0));
        assert_close (dw, dw_plain, (gsize) d * h, n);
      }
}

static void
test_sparse_declines (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  guint n = 16, d = 40, h = 12;
  g_autofree double *x = random_x (rand, n, d, 0.0);
  g_autofree double *w = random_matrix (rand, d, h);
  g_autofree double *y = random_matrix (rand, n, h);
  g_autofree double *y_before = g_memdup2 (y, (gsize) n * h * sizeof (double));
  g_autofree double *dw = g_new0 (double, (gsize) d * h);

  if (!bp_sparse_available ())
    {
      g_assert_false (bp_sparse_matmul_add (n, d, h, x, w, y, 1.0));
      g_test_skip ("this processor has no AVX-512: the products stay dense");
      return;
    }

  /* Too dense for the limit asked: nothing done. */
  g_assert_false (bp_sparse_matmul_add (n, d, h, x, w, y, 0.5));
  g_assert_cmpmem (y, (gsize) n * h * sizeof (double), y_before, (gsize) n * h * sizeof (double));
  g_assert_false (bp_sparse_matmul_tn (n, d, h, x, y, dw, 0.5));

  /* A W that is not finite: 0 · ∞ is NaN, which skipping would hide. */
  w[3] = INFINITY;
  g_assert_false (bp_sparse_matmul_add (n, d, h, x, w, y, 1.0));
  g_assert_cmpmem (y, (gsize) n * h * sizeof (double), y_before, (gsize) n * h * sizeof (double));
  w[3] = NAN;
  g_assert_false (bp_sparse_matmul_add (n, d, h, x, w, y, 1.0));
  y[5] = INFINITY;
  g_assert_false (bp_sparse_matmul_tn (n, d, h, x, y, dw, 1.0));
}

/* Through the op, on a product large enough for the kernel: a zero
 * column of X times an infinite row of W gives NaN, as in numpy. */
static void
test_sparse_op_nan (void)
{
  const BpOp *matmul = bp_op_lookup ("matmul");
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autoptr(BpTensor) x = bp_tensor_new (100, 784);
  g_autoptr(BpTensor) w = bp_tensor_new (784, 50);
  g_autoptr(BpTensor) y = bp_tensor_new (100, 50);
  BpAttrs attrs = BP_ATTRS_INIT;
  BpTensor *in[2] = { x, w };

  for (gsize i = 0; i < bp_tensor_n_elements (x); i++)
    if (i % 784 != 0 && g_rand_boolean (rand))
      x->data[i] = g_rand_double (rand);
  for (gsize i = 0; i < bp_tensor_n_elements (w); i++)
    w->data[i] = g_rand_double_range (rand, -1, 1);

  matmul->forward (&attrs, in, y);
  for (gsize i = 0; i < bp_tensor_n_elements (y); i++)
    g_assert_true (isfinite (y->data[i]));

  w->data[7] = INFINITY;   /* row 0, which column 0 of X (all zeros) meets */
  matmul->forward (&attrs, in, y);
  for (guint i = 0; i < 100; i++)
    g_assert_true (isnan (y->data[(gsize) i * 50 + 7]));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sparse/products", test_sparse_products);
  g_test_add_func ("/sparse/declines", test_sparse_declines);
  g_test_add_func ("/sparse/op-nan", test_sparse_op_nan);
  return g_test_run ();
}
