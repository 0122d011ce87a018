/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>
#include "bp-document.h"
#include "bp-graph.h"

G_BEGIN_DECLS

#define BP_TYPE_HISTORY (bp_history_get_type ())
G_DECLARE_FINAL_TYPE (BpHistory, bp_history, BP, HISTORY, GObject)

/* The editing model: every change the user makes to a graph goes through
 * one of the bp_history_*() edit functions below, which apply it and record
 * a command that can be undone and redone. Commands refer to nodes by id,
 * so a node deleted and restored by undo is a new BpNode pointer: never
 * keep BpNode pointers across "changed".
 *
 * Properties: "can-undo", "can-redo" (booleans), "clean" (TRUE when the
 * graph is as it was at the last bp_history_mark_clean(): the window's
 * unsaved-changes mark is !clean), "graph".
 * Signal "changed" (BpHistoryChange flags, as a guint): emitted after every
 * edit, undo and redo, once the graph has changed; the flags say what the
 * edit touched. */

typedef enum
{
  BP_HISTORY_CHANGE_POSITIONS = 1 << 0,
  BP_HISTORY_CHANGE_LABELS    = 1 << 1,
  BP_HISTORY_CHANGE_VALUES    = 1 << 2,
  BP_HISTORY_CHANGE_STRUCTURE = 1 << 3,
} BpHistoryChange;

/* Moves the graph's nodes (a layout); FALSE with an error on failure. */
typedef gboolean (*BpHistoryLayoutFunc) (BpGraph   *graph,
                                         gpointer   user_data,
                                         GError   **error);

BpHistory  *bp_history_new             (void);
/* Starts over on `graph` (may be NULL): clears both stacks, marks clean. */
void        bp_history_set_graph       (BpHistory *self, BpGraph *graph);
/* The document of the graph, whose per-node data keyed by id (the quiz
 * blanks) follow renames and their undo; may be NULL. Set it after the
 * graph (bp_history_set_graph() forgets it when the graph differs). */
void        bp_history_set_document    (BpHistory *self, BpDocument *document);
BpDocument *bp_history_get_document    (BpHistory *self);

gboolean    bp_history_can_undo        (BpHistory *self);
gboolean    bp_history_can_redo        (BpHistory *self);
/* Human names of the next undo/redo ("Move", "Connect"…), or NULL. */
const char *bp_history_get_undo_label  (BpHistory *self);
const char *bp_history_get_redo_label  (BpHistory *self);
gboolean    bp_history_undo            (BpHistory *self);
gboolean    bp_history_redo            (BpHistory *self);
void        bp_history_clear           (BpHistory *self);

gboolean    bp_history_is_clean        (BpHistory *self);
/* Call after saving. */
void        bp_history_mark_clean      (BpHistory *self);

/* Several edits undone as one ("Add and connect"). Groups nest; "changed"
 * is emitted once, at the outermost end. */
void        bp_history_begin_group     (BpHistory *self, const char *label);
void        bp_history_end_group       (BpHistory *self);

/* --- edits --- */

/* Moves the nodes by (dx, dy). Consecutive nudges of the same nodes within
 * a short time merge into one command. */
void        bp_history_move_nodes      (BpHistory     *self,
                                        BpNode *const *nodes,
                                        guint          n_nodes,
                                        double         dx,
                                        double         dy);
/* Records a move that already happened (the canvas moves nodes live while
 * dragging): `old_x`/`old_y` are where they were; their current positions
 * are where they go. Nothing is recorded when nothing moved. */
void        bp_history_record_move     (BpHistory     *self,
                                        BpNode *const *nodes,
                                        guint          n_nodes,
                                        const double  *old_x,
                                        const double  *old_y);
/* A new node of `op_name` centred at (x, y) with a generated id. Leaves
 * start as the scalar 0. Returns the node (owned by the graph). */
BpNode     *bp_history_add_node        (BpHistory   *self,
                                        const char  *op_name,
                                        double       x,
                                        double       y,
                                        GError     **error);
/* Removes the nodes and their edges; undo restores them with their edges,
 * their consumers' slots and the graph output. */
void        bp_history_delete_nodes    (BpHistory     *self,
                                        BpNode *const *nodes,
                                        guint          n_nodes);
/* Connects src's output to input `slot` of dst, replacing what was there.
 * Refuses (BP_ERROR_CYCLE) an edge that would close a cycle and
 * (BP_ERROR_SHAPE) one whose shapes do not fit dst's op, leaving the graph
 * untouched. */
gboolean    bp_history_connect         (BpHistory  *self,
                                        BpNode     *src,
                                        BpNode     *dst,
                                        guint       slot,
                                        GError    **error);
void        bp_history_disconnect      (BpHistory *self, BpNode *dst, guint slot);
/* Leaves only (BP_ERROR_INVALID otherwise). Takes its own reference. */
gboolean    bp_history_set_value       (BpHistory  *self,
                                        BpNode     *node,
                                        BpTensor   *value,
                                        GError    **error);
/* Parses `text` with bp_tensor_parse() and sets it; on a parse error
 * nothing changes. */
gboolean    bp_history_set_value_text  (BpHistory  *self,
                                        BpNode     *node,
                                        const char *text,
                                        GError    **error);
gboolean    bp_history_rename_node     (BpHistory  *self,
                                        BpNode     *node,
                                        const char *new_id,
                                        GError    **error);
/* NULL or "" removes the label (the id is shown). */
void        bp_history_set_label       (BpHistory  *self,
                                        BpNode     *node,
                                        const char *label);
gboolean    bp_history_set_attrs       (BpHistory     *self,
                                        BpNode        *node,
                                        const BpAttrs *attrs,
                                        GError       **error);
void        bp_history_set_output      (BpHistory *self, BpNode *node);
/* Lays the graph out with `layout`; undo puts every node back. */
gboolean    bp_history_arrange         (BpHistory           *self,
                                        BpHistoryLayoutFunc  layout,
                                        gpointer             user_data,
                                        GError             **error);

G_END_DECLS
