/* SPDX-License-Identifier: MIT */
/* Automatic layout with Graphviz's dot: it chooses the ranks (columns,
 * left to right) and the order inside each rank so that edges cross as
 * little as possible. The columns are then re-spaced so that every
 * arrow is long enough for the numbers written on it, which dot cannot
 * know about. */

#include <math.h>
#include <string.h>
#include <gvc.h>
#include <gmodule.h>

#include "bp-document.h"
#include "bp-layout.h"

#define DOT_PLUGIN_SYMBOL "gvplugin_dot_layout_LTX_library"

#define BP_POINTS_PER_INCH 72.0
#define RANK_GAP_MIN    96.0   /* shortest arrow between columns, px */
#define LABEL_MARGIN    20.0   /* free space on either side of a label */
#define LABEL_MARGIN_COMPACT 5.0  /* the same beside a chip */
#define NODE_SEP        18.0   /* between nodes of one column, px */
/* dot takes ~0.2 s for 500 nodes but ~12 s for 2000. */
#define DOT_MAX_NODES   1200
/* How far an arrow may climb per unit it runs: ~40° for a grid, up to
 * ~60° for a chip, which is small enough to stand on a steep arrow. */
#define STEEP_GRID      (1 / 1.2)
#define STEEP_COMPACT   (1 / 0.6)
#define STEEP_LABEL     76.0   /* px: a chip this wide allows a slope of 1 */
#define BAND_GAP        9.0    /* label gaps and the back arrow's offset */
/* Wider than this, a layout is wrapped into rows (px, diagram units). */
#define WRAP_MIN_WIDTH  1e6
#define ROW_GAP         240.0  /* between wrapped rows, px */
/* A graph laid out larger than this (px at text scale 1) is fitted into a
 * 1024×768 window with its side panel with numbers under 11 px: lay it out
 * with chips for matrices instead. */
#define READABLE_WIDTH  800.0
#define READABLE_HEIGHT 560.0

typedef struct
{
  BpNode  *node;
  Agnode_t *agn;
  double   w, h;       /* the footprint given to dot */
  double   vw, vh;     /* this node's value label */
  double   x, y;       /* result, y down */
  int      rank;
  gboolean fixed;      /* keeps the position the user gave it */
} Item;

/* gvContext() reads the plugin configuration and registers every plugin
 * (~10 ms per process); only dot is needed, so open its library directly
 * and hand it to gvContextPlugins() (~0.3 ms). */
static GVC_t *
new_context (void)
{
#ifdef BP_GVPLUGIN_DIR
  static lt_symlist_t builtins[] = {
    { DOT_PLUGIN_SYMBOL, NULL },
    { NULL, NULL },
  };
  static const char *names[] = {
    "libgvplugin_dot_layout.so.6", "libgvplugin_dot_layout.so",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_build_filename (BP_GVPLUGIN_DIR, names[i], NULL);
      GModule *module = g_module_open (file, G_MODULE_BIND_LOCAL);
      gpointer library = NULL;

      if (module == NULL)
        continue;
      if (g_module_symbol (module, DOT_PLUGIN_SYMBOL, &library) && library != NULL)
        {
          /* Stays loaded for the life of the process, as the context. */
          g_module_make_resident (module);
          builtins[0].address = library;
          return gvContextPlugins (builtins, 0);
        }
      g_module_close (module);
    }
#endif
  return gvContext ();
}

static GVC_t *
get_gvc (void)
{
  static GVC_t *gvc = NULL;

  /* One context for the process; layouts run on the main thread. */
  if (g_once_init_enter (&gvc))
    g_once_init_leave (&gvc, new_context ());
  return gvc;
}

static void
set_attr (void *obj, const char *name, const char *value)
{
  /* cgraph takes non-const strings but does not modify them. */
  agsafeset (obj, (char *) name, (char *) value, (char *) "");
}

static void
set_inches (void *obj, const char *name, double px)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.4f", px / BP_POINTS_PER_INCH);
  set_attr (obj, name, buf);
}

/* Values and gradients of a throw-away copy, so that the layout can leave
 * room for the numbers a pass will write (NULL when the graph cannot run). */
static BpGraph *
evaluate_copy (BpGraph *graph)
{
  g_autoptr(BpGraph) copy = bp_graph_copy (graph);

  bp_graph_set_record_trace (copy, FALSE);
  if (bp_graph_get_output (copy) == NULL || !bp_graph_backward (copy, NULL))
    return NULL;
  return g_steal_pointer (&copy);
}

static gint64
cell_key (double x,
          double y,
          double cw,
          double ch,
          int    dx,
          int    dy)
{
  /* Positions are within ±BP_DOCUMENT_MAX_COORD (times the spread). */
  gint64 cx = (gint64) floor (CLAMP (x / cw, -1e9, 1e9)) + dx;
  gint64 cy = (gint64) floor (CLAMP (y / ch, -1e9, 1e9)) + dy;

  return (gint64) (((guint64) cx << 32) ^ ((guint64) cy & 0xffffffff));
}

/* Nodes placed next to ones the user positioned: move each new node down
 * until it is clear of every positioned one. The positioned nodes sit in
 * a grid of cells as large as the largest overlap distance, so that each
 * test looks at the nine cells around a node: linear, not quadratic, for
 * the big documents converted with some positions missing. */
static void
overlap_push_down (Item *items, guint n, double sep)
{
  g_autoptr(GHashTable) cells = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       (GDestroyNotify) g_array_unref);
  double max_w = 0, max_h = 0, cw, ch;

  for (guint i = 0; i < n; i++)
    {
      max_w = MAX (max_w, items[i].w);
      max_h = MAX (max_h, items[i].h);
    }
  cw = max_w + sep + 1;
  ch = max_h + sep + 1;
  for (guint i = 0; i < n; i++)
    {
      gint64 key;
      GArray *cell;

      if (!items[i].fixed)
        continue;
      key = cell_key (items[i].x, items[i].y, cw, ch, 0, 0);
      cell = g_hash_table_lookup (cells, &key);
      if (cell == NULL)
        {
          cell = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (cells, g_memdup2 (&key, sizeof key), cell);
        }
      g_array_append_val (cell, i);
    }

  for (guint j = 0; j < n; j++)
    {
      Item *b = &items[j];
      gboolean moved = TRUE;
      guint rounds = 0;

      if (b->fixed)
        continue;
      while (moved && rounds++ < 1024)
        {
          moved = FALSE;
          for (int dx = -1; dx <= 1 && !moved; dx++)
            for (int dy = -1; dy <= 1 && !moved; dy++)
              {
                gint64 key = cell_key (b->x, b->y, cw, ch, dx, dy);
                GArray *cell = g_hash_table_lookup (cells, &key);

                for (guint k = 0; cell != NULL && k < cell->len && !moved; k++)
                  {
                    Item *a = &items[g_array_index (cell, guint, k)];

                    if (fabs (a->x - b->x) < (a->w + b->w) / 2 + sep
                        && fabs (a->y - b->y) < (a->h + b->h) / 2 + sep)
                      {
                        b->y = a->y + (a->h + b->h) / 2 + sep;
                        moved = TRUE;
                      }
                  }
              }
        }
    }
}

/* Ranks (columns) and vertical positions from dot. */
static gboolean
dot_ranks (Item *items, guint n, GHashTable *index, double s, GError **error)
{
  GVC_t *gvc = get_gvc ();
  Agraph_t *g;
  double top;

  if (gvc == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "Graphviz could not be initialised");
      return FALSE;
    }

  g = agopen ((char *) "bp", Agdirected, NULL);
  set_attr (g, "rankdir", "LR");
  set_attr (g, "ordering", "in");
  set_inches (g, "nodesep", NODE_SEP * s);
  set_inches (g, "ranksep", RANK_GAP_MIN * s);
  if (n > 200)
    {
      /* Bound the crossing minimisation and positioning passes, which
       * grow much faster than the graph. */
      set_attr (g, "mclimit", "0.5");
      set_attr (g, "nslimit", "2");
      set_attr (g, "nslimit1", "2");
    }
  for (guint i = 0; i < n; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "n%u", i);
      items[i].agn = agnode (g, name, TRUE);
      set_attr (items[i].agn, "shape", "box");
      set_attr (items[i].agn, "fixedsize", "true");
      set_attr (items[i].agn, "label", "");
      /* In the final orientation: width is horizontal even with LR. */
      set_inches (items[i].agn, "width", items[i].w);
      set_inches (items[i].agn, "height", items[i].h);
    }
  for (guint i = 0; i < n; i++)
    {
      guint n_in = bp_node_get_n_inputs (items[i].node);

      for (guint k = 0; k < n_in; k++)
        {
          BpNode *src = bp_node_get_input (items[i].node, k);
          Agedge_t *e;
          guint j;

          if (src == NULL)
            continue;
          j = GPOINTER_TO_UINT (g_hash_table_lookup (index, src));
          e = agedge (g, items[j].agn, items[i].agn, NULL, TRUE);
          /* Keep the first inputs in a straight row, as the book draws a
           * chain of layers with W and b hanging below. */
          set_attr (e, "weight", k == 0 ? "8" : "1");
        }
    }

  if (gvLayout (gvc, g, "dot") != 0)
    {
      agclose (g);
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "Graphviz could not lay out the graph");
      return FALSE;
    }

  top = GD_bb (g).UR.y;
  for (guint i = 0; i < n; i++)
    {
      items[i].rank = ND_rank (items[i].agn);
      items[i].y = top - ND_coord (items[i].agn).y;
    }

  gvFreeLayout (gvc, g);
  agclose (g);
  return TRUE;
}

/* Sorts a column's items by the height they would like to have. */
static int
compare_want (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Item *x = *(Item *const *) a, *y = *(Item *const *) b;
  const double *want = user_data;
  double wx = want[x->rank], wy = want[y->rank];

  /* `rank` is borrowed here as the item's index into `want`. */
  return wx < wy ? -1 : wx > wy ? 1 : 0;
}

/* Stacks a column top to bottom in the order given, each item as near
 * the height it wants as the items above it allow. */
static void
place_column (Item **column, guint len, const double *want, const guint *index, double sep)
{
  double bottom = -G_MAXDOUBLE;

  for (guint k = 0; k < len; k++)
    {
      Item *it = column[k];
      double y = want[index[k]];

      if (bottom > -G_MAXDOUBLE)
        y = MAX (y, bottom + sep + it->h / 2);
      it->y = y;
      bottom = y + it->h / 2;
    }
}

/* For graphs too big for dot to finish in reasonable time, in O(N + E)
 * besides sorting each column: longest-path columns (each node one right
 * of its furthest input), leaves moved right next to their first
 * consumer as the book draws them; then one sweep left to right puts
 * each node at the mean height of its inputs (chains run straight), and
 * one sweep back puts each leaf at the mean height of its consumers. */
static void
simple_ranks (BpGraph *graph, Item *items, guint n, GHashTable *index, double s)
{
  guint n_order = 0;
  BpNode *const *order = bp_graph_get_order (graph, &n_order);
  g_autofree guint *item_of = g_new (guint, n_order);
  g_autofree guint *first = NULL;
  g_autofree guint *fill = NULL;
  g_autofree Item **columns = g_new (Item *, n);
  g_autofree guint *column_index = g_new (guint, n);
  g_autofree double *want = g_new0 (double, n);
  g_autofree double *sum = g_new0 (double, n);
  g_autofree guint *count = g_new0 (guint, n);
  g_autofree int *min_consumer = g_new (int, n);
  g_autofree gboolean *leaf = g_new0 (gboolean, n);
  double sep = NODE_SEP * s, stack = 0;
  int max_rank = 0;

  for (guint i = 0; i < n; i++)
    min_consumer[i] = G_MAXINT;
  for (guint o = 0; o < n_order; o++)
    item_of[o] = GPOINTER_TO_UINT (g_hash_table_lookup (index, order[o]));

  /* Columns, in topological order. */
  for (guint o = 0; o < n_order; o++)
    {
      Item *it = &items[item_of[o]];
      guint n_in = bp_node_get_n_inputs (it->node);
      gboolean any = FALSE;

      it->rank = 0;
      for (guint k = 0; k < n_in; k++)
        {
          BpNode *src = bp_node_get_input (it->node, k);

          if (src != NULL)
            {
              it->rank = MAX (it->rank,
                              items[GPOINTER_TO_UINT (g_hash_table_lookup (index, src))].rank + 1);
              any = TRUE;
            }
        }
      leaf[item_of[o]] = !any;
    }
  for (guint i = 0; i < n; i++)
    {
      guint n_in = bp_node_get_n_inputs (items[i].node);

      for (guint k = 0; k < n_in; k++)
        {
          BpNode *src = bp_node_get_input (items[i].node, k);
          guint j;

          if (src == NULL)
            continue;
          j = GPOINTER_TO_UINT (g_hash_table_lookup (index, src));
          if (leaf[j])
            min_consumer[j] = MIN (min_consumer[j], items[i].rank);
        }
    }
  for (guint i = 0; i < n; i++)
    {
      if (leaf[i] && min_consumer[i] != G_MAXINT)
        items[i].rank = min_consumer[i] - 1;
      max_rank = MAX (max_rank, items[i].rank);
    }

  /* Bucket the items by column, in topological order (counting sort). */
  first = g_new0 (guint, max_rank + 2);
  fill = g_new0 (guint, max_rank + 1);
  for (guint i = 0; i < n; i++)
    first[items[i].rank + 1]++;
  for (int r = 0; r <= max_rank; r++)
    first[r + 1] += first[r];
  for (guint o = 0; o < n_order; o++)
    {
      Item *it = &items[item_of[o]];

      columns[first[it->rank] + fill[it->rank]++] = it;
    }

  /* Left to right: the mean height of the inputs; leaves, and nodes fed
   * only by leaves, stacked for now. */
  for (int r = 0; r <= max_rank; r++)
    {
      Item **column = columns + first[r];
      guint len = first[r + 1] - first[r];
      g_autofree guint *idx = g_new (guint, len);

      for (guint k = 0; k < len; k++)
        {
          Item *it = column[k];
          guint i = (guint) (it - items);
          guint n_in = bp_node_get_n_inputs (it->node);
          double total = 0;
          guint m = 0;

          for (guint q = 0; q < n_in; q++)
            {
              BpNode *src = bp_node_get_input (it->node, q);
              guint j;

              if (src == NULL)
                continue;
              j = GPOINTER_TO_UINT (g_hash_table_lookup (index, src));
              if (!leaf[j])
                {
                  total += items[j].y;
                  m++;
                }
            }
          if (m > 0)
            want[i] = total / m;
          else
            {
              want[i] = stack + it->h / 2;
              stack += it->h + sep;
            }
          idx[k] = i;
        }
      /* Sort by the wanted height; compare_want reads the index through
       * `rank`, put back afterwards. */
      for (guint k = 0; k < len; k++)
        column[k]->rank = (int) idx[k];
      g_qsort_with_data (column, (gint) len, sizeof (Item *), compare_want, want);
      for (guint k = 0; k < len; k++)
        {
          idx[k] = (guint) column[k]->rank;
          column[k]->rank = r;
        }
      place_column (column, len, want, idx, sep);
    }

  /* Back: each leaf beside its consumers; columns re-stacked. */
  for (guint i = 0; i < n; i++)
    {
      sum[i] = 0;
      count[i] = 0;
    }
  for (guint i = 0; i < n; i++)
    {
      guint n_in = bp_node_get_n_inputs (items[i].node);

      for (guint k = 0; k < n_in; k++)
        {
          BpNode *src = bp_node_get_input (items[i].node, k);
          guint j;

          if (src == NULL)
            continue;
          j = GPOINTER_TO_UINT (g_hash_table_lookup (index, src));
          /* Below the consumer's row for its second and third inputs,
           * as W and b hang below a layer. */
          sum[j] += items[i].y + (k == 0 ? 0 : items[i].h / 2 + items[j].h / 2 + sep);
          count[j]++;
        }
    }
  for (int r = 0; r <= max_rank; r++)
    {
      Item **column = columns + first[r];
      guint len = first[r + 1] - first[r];
      g_autofree guint *idx = g_new (guint, len);

      for (guint k = 0; k < len; k++)
        {
          guint i = (guint) (column[k] - items);

          want[i] = (leaf[i] && count[i] > 0) ? sum[i] / count[i] : column[k]->y;
          column[k]->rank = (int) i;
        }
      g_qsort_with_data (column, (gint) len, sizeof (Item *), compare_want, want);
      for (guint k = 0; k < len; k++)
        {
          idx[k] = (guint) column[k]->rank;
          column[k]->rank = r;
        }
      place_column (column, len, want, idx, sep);
    }
}

/* A very long graph (a chain of thousands of nodes) would run far
 * beyond the coordinates a document may hold: cut its columns into rows
 * of about equal width, stacked downwards, so that the whole is roughly
 * square. Linear in the number of nodes. */
static void
wrap_rows (Item         *items,
           guint         n,
           const double *rank_x,
           const double *rank_w,
           int           max_rank,
           double        min_x)
{
  g_autofree double *shift_x = NULL;
  g_autofree guint *row = NULL;
  double width = 0, height = 0, band, row_w, row_start;
  guint n_rows = 0;

  for (guint i = 0; i < n; i++)
    {
      width = MAX (width, items[i].x + items[i].w / 2);
      height = MAX (height, items[i].y + items[i].h / 2);
    }
  if (width <= WRAP_MIN_WIDTH)
    return;

  band = height + ROW_GAP;
  row_w = MAX (sqrt (width * band), WRAP_MIN_WIDTH / 4);
  shift_x = g_new (double, max_rank + 1);
  row = g_new (guint, max_rank + 1);
  row_start = rank_x[0] - rank_w[0] / 2 - min_x;
  for (int r = 0; r <= max_rank; r++)
    {
      double left = rank_x[r] - rank_w[r] / 2 - min_x;
      double right = rank_x[r] + rank_w[r] / 2 - min_x;

      if (right - row_start > row_w && left > row_start)
        {
          n_rows++;
          row_start = left;
        }
      shift_x[r] = row_start;
      row[r] = n_rows;
    }
  for (guint i = 0; i < n; i++)
    {
      items[i].x -= shift_x[items[i].rank];
      items[i].y += row[items[i].rank] * band;
    }
}

static gboolean
within_limit (const Item *items,
              guint       n,
              double      spread)
{
  for (guint i = 0; i < n; i++)
    if (!(fabs (items[i].x) / spread <= BP_DOCUMENT_MAX_COORD * 0.99
          && fabs (items[i].y) / spread <= BP_DOCUMENT_MAX_COORD * 0.99))
      return FALSE;
  return TRUE;
}

/* The last resort for a graph whose columns are too tall to fit even
 * when wrapped (a hundred thousand nodes side by side): a square grid in
 * the graph's order, every cell as big as the biggest node. */
static void
grid_layout (BpGraph    *graph,
             Item       *items,
             guint       n,
             GHashTable *index,
             double      sep)
{
  guint n_order = 0;
  BpNode *const *order = bp_graph_get_order (graph, &n_order);
  double cell_w = 0, cell_h = 0;
  guint side = (guint) ceil (sqrt ((double) n));

  for (guint i = 0; i < n; i++)
    {
      cell_w = MAX (cell_w, items[i].w);
      cell_h = MAX (cell_h, items[i].h);
    }
  /* Labels: a node's value stands on its arrow, left of the next cell. */
  cell_w += RANK_GAP_MIN + sep;
  cell_h += sep;
  for (guint o = 0; o < n; o++)
    {
      Item *it = n_order == n ? &items[GPOINTER_TO_UINT (g_hash_table_lookup (index, order[o]))]
                              : &items[o];

      it->x = (o % side) * cell_w + cell_w / 2;
      it->y = (o / side) * cell_h + cell_h / 2;
    }
}

/* Places every item: dot chooses the ranks and the order, then the
 * columns are re-spaced so that each arrow has room for its labels.
 * `compact` gives a matrix the room of its chip instead of its grid;
 * `has_grids` is set when a matrix was given the room of a grid. */
static gboolean
place_items (BpDiagram  *diagram,
             BpGraph    *values,
             Item       *items,
             guint       n,
             GHashTable *index,
             gboolean    compact,
             gboolean   *has_grids,
             GError    **error)
{
  BpGraph *graph = bp_diagram_get_graph (diagram);
  double s = bp_diagram_get_text_scale (diagram);
  double spread = bp_diagram_get_spread (diagram);
  g_autofree double *rank_w = NULL;
  g_autofree double *gap = NULL;
  g_autofree double *rank_x = NULL;
  g_autofree double *widest = NULL;   /* the widest label into each item */
  double min_x = G_MAXDOUBLE, min_y = G_MAXDOUBLE;
  int max_rank = 0;
  gboolean estimate;

  memset (items, 0, n * sizeof (Item));
  /* Shaping every label is most of the time of a big layout: there,
   * estimate text sizes instead (a little generous, never short). */
  estimate = n > DOT_MAX_NODES;
  for (guint i = 0; i < n; i++)
    {
      Item *it = &items[i];
      BpNode *copy_node;
      BpTensor *value = NULL, *grad = NULL;

      it->node = bp_graph_get_node (graph, i);
      g_hash_table_insert (index, it->node, GUINT_TO_POINTER (i));
      if (estimate)
        bp_diagram_estimate_node (diagram, it->node, &it->w, &it->h);
      else
        bp_diagram_measure_node (diagram, it->node, &it->w, &it->h);
      /* The copy's nodes are in the same order as the graph's. */
      copy_node = values != NULL ? bp_graph_get_node (values, i) : NULL;
      if (copy_node != NULL
          && g_strcmp0 (bp_node_get_id (copy_node), bp_node_get_id (it->node)) != 0)
        copy_node = bp_graph_lookup (values, bp_node_get_id (it->node));
      if (copy_node != NULL)
        {
          value = bp_node_get_value (copy_node);
          grad = bp_node_get_grad (copy_node);
        }
      it->vw = 36 * s;
      it->vh = 18 * s;
      /* Room for the value and for its gradient, often the wider. */
      for (guint k = 0; k < 2; k++)
        {
          BpTensor *t = k == 0 ? value : grad;
          double w, h;

          if (t == NULL)
            continue;
          if (compact && !bp_tensor_is_scalar (t))
            {
              bp_diagram_measure_chip (diagram, t, &w, &h);
            }
          else
            {
              *has_grids |= !bp_tensor_is_scalar (t);
              if (estimate)
                bp_diagram_estimate_tensor (diagram, t, &w, &h);
              else
                bp_diagram_measure_tensor (diagram, t, &w, &h);
            }
          it->vw = k == 0 ? w : MAX (it->vw, w);
          it->vh = k == 0 ? h : MAX (it->vh, h);
        }
    }

  /* Room above and below each node for the labels of the arrows at its
   * height: the value above, the back arrow and the gradient below. */
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = items[i].node;
      guint n_in = bp_node_get_n_inputs (node);

      for (guint k = 0; k < n_in; k++)
        {
          BpNode *src = bp_node_get_input (node, k);
          Item *a, *b;
          double band;

          if (src == NULL)
            continue;
          a = &items[GPOINTER_TO_UINT (g_hash_table_lookup (index, src))];
          b = &items[i];
          /* The gradient has the shape of the value. Where arrows
           * converge, their labels stand at 0.38 of the way, where the
           * arrows are only ~0.6 as far apart as their sources. */
          band = 2 * (a->vh + BAND_GAP * s) + BAND_GAP * s;
          if (n_in > 1)
            band /= 0.6;
          a->h = MAX (a->h, band);
          b->h = MAX (b->h, band * 0.6);
        }
    }

  if (n <= DOT_MAX_NODES)
    {
      if (!dot_ranks (items, n, index, s, error))
        return FALSE;
    }
  else
    simple_ranks (graph, items, n, index, s);
  for (guint i = 0; i < n; i++)
    max_rank = MAX (max_rank, items[i].rank);

  /* Column widths, then the gaps the labels need. */
  rank_w = g_new0 (double, max_rank + 1);
  gap = g_new0 (double, max_rank + 1);
  rank_x = g_new0 (double, max_rank + 1);
  widest = g_new0 (double, n);
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < bp_node_get_n_inputs (items[i].node); k++)
      {
        BpNode *src = bp_node_get_input (items[i].node, k);

        if (src != NULL)
          widest[i] = MAX (widest[i],
                           items[GPOINTER_TO_UINT (g_hash_table_lookup (index, src))].vw);
      }
  for (guint i = 0; i < n; i++)
    rank_w[items[i].rank] = MAX (rank_w[items[i].rank], items[i].w);
  for (int r = 0; r < max_rank; r++)
    gap[r] = RANK_GAP_MIN * s;
  for (guint i = 0; i < n; i++)
    {
      guint n_in = bp_node_get_n_inputs (items[i].node);

      for (guint k = 0; k < n_in; k++)
        {
          BpNode *src = bp_node_get_input (items[i].node, k);
          Item *a;
          int r0, r1;
          double have = 0, need, frac, slope;

          if (src == NULL)
            continue;
          a = &items[GPOINTER_TO_UINT (g_hash_table_lookup (index, src))];
          r0 = MIN (a->rank, items[i].rank);
          r1 = MAX (a->rank, items[i].rank);
          if (r0 == r1)
            continue;
          /* The label stands at ~0.38 of the arrow when arrows converge
           * or fan out, mid-way otherwise (see the renderer). */
          frac = n_in > 1 || bp_graph_get_n_consumers (graph, src) > 1 ? 0.38 : 0.5;
          /* Converging arrows may be steep while the labels between
           * them, the widest decides, stay clear of the next arrow. */
          slope = compact ? CLAMP (STEEP_LABEL * s / widest[i], STEEP_GRID, STEEP_COMPACT)
                          : STEEP_GRID;
          need = MAX ((a->vw / 2 + (compact ? LABEL_MARGIN_COMPACT : LABEL_MARGIN) * s) / frac,
                      MIN (fabs (a->y - items[i].y) / slope, 3 * RANK_GAP_MIN * s));
          for (int r = r0; r < r1; r++)
            have += gap[r] + (r > r0 ? rank_w[r] : 0);
          if (have < need)
            for (int r = r0; r < r1; r++)
              gap[r] += (need - have) / (r1 - r0);
        }
    }
  rank_x[0] = rank_w[0] / 2;
  for (int r = 1; r <= max_rank; r++)
    rank_x[r] = rank_x[r - 1] + rank_w[r - 1] / 2 + gap[r - 1] + rank_w[r] / 2;

  for (guint i = 0; i < n; i++)
    {
      items[i].x = rank_x[items[i].rank];
      min_x = MIN (min_x, items[i].x - items[i].w / 2);
      min_y = MIN (min_y, items[i].y - items[i].h / 2);
    }

  /* Diagram units: the top-left footprint at the origin. */
  for (guint i = 0; i < n; i++)
    {
      items[i].x -= min_x;
      items[i].y -= min_y;
    }
  wrap_rows (items, n, rank_x, rank_w, max_rank, min_x);
  if (!within_limit (items, n, spread))
    grid_layout (graph, items, n, index, NODE_SEP * s);

  return TRUE;
}

/* The size of the laid-out items, footprints included. */
static void
items_extent (const Item *items,
              guint       n,
              double     *width,
              double     *height)
{
  *width = *height = 0;
  for (guint i = 0; i < n; i++)
    {
      *width = MAX (*width, items[i].x + items[i].w / 2);
      *height = MAX (*height, items[i].y + items[i].h / 2);
    }
}

gboolean
bp_layout_arrange (BpDiagram *diagram, gboolean only_missing, GError **error)
{
  BpGraph *graph;
  g_autofree Item *items = NULL;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(BpGraph) values = NULL;
  double s, spread, width, height;
  guint n, n_missing = 0;
  gboolean has_grids = FALSE;

  g_return_val_if_fail (BP_IS_DIAGRAM (diagram), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  graph = bp_diagram_get_graph (diagram);
  n = bp_graph_get_n_nodes (graph);
  for (guint i = 0; i < n; i++)
    {
      double x, y;

      if (!bp_node_get_position (bp_graph_get_node (graph, i), &x, &y))
        n_missing++;
    }
  if (n == 0 || (only_missing && n_missing == 0))
    return TRUE;

  s = bp_diagram_get_text_scale (diagram);
  /* Sizes are measured as drawn; positions are stored unspread. */
  spread = bp_diagram_get_spread (diagram);
  values = evaluate_copy (graph);
  items = g_new0 (Item, n);
  index = g_hash_table_new (NULL, NULL);

  if (!place_items (diagram, values, items, n, index, FALSE, &has_grids, error))
    return FALSE;
  /* Matrices written out in full can spread a graph so far that, fitted
   * to a laptop's or projector's window, nothing is readable. Then give
   * each matrix the room of its chip (its numbers show on selection, on
   * hover and in the side panel) and keep the graph compact. */
  items_extent (items, n, &width, &height);
  if (has_grids && (width > READABLE_WIDTH * s || height > READABLE_HEIGHT * s))
    {
      gboolean unused;

      if (!place_items (diagram, values, items, n, index, TRUE, &unused, error))
        return FALSE;
    }

  if (only_missing && n_missing < n)
    {
      /* Keep the nodes that have a place. */
      for (guint i = 0; i < n; i++)
        {
          double x, y;

          if (bp_node_get_position (items[i].node, &x, &y))
            {
              items[i].x = x * spread;
              items[i].y = y * spread;
              items[i].fixed = TRUE;
            }
        }
      overlap_push_down (items, n, NODE_SEP * s);
    }

  for (guint i = 0; i < n; i++)
    {
      double x, y;

      if (only_missing && bp_node_get_position (items[i].node, &x, &y))
        continue;
      /* A document keeps positions within ±BP_DOCUMENT_MAX_COORD; the
       * layouts above stay far inside, this is the last guard. */
      x = CLAMP (round (items[i].x / spread), -BP_DOCUMENT_MAX_COORD, BP_DOCUMENT_MAX_COORD);
      y = CLAMP (round (items[i].y / spread), -BP_DOCUMENT_MAX_COORD, BP_DOCUMENT_MAX_COORD);
      bp_node_set_position (items[i].node, x, y);
    }
  /* Nothing the diagram caches depends on positions: no invalidation
   * (rebuilding ten thousand nodes' text would cost more than the layout). */
  return TRUE;
}
