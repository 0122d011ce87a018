/* SPDX-License-Identifier: MIT */
/* The renderer and the layout, drawn into image surfaces (no GTK, no
 * display): what a student sees must be there — numbers above the arrows,
 * gradients below, in different colours, nothing overlapping. */

#include <math.h>
#include <cairo.h>

#include "bp-diagram.h"
#include "bp-examples.h"
#include "bp-expr.h"
#include "bp-layout.h"

/* --- graphs --- */

static BpNode *
add_leaf (BpGraph *graph, const char *id, BpTensor *value)
{
  g_autoptr(GError) error = NULL;
  BpNode *node = bp_graph_add_node (graph, id, "input", &error);

  g_assert_no_error (error);
  bp_node_set_value (node, value);
  bp_tensor_unref (value);
  return node;
}

static BpNode *
add_op (BpGraph *graph, const char *id, const char *op, BpNode *a, BpNode *b, BpNode *c)
{
  g_autoptr(GError) error = NULL;
  BpNode *node = bp_graph_add_node (graph, id, op, &error);
  BpNode *in[3] = { a, b, c };

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    if (in[i] != NULL)
      {
        bp_graph_connect (graph, in[i], node, i, &error);
        g_assert_no_error (error);
      }
  return node;
}

/* The book's first example: 100 x 2 x 1.1 = 220. */
static BpGraph *
make_apples (void)
{
  BpGraph *graph = bp_graph_new ();
  BpNode *apple = add_leaf (graph, "apple", bp_tensor_new_scalar (100));
  BpNode *num = add_leaf (graph, "apple_num", bp_tensor_new_scalar (2));
  BpNode *tax = add_leaf (graph, "tax", bp_tensor_new_scalar (1.1));
  BpNode *ap = add_op (graph, "apple_price", "mul", apple, num, NULL);

  add_op (graph, "price", "mul", ap, tax, NULL);
  return graph;
}

static BpTensor *
matrix (guint rows, guint cols, double start)
{
  BpTensor *t = bp_tensor_new (rows, cols);

  for (guint i = 0; i < rows * cols; i++)
    t->data[i] = start + 0.1 * i * (i % 2 ? -1 : 1);
  return t;
}

/* A two-layer net: Affine -> ReLU -> Affine -> Softmax-with-Loss. */
static BpGraph *
make_two_layer (void)
{
  BpGraph *graph = bp_graph_new ();
  BpNode *x = add_leaf (graph, "X", matrix (2, 3, 0.5));
  BpNode *w1 = add_leaf (graph, "W1", matrix (3, 4, 0.2));
  BpNode *b1 = add_leaf (graph, "b1", matrix (1, 4, 0.1));
  BpNode *w2 = add_leaf (graph, "W2", matrix (4, 2, -0.3));
  BpNode *b2 = add_leaf (graph, "b2", matrix (1, 2, 0.0));
  BpNode *t = add_leaf (graph, "t", bp_tensor_new_from_data (2, 2, (double[]) { 1, 0, 0, 1 }));
  BpNode *a1 = add_op (graph, "a1", "affine", x, w1, b1);
  BpNode *h = add_op (graph, "h", "relu", a1, NULL, NULL);
  BpNode *a2 = add_op (graph, "a2", "affine", h, w2, b2);

  add_op (graph, "loss", "softmax_with_loss", a2, t, NULL);
  return graph;
}

/* A layered DAG of n nodes with a mix of ops, for layout and speed. */
static BpGraph *
make_big (guint n)
{
  BpGraph *graph = bp_graph_new ();
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  static const char *binary[] = { "add", "mul", "sub" };
  static const char *unary[] = { "exp", "square", "neg" };
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 8; i++)
    g_ptr_array_add (nodes, add_leaf (graph, NULL, bp_tensor_new_scalar (0.1 * (i + 1))));
  while (nodes->len < n)
    {
      guint len = nodes->len;
      /* Mostly recent inputs, so the graph is deep rather than wide. */
      BpNode *a = g_ptr_array_index (nodes, len - 1 - g_rand_int_range (rand, 0, MIN (len, 6)));
      BpNode *b = g_ptr_array_index (nodes, len - 1 - g_rand_int_range (rand, 0, MIN (len, 40)));

      if (g_rand_int_range (rand, 0, 3) == 0)
        g_ptr_array_add (nodes, add_op (graph, NULL, unary[g_rand_int_range (rand, 0, 3)],
                                        a, NULL, NULL));
      else
        g_ptr_array_add (nodes, add_op (graph, NULL, binary[g_rand_int_range (rand, 0, 3)],
                                        a, b, NULL));
    }
  /* One output: sum everything nothing consumes. */
  {
    BpNode *acc = NULL;

    for (guint i = 0; i < nodes->len; i++)
      {
        BpNode *node = g_ptr_array_index (nodes, i);

        if (bp_graph_get_n_consumers (graph, node) == 0 && node != acc)
          acc = acc == NULL ? node : add_op (graph, NULL, "add", acc, node, NULL);
      }
    bp_graph_set_output (graph, acc);
  }
  g_rand_free (rand);
  return graph;
}

/* --- pixels --- */

static cairo_surface_t *
render (BpDiagram *diagram, BpTrace *trace, const BpDiagramState *state)
{
  cairo_rectangle_t b;
  cairo_surface_t *surface;
  cairo_t *cr;
  double r, g, bl;

  bp_diagram_get_trace_bounds (diagram, trace, state, &b);
  g_assert_cmpfloat (b.width, >, 10);
  g_assert_cmpfloat (b.height, >, 10);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) ceil (b.width) + 20,
                                        (int) ceil (b.height) + 20);
  cr = cairo_create (surface);
  bp_diagram_get_background (state->dark, &r, &g, &bl);
  cairo_set_source_rgb (cr, r, g, bl);
  cairo_paint (cr);
  cairo_translate (cr, 10 - b.x, 10 - b.y);
  bp_diagram_draw (diagram, cr, trace, state);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* BP_TEST_SHOTS=DIR keeps the images, to look at them. */
static void
maybe_save (cairo_surface_t *surface, const char *name)
{
  const char *dir = g_getenv ("BP_TEST_SHOTS");
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  file = g_strdup_printf ("%s.png", name);
  path = g_build_filename (dir, file, NULL);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
}

/* Pixels within `tol` of the colour #rrggbb. */
static guint
count_colour (cairo_surface_t *surface, guint32 rgb, int tol)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guchar *data = cairo_image_surface_get_data (surface);
  int R = (rgb >> 16) & 0xff, G = (rgb >> 8) & 0xff, B = rgb & 0xff;
  guint count = 0;

  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (data + (gsize) y * stride);

      for (int x = 0; x < w; x++)
        {
          int r = (row[x] >> 16) & 0xff, g = (row[x] >> 8) & 0xff, b = row[x] & 0xff;

          if (ABS (r - R) <= tol && ABS (g - G) <= tol && ABS (b - B) <= tol)
            count++;
        }
    }
  return count;
}

static guint
count_non_background (cairo_surface_t *surface, gboolean dark)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  double r, g, b;

  bp_diagram_get_background (dark, &r, &g, &b);
  return (guint) (w * h) - count_colour (surface, ((guint32) (r * 255 + 0.5) << 16)
                                                  | ((guint32) (g * 255 + 0.5) << 8)
                                                  | (guint32) (b * 255 + 0.5), 2);
}

static void
assert_no_overlap (BpDiagram *diagram)
{
  BpGraph *graph = bp_diagram_get_graph (diagram);
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      {
        cairo_rectangle_t a, b;

        bp_diagram_get_node_rect (diagram, bp_graph_get_node (graph, i), &a);
        bp_diagram_get_node_rect (diagram, bp_graph_get_node (graph, j), &b);
        if (a.x < b.x + b.width && b.x < a.x + a.width
            && a.y < b.y + b.height && b.y < a.y + a.height)
          g_error ("%s and %s overlap", bp_node_get_id (bp_graph_get_node (graph, i)),
                   bp_node_get_id (bp_graph_get_node (graph, j)));
      }
}

static void
assert_left_to_right (BpGraph *graph)
{
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      for (guint k = 0; k < bp_node_get_n_inputs (node); k++)
        {
          BpNode *src = bp_node_get_input (node, k);
          double sx, sy, dx, dy;

          if (src == NULL)
            continue;
          g_assert_true (bp_node_get_position (src, &sx, &sy));
          g_assert_true (bp_node_get_position (node, &dx, &dy));
          g_assert_cmpfloat (sx, <, dx);
        }
    }
}

/* --- tests --- */

static void
arrange_and_run (BpDiagram *diagram, gboolean only_missing)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_layout_arrange (diagram, only_missing, &error));
  g_assert_no_error (error);
  g_assert_true (bp_graph_backward (bp_diagram_get_graph (diagram), &error));
  g_assert_no_error (error);
}

static void
check_states (BpDiagram *diagram, const char *what)
{
  BpTrace *trace = bp_graph_get_trace (bp_diagram_get_graph (diagram));
  guint n_fwd = bp_trace_get_n_forward (trace);
  guint n_bwd = bp_trace_get_n_backward (trace);
  struct { BpPass pass; guint step; } states[] = {
    { BP_PASS_NONE, 0 },
    { BP_PASS_FORWARD, n_fwd / 2 },
    { BP_PASS_FORWARD, n_fwd },
    { BP_PASS_BACKWARD, n_bwd / 2 },
    { BP_PASS_BACKWARD, n_bwd },
  };
  guint previous = 0;

  g_assert_cmpuint (n_fwd, >, 0);
  g_assert_cmpuint (n_bwd, >, 0);
  for (guint d = 0; d < 2; d++)
    for (guint i = 0; i < G_N_ELEMENTS (states); i++)
      {
        BpDiagramState state = BP_DIAGRAM_STATE_INIT;
        cairo_surface_t *surface;
        guint ink;

        state.pass = states[i].pass;
        state.step = states[i].step;
        state.dark = d;
        state.progress = (i == 3) ? 0.5 : 1.0;
        surface = render (diagram, trace, &state);
        ink = count_non_background (surface, state.dark);
        g_test_message ("%s: pass %d step %u dark %u: %u pixels of ink", what,
                        state.pass, state.step, d, ink);
        {
          g_autofree char *name = g_strdup_printf ("%s-%d-%u-%s", what, state.pass,
                                                   state.step, d ? "dark" : "light");

          maybe_save (surface, name);
        }
        g_assert_cmpuint (ink, >, 500);
        /* Whole passes add numbers: never less ink than nothing computed. */
        if (i == 2 || i == 4)
          g_assert_cmpuint (ink, >, previous);
        if (i == 0 || i == 2)
          previous = ink;
        cairo_surface_destroy (surface);
      }
}

static void
test_examples (void)
{
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);

  g_assert_cmpuint (n_examples, >, 0);
  for (guint i = 0; i < n_examples; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDocument) doc = bp_examples_load (examples[i].name, &error);
      g_autoptr(BpDiagram) diagram = NULL;

      g_assert_no_error (error);
      diagram = bp_diagram_new (bp_document_get_graph (doc));
      /* As a file opens: lay out what has no position. */
      arrange_and_run (diagram, TRUE);
      check_states (diagram, examples[i].name);
      /* And fully automatic: no overlap, inputs to the left. */
      arrange_and_run (diagram, FALSE);
      assert_no_overlap (diagram);
      assert_left_to_right (bp_diagram_get_graph (diagram));
      check_states (diagram, examples[i].name);
    }
}

static void
test_two_layer (void)
{
  g_autoptr(BpGraph) graph = make_two_layer ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);

  arrange_and_run (diagram, FALSE);
  assert_no_overlap (diagram);
  assert_left_to_right (graph);
  check_states (diagram, "two-layer");
}

static void
test_labels_above_below (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpNode *price = bp_graph_lookup (graph, "price");
  BpTrace *trace;
  cairo_rectangle_t value, grad;
  double arrow_y;
  guint flags;

  arrange_and_run (diagram, FALSE);
  trace = bp_graph_get_trace (graph);

  /* Nothing computed: no numbers. */
  flags = bp_diagram_get_edge_label_rects (diagram, trace, &state, price, 0,
                                           &value, &grad, &arrow_y);
  g_assert_cmpuint (flags, ==, 0);

  /* Forward: the value (200) above the arrow apple_price -> price. */
  state.pass = BP_PASS_FORWARD;
  state.step = bp_trace_get_n_forward (trace);
  flags = bp_diagram_get_edge_label_rects (diagram, trace, &state, price, 0,
                                           &value, &grad, &arrow_y);
  g_assert_cmpuint (flags, ==, 1);
  g_assert_cmpfloat (value.y + value.height, <=, arrow_y);
  g_assert_cmpfloat (value.width, >, 0);

  /* Backward: the gradient (1.1) below it. */
  state.pass = BP_PASS_BACKWARD;
  state.step = bp_trace_get_n_backward (trace);
  flags = bp_diagram_get_edge_label_rects (diagram, trace, &state, price, 0,
                                           &value, &grad, &arrow_y);
  g_assert_cmpuint (flags, ==, 3);
  g_assert_cmpfloat (value.y + value.height, <=, arrow_y);
  g_assert_cmpfloat (grad.y, >=, arrow_y);
  /* Both sit over the arrow, between its ends. */
  {
    double x0, y0, x1, y1;

    bp_diagram_get_output_port (diagram, bp_graph_lookup (graph, "apple_price"), &x0, &y0);
    bp_diagram_get_input_port (diagram, price, 0, &x1, &y1);
    g_assert_cmpfloat (value.x + value.width / 2, >, x0);
    g_assert_cmpfloat (value.x + value.width / 2, <, x1);
    g_assert_cmpfloat (grad.x + grad.width / 2, >, x0);
    g_assert_cmpfloat (grad.x + grad.width / 2, <, x1);
  }

  /* Backward, no step yet: no gradient on any arrow. */
  state.step = 0;
  flags = bp_diagram_get_edge_label_rects (diagram, trace, &state, price, 0,
                                           &value, &grad, &arrow_y);
  g_assert_cmpuint (flags, ==, 1);
}

static void
test_pass_colours (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  cairo_surface_t *none, *fwd, *bwd;
  BpTrace *trace;
  const guint32 blue = 0x0072B2, vermillion = 0xD55E00;

  arrange_and_run (diagram, FALSE);
  trace = bp_graph_get_trace (graph);

  none = render (diagram, trace, &state);
  state.pass = BP_PASS_FORWARD;
  state.step = G_MAXUINT;
  fwd = render (diagram, trace, &state);
  state.pass = BP_PASS_BACKWARD;
  bwd = render (diagram, trace, &state);

  g_assert_cmpuint (count_colour (none, blue, 8), ==, 0);
  g_assert_cmpuint (count_colour (none, vermillion, 8), ==, 0);
  g_assert_cmpuint (count_colour (fwd, blue, 8), >, 50);
  g_assert_cmpuint (count_colour (fwd, vermillion, 8), ==, 0);
  g_assert_cmpuint (count_colour (bwd, blue, 8), >, 50);
  g_assert_cmpuint (count_colour (bwd, vermillion, 8), >, 50);

  cairo_surface_destroy (none);
  cairo_surface_destroy (fwd);
  cairo_surface_destroy (bwd);
}

static void
test_current_step (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  cairo_rectangle_t with, node_rect;
  BpTrace *trace;

  arrange_and_run (diagram, FALSE);
  trace = bp_graph_get_trace (graph);

  /* The backward step of the last multiply writes UG x LG = DG above the
   * node: the bounds reach well above it. */
  state.pass = BP_PASS_BACKWARD;
  state.step = (guint) (bp_trace_find_step (trace, bp_graph_lookup (graph, "price"),
                                            BP_STEP_BACKWARD)
                        - (int) bp_trace_get_n_forward (trace)) + 1;
  bp_diagram_get_trace_bounds (diagram, trace, &state, &with);
  bp_diagram_get_node_rect (diagram, bp_graph_lookup (graph, "price"), &node_rect);
  g_assert_cmpfloat (with.y, <, node_rect.y - 30);

  /* Halfway through the step, a token travels: the frames differ. */
  {
    cairo_surface_t *half, *full;
    guint diff = 0;
    int stride, h;
    const guchar *a, *b;

    state.progress = 0.5;
    half = render (diagram, trace, &state);
    state.progress = 1.0;
    full = render (diagram, trace, &state);
    g_assert_cmpint (cairo_image_surface_get_width (half), ==,
                     cairo_image_surface_get_width (full));
    stride = cairo_image_surface_get_stride (half);
    h = cairo_image_surface_get_height (half);
    a = cairo_image_surface_get_data (half);
    b = cairo_image_surface_get_data (full);
    for (int i = 0; i < stride * h; i++)
      diff += a[i] != b[i];
    g_assert_cmpuint (diff, >, 100);
    cairo_surface_destroy (half);
    cairo_surface_destroy (full);
  }
}

static void
test_quiz_blank (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  g_autoptr(GHashTable) hidden = g_hash_table_new (NULL, NULL);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpNode *price = bp_graph_lookup (graph, "price");
  BpNode *apple_price = bp_graph_lookup (graph, "apple_price");
  cairo_rectangle_t shown, blank, grad;
  double arrow_y;
  BpTrace *trace;

  arrange_and_run (diagram, FALSE);
  trace = bp_graph_get_trace (graph);
  state.pass = BP_PASS_FORWARD;
  state.step = G_MAXUINT;
  g_assert_cmpuint (bp_diagram_get_edge_label_rects (diagram, trace, &state, price, 0,
                                                     &shown, &grad, &arrow_y), ==, 1);
  g_hash_table_add (hidden, apple_price);
  state.hidden_values = hidden;
  g_assert_cmpuint (bp_diagram_get_edge_label_rects (diagram, trace, &state, price, 0,
                                                     &blank, &grad, &arrow_y), ==, 1);
  {
    g_autoptr(GHashTable) hidden_grads = g_hash_table_new (NULL, NULL);
    cairo_surface_t *surface;

    g_hash_table_add (hidden_grads, bp_graph_lookup (graph, "apple"));
    state.hidden_grads = hidden_grads;
    state.pass = BP_PASS_BACKWARD;
    surface = render (diagram, trace, &state);
    maybe_save (surface, "quiz");
    cairo_surface_destroy (surface);
    state.hidden_grads = NULL;
  }
  /* The blank box replaces "200" (a different width), still above. */
  g_assert_cmpfloat (fabs (blank.width - shown.width), >, 0.5);
  g_assert_cmpfloat (blank.y + blank.height, <=, arrow_y);
}

static void
test_error_style (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(BpDiagram) diagram = NULL;
  g_autoptr(GError) error = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpNode *a = add_leaf (graph, "a", bp_tensor_new (2, 3));
  BpNode *b = add_leaf (graph, "b", bp_tensor_new (3, 2));
  BpNode *m = add_op (graph, "m", "mul", a, b, NULL);
  cairo_surface_t *surface;
  const guint32 error_red = 0xc01c28;

  diagram = bp_diagram_new (graph);
  g_assert_true (bp_layout_arrange (diagram, FALSE, &error));
  g_assert_no_error (error);
  surface = render (diagram, NULL, &state);
  g_assert_cmpuint (count_colour (surface, error_red, 8), ==, 0);
  cairo_surface_destroy (surface);

  g_assert_false (bp_graph_validate (graph, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (bp_node_get_error (m));
  /* The node turns red and its message is written under it. */
  surface = render (diagram, NULL, &state);
  maybe_save (surface, "error");
  g_assert_cmpuint (count_colour (surface, error_red, 8), >, 60);
  cairo_surface_destroy (surface);
}

static void
test_hit_test (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpNode *price = bp_graph_lookup (graph, "price");
  BpHitPart part;
  guint slot;
  double x, y;

  arrange_and_run (diagram, FALSE);
  g_assert_true (bp_node_get_position (price, &x, &y));
  g_assert_true (bp_diagram_hit_test (diagram, x, y, &part, &slot) == price);
  g_assert_cmpint (part, ==, BP_HIT_NODE);
  bp_diagram_get_input_port (diagram, price, 1, &x, &y);
  g_assert_true (bp_diagram_hit_test (diagram, x, y, &part, &slot) == price);
  g_assert_cmpint (part, ==, BP_HIT_INPUT_PORT);
  g_assert_cmpuint (slot, ==, 1);
  bp_diagram_get_output_port (diagram, price, &x, &y);
  g_assert_true (bp_diagram_hit_test (diagram, x + 2, y, &part, &slot) == price);
  g_assert_cmpint (part, ==, BP_HIT_OUTPUT_PORT);
  g_assert_null (bp_diagram_hit_test (diagram, -500, -500, &part, &slot));
  g_assert_cmpint (part, ==, BP_HIT_NONE);

  /* Selection and hover are drawn (accent colour, ports). */
  {
    g_autoptr(GHashTable) selected = g_hash_table_new (NULL, NULL);
    BpDiagramState state = BP_DIAGRAM_STATE_INIT;
    cairo_surface_t *plain, *marked;

    plain = render (diagram, NULL, &state);
    g_hash_table_add (selected, price);
    state.selected = selected;
    state.hover = bp_graph_lookup (graph, "apple");
    marked = render (diagram, NULL, &state);
    maybe_save (marked, "selection");
    g_assert_cmpuint (count_colour (plain, 0x3584e4, 10), ==, 0);
    g_assert_cmpuint (count_colour (marked, 0x3584e4, 10), >, 50);
    cairo_surface_destroy (plain);
    cairo_surface_destroy (marked);
  }
}

static void
test_text_scale (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  double w1, h1, w2, h2;
  cairo_rectangle_t rect;

  arrange_and_run (diagram, FALSE);
  bp_diagram_measure_node (diagram, bp_graph_lookup (graph, "price"), &w1, &h1);
  state.text_scale = 1.6;
  bp_diagram_get_bounds (diagram, &state, &rect);
  bp_diagram_measure_node (diagram, bp_graph_lookup (graph, "price"), &w2, &h2);
  g_assert_cmpfloat (w2, >, w1 * 1.5);
  g_assert_cmpfloat (h2, >, h1 * 1.5);
  g_assert_cmpfloat (bp_diagram_get_text_scale (diagram), ==, 1.6);
  /* Positions are spread as much as the text grows, and hit-testing
   * follows the drawing: the drawn shape is hit, the unspread place not. */
  g_assert_cmpfloat (bp_diagram_get_spread (diagram), ==, 1.0);
  bp_diagram_set_spread_positions (diagram, TRUE);
  g_assert_cmpfloat (bp_diagram_get_spread (diagram), ==, 1.6);
  assert_no_overlap (diagram);
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      BpHitPart part;
      double x, y, px, py;

      bp_diagram_get_node_rect (diagram, node, &rect);
      g_assert_true (bp_node_get_position (node, &x, &y));
      g_assert_cmpfloat (fabs (rect.x + rect.width / 2 - 1.6 * x), <, 1e-6);
      g_assert_true (bp_diagram_hit_test (diagram, 1.6 * x, 1.6 * y, &part, NULL) == node);
      g_assert_cmpint (part, ==, BP_HIT_NODE);
      if (x > 100)
        g_assert_true (bp_diagram_hit_test (diagram, x, y, NULL, NULL) != node);
      bp_diagram_get_output_port (diagram, node, &px, &py);
      g_assert_true (bp_diagram_hit_test (diagram, px, py, &part, NULL) == node);
      g_assert_cmpint (part, ==, BP_HIT_OUTPUT_PORT);
    }
  /* Laid out at this scale, the stored positions are the same as at 1. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) before = g_hash_table_new_full (NULL, NULL, NULL, g_free);

    for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
      {
        double *xy = g_new (double, 2);

        bp_node_get_position (bp_graph_get_node (graph, i), &xy[0], &xy[1]);
        g_hash_table_insert (before, bp_graph_get_node (graph, i), xy);
      }
    g_assert_true (bp_layout_arrange (diagram, FALSE, &error));
    g_assert_no_error (error);
    assert_no_overlap (diagram);
    for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
      {
        BpNode *node = bp_graph_get_node (graph, i);
        double *xy = g_hash_table_lookup (before, node);
        double x, y;

        bp_node_get_position (node, &x, &y);
        g_assert_cmpfloat (fabs (x - xy[0]), <, 0.1 * xy[0] + 12);
        g_assert_cmpfloat (fabs (y - xy[1]), <, 0.1 * xy[1] + 12);
      }
  }
  {
    cairo_surface_t *surface;

    state.pass = BP_PASS_BACKWARD;
    state.step = 2;
    state.dark = TRUE;
    surface = render (diagram, bp_graph_get_trace (graph), &state);
    maybe_save (surface, "presentation");
    cairo_surface_destroy (surface);
  }
}

/* The canvas redraws only damaged strips: drawing the picture tile by tile,
 * each clipped to its tile, must give the same pixels as drawing it whole
 * (nothing drawn near a tile's edge may be culled as outside it). */
static void
assert_tiles_match (BpDiagram *diagram, BpTrace *trace, const BpDiagramState *state,
                    const char *what)
{
  cairo_surface_t *whole = render (diagram, trace, state);
  int w = cairo_image_surface_get_width (whole);
  int h = cairo_image_surface_get_height (whole);
  cairo_surface_t *tiled = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_rectangle_t b;
  double r, g, bl;
  guint differ = 0;

  bp_diagram_get_trace_bounds (diagram, trace, state, &b);
  bp_diagram_get_background (state->dark, &r, &g, &bl);
  for (int ty = 0; ty < h; ty += 13)
    for (int tx = 0; tx < w; tx += 13)
      {
        cairo_t *cr = cairo_create (tiled);

        cairo_rectangle (cr, tx, ty, 13, 13);
        cairo_clip (cr);
        cairo_set_source_rgb (cr, r, g, bl);
        cairo_paint (cr);
        cairo_translate (cr, 10 - b.x, 10 - b.y);
        bp_diagram_draw (diagram, cr, trace, state);
        cairo_destroy (cr);
      }
  cairo_surface_flush (tiled);
  for (int y = 0; y < h; y++)
    {
      const guint32 *a = (const guint32 *) (cairo_image_surface_get_data (whole)
                                            + (gsize) y * cairo_image_surface_get_stride (whole));
      const guint32 *c = (const guint32 *) (cairo_image_surface_get_data (tiled)
                                            + (gsize) y * cairo_image_surface_get_stride (tiled));

      for (int x = 0; x < w; x++)
        {
          int d = 0;

          for (int k = 0; k < 24; k += 8)
            d = MAX (d, ABS ((int) ((a[x] >> k) & 0xff) - (int) ((c[x] >> k) & 0xff)));
          /* Antialiasing may differ by a few levels where a clip cuts a
           * stroke; something left out differs by far more. */
          if (d > 32)
            differ++;
        }
    }
  g_test_message ("%s: %u pixels differ when drawn in tiles", what, differ);
  if (differ > 0)
    {
      g_autofree char *name = g_strdup_printf ("tiles-%s", what);
      g_autofree char *name_whole = g_strdup_printf ("tiles-%s-whole", what);

      maybe_save (tiled, name);
      maybe_save (whole, name_whole);
    }
  g_assert_cmpuint (differ, ==, 0);
  cairo_surface_destroy (whole);
  cairo_surface_destroy (tiled);
}

static void
test_tiles (void)
{
  g_autoptr(BpGraph) apples = make_apples ();
  g_autoptr(BpGraph) net = make_two_layer ();
  BpGraph *graphs[] = { apples, net };

  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++)
    {
      g_autoptr(BpDiagram) diagram = bp_diagram_new (graphs[i]);
      BpDiagramState state = BP_DIAGRAM_STATE_INIT;
      BpTrace *trace;

      arrange_and_run (diagram, FALSE);
      trace = bp_graph_get_trace (graphs[i]);
      state.pass = BP_PASS_BACKWARD;
      state.step = bp_trace_get_n_backward (trace);
      assert_tiles_match (diagram, trace, &state, i == 0 ? "apples" : "two-layer");
      state.step = 2;
      state.dark = TRUE;
      state.text_scale = 1.6;
      assert_tiles_match (diagram, trace, &state, i == 0 ? "apples-1.6" : "two-layer-1.6");
      /* Presenting: the canvas spreads the positions as well. */
      bp_diagram_set_text_scale (diagram, 1.6);
      bp_diagram_set_spread_positions (diagram, TRUE);
      assert_tiles_match (diagram, trace, &state,
                          i == 0 ? "apples-spread" : "two-layer-spread");
    }
}

static gboolean
segment_hits_rect (double x0, double y0, double x1, double y1, const cairo_rectangle_t *r)
{
  /* Sampled: the arrows are straight and the labels tens of pixels wide. */
  for (guint i = 0; i <= 64; i++)
    {
      double x = x0 + (x1 - x0) * i / 64.0, y = y0 + (y1 - y0) * i / 64.0;

      if (x > r->x && x < r->x + r->width && y > r->y && y < r->y + r->height)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  BpNode           *dst;
  guint             slot;
  cairo_rectangle_t rect;
  const char       *what;
} PlacedLabel;

/* Counts what a student would find crowded in this state: a matrix shown
 * as its shape although it has a small grid (when `want_grids`), a label
 * over another label, over a node, or over an arrow of another edge. */
static guint
count_crowding (BpDiagram *diagram, const BpDiagramState *state, const char *name,
                gboolean want_grids)
{
  BpGraph *graph = bp_diagram_get_graph (diagram);
  BpTrace *trace = bp_graph_get_trace (graph);
  guint n = bp_graph_get_n_nodes (graph);
  g_autoptr(GArray) labels = g_array_new (FALSE, FALSE, sizeof (PlacedLabel));
  guint problems = 0;

  for (guint i = 0; i < n; i++)
    {
      BpNode *dst = bp_graph_get_node (graph, i);

      for (guint k = 0; k < bp_node_get_n_inputs (dst); k++)
        {
          cairo_rectangle_t vr, gr;
          double arrow_y;
          guint flags = bp_diagram_get_edge_label_rects (diagram, trace, state, dst, k,
                                                         &vr, &gr, &arrow_y);
          BpTensor *value = bp_node_get_value (bp_node_get_input (dst, k));

          if (want_grids && (flags & 1) && value != NULL && !bp_tensor_is_scalar (value)
              && value->rows <= 4 && value->cols <= 4)
            {
              double gw;

              bp_diagram_measure_tensor (diagram, value, &gw, NULL);
              if (fabs (vr.width - gw) > 0.5)
                {
                  g_test_message ("%s: %s->%s shows a shape, not its grid", name,
                                  bp_node_get_id (bp_node_get_input (dst, k)),
                                  bp_node_get_id (dst));
                  problems++;
                }
            }
          if (flags & 1)
            g_array_append_val (labels, ((PlacedLabel) { dst, k, vr, "value" }));
          if (flags & 2)
            g_array_append_val (labels, ((PlacedLabel) { dst, k, gr, "gradient" }));
        }
    }

  for (guint a = 0; a < labels->len; a++)
    {
      PlacedLabel *la = &g_array_index (labels, PlacedLabel, a);
      const char *edge = bp_node_get_id (la->dst);

      for (guint b = a + 1; b < labels->len; b++)
        {
          PlacedLabel *lb = &g_array_index (labels, PlacedLabel, b);
          cairo_rectangle_t *p = &la->rect, *q = &lb->rect;

          if (p->x < q->x + q->width && q->x < p->x + p->width
              && p->y < q->y + q->height && q->y < p->y + p->height)
            {
              g_test_message ("%s: the %s into %s[%u] overlaps the %s into %s[%u]", name,
                              la->what, edge, la->slot, lb->what,
                              bp_node_get_id (lb->dst), lb->slot);
              problems++;
            }
        }
      for (guint i = 0; i < n; i++)
        {
          BpNode *node = bp_graph_get_node (graph, i);
          cairo_rectangle_t r;

          bp_diagram_get_node_rect (diagram, node, &r);
          if (r.x < la->rect.x + la->rect.width && la->rect.x < r.x + r.width
              && r.y < la->rect.y + la->rect.height && la->rect.y < r.y + r.height)
            {
              g_test_message ("%s: the %s into %s[%u] overlaps node %s", name, la->what,
                              edge, la->slot, bp_node_get_id (node));
              problems++;
            }
          for (guint k = 0; k < bp_node_get_n_inputs (node); k++)
            {
              BpNode *src = bp_node_get_input (node, k);
              double x0, y0, x1, y1;

              if (src == NULL || (node == la->dst && k == la->slot))
                continue;
              bp_diagram_get_output_port (diagram, src, &x0, &y0);
              bp_diagram_get_input_port (diagram, node, k, &x1, &y1);
              if (segment_hits_rect (x0, y0, x1, y1, &la->rect))
                {
                  g_test_message ("%s: the %s into %s[%u] lies on the arrow %s->%s", name,
                                  la->what, edge, la->slot, bp_node_get_id (src),
                                  bp_node_get_id (node));
                  problems++;
                }
            }
        }
    }
  return problems;
}

/* The examples as shipped (their own positions): after a whole backward
 * pass every value and gradient is shown, and nothing is crowded. The
 * networks are laid out compactly, with chips for their matrices, so that
 * they stay readable fitted to a small window (the numbers show on
 * selection and in the side panel); the others write matrices in full. */
static void
test_examples_uncrowded (void)
{
  static const char *const compact_examples[] = {
    "two-layer-net", "fashion-two-layer-net", "xor-hidden-layer", "softmax-with-loss-by-hand", NULL,
  };
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);
  guint problems = 0;

  for (guint i = 0; i < n_examples; i++)
    for (guint scale = 0; scale < 2; scale++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(BpDocument) doc = bp_examples_load (examples[i].name, &error);
        g_autoptr(BpDiagram) diagram = NULL;
        BpDiagramState state = BP_DIAGRAM_STATE_INIT;
        BpGraph *graph;

        g_assert_no_error (error);
        graph = bp_document_get_graph (doc);
        diagram = bp_diagram_new (graph);
        bp_diagram_set_spread_positions (diagram, TRUE);
        g_assert_true (bp_graph_backward (graph, &error));
        g_assert_no_error (error);
        state.pass = BP_PASS_BACKWARD;
        state.step = bp_trace_get_n_backward (bp_graph_get_trace (graph));
        state.text_scale = scale ? 1.6 : 1.0;
        bp_diagram_set_text_scale (diagram, state.text_scale);
        {
          g_autofree char *what = g_strdup_printf ("%s at text scale %g", examples[i].name,
                                                   state.text_scale);

          problems += count_crowding (diagram, &state, what,
                                      !g_strv_contains (compact_examples, examples[i].name));
        }
      }
  g_assert_cmpuint (problems, ==, 0);
}

static void
test_layout_big (void)
{
  g_autoptr(BpGraph) graph = make_big (150);
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_layout_arrange (diagram, FALSE, &error));
  g_assert_no_error (error);
  assert_no_overlap (diagram);
  assert_left_to_right (graph);
}

/* Beyond what dot lays out quickly: the simple layered fallback. */
static void
test_layout_huge (void)
{
  g_autoptr(BpGraph) graph = make_big (1500);
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (bp_graph_get_n_nodes (graph), >, 1200);
  g_assert_true (bp_layout_arrange (diagram, FALSE, &error));
  g_assert_no_error (error);
  assert_no_overlap (diagram);
  assert_left_to_right (graph);
}

/* The fallback keeps a long chain in one straight row, its constants
 * right beside the node that uses them (one column to the left). */
static void
test_layout_huge_chain (void)
{
  GString *text = g_string_new ("x0 = 0.5\nx1 = -1.25\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(BpDiagram) diagram = NULL;
  double row = 0, column = 0;
  gboolean first = TRUE;

  for (guint i = 2; i < 500; i++)
    g_string_append_printf (text, "x%u = x%u * %g + x%u\n", i, i - 1, 0.5 + (i % 7) / 10.0, i - 2);
  graph = bp_expr_parse (text->str, &error);
  g_string_free (text, TRUE);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), >, 1200);
  diagram = bp_diagram_new (graph);
  g_assert_true (bp_layout_arrange (diagram, FALSE, &error));
  g_assert_no_error (error);
  assert_no_overlap (diagram);
  assert_left_to_right (graph);
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      const char *op = bp_node_get_op (node)->name;
      double x, y;

      g_assert_true (bp_node_get_position (node, &x, &y));
      if (g_str_equal (op, "mul") || g_str_equal (op, "add"))
        {
          if (first)
            row = y;
          first = FALSE;
          g_assert_cmpfloat (fabs (y - row), <, 0.5);
        }
      if (g_str_equal (op, "mul"))
        {
          BpNode *c = bp_node_get_input (node, 1);
          double cx, cy, ax, ay;

          /* The constant stands in the column of the chain's previous node. */
          g_assert_true (bp_node_get_position (c, &cx, &cy));
          g_assert_true (bp_node_get_position (bp_node_get_input (node, 0), &ax, &ay));
          g_assert_cmpfloat (fabs (cx - ax), <, 0.5);
          g_assert_cmpfloat (cy, >, row);
          column = MAX (column, cx);
        }
    }
  g_assert_cmpfloat (column, >, 0);
}

static void
test_layout_only_missing (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  g_autoptr(GError) error = NULL;
  BpNode *apple = bp_graph_lookup (graph, "apple");
  BpNode *tax = bp_graph_lookup (graph, "tax");
  double x, y;

  g_assert_true (bp_layout_arrange (diagram, FALSE, &error));
  bp_node_set_position (apple, 1000, 1000);
  bp_node_unset_position (tax);
  g_assert_true (bp_layout_arrange (diagram, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (bp_node_get_position (apple, &x, &y));
  g_assert_cmpfloat (x, ==, 1000);
  g_assert_cmpfloat (y, ==, 1000);
  g_assert_true (bp_node_get_position (tax, &x, &y));
  assert_no_overlap (diagram);
}

static void
test_korean_label (void)
{
  g_autoptr(BpGraph) graph = make_apples ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpNode *apple = bp_graph_lookup (graph, "apple");
  double w_short, w_long;

  arrange_and_run (diagram, FALSE);
  bp_node_set_label (apple, "사과");
  bp_diagram_invalidate (diagram);
  bp_diagram_measure_node (diagram, apple, &w_short, NULL);
  bp_node_set_label (apple, "사과의 개수와 가격");
  bp_diagram_invalidate (diagram);
  bp_diagram_measure_node (diagram, apple, &w_long, NULL);
  /* Hangul gets real glyphs (wider text), not one fallback box each. */
  g_assert_cmpfloat (w_long, >, w_short + 40);
}

/* The estimates for big layouts are never short of the real size, and
 * not much more. */
static void
test_estimates (void)
{
  g_autoptr(BpGraph) graph = make_two_layer ();
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  static const double numbers[] = { 220, 2.2, -0.0302, 1e-9, 123456789, -1.25, 0.7311 };
  static const char *labels[] = { "apple count", "사과의 개수와 가격", "W1", "Affine1" };

  for (guint k = 0; k < G_N_ELEMENTS (labels); k++)
    bp_node_set_label (bp_graph_lookup (graph, k % 2 ? "a1" : "X"), labels[k]);
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    for (guint k = 0; k < G_N_ELEMENTS (labels); k++)
      {
        g_autoptr(BpDiagram) fresh = bp_diagram_new (graph);
        BpNode *node = bp_graph_get_node (graph, i);
        double ew, eh, mw, mh;

        bp_node_set_label (bp_graph_lookup (graph, k % 2 ? "a1" : "X"), labels[k]);
        bp_diagram_estimate_node (fresh, node, &ew, &eh);
        bp_diagram_measure_node (fresh, node, &mw, &mh);
        g_assert_cmpfloat (ew, >=, mw - 0.5);
        g_assert_cmpfloat (ew, <=, mw * 1.1 + 4);
        g_assert_cmpfloat (fabs (eh - mh), <, 1.0);
      }
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autoptr(BpTensor) t = bp_tensor_new_scalar (numbers[i]);
      double ew, eh, mw, mh;

      bp_diagram_estimate_tensor (diagram, t, &ew, &eh);
      bp_diagram_measure_tensor (diagram, t, &mw, &mh);
      g_assert_cmpfloat (ew, >=, mw - 0.5);
      g_assert_cmpfloat (ew, <=, mw * 1.1 + 4);
      g_assert_cmpfloat (fabs (eh - mh), <, 1.0);
    }
}

/* The apple graph at the end of the backward pass, drawn with `state`'s
 * look onto white or black: the number of pixels far from the page
 * colour (ink), and the mean darkness of the ink on a light page. */
static guint
count_ink (const BpDiagramState *look, double *mean_ink)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("apples", &error);
  BpGraph *graph = bp_document_get_graph (doc);
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  BpDiagramState state = *look;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 640, 360);
  cairo_t *cr = cairo_create (surface);
  double r, g, b, sum = 0;
  guint ink = 0;
  guchar *data;
  int stride;

  g_assert_no_error (error);
  bp_graph_set_record_trace (graph, TRUE);
  g_assert_true (bp_graph_backward (graph, NULL));
  bp_diagram_state_set_position (&state, bp_graph_get_trace (graph),
                                 bp_trace_get_n_steps (bp_graph_get_trace (graph)));
  bp_diagram_state_get_background (&state, &r, &g, &b);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_paint (cr);
  bp_diagram_draw (diagram, cr, bp_graph_get_trace (graph), &state);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < 360; y++)
    for (int x = 0; x < 640; x++)
      {
        guint32 px = *(guint32 *) (data + y * stride + x * 4);
        double pr = ((px >> 16) & 0xff) / 255.0, pg = ((px >> 8) & 0xff) / 255.0, pb = (px & 0xff) / 255.0;
        double d = (fabs (pr - r) + fabs (pg - g) + fabs (pb - b)) / 3;

        if (d > 0.25)
          {
            ink++;
            sum += d;
          }
      }
  cairo_surface_destroy (surface);
  *mean_ink = ink > 0 ? sum / ink : 0;
  return ink;
}

/* The high-contrast style draws heavier lines in stronger colours: more
 * ink, and darker ink, than the normal style; dark high contrast is on
 * black. */
static void
test_high_contrast (void)
{
  BpDiagramState normal = BP_DIAGRAM_STATE_INIT;
  BpDiagramState strong = BP_DIAGRAM_STATE_INIT;
  double normal_mean, strong_mean, r, g, b;
  guint normal_ink, strong_ink;

  strong.high_contrast = TRUE;
  normal_ink = count_ink (&normal, &normal_mean);
  strong_ink = count_ink (&strong, &strong_mean);
  g_test_message ("ink: normal %u px (mean %.3f), high contrast %u px (mean %.3f)",
                  normal_ink, normal_mean, strong_ink, strong_mean);
  g_assert_cmpuint (strong_ink, >, normal_ink * 1.2);
  g_assert_cmpfloat (strong_mean, >, normal_mean);

  strong.dark = TRUE;
  bp_diagram_state_get_background (&strong, &r, &g, &b);
  g_assert_cmpfloat (r + g + b, ==, 0.0);
  normal.dark = TRUE;
  bp_diagram_state_get_background (&normal, &r, &g, &b);
  g_assert_cmpfloat (r + g + b, >, 0.0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diagram/examples", test_examples);
  g_test_add_func ("/diagram/two-layer", test_two_layer);
  g_test_add_func ("/diagram/labels-above-below", test_labels_above_below);
  g_test_add_func ("/diagram/pass-colours", test_pass_colours);
  g_test_add_func ("/diagram/current-step", test_current_step);
  g_test_add_func ("/diagram/quiz-blank", test_quiz_blank);
  g_test_add_func ("/diagram/error-style", test_error_style);
  g_test_add_func ("/diagram/hit-test", test_hit_test);
  g_test_add_func ("/diagram/text-scale", test_text_scale);
  g_test_add_func ("/diagram/high-contrast", test_high_contrast);
  g_test_add_func ("/diagram/korean-label", test_korean_label);
  g_test_add_func ("/diagram/tiles", test_tiles);
  g_test_add_func ("/diagram/examples-uncrowded", test_examples_uncrowded);
  g_test_add_func ("/layout/big", test_layout_big);
  g_test_add_func ("/layout/only-missing", test_layout_only_missing);
  g_test_add_func ("/layout/huge", test_layout_huge);
  g_test_add_func ("/layout/huge-chain", test_layout_huge_chain);
  g_test_add_func ("/layout/estimates", test_estimates);

  return g_test_run ();
}
