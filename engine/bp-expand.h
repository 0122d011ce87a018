/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-graph.h"

G_BEGIN_DECLS

/* Replaces a layer node by its primitive subgraph as the book draws it:
 * sigmoid → ×−1, exp, +1, 1/x; affine → matmul, repeat, +;
 * softmax_with_loss → softmax, cross_entropy; and one level further,
 * softmax → exp, Σ (rows), 1/x, repeat, ×; cross_entropy (one-hot t)
 * → +1e-7, log, ×t, Σ, ×−1/N. The expanded nodes keep the exact
 * derivatives (Softmax-with-Loss alone sends the book's (y − t)/N). A
 * broadcasting node (+ − × ÷ with an input copied to the other's shape)
 * becomes its hidden Repeat nodes (a column's copies first, then a row's)
 * and the op on inputs of one shape. The subgraph's last node takes over the layer's id, label, position
 * and consumers, so the output and the gradients stay the same; the new
 * nodes get ids "<id>.<step>" and positions spread around the old one.
 * Returns the new nodes (graph-owned) in a new array. */
GPtrArray *bp_expand_node        (BpGraph *graph, BpNode *node, GError **error);
/* A layer, or a node whose inputs broadcast (shapes known). */
gboolean   bp_expand_can_expand  (const BpNode *node);

G_END_DECLS
