/* SPDX-License-Identifier: MIT */
/* Frame time while dragging a node in a 500-node graph (target ≤ 16 ms):
 * each frame is one drag-update of the canvas' gesture, then the canvas
 * snapshotted and rendered with the Cairo renderer into a texture, as a
 * frame under GSK_RENDERER=cairo would be. Prints figures; asserts
 * nothing about time. */
#include <math.h>

#include "bp-ui-test.h"
#include "bp-canvas.h"
#include "bp-window-private.h"

#define N_LEAVES  250
#define N_FRAMES  120

static BpDocument *
make_document (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GError) error = NULL;
  BpNode *sum = NULL;

  /* x0 + x1 + … as a chain of 249 adds, plus a square at the end: 500
   * nodes, laid out on a grid so that edges cross the whole picture. */
  for (guint i = 0; i < N_LEAVES; i++)
    {
      g_autofree char *id = g_strdup_printf ("x%u", i);
      g_autoptr(BpTensor) value = bp_tensor_new_scalar (i * 0.5);
      BpNode *leaf = bp_graph_add_node (graph, id, "input", &error);

      g_assert_no_error (error);
      bp_node_set_value (leaf, value);
      bp_node_set_position (leaf, 60 + (i % 10) * 260, 60 + (i / 10) * 110);
      if (sum == NULL)
        sum = leaf;
      else
        {
          BpNode *add = bp_graph_add_node (graph, NULL, "add", &error);

          g_assert_no_error (error);
          g_assert_true (bp_graph_connect (graph, sum, add, 0, &error));
          g_assert_true (bp_graph_connect (graph, leaf, add, 1, &error));
          bp_node_set_position (add, 190 + (i % 10) * 260, 110 + (i / 10) * 110);
          sum = add;
        }
    }
  {
    BpNode *square = bp_graph_add_node (graph, "loss", "square", &error);

    g_assert_no_error (error);
    g_assert_true (bp_graph_connect (graph, sum, square, 0, &error));
    bp_node_set_position (square, 2800, 2800);
  }
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, 500);
  return bp_document_new_for_graph (graph);
}

static GtkGesture *
find_drag_gesture (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_DRAG (controller))
        return GTK_GESTURE (controller);
    }
  return NULL;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static void
wait_for_frame (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong handler;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

/* One frame: what GTK does for the widget between two vblanks. */
static double
render_frame (GtkWidget   *widget,
              GskRenderer *renderer)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 start = g_get_monotonic_time ();

  /* The widget's own snapshot (a GtkWidgetPaintable would hand back the
   * image of its last frame instead of drawing again). */
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    texture = gsk_renderer_render_texture (renderer, node,
                                           &GRAPHENE_RECT_INIT (0, 0, width, height));
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
report (const char *what,
        double     *ms,
        guint       n)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    sum += ms[i];
  qsort (ms, n, sizeof (double), compare_doubles);
  g_print ("%-34s mean %6.2f ms  median %6.2f ms  p95 %6.2f ms  max %6.2f ms  (%u frames)\n",
           what, sum / n, ms[n / 2], ms[(n * 95) / 100], ms[n - 1], n);
}

static void
bench (GtkWidget  *window,
       BpCanvas   *canvas,
       double      zoom,
       const char *label)
{
  GtkWidget *widget = GTK_WIDGET (canvas);
  GtkGesture *gesture = find_drag_gesture (widget);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  BpGraph *graph = bp_session_get_graph (bp_canvas_get_session (canvas));
  BpNode *node = bp_graph_lookup (graph, "x125");
  double frame_ms[N_FRAMES], update_ms[N_FRAMES];
  double x, y, wx, wy;

  bp_canvas_zoom_fit (canvas);
  if (zoom > 0)
    {
      /* Zoom around the dragged node, so that it stays in view. */
      g_assert_true (bp_node_get_position (node, &x, &y));
      bp_canvas_diagram_to_widget (canvas, x, y, &wx, &wy);
      bp_canvas_set_zoom (canvas, zoom, wx, wy);
    }
  wait_for_frame (widget);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (bp_node_get_position (node, &x, &y));
  bp_canvas_diagram_to_widget (canvas, x, y, &wx, &wy);
  render_frame (widget, renderer);   /* warm the caches */

  g_signal_emit_by_name (gesture, "drag-begin", wx, wy);
  for (guint i = 0; i < N_FRAMES; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double t = i * 2 * G_PI / N_FRAMES;

      g_signal_emit_by_name (gesture, "drag-update", 80 * sin (t), 60 * (1 - cos (t)));
      update_ms[i] = (g_get_monotonic_time () - start) / 1000.0;
      frame_ms[i] = update_ms[i] + render_frame (widget, renderer);
    }
  {
    double nx, ny;

    /* The node really followed the pointer. */
    g_assert_true (bp_node_get_position (node, &nx, &ny));
    g_assert_cmpfloat (fabs (nx - x) + fabs (ny - y), >, 0.01);
  }
  g_signal_emit_by_name (gesture, "drag-end", 0.0, 0.0);
  gsk_renderer_unrealize (renderer);

  g_print ("%s (zoom %.2f, %d×%d px)\n", label, bp_canvas_get_zoom (canvas),
           gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  report ("  drag-update handler", update_ms, N_FRAMES);
  report ("  frame (update + draw + render)", frame_ms, N_FRAMES);
  bp_history_undo (bp_session_get_history (bp_canvas_get_session (canvas)));
}

static void
bench_pan (BpCanvas *canvas)
{
  GtkWidget *widget = GTK_WIDGET (canvas);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  GtkEventController *scroll = NULL;
  double frame_ms[N_FRAMES];

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_SCROLL (controller))
        scroll = GTK_EVENT_CONTROLLER (controller);
    }
  g_assert_nonnull (scroll);
  bp_canvas_set_zoom (canvas, 1.0, -1, -1);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  render_frame (widget, renderer);

  for (guint i = 0; i < N_FRAMES; i++)
    {
      gint64 start = g_get_monotonic_time ();
      gboolean handled;
      double t = i * 2 * G_PI / N_FRAMES;

      /* A wheel notch is 40 px: a quarter notch per frame, in a circle. */
      g_signal_emit_by_name (scroll, "scroll", 0.25 * cos (t), 0.25 * sin (t), &handled);
      frame_ms[i] = (g_get_monotonic_time () - start) / 1000.0 + render_frame (widget, renderer);
    }
  gsk_renderer_unrealize (renderer);
  g_print ("panning (zoom %.2f)\n", bp_canvas_get_zoom (canvas));
  report ("  frame (scroll + draw + render)", frame_ms, N_FRAMES);
}

/* The player animating steps of the backward pass: each step is several
 * frames of `progress`. */
static void
bench_player (BpCanvas *canvas)
{
  GtkWidget *widget = GTK_WIDGET (canvas);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  double frame_ms[N_FRAMES];

  bp_canvas_zoom_fit (canvas);
  bp_ui_test_canvas_set_pass_state (canvas, BP_PASS_BACKWARD, 100, 1.0);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  render_frame (widget, renderer);

  for (guint i = 0; i < N_FRAMES; i++)
    {
      gint64 start = g_get_monotonic_time ();

      bp_ui_test_canvas_set_pass_state (canvas, BP_PASS_BACKWARD, 101 + i / 4, (i % 4) / 3.0);
      frame_ms[i] = (g_get_monotonic_time () - start) / 1000.0 + render_frame (widget, renderer);
    }
  gsk_renderer_unrealize (renderer);
  g_print ("playing the backward pass, 4 frames a step (zoom %.2f)\n", bp_canvas_get_zoom (canvas));
  report ("  frame (set state + draw + render)", frame_ms, N_FRAMES);
}

/* A value typed into a leaf of the 500-node graph in a real window, to
 * the canvas's redrawn frame: the edit, the passes run again, every view
 * told, and the frame drawn. */
static void
bench_value_edit (BpDocument *document)
{
  BpWindow *window = bp_window_new (NULL);
  GtkWidget *widget = GTK_WIDGET (window->canvas);
  BpHistory *history = bp_session_get_history (window->session);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  double edit_ms[N_FRAMES], frame_ms[N_FRAMES];
  BpNode *leaf;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  bp_window_set_document (window, document, NULL);
  bp_session_set_position (window->session, bp_session_get_n_steps (window->session));
  gtk_window_present (GTK_WINDOW (window));
  wait_for_frame (widget);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  render_frame (widget, renderer);
  leaf = bp_graph_lookup (bp_session_get_graph (window->session), "x125");

  for (guint i = 0; i < N_FRAMES; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", i);
      gint64 start = g_get_monotonic_time ();

      g_assert_true (bp_history_set_value_text (history, leaf, text, &error));
      edit_ms[i] = (g_get_monotonic_time () - start) / 1000.0;
      frame_ms[i] = edit_ms[i] + render_frame (widget, renderer);
    }
  gsk_renderer_unrealize (renderer);
  g_print ("a value edit in a window, 500-node graph\n");
  report ("  edit (passes run, views told)", edit_ms, N_FRAMES);
  report ("  edit to redrawn frame", frame_ms, N_FRAMES);

  window->close_confirmed = TRUE;
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BpDocument) document = NULL;
  GtkWidget *window;
  BpCanvas *canvas;
  gint64 start;

  if (g_getenv ("DISPLAY") == NULL || g_getenv ("DISPLAY")[0] == '\0')
    {
      g_print ("bench-canvas: no display, skipped\n");
      return 77;
    }
  gtk_init ();

  document = make_document ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  canvas = BP_CANVAS (bp_canvas_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (canvas));

  start = g_get_monotonic_time ();
  bp_ui_test_canvas_set_document (canvas, document);
  g_print ("500-node graph: set_document (recompute) %.2f ms\n",
           (g_get_monotonic_time () - start) / 1000.0);
  g_assert_null (bp_session_get_error (bp_canvas_get_session (canvas)));
  g_assert_nonnull (bp_session_get_trace (bp_canvas_get_session (canvas)));
  g_print ("500-node graph: %u trace steps (values and gradients drawn)\n",
           bp_trace_get_n_steps (bp_session_get_trace (bp_canvas_get_session (canvas))));
  bp_ui_test_canvas_set_pass_state (canvas, BP_PASS_BACKWARD, G_MAXUINT, 1.0);
  gtk_window_present (GTK_WINDOW (window));
  start = g_get_monotonic_time ();
  wait_for_frame (GTK_WIDGET (canvas));
  g_print ("500-node graph: first frame %.2f ms\n", (g_get_monotonic_time () - start) / 1000.0);

  bench (window, canvas, 0, "dragging a node, whole graph in view");
  bench (window, canvas, 1.0, "dragging a node, zoom 1");
  bench_pan (canvas);
  bench_player (canvas);

  gtk_window_destroy (GTK_WINDOW (window));
  {
    g_autoptr(BpDocument) fresh = make_document ();

    bench_value_edit (fresh);
  }
  return 0;
}
