/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-history.h"

G_BEGIN_DECLS

/* The history's commands (bp-history-command.c), shared with the stack
 * and the edit functions (bp-history.c). */

/* A command knows how to apply itself forwards (redo) and backwards
 * (undo). Commands name nodes by id: pointers do not survive a delete
 * followed by its undo. */
typedef struct _Command Command;
struct _Command
{
  const char *label;
  gboolean  (*apply) (Command *cmd, BpGraph *graph, gboolean undo);
  void      (*free)  (Command *cmd);
  gint64      time;       /* monotonic µs when recorded, for merging nudges */
  gboolean    mergeable;
};

typedef struct
{
  char     *id;
  gboolean  had_old;
  double    ox, oy;
  gboolean  has_new;
  double    nx, ny;
} PosEntry;

typedef struct
{
  Command  parent;
  GArray  *entries;   /* PosEntry */
} PositionsCommand;

/* Everything needed to bring a node back. */
typedef struct
{
  char       *id;
  char       *label;       /* NULL when unset */
  const BpOp *op;
  BpAttrs     attrs;
  BpTensor   *value;       /* leaves only */
  gboolean    has_pos;
  double      x, y;
  char       *inputs[BP_OP_MAX_INPUTS];
  guint       index;       /* where it was in the graph's order */
  BpQuizFlags quiz;        /* its blanks while it is out of the graph */
} NodeSnapshot;

typedef struct
{
  char  *consumer;
  guint  slot;
  char  *src;
} EdgeSnapshot;

typedef struct
{
  Command  parent;
  GArray  *nodes;      /* NodeSnapshot, in graph order */
  GArray  *edges;      /* EdgeSnapshot: from a deleted node to a kept one */
  char    *output;     /* the graph output before the delete */
  gboolean is_add;     /* add: apply forwards re-adds; delete: removes */
  BpDocument *document; /* whose quiz blanks leave and return with the nodes */
} NodesCommand;

typedef struct
{
  Command  parent;
  char    *dst;
  guint    slot;
  char    *old_src;    /* NULL: was unconnected */
  char    *new_src;    /* NULL: disconnect */
} ConnectCommand;

typedef struct
{
  Command   parent;
  char     *id;
  BpTensor *old_value;
  BpTensor *new_value;
} ValueCommand;

typedef struct
{
  Command      parent;
  char        *old_id;
  char        *new_id;
  BpDocument  *document;     /* whose quiz blanks move with the id, or NULL */
  BpQuizFlags  new_id_quiz;  /* what new_id had before (a deleted node's) */
  gboolean     moved;        /* the node had blanks to carry */
} RenameCommand;

typedef struct
{
  Command  parent;
  char    *id;
  char    *old_label;
  char    *new_label;
} LabelCommand;

typedef struct
{
  Command  parent;
  char    *id;
  BpAttrs  old_attrs;
  BpAttrs  new_attrs;
} AttrsCommand;

typedef struct
{
  Command  parent;
  char    *old_id;
  char    *new_id;
} OutputCommand;

typedef struct
{
  Command    parent;
  GPtrArray *children;
} GroupCommand;

gboolean        _bp_history_attrs_apply (Command *cmd,
                                         BpGraph *graph,
                                         gboolean undo);
void            _bp_history_attrs_free (Command *cmd);
BpHistoryChange _bp_history_command_change (Command *cmd);
void            _bp_history_command_free (Command *cmd);
gboolean        _bp_history_connect_apply (Command *cmd,
                                           BpGraph *graph,
                                           gboolean undo);
void            _bp_history_connect_free (Command *cmd);
gboolean        _bp_history_group_apply (Command *cmd,
                                         BpGraph *graph,
                                         gboolean undo);
void            _bp_history_group_free (Command *cmd);
gboolean        _bp_history_label_apply (Command *cmd,
                                         BpGraph *graph,
                                         gboolean undo);
void            _bp_history_label_free (Command *cmd);
void            _bp_history_node_snapshot_take (NodeSnapshot *s,
                                                BpNode *node);
NodesCommand *  _bp_history_nodes_command_new (const char *label,
                                               gboolean is_add);
gboolean        _bp_history_nodes_remove (NodesCommand *self,
                                          BpGraph *graph);
gboolean        _bp_history_output_apply (Command *cmd,
                                          BpGraph *graph,
                                          gboolean undo);
void            _bp_history_output_free (Command *cmd);
gboolean        _bp_history_positions_apply (Command *cmd,
                                             BpGraph *graph,
                                             gboolean undo);
PositionsCommand *_bp_history_positions_command_new (const char *label);
PositionsCommand *_bp_history_positions_snapshot (BpGraph *graph);
gboolean        _bp_history_rename_apply (Command *cmd,
                                          BpGraph *graph,
                                          gboolean undo);
void            _bp_history_rename_free (Command *cmd);
void            _bp_history_rename_move_quiz (RenameCommand *self,
                                              gboolean undo);
gboolean        _bp_history_value_apply (Command *cmd,
                                         BpGraph *graph,
                                         gboolean undo);
void            _bp_history_value_free (Command *cmd);

G_END_DECLS
