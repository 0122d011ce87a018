/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include "bp-tensor.h"

G_BEGIN_DECLS

#define BP_OP_MAX_INPUTS 3

/* How the diagram draws a node, as the book does. */
typedef enum
{
  BP_OP_KIND_LEAF,       /* named value at the left: input, const, param */
  BP_OP_KIND_OPERATION,  /* circle with a symbol: ×, +, exp, 1/x … */
  BP_OP_KIND_LAYER,      /* rounded box with a name: Affine, Sigmoid … */
} BpOpKind;

/* Which attributes an op accepts (BpOp.attrs). */
typedef enum
{
  BP_ATTR_NONE  = 0,
  BP_ATTR_AXIS  = 1 << 0,  /* "axis": 0, 1, or absent for all */
  BP_ATTR_TIMES = 1 << 1,  /* "times": n ≥ 1 */
  BP_ATTR_POWER = 1 << 2,  /* "power": a constant exponent */
} BpAttrFlags;

/* BpAttrs.axis of "all elements" (sum without an axis). Where a user
 * types an axis (expressions, documents), it counts as numpy does, -1
 * the last axis and -2 the first: bp_axis_resolve() turns those into
 * 1 and 0 before they reach BpAttrs, which holds only 0, 1 or this. */
#define BP_AXIS_ALL (-1)

typedef struct
{
  int    axis;   /* BP_AXIS_ALL: all elements (sum); 0 rows; 1 columns */
  guint  times;
  double power;
} BpAttrs;

/* Default attributes: every element (sum; repeat uses axis 0), times 1,
 * power 2. */
#define BP_ATTRS_INIT { BP_AXIS_ALL, 1, 2.0 }

/* Output shape from the input shapes. On failure, sets an error whose
 * message starts with the op name ("matmul: X is 2×3 but W is 2×3; W
 * needs 3 rows"); the graph prefixes the node. */
typedef gboolean (*BpOpShapeFunc)    (const BpAttrs *attrs,
                                      const guint   *in_rows,
                                      const guint   *in_cols,
                                      guint         *out_rows,
                                      guint         *out_cols,
                                      GError       **error);
/* Writes the output into `out`, already of the inferred shape. */
typedef void     (*BpOpForwardFunc)  (const BpAttrs   *attrs,
                                      BpTensor *const *in,
                                      BpTensor        *out);
/* The backprop rule. Overwrites dg[i] (already shaped like in[i]) with the
 * gradient sent down input i, given the upstream gradient `ug` (shaped like
 * `out`); dg[i] is NULL when input i needs no gradient (a data input): the
 * rule then computes nothing for it. This is the only place the rule is
 * written. */
typedef void     (*BpOpBackwardFunc) (const BpAttrs   *attrs,
                                      BpTensor *const *in,
                                      const BpTensor  *out,
                                      const BpTensor  *ug,
                                      BpTensor *const *dg);
/* The local gradient LG of input `slot` for the teaching panel and the
 * trace, or NULL when it is not one matrix: for elementwise ops ∂z/∂x
 * element by element (mul: y), for matmul Wᵀ / Xᵀ, for sum ones. */
typedef BpTensor *(*BpOpLocalFunc)   (const BpAttrs   *attrs,
                                      BpTensor *const *in,
                                      const BpTensor  *out,
                                      guint            slot);

/* One entry of the op catalog. */
typedef struct
{
  const char        *name;        /* "mul": documents, expressions, CLI */
  const char        *symbol;      /* "×": drawn in the node */
  const char        *title;       /* "Multiply": palette (translatable, N_()) */
  BpOpKind           kind;
  guint              arity;       /* number of inputs (0 for leaves) */
  const char *const *input_names; /* {"x", "y"}; NULL for leaves */
  guint              attrs;       /* BpAttrFlags accepted */
  const char        *forward_text;/* "z = x × y" */
  const char        *formula;     /* "∂z/∂x = y, ∂z/∂y = x" (N_() where it has words) */
  const char        *backward_text; /* "swaps the inputs: dx = dz·y, dy = dz·x" */
  BpOpShapeFunc      shape;
  BpOpForwardFunc    forward;
  BpOpBackwardFunc   backward;
  BpOpLocalFunc      local;
  gboolean           expandable;  /* has a primitive subgraph (bp-expand.h) */
  /* TRUE when LG is exactly what backward sends down for an upstream
   * gradient of ones (elementwise ops, sum, losses): the graph then gets
   * every LG from one backward call while recording a trace. */
  gboolean           local_from_backward;
  /* Broadcasts as numpy does (+ − × ÷): an input may be 1×1, a 1×D row
   * or an N×1 column, copied to the output's shape by a hidden Repeat
   * node. Such an input has no LG of its own in the trace (NULL): its DG
   * is the sum of UG ⊙ LG over the copies (bp_op_describe_broadcast). */
  gboolean           broadcasts;
} BpOp;

/* Whether two attribute sets are the same, field by field. */
gboolean           bp_attrs_equal (const BpAttrs *a,
                                   const BpAttrs *b);

/* numpy's axis of a matrix as BpAttrs holds it: -2 is 0 (down the
 * rows), -1 is 1 (along each row); 0 and 1 stay. FALSE for any other. */
gboolean           bp_axis_resolve (int  axis,
                                    int *resolved);

/* Whether `op` broadcasts as numpy does (+ − × ÷), and an input of
 * in_rows×in_cols was copied to reach the output's out_rows×out_cols:
 * a hidden Repeat node, whose backward sums the gradient over the
 * copies. */
gboolean           bp_op_is_broadcast (const BpOp *op,
                                       guint       in_rows,
                                       guint       in_cols,
                                       guint       out_rows,
                                       guint       out_cols);
/* The teaching panel's sentence for such an input, e.g. "the 1×3 bias
 * was copied to 2 rows: its gradient is the sum over the batch"
 * (translated), or NULL when the input was not copied. `input_name` is
 * what the panel calls the input (its label); NULL: the op's name for
 * the slot is not known, "the input" is used. From a backward step:
 * in = step->downstream[i], out = step->upstream. */
char              *bp_op_describe_broadcast (const BpOp *op,
                                             const char *input_name,
                                             guint       in_rows,
                                             guint       in_cols,
                                             guint       out_rows,
                                             guint       out_cols);

/* The catalog, in palette order. */
const BpOp *const *bp_op_get_all  (guint *n_ops);
const BpOp        *bp_op_lookup   (const char *name);
gboolean           bp_op_is_leaf  (const BpOp *op);

G_END_DECLS
