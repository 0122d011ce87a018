/* SPDX-License-Identifier: MIT */
/* Elementwise ops: each backward is one line, the book's local rule. */
#include <math.h>

#include <glib/gi18n-lib.h>

#include "bp-op-private.h"

/* numpy's broadcasting: each side the same, or 1 and copied. */
static gboolean
broadcast_shape (const char   *op_name,
                 const guint  *in_rows,
                 const guint  *in_cols,
                 guint        *out_rows,
                 guint        *out_cols,
                 GError      **error)
{
  if (!bp_op_broadcast_shape (in_rows[0], in_cols[0], in_rows[1], in_cols[1], out_rows, out_cols))
    {
      /* Translators: the op's name ("add"), then the shapes (rows×columns)
       * of x and y; N×D stands for any shape */
      bp_op_shape_error (error, _("%s: x is %u×%u but y is %u×%u; both need the same shape, "
                                  "or one of them must be 1 where they differ, to be copied "
                                  "(broadcast) as numpy does: a 1×1, a 1×D row or an N×1 "
                                  "column with an N×D matrix"),
                         op_name, in_rows[0], in_cols[0], in_rows[1], in_cols[1]);
      return FALSE;
    }
  return TRUE;
}

/* Inline: asked at every call of a binary kernel. */
static inline gboolean
same_shape (const BpTensor *a,
            const BpTensor *b)
{
  return a->rows == b->rows && a->cols == b->cols;
}

/* Where element (r, c) of a broadcast output reads a smaller input. */
static inline gsize
broadcast_index (const BpTensor *t,
                 guint           r,
                 guint           c)
{
  return (gsize) (t->rows == 1 ? 0 : r) * t->cols + (t->cols == 1 ? 0 : c);
}

static gboolean
unary_shape (const BpAttrs *attrs,
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

/* The loops are the same for every op; only the expressions differ.
 * In FWD: x (and y for binary ops). In BWD: x, y, z (output), g (the
 * upstream gradient) → dx (and dy). */
#define UNARY_KERNELS(op, FWD, BWD)                                            \
static void                                                                    \
op##_forward (const BpAttrs *attrs, BpTensor *const *in, BpTensor *out)        \
{                                                                              \
  const double *xs = in[0]->data;                                              \
  double *zs = out->data;                                                      \
  gsize n = bp_tensor_n_elements (out);                                        \
  (void) attrs;                                                                \
  for (gsize i = 0; i < n; i++)                                                \
    {                                                                          \
      double x = xs[i];                                                        \
      zs[i] = (FWD);                                                           \
    }                                                                          \
}                                                                              \
static void                                                                    \
op##_backward (const BpAttrs *attrs, BpTensor *const *in, const BpTensor *out, \
               const BpTensor *ug, BpTensor *const *dg)                        \
{                                                                              \
  const double *xs = in[0]->data, *zs = out->data, *gs = ug->data;             \
  double *dxs;                                                                 \
  gsize n = bp_tensor_n_elements (out);                                        \
  (void) attrs;                                                                \
  if (dg[0] == NULL)                                                           \
    return;                                                                    \
  dxs = dg[0]->data;                                                           \
  for (gsize i = 0; i < n; i++)                                                \
    {                                                                          \
      double x = xs[i], z = zs[i], g = gs[i];                                  \
      (void) x; (void) z;                                                      \
      dxs[i] = (BWD);                                                          \
    }                                                                          \
}                                                                              \
static BpTensor *                                                              \
op##_local (const BpAttrs *attrs, BpTensor *const *in, const BpTensor *out,    \
            guint slot)                                                        \
{                                                                              \
  return bp_op_local_by_backward (&bp_op_##op, attrs, in, out, slot);          \
}

/* A binary op on inputs of the output's shape is one loop; an input
 * that broadcasts is read at its copied position, and its gradient,
 * computed for every copy, is then summed over the copies by the Repeat
 * node's rule (bp_op_sum_over_copies): the rule of the op stays one
 * expression, and the sum stays the Repeat node's. */
#define BINARY_KERNELS(op, FWD, BWD_X, BWD_Y)                                  \
static void                                                                    \
op##_forward (const BpAttrs *attrs, BpTensor *const *in, BpTensor *out)        \
{                                                                              \
  const double *xs = in[0]->data, *ys = in[1]->data;                           \
  double *zs = out->data;                                                      \
  gsize n = bp_tensor_n_elements (out);                                        \
  if (G_LIKELY (same_shape (in[0], out)                                        \
                && same_shape (in[1], out)))                                   \
    {                                                                          \
      for (gsize i = 0; i < n; i++)                                            \
        {                                                                      \
          double x = xs[i], y = ys[i];                                         \
          zs[i] = (FWD);                                                       \
        }                                                                      \
      return;                                                                  \
    }                                                                          \
  for (guint r = 0; r < out->rows; r++)                                        \
    for (guint c = 0; c < out->cols; c++)                                      \
      {                                                                        \
        double x = xs[broadcast_index (in[0], r, c)];                          \
        double y = ys[broadcast_index (in[1], r, c)];                          \
        zs[(gsize) r * out->cols + c] = (FWD);                                 \
      }                                                                        \
}                                                                              \
static void                                                                    \
op##_backward (const BpAttrs *attrs, BpTensor *const *in, const BpTensor *out, \
               const BpTensor *ug, BpTensor *const *dg)                        \
{                                                                              \
  const double *xs = in[0]->data, *ys = in[1]->data;                           \
  const double *zs = out->data, *gs = ug->data;                                \
  double *dxs = dg[0] != NULL ? dg[0]->data : NULL;                            \
  double *dys = dg[1] != NULL ? dg[1]->data : NULL;                            \
  gsize n = bp_tensor_n_elements (out);                                        \
  BpTensor *copies[2] = { NULL, NULL };                                        \
  if (G_LIKELY (same_shape (in[0], out) && same_shape (in[1], out)))           \
    {                                                                          \
      for (gsize i = 0; dxs != NULL && i < n; i++)                             \
        {                                                                      \
          double x = xs[i], y = ys[i], z = zs[i], g = gs[i];                   \
          (void) x; (void) y; (void) z;                                        \
          dxs[i] = (BWD_X);                                                    \
        }                                                                      \
      for (gsize i = 0; dys != NULL && i < n; i++)                             \
        {                                                                      \
          double x = xs[i], y = ys[i], z = zs[i], g = gs[i];                   \
          (void) x; (void) y; (void) z;                                        \
          dys[i] = (BWD_Y);                                                    \
        }                                                                      \
      return;                                                                  \
    }                                                                          \
  /* The gradient of every copy first, then their sum. */                      \
  for (guint s = 0; s < 2; s++)                                                \
    if (dg[s] != NULL && !same_shape (in[s], out))                             \
      copies[s] = bp_tensor_new_uninit (out->rows, out->cols);                 \
  if (copies[0] != NULL)                                                       \
    dxs = copies[0]->data;                                                     \
  if (copies[1] != NULL)                                                       \
    dys = copies[1]->data;                                                     \
  for (guint r = 0; r < out->rows; r++)                                        \
    for (guint c = 0; c < out->cols; c++)                                      \
      {                                                                        \
        gsize i = (gsize) r * out->cols + c;                                   \
        double x = xs[broadcast_index (in[0], r, c)];                          \
        double y = ys[broadcast_index (in[1], r, c)];                          \
        double z = zs[i], g = gs[i];                                           \
        (void) x; (void) y; (void) z;                                          \
        if (dxs != NULL)                                                       \
          dxs[i] = (BWD_X);                                                    \
        if (dys != NULL)                                                       \
          dys[i] = (BWD_Y);                                                    \
      }                                                                        \
  for (guint s = 0; s < 2; s++)                                                \
    if (copies[s] != NULL)                                                     \
      {                                                                        \
        bp_op_sum_over_copies (copies[s], dg[s]);                              \
        bp_tensor_unref (copies[s]);                                           \
      }                                                                        \
}                                                                              \
static gboolean                                                                \
op##_shape (const BpAttrs *attrs, const guint *in_rows, const guint *in_cols,  \
            guint *out_rows, guint *out_cols, GError **error)                  \
{                                                                              \
  return broadcast_shape (#op, in_rows, in_cols, out_rows, out_cols, error);   \
}                                                                              \
static BpTensor *                                                              \
op##_local (const BpAttrs *attrs, BpTensor *const *in, const BpTensor *out,    \
            guint slot)                                                        \
{                                                                              \
  /* A copied input's DG is a sum over its copies, not UG ⊙ LG. */             \
  if (!same_shape (in[slot], out))                                             \
    return NULL;                                                               \
  return bp_op_local_by_backward (&bp_op_##op, attrs, in, out, slot);          \
}

#define ENTRY_FUNCS(op) \
  .shape = op##_shape, .forward = op##_forward, .backward = op##_backward, .local = op##_local, \
  .local_from_backward = TRUE, .broadcasts = TRUE
#define UNARY_FUNCS(op) \
  .shape = unary_shape, .forward = op##_forward, .backward = op##_backward, .local = op##_local, \
  .local_from_backward = TRUE

/* --- binary --- */

BINARY_KERNELS (add, x + y, g, g)
BINARY_KERNELS (sub, x - y, g, -g)
BINARY_KERNELS (mul, x * y, g * y, g * x)
BINARY_KERNELS (div, x / y, g / y, -g * x / (y * y))

const BpOp bp_op_add = {
  .name = "add", .symbol = "+", .title = N_("Add"),
  .kind = BP_OP_KIND_OPERATION, .arity = 2, .input_names = bp_op_names_xy,
  .forward_text = "z = x + y",
  .formula = "∂z/∂x = 1, ∂z/∂y = 1",
  .backward_text = N_("passes the upstream gradient through: dx = dz, dy = dz; an input copied to fit the other's shape gets the sum over its copies"),
  ENTRY_FUNCS (add),
};

const BpOp bp_op_sub = {
  .name = "sub", .symbol = "−", .title = N_("Subtract"),
  .kind = BP_OP_KIND_OPERATION, .arity = 2, .input_names = bp_op_names_xy,
  .forward_text = "z = x − y",
  .formula = "∂z/∂x = 1, ∂z/∂y = −1",
  .backward_text = N_("passes the upstream gradient through, with a minus sign for y: dx = dz, dy = −dz; an input copied to fit the other's shape gets the sum over its copies"),
  ENTRY_FUNCS (sub),
};

const BpOp bp_op_mul = {
  .name = "mul", .symbol = "×", .title = N_("Multiply"),
  .kind = BP_OP_KIND_OPERATION, .arity = 2, .input_names = bp_op_names_xy,
  .forward_text = "z = x × y",
  .formula = "∂z/∂x = y, ∂z/∂y = x",
  .backward_text = N_("swaps the inputs: dx = dz·y, dy = dz·x; an input copied to fit the other's shape gets the sum over its copies"),
  ENTRY_FUNCS (mul),
};

const BpOp bp_op_div = {
  .name = "div", .symbol = "÷", .title = N_("Divide"),
  .kind = BP_OP_KIND_OPERATION, .arity = 2, .input_names = bp_op_names_xy,
  .forward_text = "z = x / y",
  .formula = "∂z/∂x = 1/y, ∂z/∂y = −x/y²",
  .backward_text = N_("dx = dz/y, dy = −dz·x/y²; an input copied to fit the other's shape gets the sum over its copies"),
  ENTRY_FUNCS (div),
};

/* --- unary --- */

static inline double
sigmoid (double x)
{
  /* Never exp() of a large positive number. */
  if (x >= 0)
    return 1.0 / (1.0 + exp (-x));
  else
    {
      double e = exp (x);
      return e / (1.0 + e);
    }
}

/* x > 0 ? v : 0, without a branch: half of a layer's inputs are
 * negative in no pattern a branch predictor learns, and the branch cost
 * ReLU more than its arithmetic. */
static inline double
if_positive (double x,
             double v)
{
  guint64 bits;

  memcpy (&bits, &v, sizeof bits);
  bits &= -(guint64) (x > 0.0);
  memcpy (&v, &bits, sizeof v);
  return v;
}

/* x^p; its derivative p·x^(p−1) is 0 everywhere when p is 0. */
static inline double
pow_derivative (double x,
                double p)
{
  return p == 0.0 ? 0.0 : p * pow (x, p - 1.0);
}

UNARY_KERNELS (neg, -x, -g)
UNARY_KERNELS (reciprocal, 1.0 / x, -g * z * z)
UNARY_KERNELS (exp, exp (x), g * z)
UNARY_KERNELS (log, log (x), g / x)
UNARY_KERNELS (square, x * x, g * 2.0 * x)
UNARY_KERNELS (pow, pow (x, attrs->power), g * pow_derivative (x, attrs->power))
UNARY_KERNELS (relu, if_positive (x, x), if_positive (x, g))
UNARY_KERNELS (sigmoid, sigmoid (x), g * z * (1.0 - z))
UNARY_KERNELS (tanh, tanh (x), g * (1.0 - z * z))

const BpOp bp_op_neg = {
  .name = "neg", .symbol = "×−1", .title = N_("Negate"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = "y = −x",
  .formula = "∂y/∂x = −1",
  .backward_text = N_("flips the sign: dx = −dy"),
  UNARY_FUNCS (neg),
};

const BpOp bp_op_reciprocal = {
  .name = "reciprocal", .symbol = "1/x", .title = N_("Reciprocal"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = "y = 1/x",
  .formula = "∂y/∂x = −1/x² = −y²",
  .backward_text = N_("dx = −dy·y², from the output alone"),
  UNARY_FUNCS (reciprocal),
};

const BpOp bp_op_exp = {
  .name = "exp", .symbol = "exp", .title = N_("Exponential"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = "y = exp(x)",
  .formula = "∂y/∂x = exp(x) = y",
  .backward_text = N_("dx = dy·y, from the output alone"),
  UNARY_FUNCS (exp),
};

const BpOp bp_op_log = {
  .name = "log", .symbol = "log", .title = N_("Logarithm"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = "y = log x",
  .formula = "∂y/∂x = 1/x",
  .backward_text = "dx = dy/x",
  UNARY_FUNCS (log),
};

const BpOp bp_op_square = {
  .name = "square", .symbol = "x²", .title = N_("Square"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = "y = x²",
  .formula = "∂y/∂x = 2x",
  .backward_text = "dx = dy·2x",
  UNARY_FUNCS (square),
};

const BpOp bp_op_pow = {
  .name = "pow", .symbol = "xᵖ", .title = N_("Power"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .attrs = BP_ATTR_POWER,
  .forward_text = "y = xᵖ",
  .formula = "∂y/∂x = p·xᵖ⁻¹",
  .backward_text = "dx = dy·p·xᵖ⁻¹",
  UNARY_FUNCS (pow),
};

const BpOp bp_op_relu = {
  .name = "relu", .symbol = "ReLU", .title = N_("ReLU"),
  .kind = BP_OP_KIND_LAYER, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = "y = max(0, x)",
  .formula = N_("∂y/∂x = 1 where x > 0, else 0"),
  .backward_text = N_("passes the upstream gradient where x > 0, zero elsewhere"),
  UNARY_FUNCS (relu),
};

const BpOp bp_op_sigmoid = {
  .name = "sigmoid", .symbol = "Sigmoid", .title = N_("Sigmoid"),
  .kind = BP_OP_KIND_LAYER, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = "y = 1 / (1 + exp(−x))",
  .formula = "∂y/∂x = y(1 − y)",
  .backward_text = N_("from the output alone: dx = dy·y(1 − y)"),
  .expandable = TRUE,
  UNARY_FUNCS (sigmoid),
};

const BpOp bp_op_tanh = {
  .name = "tanh", .symbol = "tanh", .title = N_("Tanh"),
  .kind = BP_OP_KIND_OPERATION, .arity = 1, .input_names = bp_op_names_x,
  .forward_text = N_("y = tanh x"),
  .formula = "∂y/∂x = 1 − y²",
  .backward_text = N_("from the output alone: dx = dy·(1 − y²)"),
  UNARY_FUNCS (tanh),
};
