/* SPDX-License-Identifier: MIT */
/* What the parts of the renderer share: bp-diagram-style.c (colours, line
 * widths, fonts), bp-diagram-text.c (Pango layouts, numbers as labels),
 * bp-diagram-geometry.c (node shapes, ports, lines, hit test),
 * bp-diagram-place.c (the pass state and where every label stands) and
 * bp-diagram-paint.c (drawing through a BpPainter). Not installed. */
#pragma once

#include <pango/pangocairo.h>

#include "bp-diagram.h"
#include "bp-painter.h"

G_BEGIN_DECLS

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
#define VALUE_SIZE      13.5  /* the size of numbers, for the readability rule */
#define READABLE_PX     11.0  /* numbers smaller than this on screen become chips */
#define HEAT_MAX        12    /* a chip's heat-map shows at most this many cells a side */

typedef enum
{
  FONT_SYMBOL,
  FONT_NAME,
  FONT_VALUE,
  FONT_CAPTION,
  FONT_CALLOUT,
  N_FONTS
} FontRole;

typedef BpRgba Rgb;

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
  Rgb upd;     /* a param's update after the backward pass */
  Rgb accent;
  Rgb error;
  Rgb error_fill;
} Palette;

/* A tensor drawn as a number, a small grid, or a chip: its shape ("2×3")
 * beside a tiny heat-map of its values. */
typedef struct
{
  BpTensor     *key;        /* owned ref: what the layouts show */
  gboolean      shape_only; /* a chip even when a grid would do */
  guint         rows, cols; /* > 0 when drawn as a grid */
  PangoLayout  *text;       /* scalar or shape */
  PangoLayout **cells;
  double        col_w[GRID_MAX];
  double        cell_h;
  double        heat_x, heat_cell;  /* a chip's heat-map: left edge, cell height */
  double        heat_cell_w;        /* and cell width (narrower for a row) */
  guint         heat_rows, heat_cols;
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
  /* The same as chips, for arrows too short (or a view too small) for a grid. */
  Label        value_compact;
  Label        grad_compact[BP_OP_MAX_INPUTS];
  /* Sizes for placing labels (separate slots keep both cached). */
  Label        probe;
  Label        probe_compact;
  Label        probe_grad[BP_OP_MAX_INPUTS];

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
  double                text_only_scale; /* the part of text_scale that spreads nothing */
  GHashTable           *nodes;      /* BpNode* → NodeCache* */
  guint64               seen_stamp;
  PangoLayout          *blank;      /* "?" of a quiz blank */
  /* For estimates: each character's advance and each font's line height,
   * measured once per text scale. */
  GHashTable           *advances[N_FONTS];   /* gunichar → double[2]: advance, height */
  double                line_h[N_FONTS];
  PangoLayout          *scratch;
  /* The last placement of labels, reused while nothing it depends on
   * changed (placement costs more than painting a big graph). */
  struct _PlaceCache   *place_cache;
};

/* Edges are straight, as in the book. */
typedef struct
{
  double x0, y0, x1, y1;   /* from the output port to the input port */
  double ux, uy;           /* unit direction */
  double nx, ny;           /* unit normal towards "above" (ny ≤ 0) */
  double len;
} Line;

typedef struct
{
  BpNode       *src;
  BpNode       *dst;
  guint         slot;
  Line          line;
  double        t;          /* where the value stands along the line */
  double        tg;         /* where the gradient and back arrow stand */
  double        lift;       /* extra distance of both labels from the line */
  gboolean      compact;    /* matrices as chips: no room for a grid */
  BpTensor     *value;      /* shown at this state, or NULL */
  gboolean      value_fresh;
  const BpStep *back;       /* shown at this state, or NULL */
  gboolean      back_fresh;
  /* Where the labels stand, sized for the whole pass (so that they do
   * not move from step to step); empty when there is nothing to show. */
  cairo_rectangle_t vr, gr;
  gboolean      has_vr, has_gr;
} Edge;

/* The spatial index of what labels must keep clear of. */
typedef struct _Clearance Clearance;

/* Everything one frame (or one bounds computation) needs. */
typedef struct
{
  BpDiagram            *self;
  BpPainter            *p;           /* NULL: only measure */
  const BpDiagramState *state;
  const Palette        *pal;
  double                s;
  double                lw;      /* line weight factor (high contrast) */
  double                zoom;        /* device pixels per diagram unit */
  gboolean              readable;    /* numbers at ≥ READABLE_PX: grids allowed */

  BpTrace              *trace;       /* NULL when nothing is shown */
  guint                 n_forward;
  guint                 position;    /* steps [0, position) are done */
  int                   current;     /* the step highlighted, or -1 */
  const BpUpdateStep   *update;      /* the update shown (pass UPDATE), or NULL */
  BpNode               *current_node;
  BpNode               *output;

  /* Drawing only: what is visible, and whether text is too small to read
   * (then labels are drawn as bars; never in SVG/PDF). */
  gboolean              cull;
  double                cx0, cy0, cx1, cy1;
  gboolean              greek;
  gboolean              no_heads;    /* arrowheads below a pixel or two */
  gboolean              tiny;        /* lines under a fifth of a pixel: fewer strokes */

  gboolean              have_bounds;
  double                x0, y0, x1, y1;

  /* The scene, placed: every edge with its labels, the output stub's
   * labels, and the callout. */
  GArray               *edges;       /* of Edge */
  Line                  stub;
  gboolean              has_stub;
  double                stub_t;
  cairo_rectangle_t     stub_vr, stub_gr, stub_caption;
  gboolean              has_stub_vr, has_stub_gr;
  gboolean              has_callout;
  cairo_rectangle_t     callout;     /* the box, text inside with padding */
  double                callout_tip_x, callout_tip_y;  /* where its pointer ends */
  gboolean              callout_leader;
  GArray               *boxes;       /* BpDiagramBox: what was placed and shown */
} Frame;

/* style */
const Palette *bp_diagram_style_palette (gboolean dark);
/* The palette for a state: light or dark, and high contrast. */
const Palette *bp_diagram_style_palette_for (const BpDiagramState *state);
/* How much heavier lines are drawn for a state (2 in high contrast). */
double         bp_diagram_style_line_scale (const BpDiagramState *state);
void           bp_diagram_style_rebuild_fonts (BpDiagram *self);

/* text */
void         text_layout_size   (PangoLayout *layout, double *w, double *h);
PangoLayout *text_make_layout   (BpDiagram *self, const char *text, FontRole role);
void         text_estimate      (BpDiagram *self, const char *text, FontRole role,
                                 double *w, double *h);
void         label_clear        (Label *label);
void         label_set          (BpDiagram *self, Label *label, BpTensor *tensor,
                                 gboolean shape_only);
char        *text_compact_tensor (const BpTensor *t);
void         text_blank_size    (BpDiagram *self, double s, double *w, double *h);

/* geometry */
void         node_cache_free    (gpointer data);
NodeCache   *geometry_node_cache (BpDiagram *self, BpNode *node);
void         geometry_prune_caches (BpDiagram *self);
const char  *geometry_node_main_text (BpNode *node, const BpOp *op);
void         geometry_node_centre (BpDiagram *self, BpNode *node, double *x, double *y);
void         geometry_input_port (BpDiagram *self, BpNode *node, guint slot,
                                  double *x, double *y);
void         geometry_output_port (BpDiagram *self, BpNode *node, double *x, double *y);
/* The node's shape and, except for the output (named at its stub), its
 * caption below. */
void         geometry_node_box  (BpDiagram *self, BpNode *node, gboolean is_output,
                                 cairo_rectangle_t *rect);
void         line_init          (Line *l, double x0, double y0, double x1, double y1);
void         line_point         (const Line *l, double t, double *x, double *y);
void         line_part          (const Line *l, double t0, double t1, double dist, Line *out);
gboolean     line_hits_rect     (const Line *l, const cairo_rectangle_t *r, double margin);
gboolean     rects_overlap      (const cairo_rectangle_t *a, const cairo_rectangle_t *b,
                                 double margin);

/* place */
void         frame_init         (Frame *f, BpDiagram *self, BpPainter *p, BpTrace *trace,
                                 const BpDiagramState *state);
void         frame_clear        (Frame *f);
void         frame_add_rect     (Frame *f, double x, double y, double w, double h);
gboolean     frame_visible      (Frame *f, double x, double y, double w, double h);
void         place_scene        (Frame *f);
void         place_cache_free   (struct _PlaceCache *cache);
BpTensor    *place_shown_value  (Frame *f, BpNode *node, gboolean *fresh);
const BpStep *place_shown_backward (Frame *f, BpNode *node, gboolean *fresh);
/* The label object that shows the value (or gradient) of an edge. */
Label       *place_value_label  (Frame *f, Edge *e);
Label       *place_grad_label   (Frame *f, Edge *e);
gboolean     place_is_hidden    (GHashTable *set, BpNode *node);
/* A label of size w × h centred in the placed rectangle `slot`'s column:
 * where it is drawn at this state. */
void         place_label_rect   (const Line *l, double t, double w, double h, double dist,
                                 double gap, double *x, double *y);

/* paint */
void         paint_scene        (Frame *f);

G_END_DECLS
