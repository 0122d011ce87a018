/* SPDX-License-Identifier: MIT */
/* How long documents take: loading, saving, parsing expressions and laying
 * out a 10,000-node graph, and the whole `bpgraph eval` process on the
 * apple example (argv[1] is the bpgraph binary). Prints figures; asserts
 * nothing about time. */

#include <stdio.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "bp-document.h"
#include "bp-examples.h"
#include "bp-expr.h"
#include "bp-layout.h"

#define N_NODES 10000

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* A layered net of scalar nodes, like the application would hold:
 * 2 leaves, then lines of 3 nodes each (const, mul, add). */
static char *
make_expression (guint n_nodes)
{
  GString *text = g_string_new ("x0 = 0.5\nx1 = -1.25\n");
  guint n = 2;

  for (guint i = 2; n + 3 <= n_nodes; i++, n += 3)
    g_string_append_printf (text, "x%u = x%u * %g + x%u\n", i, i - 1, 0.5 + (i % 7) / 10.0,
                            i - 2);
  if (n_nodes - n == 1)
    g_string_append (text, "y = -x0\n");
  else if (n_nodes - n == 2)
    g_string_append (text, "y = -x0 - x1\n");
  return g_string_free (text, FALSE);
}

/* Parse + layout of an expression of about n nodes, in seconds. */
static void
time_convert (guint   n_nodes,
              double *parse,
              double *layout)
{
  g_autofree char *text = make_expression (n_nodes);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(BpDiagram) diagram = NULL;
  double t0;

  t0 = now ();
  graph = bp_expr_parse (text, &error);
  *parse = now () - t0;
  g_assert_no_error (error);
  diagram = bp_diagram_new (graph);
  t0 = now ();
  if (!bp_layout_arrange (diagram, FALSE, &error))
    printf ("layout failed: %s\n", error->message);
  *layout = now () - t0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expression = make_expression (N_NODES);
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) loaded = NULL;
  g_autofree char *data = NULL;
  double t0, t_parse = G_MAXDOUBLE, t_save, t_load = G_MAXDOUBLE;
  gsize length;
  guint n;

  /* Best of 5 for the parsers. */
  for (guint i = 0; i < 5; i++)
    {
      g_clear_object (&graph);
      t0 = now ();
      graph = bp_expr_parse (expression, &error);
      t_parse = MIN (t_parse, now () - t0);
      g_assert_no_error (error);
    }
  n = bp_graph_get_n_nodes (graph);

  document = bp_document_new_for_graph (graph);
  t0 = now ();
  data = bp_document_to_data (document, &length);
  t_save = now () - t0;

  for (guint i = 0; i < 5; i++)
    {
      g_clear_object (&loaded);
      t0 = now ();
      loaded = bp_document_load_from_data (data, (gssize) length, &error);
      t_load = MIN (t_load, now () - t0);
      g_assert_no_error (error);
    }

  printf ("document of %u nodes (%.1f KiB):\n", n, length / 1024.0);
  printf ("  load .bpgraph          %8.2f ms   (target < 100 ms)\n", t_load * 1e3);
  printf ("  save .bpgraph          %8.2f ms\n", t_save * 1e3);
  printf ("  parse .bpx             %8.2f ms\n", t_parse * 1e3);

  /* Layout cost grows much faster than linearly with dot; bp-layout
   * switches to a simpler layered layout for big graphs. */
  {
    const guint sizes[] = { 100, 1000, 2000, N_NODES };

    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        double parse, layout;

        time_convert (sizes[i], &parse, &layout);
        printf ("  convert %5u nodes: parse %.2f ms + layout %.2f ms = %.2f ms%s\n",
                sizes[i], parse * 1e3, layout * 1e3, (parse + layout) * 1e3,
                sizes[i] == N_NODES ? "   (target < 100 ms)" : "");
      }
  }

  /* Chains up to the node limit: the whole convert (parse, layout,
   * canonical text, safe write); it must grow linearly. */
  {
    const guint sizes[] = { 30000, 120000, BP_DOCUMENT_MAX_NODES };
    g_autofree char *dir = g_dir_make_tmp ("bench-chain-XXXXXX", NULL);
    g_autofree char *out = g_build_filename (dir, "chain.bpgraph", NULL);

    printf ("convert a chain x1 = -x0, x2 = -x1, … (parse + layout + write):\n");
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        g_autoptr(GString) chain = g_string_new ("x0 = 1\n");
        g_autoptr(BpGraph) g = NULL;
        g_autoptr(BpDiagram) d = NULL;
        g_autoptr(BpDocument) doc = NULL;
        g_autoptr(GError) err = NULL;
        double c_parse, c_layout, c_write;
        GStatBuf st;

        for (guint k = 1; k < sizes[i]; k++)
          g_string_append_printf (chain, "x%u = -x%u\n", k, k - 1);
        t0 = now ();
        g = bp_expr_parse (chain->str, &err);
        c_parse = now () - t0;
        g_assert_no_error (err);
        d = bp_diagram_new (g);
        t0 = now ();
        if (!bp_layout_arrange (d, FALSE, &err))
          printf ("layout failed: %s\n", err->message);
        c_layout = now () - t0;
        doc = bp_document_new_for_graph (g);
        t0 = now ();
        if (!bp_document_save_to_path (doc, out, &err))
          printf ("save failed: %s\n", err->message);
        c_write = now () - t0;
        g_stat (out, &st);
        printf ("  %6u nodes: parse %7.1f ms + layout %7.1f ms + write %7.1f ms "
                "= %7.1f ms  (%.1f MiB)\n", sizes[i], c_parse * 1e3, c_layout * 1e3,
                c_write * 1e3, (c_parse + c_layout + c_write) * 1e3,
                st.st_size / 1048576.0);
      }
    g_unlink (out);
    g_rmdir (dir);
  }

  if (argc > 1)
    {
      g_autofree char *dir = g_dir_make_tmp ("bench-documents-XXXXXX", NULL);
      g_autofree char *path = g_build_filename (dir, "apples.bpgraph", NULL);
      const BpExample *apples = bp_examples_lookup ("apples");
      const char *args[] = { argv[1], "eval", path, NULL };
      const guint runs = 50;
      double best = G_MAXDOUBLE, total = 0;

      g_file_set_contents (path, apples->data, (gssize) apples->length, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < runs; i++)
        {
          int status;
          double t;

          t0 = now ();
          g_spawn_sync (NULL, (char **) args, NULL,
                        G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, &error);
          t = now () - t0;
          g_assert_no_error (error);
          g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
          best = MIN (best, t);
          total += t;
        }
      printf ("bpgraph eval apples.bpgraph, whole process over %u runs:\n", runs);
      printf ("  mean %.2f ms, best %.2f ms   (target < 20 ms)\n",
              total / runs * 1e3, best * 1e3);
      g_unlink (path);
      g_rmdir (dir);
    }
  return 0;
}
