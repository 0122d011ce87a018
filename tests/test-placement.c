/* SPDX-License-Identifier: MIT */
/* Labels and callouts never cover a number, a node or each other: every
 * built-in example, every step of both passes, fitted to the view sizes
 * of a laptop and a projector as the canvas fits them. */

#include <string.h>

#include "bp-diagram.h"
#include "bp-examples.h"
#include "bp-layout.h"

static const char *
kind_name (BpDiagramBoxKind kind)
{
  switch (kind)
    {
    case BP_DIAGRAM_BOX_NODE: return "node";
    case BP_DIAGRAM_BOX_VALUE: return "value";
    case BP_DIAGRAM_BOX_GRADIENT: return "gradient";
    case BP_DIAGRAM_BOX_CALLOUT: return "callout";
    case BP_DIAGRAM_BOX_CAPTION: return "caption";
    default: return "?";
    }
}

/* A diagram of a built-in example after a whole backward pass with its
 * trace recorded (the diagram holds the graph). */
static BpDiagram *
traced_example (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load (name, &error);
  BpGraph *graph;

  g_assert_no_error (error);
  graph = bp_document_get_graph (doc);
  bp_graph_set_record_trace (graph, TRUE);
  g_assert_true (bp_graph_backward (graph, &error));
  g_assert_no_error (error);
  return bp_diagram_new (graph);
}

/* Strict: touching is fine, a hundredth of a pixel inside is not. */
static gboolean
boxes_overlap (const cairo_rectangle_t *a, const cairo_rectangle_t *b)
{
  const double eps = 0.01;

  return a->x + eps < b->x + b->width && b->x + eps < a->x + a->width
      && a->y + eps < b->y + b->height && b->y + eps < a->y + a->height;
}

static guint
count_overlaps (GArray *boxes, const char *what)
{
  guint problems = 0;

  for (guint i = 0; i < boxes->len; i++)
    for (guint j = i + 1; j < boxes->len; j++)
      {
        const BpDiagramBox *a = &g_array_index (boxes, BpDiagramBox, i);
        const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, j);

        if (!boxes_overlap (&a->rect, &b->rect))
          continue;
        g_test_message ("%s: %s of %s (%.0f,%.0f %.0fx%.0f) overlaps %s of %s "
                        "(%.0f,%.0f %.0fx%.0f)", what,
                        kind_name (a->kind), bp_node_get_label (a->node),
                        a->rect.x, a->rect.y, a->rect.width, a->rect.height,
                        kind_name (b->kind), bp_node_get_label (b->node),
                        b->rect.x, b->rect.y, b->rect.width, b->rect.height);
        problems++;
      }
  return problems;
}

/* With BP_TEST_SHOTS=DIR, the fitted view as PNG for a person to look at:
 * the end of the forward pass, backward step 3 and the end. */
static void
maybe_save (BpDiagram *diagram, BpTrace *trace, const BpDiagramState *state,
            int width, int height, const char *name, guint position)
{
  const char *dir = g_getenv ("BP_TEST_SHOTS");
  guint n_forward = bp_trace_get_n_forward (trace);
  cairo_surface_t *surface;
  cairo_rectangle_t b;
  g_autofree char *file = NULL;
  cairo_t *cr;
  double r, g, bl;

  if (dir == NULL || (position != n_forward && position != n_forward + 3
                      && position != bp_trace_get_n_steps (trace)))
    return;
  bp_diagram_get_trace_bounds (diagram, trace, state, &b);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  bp_diagram_get_background (FALSE, &r, &g, &bl);
  cairo_set_source_rgb (cr, r, g, bl);
  cairo_paint (cr);
  cairo_translate (cr, width / 2.0, height / 2.0);
  cairo_scale (cr, state->zoom, state->zoom);
  cairo_translate (cr, -(b.x + b.width / 2), -(b.y + b.height / 2));
  bp_diagram_draw (diagram, cr, trace, state);
  cairo_destroy (cr);
  file = g_strdup_printf ("%s/%s-%dx%d-%02u.png", dir, name, width, height, position);
  g_assert_cmpint (cairo_surface_write_to_png (surface, file), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

static void
test_no_overlap (void)
{
  static const int views[][2] = { { 1280, 800 }, { 1024, 768 } };
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);
  guint problems = 0, frames = 0, callouts = 0;

  g_assert_cmpuint (n_examples, >=, 5);
  for (guint i = 0; i < n_examples; i++)
    {
      g_autoptr(BpDiagram) diagram = traced_example (examples[i].name);
      BpGraph *graph;
      BpTrace *trace;

      graph = bp_diagram_get_graph (diagram);
      trace = bp_graph_get_trace (graph);

      for (guint v = 0; v < G_N_ELEMENTS (views); v++)
        for (guint position = 0; position <= bp_trace_get_n_steps (trace); position++)
          {
            BpDiagramState state = BP_DIAGRAM_STATE_INIT;
            g_autoptr(GArray) boxes = NULL;
            g_autofree char *what = NULL;
            cairo_rectangle_t fitted, drawn;

            bp_diagram_state_set_position (&state, trace, position);
            state.zoom = bp_diagram_fit (diagram, trace, &state, views[v][0], views[v][1],
                                         24, &fitted);
            /* What is drawn at that zoom fits the view. */
            bp_diagram_get_trace_bounds (diagram, trace, &state, &drawn);
            g_assert_cmpfloat (drawn.width * state.zoom, <=, views[v][0] - 48 + 0.01);
            g_assert_cmpfloat (drawn.height * state.zoom, <=, views[v][1] - 48 + 0.01);
            boxes = bp_diagram_get_boxes (diagram, trace, &state);
            what = g_strdup_printf ("%s at %dx%d, position %u (zoom %.2f)", examples[i].name,
                                    views[v][0], views[v][1], position, state.zoom);
            problems += count_overlaps (boxes, what);
            maybe_save (diagram, trace, &state, views[v][0], views[v][1], examples[i].name,
                        position);
            for (guint k = 0; k < boxes->len; k++)
              callouts += g_array_index (boxes, BpDiagramBox, k).kind == BP_DIAGRAM_BOX_CALLOUT;
            frames++;
          }
    }
  g_test_message ("%u frames, %u callouts, %u overlaps", frames, callouts, problems);
  /* The test can fail: it saw callouts and numbers. */
  g_assert_cmpuint (callouts, >, 20);
  g_assert_cmpuint (problems, ==, 0);
}

/* The networks fitted to the canvases a window gives them: 1024×768,
 * where the panel stands under the canvas (1014×404 px); 1280×800 with
 * the panel beside it (930×696) and closed (1256×732); and, for the
 * record, a 1024×768 window's canvas with the panel beside it (680×580),
 * which the window now gives only when it is under 600 px tall.
 * Numbers are 13.5 px at zoom 1. Laid out with chips, the two-layer
 * network and the batch Affine example are readable (11 px or more)
 * wherever the window puts the panel, and every network is with the
 * panel closed. */
static void
test_readable_networks (void)
{
  static const char *const names[] = {
    "two-layer-net", "affine-batch", "xor-hidden-layer", "fashion-two-layer-net",
  };
  static const int views[][2] = { { 1014, 404 }, { 930, 696 }, { 1256, 732 }, { 680, 580 } };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(BpDiagram) diagram = traced_example (names[i]);
      BpGraph *graph;
      BpTrace *trace;

      graph = bp_diagram_get_graph (diagram);
      trace = bp_graph_get_trace (graph);
      for (guint v = 0; v < G_N_ELEMENTS (views); v++)
        {
          BpDiagramState state = BP_DIAGRAM_STATE_INIT;
          double px;

          bp_diagram_state_set_position (&state, trace, bp_trace_get_n_steps (trace));
          state.zoom = bp_diagram_fit (diagram, trace, &state, views[v][0], views[v][1], 24, NULL);
          px = 13.5 * state.zoom;
          g_test_message ("%s in %dx%d: zoom %.2f, numbers at %.1f px", names[i],
                          views[v][0], views[v][1], state.zoom, px);
          if (v == 2 || (i < 2 && v < 3))
            g_assert_cmpfloat (px, >=, 11.0);
        }
    }
}

/* The boxes are what is drawn: a value box holds its number. */
static void
test_boxes_follow_state (void)
{
  g_autoptr(BpDiagram) diagram = traced_example ("apples");
  g_autoptr(GArray) none = NULL;
  g_autoptr(GArray) all = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpGraph *graph;
  BpTrace *trace;
  guint values = 0, grads = 0, nodes = 0;

  graph = bp_diagram_get_graph (diagram);
  trace = bp_graph_get_trace (graph);

  none = bp_diagram_get_boxes (diagram, trace, &state);
  for (guint k = 0; k < none->len; k++)
    g_assert_cmpint (g_array_index (none, BpDiagramBox, k).kind, ==, BP_DIAGRAM_BOX_NODE);
  g_assert_cmpuint (none->len, ==, bp_graph_get_n_nodes (graph));

  bp_diagram_state_set_position (&state, trace, bp_trace_get_n_steps (trace));
  g_assert_cmpint (state.pass, ==, BP_PASS_BACKWARD);
  g_assert_cmpuint (bp_diagram_state_get_position (&state, trace), ==,
                    bp_trace_get_n_steps (trace));
  all = bp_diagram_get_boxes (diagram, trace, &state);
  for (guint k = 0; k < all->len; k++)
    {
      BpDiagramBoxKind kind = g_array_index (all, BpDiagramBox, k).kind;

      values += kind == BP_DIAGRAM_BOX_VALUE;
      grads += kind == BP_DIAGRAM_BOX_GRADIENT;
      nodes += kind == BP_DIAGRAM_BOX_NODE;
    }
  /* Four arrows and the output's: a value and a gradient each. */
  g_assert_cmpuint (values, ==, 5);
  g_assert_cmpuint (grads, ==, 5);
  g_assert_cmpuint (nodes, ==, 5);
}

static double
label_area (BpDiagram *diagram, BpTrace *trace, const BpDiagramState *state)
{
  g_autoptr(GArray) boxes = bp_diagram_get_boxes (diagram, trace, state);
  double area = 0;

  for (guint k = 0; k < boxes->len; k++)
    {
      const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, k);

      if (b->kind == BP_DIAGRAM_BOX_VALUE || b->kind == BP_DIAGRAM_BOX_GRADIENT)
        area += b->rect.width * b->rect.height;
    }
  return area;
}

/* A matrix too small to read at the fitted zoom is a chip; an expanded
 * node shows its numbers. */
static void
test_chips (void)
{
  g_autoptr(BpDiagram) diagram = traced_example ("affine-batch");
  g_autoptr(GHashTable) expanded = g_hash_table_new (NULL, NULL);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpGraph *graph;
  BpTrace *trace;
  BpNode *w1 = NULL;
  cairo_rectangle_t small, big;

  graph = bp_diagram_get_graph (diagram);
  trace = bp_graph_get_trace (graph);
  bp_diagram_state_set_position (&state, trace, bp_trace_get_n_steps (trace));

  /* Chips take less room than grids. */
  state.zoom = 1.0;
  big.width = label_area (diagram, trace, &state);
  state.zoom = 0.5;
  small.width = label_area (diagram, trace, &state);
  g_test_message ("affine-batch: labels cover %.0f px² with grids, %.0f with chips",
                  big.width, small.width);
  g_assert_cmpfloat (small.width, <, big.width);

  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      BpTensor *value = bp_node_get_value (node);

      if (value != NULL && !bp_tensor_is_scalar (value) && value->rows <= 4 && value->cols <= 4
          && bp_graph_get_n_consumers (graph, node) > 0 && w1 == NULL)
        w1 = node;
    }
  g_assert_nonnull (w1);
  {
    cairo_rectangle_t vr_chip, vr_grid;
    BpNode *consumer = NULL;
    guint slot = 0;

    for (guint i = 0; i < bp_graph_get_n_nodes (graph) && consumer == NULL; i++)
      {
        BpNode *node = bp_graph_get_node (graph, i);

        for (guint k = 0; k < bp_node_get_n_inputs (node); k++)
          if (bp_node_get_input (node, k) == w1)
            {
              consumer = node;
              slot = k;
            }
      }
    g_assert_nonnull (consumer);
    g_assert_cmpuint (bp_diagram_get_edge_label_rects (diagram, trace, &state, consumer, slot,
                                                       &vr_chip, NULL, NULL) & 1, ==, 1);
    g_hash_table_add (expanded, w1);
    state.expanded = expanded;
    g_assert_cmpuint (bp_diagram_get_edge_label_rects (diagram, trace, &state, consumer, slot,
                                                       &vr_grid, NULL, NULL) & 1, ==, 1);
    /* A grid of numbers is taller than a one-line chip. */
    g_assert_cmpfloat (vr_grid.height, >, vr_chip.height);
  }
}

/* Follow the step: the area to keep in view holds the step's node and
 * its callout, and there is none when nothing is highlighted. */
static void
test_step_rect (void)
{
  g_autoptr(BpDiagram) diagram = traced_example ("apples");
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  cairo_rectangle_t rect, node;
  BpGraph *graph;
  BpTrace *trace;
  const BpStep *step;

  graph = bp_diagram_get_graph (diagram);
  trace = bp_graph_get_trace (graph);

  g_assert_false (bp_diagram_get_step_rect (diagram, trace, &state, &rect));
  bp_diagram_state_set_position (&state, trace, bp_trace_get_n_forward (trace) + 3);
  step = bp_trace_get_step_before (trace, bp_trace_get_n_forward (trace) + 3);
  g_assert_true (bp_diagram_get_step_rect (diagram, trace, &state, &rect));
  bp_diagram_get_node_rect (diagram, step->node, &node);
  g_assert_cmpfloat (rect.x, <=, node.x);
  g_assert_cmpfloat (rect.y, <=, node.y);
  g_assert_cmpfloat (rect.x + rect.width, >=, node.x + node.width);
  /* The callout makes it taller than the node alone. */
  g_assert_cmpfloat (rect.height, >, node.height + 20);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/placement/no-overlap", test_no_overlap);
  g_test_add_func ("/placement/boxes-follow-state", test_boxes_follow_state);
  g_test_add_func ("/placement/chips", test_chips);
  g_test_add_func ("/placement/readable-networks", test_readable_networks);
  g_test_add_func ("/placement/step-rect", test_step_rect);
  return g_test_run ();
}
