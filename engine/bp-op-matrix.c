/* SPDX-License-Identifier: MIT */
/* Ops that move numbers between positions: repeat, sum, matmul, affine,
 * softmax. */
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "bp-blas.h"
#include "bp-op-private.h"
#include "bp-sparse.h"

static const char *const names_xw[] = { "X", "W", NULL };
static const char *const names_xwb[] = { "X", "W", "b", NULL };

/* --- repeat: n copies along an axis; backward sums them --- */

static gboolean
repeat_shape (const BpAttrs *attrs,
              const guint   *in_rows,
              const guint   *in_cols,
              guint         *out_rows,
              guint         *out_cols,
              GError       **error)
{
  guint64 rows = in_rows[0], cols = in_cols[0];

  if (attrs->times < 1)
    {
      /* Translators: "repeat" is the op's name, "times" its number of copies */
      bp_op_shape_error (error, _("repeat: times is %u; it needs to be at least 1"), attrs->times);
      return FALSE;
    }
  if (attrs->axis == 1)
    cols *= attrs->times;
  else
    rows *= attrs->times;

  if (rows * cols > BP_TENSOR_MAX_ELEMENTS)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   /* Translators: the number of copies, the value's rows×columns,
                    * the largest size allowed; "repeat" is the op's name */
                   _("repeat: %u copies of a %u×%u value would have more than %u numbers"),
                   attrs->times, in_rows[0], in_cols[0], BP_TENSOR_MAX_ELEMENTS);
      return FALSE;
    }

  *out_rows = rows;
  *out_cols = cols;
  return TRUE;
}

static void
repeat_forward (const BpAttrs   *attrs,
                BpTensor *const *in,
                BpTensor        *out)
{
  const BpTensor *x = in[0];
  gsize n = bp_tensor_n_elements (x);

  if (attrs->axis == 1)
    {
      for (guint r = 0; r < x->rows; r++)
        for (guint k = 0; k < attrs->times; k++)
          memcpy (out->data + (gsize) r * out->cols + (gsize) k * x->cols,
                  x->data + (gsize) r * x->cols, x->cols * sizeof (double));
    }
  else
    {
      for (guint k = 0; k < attrs->times; k++)
        memcpy (out->data + k * n, x->data, n * sizeof (double));
    }
}

static void
repeat_backward (const BpAttrs   *attrs,
                 BpTensor *const *in,
                 const BpTensor  *out,
                 const BpTensor  *ug,
                 BpTensor *const *dg)
{
  const BpTensor *x = in[0];
  BpTensor *dx = dg[0];
  gsize n = bp_tensor_n_elements (x);

  if (dx == NULL)
    return;
  memset (dx->data, 0, n * sizeof (double));

  /* dx = the sum of the upstream gradients of every copy. */
  if (attrs->axis == 1)
    {
      for (guint r = 0; r < x->rows; r++)
        for (guint k = 0; k < attrs->times; k++)
          for (guint c = 0; c < x->cols; c++)
            dx->data[(gsize) r * x->cols + c] +=
              ug->data[(gsize) r * ug->cols + (gsize) k * x->cols + c];
    }
  else
    {
      for (guint k = 0; k < attrs->times; k++)
        for (gsize i = 0; i < n; i++)
          dx->data[i] += ug->data[k * n + i];
    }
}

void
bp_op_sum_over_copies (const BpTensor *ug,
                       BpTensor       *dx)
{
  BpAttrs attrs = BP_ATTRS_INIT;
  g_autoptr(BpTensor) rows_summed = NULL;
  const BpTensor *from = ug;
  BpTensor *in[1];
  BpTensor *dg[1];

  g_assert (ug->rows == dx->rows || dx->rows == 1);
  g_assert (ug->cols == dx->cols || dx->cols == 1);

  if (bp_tensor_same_shape (ug, dx))
    {
      memcpy (dx->data, ug->data, bp_tensor_n_elements (dx) * sizeof (double));
      return;
    }

  /* Forward, the hidden Repeat nodes copy the columns first, then the
   * rows: backward undoes the rows first. */
  if (ug->rows != dx->rows)
    {
      attrs.axis = 0;
      attrs.times = ug->rows;
      if (ug->cols == dx->cols)
        {
          in[0] = dg[0] = dx;
          repeat_backward (&attrs, in, ug, ug, dg);
          return;
        }
      rows_summed = bp_tensor_new_uninit (1, ug->cols);
      in[0] = dg[0] = rows_summed;
      repeat_backward (&attrs, in, ug, ug, dg);
      from = rows_summed;
    }

  attrs.axis = 1;
  attrs.times = from->cols;
  in[0] = dg[0] = dx;
  repeat_backward (&attrs, in, from, from, dg);
}

const BpOp bp_op_repeat = {
  .name = "repeat", .symbol = "repeat", .title = N_("Repeat"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .attrs = BP_ATTR_TIMES | BP_ATTR_AXIS,
  .forward_text = N_("Y = n copies of x, stacked along the axis"),
  .formula = N_("∂Y/∂x = 1 for each copy"),
  .backward_text = N_("sums the n upstream gradients: dx = Σ dY of every copy"),
  .shape = repeat_shape,
  .forward = repeat_forward,
  .backward = repeat_backward,
  .local = NULL, /* n blocks of ones: not one matrix */
};

/* --- sum: along an axis or all; backward copies --- */

static gboolean
sum_shape (const BpAttrs *attrs,
           const guint   *in_rows,
           const guint   *in_cols,
           guint         *out_rows,
           guint         *out_cols,
           GError       **error)
{
  switch (attrs->axis)
    {
    case 0:
      *out_rows = 1;
      *out_cols = in_cols[0];
      break;
    case 1:
      *out_rows = in_rows[0];
      *out_cols = 1;
      break;
    default:
      *out_rows = 1;
      *out_cols = 1;
      break;
    }
  return TRUE;
}

static void
sum_forward (const BpAttrs   *attrs,
             BpTensor *const *in,
             BpTensor        *out)
{
  const BpTensor *x = in[0];

  memset (out->data, 0, bp_tensor_n_elements (out) * sizeof (double));
  for (guint r = 0; r < x->rows; r++)
    for (guint c = 0; c < x->cols; c++)
      {
        double v = x->data[(gsize) r * x->cols + c];

        switch (attrs->axis)
          {
          case 0: out->data[c] += v; break;
          case 1: out->data[r] += v; break;
          default: out->data[0] += v; break;
          }
      }
}

static void
sum_backward (const BpAttrs   *attrs,
              BpTensor *const *in,
              const BpTensor  *out,
              const BpTensor  *ug,
              BpTensor *const *dg)
{
  BpTensor *dx = dg[0];

  if (dx == NULL)
    return;
  /* Every input element gets a copy of the upstream gradient it fed. */
  for (guint r = 0; r < dx->rows; r++)
    for (guint c = 0; c < dx->cols; c++)
      {
        double g;

        switch (attrs->axis)
          {
          case 0: g = ug->data[c]; break;
          case 1: g = ug->data[r]; break;
          default: g = ug->data[0]; break;
          }
        dx->data[(gsize) r * dx->cols + c] = g;
      }
}

static BpTensor *
sum_local (const BpAttrs   *attrs,
           BpTensor *const *in,
           const BpTensor  *out,
           guint            slot)
{
  return bp_op_local_by_backward (&bp_op_sum, attrs, in, out, slot);
}

const BpOp bp_op_sum = {
  .name = "sum", .symbol = "Σ", .title = N_("Sum"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .attrs = BP_ATTR_AXIS,
  .forward_text = N_("y = Σ x, along an axis or over all elements"),
  .formula = "∂y/∂xᵢ = 1",
  .backward_text = N_("copies the upstream gradient to every input element"),
  .shape = sum_shape,
  .forward = sum_forward,
  .backward = sum_backward,
  .local = sum_local,
  .local_from_backward = TRUE,
};

/* --- matmul and affine --- */

/* Products this large go to BLAS when the library is there: a training
 * batch (100×784 · 784×50) is about 4 million multiply-adds, where a
 * tuned dgemm is several times faster than the loops below, and even
 * the book's second layer (100×50 · 50×10) is faster there (a tenth of
 * an iteration less). Small products (every example of the book) keep
 * the loops, whose order of additions the tests' exact figures were
 * written against. */
#define BLAS_MIN_WORK (16u * 16u * 16u)

static inline gboolean
use_blas (guint n, guint d, guint h)
{
  return (guint64) n * d * h >= BLAS_MIN_WORK && bp_blas_available ();
}

/* A batch of images is about half zeros (the background): X · W and
 * Xᵀ · dY can then skip them (bp-sparse.c), the same sums without the
 * terms 0 · w. Whether that pays is decided per product from X's share
 * of nonzeros, against break-even shares measured on the 784-50-10
 * net's products (Fashion-MNIST batches, thinned or filled in) against
 * OpenBLAS's dgemm: about 90 % nonzeros for X · W and 75 % for Xᵀ · dY
 * (which first sorts the entries by column); the limits below leave a
 * margin. A fixed share, not a timing: the same batch always takes the
 * same path, so a run repeats exactly. Small products keep the loops. */
#define SPARSE_MIN_WORK (64u * BLAS_MIN_WORK)
#define SPARSE_MAX_DENSITY_FORWARD 0.8
#define SPARSE_MAX_DENSITY_TRANSPOSED 0.65

/* Y (N×H) = X (N×D) · W (D×H), accumulated into Y. */
static void
matmul_add (const BpTensor *x,
            const BpTensor *w,
            BpTensor       *y)
{
  guint n = x->rows, d = x->cols, h = w->cols;

  if ((guint64) n * d * h >= SPARSE_MIN_WORK &&
      bp_sparse_matmul_add (n, d, h, x->data, w->data, y->data, SPARSE_MAX_DENSITY_FORWARD))
    return;
  if (use_blas (n, d, h))
    {
      bp_blas_dgemm (BP_BLAS_NO_TRANS, BP_BLAS_NO_TRANS, n, h, d,
                     1.0, x->data, d, w->data, h, 1.0, y->data, h);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      double *yrow = y->data + (gsize) i * h;

      for (guint k = 0; k < d; k++)
        {
          double xik = x->data[(gsize) i * d + k];
          const double *wrow = w->data + (gsize) k * h;

          for (guint j = 0; j < h; j++)
            yrow[j] += xik * wrow[j];
        }
    }
}

/* dX = dY · Wᵀ and dW = Xᵀ · dY, the rule matmul and affine share.
 * dx or dw NULL: not wanted (a data input), not computed. */
static void
matmul_grads (const BpTensor *x,
              const BpTensor *w,
              const BpTensor *gy,
              BpTensor       *dx,
              BpTensor       *dw)
{
  guint n = x->rows, d = x->cols, h = w->cols;

  if (dw != NULL && (guint64) n * d * h >= SPARSE_MIN_WORK &&
      bp_sparse_matmul_tn (n, d, h, x->data, gy->data, dw->data, SPARSE_MAX_DENSITY_TRANSPOSED))
    dw = NULL;
  if (use_blas (n, d, h))
    {
      if (dx != NULL)
        bp_blas_dgemm (BP_BLAS_NO_TRANS, BP_BLAS_TRANS, n, d, h,
                       1.0, gy->data, h, w->data, h, 0.0, dx->data, d);
      if (dw != NULL)
        bp_blas_dgemm (BP_BLAS_TRANS, BP_BLAS_NO_TRANS, d, h, n,
                       1.0, x->data, d, gy->data, h, 0.0, dw->data, h);
      return;
    }

  for (guint i = 0; dx != NULL && i < n; i++)
    {
      const double *grow = gy->data + (gsize) i * h;

      for (guint k = 0; k < d; k++)
        {
          const double *wrow = w->data + (gsize) k * h;
          double acc = 0.0;

          for (guint j = 0; j < h; j++)
            acc += grow[j] * wrow[j];
          dx->data[(gsize) i * d + k] = acc;
        }
    }

  if (dw == NULL)
    return;
  memset (dw->data, 0, bp_tensor_n_elements (dw) * sizeof (double));
  for (guint i = 0; i < n; i++)
    {
      const double *grow = gy->data + (gsize) i * h;

      for (guint k = 0; k < d; k++)
        {
          double xik = x->data[(gsize) i * d + k];
          double *dwrow = dw->data + (gsize) k * h;

          for (guint j = 0; j < h; j++)
            dwrow[j] += xik * grow[j];
        }
    }
}

static gboolean
check_xw (const char   *op_name,
          const guint  *in_rows,
          const guint  *in_cols,
          GError      **error)
{
  if (in_cols[0] != in_rows[1])
    {
      /* Translators: the op's name ("matmul"), the shapes (rows×columns) of
       * X and W, then how many rows W needs (X's number of columns) */
      bp_op_shape_error (error, g_dngettext (GETTEXT_PACKAGE,
                                             "%s: X is %u×%u but W is %u×%u; W needs %u row",
                                             "%s: X is %u×%u but W is %u×%u; W needs %u rows",
                                             in_cols[0]),
                         op_name, in_rows[0], in_cols[0], in_rows[1], in_cols[1], in_cols[0]);
      return FALSE;
    }
  if ((guint64) in_rows[0] * in_cols[1] > BP_TENSOR_MAX_ELEMENTS)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   /* Translators: the op's name, the product's rows×columns, the
                    * largest size allowed */
                   _("%s: X · W would be %u×%u, more than %u numbers"),
                   op_name, in_rows[0], in_cols[1], BP_TENSOR_MAX_ELEMENTS);
      return FALSE;
    }
  return TRUE;
}

static gboolean
matmul_shape (const BpAttrs *attrs,
              const guint   *in_rows,
              const guint   *in_cols,
              guint         *out_rows,
              guint         *out_cols,
              GError       **error)
{
  if (!check_xw ("matmul", in_rows, in_cols, error))
    return FALSE;
  *out_rows = in_rows[0];
  *out_cols = in_cols[1];
  return TRUE;
}

static void
matmul_forward (const BpAttrs   *attrs,
                BpTensor *const *in,
                BpTensor        *out)
{
  memset (out->data, 0, bp_tensor_n_elements (out) * sizeof (double));
  matmul_add (in[0], in[1], out);
}

static void
matmul_backward (const BpAttrs   *attrs,
                 BpTensor *const *in,
                 const BpTensor  *out,
                 const BpTensor  *ug,
                 BpTensor *const *dg)
{
  matmul_grads (in[0], in[1], ug, dg[0], dg[1]);
}

/* LG of X is Wᵀ, LG of W is Xᵀ: DG = UG · Wᵀ and Xᵀ · UG. */
static BpTensor *
matmul_local (const BpAttrs   *attrs,
              BpTensor *const *in,
              const BpTensor  *out,
              guint            slot)
{
  if (slot == 0)
    return bp_op_transpose (in[1]);
  if (slot == 1)
    return bp_op_transpose (in[0]);
  return NULL;
}

const BpOp bp_op_matmul = {
  .name = "matmul", .symbol = "dot", .title = N_("Matrix product"),
  .kind = BP_OP_KIND_OPERATION, .arity = 2, .input_names = names_xw,
  .forward_text = "Y = X · W",
  .formula = "∂Y/∂X = Wᵀ, ∂Y/∂W = Xᵀ",
  .backward_text = "dX = dY · Wᵀ, dW = Xᵀ · dY",
  .shape = matmul_shape,
  .forward = matmul_forward,
  .backward = matmul_backward,
  .local = matmul_local,
};

static gboolean
affine_shape (const BpAttrs *attrs,
              const guint   *in_rows,
              const guint   *in_cols,
              guint         *out_rows,
              guint         *out_cols,
              GError       **error)
{
  if (!check_xw ("affine", in_rows, in_cols, error))
    return FALSE;
  if (in_rows[2] != 1 || in_cols[2] != in_cols[1])
    {
      /* Translators: the shapes (rows×columns) of the bias b and of X · W, then
       * the columns b needs; "affine" is the op's name */
      bp_op_shape_error (error, _("affine: b is %u×%u but X · W is %u×%u; b needs to be 1×%u"),
                         in_rows[2], in_cols[2], in_rows[0], in_cols[1], in_cols[1]);
      return FALSE;
    }
  *out_rows = in_rows[0];
  *out_cols = in_cols[1];
  return TRUE;
}

static void
affine_forward (const BpAttrs   *attrs,
                BpTensor *const *in,
                BpTensor        *out)
{
  const BpTensor *b = in[2];

  /* b is added to every row of the batch. */
  for (guint i = 0; i < out->rows; i++)
    memcpy (out->data + (gsize) i * out->cols, b->data, out->cols * sizeof (double));
  matmul_add (in[0], in[1], out);
}

static void
affine_backward (const BpAttrs   *attrs,
                 BpTensor *const *in,
                 const BpTensor  *out,
                 const BpTensor  *ug,
                 BpTensor *const *dg)
{
  BpTensor *db = dg[2];

  matmul_grads (in[0], in[1], ug, dg[0], dg[1]);

  if (db == NULL)
    return;
  /* db = Σ over the batch of dY. */
  memset (db->data, 0, db->cols * sizeof (double));
  for (guint i = 0; i < ug->rows; i++)
    for (guint j = 0; j < ug->cols; j++)
      db->data[j] += ug->data[(gsize) i * ug->cols + j];
}

static BpTensor *
affine_local (const BpAttrs   *attrs,
              BpTensor *const *in,
              const BpTensor  *out,
              guint            slot)
{
  /* b's local gradient is a column of ones summed over the batch: not
   * one matrix to multiply by. */
  return slot < 2 ? matmul_local (attrs, in, out, slot) : NULL;
}

const BpOp bp_op_affine = {
  .name = "affine", .symbol = "Affine", .title = N_("Affine"),
  .kind = BP_OP_KIND_LAYER, .arity = 3, .input_names = names_xwb,
  .forward_text = "Y = X · W + b",
  .formula = "∂Y/∂X = Wᵀ, ∂Y/∂W = Xᵀ, ∂Y/∂b = 1",
  .backward_text = N_("dX = dY · Wᵀ, dW = Xᵀ · dY, db = Σ over the batch of dY"),
  .shape = affine_shape,
  .forward = affine_forward,
  .backward = affine_backward,
  .local = affine_local,
  .expandable = TRUE,
};

/* --- softmax, row by row --- */

void
bp_op_softmax_rows (const double *x,
                    double       *y,
                    guint         rows,
                    guint         cols)
{
  for (guint r = 0; r < rows; r++)
    {
      const double *xr = x + (gsize) r * cols;
      double *yr = y + (gsize) r * cols;
      double max = xr[0], sum = 0.0;

      for (guint c = 1; c < cols; c++)
        if (xr[c] > max)
          max = xr[c];
      for (guint c = 0; c < cols; c++)
        {
          yr[c] = exp (xr[c] - max);
          sum += yr[c];
        }
      for (guint c = 0; c < cols; c++)
        yr[c] /= sum;
    }
}

static gboolean
softmax_shape (const BpAttrs *attrs,
               const guint   *in_rows,
               const guint   *in_cols,
               guint         *out_rows,
               guint         *out_cols,
               GError       **error)
{
  *out_rows = in_rows[0];
  *out_cols = in_cols[0];
  return TRUE;
}

static void
softmax_forward (const BpAttrs   *attrs,
                 BpTensor *const *in,
                 BpTensor        *out)
{
  bp_op_softmax_rows (in[0]->data, out->data, out->rows, out->cols);
}

static void
softmax_backward (const BpAttrs   *attrs,
                  BpTensor *const *in,
                  const BpTensor  *out,
                  const BpTensor  *ug,
                  BpTensor *const *dg)
{
  /* dx = y ⊙ (dy − Σ dy ⊙ y), per row: the Jacobian yᵢ(δᵢⱼ − yⱼ) applied. */
  for (guint r = 0; dg[0] != NULL && r < out->rows; r++)
    {
      const double *yr = out->data + (gsize) r * out->cols;
      const double *gr = ug->data + (gsize) r * out->cols;
      double *dr = dg[0]->data + (gsize) r * out->cols;
      double dot = 0.0;

      for (guint c = 0; c < out->cols; c++)
        dot += gr[c] * yr[c];
      for (guint c = 0; c < out->cols; c++)
        dr[c] = yr[c] * (gr[c] - dot);
    }
}

const BpOp bp_op_softmax = {
  .name = "softmax", .symbol = "Softmax", .title = N_("Softmax"),
  .kind = BP_OP_KIND_LAYER, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = N_("yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ), row by row"),
  .formula = "∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)",
  .backward_text = N_("dx = y ⊙ (dy − Σ dy ⊙ y), row by row"),
  .shape = softmax_shape,
  .forward = softmax_forward,
  .backward = softmax_backward,
  .local = NULL, /* a Jacobian per row, not one matrix */
  .expandable = TRUE,
};
