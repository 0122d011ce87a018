/* SPDX-License-Identifier: MIT */
/* Shapes: the validation every pass starts with, and what an editor asks
 * of a half-built graph. */
#include <glib/gi18n-lib.h>

#include "bp-graph-private.h"

gboolean
bp_graph_validate (BpGraph  *self,
                   GError  **error)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);

  if (self->validated_stamp == self->stamp)
    {
      if (self->validate_error != NULL)
        {
          g_propagate_error (error, g_error_copy (self->validate_error));
          return FALSE;
        }
      return TRUE;
    }

  _bp_graph_ensure_order (self);
  g_clear_error (&self->validate_error);

  for (guint k = 0; k < self->n_order; k++)
    {
      BpNode *node = self->order[k];
      const BpOp *op = node->op;
      guint in_rows[BP_OP_MAX_INPUTS] = { 0, };
      guint in_cols[BP_OP_MAX_INPUTS] = { 0, };
      g_autoptr(GError) local_error = NULL;
      gboolean inputs_valid = TRUE;
      gboolean unconnected = FALSE;
      gboolean waits_on_error = FALSE;

      g_clear_pointer (&node->error, g_free);
      node->valid = FALSE;
      node->blocker = NULL;

      if (bp_op_is_leaf (op))
        {
          node->rows = node->value->rows;
          node->cols = node->value->cols;
          node->valid = TRUE;
          node->shape_state = SHAPE_KNOWN;
          continue;
        }

      for (guint s = 0; s < op->arity; s++)
        {
          BpNode *input = node->inputs[s];

          if (input == NULL)
            {
              unconnected = TRUE;
              if (local_error == NULL)
                local_error = g_error_new (BP_ERROR, BP_ERROR_ARITY,
                                           /* Translators: the node's id, the input's
                                            * name ("x"), the op's name ("mul") */
                                           _("Node “%s”: input “%s” of %s is not connected"),
                                           node->id, op->input_names[s], op->name);
              continue;
            }
          if (input->shape_state == SHAPE_ERROR_OWN || input->shape_state == SHAPE_ERROR_UPSTREAM)
            waits_on_error = TRUE;
          if (!input->valid && inputs_valid)
            {
              inputs_valid = FALSE;
              node->blocker = input->blocker;
            }
          in_rows[s] = input->rows;
          in_cols[s] = input->cols;
        }

      /* A node downstream of a broken one is not itself to blame: it
       * only waits (no message of its own). */
      if (local_error == NULL && !inputs_valid)
        {
          node->shape_state = waits_on_error ? SHAPE_ERROR_UPSTREAM : SHAPE_UNKNOWN;
          continue;
        }

      if (local_error == NULL &&
          !op->shape (&node->attrs, in_rows, in_cols, &node->rows, &node->cols, &local_error))
        g_prefix_error (&local_error, _("Node “%s”: "), node->id);

      if (local_error == NULL &&
          (guint64) node->rows * node->cols > BP_TENSOR_MAX_ELEMENTS)
        local_error = g_error_new (BP_ERROR, BP_ERROR_TOO_LARGE,
                                   /* Translators: the node's id, the op's name, the
                                    * value's rows×columns, the largest size allowed */
                                   _("Node “%s”: %s: the value would be %u×%u, more than %u numbers"),
                                   node->id, op->name, node->rows, node->cols,
                                   BP_TENSOR_MAX_ELEMENTS);

      if (local_error != NULL)
        {
          node->error = g_strdup (local_error->message);
          node->error_code = local_error->code;
          node->blocker = node;
          /* A missing input leaves the shape unknown, unless it would
           * not fit anyway. */
          if (!unconnected)
            node->shape_state = SHAPE_ERROR_OWN;
          else if (waits_on_error)
            node->shape_state = SHAPE_ERROR_UPSTREAM;
          else
            node->shape_state = SHAPE_UNKNOWN;
          if (self->validate_error == NULL)
            self->validate_error = g_steal_pointer (&local_error);
          continue;
        }

      node->valid = TRUE;
      node->shape_state = SHAPE_KNOWN;
    }

  self->validated_stamp = self->stamp;

  if (self->validate_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->validate_error));
      return FALSE;
    }
  return TRUE;
}


gboolean
bp_node_get_shape (const BpNode *node,
                   guint        *rows,
                   guint        *cols)
{
  g_return_val_if_fail (node != NULL, FALSE);

  if (bp_op_is_leaf (node->op))
    {
      if (rows != NULL)
        *rows = node->value->rows;
      if (cols != NULL)
        *cols = node->value->cols;
      return TRUE;
    }

  if (node->graph->validated_stamp != node->graph->stamp)
    bp_graph_validate (node->graph, NULL);

  if (!node->valid)
    return FALSE;
  if (rows != NULL)
    *rows = node->rows;
  if (cols != NULL)
    *cols = node->cols;
  return TRUE;
}


BpShapeStatus
bp_graph_infer_shape (BpGraph  *self,
                      BpNode   *node,
                      guint    *rows,
                      guint    *cols,
                      GError  **error)
{
  BpNode *culprit = node;

  g_return_val_if_fail (BP_IS_GRAPH (self), BP_SHAPE_ERROR);
  g_return_val_if_fail (node != NULL && node->graph == self, BP_SHAPE_ERROR);

  if (rows != NULL)
    *rows = 0;
  if (cols != NULL)
    *cols = 0;

  if (self->validated_stamp != self->stamp)
    bp_graph_validate (self, NULL);

  switch ((ShapeState) node->shape_state)
    {
    case SHAPE_KNOWN:
      if (rows != NULL)
        *rows = node->rows;
      if (cols != NULL)
        *cols = node->cols;
      return BP_SHAPE_KNOWN;

    case SHAPE_UNKNOWN:
      return BP_SHAPE_UNKNOWN;

    case SHAPE_ERROR_UPSTREAM:
    case SHAPE_ERROR_OWN:
    default:
      break;
    }

  /* Up the first input whose shapes fail, to the node where they fail. */
  while (culprit->shape_state == SHAPE_ERROR_UPSTREAM)
    {
      BpNode *next = NULL;

      for (guint s = 0; s < culprit->op->arity && next == NULL; s++)
        {
          BpNode *input = culprit->inputs[s];

          if (input != NULL &&
              (input->shape_state == SHAPE_ERROR_OWN || input->shape_state == SHAPE_ERROR_UPSTREAM))
            next = input;
        }
      g_assert (next != NULL);
      culprit = next;
    }

  g_assert (culprit->error != NULL);
  g_set_error_literal (error, BP_ERROR, culprit->error_code, culprit->error);
  return BP_SHAPE_ERROR;
}
