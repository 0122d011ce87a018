/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>
#include "bp-error.h"
#include "bp-op.h"
#include "bp-tensor.h"

G_BEGIN_DECLS

typedef struct _BpNode  BpNode;
typedef struct _BpTrace BpTrace;

#define BP_TYPE_GRAPH (bp_graph_get_type ())
G_DECLARE_FINAL_TYPE (BpGraph, bp_graph, BP, GRAPH, GObject)

/* Nodes belong to their graph; a BpNode pointer stays valid until the node
 * is removed or the graph finalized. Ids are unique within a graph. */

BpGraph     *bp_graph_new              (void);
/* A deep copy: same ids, labels, ops, attributes, values, positions, edges.
 * It shares nothing with the original, so a worker thread may run passes
 * or a gradient check on it while the original is edited. */
BpGraph     *bp_graph_copy             (BpGraph *self);

/* `id` NULL generates a fresh one ("mul1"). Leaves start as 1×1 zero.
 * Fails on an unknown op, a duplicate or empty id. */
BpNode      *bp_graph_add_node         (BpGraph     *self,
                                        const char  *id,
                                        const char  *op_name,
                                        GError     **error);
/* As bp_graph_add_node, but the node takes position `index` (at most
 * bp_graph_get_n_nodes()) in the insertion order, before the node that
 * was there: undoing a delete puts a node back where it was. */
BpNode      *bp_graph_insert_node      (BpGraph     *self,
                                        const char  *id,
                                        const char  *op_name,
                                        guint        index,
                                        GError     **error);
/* Removes the node and every edge touching it (consumers' slots become
 * unconnected). */
void         bp_graph_remove_node      (BpGraph *self, BpNode *node);
/* Connects src's output to input `slot` of dst, replacing what was there.
 * Refuses an edge that would close a cycle (BP_ERROR_CYCLE), naming the path. */
gboolean     bp_graph_connect          (BpGraph     *self,
                                        BpNode      *src,
                                        BpNode      *dst,
                                        guint        slot,
                                        GError     **error);
void         bp_graph_disconnect       (BpGraph *self, BpNode *dst, guint slot);
gboolean     bp_graph_would_cycle      (BpGraph *self, BpNode *src, BpNode *dst);
gboolean     bp_graph_rename_node      (BpGraph *self, BpNode *node,
                                        const char *new_id, GError **error);

BpNode      *bp_graph_lookup           (BpGraph *self, const char *id);
guint        bp_graph_get_n_nodes      (BpGraph *self);
/* Nodes in insertion order. */
BpNode      *bp_graph_get_node         (BpGraph *self, guint index);
guint        bp_graph_get_n_consumers  (BpGraph *self, BpNode *node);

/* The node whose value the passes differentiate. Defaults to the single
 * node nothing consumes (NULL when there is none or several). */
BpNode      *bp_graph_get_output       (BpGraph *self);
void         bp_graph_set_output       (BpGraph *self, BpNode *node);

/* Bumped by every change of nodes, edges, ids, values, attributes or the
 * output (not by labels or positions); a trace is valid while the stamp
 * matches. The graph's "changed" signal (no arguments) follows every
 * bump, and label changes; between bp_graph_freeze_changed() and the
 * matching thaw it is held back, then emitted once if anything changed. */
guint64      bp_graph_get_stamp        (BpGraph *self);
void         bp_graph_freeze_changed   (BpGraph *self);
void         bp_graph_thaw_changed     (BpGraph *self);

/* Checks the whole graph: every slot connected, shapes fit. On failure,
 * the error names the first bad node (in the order below); every bad
 * node keeps its message in bp_node_get_error().
 *
 * A node is computable when it is a leaf, or when every slot is connected
 * to a computable node and the shapes fit. A node that is not computable
 * either is bad itself (the cause: an unconnected slot, a shape mismatch,
 * a value too large; it has a message) or merely waits on an input that
 * is not computable: such a node has NO message of its own, so that one
 * mistake shows as one error, on the node to fix, not as a cascade;
 * bp_node_get_blocker() names the bad node it waits on. */
gboolean     bp_graph_validate         (BpGraph *self, GError **error);
/* What is known of a node's output shape in a graph an editor is still
 * building. */
typedef enum
{
  BP_SHAPE_KNOWN,    /* the shape its inputs give */
  BP_SHAPE_UNKNOWN,  /* not yet: an input, here or upstream, is not connected */
  BP_SHAPE_ERROR,    /* the shapes do not fit, here or upstream */
} BpShapeStatus;

/* The output shape `node` will have: BP_SHAPE_KNOWN with rows×cols (a
 * leaf: its value's); BP_SHAPE_UNKNOWN with 0×0 while an input it
 * depends on is not connected; BP_SHAPE_ERROR with 0×0 and the error of
 * the node where the shapes first fail (BP_ERROR_SHAPE, or
 * BP_ERROR_TOO_LARGE), even when another input is missing too. Only the
 * node's ancestors matter. Validates first when the graph changed; then
 * each call is constant time. */
BpShapeStatus bp_graph_infer_shape     (BpGraph  *self,
                                        BpNode   *node,
                                        guint    *rows,
                                        guint    *cols,
                                        GError  **error);
/* Nodes in a deterministic topological order (inputs first; ties broken by
 * insertion order). Borrowed, valid until the next change. */
BpNode *const *bp_graph_get_order      (BpGraph *self, guint *n_nodes);

/* The passes. Each records its steps into the graph's trace (see
 * bp-trace.h) unless recording is off.
 *
 * forward computes, in the order below, every computable node (see
 * bp_graph_validate); it does not stop at a bad node. A node that is not
 * computable gets no value (bp_node_get_value() is NULL; leaves always
 * have theirs) and no forward step: the trace holds the steps of the
 * computed nodes only, still in order. forward returns TRUE when every
 * node was computed; otherwise FALSE with the first bad node's error (as
 * bp_graph_validate gives it), yet the values and the trace of the
 * computable part are kept — the trace is the graph's, stamped as usual.
 *
 * backward seeds the output with ones (1 for the book's scalar outputs)
 * and sends gradients from the output back to every ancestor,
 * accumulating where a node feeds several others. Nodes that do not lead
 * to the output get no gradient. backward runs forward first if the
 * values are stale. It needs only the output and its ancestors to be
 * computable: a broken part of the graph that does not lead to the
 * output is no obstacle (backward then returns TRUE though forward
 * returned FALSE). When the output is not computable, backward returns
 * FALSE with the output's own error, or one naming the node the output
 * depends on that cannot be computed, and with its reason; no node then
 * has a gradient, and the trace holds the forward steps only. */
gboolean     bp_graph_forward          (BpGraph *self, GError **error);
gboolean     bp_graph_backward         (BpGraph *self, GError **error);
/* The trace of the last passes (forward steps, then backward steps when
 * backward ran). Owned by the graph; bp_trace_ref() to keep it. */
BpTrace     *bp_graph_get_trace        (BpGraph *self);
void         bp_graph_set_record_trace (BpGraph *self, gboolean record);
/* Runs forward only, without trace, and returns a new ref to the output
 * value (used by the gradient check). Like backward, it needs only the
 * output and its ancestors to be computable (NULL and an error as
 * backward's otherwise). */
BpTensor    *bp_graph_evaluate         (BpGraph *self, GError **error);

/* --- nodes --- */
const char  *bp_node_get_id            (const BpNode *node);
const char  *bp_node_get_label         (const BpNode *node);   /* never NULL: id when unset */
void         bp_node_set_label         (BpNode *node, const char *label);
gboolean     bp_node_has_label         (const BpNode *node);
const BpOp  *bp_node_get_op            (const BpNode *node);
const BpAttrs *bp_node_get_attrs       (const BpNode *node);
/* Checks the attribute against the op (BP_ERROR_INVALID otherwise). */
gboolean     bp_node_set_attrs         (BpNode *node, const BpAttrs *attrs, GError **error);
guint        bp_node_get_n_inputs      (const BpNode *node);
BpNode      *bp_node_get_input         (const BpNode *node, guint slot);  /* NULL: unconnected */
/* The value: a leaf's own value, or the last forward result: NULL before
 * the first forward pass, and when the last pass could not compute the
 * node (see bp_graph_forward). */
BpTensor    *bp_node_get_value         (const BpNode *node);
/* d(output)/d(node) from the last backward pass, or NULL. */
BpTensor    *bp_node_get_grad          (const BpNode *node);
/* Leaves only; takes a new reference. Marks values stale. */
void         bp_node_set_value         (BpNode *node, BpTensor *value);
gboolean     bp_node_get_position      (const BpNode *node, double *x, double *y);
void         bp_node_set_position      (BpNode *node, double x, double y);
void         bp_node_unset_position    (BpNode *node);
/* Why this node is invalid after bp_graph_validate(), or NULL: NULL too
 * for a node that only waits on a bad input (see bp_graph_validate). */
const char  *bp_node_get_error         (const BpNode *node);
/* After bp_graph_validate() (or a pass): the bad node that keeps this one
 * from being computed — the node itself when it has an error, the first
 * bad ancestor it waits on otherwise (following the first slot that
 * waits) — or NULL when the node is computable. */
BpNode      *bp_node_get_blocker       (const BpNode *node);
BpGraph     *bp_node_get_graph         (const BpNode *node);
/* A leaf that holds data (a training batch, its labels) needs no
 * gradient: with FALSE, backward computes nothing for it (matmul then
 * skips dX = dY·Wᵀ), nor for a node that depends on such leaves only;
 * bp_node_get_grad() is then NULL, the node has no backward step, and
 * the steps of its consumers have NULL local and downstream gradients
 * for it. Default TRUE (every leaf of the book's examples gets its
 * gradient). Leaves only. */
gboolean     bp_node_get_needs_grad    (const BpNode *node);
void         bp_node_set_needs_grad    (BpNode *node, gboolean needs_grad);
/* The output shape the last validation inferred (a leaf: its value's).
 * Validates first when the graph changed; FALSE when the node is invalid. */
gboolean     bp_node_get_shape         (const BpNode *node, guint *rows, guint *cols);

G_END_DECLS
