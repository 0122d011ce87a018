/* SPDX-License-Identifier: MIT */
/* Exports for slides and notes, read back: the SVG writer's text is real
 * <text> (GLib's markup parser finds every number; librsvg renders the
 * file), step frames all have one size, the TikZ picture is well formed
 * (and compiles when pdflatex is installed), and a PNG too big for the
 * limit is fitted to it. */

#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>

#include "bp-examples.h"
#include "bp-export.h"

typedef struct
{
  GPtrArray *texts;       /* the contents of every <text> */
  GPtrArray *group_ids;   /* every <g id> */
  GPtrArray *descs;
  guint      texts_without_font;
  gboolean   has_title;   /* the picture's own <title> */
  char      *width, *height, *view_box;
  GString   *current;     /* inside <text>, <title> or <desc> */
  char      *current_element;
  guint      depth;
} SvgReading;

static void
start_element_cb (GMarkupParseContext *context, const char *element, const char **names,
                  const char **values, gpointer user_data, GError **error)
{
  SvgReading *r = user_data;

  r->depth++;
  if (g_str_equal (element, "svg"))
    for (guint i = 0; names[i] != NULL; i++)
      {
        if (g_str_equal (names[i], "width"))
          r->width = g_strdup (values[i]);
        else if (g_str_equal (names[i], "height"))
          r->height = g_strdup (values[i]);
        else if (g_str_equal (names[i], "viewBox"))
          r->view_box = g_strdup (values[i]);
      }
  if (g_str_equal (element, "g"))
    for (guint i = 0; names[i] != NULL; i++)
      if (g_str_equal (names[i], "id"))
        g_ptr_array_add (r->group_ids, g_strdup (values[i]));
  if (g_str_equal (element, "text"))
    {
      gboolean font = FALSE;

      for (guint i = 0; names[i] != NULL; i++)
        font |= g_str_equal (names[i], "font-family") && strstr (values[i], "sans") != NULL;
      r->texts_without_font += !font;
    }
  if (g_str_equal (element, "text") || g_str_equal (element, "title")
      || g_str_equal (element, "desc"))
    {
      g_string_truncate (r->current, 0);
      g_free (r->current_element);
      r->current_element = g_strdup (element);
      if (g_str_equal (element, "title") && r->depth == 2)
        r->has_title = TRUE;
    }
}

static void
end_element_cb (GMarkupParseContext *context, const char *element, gpointer user_data,
                GError **error)
{
  SvgReading *r = user_data;

  r->depth--;
  if (r->current_element != NULL && g_str_equal (element, r->current_element))
    {
      if (g_str_equal (element, "text"))
        g_ptr_array_add (r->texts, g_strdup (r->current->str));
      else if (g_str_equal (element, "desc"))
        g_ptr_array_add (r->descs, g_strdup (r->current->str));
      g_clear_pointer (&r->current_element, g_free);
    }
}

static void
text_cb (GMarkupParseContext *context, const char *text, gsize len, gpointer user_data,
         GError **error)
{
  SvgReading *r = user_data;

  if (r->current_element != NULL)
    g_string_append_len (r->current, text, len);
}

static void
svg_reading_clear (SvgReading *r)
{
  g_ptr_array_unref (r->texts);
  g_ptr_array_unref (r->group_ids);
  g_ptr_array_unref (r->descs);
  g_free (r->width);
  g_free (r->height);
  g_free (r->view_box);
  g_free (r->current_element);
  g_string_free (r->current, TRUE);
}

static void
read_svg (const char *path, SvgReading *r)
{
  static const GMarkupParser parser = { start_element_cb, end_element_cb, text_cb, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  GMarkupParseContext *context;
  gsize length;

  memset (r, 0, sizeof *r);
  r->texts = g_ptr_array_new_with_free_func (g_free);
  r->group_ids = g_ptr_array_new_with_free_func (g_free);
  r->descs = g_ptr_array_new_with_free_func (g_free);
  r->current = g_string_new (NULL);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  context = g_markup_parse_context_new (&parser, 0, r, NULL);
  g_assert_true (g_markup_parse_context_parse (context, contents, length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (context);
}

static gboolean
has_text (GPtrArray *texts, const char *needle)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), needle))
      return TRUE;
  return FALSE;
}

/* Every number the pass shows, as the diagram writes it: scalars with 4
 * digits, grid cells with 3, a chip as its shape. */
static guint
count_missing_numbers (BpTensor *t, GPtrArray *texts, const char *what)
{
  guint missing = 0;

  if (t == NULL)
    return 0;
  if (bp_tensor_is_scalar (t))
    {
      g_autofree char *s = bp_format_number (t->data[0], 4);

      if (!has_text (texts, s))
        {
          g_test_message ("%s: no <text> of %s", what, s);
          missing++;
        }
      return missing;
    }
  {
    g_autofree char *shape = bp_tensor_shape_string (t->rows, t->cols);

    if (has_text (texts, shape))
      return 0;
  }
  for (guint r = 0; r < t->rows; r++)
    for (guint c = 0; c < t->cols; c++)
      {
        g_autofree char *s = bp_format_number (bp_tensor_get (t, r, c), 3);

        if (!has_text (texts, s))
          {
            g_test_message ("%s: no <text> of %s", what, s);
            missing++;
          }
      }
  return missing;
}

typedef struct
{
  BpDocument *doc;
  BpGraph    *graph;
  BpDiagram  *diagram;
  BpTrace    *trace;
} Example;

static void
example_load (Example *e, const char *name)
{
  g_autoptr(GError) error = NULL;

  e->doc = bp_examples_load (name, &error);
  g_assert_no_error (error);
  e->graph = bp_document_get_graph (e->doc);
  e->diagram = bp_diagram_new (e->graph);
  bp_graph_set_record_trace (e->graph, TRUE);
  g_assert_true (bp_graph_backward (e->graph, &error));
  g_assert_no_error (error);
  e->trace = bp_graph_get_trace (e->graph);
}

static void
example_clear (Example *e)
{
  g_clear_object (&e->diagram);
  g_clear_object (&e->doc);
}

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("bp-export-text-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static gboolean
run (const char *const *argv, const char *cwd, char **out)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (cwd, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, out, NULL, &status, &error);
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL);
}

static void
test_svg_text (void)
{
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);
  g_autofree char *dir = make_dir ();
  g_autofree char *rsvg = g_find_program_in_path ("rsvg-convert");
  guint missing = 0;

  for (guint i = 0; i < n_examples; i++)
    {
      Example e = { 0 };
      BpDiagramState state = BP_DIAGRAM_STATE_INIT;
      BpExportOptions options = { 0 };
      g_autofree char *name = g_strdup_printf ("%s.svg", examples[i].name);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      SvgReading r;
      guint n_nodes;

      example_load (&e, examples[i].name);
      bp_diagram_state_set_position (&state, e.trace, bp_trace_get_n_steps (e.trace));
      options.title = bp_document_get_title (e.doc);
      g_assert_true (bp_export_states (e.diagram, e.trace, &state, 1, path, &options, NULL));
      read_svg (path, &r);

      /* The picture is titled, every node a named group with a desc. */
      g_assert_true (r.has_title);
      n_nodes = bp_graph_get_n_nodes (e.graph);
      g_assert_cmpuint (r.group_ids->len, ==, n_nodes);
      g_assert_cmpuint (r.descs->len, ==, n_nodes);
      g_assert_cmpuint (r.texts_without_font, ==, 0);
      for (guint k = 0; k < n_nodes; k++)
        {
          BpNode *node = bp_graph_get_node (e.graph, k);

          /* Leaves and operations by name; every node says its gradient. */
          g_assert_true (strstr (g_ptr_array_index (r.descs, k), "gradient") != NULL);
          if (bp_op_is_leaf (bp_node_get_op (node)))
            g_assert_true (has_text (r.texts, bp_node_get_label (node)));
        }
      /* Every value and gradient on the arrows is text. */
      for (guint k = 0; k < bp_trace_get_n_steps (e.trace); k++)
        {
          const BpStep *step = bp_trace_get_step (e.trace, k);

          if (step->kind == BP_STEP_FORWARD && bp_graph_get_n_consumers (e.graph, step->node) > 0)
            missing += count_missing_numbers (step->value, r.texts, examples[i].name);
          if (step->kind == BP_STEP_BACKWARD)
            for (guint s = 0; s < step->n_inputs; s++)
              missing += count_missing_numbers (step->downstream[s], r.texts, examples[i].name);
        }
      svg_reading_clear (&r);

      if (rsvg != NULL)
        {
          g_autofree char *png = g_build_filename (dir, "from-svg.png", NULL);
          const char *argv[] = { rsvg, "-o", png, path, NULL };
          cairo_surface_t *surface;

          g_assert_true (run (argv, NULL, NULL));
          surface = cairo_image_surface_create_from_png (png);
          g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
          g_assert_cmpint (cairo_image_surface_get_width (surface), >, 100);
          cairo_surface_destroy (surface);
          g_unlink (png);
        }
      g_unlink (path);
      example_clear (&e);
    }
  g_assert_cmpuint (missing, ==, 0);
  remove_tree (dir);
}

static void
test_steps_one_frame (void)
{
  const char *names[] = { "apples", "affine-batch", "two-layer-net" };
  g_autofree char *dir = make_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      Example e = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *steps = g_build_filename (dir, names[i], NULL);
      g_autofree char *pdf = g_strdup_printf ("%s.pdf", steps);
      g_autofree char *first_size = NULL;
      g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
      guint written = 0, n_steps;
      gboolean highlighted_last = FALSE;

      example_load (&e, names[i]);
      n_steps = bp_trace_get_n_steps (e.trace);
      g_assert_true (bp_export_steps (e.diagram, e.trace, NULL, steps, NULL, &written, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (written, ==, n_steps);
      for (guint k = 1; k <= n_steps; k++)
        {
          g_autofree char *name = g_strdup_printf ("step-%02u.svg", k);
          g_autofree char *path = g_build_filename (steps, name, NULL);
          g_autofree char *size = NULL;
          g_autofree char *number = g_strdup_printf ("Step %u of %u", k, n_steps);
          SvgReading r;

          read_svg (path, &r);
          size = g_strdup_printf ("%s %s %s", r.width, r.height, r.view_box);
          if (first_size == NULL)
            first_size = g_strdup (size);
          /* One frame: the same width, height and view box every step. */
          g_assert_cmpstr (size, ==, first_size);
          {
            gboolean numbered = FALSE;

            for (guint t = 0; t < r.texts->len; t++)
              numbered |= g_str_has_prefix (g_ptr_array_index (r.texts, t), number);
            g_assert_true (numbered);
          }
          svg_reading_clear (&r);
        }
      /* The last step of the backward pass is highlighted: it differs
       * from the finished pass drawn plainly. */
      {
        BpDiagramState plain = BP_DIAGRAM_STATE_INIT, last;
        cairo_rectangle_t a, b;

        bp_diagram_state_set_position (&plain, e.trace, n_steps);
        last = plain;
        last.highlight_last = TRUE;
        bp_diagram_get_trace_bounds (e.diagram, e.trace, &plain, &a);
        bp_diagram_get_trace_bounds (e.diagram, e.trace, &last, &b);
        highlighted_last = b.width * b.height > a.width * a.height;
      }
      g_assert_true (highlighted_last);
      g_test_message ("%s: %u steps in frames of %s", names[i], n_steps, first_size);

      g_assert_true (bp_export_steps (e.diagram, e.trace, NULL, pdf, NULL, &written, &error));
      g_assert_no_error (error);
      if (pdfinfo != NULL)
        {
          const char *argv[] = { pdfinfo, pdf, NULL };
          g_autofree char *out = NULL;
          g_autofree char *pages = g_strdup_printf ("Pages:           %u\n", n_steps);

          g_assert_true (run (argv, NULL, &out));
          g_assert_nonnull (strstr (out, pages));
        }
      example_clear (&e);
    }
  remove_tree (dir);
}

static void
test_tikz (void)
{
  Example e = { 0 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "apples.tex", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *pdflatex = g_find_program_in_path ("pdflatex");
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  int depth = 0;

  example_load (&e, "apples");
  bp_diagram_state_set_position (&state, e.trace, bp_trace_get_n_steps (e.trace));
  g_assert_true (bp_export_to_file (e.diagram, e.trace, &state, path, 1.0, NULL));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\\begin{tikzpicture}"));
  g_assert_true (g_str_has_suffix (contents, "\\end{tikzpicture}\n"));
  /* Braces balance outside comments and escapes. */
  for (const char *p = contents; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '%')
        p = strchr (p, '\n') != NULL ? strchr (p, '\n') : p + strlen (p) - 1;
      else if (*p == '{')
        depth++;
      else if (*p == '}')
        g_assert_cmpint (--depth, >=, 0);
    }
  g_assert_cmpint (depth, ==, 0);
  /* Values above the arrows, gradients below, each a node of text. */
  g_assert_nonnull (strstr (contents, "{220};"));
  g_assert_nonnull (strstr (contents, "{2.2};"));
  g_assert_nonnull (strstr (contents, "{110};"));
  g_assert_nonnull (strstr (contents, "\\definecolor"));
  g_assert_null (strstr (contents, "×"));   /* symbols written for pdflatex */

  if (pdflatex != NULL)
    {
      g_autofree char *doc = g_build_filename (dir, "doc.tex", NULL);
      const char *argv[] = { pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex",
                             NULL };

      g_assert_true (g_file_set_contents (doc, "\\documentclass{article}\n"
                                          "\\usepackage[T1]{fontenc}\n"
                                          "\\usepackage{tikz}\n"
                                          "\\begin{document}\n\\input{apples.tex}\n"
                                          "\\end{document}\n", -1, NULL));
      g_assert_true (run (argv, dir, NULL));
    }
  else
    g_test_message ("pdflatex not installed: the picture was checked structurally");
  example_clear (&e);
  remove_tree (dir);
}

static void
test_png_fitted (void)
{
  Example e = { 0 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "big.png", NULL);
  g_autoptr(GError) error = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpExportOptions options = { 0 };
  cairo_surface_t *surface;

  example_load (&e, "apples");
  options.scale = 60;
  /* Refused unless asked to fit. */
  g_assert_false (bp_export_states (e.diagram, e.trace, &state, 1, path, &options, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_clear_error (&error);
  options.fit_png = TRUE;
  g_assert_true (bp_export_states (e.diagram, e.trace, &state, 1, path, &options, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (options.used_scale, <, 60);
  g_assert_cmpfloat (options.used_scale, >, 10);
  surface = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (MAX (cairo_image_surface_get_width (surface),
                        cairo_image_surface_get_height (surface)), <=, BP_EXPORT_PNG_MAX_SIDE);
  g_assert_cmpint (MAX (cairo_image_surface_get_width (surface),
                        cairo_image_surface_get_height (surface)), >, BP_EXPORT_PNG_MAX_SIDE - 4);
  cairo_surface_destroy (surface);
  example_clear (&e);
  remove_tree (dir);
}

/* Copy picture: the same SVG and PNG, in memory. */
static void
test_bytes (void)
{
  Example e = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) svg = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) pdf = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  const char *text;
  gsize size;

  example_load (&e, "apples");
  bp_diagram_state_set_position (&state, e.trace, bp_trace_get_n_steps (e.trace));
  svg = bp_export_to_bytes (e.diagram, e.trace, &state, BP_EXPORT_SVG, NULL, &error);
  g_assert_no_error (error);
  text = g_bytes_get_data (svg, &size);
  g_assert_true (g_str_has_prefix (text, "<?xml"));
  g_assert_nonnull (g_strstr_len (text, size, ">220</text>"));
  png = bp_export_to_bytes (e.diagram, e.trace, &state, BP_EXPORT_PNG, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (memcmp (g_bytes_get_data (png, NULL), "\x89PNG", 4), ==, 0);
  pdf = bp_export_to_bytes (e.diagram, e.trace, &state, BP_EXPORT_PDF, NULL, &error);
  g_assert_null (pdf);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  example_clear (&e);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export-text/svg-text", test_svg_text);
  g_test_add_func ("/export-text/steps-one-frame", test_steps_one_frame);
  g_test_add_func ("/export-text/tikz", test_tikz);
  g_test_add_func ("/export-text/png-fitted", test_png_fitted);
  g_test_add_func ("/export-text/bytes", test_bytes);
  return g_test_run ();
}
