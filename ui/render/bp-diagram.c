/* SPDX-License-Identifier: MIT */
/* The one renderer. It draws as the book does: operation nodes are circles
 * with the op symbol, layers rounded boxes, leaves named values on the left;
 * forward values stand above the arrows, gradients below them in a second
 * colour with a heavier arrow pointing back.
 *
 * Text is the expensive part of a frame, so every PangoLayout lives in a
 * per-node cache. A cached label keeps a reference to the tensor it shows,
 * so comparing pointers is enough to know it is still current (a tensor
 * that is alive cannot be replaced by another at the same address). */

#include <math.h>
#include <string.h>
#include <pango/pangocairo.h>

#include "bp-diagram.h"

#define FONT_FAMILY "Cantarell, Noto Sans, DejaVu Sans, Noto Sans CJK KR, sans-serif"

/* Base metrics in pixels at text scale 1. */
#define CIRCLE_D        46.0
#define LAYER_H         40.0
#define LAYER_PAD_X     14.0
#define LAYER_MIN_W     64.0
#define LEAF_H          30.0
#define LEAF_PAD_X      11.0
#define NODE_LINE       1.6
#define EDGE_LINE       1.3
#define BACK_LINE       2.4
#define BACK_OFFSET     7.0
#define LABEL_GAP       4.0
#define GRAD_GAP        6.5   /* clears the back arrow's head */
#define ARROW_LEN       9.0
#define ARROW_HALF_W    4.5
#define PORT_R          4.0
#define PORT_HIT_R      9.0
#define STUB_MIN        76.0
#define CAPTION_GAP     3.0
#define GRID_MAX        4
#define GRID_COL_GAP    8.0
#define BRACKET_W       4.0
#define CALLOUT_PAD     7.0
#define HALO_X          2.0   /* a label's page-colour patch reaches this far out */
#define INK_SLOP        1.0   /* glyphs and bracket strokes may poke this far out */

typedef enum
{
  FONT_SYMBOL,
  FONT_NAME,
  FONT_VALUE,
  FONT_CAPTION,
  FONT_CALLOUT,
  N_FONTS
} FontRole;

typedef struct
{
  double r, g, b;
} Rgb;

typedef struct
{
  Rgb bg;
  Rgb text;
  Rgb text_dim;
  Rgb node_fill;
  Rgb node_hover;
  Rgb node_stroke;
  Rgb leaf_fill;
  Rgb leaf_hover;
  Rgb edge;
  Rgb fwd;
  Rgb bwd;
  Rgb accent;
  Rgb error;
  Rgb error_fill;
} Palette;

/* A tensor drawn as a number, a small grid or its shape. */
typedef struct
{
  BpTensor     *key;        /* owned ref: what the layouts show */
  gboolean      shape_only; /* "2×3" even when a grid would do */
  guint         rows, cols; /* > 0 when drawn as a grid */
  PangoLayout  *text;       /* scalar or shape */
  PangoLayout **cells;
  double        col_w[GRID_MAX];
  double        cell_h;
  double        width, height;
} Label;

typedef struct
{
  /* What the cache was built from; checked every frame. */
  const BpOp  *op;
  char        *label;
  char        *error;
  gboolean     has_label;
  guint        n_inputs;

  double       shape_w, shape_h;
  double       caption_w, caption_h;
  double       error_w, error_h;
  PangoLayout *main;
  PangoLayout *caption;
  PangoLayout *error_text;

  Label        value;                      /* forward value on outgoing edges */
  Label        grad[BP_OP_MAX_INPUTS];     /* DG sent down each input */
  Label        out_grad;                   /* gradient arriving at the output */
  /* The same as shapes, for arrows too short for a grid. */
  Label        value_compact;
  Label        grad_compact[BP_OP_MAX_INPUTS];
  /* Sizes for placing labels, from the node's current value (the trace's
   * snapshots are other tensors: separate slots keep both cached). */
  Label        probe;
  Label        probe_compact;
  Label        probe_grad;
  Label        probe_grad_compact;

  char        *callout_text;
  PangoLayout *callout;
} NodeCache;

struct _BpDiagram
{
  GObject parent_instance;

  BpGraph              *graph;
  PangoContext         *pango;
  PangoFontDescription *fonts[N_FONTS];
  double                text_scale;
  gboolean              spread_positions;
  GHashTable           *nodes;      /* BpNode* → NodeCache* */
  guint64               seen_stamp;
  PangoLayout          *blank;      /* "?" of a quiz blank */
  /* For estimates: each character's advance and each font's line height,
   * measured once per text scale. */
  GHashTable           *advances[N_FONTS];   /* gunichar → double[2]: advance, height */
  double                line_h[N_FONTS];
  PangoLayout          *scratch;
};

G_DEFINE_FINAL_TYPE (BpDiagram, bp_diagram, G_TYPE_OBJECT)

static const Palette light_palette = {
  .bg          = { 1.000, 1.000, 1.000 },
  .text        = { 0.141, 0.122, 0.192 },   /* #241f31 */
  .text_dim    = { 0.369, 0.361, 0.392 },   /* #5e5c64 */
  .node_fill   = { 1.000, 1.000, 1.000 },
  .node_hover  = { 0.965, 0.961, 0.957 },   /* #f6f5f4 */
  .node_stroke = { 0.239, 0.220, 0.275 },   /* #3d3846 */
  .leaf_fill   = { 0.929, 0.925, 0.918 },   /* #edecea */
  .leaf_hover  = { 0.871, 0.867, 0.855 },   /* #deddda */
  .edge        = { 0.369, 0.361, 0.392 },
  .fwd         = { 0.000, 0.447, 0.698 },   /* Okabe-Ito blue #0072B2 */
  .bwd         = { 0.835, 0.369, 0.000 },   /* Okabe-Ito vermillion #D55E00 */
  .accent      = { 0.208, 0.518, 0.894 },   /* #3584e4 */
  .error       = { 0.753, 0.110, 0.157 },   /* #c01c28 */
  .error_fill  = { 0.992, 0.925, 0.925 },
};

static const Palette dark_palette = {
  .bg          = { 0.141, 0.141, 0.141 },   /* #242424 */
  .text        = { 1.000, 1.000, 1.000 },
  .text_dim    = { 0.753, 0.749, 0.737 },   /* #c0bfbc */
  .node_fill   = { 0.188, 0.188, 0.188 },   /* #303030 */
  .node_hover  = { 0.239, 0.239, 0.239 },
  .node_stroke = { 0.871, 0.867, 0.855 },   /* #deddda */
  .leaf_fill   = { 0.231, 0.231, 0.231 },
  .leaf_hover  = { 0.290, 0.290, 0.290 },
  .edge        = { 0.690, 0.686, 0.678 },
  .fwd         = { 0.337, 0.706, 0.914 },   /* Okabe-Ito sky blue #56B4E9 */
  .bwd         = { 0.902, 0.624, 0.000 },   /* Okabe-Ito orange #E69F00 */
  .accent      = { 0.471, 0.682, 0.929 },   /* #78aeed */
  .error       = { 1.000, 0.482, 0.388 },   /* #ff7b63 */
  .error_fill  = { 0.290, 0.137, 0.137 },
};

/* Everything one frame (or one bounds computation) needs. */
typedef struct
{
  BpDiagram            *self;
  cairo_t              *cr;          /* NULL: only measure */
  const BpDiagramState *state;
  const Palette        *pal;
  double                s;

  BpTrace              *trace;       /* NULL when nothing is shown */
  GHashTable           *fwd_index;   /* BpNode* → forward step index + 1 */
  GHashTable           *bwd_index;   /* BpNode* → backward step index + 1 */
  guint                 n_forward;
  guint                 done_end;    /* steps [0, done_end) are done */
  int                   current;     /* the step being animated, or -1 */
  BpNode               *current_node;
  BpNode               *output;

  /* Drawing only: what is visible, and whether text is too small to read
   * (then labels are drawn as bars; never in SVG/PDF). */
  gboolean              cull;
  double                cx0, cy0, cx1, cy1;
  gboolean              greek;
  gboolean              no_heads;    /* arrowheads below a pixel or two */

  gboolean              have_bounds;
  double                x0, y0, x1, y1;
} Frame;

/* Edges are straight, as in the book. */
typedef struct
{
  double x0, y0, x1, y1;   /* from the output port to the input port */
  double ux, uy;           /* unit direction */
  double nx, ny;           /* unit normal towards "above" (ny ≤ 0) */
  double len;
} Line;

/* --- helpers --- */

static void
set_rgb (cairo_t *cr, const Rgb *c, double alpha)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, alpha);
}

static void
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
static gboolean
frame_visible (Frame *f, double x, double y, double w, double h)
{
  if (!f->cull)
    return TRUE;
  return x <= f->cx1 && x + w >= f->cx0 && y <= f->cy1 && y + h >= f->cy0;
}

static void
rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r)
{
  r = MIN (r, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
layout_size (PangoLayout *layout, double *w, double *h)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  *w = (double) logical.width / PANGO_SCALE;
  *h = (double) logical.height / PANGO_SCALE;
}

static void
rebuild_fonts (BpDiagram *self)
{
  static const struct { double size; PangoWeight weight; } specs[N_FONTS] = {
    [FONT_SYMBOL]  = { 19.0, PANGO_WEIGHT_NORMAL },
    [FONT_NAME]    = { 14.0, PANGO_WEIGHT_NORMAL },
    [FONT_VALUE]   = { 13.5, PANGO_WEIGHT_SEMIBOLD },
    [FONT_CAPTION] = { 12.0, PANGO_WEIGHT_NORMAL },
    [FONT_CALLOUT] = { 12.5, PANGO_WEIGHT_NORMAL },
  };

  for (guint i = 0; i < N_FONTS; i++)
    {
      g_clear_pointer (&self->fonts[i], pango_font_description_free);
      self->fonts[i] = pango_font_description_from_string (FONT_FAMILY);
      pango_font_description_set_absolute_size (self->fonts[i],
                                                specs[i].size * self->text_scale * PANGO_SCALE);
      pango_font_description_set_weight (self->fonts[i], specs[i].weight);
      if (self->advances[i] != NULL)
        g_hash_table_remove_all (self->advances[i]);
      self->line_h[i] = 0;
    }
}

static PangoLayout *
make_layout (BpDiagram *self, const char *text, FontRole role)
{
  PangoLayout *layout = pango_layout_new (self->pango);

  pango_layout_set_font_description (layout, self->fonts[role]);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* The width of `text` as the sum of its characters' advances, each
 * shaped once and cached, and the font's line height: no shaping of the
 * whole text, so ~50 times cheaper than a layout. Kerning and ligatures
 * only make shaped text narrower, so this errs on the generous side. */
static void
estimate_text (BpDiagram *self, const char *text, FontRole role, double *w, double *h)
{
  double width = 0;

  if (self->advances[role] == NULL)
    self->advances[role] = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  if (self->scratch == NULL)
    self->scratch = pango_layout_new (self->pango);
  if (self->line_h[role] == 0)
    {
      double lw;

      pango_layout_set_font_description (self->scratch, self->fonts[role]);
      pango_layout_set_text (self->scratch, "0", -1);
      layout_size (self->scratch, &lw, &self->line_h[role]);
    }
  *h = self->line_h[role];
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      /* Advance and line height: a fallback font (Hangul) is taller. */
      double *size = g_hash_table_lookup (self->advances[role], GUINT_TO_POINTER (c));

      if (size == NULL)
        {
          char buf[8];

          buf[g_unichar_to_utf8 (c, buf)] = '\0';
          size = g_new (double, 2);
          pango_layout_set_font_description (self->scratch, self->fonts[role]);
          pango_layout_set_text (self->scratch, buf, -1);
          layout_size (self->scratch, &size[0], &size[1]);
          g_hash_table_insert (self->advances[role], GUINT_TO_POINTER (c), size);
        }
      width += size[0];
      *h = MAX (*h, size[1]);
    }
  *w = width;
}

static void
label_clear (Label *label)
{
  g_clear_pointer (&label->key, bp_tensor_unref);
  g_clear_object (&label->text);
  if (label->cells != NULL)
    {
      for (guint i = 0; i < label->rows * label->cols; i++)
        g_object_unref (label->cells[i]);
      g_clear_pointer (&label->cells, g_free);
    }
  label->rows = label->cols = 0;
  label->width = label->height = 0;
}

/* Makes `label` show `tensor`; cheap when it already does. */
static void
label_set (BpDiagram *self, Label *label, BpTensor *tensor, gboolean shape_only)
{
  double s = self->text_scale;

  if (label->key == tensor && label->shape_only == shape_only)
    return;
  label_clear (label);
  label->key = bp_tensor_ref (tensor);
  label->shape_only = shape_only;

  if (bp_tensor_is_scalar (tensor))
    {
      g_autofree char *text = bp_format_number (tensor->data[0], 4);

      label->text = make_layout (self, text, FONT_VALUE);
      layout_size (label->text, &label->width, &label->height);
    }
  else if (tensor->rows <= GRID_MAX && tensor->cols <= GRID_MAX && !shape_only)
    {
      double w = 0;

      label->rows = tensor->rows;
      label->cols = tensor->cols;
      label->cells = g_new0 (PangoLayout *, tensor->rows * tensor->cols);
      label->cell_h = 0;
      for (guint c = 0; c < tensor->cols; c++)
        label->col_w[c] = 0;
      for (guint r = 0; r < tensor->rows; r++)
        for (guint c = 0; c < tensor->cols; c++)
          {
            g_autofree char *text = bp_format_number (bp_tensor_get (tensor, r, c), 3);
            PangoLayout *cell = make_layout (self, text, FONT_VALUE);
            double cw, ch;

            layout_size (cell, &cw, &ch);
            label->cells[r * tensor->cols + c] = cell;
            label->col_w[c] = MAX (label->col_w[c], cw);
            label->cell_h = MAX (label->cell_h, ch);
          }
      for (guint c = 0; c < tensor->cols; c++)
        w += label->col_w[c];
      w += (tensor->cols - 1) * GRID_COL_GAP * s;
      label->width = w + 2 * (BRACKET_W + 3) * s;
      label->height = label->cell_h * tensor->rows * 0.92 + 2 * s;
    }
  else
    {
      g_autofree char *text = bp_tensor_shape_string (tensor->rows, tensor->cols);

      label->text = make_layout (self, text, FONT_VALUE);
      layout_size (label->text, &label->width, &label->height);
      label->width += 2 * (BRACKET_W + 3) * s;
    }
}

static void
label_update (BpDiagram *self, Label *label, BpTensor *tensor)
{
  label_set (self, label, tensor, FALSE);
}

static void
node_cache_free (gpointer data)
{
  NodeCache *nc = data;

  g_free (nc->label);
  g_free (nc->error);
  g_clear_object (&nc->main);
  g_clear_object (&nc->caption);
  g_clear_object (&nc->error_text);
  label_clear (&nc->value);
  label_clear (&nc->value_compact);
  for (guint i = 0; i < BP_OP_MAX_INPUTS; i++)
    {
      label_clear (&nc->grad[i]);
      label_clear (&nc->grad_compact[i]);
    }
  label_clear (&nc->out_grad);
  label_clear (&nc->probe);
  label_clear (&nc->probe_compact);
  label_clear (&nc->probe_grad);
  label_clear (&nc->probe_grad_compact);
  g_free (nc->callout_text);
  g_clear_object (&nc->callout);
  g_free (nc);
}

static const char *
node_main_text (BpNode *node, const BpOp *op)
{
  if (op->kind == BP_OP_KIND_LEAF)
    return bp_node_get_label (node);
  if (op->symbol != NULL && *op->symbol != '\0')
    return op->symbol;
  return op->name;
}

static gboolean
node_cache_is_current (NodeCache *nc, BpNode *node)
{
  const char *error = bp_node_get_error (node);

  return nc->op == bp_node_get_op (node)
      && nc->has_label == bp_node_has_label (node)
      && nc->n_inputs == bp_node_get_n_inputs (node)
      && g_strcmp0 (nc->label, bp_node_get_label (node)) == 0
      && g_strcmp0 (nc->error, error) == 0;
}

/* Drops caches of nodes that left the graph (after a change). */
static void
prune_caches (BpDiagram *self)
{
  guint64 stamp = bp_graph_get_stamp (self->graph);
  guint n = bp_graph_get_n_nodes (self->graph);
  g_autoptr(GHashTable) alive = NULL;
  GHashTableIter iter;
  gpointer key;

  if (stamp == self->seen_stamp)
    return;
  self->seen_stamp = stamp;
  if (g_hash_table_size (self->nodes) <= n)
    return;
  alive = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < n; i++)
    g_hash_table_add (alive, bp_graph_get_node (self->graph, i));
  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (alive, key))
      g_hash_table_iter_remove (&iter);
}

static NodeCache *
get_node_cache (BpDiagram *self, BpNode *node)
{
  NodeCache *nc = g_hash_table_lookup (self->nodes, node);
  const BpOp *op = bp_node_get_op (node);
  const char *error;
  double s = self->text_scale;
  double tw, th;

  if (nc != NULL && node_cache_is_current (nc, node))
    return nc;
  if (nc == NULL)
    {
      nc = g_new0 (NodeCache, 1);
      g_hash_table_insert (self->nodes, node, nc);
    }
  else
    {
      /* Keep the value labels (keyed by tensor); rebuild the node's text. */
      g_clear_pointer (&nc->label, g_free);
      g_clear_pointer (&nc->error, g_free);
      g_clear_object (&nc->main);
      g_clear_object (&nc->caption);
      g_clear_object (&nc->error_text);
    }

  error = bp_node_get_error (node);
  nc->op = op;
  nc->label = g_strdup (bp_node_get_label (node));
  nc->error = g_strdup (error);
  nc->has_label = bp_node_has_label (node);
  nc->n_inputs = bp_node_get_n_inputs (node);

  switch (op->kind)
    {
    case BP_OP_KIND_LEAF:
      nc->main = make_layout (self, node_main_text (node, op), FONT_NAME);
      layout_size (nc->main, &tw, &th);
      nc->shape_w = MAX (tw + 2 * LEAF_PAD_X * s, LEAF_H * s);
      nc->shape_h = LEAF_H * s;
      break;

    case BP_OP_KIND_LAYER:
      nc->main = make_layout (self, node_main_text (node, op), FONT_NAME);
      layout_size (nc->main, &tw, &th);
      nc->shape_w = MAX (tw + 2 * LAYER_PAD_X * s, LAYER_MIN_W * s);
      nc->shape_h = LAYER_H * s;
      break;

    case BP_OP_KIND_OPERATION:
    default:
      /* Words (exp, log, repeat) in the name size so the circle stays small. */
      nc->main = make_layout (self, node_main_text (node, op),
                              g_utf8_strlen (node_main_text (node, op), -1) > 2
                              ? FONT_NAME : FONT_SYMBOL);
      layout_size (nc->main, &tw, &th);
      nc->shape_w = nc->shape_h = MAX (CIRCLE_D * s, tw + 14 * s);
      break;
    }

  nc->caption_w = nc->caption_h = 0;
  /* A layer named like its op ("ReLU" in a ReLU box) needs no caption. */
  if (op->kind != BP_OP_KIND_LEAF && nc->has_label
      && g_ascii_strcasecmp (nc->label, node_main_text (node, op)) != 0)
    {
      nc->caption = make_layout (self, nc->label, FONT_CAPTION);
      layout_size (nc->caption, &nc->caption_w, &nc->caption_h);
      nc->caption_h += CAPTION_GAP * s;
    }

  nc->error_w = nc->error_h = 0;
  if (error != NULL)
    {
      nc->error_text = make_layout (self, error, FONT_CAPTION);
      pango_layout_set_width (nc->error_text, (int) (220 * s * PANGO_SCALE));
      pango_layout_set_wrap (nc->error_text, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_alignment (nc->error_text, PANGO_ALIGN_CENTER);
      layout_size (nc->error_text, &nc->error_w, &nc->error_h);
    }

  return nc;
}

/* Where a node is drawn: its position spread apart as much as the text
 * grows (see bp_diagram_get_spread()), so that presentation mode enlarges
 * the picture as a whole instead of crowding it. Everything that draws or
 * hit-tests goes through here. */
static void
node_centre (BpDiagram *self, BpNode *node, double *x, double *y)
{
  double spread = self->spread_positions ? MAX (self->text_scale, 1.0) : 1.0;

  if (!bp_node_get_position (node, x, y))
    *x = *y = 0;
  *x *= spread;
  *y *= spread;
}

/* The input port of `slot`, on the left of the shape. */
static void
input_port (BpDiagram *self, BpNode *node, guint slot, double *x, double *y)
{
  NodeCache *nc = get_node_cache (self, node);
  guint n = MAX (nc->n_inputs, 1);
  double cx, cy, dy, sp;

  node_centre (self, node, &cx, &cy);
  if (nc->op->kind == BP_OP_KIND_OPERATION)
    {
      double r = nc->shape_w / 2;

      sp = MIN (r * 0.9, 2 * r * 0.8 / n);
      dy = (slot - (n - 1) / 2.0) * sp;
      *x = cx - sqrt (MAX (r * r - dy * dy, 0));
    }
  else
    {
      sp = nc->shape_h * 0.8 / n;
      dy = (slot - (n - 1) / 2.0) * sp;
      *x = cx - nc->shape_w / 2;
    }
  *y = cy + dy;
}

static void
output_port (BpDiagram *self, BpNode *node, double *x, double *y)
{
  NodeCache *nc = get_node_cache (self, node);
  double cx, cy;

  node_centre (self, node, &cx, &cy);
  *x = cx + nc->shape_w / 2;
  *y = cy;
}

static void
line_init (Line *l, double x0, double y0, double x1, double y1)
{
  l->x0 = x0; l->y0 = y0;
  l->x1 = x1; l->y1 = y1;
  l->len = hypot (x1 - x0, y1 - y0);
  if (l->len < 1e-9)
    {
      l->ux = 1;
      l->uy = 0;
    }
  else
    {
      l->ux = (x1 - x0) / l->len;
      l->uy = (y1 - y0) / l->len;
    }
  l->nx = l->uy;
  l->ny = -l->ux;
  if (l->ny > 0 || (l->ny == 0 && l->nx > 0))
    {
      l->nx = -l->nx;
      l->ny = -l->ny;
    }
}

static void
line_point (const Line *l, double t, double *x, double *y)
{
  *x = l->x0 + (l->x1 - l->x0) * t;
  *y = l->y0 + (l->y1 - l->y0) * t;
}

/* A filled arrowhead with its tip at (x, y) pointing along (dx, dy). */
static void
arrow_head (cairo_t *cr, double x, double y, double dx, double dy, double len, double half_w)
{
  double n = hypot (dx, dy);
  double ux, uy;

  if (n < 1e-9)
    return;
  ux = dx / n;
  uy = dy / n;
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x - ux * len - uy * half_w, y - uy * len + ux * half_w);
  cairo_line_to (cr, x - ux * len * 0.72, y - uy * len * 0.72);
  cairo_line_to (cr, x - ux * len + uy * half_w, y - uy * len - ux * half_w);
  cairo_close_path (cr);
}

/* --- the pass state --- */

static void
frame_init (Frame *f, BpDiagram *self, cairo_t *cr, BpTrace *trace,
            const BpDiagramState *state)
{
  memset (f, 0, sizeof *f);
  f->self = self;
  f->cr = cr;
  f->state = state;
  f->pal = state->dark ? &dark_palette : &light_palette;
  f->current = -1;
  f->output = bp_graph_get_output (self->graph);

  if (state->text_scale > 0 && fabs (state->text_scale - self->text_scale) > 1e-9)
    bp_diagram_set_text_scale (self, state->text_scale);
  f->s = self->text_scale;
  prune_caches (self);

  if (cr != NULL)
    {
      cairo_surface_type_t type = cairo_surface_get_type (cairo_get_target (cr));
      gboolean vector = (type == CAIRO_SURFACE_TYPE_SVG || type == CAIRO_SURFACE_TYPE_PDF
                         || type == CAIRO_SURFACE_TYPE_PS);
      double dx = 1, dy = 0;

      cairo_user_to_device_distance (cr, &dx, &dy);
      f->greek = !vector && hypot (dx, dy) * 13.5 * f->s < 4.0;
      f->no_heads = !vector && hypot (dx, dy) * ARROW_LEN * f->s < 2.0;
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
  if (state->pass == BP_PASS_FORWARD)
    f->done_end = MIN (state->step, f->n_forward);
  else
    f->done_end = f->n_forward + MIN (state->step, bp_trace_get_n_backward (trace));

  f->fwd_index = g_hash_table_new (NULL, NULL);
  f->bwd_index = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < bp_trace_get_n_steps (trace); i++)
    {
      const BpStep *step = bp_trace_get_step (trace, i);

      g_hash_table_insert (step->kind == BP_STEP_FORWARD ? f->fwd_index : f->bwd_index,
                           step->node, GUINT_TO_POINTER (i + 1));
    }

  /* The step just taken is highlighted (and animated); once a whole pass
   * is done and still, nothing is: an exported figure shows a clean pass. */
  if (state->step > 0 && f->done_end > 0
      && (state->pass == BP_PASS_FORWARD || f->done_end > f->n_forward)
      && (f->done_end < bp_trace_get_n_steps (trace)
          - (state->pass == BP_PASS_FORWARD ? bp_trace_get_n_backward (trace) : 0)
          || state->progress < 1.0))
    {
      f->current = (int) f->done_end - 1;
      f->current_node = bp_trace_get_step (trace, f->current)->node;
    }
}

static void
frame_clear (Frame *f)
{
  g_clear_pointer (&f->fwd_index, g_hash_table_unref);
  g_clear_pointer (&f->bwd_index, g_hash_table_unref);
}

static int
step_of (GHashTable *index, BpNode *node)
{
  return index == NULL ? -1 : (int) GPOINTER_TO_UINT (g_hash_table_lookup (index, node)) - 1;
}

/* The value of `node` shown at this state, or NULL; `*fresh` when the
 * current step computed it (it fades in). */
static BpTensor *
shown_value (Frame *f, BpNode *node, gboolean *fresh)
{
  int i;

  *fresh = FALSE;
  if (f->trace == NULL)
    return NULL;
  i = step_of (f->fwd_index, node);
  if (i < 0)
    {
      /* Leaves may have no forward step: their value is given. */
      if (bp_op_is_leaf (bp_node_get_op (node)))
        return bp_node_get_value (node);
      return NULL;
    }
  if ((guint) i >= f->done_end)
    return NULL;
  *fresh = (i == f->current);
  return bp_trace_get_step (f->trace, i)->value;
}

/* The backward step of `node` if done at this state. */
static const BpStep *
shown_backward (Frame *f, BpNode *node, gboolean *fresh)
{
  int i;

  *fresh = FALSE;
  if (f->trace == NULL)
    return NULL;
  i = step_of (f->bwd_index, node);
  if (i < 0 || (guint) i >= f->done_end)
    return NULL;
  *fresh = (i == f->current);
  return bp_trace_get_step (f->trace, i);
}

static double
fade (Frame *f, gboolean fresh)
{
  if (!fresh)
    return 1.0;
  return CLAMP (f->state->progress, 0.0, 1.0);
}

/* --- drawing pieces --- */

static void
draw_label (Frame *f, Label *label, double x, double y, const Rgb *colour, double alpha)
{
  cairo_t *cr = f->cr;
  double s = f->s;

  /* Bounds and culling both by everything drawn: the halo is wider than
   * the text, and a label culled by its text box alone would leave its
   * halo's edge unpainted in a redrawn strip next to it. */
  frame_add_rect (f, x - HALO_X * s, y, label->width + 2 * HALO_X * s, label->height);
  if (cr == NULL || alpha <= 0
      || !frame_visible (f, x - (HALO_X + INK_SLOP) * s, y - INK_SLOP * s,
                         label->width + 2 * (HALO_X + INK_SLOP) * s,
                         label->height + 2 * INK_SLOP * s))
    return;

  if (f->greek)
    {
      set_rgb (cr, colour, 0.45 * alpha);
      cairo_rectangle (cr, x, y + label->height * 0.25, label->width, label->height * 0.5);
      cairo_fill (cr);
      return;
    }

  /* A halo of the page colour keeps numbers readable over crossing lines
   * (a plain rectangle: Cairo fills those fastest). */
  set_rgb (cr, &f->pal->bg, 0.85 * alpha);
  cairo_rectangle (cr, x - HALO_X * s, y, label->width + 2 * HALO_X * s, label->height);
  cairo_fill (cr);

  set_rgb (cr, colour, alpha);
  if (label->cells != NULL || (label->rows == 0 && !bp_tensor_is_scalar (label->key)))
    {
      double bw = BRACKET_W * s;
      double lw = 1.2 * s;

      cairo_set_line_width (cr, lw);
      cairo_move_to (cr, x + bw, y + lw);
      cairo_line_to (cr, x + lw, y + lw);
      cairo_line_to (cr, x + lw, y + label->height - lw);
      cairo_line_to (cr, x + bw, y + label->height - lw);
      cairo_move_to (cr, x + label->width - bw, y + lw);
      cairo_line_to (cr, x + label->width - lw, y + lw);
      cairo_line_to (cr, x + label->width - lw, y + label->height - lw);
      cairo_line_to (cr, x + label->width - bw, y + label->height - lw);
      cairo_stroke (cr);
    }

  if (label->cells != NULL)
    {
      double cy = y + s;

      for (guint r = 0; r < label->rows; r++)
        {
          double cx = x + (BRACKET_W + 3) * s;

          for (guint c = 0; c < label->cols; c++)
            {
              PangoLayout *cell = label->cells[r * label->cols + c];
              double cw, ch;

              /* Numbers right-aligned in their column. */
              layout_size (cell, &cw, &ch);
              cairo_move_to (cr, cx + label->col_w[c] - cw, cy - label->cell_h * 0.04);
              pango_cairo_show_layout (cr, cell);
              cx += label->col_w[c] + GRID_COL_GAP * s;
            }
          cy += label->cell_h * 0.92;
        }
    }
  else
    {
      double tx = x;

      if (!bp_tensor_is_scalar (label->key))
        tx += (BRACKET_W + 3) * s;
      cairo_move_to (cr, tx, y);
      pango_cairo_show_layout (cr, label->text);
    }
}

static void
blank_size (Frame *f, double *w, double *h)
{
  double tw, th;

  layout_size (f->self->blank, &tw, &th);
  *w = MAX (40 * f->s, tw + 22 * f->s);
  *h = th + 6 * f->s;
}

/* A quiz blank: an empty box with "?". */
static void
draw_blank (Frame *f, double x, double y, const Rgb *colour, double alpha)
{
  cairo_t *cr = f->cr;
  double s = f->s;
  double w, h, tw, th;
  double dash[] = { 4 * s, 2.5 * s };

  blank_size (f, &w, &h);
  frame_add_rect (f, x, y, w, h);
  if (cr == NULL)
    return;
  set_rgb (cr, &f->pal->bg, alpha);
  rounded_rect (cr, x, y, w, h, 4 * s);
  cairo_fill_preserve (cr);
  set_rgb (cr, colour, alpha);
  cairo_set_line_width (cr, 1.6 * s);
  cairo_set_dash (cr, dash, 2, 0);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  layout_size (f->self->blank, &tw, &th);
  cairo_move_to (cr, x + (w - tw) / 2, y + (h - th) / 2);
  pango_cairo_show_layout (cr, f->self->blank);
}

static gboolean
is_hidden (GHashTable *set, BpNode *node)
{
  return set != NULL && g_hash_table_contains (set, node);
}

/* Where a label of size w × h stands beside a line: centred on the
 * normal through the middle of the line, `dist` from it (positive: above),
 * never touching it whatever the slope. */
static void
label_beside (const Line *l, double t, double w, double h, double dist, double gap,
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
label_extent (Frame *f, Label *label, gboolean blank, double *w, double *h)
{
  if (blank)
    blank_size (f, w, h);
  else
    {
      *w = label->width;
      *h = label->height;
    }
}

/* The forward value above the arrow, at `t` along it. */
static void
value_rect_at (Frame *f, Label *label, gboolean blank, const Line *l, double t,
               double *x, double *y, double *w, double *h)
{
  label_extent (f, label, blank, w, h);
  label_beside (l, t, *w, *h, 0, LABEL_GAP * f->s, x, y);
}

/* The gradient below the back arrow. */
static void
grad_rect_at (Frame *f, Label *label, gboolean blank, const Line *l, double t,
              double *x, double *y, double *w, double *h)
{
  label_extent (f, label, blank, w, h);
  label_beside (l, t, *w, *h, -BACK_OFFSET * f->s, GRAD_GAP * f->s, x, y);
}

/* The part of the line between t0 and t1, moved `dist` along the normal. */
static void
line_part (const Line *l, double t0, double t1, double dist, Line *out)
{
  double ax, ay, bx, by;

  line_point (l, t0, &ax, &ay);
  line_point (l, t1, &bx, &by);
  line_init (out, ax + l->nx * dist, ay + l->ny * dist, bx + l->nx * dist, by + l->ny * dist);
}

/* The heavier arrow pointing back, under the middle of an edge. */
static void
draw_back_arrow (Frame *f, const Line *l, double t, double alpha)
{
  cairo_t *cr = f->cr;
  double s = f->s;
  double head = (ARROW_LEN + 2) * s;
  double half = 0.25;
  double t0, t1;
  Line back;

  /* Half the edge around the label, but long enough to read as an arrow. */
  if (l->len > 0 && l->len * 2 * half < 2.4 * head)
    half = 1.2 * head / l->len;
  t0 = CLAMP (t - half, 0.06, 0.94);
  t1 = CLAMP (t + half, 0.06, 0.94);
  line_part (l, t0, t1, -BACK_OFFSET * s, &back);
  frame_add_rect (f, MIN (back.x0, back.x1) - 5 * s, MIN (back.y0, back.y1) - 5 * s,
                  fabs (back.x1 - back.x0) + 10 * s, fabs (back.y1 - back.y0) + 10 * s);
  if (cr == NULL
      || !frame_visible (f, MIN (back.x0, back.x1) - head, MIN (back.y0, back.y1) - head,
                         fabs (back.x1 - back.x0) + 2 * head, fabs (back.y1 - back.y0) + 2 * head))
    return;

  /* Butt caps: round ones cost two arcs per arrow. */
  set_rgb (cr, &f->pal->bwd, alpha);
  cairo_set_line_width (cr, BACK_LINE * s);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  /* From the head end (x0, pointing back) the line starts behind the tip. */
  cairo_move_to (cr, back.x0 + back.ux * head * 0.6, back.y0 + back.uy * head * 0.6);
  cairo_line_to (cr, back.x1, back.y1);
  cairo_stroke (cr);
  if (!f->no_heads)
    {
      arrow_head (cr, back.x0, back.y0, -back.ux, -back.uy, head, (ARROW_HALF_W + 1.5) * s);
      cairo_fill (cr);
    }
}

/* A dot travelling along an edge during the animation of a step. */
static void
draw_token (Frame *f, const Line *l, double t, double dist, const Rgb *colour)
{
  cairo_t *cr = f->cr;
  double x, y;

  if (cr == NULL)
    return;
  line_point (l, t, &x, &y);
  x += l->nx * dist;
  y += l->ny * dist;
  set_rgb (cr, colour, 0.25);
  cairo_new_path (cr);
  cairo_arc (cr, x, y, 8 * f->s, 0, 2 * G_PI);
  cairo_fill (cr);
  set_rgb (cr, colour, 1.0);
  cairo_arc (cr, x, y, 4.5 * f->s, 0, 2 * G_PI);
  cairo_fill (cr);
}

typedef struct
{
  BpNode  *src;
  BpNode  *dst;
  guint    slot;
  Line     line;
  double   t;          /* where the value stands along the line */
  double   tg;         /* where the gradient and back arrow stand */
  gboolean compact;    /* matrices as shapes: no room for a grid */
  BpTensor *value;
  gboolean value_fresh;
  const BpStep *back;
  gboolean back_fresh;
} Edge;

static gboolean
edge_compute (Frame *f, BpNode *dst, guint slot, Edge *e)
{
  double x0, y0, x1, y1;

  e->src = bp_node_get_input (dst, slot);
  if (e->src == NULL)
    return FALSE;
  e->dst = dst;
  e->slot = slot;
  output_port (f->self, e->src, &x0, &y0);
  input_port (f->self, dst, slot, &x1, &y1);
  line_init (&e->line, x0, y0, x1, y1);
  /* Labels go where the arrows are apart: near the source when several
   * arrows converge on the node, near the node when one source fans out. */
  e->t = 0.5;
  if (bp_node_get_n_inputs (dst) > 1 && bp_graph_get_n_consumers (f->self->graph, e->src) <= 1)
    e->t = 0.38;
  else if (bp_node_get_n_inputs (dst) <= 1 && bp_graph_get_n_consumers (f->self->graph, e->src) > 1)
    e->t = 0.62;
  e->tg = e->t;
  e->value = shown_value (f, e->src, &e->value_fresh);
  e->back = shown_backward (f, dst, &e->back_fresh);
  /* A grid wider than the arrow would run into the nodes: write the
   * shape instead ("2×3"). Decided from the node's value so that it does
   * not change from step to step. */
  e->compact = FALSE;
  {
    BpTensor *estimate = bp_node_get_value (e->src);

    if (estimate == NULL)
      estimate = e->value;
    if (estimate != NULL && !bp_tensor_is_scalar (estimate)
        && estimate->rows <= GRID_MAX && estimate->cols <= GRID_MAX)
      {
        NodeCache *nc = get_node_cache (f->self, e->src);

        label_set (f->self, &nc->probe, estimate, FALSE);
        /* Beside a steep arrow a label needs its width across as well. */
        e->compact = nc->probe.width > 0.8 * fabs (e->line.x1 - e->line.x0) - 8 * f->s;
      }
  }
  if (e->back != NULL && (slot >= e->back->n_inputs || e->back->downstream[slot] == NULL))
    e->back = NULL;
  return TRUE;
}

static void
draw_line_arrow (Frame *f, const Line *l)
{
  cairo_t *cr = f->cr;
  double s = f->s;
  double head = ARROW_LEN * s;

  frame_add_rect (f, MIN (l->x0, l->x1), MIN (l->y0, l->y1),
                  fabs (l->x1 - l->x0), fabs (l->y1 - l->y0));
  if (cr == NULL
      || !frame_visible (f, MIN (l->x0, l->x1) - head, MIN (l->y0, l->y1) - head,
                         fabs (l->x1 - l->x0) + 2 * head, fabs (l->y1 - l->y0) + 2 * head))
    return;
  set_rgb (cr, &f->pal->edge, 1.0);
  cairo_set_line_width (cr, EDGE_LINE * s);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  cairo_move_to (cr, l->x0, l->y0);
  cairo_line_to (cr, l->x1 - l->ux * head * 0.6, l->y1 - l->uy * head * 0.6);
  cairo_stroke (cr);
  if (!f->no_heads)
    {
      arrow_head (cr, l->x1, l->y1, l->ux, l->uy, head, ARROW_HALF_W * s);
      cairo_fill (cr);
    }
}

static gboolean
rects_overlap (const cairo_rectangle_t *a, const cairo_rectangle_t *b, double margin)
{
  return a->x < b->x + b->width + margin && b->x < a->x + a->width + margin
      && a->y < b->y + b->height + margin && b->y < a->y + a->height + margin;
}

/* Whether the line crosses the rectangle grown by `margin` (Liang-Barsky). */
static gboolean
line_hits_rect (const Line *l, const cairo_rectangle_t *r, double margin)
{
  double p[4], q[4], t0 = 0, t1 = 1;
  double dx = l->x1 - l->x0, dy = l->y1 - l->y0;

  p[0] = -dx; q[0] = l->x0 - (r->x - margin);
  p[1] = dx;  q[1] = (r->x + r->width + margin) - l->x0;
  p[2] = -dy; q[2] = l->y0 - (r->y - margin);
  p[3] = dy;  q[3] = (r->y + r->height + margin) - l->y0;
  for (guint i = 0; i < 4; i++)
    {
      if (fabs (p[i]) < 1e-12)
        {
          if (q[i] < 0)
            return FALSE;
          continue;
        }
      if (p[i] < 0)
        t0 = MAX (t0, q[i] / p[i]);
      else
        t1 = MIN (t1, q[i] / p[i]);
      if (t0 > t1)
        return FALSE;
    }
  return TRUE;
}

/* What the labels of converging arrows must clear: the labels placed so
 * far, the nodes at both ends of the arrows (a steep arrow pushes its
 * labels sideways, towards the neighbouring inputs), and the other arrows. */
typedef struct
{
  cairo_rectangle_t placed[3 * BP_OP_MAX_INPUTS];
  guint             n_placed;
  cairo_rectangle_t nodes[BP_OP_MAX_INPUTS + 1];
  guint             n_nodes;
  const Edge       *edges;
  guint             n_edges;
} Obstacles;

static gboolean
label_clashes (Frame *f, const cairo_rectangle_t *r, const Obstacles *o, guint self_edge)
{
  for (guint k = 0; k < o->n_placed; k++)
    if (rects_overlap (r, &o->placed[k], 3 * f->s))
      return TRUE;
  for (guint k = 0; k < o->n_nodes; k++)
    if (rects_overlap (r, &o->nodes[k], 2 * f->s))
      return TRUE;
  for (guint k = 0; k < o->n_edges; k++)
    if (k != self_edge && line_hits_rect (&o->edges[k].line, r, f->s))
      return TRUE;
  return FALSE;
}

/* The first place along the arrow where the value and the gradient both
 * stand clear; FALSE (and the first candidate) when there is none. */
static gboolean
place_pair (Frame *f, Edge *e, double w, double h, double gw, double gh,
            const double *candidates, guint n_candidates, const Obstacles *o)
{
  guint self_edge = (guint) (e - o->edges);

  for (guint c = 0; c < n_candidates; c++)
    {
      cairo_rectangle_t vr, gr;

      label_beside (&e->line, candidates[c], w, h, 0, LABEL_GAP * f->s, &vr.x, &vr.y);
      label_beside (&e->line, candidates[c], gw, gh, -BACK_OFFSET * f->s, GRAD_GAP * f->s,
                    &gr.x, &gr.y);
      vr.width = w;
      vr.height = h;
      gr.width = gw;
      gr.height = gh;
      if (!label_clashes (f, &vr, o, self_edge) && !label_clashes (f, &gr, o, self_edge))
        {
          e->t = e->tg = candidates[c];
          return TRUE;
        }
    }
  e->t = e->tg = candidates[0];
  return FALSE;
}

/* Chooses where along each converging arrow the labels stand so that the
 * labels of neighbouring arrows do not overlap. Sized by the node's
 * current value (a gradient has the value's shape), so the place does not
 * jump when a pass adds the numbers. */
static void
place_incoming (Frame *f, Edge *edges, guint n)
{
  static const double candidates[] = { 0.38, 0.30, 0.46, 0.24, 0.54, 0.18, 0.62, 0.12, 0.70 };
  Obstacles clear = { .edges = edges, .n_edges = n };

  if (n < 2)
    return;
  bp_diagram_get_node_rect (f->self, edges[0].dst, &clear.nodes[clear.n_nodes++]);
  for (guint i = 0; i < n; i++)
    bp_diagram_get_node_rect (f->self, edges[i].src, &clear.nodes[clear.n_nodes++]);
  for (guint i = 0; i < n; i++)
    {
      Edge *e = &edges[i];
      BpTensor *estimate = bp_node_get_value (e->src);
      BpTensor *grad_estimate = bp_node_get_grad (e->src);
      NodeCache *nc;
      Label *probe, *grad_probe;
      double w, h, gw, gh;
      cairo_rectangle_t vr = { 0 }, gr = { 0 };

      if (estimate == NULL)
        estimate = e->value;
      if (estimate == NULL)
        continue;
      /* Gradients often need more digits than values: size their place by
       * the last gradient when there is one (it outlives the passes). */
      if (grad_estimate == NULL || grad_estimate->rows != estimate->rows
          || grad_estimate->cols != estimate->cols)
        grad_estimate = estimate;
      nc = get_node_cache (f->self, e->src);
      probe = e->compact ? &nc->probe_compact : &nc->probe;
      grad_probe = e->compact ? &nc->probe_grad_compact : &nc->probe_grad;
      label_set (f->self, probe, estimate, e->compact);
      label_set (f->self, grad_probe, grad_estimate, e->compact);
      w = probe->width;
      h = probe->height;
      gw = grad_probe->width;
      gh = grad_probe->height;
      if (!place_pair (f, e, w, h, gw, gh, candidates, G_N_ELEMENTS (candidates), &clear))
        {
          /* No place fits both: the gradient (often the wider) may stand
           * elsewhere along the arrow than the value, e.g. nearer the
           * source, where converging arrows are further apart. */
          guint cv = 0, cg;

          for (guint c = 0; c < G_N_ELEMENTS (candidates); c++)
            {
              label_beside (&e->line, candidates[c], w, h, 0, LABEL_GAP * f->s, &vr.x, &vr.y);
              vr.width = w;
              vr.height = h;
              if (!label_clashes (f, &vr, &clear, i))
                {
                  cv = c;
                  break;
                }
            }
          e->t = candidates[cv];
          label_beside (&e->line, e->t, w, h, 0, LABEL_GAP * f->s, &vr.x, &vr.y);
          vr.width = w;
          vr.height = h;
          clear.placed[clear.n_placed++] = vr;
          cg = cv;
          for (guint c = 0; c < G_N_ELEMENTS (candidates); c++)
            {
              label_beside (&e->line, candidates[c], gw, gh, -BACK_OFFSET * f->s,
                            GRAD_GAP * f->s, &gr.x, &gr.y);
              gr.width = gw;
              gr.height = gh;
              if (!label_clashes (f, &gr, &clear, i))
                {
                  cg = c;
                  break;
                }
            }
          clear.n_placed--;
          e->tg = candidates[cg];
        }
      label_beside (&e->line, e->t, w, h, 0, LABEL_GAP * f->s, &vr.x, &vr.y);
      label_beside (&e->line, e->tg, gw, gh, -BACK_OFFSET * f->s, GRAD_GAP * f->s, &gr.x, &gr.y);
      vr.width = w;
      vr.height = h;
      gr.width = gw;
      gr.height = gh;
      clear.placed[clear.n_placed++] = vr;
      clear.placed[clear.n_placed++] = gr;
    }
}

/* The arrows into `node`, labels placed. */
static guint
node_edges (Frame *f, BpNode *node, Edge *edges)
{
  guint n_in = MIN (bp_node_get_n_inputs (node), BP_OP_MAX_INPUTS);
  guint n = 0;

  for (guint slot = 0; slot < n_in; slot++)
    if (edge_compute (f, node, slot, &edges[n]))
      n++;
  place_incoming (f, edges, n);
  return n;
}

static void
draw_edge_line (Frame *f, Edge *e)
{
  draw_line_arrow (f, &e->line);
  if (e->back != NULL)
    draw_back_arrow (f, &e->line, e->tg, fade (f, e->back_fresh));
}

static void
draw_value_or_blank (Frame *f, Label *label, gboolean blank, const Line *l, double t,
                     gboolean grad, double alpha)
{
  const Rgb *colour = grad ? &f->pal->bwd : &f->pal->fwd;
  double x, y, w, h;

  if (grad)
    grad_rect_at (f, label, blank, l, t, &x, &y, &w, &h);
  else
    value_rect_at (f, label, blank, l, t, &x, &y, &w, &h);
  if (blank)
    draw_blank (f, x, y, colour, alpha);
  else
    draw_label (f, label, x, y, colour, alpha);
}

static void
draw_edge_labels (Frame *f, Edge *e)
{
  NodeCache *src_nc = get_node_cache (f->self, e->src);
  NodeCache *dst_nc = get_node_cache (f->self, e->dst);

  if (e->value != NULL)
    {
      gboolean blank = is_hidden (f->state->hidden_values, e->src);
      Label *label = e->compact ? &src_nc->value_compact : &src_nc->value;

      if (!blank)
        label_set (f->self, label, e->value, e->compact);
      draw_value_or_blank (f, label, blank, &e->line, e->t, FALSE,
                           fade (f, e->value_fresh));
    }
  if (e->back != NULL)
    {
      gboolean blank = is_hidden (f->state->hidden_grads, e->src);
      Label *label = e->compact ? &dst_nc->grad_compact[e->slot] : &dst_nc->grad[e->slot];

      if (!blank)
        label_set (f->self, label, e->back->downstream[e->slot], e->compact);
      draw_value_or_blank (f, label, blank, &e->line, e->tg, TRUE, fade (f, e->back_fresh));
    }
}

static void
draw_edge_tokens (Frame *f, Edge *e)
{
  double p = CLAMP (f->state->progress, 0.0, 1.0);

  if (p >= 1.0)
    return;
  if (e->value != NULL && e->value_fresh)
    draw_token (f, &e->line, p, 0, &f->pal->fwd);
  if (e->back != NULL && e->back_fresh)
    draw_token (f, &e->line, 1 - p, -BACK_OFFSET * f->s, &f->pal->bwd);
}

/* The output is marked by an arrow leaving to the right, carrying the
 * final value above and the seed gradient (1) below. */
static void
draw_output_stub (Frame *f, BpNode *node, gboolean labels)
{
  NodeCache *nc = get_node_cache (f->self, node);
  cairo_t *cr = f->cr;
  double s = f->s;
  double x0, y0, len;
  gboolean vfresh, gfresh;
  BpTensor *value = shown_value (f, node, &vfresh);
  const BpStep *back = shown_backward (f, node, &gfresh);
  gboolean vblank = is_hidden (f->state->hidden_values, node);
  gboolean gblank = is_hidden (f->state->hidden_grads, node);
  Line l;

  if (back != NULL && back->upstream == NULL)
    back = NULL;
  output_port (f->self, node, &x0, &y0);
  len = STUB_MIN * s;
  if (value != NULL && !vblank)
    {
      label_update (f->self, &nc->value, value);
      len = MAX (len, nc->value.width + 40 * s);
    }
  if (back != NULL && !gblank)
    {
      label_update (f->self, &nc->out_grad, back->upstream);
      len = MAX (len, nc->out_grad.width + 40 * s);
    }
  line_init (&l, x0, y0, x0 + len, y0);

  if (!labels)
    {
      draw_line_arrow (f, &l);
      if (back != NULL)
        draw_back_arrow (f, &l, 0.5, fade (f, gfresh));
      return;
    }

  if (value != NULL)
    draw_value_or_blank (f, &nc->value, vblank, &l, 0.5, FALSE, fade (f, vfresh));
  if (back != NULL)
    draw_value_or_blank (f, &nc->out_grad, gblank, &l, 0.5, TRUE, fade (f, gfresh));
  /* The output's name at the end of the arrow. */
  if (nc->caption != NULL)
    {
      double tx = x0 + len + 6 * s;
      double ty = y0 - (nc->caption_h - CAPTION_GAP * s) / 2;

      frame_add_rect (f, tx, ty, nc->caption_w, nc->caption_h);
      if (cr != NULL)
        {
          set_rgb (cr, &f->pal->text, 1.0);
          cairo_move_to (cr, tx, ty);
          pango_cairo_show_layout (cr, nc->caption);
        }
    }
}

static void
draw_port (Frame *f, double x, double y, gboolean open)
{
  cairo_t *cr = f->cr;
  double s = f->s;

  if (cr == NULL)
    return;
  cairo_new_path (cr);
  cairo_arc (cr, x, y, PORT_R * s, 0, 2 * G_PI);
  set_rgb (cr, open ? &f->pal->bg : &f->pal->accent, 1.0);
  cairo_fill_preserve (cr);
  set_rgb (cr, open ? &f->pal->error : &f->pal->accent, 1.0);
  cairo_set_line_width (cr, 1.3 * s);
  cairo_stroke (cr);
}

static void
shape_path (cairo_t *cr, NodeCache *nc, double cx, double cy, double grow)
{
  double w = nc->shape_w + 2 * grow;
  double h = nc->shape_h + 2 * grow;

  switch (nc->op->kind)
    {
    case BP_OP_KIND_OPERATION:
      cairo_new_sub_path (cr);
      cairo_arc (cr, cx, cy, w / 2, 0, 2 * G_PI);
      cairo_close_path (cr);
      break;
    case BP_OP_KIND_LEAF:
      rounded_rect (cr, cx - w / 2, cy - h / 2, w, h, h / 2);
      break;
    case BP_OP_KIND_LAYER:
    default:
      rounded_rect (cr, cx - w / 2, cy - h / 2, w, h, 9 + grow);
      break;
    }
}

static void
draw_node (Frame *f, BpNode *node)
{
  BpDiagram *self = f->self;
  NodeCache *nc = get_node_cache (self, node);
  const Palette *pal = f->pal;
  cairo_t *cr = f->cr;
  double s = f->s;
  double cx, cy, tw, th;
  gboolean selected = is_hidden (f->state->selected, node);
  gboolean hover = (f->state->hover == node);
  gboolean current = (f->current_node == node && f->current >= 0);
  gboolean error = (nc->error != NULL);
  gboolean is_output = (node == f->output);
  const Rgb *pass_colour = (f->current >= 0 && (guint) f->current >= f->n_forward)
                           ? &pal->bwd : &pal->fwd;

  node_centre (self, node, &cx, &cy);
  frame_add_rect (f, cx - MAX (nc->shape_w, nc->caption_w) / 2, cy - nc->shape_h / 2,
                  MAX (nc->shape_w, nc->caption_w), nc->shape_h + (is_output ? 0 : nc->caption_h));
  if (error)
    frame_add_rect (f, cx - nc->error_w / 2, cy + nc->shape_h / 2 + nc->caption_h + 2 * s,
                    nc->error_w, nc->error_h);
  if (current || selected)
    frame_add_rect (f, cx - nc->shape_w / 2 - 6 * s, cy - nc->shape_h / 2 - 6 * s,
                    nc->shape_w + 12 * s, nc->shape_h + 12 * s);
  if (cr == NULL
      || !frame_visible (f, cx - MAX (nc->shape_w, MAX (nc->caption_w, nc->error_w)) / 2 - 8 * s,
                         cy - nc->shape_h / 2 - 8 * s,
                         MAX (nc->shape_w, MAX (nc->caption_w, nc->error_w)) + 16 * s,
                         nc->shape_h + nc->caption_h + nc->error_h + 16 * s))
    return;

  /* Halos first: the current step in the pass colour, the selection in
   * the accent colour. */
  if (current)
    {
      shape_path (cr, nc, cx, cy, 5 * s);
      set_rgb (cr, pass_colour, 0.22);
      cairo_fill (cr);
    }
  if (selected)
    {
      shape_path (cr, nc, cx, cy, 3.5 * s);
      set_rgb (cr, &pal->accent, 0.35);
      cairo_set_line_width (cr, 3 * s);
      cairo_stroke (cr);
    }

  shape_path (cr, nc, cx, cy, 0);
  if (error)
    set_rgb (cr, &pal->error_fill, 1.0);
  else if (nc->op->kind == BP_OP_KIND_LEAF)
    set_rgb (cr, hover ? &pal->leaf_hover : &pal->leaf_fill, 1.0);
  else
    set_rgb (cr, hover ? &pal->node_hover : &pal->node_fill, 1.0);
  cairo_fill_preserve (cr);
  if (error)
    {
      double dash[] = { 4 * s, 2.5 * s };

      set_rgb (cr, &pal->error, 1.0);
      cairo_set_line_width (cr, 2 * s);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  else if (current)
    {
      set_rgb (cr, pass_colour, 1.0);
      cairo_set_line_width (cr, 2.6 * s);
      cairo_stroke (cr);
    }
  else if (selected)
    {
      set_rgb (cr, &pal->accent, 1.0);
      cairo_set_line_width (cr, 2 * s);
      cairo_stroke (cr);
    }
  else if (nc->op->kind == BP_OP_KIND_LEAF)
    cairo_new_path (cr);
  else
    {
      set_rgb (cr, &pal->node_stroke, 1.0);
      cairo_set_line_width (cr, NODE_LINE * s);
      cairo_stroke (cr);
    }

  layout_size (nc->main, &tw, &th);
  set_rgb (cr, error ? &pal->error : &pal->text, 1.0);
  /* Too small to read: the shape alone. */
  if (!f->greek)
    {
      cairo_move_to (cr, cx - tw / 2, cy - th / 2);
      pango_cairo_show_layout (cr, nc->main);
    }

  if (nc->caption != NULL && !is_output && !f->greek)
    {
      set_rgb (cr, &pal->text_dim, 1.0);
      cairo_move_to (cr, cx - nc->caption_w / 2, cy + nc->shape_h / 2 + CAPTION_GAP * s);
      pango_cairo_show_layout (cr, nc->caption);
    }

  if (error && !f->greek)
    {
      double ex = cx - 110 * s, ey = cy + nc->shape_h / 2 + nc->caption_h + 2 * s;
      PangoRectangle ink;

      /* On a patch of page colour: the message may cross arrows. */
      pango_layout_get_pixel_extents (nc->error_text, NULL, &ink);
      set_rgb (cr, &pal->bg, 0.9);
      cairo_rectangle (cr, ex + ink.x - 3 * s, ey + ink.y, ink.width + 6 * s, ink.height);
      cairo_fill (cr);
      set_rgb (cr, &pal->error, 1.0);
      cairo_move_to (cr, ex, ey);
      pango_cairo_show_layout (cr, nc->error_text);
    }

  /* Ports: on hover or selection for connecting; always for an input that
   * is missing, so the gap is visible. */
  for (guint i = 0; i < nc->n_inputs; i++)
    {
      gboolean open = (bp_node_get_input (node, i) == NULL);

      if (open || hover || selected)
        {
          double px, py;

          input_port (self, node, i, &px, &py);
          draw_port (f, px, py, open);
        }
    }
  if (hover || selected)
    {
      double px, py;

      output_port (self, node, &px, &py);
      draw_port (f, px, py, FALSE);
    }
}

static char *
compact_tensor (const BpTensor *t)
{
  if (t == NULL)
    return g_strdup ("—");
  if (bp_tensor_is_scalar (t))
    return bp_format_number (t->data[0], 4);
  return bp_tensor_shape_string (t->rows, t->cols);
}

/* During the backward pass: UG × LG = DG beside the current node. */
static void
draw_callout (Frame *f)
{
  BpNode *node = f->current_node;
  const BpStep *step;
  NodeCache *nc;
  GString *text;
  cairo_t *cr = f->cr;
  double s = f->s;
  double cx, cy, tw, th, w, h, x, y;
  double pad = CALLOUT_PAD * s;

  if (f->current < 0 || (guint) f->current < f->n_forward || node == NULL)
    return;
  step = bp_trace_get_step (f->trace, f->current);
  if (!g_hash_table_contains (f->self->nodes, node))
    return;
  nc = get_node_cache (f->self, node);

  text = g_string_new (NULL);
  if (step->n_inputs == 0)
    {
      g_autofree char *ug = compact_tensor (step->upstream);

      g_string_append_printf (text, "∂out/∂%s = %s", nc->label, ug);
    }
  else
    {
      g_string_append (text, "UG × LG = DG");
      for (guint i = 0; i < step->n_inputs; i++)
        {
          g_autofree char *ug = compact_tensor (step->upstream);
          g_autofree char *lg = compact_tensor (step->local[i]);
          g_autofree char *dg = compact_tensor (step->downstream[i]);
          const char *name = (nc->op->input_names != NULL) ? nc->op->input_names[i] : "x";

          if (step->local[i] != NULL)
            g_string_append_printf (text, "\n%s:  %s × %s = %s", name, ug, lg, dg);
          else
            g_string_append_printf (text, "\n%s:  DG = %s", name, dg);
        }
    }
  if (nc->callout == NULL || g_strcmp0 (nc->callout_text, text->str) != 0)
    {
      g_clear_object (&nc->callout);
      g_free (nc->callout_text);
      nc->callout_text = g_string_free (text, FALSE);
      nc->callout = make_layout (f->self, nc->callout_text, FONT_CALLOUT);
    }
  else
    g_string_free (text, TRUE);

  layout_size (nc->callout, &tw, &th);
  w = tw + 2 * pad;
  h = th + 2 * pad;
  node_centre (f->self, node, &cx, &cy);
  x = cx - w / 2;
  y = cy - nc->shape_h / 2 - 12 * s - h;
  frame_add_rect (f, x, y, w, h + 12 * s);
  if (cr == NULL)
    return;

  set_rgb (cr, &f->pal->bg, 0.96);
  rounded_rect (cr, x, y, w, h, 6 * s);
  cairo_fill_preserve (cr);
  set_rgb (cr, &f->pal->bwd, 1.0);
  cairo_set_line_width (cr, 1.4 * s);
  cairo_stroke (cr);
  /* A small pointer down to the node. */
  cairo_move_to (cr, cx - 6 * s, y + h);
  cairo_line_to (cr, cx, y + h + 7 * s);
  cairo_line_to (cr, cx + 6 * s, y + h);
  cairo_close_path (cr);
  cairo_fill (cr);

  set_rgb (cr, &f->pal->text, 1.0);
  cairo_move_to (cr, x + pad, y + pad);
  pango_cairo_show_layout (cr, nc->callout);
}

static void
draw_all (Frame *f)
{
  BpGraph *graph = f->self->graph;
  guint n = bp_graph_get_n_nodes (graph);
  g_autoptr(GArray) edges = g_array_sized_new (FALSE, FALSE, sizeof (Edge), n * 2);

  for (guint i = 0; i < n; i++)
    {
      Edge node_in[BP_OP_MAX_INPUTS];
      guint n_in = node_edges (f, bp_graph_get_node (graph, i), node_in);

      g_array_append_vals (edges, node_in, n_in);
    }

  if (f->cr != NULL)
    {
      cairo_save (f->cr);
      cairo_set_line_join (f->cr, CAIRO_LINE_JOIN_ROUND);
    }

  /* One stroke per edge: measured, Cairo is slower with one long path
   * spanning the surface than with many small ones. */
  for (guint i = 0; i < edges->len; i++)
    draw_edge_line (f, &g_array_index (edges, Edge, i));
  if (f->output != NULL)
    draw_output_stub (f, f->output, FALSE);
  for (guint i = 0; i < n; i++)
    draw_node (f, bp_graph_get_node (graph, i));
  for (guint i = 0; i < edges->len; i++)
    draw_edge_labels (f, &g_array_index (edges, Edge, i));
  if (f->output != NULL)
    draw_output_stub (f, f->output, TRUE);
  for (guint i = 0; i < edges->len; i++)
    draw_edge_tokens (f, &g_array_index (edges, Edge, i));
  draw_callout (f);

  if (f->cr != NULL)
    cairo_restore (f->cr);
}

/* --- GObject --- */

static void
bp_diagram_finalize (GObject *object)
{
  BpDiagram *self = BP_DIAGRAM (object);

  g_clear_pointer (&self->nodes, g_hash_table_unref);
  g_clear_object (&self->blank);
  g_clear_object (&self->scratch);
  for (guint i = 0; i < N_FONTS; i++)
    {
      g_clear_pointer (&self->fonts[i], pango_font_description_free);
      g_clear_pointer (&self->advances[i], g_hash_table_unref);
    }
  g_clear_object (&self->pango);
  g_clear_object (&self->graph);

  G_OBJECT_CLASS (bp_diagram_parent_class)->finalize (object);
}

static void
bp_diagram_class_init (BpDiagramClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bp_diagram_finalize;
}

static void
bp_diagram_init (BpDiagram *self)
{
  cairo_font_options_t *options;

  self->text_scale = 1.0;
  self->nodes = g_hash_table_new_full (NULL, NULL, NULL, node_cache_free);

  /* A private context whose metrics do not depend on the target: no
   * hinting of metrics, so screen, SVG, PNG and PDF lay text out alike. */
  self->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (self->pango, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (self->pango, FALSE);

  rebuild_fonts (self);
  self->blank = make_layout (self, "?", FONT_VALUE);
}

/* --- public API --- */

BpDiagram *
bp_diagram_new (BpGraph *graph)
{
  BpDiagram *self;

  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);

  self = g_object_new (BP_TYPE_DIAGRAM, NULL);
  self->graph = g_object_ref (graph);
  self->seen_stamp = bp_graph_get_stamp (graph);
  return self;
}

BpGraph *
bp_diagram_get_graph (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), NULL);
  return self->graph;
}

void
bp_diagram_invalidate (BpDiagram *self)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_hash_table_remove_all (self->nodes);
  self->seen_stamp = bp_graph_get_stamp (self->graph);
}

void
bp_diagram_set_text_scale (BpDiagram *self, double text_scale)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  text_scale = CLAMP (text_scale, 0.25, 8.0);
  if (fabs (text_scale - self->text_scale) < 1e-9)
    return;
  self->text_scale = text_scale;
  rebuild_fonts (self);
  g_clear_object (&self->blank);
  self->blank = make_layout (self, "?", FONT_VALUE);
  g_hash_table_remove_all (self->nodes);
}

double
bp_diagram_get_text_scale (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), 1.0);
  return self->text_scale;
}

double
bp_diagram_get_spread (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), 1.0);
  return self->spread_positions ? MAX (self->text_scale, 1.0) : 1.0;
}

void
bp_diagram_set_spread_positions (BpDiagram *self, gboolean spread)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  self->spread_positions = !!spread;
}

gboolean
bp_diagram_get_spread_positions (BpDiagram *self)
{
  g_return_val_if_fail (BP_IS_DIAGRAM (self), FALSE);
  return self->spread_positions;
}

void
bp_diagram_get_background (gboolean dark, double *red, double *green, double *blue)
{
  const Palette *pal = dark ? &dark_palette : &light_palette;

  *red = pal->bg.r;
  *green = pal->bg.g;
  *blue = pal->bg.b;
}

void
bp_diagram_draw (BpDiagram            *self,
                 cairo_t              *cr,
                 BpTrace              *trace,
                 const BpDiagramState *state)
{
  static const BpDiagramState default_state = BP_DIAGRAM_STATE_INIT;
  Frame f;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (cr != NULL);

  frame_init (&f, self, cr, trace, state != NULL ? state : &default_state);
  draw_all (&f);
  frame_clear (&f);
}

void
bp_diagram_get_bounds (BpDiagram            *self,
                       const BpDiagramState *state,
                       cairo_rectangle_t    *bounds)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));

  /* The labels a pass shows are part of the bounds: measure with the
   * graph's own trace. */
  bp_diagram_get_trace_bounds (self, bp_graph_get_trace (self->graph), state, bounds);
}

void
bp_diagram_get_trace_bounds (BpDiagram            *self,
                             BpTrace              *trace,
                             const BpDiagramState *state,
                             cairo_rectangle_t    *bounds)
{
  static const BpDiagramState default_state = BP_DIAGRAM_STATE_INIT;
  Frame f;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (bounds != NULL);

  frame_init (&f, self, NULL, trace, state != NULL ? state : &default_state);
  draw_all (&f);
  frame_clear (&f);

  if (!f.have_bounds)
    {
      bounds->x = bounds->y = bounds->width = bounds->height = 0;
      return;
    }
  bounds->x = f.x0;
  bounds->y = f.y0;
  bounds->width = f.x1 - f.x0;
  bounds->height = f.y1 - f.y0;
}

void
bp_diagram_get_node_rect (BpDiagram         *self,
                          BpNode            *node,
                          cairo_rectangle_t *rect)
{
  NodeCache *nc;
  double cx, cy, w;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL && rect != NULL);

  nc = get_node_cache (self, node);
  node_centre (self, node, &cx, &cy);
  w = MAX (nc->shape_w, nc->caption_w);
  rect->x = cx - w / 2;
  rect->y = cy - nc->shape_h / 2;
  rect->width = w;
  rect->height = nc->shape_h + nc->caption_h;
}

void
bp_diagram_get_output_port (BpDiagram *self, BpNode *node, double *x, double *y)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL && x != NULL && y != NULL);
  output_port (self, node, x, y);
}

void
bp_diagram_get_input_port (BpDiagram *self, BpNode *node, guint slot, double *x, double *y)
{
  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL && x != NULL && y != NULL);
  input_port (self, node, slot, x, y);
}

BpNode *
bp_diagram_hit_test (BpDiagram *self, double x, double y, BpHitPart *part, guint *slot)
{
  guint n;
  double r = PORT_HIT_R;

  g_return_val_if_fail (BP_IS_DIAGRAM (self), NULL);

  if (part != NULL)
    *part = BP_HIT_NONE;
  if (slot != NULL)
    *slot = 0;
  r *= self->text_scale;
  n = bp_graph_get_n_nodes (self->graph);

  /* Ports first (they sit on the outline), topmost node first. */
  for (guint i = n; i-- > 0;)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      guint n_in = bp_node_get_n_inputs (node);
      double px, py;

      output_port (self, node, &px, &py);
      if (hypot (x - px, y - py) <= r)
        {
          if (part != NULL)
            *part = BP_HIT_OUTPUT_PORT;
          return node;
        }
      for (guint k = 0; k < n_in; k++)
        {
          input_port (self, node, k, &px, &py);
          if (hypot (x - px, y - py) <= r)
            {
              if (part != NULL)
                *part = BP_HIT_INPUT_PORT;
              if (slot != NULL)
                *slot = k;
              return node;
            }
        }
    }
  for (guint i = n; i-- > 0;)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      cairo_rectangle_t rect;

      bp_diagram_get_node_rect (self, node, &rect);
      if (x >= rect.x && x <= rect.x + rect.width && y >= rect.y && y <= rect.y + rect.height)
        {
          if (part != NULL)
            *part = BP_HIT_NODE;
          return node;
        }
    }
  return NULL;
}

void
bp_diagram_measure_node (BpDiagram *self, BpNode *node, double *width, double *height)
{
  NodeCache *nc;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL);

  /* Symmetric around the shape's centre (the node's position), with room
   * for the caption below. */
  nc = get_node_cache (self, node);
  if (width != NULL)
    *width = MAX (nc->shape_w, nc->caption_w);
  if (height != NULL)
    *height = nc->shape_h + 2 * nc->caption_h;
}

guint
bp_diagram_get_edge_label_rects (BpDiagram            *self,
                                 BpTrace              *trace,
                                 const BpDiagramState *state,
                                 BpNode               *node,
                                 guint                 slot,
                                 cairo_rectangle_t    *value_rect,
                                 cairo_rectangle_t    *grad_rect,
                                 double               *arrow_y)
{
  static const BpDiagramState default_state = BP_DIAGRAM_STATE_INIT;
  Frame f;
  Edge node_in[BP_OP_MAX_INPUTS];
  const Edge *e = NULL;
  guint n_in;
  guint flags = 0;

  g_return_val_if_fail (BP_IS_DIAGRAM (self), 0);
  g_return_val_if_fail (node != NULL, 0);

  if (slot >= bp_node_get_n_inputs (node))
    return 0;
  frame_init (&f, self, NULL, trace, state != NULL ? state : &default_state);
  n_in = node_edges (&f, node, node_in);
  for (guint i = 0; i < n_in; i++)
    if (node_in[i].slot == slot)
      e = &node_in[i];
  if (e != NULL)
    {
      NodeCache *src_nc = get_node_cache (self, e->src);
      NodeCache *dst_nc = get_node_cache (self, node);
      double x, y, w, h;

      if (arrow_y != NULL)
        line_point (&e->line, e->t, &x, arrow_y);
      if (e->value != NULL)
        {
          gboolean blank = is_hidden (f.state->hidden_values, e->src);
          Label *label = e->compact ? &src_nc->value_compact : &src_nc->value;

          if (!blank)
            label_set (self, label, e->value, e->compact);
          value_rect_at (&f, label, blank, &e->line, e->t, &x, &y, &w, &h);
          if (value_rect != NULL)
            *value_rect = (cairo_rectangle_t) { x, y, w, h };
          flags |= 1;
        }
      if (e->back != NULL)
        {
          gboolean blank = is_hidden (f.state->hidden_grads, e->src);
          Label *label = e->compact ? &dst_nc->grad_compact[slot] : &dst_nc->grad[slot];

          if (!blank)
            label_set (self, label, e->back->downstream[slot], e->compact);
          grad_rect_at (&f, label, blank, &e->line, e->tg, &x, &y, &w, &h);
          if (grad_rect != NULL)
            *grad_rect = (cairo_rectangle_t) { x, y, w, h };
          flags |= 2;
        }
    }
  frame_clear (&f);
  return flags;
}

void
bp_diagram_measure_tensor (BpDiagram *self, BpTensor *tensor, double *width, double *height)
{
  Label label = { 0 };

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (tensor != NULL);

  label_update (self, &label, tensor);
  if (width != NULL)
    *width = label.width;
  if (height != NULL)
    *height = label.height;
  label_clear (&label);
}

void
bp_diagram_estimate_node (BpDiagram *self, BpNode *node, double *width, double *height)
{
  const BpOp *op;
  const char *main_text, *label;
  double s, tw, th, shape_w, shape_h, caption_w = 0, caption_h = 0;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (node != NULL);

  /* A node already measured exactly costs nothing more. */
  if (g_hash_table_contains (self->nodes, node))
    {
      bp_diagram_measure_node (self, node, width, height);
      return;
    }

  /* The same sizes as get_node_cache(), from estimated text widths. */
  op = bp_node_get_op (node);
  s = self->text_scale;
  main_text = node_main_text (node, op);
  switch (op->kind)
    {
    case BP_OP_KIND_LEAF:
      estimate_text (self, main_text, FONT_NAME, &tw, &th);
      shape_w = MAX (tw + 2 * LEAF_PAD_X * s, LEAF_H * s);
      shape_h = LEAF_H * s;
      break;
    case BP_OP_KIND_LAYER:
      estimate_text (self, main_text, FONT_NAME, &tw, &th);
      shape_w = MAX (tw + 2 * LAYER_PAD_X * s, LAYER_MIN_W * s);
      shape_h = LAYER_H * s;
      break;
    case BP_OP_KIND_OPERATION:
    default:
      estimate_text (self, main_text,
                     g_utf8_strlen (main_text, -1) > 2 ? FONT_NAME : FONT_SYMBOL, &tw, &th);
      shape_w = shape_h = MAX (CIRCLE_D * s, tw + 14 * s);
      break;
    }
  label = bp_node_get_label (node);
  if (op->kind != BP_OP_KIND_LEAF && bp_node_has_label (node)
      && g_ascii_strcasecmp (label, main_text) != 0)
    {
      estimate_text (self, label, FONT_CAPTION, &caption_w, &caption_h);
      caption_h += CAPTION_GAP * s;
    }
  if (width != NULL)
    *width = MAX (shape_w, caption_w);
  if (height != NULL)
    *height = shape_h + 2 * caption_h;
}

void
bp_diagram_estimate_tensor (BpDiagram *self, BpTensor *tensor, double *width, double *height)
{
  g_autofree char *text = NULL;
  double w, h;

  g_return_if_fail (BP_IS_DIAGRAM (self));
  g_return_if_fail (tensor != NULL);

  /* Grids are rare in big graphs: those are measured exactly. */
  if (!bp_tensor_is_scalar (tensor))
    {
      bp_diagram_measure_tensor (self, tensor, width, height);
      return;
    }
  text = bp_format_number (tensor->data[0], 4);
  estimate_text (self, text, FONT_VALUE, &w, &h);
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}
