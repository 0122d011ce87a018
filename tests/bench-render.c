/* SPDX-License-Identifier: MIT */
/* Prints how long the renderer takes per frame for a 500-node graph with
 * every label shown (target <= 8 ms), and the whole-process time of
 * `bpgraph export` of the apple example to SVG (target <= 50 ms), and the
 * time to export every step of the two-layer network as SVG frames and as
 * one PDF (target <= 1 s each).
 * Usage: bench-render [PATH-TO-BPGRAPH] */

#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <cairo.h>
#include <glib/gstdio.h>

#include "bp-diagram.h"
#include "bp-examples.h"
#include "bp-export.h"
#include "bp-layout.h"

#define N_NODES  500
#define N_FRAMES 60

static BpNode *
add (BpGraph *graph, const char *op, BpNode *a, BpNode *b)
{
  BpNode *node = bp_graph_add_node (graph, NULL, op, NULL);

  if (a != NULL)
    bp_graph_connect (graph, a, node, 0, NULL);
  if (b != NULL)
    bp_graph_connect (graph, b, node, 1, NULL);
  return node;
}

static guint
count_loose (BpGraph *graph, GPtrArray *nodes)
{
  guint loose = 0;

  for (guint i = 0; i < nodes->len; i++)
    loose += bp_graph_get_n_consumers (graph, g_ptr_array_index (nodes, i)) == 0;
  return loose;
}

static BpGraph *
make_graph (guint n)
{
  static const char *binary[] = { "add", "mul", "sub" };
  static const char *unary[] = { "exp", "square", "neg" };
  BpGraph *graph = bp_graph_new ();
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  GRand *rand = g_rand_new_with_seed (42);
  BpNode *acc = NULL;

  for (guint i = 0; i < 16; i++)
    {
      BpNode *leaf = add (graph, "input", NULL, NULL);
      BpTensor *t = bp_tensor_new_scalar (0.05 * (i + 1));

      bp_node_set_value (leaf, t);
      bp_tensor_unref (t);
      g_ptr_array_add (nodes, leaf);
    }
  /* Grow until the nodes so far plus the adds that will join the loose
   * ends make exactly n. */
  while (bp_graph_get_n_nodes (graph) + count_loose (graph, nodes) - 1 < n)
    {
      guint len = nodes->len;
      BpNode *a = g_ptr_array_index (nodes, len - 1 - g_rand_int_range (rand, 0, MIN (len, 8)));
      BpNode *b = g_ptr_array_index (nodes, len - 1 - g_rand_int_range (rand, 0, MIN (len, 40)));

      if (g_rand_int_range (rand, 0, 4) == 0)
        g_ptr_array_add (nodes, add (graph, unary[g_rand_int_range (rand, 0, 3)], a, NULL));
      else
        g_ptr_array_add (nodes, add (graph, binary[g_rand_int_range (rand, 0, 3)], a, b));
    }
  for (guint i = 0; i < nodes->len; i++)
    {
      BpNode *node = g_ptr_array_index (nodes, i);

      if (bp_graph_get_n_consumers (graph, node) == 0 && node != acc)
        acc = acc == NULL ? node : add (graph, "add", acc, node);
    }
  bp_graph_set_output (graph, acc);
  g_rand_free (rand);
  return graph;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The median wall-clock and CPU time of N_FRAMES frames (the machine may
 * be shared: the median is steadier than the mean, and CPU time leaves
 * out the time other processes had the CPU). */
static double
frame_ms (BpDiagram *diagram, BpTrace *trace, const BpDiagramState *state,
          cairo_surface_t *surface, double zoom, const cairo_rectangle_t *b, double *cpu)
{
  double times[N_FRAMES], cpus[N_FRAMES];

  for (guint i = 0; i < N_FRAMES; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double cpu_start = cpu_ms ();
      cairo_t *cr = cairo_create (surface);

      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_scale (cr, zoom, zoom);
      cairo_translate (cr, -b->x, -b->y);
      bp_diagram_draw (diagram, cr, trace, state);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
      cpus[i] = cpu_ms () - cpu_start;
    }
  qsort (times, N_FRAMES, sizeof (double), cmp_double);
  qsort (cpus, N_FRAMES, sizeof (double), cmp_double);
  *cpu = cpus[N_FRAMES / 2];
  return times[N_FRAMES / 2];
}

static void
bench_frames (void)
{
  g_autoptr(BpGraph) graph = make_graph (N_NODES);
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  g_autoptr(GError) error = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  cairo_rectangle_t b;
  cairo_surface_t *surface;
  BpTrace *trace;
  gint64 t0;
  double zoom, first, ms_fit, ms_screen, cpu_fit, cpu_screen;

  t0 = g_get_monotonic_time ();
  if (!bp_layout_arrange (diagram, FALSE, &error) || !bp_graph_backward (graph, &error))
    g_error ("%s", error->message);
  g_print ("layout of %u nodes: %.1f ms\n", bp_graph_get_n_nodes (graph),
           (g_get_monotonic_time () - t0) / 1000.0);
  trace = bp_graph_get_trace (graph);
  state.pass = BP_PASS_BACKWARD;
  state.step = bp_trace_get_n_backward (trace);

  bp_diagram_get_trace_bounds (diagram, trace, &state, &b);
  g_print ("diagram: %.0f x %.0f px\n", b.width, b.height);

  /* The whole graph on a 1920x1080 surface (every label drawn). */
  zoom = MIN (1920 / b.width, 1080 / b.height);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1920, 1080);
  t0 = g_get_monotonic_time ();
  {
    cairo_t *cr = cairo_create (surface);

    bp_diagram_draw (diagram, cr, trace, &state);
    cairo_destroy (cr);
  }
  first = (g_get_monotonic_time () - t0) / 1000.0;
  ms_fit = frame_ms (diagram, trace, &state, surface, zoom, &b, &cpu_fit);
  /* BP_BENCH_SHOT=FILE.png: the fitted frame, to look at. */
  if (g_getenv ("BP_BENCH_SHOT") != NULL)
    cairo_surface_write_to_png (surface, g_getenv ("BP_BENCH_SHOT"));
  cairo_surface_destroy (surface);

  /* Zoom 1, as the canvas draws: a 1920x1080 window onto the middle of the
   * graph (everything is still drawn; Cairo clips what is outside). */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1920, 1080);
  {
    cairo_rectangle_t view = { b.x + b.width / 2 - 960, b.y + b.height / 2 - 540, 0, 0 };

    ms_screen = frame_ms (diagram, trace, &state, surface, 1.0, &view, &cpu_screen);
  }
  cairo_surface_destroy (surface);

  g_print ("first frame (text layout, cold caches): %.2f ms\n", first);
  g_print ("render %u nodes, all labels, fit to 1920x1080: %.2f ms/frame (CPU %.2f ms), "
           "median (target <= 8)\n", bp_graph_get_n_nodes (graph), ms_fit, cpu_fit);
  g_print ("render %u nodes, all labels, zoom 1, 1920x1080 window: %.2f ms/frame "
           "(CPU %.2f ms), median\n", bp_graph_get_n_nodes (graph), ms_screen, cpu_screen);
}

static void
bench_cli (const char *bpgraph)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bp-bench-XXXXXX", &error);
  g_autofree char *doc = g_build_filename (dir, "apples.bpgraph", NULL);
  g_autofree char *svg = g_build_filename (dir, "apples.svg", NULL);
  const char *write_argv[] = { bpgraph, "examples", "apples", "-o", doc, NULL };
  const char *export_argv[] = { bpgraph, "export", doc, "-o", svg, "--pass", "backward", NULL };
  double best = G_MAXDOUBLE, total = 0;
  int status;
  const guint runs = 10;

  if (!g_spawn_sync (NULL, (char **) write_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     NULL, NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      g_print ("bpgraph export: not measured (%s)\n", error->message);
      return;
    }
  for (guint i = 0; i < runs; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double ms;

      if (!g_spawn_sync (NULL, (char **) export_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                         NULL, NULL, &status, &error)
          || !g_spawn_check_wait_status (status, &error))
        {
          g_print ("bpgraph export: failed (%s)\n", error->message);
          return;
        }
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      best = MIN (best, ms);
      total += ms;
    }
  g_print ("bpgraph export apples -> SVG, whole process: best %.1f ms, mean %.1f ms "
           "(target <= 50)\n", best, total / runs);
  g_unlink (svg);
  g_unlink (doc);
  g_rmdir (dir);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      if (dir != NULL)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* Every step of both passes of the two-layer network, one fixed frame. */
static void
bench_steps (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("two-layer-net", &error);
  g_autofree char *dir = g_dir_make_tmp ("bp-bench-steps-XXXXXX", &error);
  g_autofree char *svgs = g_build_filename (dir, "steps", NULL);
  g_autofree char *pdf = g_build_filename (dir, "steps.pdf", NULL);
  g_autoptr(BpDiagram) diagram = NULL;
  BpGraph *graph;
  double best_svg = G_MAXDOUBLE, best_pdf = G_MAXDOUBLE;
  guint written = 0;

  if (doc == NULL || dir == NULL)
    g_error ("%s", error->message);
  graph = bp_document_get_graph (doc);
  bp_graph_set_record_trace (graph, TRUE);
  if (!bp_graph_backward (graph, &error))
    g_error ("%s", error->message);
  for (guint run = 0; run < 5; run++)
    {
      gint64 t0;

      /* A new diagram each time: cold text caches, as the CLI has. */
      g_clear_object (&diagram);
      diagram = bp_diagram_new (graph);
      t0 = g_get_monotonic_time ();
      if (!bp_export_steps (diagram, bp_graph_get_trace (graph), NULL, svgs, NULL, &written,
                            &error))
        g_error ("%s", error->message);
      best_svg = MIN (best_svg, (g_get_monotonic_time () - t0) / 1000.0);
      g_clear_object (&diagram);
      diagram = bp_diagram_new (graph);
      t0 = g_get_monotonic_time ();
      if (!bp_export_steps (diagram, bp_graph_get_trace (graph), NULL, pdf, NULL, NULL, &error))
        g_error ("%s", error->message);
      best_pdf = MIN (best_pdf, (g_get_monotonic_time () - t0) / 1000.0);
    }
  g_print ("export every step of two-layer-net (%u steps): SVG files %.1f ms, "
           "one PDF %.1f ms, best of 5 (target <= 1000)\n", written, best_svg, best_pdf);
  remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  bench_frames ();
  bench_steps ();
  if (argc > 1)
    bench_cli (argv[1]);
  else
    g_print ("bpgraph export: not measured (pass the path of bpgraph)\n");
  return 0;
}
