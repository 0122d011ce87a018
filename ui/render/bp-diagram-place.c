/* SPDX-License-Identifier: MIT */
/* Where everything stands in a frame: what the pass state reveals (the
 * engine's one rule, bp_trace_is_revealed()), and where each value,
 * gradient and the step's callout go so that none covers a number, a
 * node, an arrow or another label.
 *
 * Labels are placed for the whole trace, not for the step on show, so
 * that they stay in place while a pass is stepped through; the callout
 * is placed last, into what is free around its node. A uniform grid
 * keeps the tests for clearance cheap in graphs of hundreds of nodes. */

#include <math.h>
#include <string.h>

#include "bp-diagram-private.h"

/* The band above a node a view repaints when a step changes (its width
 * and height at text scale 1): callouts placed there first. */
#define ABOVE_HALF_W 320.0
#define ABOVE_H      240.0

/* --- the spatial index --- */

typedef enum
{
  OBST_NODE,
  OBST_LABEL,
  OBST_LINE,
} ObstacleKind;

typedef struct
{
  cairo_rectangle_t r;
  ObstacleKind      kind;
  const Line       *line;   /* OBST_LINE */
  int               edge;   /* the edge a line or label belongs to, or -1 */
  guint             seen;
} Obstacle;

typedef struct
{
  int item;
  int next;
} CellEntry;

struct _Clearance
{
  double  x0, y0, cell;
  int     nx, ny;
  int    *head;
  GArray *entries;   /* CellEntry */
  GArray *items;     /* Obstacle */
  guint   query;
  Line   *lines;     /* owned copies, once the grid outlives its frame */
};

static void
clearance_cells (Clearance *c, const cairo_rectangle_t *r, double margin,
                 int *i0, int *j0, int *i1, int *j1)
{
  *i0 = CLAMP ((int) floor ((r->x - margin - c->x0) / c->cell), 0, c->nx - 1);
  *i1 = CLAMP ((int) floor ((r->x + r->width + margin - c->x0) / c->cell), 0, c->nx - 1);
  *j0 = CLAMP ((int) floor ((r->y - margin - c->y0) / c->cell), 0, c->ny - 1);
  *j1 = CLAMP ((int) floor ((r->y + r->height + margin - c->y0) / c->cell), 0, c->ny - 1);
}

static Clearance *
clearance_new (double x0, double y0, double x1, double y1, double cell)
{
  Clearance *c = g_new0 (Clearance, 1);

  /* At most ~64k cells: coarser cells for huge pictures. */
  while (((x1 - x0) / cell + 1) * ((y1 - y0) / cell + 1) > 65536)
    cell *= 2;
  c->x0 = x0;
  c->y0 = y0;
  c->cell = cell;
  c->nx = (int) ((x1 - x0) / cell) + 1;
  c->ny = (int) ((y1 - y0) / cell) + 1;
  c->head = g_new (int, c->nx * c->ny);
  memset (c->head, 0xff, sizeof (int) * c->nx * c->ny);
  c->entries = g_array_sized_new (FALSE, FALSE, sizeof (CellEntry), 1024);
  c->items = g_array_sized_new (FALSE, FALSE, sizeof (Obstacle), 256);
  return c;
}

static void
clearance_free (Clearance *c)
{
  if (c == NULL)
    return;
  g_free (c->head);
  g_free (c->lines);
  g_array_unref (c->entries);
  g_array_unref (c->items);
  g_free (c);
}

static void
clearance_add (Clearance *c, const cairo_rectangle_t *r, ObstacleKind kind,
               const Line *line, int edge)
{
  Obstacle o = { *r, kind, line, edge, 0 };
  int item = (int) c->items->len;
  int i0, j0, i1, j1;

  g_array_append_val (c->items, o);
  clearance_cells (c, r, 0, &i0, &j0, &i1, &j1);
  for (int j = j0; j <= j1; j++)
    for (int i = i0; i <= i1; i++)
      {
        CellEntry e = { item, c->head[j * c->nx + i] };

        c->head[j * c->nx + i] = (int) c->entries->len;
        g_array_append_val (c->entries, e);
      }
}

/* The grid's lines point into a frame's edges: copies for keeping it. */
static void
clearance_own_lines (Clearance *c)
{
  c->lines = g_new (Line, c->items->len);
  for (guint i = 0; i < c->items->len; i++)
    {
      Obstacle *o = &g_array_index (c->items, Obstacle, i);

      if (o->line != NULL)
        {
          c->lines[i] = *o->line;
          o->line = &c->lines[i];
        }
    }
}

static void
clearance_add_line (Clearance *c, const Line *l, int edge)
{
  cairo_rectangle_t r = { MIN (l->x0, l->x1), MIN (l->y0, l->y1),
                          fabs (l->x1 - l->x0), fabs (l->y1 - l->y0) };

  clearance_add (c, &r, OBST_LINE, l, edge);
}

/* What `r` may not touch. */
typedef struct
{
  gboolean lines;       /* arrows (but the label's own) */
  gboolean labels;
  int      self_edge;
  double   s;
} Rules;

static gboolean
clearance_clashes (Clearance *c, const cairo_rectangle_t *r, const Rules *rules)
{
  double margin = 3 * rules->s;
  int i0, j0, i1, j1;

  c->query++;
  clearance_cells (c, r, margin, &i0, &j0, &i1, &j1);
  for (int j = j0; j <= j1; j++)
    for (int i = i0; i <= i1; i++)
      for (int k = c->head[j * c->nx + i]; k >= 0; k = g_array_index (c->entries, CellEntry, k).next)
        {
          Obstacle *o = &g_array_index (c->items, Obstacle, g_array_index (c->entries, CellEntry, k).item);

          if (o->seen == c->query)
            continue;
          o->seen = c->query;
          switch (o->kind)
            {
            case OBST_NODE:
              if (rects_overlap (r, &o->r, 2 * rules->s))
                return TRUE;
              break;
            case OBST_LABEL:
              if (rules->labels && rects_overlap (r, &o->r, 3 * rules->s))
                return TRUE;
              break;
            case OBST_LINE:
              if (rules->lines && o->edge != rules->self_edge
                  && line_hits_rect (o->line, r, rules->s))
                return TRUE;
              break;
            default:
              break;
            }
        }
  return FALSE;
}

/* Whether a callout's leader from `r` to the node box `nb` would cross a
 * label or another node. */
static gboolean
leader_clashes (Clearance *c, const cairo_rectangle_t *r, const cairo_rectangle_t *nb, double s)
{
  double tx = CLAMP (r->x + r->width / 2, nb->x, nb->x + nb->width);
  double ty = CLAMP (r->y + r->height / 2, nb->y, nb->y + nb->height);
  double sx = CLAMP (tx, r->x, r->x + r->width);
  double sy = CLAMP (ty, r->y, r->y + r->height);
  cairo_rectangle_t span = { MIN (sx, tx), MIN (sy, ty), fabs (tx - sx), fabs (ty - sy) };
  int i0, j0, i1, j1;
  Line l;

  if (hypot (tx - sx, ty - sy) < 1e-6)
    return FALSE;
  line_init (&l, sx, sy, tx, ty);
  c->query++;
  clearance_cells (c, &span, 0, &i0, &j0, &i1, &j1);
  for (int j = j0; j <= j1; j++)
    for (int i = i0; i <= i1; i++)
      for (int k = c->head[j * c->nx + i]; k >= 0; k = g_array_index (c->entries, CellEntry, k).next)
        {
          Obstacle *o = &g_array_index (c->items, Obstacle, g_array_index (c->entries, CellEntry, k).item);

          if (o->seen == c->query)
            continue;
          o->seen = c->query;
          if (o->kind == OBST_LINE)
            continue;
          /* Its own node: the leader ends on it. */
          if (o->kind == OBST_NODE && fabs (o->r.x - nb->x) < 1e-6 && fabs (o->r.y - nb->y) < 1e-6)
            continue;
          if (line_hits_rect (&l, &o->r, s))
            return TRUE;
        }
  return FALSE;
}

/* --- the placement cache --- */

typedef struct
{
  double            t, tg, lift;
  gboolean          compact;
  cairo_rectangle_t vr, gr;
  gboolean          has_vr, has_gr;
} Placed;

struct _PlaceCache
{
  /* The key: what placement depends on. */
  guint64    stamp;
  BpTrace   *trace;        /* a reference: its address stays unique */
  double     s;
  gboolean   readable;
  BpNode    *output;
  guint64    boxes_sum;    /* every node's box: positions and sizes */
  guint64    sets_sum;     /* the quiz blanks and expanded nodes */
  /* The result. */
  GArray    *placed;       /* Placed, one per edge */
  Line       stub;
  gboolean   has_stub, has_stub_vr, has_stub_gr;
  cairo_rectangle_t stub_vr, stub_gr, stub_caption;
  Clearance *grid;         /* for the callout, placed every frame */
};


void
place_cache_free (struct _PlaceCache *cache)
{
  if (cache == NULL)
    return;
  g_clear_pointer (&cache->trace, bp_trace_unref);
  g_clear_pointer (&cache->placed, g_array_unref);
  clearance_free (cache->grid);
  g_free (cache);
}

static guint64
mix (guint64 h, guint64 v)
{
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

static guint64
mix_double (guint64 h, double d)
{
  guint64 bits;

  memcpy (&bits, &d, sizeof bits);
  return mix (h, bits);
}

static guint64
set_sum (GHashTable *set, guint64 h)
{
  GHashTableIter iter;
  gpointer key;
  guint64 x = 0;

  if (set == NULL)
    return mix (h, 0);
  /* Order-free: the sum of the members' mixes. */
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    x += mix (0, GPOINTER_TO_SIZE (key));
  return mix (mix (h, g_hash_table_size (set) + 1), x);
}

/* --- the frame and the pass state --- */

void
frame_add_rect (Frame *f, double x, double y, double w, double h)
{
  if (!f->have_bounds)
    {
      f->x0 = x; f->y0 = y; f->x1 = x + w; f->y1 = y + h;
      f->have_bounds = TRUE;
      return;
    }
  f->x0 = MIN (f->x0, x);
  f->y0 = MIN (f->y0, y);
  f->x1 = MAX (f->x1, x + w);
  f->y1 = MAX (f->y1, y + h);
}

/* FALSE when the rectangle is surely outside what the cairo_t shows. */
gboolean
frame_visible (Frame *f, double x, double y, double w, double h)
{
  if (!f->cull)
    return TRUE;
  return x <= f->cx1 && x + w >= f->cx0 && y <= f->cy1 && y + h >= f->cy0;
}

void
frame_init (Frame *f, BpDiagram *self, BpPainter *p, BpTrace *trace,
            const BpDiagramState *state)
{
  cairo_t *cr = p != NULL ? bp_painter_get_cairo (p) : NULL;
  guint end_of_pass;

  memset (f, 0, sizeof *f);
  f->self = self;
  f->p = p;
  f->state = state;
  f->pal = bp_diagram_style_palette_for (state);
  f->lw = bp_diagram_style_line_scale (state);
  f->current = -1;
  f->output = bp_graph_get_output (self->graph);

  if (state->text_scale > 0 && fabs (state->text_scale - self->text_scale) > 1e-9)
    bp_diagram_set_text_scale (self, state->text_scale);
  f->s = self->text_scale;
  f->zoom = state->zoom > 0 ? state->zoom : 1.0;
  f->readable = f->zoom * VALUE_SIZE * f->s >= READABLE_PX - 1e-6;
  geometry_prune_caches (self);

  if (cr != NULL)
    {
      cairo_surface_type_t type = cairo_surface_get_type (cairo_get_target (cr));
      gboolean vector = (type == CAIRO_SURFACE_TYPE_SVG || type == CAIRO_SURFACE_TYPE_PDF
                         || type == CAIRO_SURFACE_TYPE_PS);
      double dx = 1, dy = 0;

      cairo_user_to_device_distance (cr, &dx, &dy);
      f->greek = !vector && hypot (dx, dy) * VALUE_SIZE * f->s < 4.0;
      f->no_heads = !vector && hypot (dx, dy) * ARROW_LEN * f->s < 2.0;
      f->tiny = !vector && hypot (dx, dy) * NODE_LINE * f->s < 0.2;
      /* Recording surfaces (GTK's cairo nodes) may be unbounded: no culling. */
      if (type == CAIRO_SURFACE_TYPE_IMAGE)
        {
          cairo_clip_extents (cr, &f->cx0, &f->cy0, &f->cx1, &f->cy1);
          f->cull = TRUE;
        }
    }

  /* A trace recorded before the graph changed may name nodes that no
   * longer exist: ignore it. */
  if (trace == NULL || state->pass == BP_PASS_NONE
      || bp_trace_get_stamp (trace) != bp_graph_get_stamp (self->graph))
    return;

  f->trace = trace;
  f->n_forward = bp_trace_get_n_forward (trace);
  f->position = bp_diagram_state_get_position (state, trace);

  /* The step just taken is highlighted (and animated); once a whole pass
   * is done and still, nothing is (an exported figure shows a clean
   * pass), unless the state asks for it (numbered step frames). */
  /* An update step: both passes shown, its param highlighted with its
   * numbers (always: the numbers are the step). */
  if (state->pass == BP_PASS_UPDATE)
    {
      if (state->step > 0 && state->step <= state->n_updates && state->updates != NULL
          && state->updates[state->step - 1].param != NULL
          && bp_node_get_graph (state->updates[state->step - 1].param) == self->graph)
        {
          f->update = &state->updates[state->step - 1];
          f->current_node = f->update->param;
        }
      return;
    }

  end_of_pass = state->pass == BP_PASS_FORWARD ? f->n_forward : bp_trace_get_n_steps (trace);
  if (state->step > 0 && f->position > 0
      && (state->pass == BP_PASS_FORWARD || f->position > f->n_forward)
      && (f->position < end_of_pass || state->progress < 1.0 || state->highlight_last))
    {
      f->current = (int) f->position - 1;
      f->current_node = bp_trace_get_step_before (trace, f->position)->node;
    }
}

void
frame_clear (Frame *f)
{
  g_clear_pointer (&f->edges, g_array_unref);
  g_clear_pointer (&f->boxes, g_array_unref);
}

/* The value of `node` shown at this state, or NULL; `*fresh` when the
 * current step computed it (it fades in). */
BpTensor *
place_shown_value (Frame *f, BpNode *node, gboolean *fresh)
{
  int i;

  *fresh = FALSE;
  if (f->trace == NULL)
    return NULL;
  i = bp_trace_find_step (f->trace, node, BP_STEP_FORWARD);
  if (i < 0)
    {
      /* Leaves may have no forward step: their value is given. */
      if (bp_op_is_leaf (bp_node_get_op (node)))
        return bp_node_get_value (node);
      return NULL;
    }
  if (!bp_trace_is_revealed (f->trace, f->position, node, BP_STEP_FORWARD))
    return NULL;
  *fresh = (i == f->current);
  return bp_trace_get_step (f->trace, i)->value;
}

/* The backward step of `node` if taken at this state. */
const BpStep *
place_shown_backward (Frame *f, BpNode *node, gboolean *fresh)
{
  int i;

  *fresh = FALSE;
  if (f->trace == NULL || !bp_trace_is_revealed (f->trace, f->position, node, BP_STEP_BACKWARD))
    return NULL;
  i = bp_trace_find_step (f->trace, node, BP_STEP_BACKWARD);
  *fresh = (i == f->current);
  return bp_trace_get_step (f->trace, i);
}

/* The same two for the whole trace, whatever the position: what the
 * labels are sized for. */
static BpTensor *
final_value (Frame *f, BpNode *node)
{
  int i;

  if (f->trace == NULL)
    return NULL;
  i = bp_trace_find_step (f->trace, node, BP_STEP_FORWARD);
  if (i < 0)
    return bp_op_is_leaf (bp_node_get_op (node)) ? bp_node_get_value (node) : NULL;
  return bp_trace_get_step (f->trace, i)->value;
}

static BpTensor *
final_grad (Frame *f, BpNode *dst, guint slot)
{
  const BpStep *step;
  int i;

  if (f->trace == NULL)
    return NULL;
  i = bp_trace_find_step (f->trace, dst, BP_STEP_BACKWARD);
  if (i < 0)
    return NULL;
  step = bp_trace_get_step (f->trace, i);
  return slot < step->n_inputs ? step->downstream[slot] : NULL;
}

gboolean
place_is_hidden (GHashTable *set, BpNode *node)
{
  return set != NULL && g_hash_table_contains (set, node);
}

/* Where a label of size w × h stands beside a line: centred on the
 * normal through the point at `t`, `dist` from the line (positive:
 * above) plus `gap`, never touching it whatever the slope. A smaller
 * label at the same place stands inside a bigger one's rectangle. */
void
place_label_rect (const Line *l, double t, double w, double h, double dist, double gap,
                  double *x, double *y)
{
  double mx, my, d;
  double sign = dist >= 0 ? 1 : -1;

  line_point (l, t, &mx, &my);
  d = fabs (dist) + gap + fabs (l->nx) * w / 2 + fabs (l->ny) * h / 2;
  *x = mx + sign * l->nx * d - w / 2;
  *y = my + sign * l->ny * d - h / 2;
}

static void
value_rect (Frame *f, const Edge *e, double t, double lift, double w, double h,
            cairo_rectangle_t *r)
{
  place_label_rect (&e->line, t, w, h, lift, LABEL_GAP * f->s, &r->x, &r->y);
  r->width = w;
  r->height = h;
}

static void
grad_rect (Frame *f, const Edge *e, double t, double lift, double w, double h,
           cairo_rectangle_t *r)
{
  place_label_rect (&e->line, t, w, h, -BACK_OFFSET * f->s - lift, GRAD_GAP * f->s, &r->x, &r->y);
  r->width = w;
  r->height = h;
}

/* Whether a matrix on this edge is drawn as a chip rather than a grid
 * (the value and the gradient share one form; see also edge_has_room()). */
static gboolean
tensor_wants_compact (Frame *f, Edge *e, BpTensor *t)
{
  NodeCache *nc;

  if (t == NULL || bp_tensor_is_scalar (t))
    return FALSE;
  if (place_is_hidden (f->state->expanded, e->src))
    return t->rows > GRID_MAX || t->cols > GRID_MAX;
  if (!f->readable || t->rows > GRID_MAX || t->cols > GRID_MAX)
    return TRUE;
  /* A grid wider than the arrow would run into the nodes: a chip. Where
   * arrows converge a label stands at ~0.38 of the way and needs a
   * margin on either side (the room the layout gives it). */
  nc = geometry_node_cache (f->self, e->src);
  label_set (f->self, &nc->probe, t, FALSE);
  return nc->probe.width > 0.8 * fabs (e->line.x1 - e->line.x0) - 8 * f->s;
}

static gboolean
edge_wants_compact (Frame *f, Edge *e, BpTensor *value, BpTensor *grad)
{
  return tensor_wants_compact (f, e, value != NULL ? value : grad);
}

static void
label_box_size (Frame *f, Label *label, BpTensor *tensor, gboolean compact, gboolean blank,
                double *w, double *h)
{
  *w = *h = 0;
  if (tensor != NULL)
    {
      label_set (f->self, label, tensor, compact);
      *w = label->width;
      *h = label->height;
    }
  if (blank)
    {
      double bw, bh;

      text_blank_size (f->self, f->s, &bw, &bh);
      *w = MAX (*w, bw);
      *h = MAX (*h, bh);
    }
}

Label *
place_value_label (Frame *f, Edge *e)
{
  NodeCache *nc = geometry_node_cache (f->self, e->src);

  return e->compact ? &nc->value_compact : &nc->value;
}

Label *
place_grad_label (Frame *f, Edge *e)
{
  NodeCache *nc = geometry_node_cache (f->self, e->dst);

  return e->compact ? &nc->grad_compact[e->slot] : &nc->grad[e->slot];
}

static void
edge_init (Frame *f, BpNode *dst, guint slot, Edge *e)
{
  double x0, y0, x1, y1;

  memset (e, 0, sizeof *e);
  e->src = bp_node_get_input (dst, slot);
  e->dst = dst;
  e->slot = slot;
  geometry_output_port (f->self, e->src, &x0, &y0);
  geometry_input_port (f->self, dst, slot, &x1, &y1);
  line_init (&e->line, x0, y0, x1, y1);
  e->t = e->tg = 0.5;
  e->value = place_shown_value (f, e->src, &e->value_fresh);
  e->back = place_shown_backward (f, dst, &e->back_fresh);
  if (e->back != NULL && (slot >= e->back->n_inputs || e->back->downstream[slot] == NULL))
    e->back = NULL;
}

/* Candidate places along an arrow, best first: labels go where arrows
 * are apart, near the source when several arrows converge on the node,
 * near the node when one source fans out. */
static guint
edge_candidates (Frame *f, Edge *e, double *t)
{
  static const double converge[] = { 0.38, 0.30, 0.46, 0.24, 0.54, 0.18, 0.62, 0.12, 0.70, 0.78 };
  static const double fan[] = { 0.62, 0.54, 0.70, 0.46, 0.78, 0.38, 0.30, 0.84, 0.22 };
  static const double plain[] = { 0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82 };
  guint n_in = bp_node_get_n_inputs (e->dst);
  guint n_out = bp_graph_get_n_consumers (f->self->graph, e->src);
  const double *list = plain;
  guint n = G_N_ELEMENTS (plain);

  if (n_in > 1 && n_out <= 1)
    list = converge, n = G_N_ELEMENTS (converge);
  else if (n_in <= 1 && n_out > 1)
    list = fan, n = G_N_ELEMENTS (fan);
  memcpy (t, list, n * sizeof (double));
  return n;
}

/* Whether the value (w × h) and gradient (gw × gh) of an edge find a
 * place clear of everything placed so far, each somewhere along it. */
static gboolean
edge_has_room (Frame *f, Clearance *c, Edge *e, int index, double w, double h, double gw, double gh)
{
  static const double lifts[] = { 0, 8, 18, 32 };
  double t[16];
  guint n = edge_candidates (f, e, t);
  /* As place_edge() at its loosest: touching allowed. */
  Rules rules = { TRUE, TRUE, index, 0 };

  for (guint k = 0; k < G_N_ELEMENTS (lifts); k++)
    {
      double lift = lifts[k] * f->s;
      gboolean v_ok = w <= 0, g_ok = gw <= 0;

      for (guint i = 0; i < n && !v_ok; i++)
        {
          cairo_rectangle_t r;

          value_rect (f, e, t[i], lift, w, h, &r);
          v_ok = !clearance_clashes (c, &r, &rules);
        }
      for (guint i = 0; i < n && v_ok && !g_ok; i++)
        {
          cairo_rectangle_t r;

          grad_rect (f, e, t[i], lift, gw, gh, &r);
          g_ok = !clearance_clashes (c, &r, &rules);
        }
      if (v_ok && g_ok)
        return TRUE;
    }
  return FALSE;
}

/* Finds where the value (w × h) and gradient (gw × gh) of an edge stand
 * clear of everything placed so far; both at one place if possible. */
static void
place_edge (Frame *f, Clearance *c, Edge *e, int index, double w, double h, double gw, double gh)
{
  static const double lifts[] = { 0, 8, 18, 32 };
  double t[16];
  guint n = edge_candidates (f, e, t);
  Rules strict = { TRUE, TRUE, index, f->s };
  gboolean want_v = w > 0, want_g = gw > 0;
  cairo_rectangle_t vr, gr;

  /* Together, as close to the arrow as can be. */
  for (guint k = 0; k < G_N_ELEMENTS (lifts); k++)
    for (guint i = 0; i < n; i++)
      {
        double lift = lifts[k] * f->s;

        value_rect (f, e, t[i], lift, w, h, &vr);
        grad_rect (f, e, t[i], lift, gw, gh, &gr);
        if ((!want_v || !clearance_clashes (c, &vr, &strict))
            && (!want_g || !clearance_clashes (c, &gr, &strict)))
          {
            e->t = e->tg = t[i];
            e->lift = lift;
            goto found;
          }
      }

  /* Apart: the gradient (often the wider) may stand elsewhere along the
   * arrow than the value. The back arrow follows the gradient. Failing
   * that, labels may touch what they must not cover. */
  {
    Rules loose = { TRUE, TRUE, index, 0 };
    const Rules *rules[] = { &strict, &loose };
    gboolean v_ok = !want_v, g_ok = !want_g;

    e->t = e->tg = t[0];
    e->lift = 0;
    for (guint r = 0; r < G_N_ELEMENTS (rules) && !v_ok; r++)
      for (guint k = 0; k < G_N_ELEMENTS (lifts) && !v_ok; k++)
        for (guint i = 0; i < n && !v_ok; i++)
          {
            value_rect (f, e, t[i], lifts[k] * f->s, w, h, &vr);
            if (!clearance_clashes (c, &vr, rules[r]))
              {
                e->t = t[i];
                e->lift = lifts[k] * f->s;
                v_ok = TRUE;
              }
          }
    if (want_v)
      {
        value_rect (f, e, e->t, e->lift, w, h, &vr);
        clearance_add (c, &vr, OBST_LABEL, NULL, index);
        want_v = FALSE;
      }
    /* The gradient keeps the value's lift: both labels of an edge stand
     * at the same distance from it. */
    for (guint r = 0; r < G_N_ELEMENTS (rules) && !g_ok; r++)
      for (guint i = 0; i < n && !g_ok; i++)
        {
          grad_rect (f, e, t[i], e->lift, gw, gh, &gr);
          if (!clearance_clashes (c, &gr, rules[r]))
            {
              e->tg = t[i];
              g_ok = TRUE;
            }
        }
  }

found:
  if (w > 0)
    {
      value_rect (f, e, e->t, e->lift, w, h, &e->vr);
      e->has_vr = TRUE;
      if (want_v)
        clearance_add (c, &e->vr, OBST_LABEL, NULL, index);
    }
  if (gw > 0)
    {
      grad_rect (f, e, e->tg, e->lift, gw, gh, &e->gr);
      e->has_gr = TRUE;
      clearance_add (c, &e->gr, OBST_LABEL, NULL, index);
    }
}

static void
add_box (Frame *f, BpDiagramBoxKind kind, BpNode *node, guint slot, const cairo_rectangle_t *r)
{
  BpDiagramBox box = { kind, node, slot, *r };

  g_array_append_val (f->boxes, box);
}

/* The output stub: an arrow leaving the output to the right with the
 * final value above, the seed gradient below and the output's name at
 * its end. Its length fits its labels. */
static void
place_stub (Frame *f, Clearance *c)
{
  BpNode *node = f->output;
  NodeCache *nc = geometry_node_cache (f->self, node);
  BpTensor *value = final_value (f, node);
  BpTensor *grad = NULL;
  gboolean vblank = place_is_hidden (f->state->hidden_values, node);
  gboolean gblank = place_is_hidden (f->state->hidden_grads, node);
  double s = f->s, x0, y0, len = STUB_MIN * f->s;
  double w = 0, h = 0, gw = 0, gh = 0;
  int back;

  if (f->trace != NULL && (back = bp_trace_find_step (f->trace, node, BP_STEP_BACKWARD)) >= 0)
    grad = bp_trace_get_step (f->trace, back)->upstream;
  if (value != NULL)
    label_box_size (f, &nc->value, value, FALSE, vblank, &w, &h);
  if (grad != NULL)
    label_box_size (f, &nc->out_grad, grad, FALSE, gblank, &gw, &gh);
  len = MAX (len, MAX (w, gw) + 40 * s);
  geometry_output_port (f->self, node, &x0, &y0);
  line_init (&f->stub, x0, y0, x0 + len, y0);
  f->has_stub = TRUE;
  f->stub_t = 0.5;
  if (w > 0)
    {
      place_label_rect (&f->stub, 0.5, w, h, 0, LABEL_GAP * s, &f->stub_vr.x, &f->stub_vr.y);
      f->stub_vr.width = w;
      f->stub_vr.height = h;
      f->has_stub_vr = TRUE;
      clearance_add (c, &f->stub_vr, OBST_LABEL, NULL, -2);
    }
  if (gw > 0)
    {
      place_label_rect (&f->stub, 0.5, gw, gh, -BACK_OFFSET * s, GRAD_GAP * s,
                        &f->stub_gr.x, &f->stub_gr.y);
      f->stub_gr.width = gw;
      f->stub_gr.height = gh;
      f->has_stub_gr = TRUE;
      clearance_add (c, &f->stub_gr, OBST_LABEL, NULL, -2);
    }
  f->stub_caption = (cairo_rectangle_t) { x0 + len + 6 * s,
                                          y0 - (nc->caption_h - CAPTION_GAP * s) / 2,
                                          nc->caption_w, nc->caption_h };
  if (nc->caption != NULL)
    clearance_add (c, &f->stub_caption, OBST_NODE, NULL, -2);
  clearance_add_line (c, &f->stub, -2);
}

/* The text of the step's callout: UG × LG = DG for each input, or the
 * gradient that arrived at a leaf. */
static PangoLayout *
callout_layout (Frame *f, const BpStep *step, NodeCache *nc)
{
  GString *text = g_string_new (NULL);
  GHashTable *values = f->state->hidden_values;
  GHashTable *grads = f->state->hidden_grads;
  gboolean ug_hidden = bp_step_is_hidden (step, BP_STEP_UPSTREAM, 0, values, grads);

  /* A quiz blank is "?" here too (bp_step_is_hidden(): the one rule). */
  if (step->n_inputs == 0)
    {
      g_autofree char *ug = ug_hidden ? g_strdup ("?") : text_compact_tensor (step->upstream);

      g_string_append_printf (text, "∂out/∂%s = %s", nc->label, ug);
    }
  else
    {
      g_string_append (text, "UG × LG = DG");
      for (guint i = 0; i < step->n_inputs; i++)
        {
          g_autofree char *ug = ug_hidden ? g_strdup ("?") : text_compact_tensor (step->upstream);
          g_autofree char *lg = bp_step_is_hidden (step, BP_STEP_LOCAL, i, values, grads)
                                ? g_strdup ("?") : text_compact_tensor (step->local[i]);
          g_autofree char *dg = bp_step_is_hidden (step, BP_STEP_DOWNSTREAM, i, values, grads)
                                ? g_strdup ("?") : text_compact_tensor (step->downstream[i]);
          const char *name = (nc->op->input_names != NULL) ? nc->op->input_names[i] : "x";

          if (step->local[i] != NULL)
            g_string_append_printf (text, "\n%s:  %s × %s = %s", name, ug, lg, dg);
          else if (step->downstream[i] != NULL &&
                   bp_op_is_broadcast (nc->op, step->downstream[i]->rows, step->downstream[i]->cols,
                                       step->upstream->rows, step->upstream->cols))
            /* A copied input: its gradient is summed over the copies. */
            g_string_append_printf (text, "\n%s:  DG = Σ copies (UG × LG) = %s", name, dg);
          else
            g_string_append_printf (text, "\n%s:  DG = %s", name, dg);
        }
    }
  if (nc->callout == NULL || g_strcmp0 (nc->callout_text, text->str) != 0)
    {
      g_clear_object (&nc->callout);
      g_free (nc->callout_text);
      nc->callout_text = g_string_free (text, FALSE);
      nc->callout = text_make_layout (f->self, nc->callout_text, FONT_CALLOUT);
    }
  else
    g_string_free (text, TRUE);
  return nc->callout;
}

/* An update step's callout: the optimizer's rule, then its numbers at
 * one element (bp_update_step_describe()). */
static PangoLayout *
update_callout_layout (Frame *f, const BpUpdateStep *u, NodeCache *nc)
{
  /* Its numbers are the param's value and gradient: "?" while either is
   * a quiz blank. */
  gboolean hidden = place_is_hidden (f->state->hidden_values, u->param) ||
                    place_is_hidden (f->state->hidden_grads, u->param);
  g_autofree char *numbers = hidden ? g_strdup_printf ("%s = ?", nc->label)
                                    : bp_update_step_describe (u, nc->label);
  g_autofree char *text = g_strdup_printf ("%s\n%s", u->formula, numbers);

  if (nc->callout == NULL || g_strcmp0 (nc->callout_text, text) != 0)
    {
      g_clear_object (&nc->callout);
      g_free (nc->callout_text);
      nc->callout_text = g_steal_pointer (&text);
      nc->callout = text_make_layout (f->self, nc->callout_text, FONT_CALLOUT);
    }
  return nc->callout;
}

/* During the backward pass: the step's UG × LG = DG in a box near its
 * node, where it covers nothing; with a leader line when it had to move
 * away. Tried in rings around the node: above first (where the book
 * writes it), then below, beside, and the corners. */
static void
place_callout (Frame *f, Clearance *c)
{
  static const double gaps[] = { 12, 28, 52, 84, 130 };
  static const double shifts[] = { 0, -0.25, 0.25, -0.5, 0.5, -0.75, 0.75, -1, 1 };
  /* Directions: the callout's centre relative to the node's box. */
  static const double dirs[][2] = {
    { 0, -1 }, { 0, 1 }, { 1, 0 }, { -1, 0 }, { 1, -1 }, { -1, -1 }, { 1, 1 }, { -1, 1 },
  };
  BpNode *node = f->current_node;
  const BpStep *step;
  NodeCache *nc;
  cairo_rectangle_t nb, r = { 0 };
  double tw, th, w, h, pad = CALLOUT_PAD * f->s;
  Rules rules[] = {
    { TRUE, TRUE, -3, f->s },
    { FALSE, TRUE, -3, f->s },
  };
  gboolean found = FALSE;

  if (node == NULL)
    return;
  nc = geometry_node_cache (f->self, node);
  if (f->update != NULL)
    text_layout_size (update_callout_layout (f, f->update, nc), &tw, &th);
  else
    {
      if (f->current < 0 || (guint) f->current < f->n_forward)
        return;
      step = bp_trace_get_step (f->trace, f->current);
      text_layout_size (callout_layout (f, step, nc), &tw, &th);
    }
  w = tw + 2 * pad;
  h = th + 2 * pad;
  geometry_node_box (f->self, node, node == f->output, &nb);

  /* Above first, where the book writes it, shifted sideways as far as
   * half the band a view repaints over a step (320 × 240 px at text scale
   * 1 above the node); then rings around the node. */
  for (guint k = 0; k < G_N_ELEMENTS (rules) && !found; k++)
    for (guint g = 0; g < G_N_ELEMENTS (gaps) && !found; g++)
      for (guint d = 0; d < G_N_ELEMENTS (shifts) && !found; d++)
        {
          double cx = nb.x + nb.width / 2;
          double reach = MAX (0, ABOVE_HALF_W * f->s - w / 2);
          double bottom = nb.y - gaps[g] * f->s;

          if (bottom - h < nb.y - ABOVE_H * f->s)
            continue;
          r = (cairo_rectangle_t) { cx + shifts[d] * reach - w / 2, bottom - h, w, h };
          found = !clearance_clashes (c, &r, &rules[k]) && !leader_clashes (c, &r, &nb, f->s);
        }
  for (guint k = 0; k < G_N_ELEMENTS (rules) && !found; k++)
    for (guint g = 0; g < G_N_ELEMENTS (gaps) && !found; g++)
      for (guint d = 0; d < G_N_ELEMENTS (dirs) && !found; d++)
        {
          double gap = gaps[g] * f->s;
          double dx = dirs[d][0], dy = dirs[d][1];
          double cx = nb.x + nb.width / 2, cy = nb.y + nb.height / 2;

          if (dx != 0)
            cx += dx * (nb.width / 2 + gap + w / 2);
          if (dy != 0)
            cy += dy * (nb.height / 2 + gap + h / 2);
          r = (cairo_rectangle_t) { cx - w / 2, cy - h / 2, w, h };
          found = !clearance_clashes (c, &r, &rules[k]) && !leader_clashes (c, &r, &nb, f->s);
        }
  if (!found)
    {
      /* Nowhere free: above the node, as before. */
      r = (cairo_rectangle_t) { nb.x + nb.width / 2 - w / 2, nb.y - 12 * f->s - h, w, h };
    }
  f->callout = r;
  f->has_callout = TRUE;
  /* The leader ends on the node's box, at the point nearest the callout. */
  f->callout_tip_x = CLAMP (r.x + r.width / 2, nb.x, nb.x + nb.width);
  f->callout_tip_y = CLAMP (r.y + r.height / 2, nb.y, nb.y + nb.height);
  f->callout_leader = TRUE;
}

/* Places the whole scene: every edge with its labels, the stub, the
 * callout; and records the boxes of what this state shows. */
void
place_scene (Frame *f)
{
  BpGraph *graph = f->self->graph;
  guint n = bp_graph_get_n_nodes (graph);
  g_autoptr(GArray) nodes = g_array_sized_new (FALSE, FALSE, sizeof (cairo_rectangle_t), n);
  Clearance *c = NULL;
  double gx0 = 0, gy0 = 0, gx1 = 0, gy1 = 0;

  f->edges = g_array_sized_new (FALSE, FALSE, sizeof (Edge), n * 2);
  f->boxes = g_array_new (FALSE, FALSE, sizeof (BpDiagramBox));

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      guint n_in = MIN (bp_node_get_n_inputs (node), BP_OP_MAX_INPUTS);
      cairo_rectangle_t r;

      geometry_node_box (f->self, node, node == f->output, &r);
      g_array_append_val (nodes, r);
      if (i == 0)
        {
          gx0 = r.x; gy0 = r.y; gx1 = r.x + r.width; gy1 = r.y + r.height;
        }
      gx0 = MIN (gx0, r.x);
      gy0 = MIN (gy0, r.y);
      gx1 = MAX (gx1, r.x + r.width);
      gy1 = MAX (gy1, r.y + r.height);
      for (guint slot = 0; slot < n_in; slot++)
        if (bp_node_get_input (node, slot) != NULL)
          {
            Edge e;

            edge_init (f, node, slot, &e);
            g_array_append_val (f->edges, e);
          }
    }

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      BpDiagramBoxKind kind = BP_DIAGRAM_BOX_NODE;

      add_box (f, kind, node, 0, &g_array_index (nodes, cairo_rectangle_t, i));
    }

  /* Without numbers nothing needs placing. */
  if (f->trace == NULL)
    return;

  {
    struct _PlaceCache *cache = f->self->place_cache;
    guint64 boxes_sum = 0, sets_sum = 0;

    for (guint i = 0; i < n; i++)
      {
        const cairo_rectangle_t *r = &g_array_index (nodes, cairo_rectangle_t, i);

        boxes_sum = mix_double (mix_double (mix_double (mix_double (boxes_sum, r->x), r->y),
                                            r->width), r->height);
      }
    sets_sum = set_sum (f->state->hidden_values, sets_sum);
    sets_sum = set_sum (f->state->hidden_grads, sets_sum);
    sets_sum = set_sum (f->state->expanded, sets_sum);

    if (cache != NULL && cache->stamp == bp_graph_get_stamp (graph) && cache->trace == f->trace
        && cache->s == f->s && cache->readable == f->readable && cache->output == f->output
        && cache->boxes_sum == boxes_sum && cache->sets_sum == sets_sum
        && cache->placed->len == f->edges->len)
      {
        for (guint i = 0; i < f->edges->len; i++)
          {
            Edge *e = &g_array_index (f->edges, Edge, i);
            const Placed *pl = &g_array_index (cache->placed, Placed, i);

            e->t = pl->t;
            e->tg = pl->tg;
            e->lift = pl->lift;
            e->compact = pl->compact;
            e->vr = pl->vr;
            e->gr = pl->gr;
            e->has_vr = pl->has_vr;
            e->has_gr = pl->has_gr;
          }
        f->stub = cache->stub;
        f->stub_t = 0.5;
        f->has_stub = cache->has_stub;
        f->has_stub_vr = cache->has_stub_vr;
        f->has_stub_gr = cache->has_stub_gr;
        f->stub_vr = cache->stub_vr;
        f->stub_gr = cache->stub_gr;
        f->stub_caption = cache->stub_caption;
        c = cache->grid;
      }
    else
      {
        g_clear_pointer (&f->self->place_cache, place_cache_free);
        c = clearance_new (gx0 - 200 * f->s, gy0 - 200 * f->s, gx1 + 200 * f->s,
                           gy1 + 200 * f->s, 64 * f->s);
        for (guint i = 0; i < n; i++)
          clearance_add (c, &g_array_index (nodes, cairo_rectangle_t, i), OBST_NODE, NULL, -1);
        for (guint i = 0; i < f->edges->len; i++)
          clearance_add_line (c, &g_array_index (f->edges, Edge, i).line, (int) i);
        if (f->output != NULL)
          place_stub (f, c);

        for (guint i = 0; i < f->edges->len; i++)
          {
            Edge *e = &g_array_index (f->edges, Edge, i);
            BpTensor *value = final_value (f, e->src);
            BpTensor *grad = final_grad (f, e->dst, e->slot);
            gboolean vblank = place_is_hidden (f->state->hidden_values, e->src);
            gboolean gblank = place_is_hidden (f->state->hidden_grads, e->src);
            NodeCache *nc = geometry_node_cache (f->self, e->src);
            NodeCache *dnc = geometry_node_cache (f->self, e->dst);
            double w = 0, h = 0, gw = 0, gh = 0;

            e->compact = edge_wants_compact (f, e, value, grad);
            for (;;)
              {
                if (value != NULL)
                  label_box_size (f, e->compact ? &nc->probe_compact : &nc->probe, value,
                                  e->compact, vblank, &w, &h);
                if (grad != NULL)
                  label_box_size (f, &dnc->probe_grad[e->slot], grad, e->compact, gblank,
                                  &gw, &gh);
                /* A grid with no free place beside its arrow (nodes or
                 * other labels in the way) becomes a chip, unless the
                 * node was expanded to show its numbers. */
                if (e->compact || place_is_hidden (f->state->expanded, e->src)
                    || (value != NULL && bp_tensor_is_scalar (value))
                    || edge_has_room (f, c, e, (int) i, w, h, gw, gh))
                  break;
                e->compact = TRUE;
              }
            place_edge (f, c, e, (int) i, w, h, gw, gh);
          }

        /* Kept for the next frames; edges' lines point into f->edges,
         * which goes with the frame: the grid keeps copies. */
        cache = g_new0 (struct _PlaceCache, 1);
        cache->stamp = bp_graph_get_stamp (graph);
        cache->trace = bp_trace_ref (f->trace);
        cache->s = f->s;
        cache->readable = f->readable;
        cache->output = f->output;
        cache->boxes_sum = boxes_sum;
        cache->sets_sum = sets_sum;
        cache->placed = g_array_sized_new (FALSE, FALSE, sizeof (Placed), f->edges->len);
        for (guint i = 0; i < f->edges->len; i++)
          {
            const Edge *e = &g_array_index (f->edges, Edge, i);
            Placed pl = { e->t, e->tg, e->lift, e->compact, e->vr, e->gr, e->has_vr, e->has_gr };

            g_array_append_val (cache->placed, pl);
          }
        cache->stub = f->stub;
        cache->has_stub = f->has_stub;
        cache->has_stub_vr = f->has_stub_vr;
        cache->has_stub_gr = f->has_stub_gr;
        cache->stub_vr = f->stub_vr;
        cache->stub_gr = f->stub_gr;
        cache->stub_caption = f->stub_caption;
        clearance_own_lines (c);
        cache->grid = c;
        f->self->place_cache = cache;
      }
  }

  place_callout (f, c);

  /* What this state shows. */
  for (guint i = 0; i < f->edges->len; i++)
    {
      Edge *e = &g_array_index (f->edges, Edge, i);

      if (e->value != NULL && e->has_vr)
        add_box (f, BP_DIAGRAM_BOX_VALUE, e->src, e->slot, &e->vr);
      if (e->back != NULL && e->has_gr)
        add_box (f, BP_DIAGRAM_BOX_GRADIENT, e->dst, e->slot, &e->gr);
    }
  if (f->output != NULL)
    {
      gboolean fresh;
      const BpStep *back = place_shown_backward (f, f->output, &fresh);

      if (f->has_stub_vr && place_shown_value (f, f->output, &fresh) != NULL)
        add_box (f, BP_DIAGRAM_BOX_VALUE, f->output, G_MAXUINT, &f->stub_vr);
      if (f->has_stub_gr && back != NULL && back->upstream != NULL)
        add_box (f, BP_DIAGRAM_BOX_GRADIENT, f->output, G_MAXUINT, &f->stub_gr);
      if (geometry_node_cache (f->self, f->output)->caption != NULL)
        add_box (f, BP_DIAGRAM_BOX_CAPTION, f->output, 0, &f->stub_caption);
    }
  if (f->has_callout)
    add_box (f, BP_DIAGRAM_BOX_CALLOUT, f->current_node, 0, &f->callout);
}
