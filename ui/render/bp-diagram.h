/* SPDX-License-Identifier: MIT */
#pragma once

#include <cairo.h>
#include <glib-object.h>
#include "bp-graph.h"
#include "bp-optimizer.h"
#include "bp-trace.h"
#include "bp-painter.h"

G_BEGIN_DECLS

/* The one renderer: draws a graph and the state of a pass onto any
 * cairo_t with Cairo and Pango (no GTK). The canvas, `bpgraph export` and
 * the Export action all go through it. Diagram units are pixels at zoom 1;
 * a node's position is its centre; y grows downwards. */

typedef enum
{
  BP_HIT_NONE,
  BP_HIT_NODE,
  BP_HIT_OUTPUT_PORT,
  BP_HIT_INPUT_PORT,
} BpHitPart;

/* What to draw besides the graph. Everything here is borrowed.
 * The last step taken (step-1 of the pass) is highlighted and animated
 * by `progress`; during the backward pass its UG × LG = DG is written
 * above the node. Once a pass is complete and progress is 1, nothing is
 * highlighted (an exported figure shows a clean pass). A trace whose
 * stamp differs from the graph's is ignored (no numbers). */
typedef struct
{
  BpPass      pass;       /* NONE: no numbers; FORWARD: forward steps [0, step);
                             BACKWARD: all forward steps and backward [0, step);
                             UPDATE: both passes, and update step-1 of
                             `updates` on its param with its numbers */
  guint       step;
  double      progress;   /* 0…1: animation of step `step`-1 travelling along its arrows */
  gboolean    dark;
  double      text_scale; /* 1 normally, ~1.6 in presentation mode */
  GHashTable *selected;   /* set of BpNode*, or NULL */
  BpNode     *hover;
  GHashTable *hidden_values; /* quiz: set of BpNode* whose value shows as a blank */
  GHashTable *hidden_grads;  /* quiz: set of BpNode* whose gradient shows as a blank */
  /* Device pixels per diagram unit (0: unknown, taken as 1). Numbers that
   * would be smaller than 11 px on screen are not readable: matrices are
   * then drawn as chips (their shape and a tiny heat-map of the values). */
  double      zoom;
  GHashTable *expanded;   /* set of BpNode* whose matrices show every number
                             whatever the zoom (hover, selection), or NULL */
  gboolean    highlight_last; /* highlight the last step of a finished pass
                                 too (numbered step frames) */
  /* A training iteration's param updates, the steps after the backward
   * pass (positions n_steps + 1 … n_steps + n_updates); their params are
   * nodes of the diagram's graph. NULL: none. */
  const BpUpdateStep *updates;
  guint       n_updates;
  BpNode     *focus;      /* the keyboard focus: a ring around it, or NULL */
  gboolean    high_contrast; /* the desktop's high-contrast style: stronger
                                colours, lines twice as heavy */
} BpDiagramState;

#define BP_DIAGRAM_STATE_INIT { BP_PASS_NONE, 0, 1.0, FALSE, 1.0, NULL, NULL, NULL, NULL, \
                                0.0, NULL, FALSE, NULL, 0, NULL, FALSE }

/* What was placed in a frame, for tests and for the widget (tooltips,
 * follow-the-step): every node, and every label and callout shown. */
typedef enum
{
  BP_DIAGRAM_BOX_NODE,      /* the shape and the caption below it */
  BP_DIAGRAM_BOX_VALUE,     /* a forward value above an arrow */
  BP_DIAGRAM_BOX_GRADIENT,  /* a gradient below an arrow */
  BP_DIAGRAM_BOX_CALLOUT,   /* the step's UG × LG = DG */
  BP_DIAGRAM_BOX_CAPTION,   /* the output's name at the end of its arrow */
} BpDiagramBoxKind;

typedef struct
{
  BpDiagramBoxKind  kind;
  BpNode           *node;   /* VALUE: the source; GRADIENT: the consumer;
                               CALLOUT: the step's node */
  guint             slot;   /* the input of the consumer; G_MAXUINT: the output's arrow */
  cairo_rectangle_t rect;
} BpDiagramBox;

#define BP_TYPE_DIAGRAM (bp_diagram_get_type ())
G_DECLARE_FINAL_TYPE (BpDiagram, bp_diagram, BP, DIAGRAM, GObject)

/* A BpDiagram caches text layouts and node geometry for one graph; call
 * bp_diagram_invalidate() after the graph or trace changed. */
BpDiagram *bp_diagram_new              (BpGraph *graph);
BpGraph   *bp_diagram_get_graph        (BpDiagram *self);
void       bp_diagram_invalidate       (BpDiagram *self);
/* `trace` may be NULL (nothing computed). */
void       bp_diagram_draw             (BpDiagram            *self,
                                        cairo_t              *cr,
                                        BpTrace              *trace,
                                        const BpDiagramState *state);
/* Bounds of everything drawn, labels included, in diagram units. */
void       bp_diagram_get_bounds       (BpDiagram *self, const BpDiagramState *state,
                                        cairo_rectangle_t *bounds);
void       bp_diagram_get_node_rect    (BpDiagram *self, BpNode *node,
                                        cairo_rectangle_t *rect);
/* Port centres for edges and connection drags. */
void       bp_diagram_get_output_port  (BpDiagram *self, BpNode *node, double *x, double *y);
void       bp_diagram_get_input_port   (BpDiagram *self, BpNode *node, guint slot,
                                        double *x, double *y);
BpNode    *bp_diagram_hit_test         (BpDiagram *self, double x, double y,
                                        BpHitPart *part, guint *slot);
/* The size a node is drawn at (used by the layout). */
void       bp_diagram_measure_node     (BpDiagram *self, BpNode *node,
                                        double *width, double *height);

/* Geometry follows the text scale of the last bp_diagram_draw() (or
 * get_bounds); set it beforehand to measure or hit-test for another one. */
void       bp_diagram_set_text_scale   (BpDiagram *self, double text_scale);
double     bp_diagram_get_text_scale   (BpDiagram *self);
/* With spread positions on (off by default), a text scale above 1
 * (presentation mode) also spreads the nodes apart: node positions are
 * multiplied by the spread, MAX (text_scale, 1), for drawing, bounds,
 * ports, hit-testing and layout, so the picture grows as a whole instead
 * of crowding. Positions stored in the graph stay in document units: to
 * move a node by d diagram units, add d / spread to its position; a
 * point p in diagram units is the position p / spread. The spread is 1
 * while this is off. */
void       bp_diagram_set_spread_positions (BpDiagram *self, gboolean spread);
/* The part of the text scale that enlarges the text alone and spreads
 * nothing (the desktop's large text: the labels grow, the layout stays,
 * so a fitted view shows larger text instead of the same picture
 * zoomed out); the spread is then MAX (text_scale / factor, 1). 1 by
 * default. */
void       bp_diagram_set_text_only_scale (BpDiagram *self, double factor);
gboolean   bp_diagram_get_spread_positions (BpDiagram *self);
double     bp_diagram_get_spread       (BpDiagram *self);
/* The bounds of bp_diagram_draw() with this trace (get_bounds uses the
 * graph's own trace). */
void       bp_diagram_get_trace_bounds (BpDiagram            *self,
                                        BpTrace              *trace,
                                        const BpDiagramState *state,
                                        cairo_rectangle_t    *bounds);
/* The size of the label that shows `tensor` (a number, a grid or a shape). */
void       bp_diagram_measure_tensor   (BpDiagram *self, BpTensor *tensor,
                                        double *width, double *height);
/* The size of `tensor` drawn as a chip (its shape and a heat-map); a
 * scalar is its number. */
void       bp_diagram_measure_chip     (BpDiagram *self, BpTensor *tensor,
                                        double *width, double *height);
/* Like measure_node and measure_tensor, but from cached per-character
 * advances instead of shaping each text (generous by a pixel or so, ~50
 * times cheaper): for laying out graphs of thousands of nodes. */
void       bp_diagram_estimate_node    (BpDiagram *self, BpNode *node,
                                        double *width, double *height);
void       bp_diagram_estimate_tensor  (BpDiagram *self, BpTensor *tensor,
                                        double *width, double *height);
/* The page colour the palette is designed for (exports fill with it). */
/* The page colour of a state (dark, high contrast). */
void       bp_diagram_state_get_background (const BpDiagramState *state, double *red,
                                            double *green, double *blue);
void       bp_diagram_get_background   (gboolean dark, double *red, double *green,
                                        double *blue);
/* Where the labels of the edge into input `slot` of `node` are drawn for
 * this trace and state: the forward value above the arrow, the gradient
 * below it, and the y of the arrow at the labels. Returns flags: bit 0 the
 * value is shown, bit 1 the gradient is shown; 0 when neither (or no edge). */
guint      bp_diagram_get_edge_label_rects (BpDiagram            *self,
                                            BpTrace              *trace,
                                            const BpDiagramState *state,
                                            BpNode               *node,
                                            guint                 slot,
                                            cairo_rectangle_t    *value_rect,
                                            cairo_rectangle_t    *grad_rect,
                                            double               *arrow_y);


/* The player's position in the trace that a state shows (the engine's
 * convention, see bp_trace_is_revealed()): forward, min (step,
 * n_forward); backward, n_forward + min (step, n_backward); update,
 * n_steps + min (step, n_updates); 0 for none. */
guint      bp_diagram_state_get_position (const BpDiagramState *state, BpTrace *trace);
/* The inverse: sets pass and step for `position` (0 is BP_PASS_NONE;
 * beyond the trace's steps, the state's updates). */
void       bp_diagram_state_set_position (BpDiagramState *state, BpTrace *trace,
                                          guint position);
/* bp_diagram_draw() through any back end (see bp-painter.h): the SVG and
 * TikZ writers, or Cairo. */
void       bp_diagram_paint            (BpDiagram            *self,
                                        BpPainter            *painter,
                                        BpTrace              *trace,
                                        const BpDiagramState *state);
/* The union of the bounds of every position of the trace (0 … n_steps,
 * and the state's updates; last steps highlighted): one fixed frame for step slides, or for a view
 * that must not jump while a pass plays. */
void       bp_diagram_get_steps_bounds (BpDiagram            *self,
                                        BpTrace              *trace,
                                        const BpDiagramState *state,
                                        cairo_rectangle_t    *bounds);
/* The zoom that fits the drawing of this state into a view of
 * view_width × view_height device pixels with `margin` pixels around,
 * taking into account that matrices turn into chips when small (set the
 * result as state->zoom when drawing). `bounds` (may be NULL) receives
 * the drawing's bounds at that zoom: centre them in the view. */
double     bp_diagram_fit              (BpDiagram            *self,
                                        BpTrace              *trace,
                                        const BpDiagramState *state,
                                        double                view_width,
                                        double                view_height,
                                        double                margin,
                                        cairo_rectangle_t    *bounds);
/* Every placed box of this frame (BpDiagramBox), in diagram units: the
 * nodes, and the values, gradients, output caption and callout shown.
 * None of them overlaps another. Free with g_array_unref(). */
GArray    *bp_diagram_get_boxes        (BpDiagram            *self,
                                        BpTrace              *trace,
                                        const BpDiagramState *state);
/* The area to keep in view while a pass plays (follow the step): the
 * node of the step just taken, its callout and the labels on its arrows.
 * FALSE (rect untouched) when no step is highlighted. */
gboolean   bp_diagram_get_step_rect    (BpDiagram            *self,
                                        BpTrace              *trace,
                                        const BpDiagramState *state,
                                        cairo_rectangle_t    *rect);

/* A heading over a picture (a step frame's number): its size, and its
 * text drawn with its top-left corner at (x, y) in the colour of `pass`. */
void       bp_diagram_measure_heading  (BpDiagram *self, const char *text,
                                        double *width, double *height);
void       bp_diagram_paint_heading    (BpDiagram *self, BpPainter *painter,
                                        const char *text, double x, double y,
                                        BpPass pass, gboolean dark);

G_END_DECLS
