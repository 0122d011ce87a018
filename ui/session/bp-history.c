/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>

#include "bp-history-private.h"

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

/* --- positions (move, arrange) --- */

/* --- add / delete --- */

/* --- connect / disconnect --- */

/* --- value --- */

/* --- rename --- */

/* --- label --- */

/* --- attributes --- */

/* --- output --- */

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

static void
bp_history_changed (BpHistory *self,
                    Command   *cmd)
{
  if (self->groups->len > 0)
    return;
  /* "changed" first: listeners of the properties may look at the graph
   * and expect everything that follows a change to be done. */
  g_signal_emit (self, signals[CHANGED], 0, (guint) _bp_history_command_change (cmd));
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
  self->undo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) _bp_history_command_free);
  self->redo_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) _bp_history_command_free);
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) _bp_history_command_free);
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
  group->parent.apply = _bp_history_group_apply;
  group->parent.free = _bp_history_group_free;
  group->children = g_ptr_array_new_with_free_func ((GDestroyNotify) _bp_history_command_free);
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
      _bp_history_command_free ((Command *) group);
      bp_history_update_state (self);
      return;
    }
  if (group->children->len == 1)
    {
      /* Keep the child's own label: "Move", not "Edit". */
      Command *only = g_ptr_array_steal_index (group->children, 0);

      _bp_history_command_free ((Command *) group);
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
  if (top != NULL && top->mergeable && top->apply == _bp_history_positions_apply &&
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

  cmd = _bp_history_positions_command_new (N_("Move"));
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
      _bp_history_command_free ((Command *) cmd);
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

  cmd = _bp_history_nodes_command_new (N_("Add Node"), TRUE);
  cmd->document = bp_history_dup_document (self);
  _bp_history_node_snapshot_take (&snapshot, node);
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

  cmd = _bp_history_nodes_command_new (n_nodes == 1 ? N_("Delete Node") : N_("Delete Nodes"), FALSE);
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

          _bp_history_node_snapshot_take (&s, node);
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

  _bp_history_nodes_remove (cmd, self->graph);
  bp_history_push (self, (Command *) cmd);
}

/* The nodes whose shapes do not fit (here or upstream). */
static GHashTable *
dup_shape_errors (BpGraph *graph)
{
  GHashTable *bad = g_hash_table_new (NULL, NULL);
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (bp_graph_infer_shape (graph, node, NULL, NULL, NULL) == BP_SHAPE_ERROR)
        g_hash_table_add (bad, node);
    }
  return bad;
}

/* Connects tentatively and refuses if a node's shapes stop fitting; the
 * message is the engine's, of the node the user aimed at when it is one
 * of the new failures. */
static gboolean
check_shapes_after (BpGraph  *graph,
                    BpNode   *src,
                    BpNode   *dst,
                    guint     slot,
                    GError  **error)
{
  g_autoptr(GHashTable) before = dup_shape_errors (graph);
  g_autoptr(GError) shape_error = NULL;
  BpNode *old_src = bp_node_get_input (dst, slot);
  BpNode *failed = NULL;
  guint n;

  if (!bp_graph_connect (graph, src, dst, slot, error))
    return FALSE;

  if (bp_graph_infer_shape (graph, dst, NULL, NULL, NULL) == BP_SHAPE_ERROR &&
      !g_hash_table_contains (before, dst))
    failed = dst;
  n = bp_graph_get_n_nodes (graph);
  for (guint i = 0; failed == NULL && i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (!g_hash_table_contains (before, node) &&
          bp_graph_infer_shape (graph, node, NULL, NULL, NULL) == BP_SHAPE_ERROR)
        failed = node;
    }
  if (failed == NULL)
    return TRUE;

  bp_graph_infer_shape (graph, failed, NULL, NULL, &shape_error);
  g_set_error (error, BP_ERROR, BP_ERROR_SHAPE,
               _("Cannot connect %s to %s: %s"),
               bp_node_get_id (src), bp_node_get_id (dst),
               shape_error != NULL ? shape_error->message : _("shapes do not fit"));
  if (old_src != NULL)
    bp_graph_connect (graph, old_src, dst, slot, NULL);
  else
    bp_graph_disconnect (graph, dst, slot);
  return FALSE;
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
  cmd->parent.apply = _bp_history_connect_apply;
  cmd->parent.free = _bp_history_connect_free;
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
  cmd->parent.apply = _bp_history_connect_apply;
  cmd->parent.free = _bp_history_connect_free;
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
  cmd->parent.apply = _bp_history_value_apply;
  cmd->parent.free = _bp_history_value_free;
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
  cmd->parent.apply = _bp_history_rename_apply;
  cmd->parent.free = _bp_history_rename_free;
  cmd->old_id = g_steal_pointer (&old_id);
  cmd->new_id = g_strdup (bp_node_get_id (node));
  cmd->document = bp_history_dup_document (self);
  _bp_history_rename_move_quiz (cmd, FALSE);
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
  cmd->parent.apply = _bp_history_label_apply;
  cmd->parent.free = _bp_history_label_free;
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
  if (bp_attrs_equal (&old, bp_node_get_attrs (node)))
    return TRUE;

  cmd = g_new0 (AttrsCommand, 1);
  cmd->parent.label = N_("Change Attributes");
  cmd->parent.apply = _bp_history_attrs_apply;
  cmd->parent.free = _bp_history_attrs_free;
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
  cmd->parent.apply = _bp_history_output_apply;
  cmd->parent.free = _bp_history_output_free;
  cmd->old_id = old ? g_strdup (bp_node_get_id (old)) : NULL;
  cmd->new_id = node ? g_strdup (bp_node_get_id (node)) : NULL;
  bp_graph_set_output (self->graph, node);
  bp_history_push (self, (Command *) cmd);
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

  cmd = _bp_history_positions_snapshot (self->graph);
  if (!layout (self->graph, user_data, error))
    {
      /* Put back anything a failed layout may have touched. */
      _bp_history_positions_apply ((Command *) cmd, self->graph, TRUE);
      _bp_history_command_free ((Command *) cmd);
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
      _bp_history_command_free ((Command *) cmd);
      return TRUE;
    }
  bp_history_push (self, (Command *) cmd);
  return TRUE;
}
