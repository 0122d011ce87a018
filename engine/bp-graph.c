/* SPDX-License-Identifier: MIT */
/* The graph's structure: nodes, edges, ids, the output, and the nodes'
 * accessors. The order, the shapes and the passes have their own files
 * (see bp-graph-private.h). */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "bp-graph-private.h"
#include "bp-interner.h"

G_DEFINE_FINAL_TYPE (BpGraph, bp_graph, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- storage: node blocks, string blocks, the table of ids --- */

/* Nodes are carved from blocks that double in size, up to
 * NODE_BLOCK_MAX nodes: a large graph costs one allocation per few
 * thousand nodes, not one per node, and its nodes lie side by side for
 * the passes. A removed node goes to a free list for the next one (its
 * address is no longer its own, as with free()). Under AddressSanitizer
 * a removed node is poisoned and never reused, so that a stale pointer
 * is still reported. */
typedef struct _NodeBlock NodeBlock;
struct _NodeBlock
{
  NodeBlock *next;
  BpNode     nodes[];
};

#define NODE_BLOCK_MIN 16
#define NODE_BLOCK_MAX 4096

/* Strings given when nodes are made (their ids) are copied into blocks
 * of at least STRING_BLOCK_MIN bytes, growing with the graph. */
typedef struct _StringBlock StringBlock;
struct _StringBlock
{
  StringBlock *next;
  char         text[];
};

#define STRING_BLOCK_MIN 256
#define STRING_BLOCK_MAX (64 * 1024)

#define ID_SLOTS_MIN 16

/* A block of `size` nodes, the one nodes now come from. Not zeroed
 * here: each node is as it is taken, while it is in the cache. */
static void
node_block_new (BpGraph *self,
                guint    size)
{
  /* Zeroed by calloc, which knows fresh memory from the kernel is zero
   * already: a large graph's nodes are not written twice. */
  NodeBlock *block = g_malloc0 (sizeof (NodeBlock) + size * sizeof (BpNode));

  block->next = self->node_blocks;
  self->node_blocks = block;
  self->node_block_size = size;
  self->node_block_pos = 0;
}

/* A zeroed node. */
static BpNode *
node_alloc (BpGraph *self)
{
  NodeBlock *block;
  BpNode *node;

  if (self->free_nodes != NULL)
    {
      node = self->free_nodes;
      self->free_nodes = node->visit_from;
      memset (node, 0, sizeof *node);
    }
  else
    {
      if (self->node_blocks == NULL || self->node_block_pos == self->node_block_size)
        node_block_new (self, self->node_block_size == 0 ? NODE_BLOCK_MIN
                              : MIN (2 * self->node_block_size, NODE_BLOCK_MAX));
      block = self->node_blocks;
      node = &block->nodes[self->node_block_pos++];
    }
  return node;
}

/* What a node holds besides itself. */
static void
node_clear (BpNode *node)
{
  if (node->strings & NODE_ID_OWNED)
    g_free (node->id);
  if (node->strings & NODE_LABEL_OWNED)
    g_free (node->label);
  g_free (node->error);
  g_clear_pointer (&node->value, bp_tensor_unref);
  g_clear_pointer (&node->grad, bp_tensor_unref);
}

static void
node_release (BpGraph *self,
              BpNode  *node)
{
  node_clear (node);
#ifdef BP_TENSOR_ARENA_ASAN
  ASAN_POISON_MEMORY_REGION (node, sizeof *node);
  (void) self;
#else
  node->visit_from = self->free_nodes;
  self->free_nodes = node;
#endif
}

static char *
string_block_dup (BpGraph    *self,
                  const char *text,
                  gsize       len)
{
  char *copy;

  if (len + 1 > (gsize) (self->string_end - self->string_pos))
    {
      gsize size = CLAMP ((gsize) self->nodes->len * 8, STRING_BLOCK_MIN, STRING_BLOCK_MAX);
      StringBlock *block;

      size = MAX (size, len + 1);
      block = g_malloc (sizeof (StringBlock) + size);
      block->next = self->string_blocks;
      self->string_blocks = block;
      self->string_pos = block->text;
      self->string_end = block->text + size;
    }
  copy = self->string_pos;
  memcpy (copy, text, len);
  copy[len] = '\0';
  self->string_pos += len + 1;
  return copy;
}

/* The slot holding the node with this id, or the empty slot where it
 * would go. */
static inline guint
id_slot (const BpGraph *self,
         const char    *id,
         gsize          len,
         guint          hash)
{
  guint i = hash & self->id_mask;

  for (;; i = (i + 1) & self->id_mask)
    {
      const BpNode *node = self->id_slots[i];

      if (node == NULL ||
          (node->id_hash == hash && memcmp (node->id, id, len) == 0 && node->id[len] == '\0'))
        return i;
    }
}

/* Sets the table's size, a power of two over twice the nodes. */
static void
id_table_resize (BpGraph *self,
                 guint    size)
{
  BpNode **old = self->id_slots;
  guint old_size = self->id_mask + 1;

  self->id_slots = g_new0 (BpNode *, size);
  self->id_mask = size - 1;
  for (guint k = 0; k < old_size; k++)
    if (old[k] != NULL)
      {
        guint i = old[k]->id_hash & self->id_mask;

        while (self->id_slots[i] != NULL)
          i = (i + 1) & self->id_mask;
        self->id_slots[i] = old[k];
      }
  g_free (old);
}

/* Puts `node` into the empty `slot` id_slot() found for its id. */
static void
id_table_insert (BpGraph *self,
                 guint    slot,
                 BpNode  *node)
{
  self->id_slots[slot] = node;
  /* The table holds every node of `nodes`, and this one too. */
  if (2 * (self->nodes->len + 1) > self->id_mask + 1)
    id_table_resize (self, 2 * (self->id_mask + 1));
}

/* Takes `node` out, moving back the entries after it that would no
 * longer be found (linear probing needs no tombstones). */
static void
id_table_remove (BpGraph *self,
                 BpNode  *node)
{
  guint mask = self->id_mask;
  guint i = node->id_hash & mask;

  while (self->id_slots[i] != node)
    i = (i + 1) & mask;
  for (guint j = (i + 1) & mask; self->id_slots[j] != NULL; j = (j + 1) & mask)
    {
      guint home = self->id_slots[j]->id_hash & mask;

      /* The entry at j may stay when its home lies cyclically in (i, j]. */
      if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
        continue;
      self->id_slots[i] = self->id_slots[j];
      i = j;
    }
  self->id_slots[i] = NULL;
}

/* --- helpers --- */

/* "mul7": what g_snprintf ("%s%u") writes, without parsing a format for
 * every node a program adds. Returns the length. */
static gsize
format_auto_id (char       *buf,
                gsize       size,
                const char *name,
                guint       n)
{
  gsize len = strlen (name);
  char digits[16];
  guint k = 0;

  do
    digits[k++] = (char) ('0' + n % 10);
  while ((n /= 10) > 0);
  g_assert (len + k < size);
  memcpy (buf, name, len);
  for (guint i = 0; i < k; i++)
    buf[len + i] = digits[k - 1 - i];
  buf[len + k] = '\0';
  return len + k;
}

/* Sets the label without a signal: the id's own bytes when it is the
 * same text, else a copy. */
static void
node_replace_label (BpNode     *node,
                    const char *label)
{
  if (node->strings & NODE_LABEL_OWNED)
    g_free (node->label);
  node->strings &= ~NODE_LABEL_OWNED;
  if (label == NULL || strcmp (label, node->id) == 0)
    node->label = label == NULL ? NULL : node->id;
  else
    {
      node->label = g_strdup (label);
      node->strings |= NODE_LABEL_OWNED;
    }
}

static void
emit_changed (BpGraph *self)
{
  if (self->freeze_changed > 0)
    self->changed_pending = TRUE;
  else
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
changed (BpGraph  *self,
         gboolean  structure)
{
  self->stamp++;
  if (structure)
    self->structure_stamp++;
  emit_changed (self);
}

/* --- GObject --- */

static void
bp_graph_finalize (GObject *object)
{
  BpGraph *self = BP_GRAPH (object);

  g_clear_pointer (&self->trace, bp_trace_unref);
  for (guint i = 0; i < self->nodes->len; i++)
    node_clear (g_ptr_array_index (self->nodes, i));
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  g_clear_pointer (&self->id_slots, g_free);
  while (self->node_blocks != NULL)
    {
      NodeBlock *block = self->node_blocks;

      self->node_blocks = block->next;
      g_free (block);
    }
  while (self->string_blocks != NULL)
    {
      StringBlock *block = self->string_blocks;

      self->string_blocks = block->next;
      g_free (block);
    }
  g_clear_pointer (&self->order, g_free);
  g_clear_error (&self->validate_error);
  for (guint i = 0; i < BP_OP_MAX_INPUTS; i++)
    g_clear_pointer (&self->scratch[i], bp_tensor_unref);
  g_clear_pointer (&self->ones, bp_tensor_unref);

  G_OBJECT_CLASS (bp_graph_parent_class)->finalize (object);
}

static void
bp_graph_class_init (BpGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bp_graph_finalize;

  /**
   * BpGraph::changed:
   *
   * Emitted after every change that bumps the stamp: nodes, edges,
   * values, attributes, ids, the output.
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
bp_graph_init (BpGraph *self)
{
  self->nodes = g_ptr_array_new ();
  self->id_slots = g_new0 (BpNode *, ID_SLOTS_MIN);
  self->id_mask = ID_SLOTS_MIN - 1;
  self->stamp = 1;
  self->structure_stamp = 1;
  self->record_trace = TRUE;
}

/* --- public API --- */

BpGraph *
bp_graph_new (void)
{
  return g_object_new (BP_TYPE_GRAPH, NULL);
}

BpGraph *
bp_graph_copy (BpGraph *self)
{
  BpGraph *copy;

  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  copy = bp_graph_new ();
  copy->record_trace = self->record_trace;
  copy->n_no_grad = self->n_no_grad;
  memcpy (copy->next_auto_id, self->next_auto_id, sizeof self->next_auto_id);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);
      BpNode *dup = bp_graph_add_node (copy, node->id, node->op->name, NULL);

      g_assert (dup != NULL);
      node_replace_label (dup, node->label);
      dup->attrs = node->attrs;
      dup->x = node->x;
      dup->y = node->y;
      dup->has_position = node->has_position;
      dup->no_grad = node->no_grad;
      if (bp_op_is_leaf (node->op))
        {
          bp_tensor_unref (dup->value);
          dup->value = bp_tensor_copy (node->value);
        }
    }

  /* The original is acyclic, so the edges need no cycle check. A node's
   * index is its position in `nodes`, the same in both. */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);
      BpNode *dup = g_ptr_array_index (copy->nodes, i);

      for (guint s = 0; s < node->op->arity; s++)
        if (node->inputs[s] != NULL)
          {
            BpNode *src = g_ptr_array_index (copy->nodes, node->inputs[s]->index);

            dup->inputs[s] = src;
            src->n_consumers++;
          }
    }

  if (self->output != NULL)
    copy->output = g_ptr_array_index (copy->nodes, self->output->index);

  changed (copy, TRUE);

  return copy;
}

/* Adds a node of `op` with the id of `len` bytes at `id` (its hash
 * given), found free at `slot` of the table of ids. */
static BpNode *
insert_node_at_slot (BpGraph     *self,
                     const char  *id,
                     gsize        len,
                     guint        hash,
                     guint        slot,
                     const BpOp  *op,
                     guint        index)
{
  BpAttrs attrs = BP_ATTRS_INIT;
  BpNode *node;

  node = node_alloc (self);
  node->graph = self;
  node->id = string_block_dup (self, id, len);
  node->id_hash = hash;
  node->op = op;
  node->attrs = attrs;
  if (op->kind == BP_OP_KIND_LEAF)
    node->value = bp_tensor_new (1, 1);
  id_table_insert (self, slot, node);
  if (index == self->nodes->len)
    {
      node->index = index;
      g_ptr_array_add (self->nodes, node);
    }
  else
    {
      g_ptr_array_insert (self->nodes, index, node);
      for (guint i = index; i < self->nodes->len; i++)
        ((BpNode *) g_ptr_array_index (self->nodes, i))->index = i;
    }

  changed (self, TRUE);

  return node;
}

/* A node with a given id, refused when the id is taken. */
static BpNode *
insert_node_hashed (BpGraph     *self,
                    const char  *id,
                    gsize        len,
                    guint        hash,
                    const BpOp  *op,
                    guint        index,
                    GError     **error)
{
  guint slot = id_slot (self, id, len, hash);

  if (self->id_slots[slot] != NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_DUPLICATE,
                   _("There is already a node “%s”"), id);
      return NULL;
    }
  return insert_node_at_slot (self, id, len, hash, slot, op, index);
}

static BpNode *
insert_node_op (BpGraph     *self,
                const char  *id,
                const BpOp  *op,
                guint        index,
                GError     **error)
{
  char generated[64];
  gsize len;
  guint hash, slot;

  if (id == NULL)
    {
      guint n_ops, k = 0;
      const BpOp *const *ops = bp_op_get_all (&n_ops);

      while (ops[k] != op)
        k++;
      g_assert (k < G_N_ELEMENTS (self->next_auto_id));

      /* "mul1", "mul2" …, counted per op, skipping ids already taken. */
      for (;;)
        {
          len = format_auto_id (generated, sizeof generated, op->name, ++self->next_auto_id[k]);
          hash = bp_interner_hash (generated, len);
          slot = id_slot (self, generated, len, hash);
          if (self->id_slots[slot] == NULL)
            break;
        }
      id = generated;
    }
  else if (*id == '\0')
    {
      g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("A node needs a non-empty id"));
      return NULL;
    }
  else
    {
      len = strlen (id);
      return insert_node_hashed (self, id, len, bp_interner_hash (id, len), op, index, error);
    }

  return insert_node_at_slot (self, id, len, hash, slot, op, index);
}

static BpNode *
insert_node (BpGraph     *self,
             const char  *id,
             const char  *op_name,
             guint        index,
             GError     **error)
{
  const BpOp *op = bp_op_lookup (op_name);

  if (op == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_OP,
                   _("Unknown operation “%s”"), op_name);
      return NULL;
    }
  return insert_node_op (self, id, op, index, error);
}

BpNode *
_bp_graph_add_node_op (BpGraph     *self,
                       const char  *id,
                       const BpOp  *op,
                       GError     **error)
{
  return insert_node_op (self, id, op, self->nodes->len, error);
}

BpNode *
_bp_graph_add_node_hashed (BpGraph     *self,
                           const char  *id,
                           gsize        len,
                           guint        hash,
                           const BpOp  *op,
                           GError     **error)
{
  g_assert (len > 0 && id[len] == '\0');

  return insert_node_hashed (self, id, len, hash, op, self->nodes->len, error);
}

void
_bp_graph_reserve (BpGraph *self,
                   guint    n_nodes)
{
  guint len = self->nodes->len;
  guint size;

  g_return_if_fail (n_nodes <= G_MAXUINT / 4 - len);

  for (size = self->id_mask + 1; 2 * (len + n_nodes) > size; size *= 2)
    ;
  if (size != self->id_mask + 1)
    id_table_resize (self, size);
  /* GPtrArray has no call to reserve room, but growing it does. */
  g_ptr_array_set_size (self->nodes, len + n_nodes);
  g_ptr_array_set_size (self->nodes, len);
  if (n_nodes > 0 && self->free_nodes == NULL &&
      (self->node_blocks == NULL || self->node_block_size - self->node_block_pos < n_nodes))
    node_block_new (self, n_nodes);
}

void
_bp_graph_connect_new (BpGraph *self,
                       BpNode  *src,
                       BpNode  *dst,
                       guint    slot)
{
  g_assert (src->graph == self && dst->graph == self && src != dst);
  g_assert (slot < dst->op->arity && dst->inputs[slot] == NULL && dst->n_consumers == 0);

  dst->inputs[slot] = src;
  src->n_consumers++;
  changed (self, TRUE);
}

BpNode *
bp_graph_add_node (BpGraph     *self,
                   const char  *id,
                   const char  *op_name,
                   GError     **error)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);
  g_return_val_if_fail (op_name != NULL, NULL);

  return insert_node (self, id, op_name, self->nodes->len, error);
}

BpNode *
bp_graph_insert_node (BpGraph     *self,
                      const char  *id,
                      const char  *op_name,
                      guint        index,
                      GError     **error)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);
  g_return_val_if_fail (op_name != NULL, NULL);
  g_return_val_if_fail (index <= self->nodes->len, NULL);

  return insert_node (self, id, op_name, index, error);
}

void
bp_graph_remove_node (BpGraph *self,
                      BpNode  *node)
{
  g_return_if_fail (BP_IS_GRAPH (self));
  g_return_if_fail (node != NULL && node->graph == self);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      BpNode *other = g_ptr_array_index (self->nodes, i);

      for (guint s = 0; s < other->op->arity; s++)
        if (other->inputs[s] == node)
          {
            other->inputs[s] = NULL;
            node->n_consumers--;
          }
    }
  for (guint s = 0; s < node->op->arity; s++)
    if (node->inputs[s] != NULL)
      {
        node->inputs[s]->n_consumers--;
        node->inputs[s] = NULL;
      }

  if (self->output == node)
    self->output = NULL;
  if (node->no_grad)
    self->n_no_grad--;
  if (self->default_output == node)
    self->default_output = NULL;

  /* The trace borrows node pointers: it must not outlive this one. */
  g_clear_pointer (&self->trace, bp_trace_unref);

  id_table_remove (self, node);
  g_assert (g_ptr_array_index (self->nodes, node->index) == node);
  g_ptr_array_remove_index (self->nodes, node->index);
  for (guint i = node->index; i < self->nodes->len; i++)
    ((BpNode *) g_ptr_array_index (self->nodes, i))->index = i;
  node_release (self, node);

  changed (self, TRUE);
}

gboolean
bp_graph_connect (BpGraph     *self,
                  BpNode      *src,
                  BpNode      *dst,
                  guint        slot,
                  GError     **error)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);
  g_return_val_if_fail (src != NULL && src->graph == self, FALSE);
  g_return_val_if_fail (dst != NULL && dst->graph == self, FALSE);

  if (slot >= dst->op->arity)
    {
      if (dst->op->arity == 0)
        g_set_error (error, BP_ERROR, BP_ERROR_ARITY,
                     /* Translators: the node's id, then its op's name ("input") */
                     _("Node “%s”: %s is a leaf and takes no inputs"),
                     dst->id, dst->op->name);
      else
        g_set_error (error, BP_ERROR, BP_ERROR_ARITY,
                     /* Translators: the node's id, its op's name ("mul"), how many
                      * inputs the op takes, the input number asked for */
                     g_dngettext (GETTEXT_PACKAGE,
                                  "Node “%s”: %s takes %u input, there is no input %u",
                                  "Node “%s”: %s takes %u inputs, there is no input %u",
                                  dst->op->arity),
                     dst->id, dst->op->name, dst->op->arity, slot + 1);
      return FALSE;
    }

  if (_bp_graph_reaches (self, src, dst))
    {
      g_autoptr(GString) path = g_string_new (NULL);

      if (src == dst)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_CYCLE,
                       _("Connecting “%s” to itself would close a cycle"), src->id);
          return FALSE;
        }

      /* dst → … → src already exists; the new edge src → dst closes it. */
      for (BpNode *n = dst; n != NULL; n = n->visit_from)
        g_string_append_printf (path, "%s → ", n->id);
      g_string_append (path, dst->id);

      g_set_error (error, BP_ERROR, BP_ERROR_CYCLE,
                   /* Translators: the source node, the destination node, then the
                    * path that would become a cycle ("a → b → a") */
                   _("Connecting “%s” to “%s” would close a cycle: %s"),
                   src->id, dst->id, path->str);
      return FALSE;
    }

  if (dst->inputs[slot] == src)
    return TRUE;

  if (dst->inputs[slot] != NULL)
    dst->inputs[slot]->n_consumers--;
  dst->inputs[slot] = src;
  src->n_consumers++;

  changed (self, TRUE);

  return TRUE;
}

void
bp_graph_disconnect (BpGraph *self,
                     BpNode  *dst,
                     guint    slot)
{
  g_return_if_fail (BP_IS_GRAPH (self));
  g_return_if_fail (dst != NULL && dst->graph == self);
  g_return_if_fail (slot < dst->op->arity);

  if (dst->inputs[slot] == NULL)
    return;

  dst->inputs[slot]->n_consumers--;
  dst->inputs[slot] = NULL;

  changed (self, TRUE);
}

gboolean
bp_graph_rename_node (BpGraph     *self,
                      BpNode      *node,
                      const char  *new_id,
                      GError     **error)
{
  gsize len;
  guint hash;

  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);
  g_return_val_if_fail (node != NULL && node->graph == self, FALSE);
  g_return_val_if_fail (new_id != NULL, FALSE);

  if (g_str_equal (node->id, new_id))
    return TRUE;
  if (*new_id == '\0')
    {
      g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("A node needs a non-empty id"));
      return FALSE;
    }
  len = strlen (new_id);
  hash = bp_interner_hash (new_id, len);
  if (self->id_slots[id_slot (self, new_id, len, hash)] != NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_DUPLICATE,
                   _("There is already a node “%s”"), new_id);
      return FALSE;
    }

  id_table_remove (self, node);
  /* A label that is the old id's bytes keeps them. */
  if (node->label == node->id && (node->strings & NODE_ID_OWNED))
    node->strings |= NODE_LABEL_OWNED;
  else if (node->strings & NODE_ID_OWNED)
    g_free (node->id);
  node->id = g_strdup (new_id);
  node->id_hash = hash;
  node->strings |= NODE_ID_OWNED;
  /* The table has a slot for it: nothing was added. */
  self->id_slots[id_slot (self, node->id, len, hash)] = node;

  changed (self, FALSE);

  return TRUE;
}

BpNode *
bp_graph_lookup (BpGraph    *self,
                 const char *id)
{
  gsize len;

  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  len = strlen (id);
  return self->id_slots[id_slot (self, id, len, bp_interner_hash (id, len))];
}

guint
bp_graph_get_n_nodes (BpGraph *self)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), 0);

  return self->nodes->len;
}

BpNode *
bp_graph_get_node (BpGraph *self,
                   guint    index)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);

  return g_ptr_array_index (self->nodes, index);
}

guint
bp_graph_get_n_consumers (BpGraph *self,
                          BpNode  *node)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), 0);
  g_return_val_if_fail (node != NULL && node->graph == self, 0);

  return node->n_consumers;
}

BpNode *
bp_graph_get_output (BpGraph *self)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  if (self->output != NULL)
    return self->output;

  if (self->default_output_stamp != self->structure_stamp)
    {
      BpNode *found = NULL;

      for (guint i = 0; i < self->nodes->len; i++)
        {
          BpNode *node = g_ptr_array_index (self->nodes, i);

          if (node->n_consumers != 0)
            continue;
          if (found != NULL)
            {
              found = NULL;
              break;
            }
          found = node;
        }

      self->default_output = found;
      self->default_output_stamp = self->structure_stamp;
    }

  return self->default_output;
}

void
bp_graph_set_output (BpGraph *self,
                     BpNode  *node)
{
  g_return_if_fail (BP_IS_GRAPH (self));
  g_return_if_fail (node == NULL || node->graph == self);

  if (self->output == node)
    return;

  self->output = node;
  changed (self, FALSE);
}

guint64
bp_graph_get_stamp (BpGraph *self)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), 0);

  return self->stamp;
}

/* --- nodes --- */

const char *
bp_node_get_id (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->id;
}

const char *
bp_node_get_label (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->label != NULL ? node->label : node->id;
}

void
bp_node_set_label (BpNode     *node,
                   const char *label)
{
  g_return_if_fail (node != NULL);

  if (label != NULL && *label == '\0')
    label = NULL;
  if (g_strcmp0 (node->label, label) == 0)
    return;

  node_replace_label (node, label);
  /* A label changes no value: the trace stays valid. */
  emit_changed (node->graph);
}

void
_bp_node_set_label_to_id (BpNode *node)
{
  /* As bp_node_set_label() (node->id) would. */
  if (node->label != NULL && strcmp (node->label, node->id) == 0)
    return;
  node_replace_label (node, NULL);
  node->label = node->id;
  emit_changed (node->graph);
}

gboolean
bp_node_has_label (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, FALSE);

  return node->label != NULL;
}

const BpOp *
bp_node_get_op (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->op;
}

const BpAttrs *
bp_node_get_attrs (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return &node->attrs;
}

gboolean
bp_node_set_attrs (BpNode         *node,
                   const BpAttrs  *attrs,
                   GError        **error)
{
  const BpOp *op;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (attrs != NULL, FALSE);

  op = node->op;

  if ((op->attrs & BP_ATTR_AXIS) && (attrs->axis < -1 || attrs->axis > 1))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the node's id, the op's name, the axis given */
                   _("Node “%s”: %s: axis is %d; it must be 0 (down the rows), 1 (along each row) or -1 (all)"),
                   node->id, op->name, attrs->axis);
      return FALSE;
    }
  if ((op->attrs & BP_ATTR_TIMES) && (attrs->times < 1 || attrs->times > BP_TENSOR_MAX_ELEMENTS))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the node's id, the op's name, the number of
                    * copies given, the largest number allowed */
                   _("Node “%s”: %s: times is %u; it must be between 1 and %u"),
                   node->id, op->name, attrs->times, BP_TENSOR_MAX_ELEMENTS);
      return FALSE;
    }
  if ((op->attrs & BP_ATTR_POWER) && !isfinite (attrs->power))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the node's id, then the op's name ("pow") */
                   _("Node “%s”: %s: the power must be a finite number"), node->id, op->name);
      return FALSE;
    }

  node->attrs = *attrs;
  changed (node->graph, FALSE);

  return TRUE;
}

guint
bp_node_get_n_inputs (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, 0);

  return node->op->arity;
}

BpNode *
bp_node_get_input (const BpNode *node,
                   guint         slot)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (slot < node->op->arity, NULL);

  return node->inputs[slot];
}

BpTensor *
bp_node_get_value (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->value;
}

BpTensor *
bp_node_get_grad (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (node->grad_pass == 0 || node->grad_pass != node->graph->grad_pass)
    return NULL;
  return node->grad;
}

void
bp_node_set_value (BpNode   *node,
                   BpTensor *value)
{
  g_return_if_fail (node != NULL);
  g_return_if_fail (value != NULL);
  g_return_if_fail (bp_op_is_leaf (node->op));

  bp_tensor_ref (value);
  g_clear_pointer (&node->value, bp_tensor_unref);
  node->value = value;

  changed (node->graph, FALSE);
}

gboolean
bp_node_get_position (const BpNode *node,
                      double       *x,
                      double       *y)
{
  g_return_val_if_fail (node != NULL, FALSE);

  if (x != NULL)
    *x = node->x;
  if (y != NULL)
    *y = node->y;
  return node->has_position;
}

void
bp_node_set_position (BpNode *node,
                      double  x,
                      double  y)
{
  g_return_if_fail (node != NULL);

  node->x = x;
  node->y = y;
  node->has_position = TRUE;
}

void
bp_node_unset_position (BpNode *node)
{
  g_return_if_fail (node != NULL);

  node->has_position = FALSE;
}

const char *
bp_node_get_error (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->error;
}

BpNode *
bp_node_get_blocker (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->valid ? NULL : node->blocker;
}

gboolean
bp_node_get_needs_grad (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, TRUE);

  return !node->no_grad;
}

void
bp_node_set_needs_grad (BpNode   *node,
                        gboolean  needs_grad)
{
  g_return_if_fail (node != NULL);
  g_return_if_fail (bp_op_is_leaf (node->op) || needs_grad);

  if (node->no_grad == !needs_grad)
    return;
  node->no_grad = !needs_grad;
  if (node->no_grad)
    node->graph->n_no_grad++;
  else
    node->graph->n_no_grad--;
  changed (node->graph, FALSE);
}

BpGraph *
bp_node_get_graph (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->graph;
}

/* Holds back the "changed" signal until as many thaws, then emits it
 * once if anything changed meanwhile (as g_object_freeze_notify() does
 * for notifications): one per node and edge is a signal emission each
 * while a loader builds a large graph nobody watches yet. The stamps
 * move as usual. */
void
bp_graph_freeze_changed (BpGraph *self)
{
  g_return_if_fail (BP_IS_GRAPH (self));

  self->freeze_changed++;
}

void
bp_graph_thaw_changed (BpGraph *self)
{
  g_return_if_fail (BP_IS_GRAPH (self));
  g_return_if_fail (self->freeze_changed > 0);

  if (--self->freeze_changed == 0 && self->changed_pending)
    {
      self->changed_pending = FALSE;
      g_signal_emit (self, signals[CHANGED], 0);
    }
}
