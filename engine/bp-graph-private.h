/* SPDX-License-Identifier: MIT */
/* The graph's internals, shared by the files that implement it, one
 * concept each: bp-graph.c (nodes and edges), bp-graph-order.c (the
 * topological order and the cycle test), bp-graph-shape.c (validation
 * and shapes), bp-graph-pass.c (forward and backward). */
#pragma once

#include "bp-graph.h"
#include "bp-order-private.h"
#include "bp-tensor-private.h"
#include "bp-trace-private.h"

G_BEGIN_DECLS

/* What the last validation knows of a node's shape; BpShapeStatus with
 * the error split into the node's own and one it waits on. */
typedef enum
{
  SHAPE_KNOWN,
  SHAPE_UNKNOWN,         /* waits on an input that is not connected */
  SHAPE_ERROR_OWN,       /* its shapes do not fit, or its value is too large */
  SHAPE_ERROR_UPSTREAM,  /* waits on an ancestor whose shapes do not fit */
} ShapeState;

struct _BpNode
{
  BpGraph    *graph;
  char       *id;
  char       *label;
  const BpOp *op;
  BpAttrs     attrs;
  BpNode     *inputs[BP_OP_MAX_INPUTS];
  guint       n_consumers;   /* edges leaving this node */
  guint       shape_state;   /* ShapeState, from the last validation */

  BpTensor   *value;         /* a leaf's value, or the last forward result */
  BpTensor   *grad;          /* valid when grad_pass is the graph's */
  guint64     grad_pass;

  /* From the last validation. An invalid node cannot be computed: it
   * has its own `error`, or waits on an invalid input (see `blocker`). */
  guint       rows;
  guint       cols;
  gboolean    valid;
  int         error_code;    /* fills what would be padding */
  char       *error;

  double      x;
  double      y;

  /* Scratch for the graph's algorithms. */
  guint       index;         /* insertion index */
  guint       order_pos;     /* position in the topological order */
  guint       id_hash;       /* of `id`, for the graph's table of ids */
  guint8      has_position;
  /* A data input (bp_node_set_needs_grad): no gradient for it. In the
   * last backward pass: TRUE when nothing below this node wants one. */
  guint8      no_grad;
  guint8      skip_grad;
  guint8      strings;       /* NodeStrings: who owns `id` and `label` */
  guint64     visit;
  BpNode     *visit_from;

  /* Also from the last validation: the node whose error is to blame when
   * this one is invalid (itself, or an ancestor it waits on). */
  BpNode     *blocker;
};

/* A million nodes: keep them within the 184 bytes the passes were tuned
 * with (they come from blocks, see bp-graph.c). */
G_STATIC_ASSERT (sizeof (BpNode) <= 184 || sizeof (void *) < 8);

/* Where a node's id and label live. Ids given when a node is made are
 * copied into the graph's string blocks, and a label equal to the id is
 * the id's own bytes: a graph of a million nodes makes no allocation per
 * string. Strings set later (renames, new labels) are g_malloc'd. */
typedef enum
{
  NODE_ID_OWNED    = 1 << 0,   /* `id` is g_malloc'd: free it */
  NODE_LABEL_OWNED = 1 << 1,   /* `label` is g_malloc'd: free it */
} NodeStrings;

struct _BpGraph
{
  GObject     parent_instance;

  GPtrArray  *nodes;         /* BpNode*, insertion order, owned */
  /* id → BpNode*: open addressing, linear probing, at most half full;
   * id_mask + 1 slots (a power of two), NULL when empty. */
  BpNode    **id_slots;
  guint       id_mask;
  /* Nodes are carved from blocks, and removed ones kept for reuse
   * (see bp-graph.c); strings too. */
  gpointer    node_blocks;
  BpNode     *free_nodes;
  guint       node_block_pos;
  guint       node_block_size;
  gpointer    string_blocks;
  char       *string_pos;
  char       *string_end;
  BpNode     *output;        /* explicit choice, or NULL for the default */
  guint       next_auto_id[64];  /* per op, by catalog position */

  /* Every change bumps `stamp`; changes of nodes or edges also bump
   * `structure_stamp`, which is what the cached order depends on. */
  guint64     stamp;
  guint64     structure_stamp;

  BpNode    **order;
  guint       n_order;
  guint64     order_stamp;

  BpNode     *default_output;
  guint64     default_output_stamp;

  guint64     validated_stamp;
  GError     *validate_error;

  guint64     values_stamp;
  guint64     grad_pass;
  guint64     visit;

  BpTrace    *trace;
  gboolean    record_trace;
  guint       n_no_grad;     /* leaves marked as data inputs */

  BpTensor   *scratch[BP_OP_MAX_INPUTS];
  BpTensor   *ones;          /* UG for computing LG; always all ones */

  /* bp_graph_freeze_changed(): "changed" waits for the last thaw. */
  guint       freeze_changed;
  gboolean    changed_pending;
};

/* bp-graph.c: bp_graph_add_node() for a caller that holds the op (one
 * of the catalog's) already: the expression parser. */
BpNode   *_bp_graph_add_node_op    (BpGraph     *self,
                                    const char  *id,
                                    const BpOp  *op,
                                    GError     **error);

/* The same with the id's length and hash (bp_interner_hash()) known. */
BpNode   *_bp_graph_add_node_hashed (BpGraph    *self,
                                     const char *id,
                                     gsize       len,
                                     guint       hash,
                                     const BpOp *op,
                                     GError    **error);
/* Asks the CPU for the id table's slot of an id that is coming soon, by
 * its hash: in a large graph every new id lands in a random slot, and
 * the wait for that memory was most of adding a node. Only a hint. */
static inline void
_bp_graph_prefetch_id (const BpGraph *self,
                       guint          hash)
{
  __builtin_prefetch (&self->id_slots[hash & self->id_mask], 1);
}
/* Room for `n_nodes` more nodes, so that adding them moves nothing and
 * rehashes no id: for a caller that knows how many are coming. */
void      _bp_graph_reserve        (BpGraph     *self,
                                    guint        n_nodes);
/* bp_graph_connect() for an edge into `dst` made just now (it has no
 * consumers and no input at `slot`): it cannot close a cycle. */
void      _bp_graph_connect_new    (BpGraph     *self,
                                    BpNode      *src,
                                    BpNode      *dst,
                                    guint        slot);
/* bp_node_set_label() with the node's own id as the label. */
void      _bp_node_set_label_to_id (BpNode      *node);

/* bp-graph-order.c */
void      _bp_graph_ensure_order   (BpGraph *self);
/* Whether dst is src or an ancestor of src; on success leaves
 * visit_from links from dst back to src. */
gboolean  _bp_graph_reaches        (BpGraph *self, BpNode *src, BpNode *dst);

G_END_DECLS
