/* SPDX-License-Identifier: MIT */
#include <glib/gi18n-lib.h>
#include <math.h>

#include "bp-op-private.h"

const char *const bp_op_names_x[] = { "x", NULL };
const char *const bp_op_names_xy[] = { "x", "y", NULL };

/* Leaves: the graph holds their values and their gradients arrive. */
const BpOp bp_op_input = {
  .name = "input", .symbol = "in", .title = N_("Input"),
  .kind = BP_OP_KIND_LEAF, .arity = 0,
  .forward_text = N_("a value given from outside"),
  .formula = N_("receives ∂L/∂x"),
  .backward_text = N_("the gradient arrives here"),
};

const BpOp bp_op_const = {
  .name = "const", .symbol = "c", .title = N_("Constant"),
  .kind = BP_OP_KIND_LEAF, .arity = 0,
  .forward_text = N_("a fixed number"),
  .formula = N_("receives ∂L/∂c"),
  .backward_text = N_("the gradient arrives here (nothing learns from it)"),
};

const BpOp bp_op_param = {
  .name = "param", .symbol = "θ", .title = N_("Parameter"),
  .kind = BP_OP_KIND_LEAF, .arity = 0,
  .forward_text = N_("a learnable weight"),
  .formula = N_("receives ∂L/∂θ"),
  .backward_text = N_("the gradient arrives here: what learning would use"),
};

static const BpOp *const all_ops[] = {
  &bp_op_input,
  &bp_op_const,
  &bp_op_param,
  &bp_op_add,
  &bp_op_sub,
  &bp_op_mul,
  &bp_op_div,
  &bp_op_neg,
  &bp_op_reciprocal,
  &bp_op_exp,
  &bp_op_log,
  &bp_op_square,
  &bp_op_pow,
  &bp_op_relu,
  &bp_op_sigmoid,
  &bp_op_tanh,
  &bp_op_repeat,
  &bp_op_sum,
  &bp_op_matmul,
  &bp_op_affine,
  &bp_op_softmax,
  &bp_op_cross_entropy,
  &bp_op_softmax_with_loss,
  &bp_op_mse,
  NULL,
};

const BpOp *const *
bp_op_get_all (guint *n_ops)
{
  if (n_ops != NULL)
    *n_ops = G_N_ELEMENTS (all_ops) - 1;
  return all_ops;
}

const BpOp *
bp_op_lookup (const char *name)
{
  /* Found by hash, not by comparing every name: the expression parser
   * and the document loader ask once or more per node. */
  static GHashTable *by_name;
  /* Callers that hold an op often pass its own name on (the parser's
   * node to bp_graph_add_node()): the last op found is kept and its name
   * recognised by address. */
  static const BpOp *last;
  const BpOp *op;

  g_return_val_if_fail (name != NULL, NULL);

  op = g_atomic_pointer_get (&last);
  if (op != NULL && op->name == name)
    return op;

  if (g_once_init_enter (&by_name))
    {
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; all_ops[i] != NULL; i++)
        g_hash_table_insert (table, (gpointer) all_ops[i]->name, (gpointer) all_ops[i]);
      g_once_init_leave (&by_name, table);
    }

  op = g_hash_table_lookup (by_name, name);
  if (op != NULL)
    g_atomic_pointer_set (&last, op);
  return op;
}

gboolean
bp_op_is_leaf (const BpOp *op)
{
  g_return_val_if_fail (op != NULL, FALSE);

  return op->kind == BP_OP_KIND_LEAF;
}

gboolean
bp_attrs_equal (const BpAttrs *a,
                const BpAttrs *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->axis == b->axis &&
         a->times == b->times &&
         (a->power == b->power || (isnan (a->power) && isnan (b->power)));
}

gboolean
bp_axis_resolve (int  axis,
                 int *resolved)
{
  switch (axis)
    {
    case -2: case 0: axis = 0; break;
    case -1: case 1: axis = 1; break;
    default: return FALSE;
    }
  if (resolved != NULL)
    *resolved = axis;
  return TRUE;
}

gboolean
bp_op_broadcast_shape (guint  x_rows,
                       guint  x_cols,
                       guint  y_rows,
                       guint  y_cols,
                       guint *out_rows,
                       guint *out_cols)
{
  if ((x_rows != y_rows && x_rows != 1 && y_rows != 1) ||
      (x_cols != y_cols && x_cols != 1 && y_cols != 1))
    return FALSE;
  *out_rows = MAX (x_rows, y_rows);
  *out_cols = MAX (x_cols, y_cols);
  return TRUE;
}

gboolean
bp_op_is_broadcast (const BpOp *op,
                    guint       in_rows,
                    guint       in_cols,
                    guint       out_rows,
                    guint       out_cols)
{
  g_return_val_if_fail (op != NULL, FALSE);

  return op->broadcasts &&
         (in_rows != out_rows || in_cols != out_cols) &&
         (in_rows == out_rows || in_rows == 1) &&
         (in_cols == out_cols || in_cols == 1);
}

char *
bp_op_describe_broadcast (const BpOp *op,
                          const char *input_name,
                          guint       in_rows,
                          guint       in_cols,
                          guint       out_rows,
                          guint       out_cols)
{
  g_return_val_if_fail (op != NULL, NULL);

  if (!bp_op_is_broadcast (op, in_rows, in_cols, out_rows, out_cols))
    return NULL;
  if (input_name == NULL)
    /* Translators: stands for an input's name in the sentences below */
    input_name = _("input");

  if (in_rows == out_rows)
    /* Translators: "the 2×1 x was copied to 3 columns: …"; the input's
     * rows×columns, its name, the number of columns of the output */
    return g_strdup_printf (_("the %u×%u %s was copied to %u columns: its gradient is the sum along each row"),
                            in_rows, in_cols, input_name, out_cols);
  if (in_cols == out_cols)
    /* Translators: "the 1×3 bias was copied to 2 rows: …"; the input's
     * rows×columns, its name, the number of rows (the batch) */
    return g_strdup_printf (_("the %u×%u %s was copied to %u rows: its gradient is the sum over the batch"),
                            in_rows, in_cols, input_name, out_rows);
  /* Translators: "the 1×1 y was copied to every element of the 2×3
   * result: …"; the input's rows×columns, its name, the output's
   * rows×columns */
  return g_strdup_printf (_("the %u×%u %s was copied to every element of the %u×%u result: its gradient is the sum of all their gradients"),
                          in_rows, in_cols, input_name, out_rows, out_cols);
}

void
bp_op_shape_error (GError     **error,
                   const char  *format,
                   ...)
{
  va_list args;

  va_start (args, format);
  if (error != NULL)
    {
      g_assert (*error == NULL);
      *error = g_error_new_valist (BP_ERROR, BP_ERROR_SHAPE, format, args);
    }
  va_end (args);
}

BpTensor *
bp_op_local_by_backward (const BpOp      *op,
                         const BpAttrs   *attrs,
                         BpTensor *const *in,
                         const BpTensor  *out,
                         guint            slot)
{
  BpTensor *dg[BP_OP_MAX_INPUTS] = { NULL, };
  g_autoptr(BpTensor) ones = bp_tensor_new_filled (out->rows, out->cols, 1.0);
  BpTensor *result;

  g_return_val_if_fail (slot < op->arity, NULL);

  for (guint i = 0; i < op->arity; i++)
    dg[i] = bp_tensor_new (in[i]->rows, in[i]->cols);

  op->backward (attrs, in, out, ones, dg);

  result = dg[slot];
  for (guint i = 0; i < op->arity; i++)
    if (i != slot)
      bp_tensor_unref (dg[i]);

  return result;
}

BpTensor *
bp_op_transpose (const BpTensor *t)
{
  BpTensor *r = bp_tensor_new_uninit (t->cols, t->rows);

  for (guint i = 0; i < t->rows; i++)
    for (guint j = 0; j < t->cols; j++)
      r->data[(gsize) j * t->rows + i] = t->data[(gsize) i * t->cols + j];

  return r;
}
