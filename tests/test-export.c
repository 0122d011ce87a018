/* SPDX-License-Identifier: MIT */
/* Export to SVG, PNG and PDF, checked by independent readers: Cairo's PNG
 * loader, rsvg-convert (librsvg) and pdfinfo (poppler). The command-line
 * `bpgraph export` is checked by test-export-cli.sh. */

#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>

#include "bp-export.h"
#include "bp-layout.h"

static BpGraph *
make_apples (void)
{
  BpGraph *graph = bp_graph_new ();
  const char *ids[] = { "apple", "apple_num", "tax" };
  const double values[] = { 100, 2, 1.1 };
  BpNode *leaves[3];
  BpNode *ap, *price;

  for (guint i = 0; i < 3; i++)
    {
      BpTensor *t = bp_tensor_new_scalar (values[i]);

      leaves[i] = bp_graph_add_node (graph, ids[i], "input", NULL);
      bp_node_set_value (leaves[i], t);
      bp_tensor_unref (t);
    }
  bp_node_set_label (leaves[0], "사과");
  ap = bp_graph_add_node (graph, "apple_price", "mul", NULL);
  price = bp_graph_add_node (graph, "price", "mul", NULL);
  g_assert_true (bp_graph_connect (graph, leaves[0], ap, 0, NULL));
  g_assert_true (bp_graph_connect (graph, leaves[1], ap, 1, NULL));
  g_assert_true (bp_graph_connect (graph, ap, price, 0, NULL));
  g_assert_true (bp_graph_connect (graph, leaves[2], price, 1, NULL));
  return graph;
}

typedef struct
{
  char      *dir;
  BpGraph   *graph;
  BpDiagram *diagram;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("bp-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->graph = make_apples ();
  f->diagram = bp_diagram_new (f->graph);
  g_assert_true (bp_layout_arrange (f->diagram, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (bp_graph_backward (f->graph, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_object_unref (f->diagram);
  g_object_unref (f->graph);
}

static gboolean
export (Fixture *f, const char *name, double scale, gboolean dark, char **out_path,
        GError **error)
{
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpTrace *trace = bp_graph_get_trace (f->graph);

  state.pass = BP_PASS_BACKWARD;
  state.step = bp_trace_get_n_backward (trace);
  state.dark = dark;
  *out_path = g_build_filename (f->dir, name, NULL);
  return bp_export_to_file (f->diagram, trace, &state, *out_path, scale, error);
}

/* Runs a tool; skips (returns FALSE) when it is not installed. */
static gboolean
run_tool (const char *const *argv, char **out, int *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_find_program_in_path (argv[0]);

  if (program == NULL)
    {
      g_test_skip ("tool not installed");
      return FALSE;
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, out, NULL, status, &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
test_png (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path1 = NULL;
  g_autofree char *path2 = NULL;
  cairo_surface_t *s1, *s2;

  g_assert_true (export (f, "one.png", 1.0, FALSE, &path1, &error));
  g_assert_no_error (error);
  g_assert_true (export (f, "two.png", 2.0, TRUE, &path2, &error));
  g_assert_no_error (error);
  s1 = cairo_image_surface_create_from_png (path1);
  s2 = cairo_image_surface_create_from_png (path2);
  g_assert_cmpint (cairo_surface_status (s1), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_surface_status (s2), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (s1), >, 200);
  /* Twice the scale, twice the pixels (±1 for rounding). */
  g_assert_cmpint (ABS (cairo_image_surface_get_width (s2) - 2 * cairo_image_surface_get_width (s1)), <=, 2);
  g_assert_cmpint (ABS (cairo_image_surface_get_height (s2) - 2 * cairo_image_surface_get_height (s1)), <=, 2);
  cairo_surface_destroy (s1);
  cairo_surface_destroy (s2);
}

static void
test_svg (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *png = NULL;
  g_autofree char *out = NULL;
  int status = -1;
  cairo_surface_t *image;

  g_assert_true (export (f, "apples.svg", 1.0, FALSE, &path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  /* Pixel units, as slides expect. */
  g_assert_nonnull (strstr (contents, "px\""));
  g_assert_nonnull (strstr (contents, "</svg>"));

  png = g_build_filename (f->dir, "from-svg.png", NULL);
  {
    const char *argv[] = { "rsvg-convert", "-o", png, path, NULL };

    if (!run_tool (argv, &out, &status))
      return;
  }
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), >, 200);
  cairo_surface_destroy (image);
}

static void
test_pdf (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  int status = -1;

  g_assert_true (export (f, "apples.pdf", 1.0, FALSE, &path, &error));
  g_assert_no_error (error);
  {
    const char *argv[] = { "pdfinfo", path, NULL };

    if (!run_tool (argv, &out, &status))
      return;
  }
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out, "Pages:"));
  g_assert_true (g_regex_match_simple ("Pages:\\s+1\\b", out, 0, 0));
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(GDir) dir = NULL;
  BpExportFormat format;

  g_assert_false (bp_export_format_from_path ("picture.gif", &format, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_clear_error (&error);
  g_assert_true (bp_export_format_from_path ("A.SVG", &format, &error));
  g_assert_cmpint (format, ==, BP_EXPORT_SVG);

  /* A folder that does not exist: an error, and no file anywhere. */
  bad = g_build_filename (f->dir, "missing", "x.svg", NULL);
  {
    BpDiagramState state = BP_DIAGRAM_STATE_INIT;

    g_assert_false (bp_export_to_file (f->diagram, NULL, &state, bad, 1.0, &error));
    g_assert_error (error, BP_ERROR, BP_ERROR_IO);
    g_clear_error (&error);
  }
  /* A huge PNG is refused before anything is allocated. */
  g_assert_false (export (f, "huge.png", 60.0, FALSE, &path, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* No temporary file left behind. */
  dir = g_dir_open (f->dir, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/export/png", Fixture, NULL, fixture_set_up, test_png, fixture_tear_down);
  g_test_add ("/export/svg", Fixture, NULL, fixture_set_up, test_svg, fixture_tear_down);
  g_test_add ("/export/pdf", Fixture, NULL, fixture_set_up, test_pdf, fixture_tear_down);
  g_test_add ("/export/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);

  return g_test_run ();
}
