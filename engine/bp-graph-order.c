/* SPDX-License-Identifier: MIT */
/* The topological order, and the cycle tests: bp_order_sort for a whole
 * graph (the order, documents), _bp_graph_reaches for one new edge. */
#include "bp-graph-private.h"

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

/* Follows, from node i, the first input that is not in the order yet.
 * Every node outside the order has such an input (its pending count is
 * not zero), so this never stops. */
static guint
unordered_input (guint         i,
                 const guint  *offsets,
                 const guint  *inputs,
                 const guint  *pending)
{
  for (guint e = offsets[i]; e < offsets[i + 1]; e++)
    if (pending[inputs[e]] > 0)
      return inputs[e];
  g_assert_not_reached ();
  return i;
}

gboolean
bp_order_sort (guint        n,
               const guint *offsets,
               const guint *inputs,
               guint       *order,
               GArray      *cycle)
{
  g_autofree guint *pending = g_new (guint, MAX (n, 1));    /* unordered input edges */
  g_autofree guint *c_offsets = g_new0 (guint, n + 2);      /* consumers, CSR */
  g_autofree guint *consumers = g_new (guint, MAX (offsets[n], 1));
  g_autofree guint *heap = g_new (guint, MAX (n, 1));
  guint heap_len = 0;
  guint n_order = 0;
  guint start, i;

  for (i = 0; i < n; i++)
    {
      pending[i] = offsets[i + 1] - offsets[i];
      for (guint e = offsets[i]; e < offsets[i + 1]; e++)
        c_offsets[inputs[e] + 2]++;
    }
  for (i = 0; i < n; i++)
    c_offsets[i + 2] += c_offsets[i + 1];
  for (i = 0; i < n; i++)
    for (guint e = offsets[i]; e < offsets[i + 1]; e++)
      consumers[c_offsets[inputs[e] + 1]++] = i;
  /* c_offsets[i] … c_offsets[i + 1] are now node i's consumers. */

  /* Kahn's algorithm, choosing the lowest ready number each time. */
  for (i = 0; i < n; i++)
    if (pending[i] == 0)
      heap_push (heap, &heap_len, i);
  while (heap_len > 0)
    {
      i = heap_pop (heap, &heap_len);
      order[n_order++] = i;
      for (guint e = c_offsets[i]; e < c_offsets[i + 1]; e++)
        if (--pending[consumers[e]] == 0)
          heap_push (heap, &heap_len, consumers[e]);
    }

  if (n_order == n)
    return TRUE;
  if (cycle == NULL)
    return FALSE;

  /* The nodes left out are on a cycle or downstream of one. Walking back
   * along unordered inputs from the first of them, n steps surely land on
   * a cycle; then go once around it. */
  for (start = 0; pending[start] == 0; start++)
    ;
  i = start;
  for (guint steps = 0; steps < n; steps++)
    i = unordered_input (i, offsets, inputs, pending);

  start = i;
  g_array_set_size (cycle, 0);
  do
    {
      g_array_append_val (cycle, i);
      i = unordered_input (i, offsets, inputs, pending);
    }
  while (i != start);
  g_array_append_val (cycle, start);

  /* Walking back went against the edges. */
  for (guint a = 0, b = cycle->len - 1; a < b; a++, b--)
    {
      guint t = g_array_index (cycle, guint, a);

      g_array_index (cycle, guint, a) = g_array_index (cycle, guint, b);
      g_array_index (cycle, guint, b) = t;
    }

  return FALSE;
}

static void
compute_order (BpGraph *self)
{
  guint n = self->nodes->len;
  g_autofree guint *offsets = NULL;
  g_autofree guint *inputs = NULL;
  g_autofree guint *order = NULL;
  guint n_edges = 0;
  gboolean inputs_first = TRUE;

  g_free (self->order);
  self->order = g_new (BpNode *, MAX (n, 1));
  self->n_order = n;
  self->order_stamp = self->structure_stamp;

  /* A graph whose every node comes after its inputs (one an expression
   * or a loader built, usually) is its own order: the lowest ready node
   * is always the next one. A node's index is its position already. */
  for (guint i = 0; i < n && inputs_first; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);

      for (guint s = 0; s < node->op->arity; s++)
        if (node->inputs[s] != NULL && node->inputs[s]->index >= i)
          inputs_first = FALSE;
    }
  if (inputs_first)
    {
      for (guint k = 0; k < n; k++)
        {
          BpNode *node = g_ptr_array_index (self->nodes, k);

          node->order_pos = k;
          self->order[k] = node;
        }
      return;
    }

  offsets = g_new (guint, n + 1);
  order = g_new (guint, MAX (n, 1));
  offsets[0] = 0;
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);

      g_assert (node->index == i);
      for (guint s = 0; s < node->op->arity; s++)
        if (node->inputs[s] != NULL)
          n_edges++;
      offsets[i + 1] = n_edges;
    }
  inputs = g_new (guint, MAX (n_edges, 1));
  for (guint i = 0, e = 0; i < n; i++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, i);

      for (guint s = 0; s < node->op->arity; s++)
        if (node->inputs[s] != NULL)
          inputs[e++] = node->inputs[s]->index;
    }

  /* Edges are refused when they would close a cycle. */
  if (!bp_order_sort (n, offsets, inputs, order, NULL))
    g_error ("BpGraph: the edges close a cycle");

  for (guint k = 0; k < n; k++)
    {
      BpNode *node = g_ptr_array_index (self->nodes, order[k]);

      node->order_pos = k;
      self->order[k] = node;
    }
}

void
_bp_graph_ensure_order (BpGraph *self)
{
  if (self->order_stamp != self->structure_stamp || self->order == NULL)
    compute_order (self);
}

/* The test for one new edge: walks only src's ancestors (without
 * recursion), so that building a graph edge by edge stays linear. */
gboolean
_bp_graph_reaches (BpGraph *self,
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

  return _bp_graph_reaches (self, src, dst);
}

BpNode *const *
bp_graph_get_order (BpGraph *self,
                    guint   *n_nodes)
{
  g_return_val_if_fail (BP_IS_GRAPH (self), NULL);

  _bp_graph_ensure_order (self);
  if (n_nodes != NULL)
    *n_nodes = self->n_order;

  return self->order;
}
