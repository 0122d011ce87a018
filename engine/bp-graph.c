/* SPDX-License-Identifier: MIT */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "bp-graph.h"
#include "bp-tensor-private.h"
#include "bp-trace-private.h"

struct _BpNode
{
  BpGraph    *graph;
  char       *id;
  char       *label;
  const BpOp *op;
  BpAttrs     attrs;
  BpNode     *inputs[BP_OP_MAX_INPUTS];
  guint       n_consumers;   /* edges leaving this node */

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
  gboolean    has_position;

  /* Scratch for the graph's algorithms. */
  guint       index;         /* insertion index */
  guint       order_pos;     /* position in the topological order */
  guint64     visit;
  BpNode     *visit_from;

  /* Also from the last validation: the node whose error is to blame when
   * this one is invalid (itself, or an ancestor it waits on). */
  BpNode     *blocker;
};

/* A million nodes are a million allocations: stay within the malloc size
 * class the passes were tuned with (184 bytes usable on 64-bit glibc). */
G_STATIC_ASSERT (sizeof (BpNode) <= 184 || sizeof (void *) < 8);

struct _BpGraph
{
  GObject     parent_instance;

  GPtrArray  *nodes;         /* BpNode*, insertion order, owned */
  GHashTable *by_id;         /* id → BpNode* */
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

  BpTensor   *scratch[BP_OP_MAX_INPUTS];
  BpTensor   *ones;          /* UG for computing LG; always all ones */
};

G_DEFINE_FINAL_TYPE (BpGraph, bp_graph, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- helpers --- */

static void
node_free (BpNode *node)
{
  g_free (node->id);
  g_free (node->label);
  g_free (node->error);
  g_clear_pointer (&node->value, bp_tensor_unref);
  g_clear_pointer (&node->grad, bp_tensor_unref);
  g_free (node);
}

static void
changed (BpGraph  *self,
         gboolean  structure)
{
  self->stamp++;
  if (structure)
    self->structure_stamp++;
  g_signal_emit (self, signals[CHANGED], 0);
}

/* A tensor of the given shape that nobody else holds, reusing *slot
 * when it can: tensors a trace holds stay untouched snapshots. */
static inline BpTensor *
writable (BpTensor **slot,
          guint      rows,
          guint      cols)
{
  BpTensor *t = *slot;

  if (t != NULL && bp_tensor_get_ref_count (t) == 1 && t->rows == rows && t->cols == cols)
    return t;

  if (t != NULL)
    bp_tensor_unref (t);
  *slot = bp_tensor_new_uninit (rows, cols);
  return *slot;
}

/* --- a binary min-heap of insertion indices, for the order --- */

static inline void
heap_push (guint *heap,
           guint *len,
           guint  v)
{
  guint i = (*len)++;

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (heap[parent] <= v)
        break;
      heap[i] = heap[parent];
      i = parent;
    }
  heap[i] = v;
}

static inline guint
heap_pop (guint *heap,
          guint *len)
{
  guint top = heap[0];
  guint v = heap[--(*len)];
  guint i = 0;

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= *len)
        break;
      if (child + 1 < *len && heap[child + 1] < heap[child])
        child++;
      if (v <= heap[child])
        break;
      heap[i] = heap[child];
      i = child;
    }
  if (*len > 0)
    heap[i] = v;

  return top;
}

/* Kahn's algorithm, choosing the earliest inserted ready node each time:
 * deterministic, and no recursion, so a chain of a million nodes is fine. */
static void
compute_order (BpGraph *self)
{
  guint n = self->nodes->len;
  g_autofree guint *pending = g_new0 (guint, n);   /* unprocessed input edges */
  g_autofree guint *offsets = g_new0 (guint, n + 1);
  g_autofree guint *consumers = NULL;
  g_autofree guint *fill = NULL;
  g_autofree guint *heap = g_new (guint, n + 1);
  guint heap_len = 0;
  guint n_edges = 0;

  g_free (self->order);
  self->order = g_new (BpNode *, MAX (n, 1));
  self->n_order = 0;

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);

      node->index = i;
      offsets[i + 1] = offsets[i] + node->n_consumers;
    }
  n_edges = offsets[n];
  consumers = g_new (guint, MAX (n_edges, 1));
  fill = g_memdup2 (offsets, sizeof (guint) * (n + 1));

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);

      for (guint s = 0; s < node->op->arity; s++)
        {
          BpNode *input = node->inputs[s];

          if (input == NULL)
            continue;
          consumers[fill[input->index]++] = i;
          pending[i]++;
        }
    }

  for (guint i = 0; i < n; i++)
    if (pending[i] == 0)
      heap_push (heap, &heap_len, i);

  while (heap_len > 0)
    {
      guint i = heap_pop (heap, &heap_len);
      BpNode *node = g_ptr_array_index (self->nodes, i);

      node->order_pos = self->n_order;
      self->order[self->n_order++] = node;

      for (guint e = offsets[i]; e < offsets[i + 1]; e++)
        if (--pending[consumers[e]] == 0)
          heap_push (heap, &heap_len, consumers[e]);
    }

  /* Edges are refused when they would close a cycle. */
  g_assert (self->n_order == n);
  self->order_stamp = self->structure_stamp;
}

static void
ensure_order (BpGraph *self)
{
  if (self->order_stamp != self->structure_stamp || self->order == NULL)
    compute_order (self);
}

static BpNode *
find_output (BpGraph  *self,
             GError  **error)
{
  BpNode *output = bp_graph_get_output (self);

  if (output == NULL)
    {
      guint n_unused = 0;

      for (guint i = 0; i < self->nodes->len; i++)
        if (((BpNode *) g_ptr_array_index (self->nodes, i))->n_consumers == 0)
          n_unused++;

      if (self->nodes->len == 0)
        g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("The graph is empty"));
      else
        g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                     /* Translators: %u is a number of nodes whose value goes nowhere */
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%u node feeds nothing; choose which one is the output",
                                  "%u nodes feed nothing; choose which one is the output",
                                  n_unused),
                     n_unused);
    }

  return output;
}

/* --- GObject --- */

static void
bp_graph_finalize (GObject *object)
{
  BpGraph *self = BP_GRAPH (object);

  g_clear_pointer (&self->trace, bp_trace_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
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
  self->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
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
  memcpy (copy->next_auto_id, self->next_auto_id, sizeof self->next_auto_id);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);
      BpNode *dup = bp_graph_add_node (copy, node->id, node->op->name, NULL);

      g_assert (dup != NULL);
      dup->label = g_strdup (node->label);
      dup->attrs = node->attrs;
      dup->x = node->x;
      dup->y = node->y;
      dup->has_position = node->has_position;
      if (bp_op_is_leaf (node->op))
        {
          bp_tensor_unref (dup->value);
          dup->value = bp_tensor_copy (node->value);
        }
    }

  /* The original is acyclic, so the edges need no cycle check. */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);
      BpNode *dup = g_ptr_array_index (copy->nodes, i);

      for (guint s = 0; s < node->op->arity; s++)
        if (node->inputs[s] != NULL)
          {
            BpNode *src = g_hash_table_lookup (copy->by_id, node->inputs[s]->id);

            dup->inputs[s] = src;
            src->n_consumers++;
          }
    }

  if (self->output != NULL)
    copy->output = g_hash_table_lookup (copy->by_id, self->output->id);

  changed (copy, TRUE);

  return copy;
}

BpNode *
bp_graph_add_node (BpGraph     *self,
                   const char  *id,
                   const char  *op_name,
                   GError     **error)
{
  const BpOp *op;
  BpAttrs attrs = BP_ATTRS_INIT;
  BpNode *node;
  char *new_id;

  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);
  g_return_val_if_fail (op_name != NULL, NULL);

  op = bp_op_lookup (op_name);
  if (op == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_OP,
                   _("Unknown operation “%s”"), op_name);
      return NULL;
    }

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
          new_id = g_strdup_printf ("%s%u", op->name, ++self->next_auto_id[k]);
          if (!g_hash_table_contains (self->by_id, new_id))
            break;
          g_free (new_id);
        }
    }
  else if (*id == '\0')
    {
      g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("A node needs a non-empty id"));
      return NULL;
    }
  else if (g_hash_table_contains (self->by_id, id))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_DUPLICATE,
                   _("There is already a node “%s”"), id);
      return NULL;
    }
  else
    new_id = g_strdup (id);

  node = g_new0 (BpNode, 1);
  node->graph = self;
  node->id = new_id;
  node->op = op;
  node->attrs = attrs;
  if (bp_op_is_leaf (op))
    node->value = bp_tensor_new (1, 1);
  node->index = self->nodes->len;

  g_ptr_array_add (self->nodes, node);
  g_hash_table_insert (self->by_id, node->id, node);

  changed (self, TRUE);

  return node;
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
  if (self->default_output == node)
    self->default_output = NULL;

  /* The trace borrows node pointers: it must not outlive this one. */
  g_clear_pointer (&self->trace, bp_trace_unref);

  g_hash_table_remove (self->by_id, node->id);
  g_ptr_array_remove (self->nodes, node);

  changed (self, TRUE);
}

/* Whether dst is src or an ancestor of src. Walks src's inputs without
 * recursion; on success leaves visit_from links from dst back to src. */
static gboolean
reaches (BpGraph *self,
         BpNode  *src,
         BpNode  *dst)
{
  g_autoptr(GPtrArray) stack = NULL;

  if (src == dst)
    return TRUE;
  /* Nothing consumes dst: it cannot be anybody's ancestor. */
  if (dst->n_consumers == 0)
    return FALSE;
  /* Inputs come first in the cached order. */
  if (self->order_stamp == self->structure_stamp && self->order != NULL &&
      dst->order_pos > src->order_pos)
    return FALSE;

  self->visit++;
  stack = g_ptr_array_new ();
  src->visit = self->visit;
  src->visit_from = NULL;
  g_ptr_array_add (stack, src);

  while (stack->len > 0)
    {
      BpNode *node = g_ptr_array_steal_index_fast (stack, stack->len - 1);

      for (guint s = 0; s < node->op->arity; s++)
        {
          BpNode *input = node->inputs[s];

          if (input == NULL || input->visit == self->visit)
            continue;
          input->visit = self->visit;
          input->visit_from = node;
          if (input == dst)
            return TRUE;
          g_ptr_array_add (stack, input);
        }
    }

  return FALSE;
}

gboolean
bp_graph_would_cycle (BpGraph *self,
                      BpNode  *src,
                      BpNode  *dst)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);
  g_return_val_if_fail (src != NULL && dst != NULL, FALSE);

  return reaches (self, src, dst);
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

  if (reaches (self, src, dst))
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
  if (g_hash_table_contains (self->by_id, new_id))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_DUPLICATE,
                   _("There is already a node “%s”"), new_id);
      return FALSE;
    }

  g_hash_table_remove (self->by_id, node->id);
  g_free (node->id);
  node->id = g_strdup (new_id);
  g_hash_table_insert (self->by_id, node->id, node);

  changed (self, FALSE);

  return TRUE;
}

BpNode *
bp_graph_lookup (BpGraph    *self,
                 const char *id)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, id);
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

BpNode *const *
bp_graph_get_order (BpGraph *self,
                    guint   *n_nodes)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  ensure_order (self);
  if (n_nodes != NULL)
    *n_nodes = self->n_order;

  return self->order;
}

gboolean
bp_graph_validate (BpGraph  *self,
                   GError  **error)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);

  if (self->validated_stamp == self->stamp)
    {
      if (self->validate_error != NULL)
        {
          g_propagate_error (error, g_error_copy (self->validate_error));
          return FALSE;
        }
      return TRUE;
    }

  ensure_order (self);
  g_clear_error (&self->validate_error);

  for (guint k = 0; k < self->n_order; k++)
    {
      BpNode *node = self->order[k];
      const BpOp *op = node->op;
      guint in_rows[BP_OP_MAX_INPUTS] = { 0, };
      guint in_cols[BP_OP_MAX_INPUTS] = { 0, };
      g_autoptr(GError) local_error = NULL;
      gboolean inputs_valid = TRUE;

      g_clear_pointer (&node->error, g_free);
      node->valid = FALSE;
      node->blocker = NULL;

      if (bp_op_is_leaf (op))
        {
          node->rows = node->value->rows;
          node->cols = node->value->cols;
          node->valid = TRUE;
          continue;
        }

      for (guint s = 0; s < op->arity; s++)
        {
          BpNode *input = node->inputs[s];

          if (input == NULL)
            {
              if (local_error == NULL)
                local_error = g_error_new (BP_ERROR, BP_ERROR_ARITY,
                                           /* Translators: the node's id, the input's
                                            * name ("x"), the op's name ("mul") */
                                           _("Node “%s”: input “%s” of %s is not connected"),
                                           node->id, op->input_names[s], op->name);
              continue;
            }
          if (!input->valid && inputs_valid)
            {
              inputs_valid = FALSE;
              node->blocker = input->blocker;
            }
          in_rows[s] = input->rows;
          in_cols[s] = input->cols;
        }

      /* A node downstream of a broken one is not itself to blame: it
       * only waits (no message of its own). */
      if (local_error == NULL && !inputs_valid)
        continue;

      if (local_error == NULL &&
          !op->shape (&node->attrs, in_rows, in_cols, &node->rows, &node->cols, &local_error))
        g_prefix_error (&local_error, _("Node “%s”: "), node->id);

      if (local_error == NULL &&
          (guint64) node->rows * node->cols > BP_TENSOR_MAX_ELEMENTS)
        local_error = g_error_new (BP_ERROR, BP_ERROR_TOO_LARGE,
                                   /* Translators: the node's id, the op's name, the
                                    * value's rows×columns, the largest size allowed */
                                   _("Node “%s”: %s: the value would be %u×%u, more than %u numbers"),
                                   node->id, op->name, node->rows, node->cols,
                                   BP_TENSOR_MAX_ELEMENTS);

      if (local_error != NULL)
        {
          node->error = g_strdup (local_error->message);
          node->error_code = local_error->code;
          node->blocker = node;
          if (self->validate_error == NULL)
            self->validate_error = g_steal_pointer (&local_error);
          continue;
        }

      node->valid = TRUE;
    }

  self->validated_stamp = self->stamp;

  if (self->validate_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->validate_error));
      return FALSE;
    }
  return TRUE;
}

/* Computes the nodes in order and records their steps (when `trace` is
 * not NULL); returns how many nodes it computed. `all_valid` is a constant at each call: with TRUE the
 * check per node and the separate step count compile away. */
static inline G_ALWAYS_INLINE guint
forward_nodes (BpGraph       *self,
               BpTrace       *trace,
               BpStep        *steps,
               BpTensorArena *arena,
               gboolean       all_valid)
{
  guint n_steps = 0;

  for (guint k = 0; k < self->n_order; k++)
    {
      BpNode *node = self->order[k];
      const BpOp *op = node->op;

      /* Leaves are always valid, so this only drops computed values. */
      if (!all_valid && !node->valid)
        {
          g_clear_pointer (&node->value, bp_tensor_unref);
          continue;
        }

      if (op->arity > 0)
        {
          BpTensor *in[BP_OP_MAX_INPUTS];
          BpTensor *out = writable (&node->value, node->rows, node->cols);

          for (guint s = 0; s < op->arity; s++)
            in[s] = node->inputs[s]->value;
          op->forward (&node->attrs, in, out);
        }

      if (trace != NULL)
        {
          steps[all_valid ? k : n_steps] = (BpStep) {
            .kind = BP_STEP_FORWARD,
            .node = node,
            .value = bp_trace_snapshot (trace, arena, BP_STEP_FORWARD, node->value),
          };
        }
      if (!all_valid)
        n_steps++;
    }

  return all_valid ? self->n_order : n_steps;
}

/* The forward pass over every node that can be computed; the others
 * lose their value. FALSE (with the first error) when some could not.
 * `trace` NULL: record nothing. */
static gboolean
run_forward (BpGraph  *self,
             BpTrace  *trace,
             GError  **error)
{
  BpStep *steps = NULL;
  BpTensorArena *arena = NULL;
  gboolean valid;
  guint n_steps;

  valid = bp_graph_validate (self, error);

  if (trace != NULL)
    {
      steps = bp_trace_add_steps (trace, BP_STEP_FORWARD, self->n_order);
      arena = bp_trace_get_arena (trace, BP_STEP_FORWARD);
    }

  if (G_LIKELY (valid))
    n_steps = forward_nodes (self, trace, steps, arena, TRUE);
  else
    n_steps = forward_nodes (self, trace, steps, arena, FALSE);

  /* Only computed nodes have a step. */
  if (trace != NULL && n_steps < self->n_order)
    bp_trace_shrink (trace, n_steps);

  self->values_stamp = self->stamp;
  return valid;
}

/* Why `node` (invalid after validation) cannot be computed, when it
 * was asked to be differentiated or else evaluated. */
static void
set_blocked_error (BpNode      *node,
                   gboolean     differentiating,
                   GError     **error)
{
  BpNode *blocker = node->blocker;

  g_assert (blocker != NULL && blocker->error != NULL);

  if (blocker == node)
    g_set_error_literal (error, BP_ERROR, node->error_code, node->error);
  else if (differentiating)
    g_set_error (error, BP_ERROR, blocker->error_code,
                 /* Translators: the output node, the broken node it depends on,
                  * then that node's own error message */
                 _("The output “%s” cannot be differentiated: it depends on “%s”, which cannot be computed. %s"),
                 node->id, blocker->id, blocker->error);
  else
    g_set_error (error, BP_ERROR, blocker->error_code,
                 /* Translators: the output node, the broken node it depends on,
                  * then that node's own error message */
                 _("The output “%s” cannot be evaluated: it depends on “%s”, which cannot be computed. %s"),
                 node->id, blocker->id, blocker->error);
}

static gboolean
forward_pass (BpGraph  *self,
              GError  **error)
{
  /* Emptied first: when nobody else holds the old trace, its tensors go
   * back to one reference and are reused in place, and so is its memory. */
  if (self->record_trace && self->trace != NULL && bp_trace_get_ref_count (self->trace) == 1)
    bp_trace_reset (self->trace, self->stamp);
  else
    g_clear_pointer (&self->trace, bp_trace_unref);

  if (!self->record_trace)
    return run_forward (self, NULL, error);

  if (self->trace == NULL)
    self->trace = bp_trace_new (self->stamp, 2 * self->nodes->len);
  /* A partial pass keeps its trace: the steps of the nodes it computed. */
  return run_forward (self, self->trace, error);
}

gboolean
bp_graph_forward (BpGraph  *self,
                  GError  **error)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);

  return forward_pass (self, error);
}

/* Adds `dg` into node's gradient, copying first if a trace holds it. */
static inline void
accumulate (BpNode         *node,
            const BpTensor *dg)
{
  gsize n = bp_tensor_n_elements (dg);
  double *acc;

  if (bp_tensor_get_ref_count (node->grad) > 1)
    {
      BpTensor *copy = bp_tensor_copy (node->grad);

      bp_tensor_unref (node->grad);
      node->grad = copy;
    }

  acc = node->grad->data;
  for (gsize i = 0; i < n; i++)
    acc[i] += dg->data[i];
}

/* Kernels never write their UG, so one tensor of ones per shape serves. */
static BpTensor *
ones_like (BpGraph *self,
           guint    rows,
           guint    cols)
{
  if (self->ones == NULL || self->ones->rows != rows || self->ones->cols != cols)
    {
      g_clear_pointer (&self->ones, bp_tensor_unref);
      self->ones = bp_tensor_new_filled (rows, cols, 1.0);
    }
  return self->ones;
}

static inline BpTensor *
scratch (BpGraph *self,
         guint    slot,
         guint    rows,
         guint    cols)
{
  return writable (&self->scratch[slot], rows, cols);
}

gboolean
bp_graph_backward (BpGraph  *self,
                   GError  **error)
{
  BpTrace *trace = NULL;
  BpStep *steps = NULL;
  BpStep *step = NULL;
  guint n_steps = 0;
  BpTensorArena *arena = NULL;
  BpNode *output;
  guint64 pass;

  g_return_val_if_fail (BP_IS_GRAPH (self), FALSE);

  /* A new pass number resets every gradient at once: a gradient counts
   * only when it was set in this pass, so the first arrival sets it and
   * later ones add to it. A failed pass leaves no gradient at all. */
  pass = ++self->grad_pass;

  /* Broken parts elsewhere do not matter: only the output's ancestors
   * must be valid, and an invalid one makes the output invalid too. */
  bp_graph_validate (self, NULL);

  output = find_output (self, error);
  if (output == NULL)
    return FALSE;

  /* Values first: recompute them if stale, or reuse the forward steps
   * already recorded for these values. */
  if (self->values_stamp != self->stamp ||
      (self->record_trace && (self->trace == NULL || bp_trace_get_stamp (self->trace) != self->stamp)))
    forward_pass (self, NULL);
  else if (!self->record_trace)
    g_clear_pointer (&self->trace, bp_trace_unref);
  else if (bp_trace_get_ref_count (self->trace) == 1)
    bp_trace_truncate_backward (self->trace);
  else
    {
      BpTrace *copy = bp_trace_copy_forward (self->trace);

      bp_trace_unref (self->trace);
      self->trace = copy;
    }

  if (!output->valid)
    {
      set_blocked_error (output, TRUE, error);
      return FALSE;
    }

  trace = self->record_trace ? self->trace : NULL;

  /* One step per ancestor of the output at most; the unused ones are
   * dropped at the end. */
  if (trace != NULL)
    {
      steps = bp_trace_add_steps (trace, BP_STEP_BACKWARD, output->order_pos + 1);
      arena = bp_trace_get_arena (trace, BP_STEP_BACKWARD);
    }

  bp_tensor_fill (writable (&output->grad, output->rows, output->cols), 1.0);
  output->grad_pass = pass;

  for (guint k = output->order_pos + 1; k-- > 0;)
    {
      BpNode *node = self->order[k];
      const BpOp *op = node->op;
      BpTensor *in[BP_OP_MAX_INPUTS];
      BpTensor *dg[BP_OP_MAX_INPUTS];
      gboolean first[BP_OP_MAX_INPUTS];

      /* Not an ancestor of the output. */
      if (node->grad_pass != pass)
        continue;

      if (trace != NULL)
        {
          step = &steps[n_steps++];
          *step = (BpStep) {
            .kind = BP_STEP_BACKWARD,
            .node = node,
            .upstream = bp_trace_snapshot (trace, arena, BP_STEP_BACKWARD, node->grad),
          };
        }

      if (op->arity == 0)
        continue;

      for (guint s = 0; s < op->arity; s++)
        in[s] = node->inputs[s]->value;

      if (trace == NULL)
        {
          /* Write straight into the input's gradient when this is the
           * first to arrive there; otherwise into scratch, then add. */
          for (guint s = 0; s < op->arity; s++)
            {
              BpNode *input = node->inputs[s];

              first[s] = input->grad_pass != pass;
              if (first[s])
                {
                  dg[s] = writable (&input->grad, input->rows, input->cols);
                  input->grad_pass = pass;
                }
              else
                dg[s] = scratch (self, s, input->rows, input->cols);
            }

          op->backward (&node->attrs, in, node->value, node->grad, dg);

          for (guint s = 0; s < op->arity; s++)
            if (!first[s])
              accumulate (node->inputs[s], dg[s]);
        }
      else
        {
          for (guint s = 0; s < op->arity; s++)
            dg[s] = bp_trace_new_tensor (trace, arena, BP_STEP_BACKWARD,
                                         node->inputs[s]->rows, node->inputs[s]->cols);

          op->backward (&node->attrs, in, node->value, node->grad, dg);

          step->n_inputs = op->arity;

          if (op->local_from_backward)
            {
              /* One backward call with UG = ones gives every LG. */
              BpTensor *ones = ones_like (self, node->rows, node->cols);

              for (guint s = 0; s < op->arity; s++)
                step->local[s] = bp_trace_new_tensor (trace, arena, BP_STEP_BACKWARD,
                                                      node->inputs[s]->rows, node->inputs[s]->cols);
              op->backward (&node->attrs, in, node->value, ones, step->local);
            }
          else if (op->local != NULL)
            {
              for (guint s = 0; s < op->arity; s++)
                {
                  step->local[s] = op->local (&node->attrs, in, node->value, s);
                  if (step->local[s] != NULL)
                    bp_trace_hold (trace, BP_STEP_BACKWARD, step->local[s]);
                }
            }

          for (guint s = 0; s < op->arity; s++)
            {
              BpNode *input = node->inputs[s];

              step->downstream[s] = dg[s];

              if (input->grad_pass != pass)
                {
                  /* The trace's own tensor stays its snapshot: an arena
                   * one is copied, a large one shared (and copied before
                   * anything is added to it). */
                  if (bp_tensor_get_ref_count (dg[s]) == BP_TENSOR_ARENA_REF_COUNT)
                    {
                      BpTensor *grad = writable (&input->grad, input->rows, input->cols);

                      memcpy (grad->data, dg[s]->data, bp_tensor_n_elements (grad) * sizeof (double));
                    }
                  else
                    {
                      g_clear_pointer (&input->grad, bp_tensor_unref);
                      input->grad = bp_tensor_ref (dg[s]);
                    }
                  input->grad_pass = pass;
                }
              else
                accumulate (input, dg[s]);
            }
        }
    }

  if (trace != NULL)
    bp_trace_shrink (trace, bp_trace_get_n_forward (trace) + n_steps);

  return TRUE;
}

BpTrace *
bp_graph_get_trace (BpGraph *self)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  return self->trace;
}

void
bp_graph_set_record_trace (BpGraph  *self,
                           gboolean  record)
{
  g_return_if_fail (BP_IS_GRAPH (self));

  self->record_trace = !!record;
}

BpTensor *
bp_graph_evaluate (BpGraph  *self,
                   GError  **error)
{
  BpNode *output;

  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  bp_graph_validate (self, NULL);
  output = find_output (self, error);
  if (output == NULL)
    return NULL;
  if (!output->valid)
    {
      set_blocked_error (output, FALSE, error);
      return NULL;
    }

  /* Leaves the recorded trace alone: it still describes its stamp. */
  run_forward (self, NULL, NULL);

  return bp_tensor_ref (output->value);
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

  g_free (node->label);
  node->label = g_strdup (label);
  /* A label changes no value: the trace stays valid. */
  g_signal_emit (node->graph, signals[CHANGED], 0);
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

BpGraph *
bp_node_get_graph (const BpNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return node->graph;
}

gboolean
bp_node_get_shape (const BpNode *node,
                   guint        *rows,
                   guint        *cols)
{
  g_return_val_if_fail (node != NULL, FALSE);

  if (bp_op_is_leaf (node->op))
    {
      if (rows != NULL)
        *rows = node->value->rows;
      if (cols != NULL)
        *cols = node->value->cols;
      return TRUE;
    }

  if (node->graph->validated_stamp != node->graph->stamp)
    bp_graph_validate (node->graph, NULL);

  if (!node->valid)
    return FALSE;
  if (rows != NULL)
    *rows = node->rows;
  if (cols != NULL)
    *cols = node->cols;
  return TRUE;
}
