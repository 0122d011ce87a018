/* SPDX-License-Identifier: MIT */
/* Losses: each reduces to a 1×1 value, the start of the backward pass. */
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "bp-op-private.h"

/* Keeps log() away from 0, as the book does. */
#define DELTA 1e-7

static const char *const names_yt[] = { "y", "t", NULL };
static const char *const names_xt[] = { "x", "t", NULL };

/* Targets t are either one-hot (the shape of y; any numbers work) or one
 * class label per row (N×1) when y has several columns. A label outside
 * 0 … C−1 makes the loss NaN. */
static inline gboolean
targets_are_labels (const BpTensor *y,
                    const BpTensor *t)
{
  return y->cols > 1 && t->cols == 1;
}

/* A label is rounded to the nearest class, so that the loss is flat in
 * it (its gradient 0) rather than undefined a hair away from an integer. */
static inline gboolean
label_of (double  v,
          guint   n_classes,
          guint  *label)
{
  double r = floor (v + 0.5);

  if (!(r >= 0.0 && r < n_classes))
    return FALSE;
  *label = (guint) r;
  return TRUE;
}

static gboolean
targets_shape (const char   *op_name,
               const char   *y_name,
               const guint  *in_rows,
               const guint  *in_cols,
               guint        *out_rows,
               guint        *out_cols,
               GError      **error)
{
  gboolean one_hot = in_rows[1] == in_rows[0] && in_cols[1] == in_cols[0];
  gboolean labels = in_rows[1] == in_rows[0] && in_cols[1] == 1 && in_cols[0] > 1;

  if (!one_hot && !labels)
    {
      /* Translators: the op's name, the first input's name ("y" or "x"), the
       * shapes (rows×columns) of it and of the labels t, then the shapes t may
       * have: the same (one-hot labels) or one column of class numbers */
      bp_op_shape_error (error, _("%s: %s is %u×%u but t is %u×%u; t needs to be %u×%u (one-hot) or %u×1 (labels)"),
                         op_name, y_name, in_rows[0], in_cols[0], in_rows[1], in_cols[1],
                         in_rows[0], in_cols[0], in_rows[0]);
      return FALSE;
    }
  *out_rows = 1;
  *out_cols = 1;
  return TRUE;
}

/* −Σ t·log(y + δ) / N, over probabilities `y` (N×C). */
static double
cross_entropy_value (const double   *y,
                     guint           rows,
                     guint           cols,
                     const BpTensor *t,
                     gboolean        labels)
{
  double sum = 0.0;

  for (guint r = 0; r < rows; r++)
    {
      const double *yr = y + (gsize) r * cols;

      if (labels)
        {
          guint l;

          if (!label_of (t->data[r], cols, &l))
            return NAN;
          sum += log (yr[l] + DELTA);
        }
      else
        {
          const double *tr = t->data + (gsize) r * cols;

          for (guint c = 0; c < cols; c++)
            sum += tr[c] * log (yr[c] + DELTA);
        }
    }

  return -sum / rows;
}

/* ∂L/∂y and ∂L/∂t of the cross entropy, times the upstream gradient u.
 * dy or dt may be NULL (not wanted). */
static void
cross_entropy_grads (const double   *y,
                     guint           rows,
                     guint           cols,
                     const BpTensor *t,
                     gboolean        labels,
                     double          u,
                     double         *dy,
                     double         *dt)
{
  double scale = u / rows;

  for (guint r = 0; r < rows; r++)
    {
      const double *yr = y + (gsize) r * cols;
      double *dyr = dy != NULL ? dy + (gsize) r * cols : NULL;

      if (labels)
        {
          guint l;

          if (dyr == NULL)
            ;
          else if (!label_of (t->data[r], cols, &l))
            {
              for (guint c = 0; c < cols; c++)
                dyr[c] = NAN;
            }
          else
            {
              memset (dyr, 0, cols * sizeof (double));
              dyr[l] = -scale / (yr[l] + DELTA);
            }
          /* A label is a class number: the loss is flat in it. */
          if (dt != NULL)
            dt[r] = 0.0;
        }
      else
        {
          const double *tr = t->data + (gsize) r * cols;

          for (guint c = 0; c < cols; c++)
            {
              if (dyr != NULL)
                dyr[c] = -scale * tr[c] / (yr[c] + DELTA);
              if (dt != NULL)
                dt[(gsize) r * cols + c] = -scale * log (yr[c] + DELTA);
            }
        }
    }
}

/* --- cross_entropy --- */

static gboolean
cross_entropy_shape (const BpAttrs *attrs,
                     const guint   *in_rows,
                     const guint   *in_cols,
                     guint         *out_rows,
                     guint         *out_cols,
                     GError       **error)
{
  return targets_shape ("cross_entropy", "y", in_rows, in_cols, out_rows, out_cols, error);
}

static void
cross_entropy_forward (const BpAttrs   *attrs,
                       BpTensor *const *in,
                       BpTensor        *out)
{
  const BpTensor *y = in[0];

  out->data[0] = cross_entropy_value (y->data, y->rows, y->cols, in[1],
                                      targets_are_labels (y, in[1]));
}

static void
cross_entropy_backward (const BpAttrs   *attrs,
                        BpTensor *const *in,
                        const BpTensor  *out,
                        const BpTensor  *ug,
                        BpTensor *const *dg)
{
  const BpTensor *y = in[0];

  cross_entropy_grads (y->data, y->rows, y->cols, in[1], targets_are_labels (y, in[1]),
                       ug->data[0], dg[0] != NULL ? dg[0]->data : NULL,
                       dg[1] != NULL ? dg[1]->data : NULL);
}

static BpTensor *
cross_entropy_local (const BpAttrs   *attrs,
                     BpTensor *const *in,
                     const BpTensor  *out,
                     guint            slot)
{
  return bp_op_local_by_backward (&bp_op_cross_entropy, attrs, in, out, slot);
}

const BpOp bp_op_cross_entropy = {
  .name = "cross_entropy", .symbol = "Cross Entropy", .title = N_("Cross entropy"),
  .kind = BP_OP_KIND_LAYER, .arity = 2, .input_names = names_yt,
  .forward_text = N_("L = −Σ t·log(y + 1e-7) / N (N rows)"),
  .formula = "∂L/∂y = −t / ((y + 1e-7)·N), ∂L/∂t = −log(y + 1e-7) / N",
  .backward_text = "dy = −dL·t / ((y + 1e-7)·N); dt = −dL·log(y + 1e-7) / N",
  .shape = cross_entropy_shape,
  .forward = cross_entropy_forward,
  .backward = cross_entropy_backward,
  .local = cross_entropy_local,
  .local_from_backward = TRUE,
  .expandable = TRUE,
};

/* --- softmax_with_loss --- */

static gboolean
softmax_with_loss_shape (const BpAttrs *attrs,
                         const guint   *in_rows,
                         const guint   *in_cols,
                         guint         *out_rows,
                         guint         *out_cols,
                         GError       **error)
{
  return targets_shape ("softmax_with_loss", "x", in_rows, in_cols, out_rows, out_cols, error);
}

static void
softmax_with_loss_forward (const BpAttrs   *attrs,
                           BpTensor *const *in,
                           BpTensor        *out)
{
  const BpTensor *x = in[0];
  g_autofree double *y = g_new (double, bp_tensor_n_elements (x));

  bp_op_softmax_rows (x->data, y, x->rows, x->cols);
  out->data[0] = cross_entropy_value (y, x->rows, x->cols, in[1],
                                      targets_are_labels (x, in[1]));
}

/* Σt of row r is 1 (a label always is): the book's rule applies. */
static gboolean
row_sums_to_one (const BpTensor *t,
                 gboolean        labels,
                 guint           r,
                 guint           cols)
{
  double sum = 0.0;

  if (labels)
    return TRUE;
  for (guint c = 0; c < cols; c++)
    sum += t->data[(gsize) r * cols + c];
  return fabs (sum - 1.0) <= 1e-9;
}

static void
softmax_with_loss_backward (const BpAttrs   *attrs,
                            BpTensor *const *in,
                            const BpTensor  *out,
                            const BpTensor  *ug,
                            BpTensor *const *dg)
{
  const BpTensor *x = in[0];
  const BpTensor *t = in[1];
  gboolean labels = targets_are_labels (x, t);
  guint rows = x->rows, cols = x->cols;
  double scale = ug->data[0] / rows;
  g_autofree double *y = NULL;
  g_autofree double *gy = NULL;

  if (dg[0] == NULL && dg[1] == NULL)
    return;
  y = g_new (double, bp_tensor_n_elements (x));
  gy = g_new (double, bp_tensor_n_elements (x));

  bp_op_softmax_rows (x->data, y, rows, cols);
  cross_entropy_grads (y, rows, cols, t, labels, ug->data[0], gy,
                       dg[1] != NULL ? dg[1]->data : NULL);

  for (guint r = 0; dg[0] != NULL && r < rows; r++)
    {
      const double *yr = y + (gsize) r * cols;
      const double *gr = gy + (gsize) r * cols;
      double *dr = dg[0]->data + (gsize) r * cols;
      double dot = 0.0;

      if (row_sums_to_one (t, labels, r, cols))
        {
          /* The book's layer: (y − t)/N. It leaves out the 1e-7 that the
           * loss adds inside the log, which matters only when y of the
           * right class is tiny (a confidently wrong prediction: there
           * the exact derivative of log(y + 1e-7) flattens out, while
           * (y − t)/N keeps pulling, as PyTorch's does). */
          for (guint c = 0; c < cols; c++)
            {
              double tc;

              if (labels)
                {
                  guint l;

                  if (!label_of (t->data[r], cols, &l))
                    {
                      dr[c] = NAN;
                      continue;
                    }
                  tc = c == l ? 1.0 : 0.0;
                }
              else
                tc = t->data[(gsize) r * cols + c];
              dr[c] = scale * (yr[c] - tc);
            }
          continue;
        }

      /* Targets that do not sum to 1: (y − t)/N is not the derivative
       * of anything; send the exact one, the cross entropy's gradient
       * back through the softmax. */
      for (guint c = 0; c < cols; c++)
        dot += gr[c] * yr[c];
      for (guint c = 0; c < cols; c++)
        dr[c] = yr[c] * (gr[c] - dot);
    }
}

static BpTensor *
softmax_with_loss_local (const BpAttrs   *attrs,
                         BpTensor *const *in,
                         const BpTensor  *out,
                         guint            slot)
{
  return bp_op_local_by_backward (&bp_op_softmax_with_loss, attrs, in, out, slot);
}

const BpOp bp_op_softmax_with_loss = {
  .name = "softmax_with_loss", .symbol = "Softmax-with-Loss", .title = N_("Softmax with loss"),
  .kind = BP_OP_KIND_LAYER, .arity = 2, .input_names = names_xt,
  .forward_text = N_("L = cross_entropy(softmax(x), t)"),
  .formula = N_("∂L/∂x = (y − t) / N, with y = softmax(x)"),
  .backward_text = N_("dx = dL·(y − t) / N, the book's rule, for rows of t that sum to 1 (it leaves out the 1e-7 inside the log; other rows get the exact derivative); dt = −dL·log(y + 1e-7) / N"),
  .shape = softmax_with_loss_shape,
  .forward = softmax_with_loss_forward,
  .backward = softmax_with_loss_backward,
  .local = softmax_with_loss_local,
  .local_from_backward = TRUE,
  .expandable = TRUE,
};

/* --- mse --- */

static gboolean
mse_shape (const BpAttrs *attrs,
           const guint   *in_rows,
           const guint   *in_cols,
           guint         *out_rows,
           guint         *out_cols,
           GError       **error)
{
  if (in_rows[0] != in_rows[1] || in_cols[0] != in_cols[1])
    {
      /* Translators: the shapes (rows×columns) of y and t; "mse" is the op's name */
      bp_op_shape_error (error, _("mse: y is %u×%u but t is %u×%u; both need the same shape"),
                         in_rows[0], in_cols[0], in_rows[1], in_cols[1]);
      return FALSE;
    }
  *out_rows = 1;
  *out_cols = 1;
  return TRUE;
}

static void
mse_forward (const BpAttrs   *attrs,
             BpTensor *const *in,
             BpTensor        *out)
{
  gsize n = bp_tensor_n_elements (in[0]);
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double d = in[0]->data[i] - in[1]->data[i];
      sum += d * d;
    }
  out->data[0] = 0.5 * sum;
}

static void
mse_backward (const BpAttrs   *attrs,
              BpTensor *const *in,
              const BpTensor  *out,
              const BpTensor  *ug,
              BpTensor *const *dg)
{
  gsize n = bp_tensor_n_elements (in[0]);
  double u = ug->data[0];

  for (gsize i = 0; i < n; i++)
    {
      double d = in[0]->data[i] - in[1]->data[i];

      if (dg[0] != NULL)
        dg[0]->data[i] = u * d;
      if (dg[1] != NULL)
        dg[1]->data[i] = -u * d;
    }
}

static BpTensor *
mse_local (const BpAttrs   *attrs,
           BpTensor *const *in,
           const BpTensor  *out,
           guint            slot)
{
  return bp_op_local_by_backward (&bp_op_mse, attrs, in, out, slot);
}

const BpOp bp_op_mse = {
  .name = "mse", .symbol = "MSE", .title = N_("Squared error"),
  .kind = BP_OP_KIND_LAYER, .arity = 2, .input_names = names_yt,
  .forward_text = "L = ½ Σ (y − t)²",
  .formula = "∂L/∂y = y − t, ∂L/∂t = −(y − t)",
  .backward_text = "dy = dL·(y − t), dt = −dL·(y − t)",
  .shape = mse_shape,
  .forward = mse_forward,
  .backward = mse_backward,
  .local = mse_local,
  .local_from_backward = TRUE,
};
