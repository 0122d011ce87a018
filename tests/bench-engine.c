/* SPDX-License-Identifier: MIT */
/* Prints how fast the passes are: ns per node on a scalar graph of a
 * million nodes, and ms per step of the book's two-layer net, in CPU
 * time of this thread (steadier than the wall clock on a shared
 * machine), and the peak memory. Not a test: the figures go into the
 * notes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bp-engine.h"

#define REPEATS 5

/* CPU time of this thread, in ns. */
static double
cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Peak resident memory of the process so far, in bytes. */
static double
peak_rss (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024.0;
}

static BpNode *
leaf (BpGraph    *graph,
      const char *id,
      BpTensor   *value)
{
  BpNode *node = bp_graph_add_node (graph, id, "input", NULL);

  bp_node_set_value (node, value);
  bp_tensor_unref (value);
  return node;
}

static BpNode *
node (BpGraph    *graph,
      const char *op,
      BpNode     *x,
      BpNode     *y)
{
  BpNode *n = bp_graph_add_node (graph, NULL, op, NULL);

  bp_graph_connect (graph, x, n, 0, NULL);
  if (y != NULL)
    bp_graph_connect (graph, y, n, 1, NULL);
  return n;
}

/* add, mul and tanh in turn; tanh keeps the values in range. */
static BpGraph *
scalar_graph (guint n_nodes)
{
  BpGraph *graph = bp_graph_new ();
  BpNode *c = leaf (graph, "c", bp_tensor_new_scalar (0.9));
  BpNode *prev2 = leaf (graph, "a", bp_tensor_new_scalar (0.3));
  BpNode *prev = leaf (graph, "b", bp_tensor_new_scalar (0.7));

  for (guint i = 3; i < n_nodes; i++)
    {
      BpNode *n;

      switch (i % 3)
        {
        case 0: n = node (graph, "add", prev, prev2); break;
        case 1: n = node (graph, "mul", prev, c); break;
        default: n = node (graph, "tanh", prev, NULL); break;
        }
      prev2 = prev;
      prev = n;
    }
  bp_graph_set_output (graph, prev);
  return graph;
}

static double
best_of (BpGraph  *graph,
         gboolean (*pass) (BpGraph *, GError **))
{
  double best = INFINITY;

  for (int r = 0; r < REPEATS; r++)
    {
      double start = cpu_ns ();
      g_autoptr(GError) error = NULL;

      if (!pass (graph, &error))
        g_error ("%s", error->message);
      best = MIN (best, cpu_ns () - start);
    }
  return best;
}

static void
bench_scalar (guint n_nodes)
{
  g_autoptr(BpGraph) graph = NULL;
  double start = cpu_ns ();
  double rss_before = peak_rss ();

  graph = scalar_graph (n_nodes);
  printf ("scalar graph: %u nodes of add/mul/tanh, built in %.0f ms (CPU)\n",
          n_nodes, (cpu_ns () - start) / 1e6);

  for (int record = 0; record <= 1; record++)
    {
      double fwd, bwd;

      bp_graph_set_record_trace (graph, record);
      /* warm up: order, shapes, tensors */
      bp_graph_forward (graph, NULL);
      bp_graph_backward (graph, NULL);

      fwd = best_of (graph, bp_graph_forward);
      /* values are fresh: backward runs the backward pass alone */
      bwd = best_of (graph, bp_graph_backward);
      printf ("  %-13s forward %6.1f ns/node, backward %6.1f ns/node (%.2f× forward), CPU\n",
              record ? "trace on:" : "trace off:",
              fwd / n_nodes, bwd / n_nodes, bwd / fwd);
    }
  if (bp_graph_get_trace (graph) != NULL)
    printf ("  trace: %u steps\n", bp_trace_get_n_steps (bp_graph_get_trace (graph)));
  printf ("  peak memory %.1f MiB, %.0f bytes per node (graph, values, gradients, trace)\n",
          peak_rss () / (1 << 20), (peak_rss () - rss_before) / n_nodes);
}

static BpTensor *
randn (guint  rows,
       guint  cols,
       double scale,
       GRand *rand)
{
  BpTensor *t = bp_tensor_new (rows, cols);

  /* Box–Muller */
  for (gsize i = 0; i < bp_tensor_n_elements (t); i++)
    {
      double u1 = g_rand_double_range (rand, 1e-12, 1);
      double u2 = g_rand_double (rand);

      t->data[i] = scale * sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);
    }
  return t;
}

static void
bench_net (void)
{
  g_autoptr(BpGraph) graph = bp_graph_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  BpTensor *t = bp_tensor_new (100, 10);
  BpNode *x, *w1, *b1, *w2, *b2, *tn, *a1, *r1, *a2, *loss;
  BpTensor *xv = bp_tensor_new (100, 784);

  for (gsize i = 0; i < bp_tensor_n_elements (xv); i++)
    xv->data[i] = g_rand_double (rand);
  for (guint r = 0; r < 100; r++)
    bp_tensor_set (t, r, g_rand_int_range (rand, 0, 10), 1.0);

  x = leaf (graph, "x", xv);
  w1 = leaf (graph, "W1", randn (784, 50, 0.01, rand));
  b1 = leaf (graph, "b1", bp_tensor_new (1, 50));
  w2 = leaf (graph, "W2", randn (50, 10, 0.01, rand));
  b2 = leaf (graph, "b2", bp_tensor_new (1, 10));
  tn = leaf (graph, "t", t);

  a1 = bp_graph_add_node (graph, "Affine1", "affine", NULL);
  bp_graph_connect (graph, x, a1, 0, NULL);
  bp_graph_connect (graph, w1, a1, 1, NULL);
  bp_graph_connect (graph, b1, a1, 2, NULL);
  r1 = node (graph, "relu", a1, NULL);
  a2 = bp_graph_add_node (graph, "Affine2", "affine", NULL);
  bp_graph_connect (graph, r1, a2, 0, NULL);
  bp_graph_connect (graph, w2, a2, 1, NULL);
  bp_graph_connect (graph, b2, a2, 2, NULL);
  loss = node (graph, "softmax_with_loss", a2, tn);

  printf ("two-layer net 784-50-10, batch 100 (affine, relu, affine, softmax_with_loss):\n");
  for (int record = 0; record <= 1; record++)
    {
      double best = INFINITY;
      g_autoptr(GError) error = NULL;

      bp_graph_set_record_trace (graph, record);
      for (int r = 0; r < 20; r++)
        {
          double start = cpu_ns ();

          /* a new input batch each step, as training would */
          bp_node_set_value (x, bp_node_get_value (x));
          if (!bp_graph_forward (graph, &error) || !bp_graph_backward (graph, &error))
            g_error ("%s", error->message);
          best = MIN (best, (cpu_ns () - start) / 1e6);
        }
      printf ("  %-13s %.2f ms per forward+backward, CPU (loss %.4f)\n",
              record ? "trace on:" : "trace off:", best,
              bp_node_get_value (loss)->data[0]);
    }
}

/* What files and `bpgraph eval --json` were written with before. */
static gsize
format_printf (double  value,
               char   *buf)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, BP_FORMAT_EXACT_SIZE, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  return strlen (buf);
}

/* The shortest exact text of the values and gradients of a scalar
 * chain, as files and `bpgraph eval --json` write them. */
static void
bench_format (void)
{
  enum { N = 200000 };
  g_autofree double *values = g_new (double, N);
  char buf[BP_FORMAT_EXACT_SIZE];
  double x = 0.3, y = 0.7, g = 1;
  gsize total = 0;
  double best_fast = INFINITY, best_printf = INFINITY;

  for (guint i = 0; i < N; i += 2)
    {
      double z = i % 3 == 0 ? x + y : i % 3 == 1 ? x * 0.9 : tanh (x);

      g *= i % 3 == 2 ? 1 - z * z : 0.9;
      y = x;
      x = z;
      values[i] = z;
      values[i + 1] = g;
    }

  for (int r = 0; r < REPEATS; r++)
    {
      double start = cpu_ns ();

      for (guint i = 0; i < N; i++)
        total += bp_format_exact (values[i], buf);
      best_fast = MIN (best_fast, (cpu_ns () - start) / N);

      start = cpu_ns ();
      for (guint i = 0; i < N / 10; i++)
        total += format_printf (values[i], buf);
      best_printf = MIN (best_printf, (cpu_ns () - start) / (N / 10));
    }
  printf ("exact number text (values and gradients of a chain), CPU:\n"
          "  bp_format_exact %6.1f ns per number, printf + strtod %6.1f ns (%zu bytes)\n",
          best_fast, best_printf, total / REPEATS);
}

int
main (int   argc,
      char *argv[])
{
  guint n_nodes = 1000000;

  if (argc > 1)
    n_nodes = MAX (10, atoi (argv[1]));

  bench_scalar (n_nodes);
  bench_net ();
  bench_format ();
  return 0;
}
