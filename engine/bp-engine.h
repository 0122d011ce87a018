/* SPDX-License-Identifier: MIT */
/*
 * libbpengine: computational graphs and backpropagation, the way "Deep
 * Learning from Scratch" (chapter 5) teaches them.
 *
 * A graph is made of nodes. Leaves (input, const, param) hold values;
 * every other node applies one op of the catalog (bp-op.h) to its inputs.
 * The book's first example: you buy 2 apples at 100 each, with 10 % tax.
 *
 *     apple ─┐
 *            ×── apple_price ─┐
 *   apple_num┘                ×── price
 *                        tax ─┘
 *
 *   g_autoptr(BpGraph) g = bp_graph_new ();
 *   BpNode *apple = bp_graph_add_node (g, "apple", "input", NULL);
 *   BpNode *num   = bp_graph_add_node (g, "apple_num", "input", NULL);
 *   BpNode *tax   = bp_graph_add_node (g, "tax", "input", NULL);
 *   BpNode *ap    = bp_graph_add_node (g, "apple_price", "mul", NULL);
 *   BpNode *price = bp_graph_add_node (g, "price", "mul", NULL);
 *   bp_graph_connect (g, apple, ap, 0, NULL);     // slot 0: x
 *   bp_graph_connect (g, num, ap, 1, NULL);       // slot 1: y
 *   bp_graph_connect (g, ap, price, 0, NULL);
 *   bp_graph_connect (g, tax, price, 1, NULL);
 *   g_autoptr(BpTensor) hundred = bp_tensor_new_scalar (100);
 *   bp_node_set_value (apple, hundred);           // takes its own reference
 *   …                                             // apple_num 2, tax 1.1
 *
 * Forward (bp_graph_forward) visits the nodes in topological order, left
 * to right, and computes each value: apple_price = 200, price = 220. A
 * node it cannot compute (an input not connected, shapes that do not fit)
 * is skipped with everything that waits on it; the rest still gets its
 * values, and backward still works when the output does not wait on it.
 *
 * Backward (bp_graph_backward) starts at the output ("price": the one node
 * nothing consumes) with the gradient 1 and walks right to left. Each node
 * multiplies the upstream gradient it received by its local derivative and
 * sends the result down to each input; mul swaps its inputs:
 *
 *   price:       d tax         = 1 × 200 = 200,  d apple_price = 1 × 1.1 = 1.1
 *   apple_price: d apple       = 1.1 × 2 = 2.2,  d apple_num   = 1.1 × 100 = 110
 *
 * bp_node_get_grad (apple) is then 2.2: one more yen per apple costs 2.2
 * yen more. A node feeding several others adds up the gradients they send
 * back (the branch rule).
 *
 * Both passes record a trace (bp-trace.h): one step per node, with the
 * value (forward) or the upstream gradient UG, local gradient LG and
 * downstream gradient DG = UG × LG (backward). The UI only replays it.
 *
 * Values are BpTensor matrices (bp-tensor.h); a scalar is 1×1. The same
 * graph runs a batch through Affine and Softmax-with-Loss layers; layers
 * can be expanded into primitive nodes (bp-expand.h), and the gradients
 * can be checked against central differences (bp-gradcheck.h).
 */
#pragma once

#include "bp-error.h"
#include "bp-tensor.h"
#include "bp-op.h"
#include "bp-graph.h"
#include "bp-trace.h"
#include "bp-gradcheck.h"
#include "bp-expand.h"
#include "bp-document.h"
#include "bp-expr.h"
#include "bp-examples.h"
#include "bp-dataset.h"
#include "bp-optimizer.h"
#include "bp-train-settings.h"
#include "bp-train.h"
#include "bp-worksheet.h"
