/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>

#include "bp-history.h"

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

struct _BpHistory
{
  GObject    parent_instance;

  BpGraph   *graph;
  BpDocument *document;      /* the graph's, or NULL */
  GPtrArray *undo_stack;     /* Command* */
  GPtrArray *redo_stack;
  int        clean_depth;    /* undo_stack->len when clean; -1: unreachable */
  GPtrArray *groups;         /* GroupCommand* being built, innermost last */

  gboolean   last_can_undo;
  gboolean   last_can_redo;
  gboolean   last_clean;
};

G_DEFINE_FINAL_TYPE (BpHistory, bp_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_GRAPH,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_CLEAN,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Nudges closer together than this merge into one undo step. */
#define MERGE_INTERVAL_USEC (G_USEC_PER_SEC)

static void
command_free (Command *cmd)
{
  if (cmd != NULL)
    cmd->free (cmd);
}

static BpNode *
lookup_node (BpGraph    *graph,
             const char *id)
{
  BpNode *node = id ? bp_graph_lookup (graph, id) : NULL;

  if (id != NULL && node == NULL)
    g_warning ("history: node “%s” is missing; the graph was changed behind the history's back", id);
  return node;
}

/* --- positions (move, arrange) --- */

static void
pos_entry_clear (gpointer data)
{
  PosEntry *e = data;

  g_free (e->id);
}

static gboolean
positions_apply (Command  *cmd,
                 BpGraph  *graph,
                 gboolean  undo)
{
  PositionsCommand *self = (PositionsCommand *) cmd;

  for (guint i = 0; i < self->entries->len; i++)
    {
      PosEntry *e = &g_array_index (self->entries, PosEntry, i);
      BpNode *node = lookup_node (graph, e->id);
      gboolean has = undo ? e->had_old : e->has_new;

      if (node == NULL)
        return FALSE;
      if (has)
        bp_node_set_position (node, undo ? e->ox : e->nx, undo ? e->oy : e->ny);
      else
        bp_node_unset_position (node);
    }
  return TRUE;
}

static void
positions_free (Command *cmd)
{
  PositionsCommand *self = (PositionsCommand *) cmd;

  g_array_unref (self->entries);
  g_free (self);
}

static PositionsCommand *
positions_command_new (const char *label)
{
  PositionsCommand *self = g_new0 (PositionsCommand, 1);

  self->parent.label = label;
  self->parent.apply = positions_apply;
  self->parent.free = positions_free;
  self->entries = g_array_new (FALSE, TRUE, sizeof (PosEntry));
  g_array_set_clear_func (self->entries, pos_entry_clear);
  return self;
}

/* --- add / delete --- */

static void
node_snapshot_clear (gpointer data)
{
  NodeSnapshot *s = data;

  g_free (s->id);
  g_free (s->label);
  g_clear_pointer (&s->value, bp_tensor_unref);
  for (guint i = 0; i < BP_OP_MAX_INPUTS; i++)
    g_free (s->inputs[i]);
}

static void
edge_snapshot_clear (gpointer data)
{
  EdgeSnapshot *e = data;

  g_free (e->consumer);
  g_free (e->src);
}

static void
node_snapshot_take (NodeSnapshot *s,
                    BpNode       *node)
{
  const BpOp *op = bp_node_get_op (node);
  guint n_inputs = bp_node_get_n_inputs (node);

  memset (s, 0, sizeof *s);
  s->id = g_strdup (bp_node_get_id (node));
  s->label = bp_node_has_label (node) ? g_strdup (bp_node_get_label (node)) : NULL;
  s->op = op;
  s->attrs = *bp_node_get_attrs (node);
  if (bp_op_is_leaf (op) && bp_node_get_value (node) != NULL)
    s->value = bp_tensor_copy (bp_node_get_value (node));
  s->has_pos = bp_node_get_position (node, &s->x, &s->y);
  for (guint i = 0; i < n_inputs && i < BP_OP_MAX_INPUTS; i++)
    {
      BpNode *in = bp_node_get_input (node, i);

      s->inputs[i] = in ? g_strdup (bp_node_get_id (in)) : NULL;
    }
}

/* Creates the node of a snapshot, without its edges. */
static BpNode *
node_snapshot_restore (const NodeSnapshot *s,
                       BpGraph            *graph)
{
  g_autoptr(GError) error = NULL;
  BpNode *node;

  node = bp_graph_add_node (graph, s->id, s->op->name, &error);
  if (node == NULL)
    {
      g_warning ("history: cannot restore node “%s”: %s", s->id, error->message);
      return NULL;
    }
  if (s->label != NULL)
    bp_node_set_label (node, s->label);
  if (s->op->attrs != BP_ATTR_NONE && !bp_node_set_attrs (node, &s->attrs, &error))
    g_warning ("history: cannot restore attributes of “%s”: %s", s->id, error->message);
  if (s->value != NULL)
    bp_node_set_value (node, s->value);
  if (s->has_pos)
    bp_node_set_position (node, s->x, s->y);
  return node;
}

static gboolean
nodes_restore (NodesCommand *self,
               BpGraph      *graph)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < self->nodes->len; i++)
    if (node_snapshot_restore (&g_array_index (self->nodes, NodeSnapshot, i), graph) == NULL)
      ok = FALSE;

  /* Edges once every restored node exists: they may point at each other. */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      NodeSnapshot *s = &g_array_index (self->nodes, NodeSnapshot, i);
      BpNode *node = bp_graph_lookup (graph, s->id);

      for (guint slot = 0; node != NULL && slot < BP_OP_MAX_INPUTS; slot++)
        {
          g_autoptr(GError) error = NULL;
          BpNode *src;

          if (s->inputs[slot] == NULL)
            continue;
          src = lookup_node (graph, s->inputs[slot]);
          if (src == NULL || !bp_graph_connect (graph, src, node, slot, &error))
            ok = FALSE;
        }
    }

  for (guint i = 0; i < self->edges->len; i++)
    {
      EdgeSnapshot *e = &g_array_index (self->edges, EdgeSnapshot, i);
      g_autoptr(GError) error = NULL;
      BpNode *src = lookup_node (graph, e->src);
      BpNode *consumer = lookup_node (graph, e->consumer);

      if (src == NULL || consumer == NULL ||
          !bp_graph_connect (graph, src, consumer, e->slot, &error))
        ok = FALSE;
    }

  if (self->output != NULL)
    {
      BpNode *output = bp_graph_lookup (graph, self->output);

      if (output != NULL && bp_graph_get_output (graph) != output)
        bp_graph_set_output (graph, output);
    }

  return ok;
}

static gboolean
connect_snapshot_inputs (const NodeSnapshot *s,
                         BpGraph            *graph)
{
  BpNode *node = bp_graph_lookup (graph, s->id);
  gboolean ok = node != NULL;

  for (guint slot = 0; node != NULL && slot < BP_OP_MAX_INPUTS; slot++)
    {
      g_autoptr(GError) error = NULL;
      BpNode *src;

      if (s->inputs[slot] == NULL)
        continue;
      src = lookup_node (graph, s->inputs[slot]);
      if (src == NULL || !bp_graph_connect (graph, src, node, slot, &error))
        ok = FALSE;
    }
  return ok;
}

static gboolean
connect_edge_snapshot (const EdgeSnapshot *e,
                       BpGraph            *graph)
{
  g_autoptr(GError) error = NULL;
  BpNode *src = lookup_node (graph, e->src);
  BpNode *consumer = lookup_node (graph, e->consumer);

  return src != NULL && consumer != NULL &&
         bp_graph_connect (graph, src, consumer, e->slot, &error);
}

/* Undoing a delete puts the nodes back where they were in the graph's
 * order (documents list nodes in that order, so undo must give the same
 * file back). The graph only appends, so the nodes after the first
 * restored one are taken out and appended again, edges included. */
static gboolean
nodes_restore_in_place (NodesCommand *self,
                        BpGraph      *graph)
{
  g_autoptr(GArray) tail = NULL;
  g_autoptr(GArray) tail_edges = NULL;
  g_autofree char *output_id = NULL;
  guint first, n, next_deleted = 0, next_tail = 0;
  gboolean ok = TRUE;
  BpNode *output;

  if (self->nodes->len == 0)
    return TRUE;

  first = g_array_index (self->nodes, NodeSnapshot, 0).index;
  n = bp_graph_get_n_nodes (graph);
  first = MIN (first, n);

  tail = g_array_new (FALSE, TRUE, sizeof (NodeSnapshot));
  g_array_set_clear_func (tail, node_snapshot_clear);
  tail_edges = g_array_new (FALSE, TRUE, sizeof (EdgeSnapshot));
  g_array_set_clear_func (tail_edges, edge_snapshot_clear);

  output = bp_graph_get_output (graph);
  output_id = self->output ? g_strdup (self->output)
                           : output ? g_strdup (bp_node_get_id (output)) : NULL;

  for (guint i = first; i < n; i++)
    {
      NodeSnapshot s;

      node_snapshot_take (&s, bp_graph_get_node (graph, i));
      g_array_append_val (tail, s);
    }
  /* Edges into the tail from nodes that stay where they are. */
  for (guint i = 0; i < first; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      guint n_inputs = MIN (bp_node_get_n_inputs (node), BP_OP_MAX_INPUTS);

      for (guint slot = 0; slot < n_inputs; slot++)
        {
          BpNode *in = bp_node_get_input (node, slot);
          guint k;

          if (in == NULL)
            continue;
          for (k = first; k < n; k++)
            if (bp_graph_get_node (graph, k) == in)
              break;
          if (k < n)
            {
              EdgeSnapshot e;

              e.consumer = g_strdup (bp_node_get_id (node));
              e.slot = slot;
              e.src = g_strdup (bp_node_get_id (in));
              g_array_append_val (tail_edges, e);
            }
        }
    }

  for (guint i = n; i > first; i--)
    bp_graph_remove_node (graph, bp_graph_get_node (graph, i - 1));

  /* Merge the deleted nodes back between the others by their index. */
  for (guint pos = first; next_deleted < self->nodes->len || next_tail < tail->len; pos++)
    {
      const NodeSnapshot *s;

      if (next_deleted < self->nodes->len &&
          (g_array_index (self->nodes, NodeSnapshot, next_deleted).index <= pos ||
           next_tail >= tail->len))
        s = &g_array_index (self->nodes, NodeSnapshot, next_deleted++);
      else
        s = &g_array_index (tail, NodeSnapshot, next_tail++);
      if (node_snapshot_restore (s, graph) == NULL)
        ok = FALSE;
    }

  for (guint i = 0; i < self->nodes->len; i++)
    ok &= connect_snapshot_inputs (&g_array_index (self->nodes, NodeSnapshot, i), graph);
  for (guint i = 0; i < tail->len; i++)
    ok &= connect_snapshot_inputs (&g_array_index (tail, NodeSnapshot, i), graph);
  for (guint i = 0; i < self->edges->len; i++)
    ok &= connect_edge_snapshot (&g_array_index (self->edges, EdgeSnapshot, i), graph);
  for (guint i = 0; i < tail_edges->len; i++)
    ok &= connect_edge_snapshot (&g_array_index (tail_edges, EdgeSnapshot, i), graph);

  if (output_id != NULL)
    {
      BpNode *restored = bp_graph_lookup (graph, output_id);

      if (restored != NULL && bp_graph_get_output (graph) != restored)
        bp_graph_set_output (graph, restored);
    }
  return ok;
}

/* Blanks of nodes out of the graph stay in the command, not in the
 * document (which would save blanks naming no node: a file that does not
 * load). */
static void
nodes_restore_quiz (NodesCommand *self)
{
  if (self->document == NULL)
    return;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      NodeSnapshot *s = &g_array_index (self->nodes, NodeSnapshot, i);

      bp_document_set_quiz (self->document, s->id, s->quiz);
    }
}

static gboolean
nodes_remove (NodesCommand *self,
              BpGraph      *graph)
{
  gboolean ok = TRUE;

  for (guint i = self->nodes->len; i > 0; i--)
    {
      NodeSnapshot *s = &g_array_index (self->nodes, NodeSnapshot, i - 1);
      BpNode *node = lookup_node (graph, s->id);

      if (self->document != NULL)
        {
          s->quiz = bp_document_get_quiz (self->document, s->id);
          bp_document_set_quiz (self->document, s->id, 0);
        }

      if (node != NULL)
        bp_graph_remove_node (graph, node);
      else
        ok = FALSE;
    }
  return ok;
}

static gboolean
nodes_apply (Command  *cmd,
             BpGraph  *graph,
             gboolean  undo)
{
  NodesCommand *self = (NodesCommand *) cmd;

  gboolean ok;

  /* add forwards and delete backwards both bring the nodes in. */
  if (self->is_add && !undo)
    ok = nodes_restore (self, graph);
  else if (!self->is_add && undo)
    ok = nodes_restore_in_place (self, graph);
  else
    return nodes_remove (self, graph);
  nodes_restore_quiz (self);
  return ok;
}

static void
nodes_free (Command *cmd)
{
  NodesCommand *self = (NodesCommand *) cmd;

  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  g_free (self->output);
  g_clear_object (&self->document);
  g_free (self);
}

static NodesCommand *
nodes_command_new (const char *label,
                   gboolean    is_add)
{
  NodesCommand *self = g_new0 (NodesCommand, 1);

  self->parent.label = label;
  self->parent.apply = nodes_apply;
  self->parent.free = nodes_free;
  self->is_add = is_add;
  self->nodes = g_array_new (FALSE, TRUE, sizeof (NodeSnapshot));
  g_array_set_clear_func (self->nodes, node_snapshot_clear);
  self->edges = g_array_new (FALSE, TRUE, sizeof (EdgeSnapshot));
  g_array_set_clear_func (self->edges, edge_snapshot_clear);
  return self;
}

/* --- connect / disconnect --- */

static gboolean
connect_apply (Command  *cmd,
               BpGraph  *graph,
               gboolean  undo)
{
  ConnectCommand *self = (ConnectCommand *) cmd;
  const char *src_id = undo ? self->old_src : self->new_src;
  BpNode *dst = lookup_node (graph, self->dst);
  g_autoptr(GError) error = NULL;

  if (dst == NULL)
    return FALSE;
  if (src_id == NULL)
    {
      bp_graph_disconnect (graph, dst, self->slot);
      return TRUE;
    }
  else
    {
      BpNode *src = lookup_node (graph, src_id);

      if (src == NULL || !bp_graph_connect (graph, src, dst, self->slot, &error))
        {
          if (error != NULL)
            g_warning ("history: %s", error->message);
          return FALSE;
        }
      return TRUE;
    }
}

static void
connect_free (Command *cmd)
{
  ConnectCommand *self = (ConnectCommand *) cmd;

  g_free (self->dst);
  g_free (self->old_src);
  g_free (self->new_src);
  g_free (self);
}

/* --- value --- */

static gboolean
value_apply (Command  *cmd,
             BpGraph  *graph,
             gboolean  undo)
{
  ValueCommand *self = (ValueCommand *) cmd;
  BpNode *node = lookup_node (graph, self->id);

  if (node == NULL)
    return FALSE;
  bp_node_set_value (node, undo ? self->old_value : self->new_value);
  return TRUE;
}

static void
value_free (Command *cmd)
{
  ValueCommand *self = (ValueCommand *) cmd;

  g_free (self->id);
  g_clear_pointer (&self->old_value, bp_tensor_unref);
  g_clear_pointer (&self->new_value, bp_tensor_unref);
  g_free (self);
}

/* --- rename --- */

/* The document keeps quiz blanks by node id: they go with the node. A
 * node without blanks leaves what the new id has (a layer expanded again
 * gets its nodes' blanks back); what it covered comes back on undo. */
static void
rename_move_quiz (RenameCommand *self,
                  gboolean       undo)
{
  BpQuizFlags flags;

  if (self->document == NULL)
    return;
  if (!undo)
    {
      flags = bp_document_get_quiz (self->document, self->old_id);
      self->moved = flags != 0;
      if (!self->moved)
        return;
      self->new_id_quiz = bp_document_get_quiz (self->document, self->new_id);
      bp_document_set_quiz (self->document, self->old_id, 0);
      bp_document_set_quiz (self->document, self->new_id, flags);
    }
  else if (self->moved)
    {
      flags = bp_document_get_quiz (self->document, self->new_id);
      bp_document_set_quiz (self->document, self->new_id, self->new_id_quiz);
      bp_document_set_quiz (self->document, self->old_id, flags);
    }
}

static gboolean
rename_apply (Command  *cmd,
              BpGraph  *graph,
              gboolean  undo)
{
  RenameCommand *self = (RenameCommand *) cmd;
  BpNode *node = lookup_node (graph, undo ? self->new_id : self->old_id);
  g_autoptr(GError) error = NULL;

  if (node == NULL)
    return FALSE;
  if (!bp_graph_rename_node (graph, node, undo ? self->old_id : self->new_id, &error))
    {
      g_warning ("history: %s", error->message);
      return FALSE;
    }
  rename_move_quiz (self, undo);
  return TRUE;
}

static void
rename_free (Command *cmd)
{
  RenameCommand *self = (RenameCommand *) cmd;

  g_free (self->old_id);
  g_free (self->new_id);
  g_clear_object (&self->document);
  g_free (self);
}

/* --- label --- */

static gboolean
label_apply (Command  *cmd,
             BpGraph  *graph,
             gboolean  undo)
{
  LabelCommand *self = (LabelCommand *) cmd;
  BpNode *node = lookup_node (graph, self->id);

  if (node == NULL)
    return FALSE;
  bp_node_set_label (node, undo ? self->old_label : self->new_label);
  return TRUE;
}

static void
label_free (Command *cmd)
{
  LabelCommand *self = (LabelCommand *) cmd;

  g_free (self->id);
  g_free (self->old_label);
  g_free (self->new_label);
  g_free (self);
}

/* --- attributes --- */

static gboolean
attrs_apply (Command  *cmd,
             BpGraph  *graph,
             gboolean  undo)
{
  AttrsCommand *self = (AttrsCommand *) cmd;
  BpNode *node = lookup_node (graph, self->id);
  g_autoptr(GError) error = NULL;

  if (node == NULL)
    return FALSE;
  if (!bp_node_set_attrs (node, undo ? &self->old_attrs : &self->new_attrs, &error))
    {
      g_warning ("history: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

static void
attrs_free (Command *cmd)
{
  AttrsCommand *self = (AttrsCommand *) cmd;

  g_free (self->id);
  g_free (self);
}

/* --- output --- */

static gboolean
output_apply (Command  *cmd,
              BpGraph  *graph,
              gboolean  undo)
{
  OutputCommand *self = (OutputCommand *) cmd;
  const char *id = undo ? self->old_id : self->new_id;
  BpNode *node = id ? lookup_node (graph, id) : NULL;

  if (id != NULL && node == NULL)
    return FALSE;
  bp_graph_set_output (graph, node);
  return TRUE;
}

static void
output_free (Command *cmd)
{
  OutputCommand *self = (OutputCommand *) cmd;

  g_free (self->old_id);
  g_free (self->new_id);
  g_free (self);
}

/* --- group --- */

static gboolean
group_apply (Command  *cmd,
             BpGraph  *graph,
             gboolean  undo)
{
  GroupCommand *self = (GroupCommand *) cmd;
  gboolean ok = TRUE;

  for (guint i = 0; i < self->children->len; i++)
    {
      guint k = undo ? self->children->len - 1 - i : i;
      Command *child = g_ptr_array_index (self->children, k);

      if (!child->apply (child, graph, undo))
        ok = FALSE;
    }
  return ok;
}

static void
group_free (Command *cmd)
{
  GroupCommand *self = (GroupCommand *) cmd;

  g_ptr_array_unref (self->children);
  g_free (self);
}

/* --- shapes --- */

typedef struct
{
  guint  rows;
  guint  cols;
  char  *error;   /* a shape error here or upstream */
} ShapeInfo;

static void
shape_info_free (gpointer data)
{
  ShapeInfo *info = data;

  g_free (info->error);
  g_free (info);
}

static const ShapeInfo *
infer_node (GHashTable *memo,
            BpNode     *node,
            guint       depth)
{
  ShapeInfo *info = g_hash_table_lookup (memo, node);
  const BpOp *op;
  guint in_rows[BP_OP_MAX_INPUTS] = { 0 };
  guint in_cols[BP_OP_MAX_INPUTS] = { 0 };
  guint n_inputs;
  gboolean known = TRUE;
  g_autoptr(GError) error = NULL;

  if (info != NULL)
    return info;

  info = g_new0 (ShapeInfo, 1);
  g_hash_table_insert (memo, node, info);
  op = bp_node_get_op (node);

  if (bp_op_is_leaf (op))
    {
      BpTensor *value = bp_node_get_value (node);

      if (value != NULL)
        {
          info->rows = value->rows;
          info->cols = value->cols;
        }
      return info;
    }

  /* The graph refuses cycles, so the depth is bounded by the node count;
   * the guard only protects the stack against a corrupt graph. */
  if (depth > 100000)
    return info;

  n_inputs = MIN (bp_node_get_n_inputs (node), BP_OP_MAX_INPUTS);
  for (guint i = 0; i < n_inputs; i++)
    {
      BpNode *in = bp_node_get_input (node, i);
      const ShapeInfo *in_info;

      if (in == NULL)
        {
          known = FALSE;
          continue;
        }
      in_info = infer_node (memo, in, depth + 1);
      if (in_info->error != NULL)
        {
          /* Only the node where shapes first fail carries the message. */
          info->error = g_strdup ("");
          return info;
        }
      if (in_info->rows == 0)
        known = FALSE;
      in_rows[i] = in_info->rows;
      in_cols[i] = in_info->cols;
    }

  if (!known || op->shape == NULL)
    return info;

  if (!op->shape (bp_node_get_attrs (node), in_rows, in_cols,
                  &info->rows, &info->cols, &error))
    {
      info->rows = info->cols = 0;
      info->error = g_strdup_printf ("%s: %s", bp_node_get_id (node),
                                     error ? error->message : _("shapes do not fit"));
    }
  return info;
}

static GHashTable *
infer_all (BpGraph *graph)
{
  GHashTable *memo = g_hash_table_new_full (NULL, NULL, NULL, shape_info_free);
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    infer_node (memo, bp_graph_get_node (graph, i), 0);
  return memo;
}

gboolean
bp_history_infer_shape (BpGraph  *graph,
                        BpNode   *node,
                        guint    *rows,
                        guint    *cols,
                        GError  **error)
{
  g_autoptr(GHashTable) memo = NULL;
  const ShapeInfo *info;
  const ShapeInfo *bad = NULL;

  g_return_val_if_fail (BP_IS_GRAPH (graph), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);

  memo = g_hash_table_new_full (NULL, NULL, NULL, shape_info_free);
  info = infer_node (memo, node, 0);
  if (rows)
    *rows = info->rows;
  if (cols)
    *cols = info->cols;
  if (info->error == NULL)
    return TRUE;

  /* Find the node upstream where it first failed. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, memo);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        const ShapeInfo *i = value;

        if (i->error != NULL && i->error[0] != '\0')
          bad = i;
      }
  }
  g_set_error_literal (error, BP_ERROR, BP_ERROR_SHAPE,
                       bad ? bad->error : _("shapes do not fit"));
  return FALSE;
}

/* --- the history --- */

static void
bp_history_update_state (BpHistory *self)
{
  gboolean can_undo = bp_history_can_undo (self);
  gboolean can_redo = bp_history_can_redo (self);
  gboolean clean = bp_history_is_clean (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (can_undo != self->last_can_undo)
    {
      self->last_can_undo = can_undo;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
    }
  if (can_redo != self->last_can_redo)
    {
      self->last_can_redo = can_redo;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
    }
  if (clean != self->last_clean)
    {
      self->last_clean = clean;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLEAN]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* What a command touches, so that observers redo only what they must
 * (a move needs no new pass). */
static BpHistoryChange
command_change (Command *cmd)
{
  if (cmd->apply == positions_apply)
    return BP_HISTORY_CHANGE_POSITIONS;
  if (cmd->apply == label_apply)
    return BP_HISTORY_CHANGE_LABELS;
  if (cmd->apply == value_apply)
    return BP_HISTORY_CHANGE_VALUES;
  if (cmd->apply == group_apply)
    {
      GroupCommand *group = (GroupCommand *) cmd;
      BpHistoryChange change = 0;

      for (guint i = 0; i < group->children->len; i++)
        change |= command_change (g_ptr_array_index (group->children, i));
      return change;
    }
  return BP_HISTORY_CHANGE_STRUCTURE;
}

static void
bp_history_changed (BpHistory *self,
                    Command   *cmd)
{
  if (self->groups->len > 0)
    return;
  /* "changed" first: listeners of the properties may look at the graph
   * and expect everything that follows a change to be done. */
  g_signal_emit (self, signals[CHANGED], 0, (guint) command_change (cmd));
  bp_history_update_state (self);
}

/* Records a command that has already been applied. */
/* The document whose quiz follows the edits, when it is the graph's. */
static BpDocument *
bp_history_dup_document (BpHistory *self)
{
  if (self->document == NULL || bp_document_get_graph (self->document) != self->graph)
    return NULL;
  return g_object_ref (self->document);
}

static void
bp_history_push (BpHistory *self,
                 Command   *cmd)
{
  cmd->time = g_get_monotonic_time ();

  if (self->groups->len > 0)
    {
      GroupCommand *group = g_ptr_array_index (self->groups, self->groups->len - 1);

      g_ptr_array_add (group->children, cmd);
      return;
    }

  if (self->clean_depth > (int) self->undo_stack->len)
    self->clean_depth = -1;  /* the clean state was in the redo stack */
  g_ptr_array_set_size (self->redo_stack, 0);
  g_ptr_array_add (self->undo_stack, cmd);
  bp_history_changed (self, cmd);
}

static void
bp_history_dispose (GObject *object)
{
  BpHistory *self = BP_HISTORY (object);

  g_clear_object (&self->graph);
  g_clear_object (&self->document);
  if (self->undo_stack)
    g_ptr_array_set_size (self->undo_stack, 0);
  if (self->redo_stack)
    g_ptr_array_set_size (self->redo_stack, 0);

  G_OBJECT_CLASS (bp_history_parent_class)->dispose (object);
}

static void
bp_history_finalize (GObject *object)
{
  BpHistory *self = BP_HISTORY (object);

  g_clear_pointer (&self->undo_stack, g_ptr_array_unref);
  g_clear_pointer (&self->redo_stack, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);

  G_OBJECT_CLASS (bp_history_parent_class)->finalize (object);
}

static void
bp_history_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BpHistory *self = BP_HISTORY (object);

  switch (prop_id)
    {
    case PROP_GRAPH:
      g_value_set_object (value, self->graph);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, bp_history_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, bp_history_can_redo (self));
      break;
    case PROP_CLEAN:
      g_value_set_boolean (value, bp_history_is_clean (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_history_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  BpHistory *self = BP_HISTORY (object);

  switch (prop_id)
    {
    case PROP_GRAPH:
      bp_history_set_graph (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_history_class_init (BpHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bp_history_dispose;
  object_class->finalize = bp_history_finalize;
  object_class->get_property = bp_history_get_property;
  object_class->set_property = bp_history_set_property;

  properties[PROP_GRAPH] =
    g_param_spec_object ("graph", NULL, NULL, BP_TYPE_GRAPH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLEAN] =
    g_param_spec_boolean ("clean", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
bp_history_init (BpHistory *self)
{
  self->undo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  self->redo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  self->clean_depth = 0;
  self->last_clean = TRUE;
}

BpHistory *
bp_history_new (void)
{
  return g_object_new (BP_TYPE_HISTORY, NULL);
}

void
bp_history_set_graph (BpHistory *self,
                      BpGraph   *graph)
{
  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (graph == NULL || BP_IS_GRAPH (graph));

  if (g_set_object (&self->graph, graph))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAPH]);
  if (self->document != NULL && bp_document_get_graph (self->document) != graph)
    g_clear_object (&self->document);
  bp_history_clear (self);
}

void
bp_history_set_document (BpHistory  *self,
                         BpDocument *document)
{
  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (document == NULL || BP_IS_DOCUMENT (document));

  g_set_object (&self->document, document);
}

BpDocument *
bp_history_get_document (BpHistory *self)
{
  g_return_val_if_fail (BP_IS_HISTORY (self), NULL);
  return self->document;
}

BpGraph *
bp_history_get_graph (BpHistory *self)
{
  g_return_val_if_fail (BP_IS_HISTORY (self), NULL);
  return self->graph;
}

gboolean
bp_history_can_undo (BpHistory *self)
{
  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  return self->undo_stack->len > 0 && self->groups->len == 0;
}

gboolean
bp_history_can_redo (BpHistory *self)
{
  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  return self->redo_stack->len > 0 && self->groups->len == 0;
}

const char *
bp_history_get_undo_label (BpHistory *self)
{
  Command *cmd;

  g_return_val_if_fail (BP_IS_HISTORY (self), NULL);
  if (self->undo_stack->len == 0)
    return NULL;
  cmd = g_ptr_array_index (self->undo_stack, self->undo_stack->len - 1);
  return _(cmd->label);
}

const char *
bp_history_get_redo_label (BpHistory *self)
{
  Command *cmd;

  g_return_val_if_fail (BP_IS_HISTORY (self), NULL);
  if (self->redo_stack->len == 0)
    return NULL;
  cmd = g_ptr_array_index (self->redo_stack, self->redo_stack->len - 1);
  return _(cmd->label);
}

gboolean
bp_history_undo (BpHistory *self)
{
  Command *cmd;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);

  if (!bp_history_can_undo (self) || self->graph == NULL)
    return FALSE;

  cmd = g_ptr_array_steal_index (self->undo_stack, self->undo_stack->len - 1);
  if (!cmd->apply (cmd, self->graph, TRUE))
    g_warning ("history: undoing “%s” did not fully apply", cmd->label);
  g_ptr_array_add (self->redo_stack, cmd);
  bp_history_changed (self, cmd);
  return TRUE;
}

gboolean
bp_history_redo (BpHistory *self)
{
  Command *cmd;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);

  if (!bp_history_can_redo (self) || self->graph == NULL)
    return FALSE;

  cmd = g_ptr_array_steal_index (self->redo_stack, self->redo_stack->len - 1);
  if (!cmd->apply (cmd, self->graph, FALSE))
    g_warning ("history: redoing “%s” did not fully apply", cmd->label);
  cmd->mergeable = FALSE;
  g_ptr_array_add (self->undo_stack, cmd);
  bp_history_changed (self, cmd);
  return TRUE;
}

void
bp_history_clear (BpHistory *self)
{
  g_return_if_fail (BP_IS_HISTORY (self));

  g_ptr_array_set_size (self->undo_stack, 0);
  g_ptr_array_set_size (self->redo_stack, 0);
  g_ptr_array_set_size (self->groups, 0);
  self->clean_depth = 0;
  bp_history_update_state (self);
}

gboolean
bp_history_is_clean (BpHistory *self)
{
  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  return self->clean_depth == (int) self->undo_stack->len;
}

void
bp_history_mark_clean (BpHistory *self)
{
  g_return_if_fail (BP_IS_HISTORY (self));

  self->clean_depth = self->undo_stack->len;
  /* A nudge after saving must not merge into the saved state. */
  if (self->undo_stack->len > 0)
    ((Command *) g_ptr_array_index (self->undo_stack, self->undo_stack->len - 1))->mergeable = FALSE;
  bp_history_update_state (self);
}

void
bp_history_begin_group (BpHistory  *self,
                        const char *label)
{
  GroupCommand *group;

  g_return_if_fail (BP_IS_HISTORY (self));

  group = g_new0 (GroupCommand, 1);
  group->parent.label = label ? label : N_("Edit");
  group->parent.apply = group_apply;
  group->parent.free = group_free;
  group->children = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  g_ptr_array_add (self->groups, group);
}

void
bp_history_end_group (BpHistory *self)
{
  GroupCommand *group;

  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (self->groups->len > 0);

  group = g_ptr_array_steal_index (self->groups, self->groups->len - 1);
  if (group->children->len == 0)
    {
      command_free ((Command *) group);
      bp_history_update_state (self);
      return;
    }
  if (group->children->len == 1)
    {
      /* Keep the child's own label: "Move", not "Edit". */
      Command *only = g_ptr_array_steal_index (group->children, 0);

      command_free ((Command *) group);
      bp_history_push (self, only);
    }
  else
    bp_history_push (self, (Command *) group);
}

/* --- edits --- */

static gboolean
ids_match (PositionsCommand *cmd,
           BpNode *const    *nodes,
           guint             n_nodes)
{
  if (cmd->entries->len != n_nodes)
    return FALSE;
  for (guint i = 0; i < n_nodes; i++)
    if (g_strcmp0 (g_array_index (cmd->entries, PosEntry, i).id, bp_node_get_id (nodes[i])) != 0)
      return FALSE;
  return TRUE;
}

void
bp_history_move_nodes (BpHistory     *self,
                       BpNode *const *nodes,
                       guint          n_nodes,
                       double         dx,
                       double         dy)
{
  g_autofree double *old_x = NULL;
  g_autofree double *old_y = NULL;
  Command *top = NULL;

  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (nodes != NULL || n_nodes == 0);

  if (n_nodes == 0 || (dx == 0 && dy == 0))
    return;

  old_x = g_new (double, n_nodes);
  old_y = g_new (double, n_nodes);
  for (guint i = 0; i < n_nodes; i++)
    {
      if (!bp_node_get_position (nodes[i], &old_x[i], &old_y[i]))
        old_x[i] = old_y[i] = 0;
      bp_node_set_position (nodes[i], old_x[i] + dx, old_y[i] + dy);
    }

  if (self->undo_stack->len > 0 && self->groups->len == 0)
    top = g_ptr_array_index (self->undo_stack, self->undo_stack->len - 1);

  /* Arrow-key nudges in a row are one move for undo. */
  if (top != NULL && top->mergeable && top->apply == positions_apply &&
      g_get_monotonic_time () - top->time < MERGE_INTERVAL_USEC &&
      ids_match ((PositionsCommand *) top, nodes, n_nodes) &&
      self->clean_depth != (int) self->undo_stack->len)
    {
      PositionsCommand *cmd = (PositionsCommand *) top;

      for (guint i = 0; i < n_nodes; i++)
        {
          PosEntry *e = &g_array_index (cmd->entries, PosEntry, i);

          e->has_new = bp_node_get_position (nodes[i], &e->nx, &e->ny);
        }
      top->time = g_get_monotonic_time ();
      g_ptr_array_set_size (self->redo_stack, 0);
      bp_history_changed (self, top);
      return;
    }

  bp_history_record_move (self, nodes, n_nodes, old_x, old_y);
  if (self->undo_stack->len > 0 && self->groups->len == 0)
    ((Command *) g_ptr_array_index (self->undo_stack, self->undo_stack->len - 1))->mergeable = TRUE;
}

void
bp_history_record_move (BpHistory     *self,
                        BpNode *const *nodes,
                        guint          n_nodes,
                        const double  *old_x,
                        const double  *old_y)
{
  PositionsCommand *cmd;
  gboolean moved = FALSE;

  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (nodes != NULL || n_nodes == 0);

  cmd = positions_command_new (N_("Move"));
  for (guint i = 0; i < n_nodes; i++)
    {
      PosEntry e = { 0 };

      e.id = g_strdup (bp_node_get_id (nodes[i]));
      e.had_old = TRUE;
      e.ox = old_x[i];
      e.oy = old_y[i];
      e.has_new = bp_node_get_position (nodes[i], &e.nx, &e.ny);
      if (!e.has_new || e.nx != e.ox || e.ny != e.oy)
        moved = TRUE;
      g_array_append_val (cmd->entries, e);
    }

  if (!moved)
    {
      command_free ((Command *) cmd);
      return;
    }
  bp_history_push (self, (Command *) cmd);
}

BpNode *
bp_history_add_node (BpHistory   *self,
                     const char  *op_name,
                     double       x,
                     double       y,
                     GError     **error)
{
  NodesCommand *cmd;
  NodeSnapshot snapshot;
  BpNode *node;

  g_return_val_if_fail (BP_IS_HISTORY (self), NULL);
  g_return_val_if_fail (op_name != NULL, NULL);
  g_return_val_if_fail (self->graph != NULL, NULL);

  node = bp_graph_add_node (self->graph, NULL, op_name, error);
  if (node == NULL)
    return NULL;
  bp_node_set_position (node, x, y);
  if (bp_op_is_leaf (bp_node_get_op (node)) && bp_node_get_value (node) == NULL)
    {
      g_autoptr(BpTensor) zero = bp_tensor_new_scalar (0);

      bp_node_set_value (node, zero);
    }

  cmd = nodes_command_new (N_("Add Node"), TRUE);
  cmd->document = bp_history_dup_document (self);
  node_snapshot_take (&snapshot, node);
  g_array_append_val (cmd->nodes, snapshot);
  bp_history_push (self, (Command *) cmd);
  return node;
}

void
bp_history_delete_nodes (BpHistory     *self,
                         BpNode *const *nodes,
                         guint          n_nodes)
{
  g_autoptr(GHashTable) doomed = NULL;
  NodesCommand *cmd;
  BpNode *output;
  guint n;

  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (nodes != NULL || n_nodes == 0);

  if (n_nodes == 0 || self->graph == NULL)
    return;

  doomed = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < n_nodes; i++)
    g_hash_table_add (doomed, nodes[i]);

  cmd = nodes_command_new (n_nodes == 1 ? N_("Delete Node") : N_("Delete Nodes"), FALSE);
  cmd->document = bp_history_dup_document (self);
  output = bp_graph_get_output (self->graph);
  if (output != NULL)
    cmd->output = g_strdup (bp_node_get_id (output));

  /* In graph order, so undo brings them back in the same order. */
  n = bp_graph_get_n_nodes (self->graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      guint n_inputs = MIN (bp_node_get_n_inputs (node), BP_OP_MAX_INPUTS);

      if (g_hash_table_contains (doomed, node))
        {
          NodeSnapshot s;

          node_snapshot_take (&s, node);
          s.index = i;
          g_array_append_val (cmd->nodes, s);
          continue;
        }

      for (guint slot = 0; slot < n_inputs; slot++)
        {
          BpNode *in = bp_node_get_input (node, slot);

          if (in != NULL && g_hash_table_contains (doomed, in))
            {
              EdgeSnapshot e;

              e.consumer = g_strdup (bp_node_get_id (node));
              e.slot = slot;
              e.src = g_strdup (bp_node_get_id (in));
              g_array_append_val (cmd->edges, e);
            }
        }
    }

  nodes_remove (cmd, self->graph);
  bp_history_push (self, (Command *) cmd);
}

/* Connects tentatively and refuses if a node's shapes stop fitting. */
static gboolean
check_shapes_after (BpGraph  *graph,
                    BpNode   *src,
                    BpNode   *dst,
                    guint     slot,
                    GError  **error)
{
  g_autoptr(GHashTable) before = infer_all (graph);
  g_autoptr(GHashTable) after = NULL;
  BpNode *old_src = bp_node_get_input (dst, slot);
  const char *message = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!bp_graph_connect (graph, src, dst, slot, error))
    return FALSE;
  after = infer_all (graph);

  /* Prefer the message of dst itself, the node the user aimed at. */
  {
    const ShapeInfo *info = g_hash_table_lookup (after, dst);
    const ShapeInfo *was = g_hash_table_lookup (before, dst);

    if (info != NULL && info->error != NULL && info->error[0] != '\0' &&
        (was == NULL || was->error == NULL || was->error[0] == '\0'))
      message = info->error;
  }

  g_hash_table_iter_init (&iter, after);
  while (message == NULL && g_hash_table_iter_next (&iter, &key, &value))
    {
      const ShapeInfo *info = value;
      const ShapeInfo *was = g_hash_table_lookup (before, key);

      if (info->error != NULL && info->error[0] != '\0' &&
          (was == NULL || was->error == NULL || was->error[0] == '\0'))
        message = info->error;
    }

  if (message != NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_SHAPE,
                   _("Cannot connect %s to %s: %s"),
                   bp_node_get_id (src), bp_node_get_id (dst), message);
      if (old_src != NULL)
        bp_graph_connect (graph, old_src, dst, slot, NULL);
      else
        bp_graph_disconnect (graph, dst, slot);
      return FALSE;
    }
  return TRUE;
}

gboolean
bp_history_connect (BpHistory  *self,
                    BpNode     *src,
                    BpNode     *dst,
                    guint       slot,
                    GError    **error)
{
  ConnectCommand *cmd;
  BpNode *old_src;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (self->graph != NULL, FALSE);
  g_return_val_if_fail (src != NULL && dst != NULL, FALSE);

  if (slot >= bp_node_get_n_inputs (dst))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_ARITY,
                   _("%s has no input %u"), bp_node_get_id (dst), slot + 1);
      return FALSE;
    }

  old_src = bp_node_get_input (dst, slot);
  if (old_src == src)
    return TRUE;

  if (src == dst || bp_graph_would_cycle (self->graph, src, dst))
    {
      /* Let the graph word the error; it names the path. */
      if (!bp_graph_connect (self->graph, src, dst, slot, error))
        return FALSE;
      /* The graph accepted it after all: undo and refuse consistently. */
      if (old_src != NULL)
        bp_graph_connect (self->graph, old_src, dst, slot, NULL);
      else
        bp_graph_disconnect (self->graph, dst, slot);
      g_set_error (error, BP_ERROR, BP_ERROR_CYCLE,
                   _("Connecting %s to %s would close a cycle"),
                   bp_node_get_id (src), bp_node_get_id (dst));
      return FALSE;
    }

  if (!check_shapes_after (self->graph, src, dst, slot, error))
    return FALSE;

  cmd = g_new0 (ConnectCommand, 1);
  cmd->parent.label = N_("Connect");
  cmd->parent.apply = connect_apply;
  cmd->parent.free = connect_free;
  cmd->dst = g_strdup (bp_node_get_id (dst));
  cmd->slot = slot;
  cmd->old_src = old_src ? g_strdup (bp_node_get_id (old_src)) : NULL;
  cmd->new_src = g_strdup (bp_node_get_id (src));
  bp_history_push (self, (Command *) cmd);
  return TRUE;
}

void
bp_history_disconnect (BpHistory *self,
                       BpNode    *dst,
                       guint      slot)
{
  ConnectCommand *cmd;
  BpNode *old_src;

  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (self->graph != NULL);
  g_return_if_fail (dst != NULL);

  if (slot >= bp_node_get_n_inputs (dst))
    return;
  old_src = bp_node_get_input (dst, slot);
  if (old_src == NULL)
    return;

  cmd = g_new0 (ConnectCommand, 1);
  cmd->parent.label = N_("Disconnect");
  cmd->parent.apply = connect_apply;
  cmd->parent.free = connect_free;
  cmd->dst = g_strdup (bp_node_get_id (dst));
  cmd->slot = slot;
  cmd->old_src = g_strdup (bp_node_get_id (old_src));
  cmd->new_src = NULL;
  bp_graph_disconnect (self->graph, dst, slot);
  bp_history_push (self, (Command *) cmd);
}

gboolean
bp_history_set_value (BpHistory  *self,
                      BpNode     *node,
                      BpTensor   *value,
                      GError    **error)
{
  ValueCommand *cmd;
  BpTensor *old;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!bp_op_is_leaf (bp_node_get_op (node)))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   _("%s is computed by its inputs; only inputs, constants and parameters take a value"),
                   bp_node_get_id (node));
      return FALSE;
    }

  old = bp_node_get_value (node);
  if (old != NULL && bp_tensor_same_shape (old, value) &&
      memcmp (old->data, value->data, bp_tensor_n_elements (value) * sizeof (double)) == 0)
    return TRUE;

  cmd = g_new0 (ValueCommand, 1);
  cmd->parent.label = N_("Set Value");
  cmd->parent.apply = value_apply;
  cmd->parent.free = value_free;
  cmd->id = g_strdup (bp_node_get_id (node));
  /* Copies: the node's tensor may be changed in place by its owner. */
  cmd->old_value = old ? bp_tensor_copy (old) : bp_tensor_new_scalar (0);
  cmd->new_value = bp_tensor_copy (value);
  bp_node_set_value (node, cmd->new_value);
  bp_history_push (self, (Command *) cmd);
  return TRUE;
}

gboolean
bp_history_set_value_text (BpHistory  *self,
                           BpNode     *node,
                           const char *text,
                           GError    **error)
{
  g_autoptr(BpTensor) value = NULL;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  value = bp_tensor_parse (text, error);
  if (value == NULL)
    return FALSE;
  return bp_history_set_value (self, node, value, error);
}

gboolean
bp_history_rename_node (BpHistory  *self,
                        BpNode     *node,
                        const char *new_id,
                        GError    **error)
{
  RenameCommand *cmd;
  g_autofree char *old_id = NULL;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (new_id != NULL, FALSE);

  if (g_strcmp0 (bp_node_get_id (node), new_id) == 0)
    return TRUE;
  old_id = g_strdup (bp_node_get_id (node));
  if (!bp_graph_rename_node (self->graph, node, new_id, error))
    return FALSE;

  cmd = g_new0 (RenameCommand, 1);
  cmd->parent.label = N_("Rename");
  cmd->parent.apply = rename_apply;
  cmd->parent.free = rename_free;
  cmd->old_id = g_steal_pointer (&old_id);
  cmd->new_id = g_strdup (bp_node_get_id (node));
  cmd->document = bp_history_dup_document (self);
  rename_move_quiz (cmd, FALSE);
  bp_history_push (self, (Command *) cmd);
  return TRUE;
}

void
bp_history_set_label (BpHistory  *self,
                      BpNode     *node,
                      const char *label)
{
  LabelCommand *cmd;
  const char *old;

  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (node != NULL);

  if (label != NULL && label[0] == '\0')
    label = NULL;
  old = bp_node_has_label (node) ? bp_node_get_label (node) : NULL;
  if (g_strcmp0 (old, label) == 0)
    return;

  cmd = g_new0 (LabelCommand, 1);
  cmd->parent.label = N_("Relabel");
  cmd->parent.apply = label_apply;
  cmd->parent.free = label_free;
  cmd->id = g_strdup (bp_node_get_id (node));
  cmd->old_label = g_strdup (old);
  cmd->new_label = g_strdup (label);
  bp_node_set_label (node, label);
  bp_history_push (self, (Command *) cmd);
}

gboolean
bp_history_set_attrs (BpHistory     *self,
                      BpNode        *node,
                      const BpAttrs *attrs,
                      GError       **error)
{
  AttrsCommand *cmd;
  BpAttrs old;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (attrs != NULL, FALSE);

  old = *bp_node_get_attrs (node);
  if (!bp_node_set_attrs (node, attrs, error))
    return FALSE;
  if (memcmp (&old, bp_node_get_attrs (node), sizeof old) == 0)
    return TRUE;

  cmd = g_new0 (AttrsCommand, 1);
  cmd->parent.label = N_("Change Attributes");
  cmd->parent.apply = attrs_apply;
  cmd->parent.free = attrs_free;
  cmd->id = g_strdup (bp_node_get_id (node));
  cmd->old_attrs = old;
  cmd->new_attrs = *bp_node_get_attrs (node);
  bp_history_push (self, (Command *) cmd);
  return TRUE;
}

void
bp_history_set_output (BpHistory *self,
                       BpNode    *node)
{
  OutputCommand *cmd;
  BpNode *old;

  g_return_if_fail (BP_IS_HISTORY (self));
  g_return_if_fail (self->graph != NULL);

  old = bp_graph_get_output (self->graph);
  if (old == node)
    return;

  cmd = g_new0 (OutputCommand, 1);
  cmd->parent.label = N_("Set Output");
  cmd->parent.apply = output_apply;
  cmd->parent.free = output_free;
  cmd->old_id = old ? g_strdup (bp_node_get_id (old)) : NULL;
  cmd->new_id = node ? g_strdup (bp_node_get_id (node)) : NULL;
  bp_graph_set_output (self->graph, node);
  bp_history_push (self, (Command *) cmd);
}

static PositionsCommand *
positions_snapshot (BpGraph *graph)
{
  PositionsCommand *cmd = positions_command_new (N_("Arrange"));
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      PosEntry e = { 0 };

      e.id = g_strdup (bp_node_get_id (node));
      e.had_old = bp_node_get_position (node, &e.ox, &e.oy);
      g_array_append_val (cmd->entries, e);
    }
  return cmd;
}

gboolean
bp_history_arrange (BpHistory           *self,
                    BpHistoryLayoutFunc  layout,
                    gpointer             user_data,
                    GError             **error)
{
  PositionsCommand *cmd;
  gboolean moved = FALSE;

  g_return_val_if_fail (BP_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (layout != NULL, FALSE);
  g_return_val_if_fail (self->graph != NULL, FALSE);

  cmd = positions_snapshot (self->graph);
  if (!layout (self->graph, user_data, error))
    {
      /* Put back anything a failed layout may have touched. */
      positions_apply ((Command *) cmd, self->graph, TRUE);
      command_free ((Command *) cmd);
      return FALSE;
    }

  for (guint i = 0; i < cmd->entries->len; i++)
    {
      PosEntry *e = &g_array_index (cmd->entries, PosEntry, i);
      BpNode *node = bp_graph_lookup (self->graph, e->id);

      e->has_new = node && bp_node_get_position (node, &e->nx, &e->ny);
      if (e->has_new != e->had_old || e->nx != e->ox || e->ny != e->oy)
        moved = TRUE;
    }

  if (!moved)
    {
      command_free ((Command *) cmd);
      return TRUE;
    }
  bp_history_push (self, (Command *) cmd);
  return TRUE;
}
