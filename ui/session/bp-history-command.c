/* SPDX-License-Identifier: MIT */
/* The history's commands: each applies itself forwards (redo) and
 * backwards (undo), naming nodes by id; the snapshots that bring a
 * deleted node back with its edges, position and quiz blanks. */
#include <glib/gi18n.h>

#include "bp-history-private.h"

void
_bp_history_command_free (Command *cmd)
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

static void
pos_entry_clear (gpointer data)
{
  PosEntry *e = data;

  g_free (e->id);
}

gboolean
_bp_history_positions_apply (Command  *cmd,
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

PositionsCommand *
_bp_history_positions_command_new (const char *label)
{
  PositionsCommand *self = g_new0 (PositionsCommand, 1);

  self->parent.label = label;
  self->parent.apply = _bp_history_positions_apply;
  self->parent.free = positions_free;
  self->entries = g_array_new (FALSE, TRUE, sizeof (PosEntry));
  g_array_set_clear_func (self->entries, pos_entry_clear);
  return self;
}

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

void
_bp_history_node_snapshot_take (NodeSnapshot *s,
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

/* Creates the node of a snapshot at `index` of the graph's order,
 * without its edges. */
static BpNode *
node_snapshot_restore (const NodeSnapshot *s,
                       BpGraph            *graph,
                       guint               index)
{
  g_autoptr(GError) error = NULL;
  BpNode *node;

  index = MIN (index, bp_graph_get_n_nodes (graph));
  node = bp_graph_insert_node (graph, s->id, s->op->name, index, &error);
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
    if (node_snapshot_restore (&g_array_index (self->nodes, NodeSnapshot, i), graph,
                               bp_graph_get_n_nodes (graph)) == NULL)
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
 * file back): in increasing index order, each index is right once the
 * nodes before it are back. */
static gboolean
nodes_restore_in_place (NodesCommand *self,
                        BpGraph      *graph)
{
  g_autofree char *output_id = NULL;
  gboolean ok = TRUE;
  BpNode *output;

  if (self->nodes->len == 0)
    return TRUE;

  output = bp_graph_get_output (graph);
  output_id = self->output ? g_strdup (self->output)
                           : output ? g_strdup (bp_node_get_id (output)) : NULL;

  for (guint i = 0; i < self->nodes->len; i++)
    {
      const NodeSnapshot *s = &g_array_index (self->nodes, NodeSnapshot, i);

      if (node_snapshot_restore (s, graph, s->index) == NULL)
        ok = FALSE;
    }
  for (guint i = 0; i < self->nodes->len; i++)
    ok &= connect_snapshot_inputs (&g_array_index (self->nodes, NodeSnapshot, i), graph);
  for (guint i = 0; i < self->edges->len; i++)
    ok &= connect_edge_snapshot (&g_array_index (self->edges, EdgeSnapshot, i), graph);

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

gboolean
_bp_history_nodes_remove (NodesCommand *self,
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
    return _bp_history_nodes_remove (self, graph);
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

NodesCommand *
_bp_history_nodes_command_new (const char *label,
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

gboolean
_bp_history_connect_apply (Command  *cmd,
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

void
_bp_history_connect_free (Command *cmd)
{
  ConnectCommand *self = (ConnectCommand *) cmd;

  g_free (self->dst);
  g_free (self->old_src);
  g_free (self->new_src);
  g_free (self);
}

gboolean
_bp_history_value_apply (Command  *cmd,
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

void
_bp_history_value_free (Command *cmd)
{
  ValueCommand *self = (ValueCommand *) cmd;

  g_free (self->id);
  g_clear_pointer (&self->old_value, bp_tensor_unref);
  g_clear_pointer (&self->new_value, bp_tensor_unref);
  g_free (self);
}

/* The document keeps quiz blanks by node id: they go with the node. A
 * node without blanks leaves what the new id has (a layer expanded again
 * gets its nodes' blanks back); what it covered comes back on undo. */
void
_bp_history_rename_move_quiz (RenameCommand *self,
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

gboolean
_bp_history_rename_apply (Command  *cmd,
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
  _bp_history_rename_move_quiz (self, undo);
  return TRUE;
}

void
_bp_history_rename_free (Command *cmd)
{
  RenameCommand *self = (RenameCommand *) cmd;

  g_free (self->old_id);
  g_free (self->new_id);
  g_clear_object (&self->document);
  g_free (self);
}

gboolean
_bp_history_label_apply (Command  *cmd,
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

void
_bp_history_label_free (Command *cmd)
{
  LabelCommand *self = (LabelCommand *) cmd;

  g_free (self->id);
  g_free (self->old_label);
  g_free (self->new_label);
  g_free (self);
}

gboolean
_bp_history_attrs_apply (Command  *cmd,
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

void
_bp_history_attrs_free (Command *cmd)
{
  AttrsCommand *self = (AttrsCommand *) cmd;

  g_free (self->id);
  g_free (self);
}

gboolean
_bp_history_output_apply (Command  *cmd,
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

void
_bp_history_output_free (Command *cmd)
{
  OutputCommand *self = (OutputCommand *) cmd;

  g_free (self->old_id);
  g_free (self->new_id);
  g_free (self);
}

gboolean
_bp_history_group_apply (Command  *cmd,
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

void
_bp_history_group_free (Command *cmd)
{
  GroupCommand *self = (GroupCommand *) cmd;

  g_ptr_array_unref (self->children);
  g_free (self);
}

/* What a command touches, so that observers redo only what they must
 * (a move needs no new pass). */
BpHistoryChange
_bp_history_command_change (Command *cmd)
{
  if (cmd->apply == _bp_history_positions_apply)
    return BP_HISTORY_CHANGE_POSITIONS;
  if (cmd->apply == _bp_history_label_apply)
    return BP_HISTORY_CHANGE_LABELS;
  if (cmd->apply == _bp_history_value_apply)
    return BP_HISTORY_CHANGE_VALUES;
  if (cmd->apply == _bp_history_group_apply)
    {
      GroupCommand *group = (GroupCommand *) cmd;
      BpHistoryChange change = 0;

      for (guint i = 0; i < group->children->len; i++)
        change |= _bp_history_command_change (g_ptr_array_index (group->children, i));
      return change;
    }
  return BP_HISTORY_CHANGE_STRUCTURE;
}

PositionsCommand *
_bp_history_positions_snapshot (BpGraph *graph)
{
  PositionsCommand *cmd = _bp_history_positions_command_new (N_("Arrange"));
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
