/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The one cycle test of a whole graph, for the graph's order and for a
 * document's edges before anything is connected. Nodes are numbered
 * 0 … n-1; the inputs of node i are inputs[offsets[i]] …
 * inputs[offsets[i + 1] - 1] (an input may repeat).
 *
 * Fills `order` (n entries) with a topological order — inputs first,
 * ties broken by the lower number, so the order is deterministic — and
 * returns TRUE. When the edges close a cycle, returns FALSE and, when
 * `cycle` (a GArray of guint) is not NULL, fills it with one cycle in
 * the direction of the edges, its first node repeated at the end
 * ("a → b → a"). Linear in nodes and edges, no recursion. */
gboolean  bp_order_sort  (guint        n,
                          const guint *offsets,
                          const guint *inputs,
                          guint       *order,
                          GArray      *cycle);

G_END_DECLS
