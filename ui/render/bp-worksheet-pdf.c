/* SPDX-License-Identifier: MIT */
/* Worksheets on paper, drawn with the one diagram renderer: the quiz's
 * blanks (BpDiagramState.hidden_values / hidden_grads), numbered by
 * markers placed with bp_diagram_get_edge_label_rects(). */
#include <math.h>

#include <glib/gi18n-lib.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "bp-diagram.h"
#include "bp-layout.h"
#include "bp-worksheet-pdf.h"

#define MARGIN        40.0
#define FONT          "Cantarell, Noto Sans, DejaVu Sans, Noto Sans CJK KR, sans-serif"
#define LINE_HEIGHT   17.0
#define LIST_COLUMNS  3
/* The answer lines may take this share of the page at most; with more
 * blanks than fit, the numbered blanks of the diagram are the sheet. */
#define LIST_MAX_SHARE 0.35
#define MAX_DIAGRAM_SCALE 1.6
/* The output's value stands above its outgoing stub (the diagram's
 * STUB_MIN long): its blank is about this far right of the port. */
#define STUB_BLANK_X  18.0
#define STUB_BLANK_Y  28.0

typedef struct
{
  double r, g, b;
} Colour;

static const Colour ink = { 0.14, 0.14, 0.16 };
static const Colour marker = { 0.3, 0.3, 0.36 };
static const Colour rule = { 0.6, 0.6, 0.62 };

static void
set_colour (cairo_t      *cr,
            const Colour *c)
{
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
}

guint
bp_worksheet_pdf_get_n_pages (BpWorksheet *worksheet)
{
  g_return_val_if_fail (worksheet != NULL, 0);

  return 2 * bp_worksheet_get_n_variants (worksheet);
}

gboolean
bp_worksheet_pdf_is_key_page (BpWorksheet *worksheet,
                              guint        page)
{
  g_return_val_if_fail (worksheet != NULL, FALSE);

  return page >= bp_worksheet_get_n_variants (worksheet);
}

static PangoLayout *
text_layout (cairo_t    *cr,
             const char *text,
             double      size,
             gboolean    bold,
             double      width)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string (FONT);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* Draws text at (x, y), its top left, in at most `max_lines` lines (0:
 * any), ellipsized; returns its height. */
static double
show_text_lines (cairo_t    *cr,
                 const char *text,
                 double      x,
                 double      y,
                 double      size,
                 gboolean    bold,
                 double      width,
                 int         max_lines)
{
  g_autoptr(PangoLayout) layout = text_layout (cr, text, size, bold, width);
  int w, h;

  if (max_lines > 0)
    {
      pango_layout_set_height (layout, -max_lines);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }

  pango_layout_get_size (layout, &w, &h);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  return (double) h / PANGO_SCALE;
}

static double
show_text (cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      size,
           gboolean    bold,
           double      width)
{
  return show_text_lines (cr, text, x, y, size, bold, width, 0);
}

/* A number in a small orange tag whose right edge is at x. */
static void
draw_marker (cairo_t *cr,
             guint    number,
             double   right,
             double   cy)
{
  g_autofree char *text = g_strdup_printf ("%u", number);
  g_autoptr(PangoLayout) layout = text_layout (cr, text, 10, TRUE, -1);
  int pw, ph;
  double w, h, x, y, r = 3;

  pango_layout_get_size (layout, &pw, &ph);
  w = (double) pw / PANGO_SCALE + 6;
  h = (double) ph / PANGO_SCALE + 1;
  x = right - w;
  y = cy - h / 2;
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  set_colour (cr, &marker);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_move_to (cr, x + 3, y + 0.5);
  pango_cairo_show_layout (cr, layout);
}

/* Every blank of the variant gets its number beside each place the
 * diagram writes it. */
static void
draw_markers (BpWorksheet          *worksheet,
              guint                 variant,
              BpDiagram            *diagram,
              const BpDiagramState *state,
              cairo_t              *cr)
{
  BpGraph *graph = bp_worksheet_get_graph (worksheet, variant);
  BpTrace *trace = bp_worksheet_get_trace (worksheet, variant);
  guint n_blanks = bp_worksheet_get_n_blanks (worksheet, variant);
  guint n_nodes = bp_graph_get_n_nodes (graph);

  for (guint b = 0; b < n_blanks; b++)
    {
      const BpWorksheetBlank *blank = bp_worksheet_get_blank (worksheet, variant, b);
      cairo_rectangle_t vr, gr;

      if (blank->kind == BP_QUIZ_GRAD)
        {
          if (bp_diagram_get_edge_label_rects (diagram, trace, state, blank->consumer,
                                               blank->slot, &vr, &gr, NULL) & 2)
            draw_marker (cr, blank->number, gr.x - 2, gr.y + gr.height / 2);
          continue;
        }

      for (guint i = 0; i < n_nodes; i++)
        {
          BpNode *consumer = bp_graph_get_node (graph, i);

          for (guint s = 0; s < bp_node_get_n_inputs (consumer); s++)
            if (bp_node_get_input (consumer, s) == blank->node
                && (bp_diagram_get_edge_label_rects (diagram, trace, state, consumer, s,
                                                     &vr, &gr, NULL) & 1))
              draw_marker (cr, blank->number, vr.x - 2, vr.y + vr.height / 2);
        }
      if (blank->node == bp_graph_get_output (graph))
        {
          double x, y;

          bp_diagram_get_output_port (diagram, blank->node, &x, &y);
          draw_marker (cr, blank->number, x + STUB_BLANK_X - 2, y - STUB_BLANK_Y / 2 - 2);
        }
    }
}

static char *
instructions (BpWorksheetHide hide)
{
  switch ((int) hide)
    {
    case BP_WORKSHEET_HIDE_VALUES:
      return g_strdup (_("Run the forward pass: write the value of each node in the blanks above the arrows."));
    case BP_WORKSHEET_HIDE_GRADIENTS:
      return g_strdup (_("Run the backward pass from 1 at the output: write in the blanks below the arrows the gradient each node sends back (upstream gradient × local gradient)."));
    default:
      return g_strdup (_("Run the forward pass (values above the arrows), then the backward pass from 1 at the output (gradients below the arrows), and fill in every blank."));
    }
}

void
bp_worksheet_pdf_draw_page (BpWorksheet *worksheet,
                            cairo_t     *cr,
                            guint        page,
                            double       width,
                            double       height)
{
  guint n_variants;
  guint variant;
  gboolean key;
  g_autoptr(BpDiagram) diagram = NULL;
  g_autoptr(GString) heading = g_string_new (NULL);
  g_autofree char *givens = NULL;
  g_autofree char *text = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpGraph *graph;
  BpTrace *trace;
  cairo_rectangle_t bounds;
  guint n_blanks, rows, columns;
  double y, list_h, area_w, area_h, scale, ox, oy;

  g_return_if_fail (worksheet != NULL);
  g_return_if_fail (page < bp_worksheet_pdf_get_n_pages (worksheet));

  n_variants = bp_worksheet_get_n_variants (worksheet);
  key = page >= n_variants;
  variant = key ? page - n_variants : page;
  graph = bp_worksheet_get_graph (worksheet, variant);
  trace = bp_worksheet_get_trace (worksheet, variant);
  n_blanks = bp_worksheet_get_n_blanks (worksheet, variant);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  /* Heading: the title, the variant, a line for the name. */
  set_colour (cr, &ink);
  y = MARGIN;
  y += show_text (cr, bp_worksheet_get_title (worksheet), MARGIN, y, 17, TRUE, width - 2 * MARGIN);
  if (key)
    /* Translators: the heading of an answer key page; %u the variant */
    g_string_printf (heading, _("Answer key — variant %u of %u"), variant + 1, n_variants);
  else
    /* Translators: the heading of a worksheet page; %u the variant */
    g_string_printf (heading, _("Variant %u of %u        Name: ______________________"),
                     variant + 1, n_variants);
  y += 4 + show_text (cr, heading->str, MARGIN, y + 4, 11, FALSE, width - 2 * MARGIN);
  text = instructions (bp_worksheet_get_hide (worksheet));
  givens = bp_worksheet_describe_givens (worksheet, variant);
  if (!key)
    y += 6 + show_text (cr, text, MARGIN, y + 6, 10.5, FALSE, width - 2 * MARGIN);
  {
    /* Translators: the leaf values of the variant follow */
    g_autofree char *line = g_strdup_printf (_("Given: %s"), givens);

    /* A big matrix would fill the page: its diagram shows the rest. */
    y += 4 + show_text_lines (cr, line, MARGIN, y + 4, 10.5, FALSE, width - 2 * MARGIN, 3);
  }
  y += 10;

  /* The list of blanks at the bottom: the answer lines in three columns;
   * the answers, longer, in as few columns as fit. */
  columns = key ? 1 : LIST_COLUMNS;
  for (;;)
    {
      rows = (n_blanks + columns - 1) / columns;
      list_h = rows * LINE_HEIGHT + 10;
      if (list_h <= (height - y - MARGIN) * LIST_MAX_SHARE)
        break;
      if (columns >= LIST_COLUMNS)
        {
          list_h = 0;
          break;
        }
      columns++;
    }

  /* The diagram, fitted into what is left. */
  diagram = bp_diagram_new (graph);
  bp_layout_arrange (diagram, TRUE, NULL);
  state.progress = 1.0;
  if (key || (bp_worksheet_get_hide (worksheet) & BP_WORKSHEET_HIDE_GRADIENTS))
    {
      state.pass = BP_PASS_BACKWARD;
      state.step = bp_trace_get_n_backward (trace);
    }
  else
    {
      /* The gradients would give the values away (× swaps its inputs). */
      state.pass = BP_PASS_FORWARD;
      state.step = bp_trace_get_n_forward (trace);
    }
  if (!key)
    {
      state.hidden_values = bp_worksheet_get_hidden_values (worksheet, variant);
      state.hidden_grads = bp_worksheet_get_hidden_grads (worksheet, variant);
    }
  bp_diagram_get_trace_bounds (diagram, trace, &state, &bounds);
  area_w = width - 2 * MARGIN;
  area_h = height - y - MARGIN - list_h;
  /* room for the markers left of the labels */
  bounds.x -= 24;
  bounds.width += 24;
  scale = MIN (MAX_DIAGRAM_SCALE, MIN (area_w / MAX (bounds.width, 1), area_h / MAX (bounds.height, 1)));
  ox = MARGIN + (area_w - bounds.width * scale) / 2;
  oy = y + (area_h - bounds.height * scale) / 2;

  cairo_save (cr);
  cairo_translate (cr, ox, oy);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, -bounds.x, -bounds.y);
  bp_diagram_draw (diagram, cr, trace, &state);
  draw_markers (worksheet, variant, diagram, &state, cr);
  cairo_restore (cr);

  /* The answer lines, or the answers. */
  if (list_h > 0)
    {
      double top = height - MARGIN - list_h + 10;
      double col_w = area_w / columns;

      set_colour (cr, &rule);
      cairo_set_line_width (cr, 0.5);
      cairo_move_to (cr, MARGIN, top - 6);
      cairo_line_to (cr, width - MARGIN, top - 6);
      cairo_stroke (cr);
      set_colour (cr, &ink);
      for (guint b = 0; b < n_blanks; b++)
        {
          const BpWorksheetBlank *blank = bp_worksheet_get_blank (worksheet, variant, b);
          g_autofree char *what = bp_worksheet_describe_blank (blank);
          g_autofree char *line = NULL;
          guint col = b / rows;
          guint row = b % rows;

          if (key)
            {
              g_autofree char *answer = bp_tensor_to_string (blank->answer, 6);

              line = g_strdup_printf ("%u.  %s = %s", blank->number, what, answer);
            }
          else
            line = g_strdup_printf ("%u.  ________________", blank->number);
          show_text (cr, line, MARGIN + col * col_w, top + row * LINE_HEIGHT, 10.5, FALSE,
                     col_w - 8);
        }
    }
  cairo_restore (cr);
}

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
bp_worksheet_pdf_write (BpWorksheet  *worksheet,
                        const char   *path,
                        guint        *n_pages,
                        GError      **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t status;
  guint pages;
  cairo_t *cr;

  g_return_val_if_fail (worksheet != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  pages = bp_worksheet_pdf_get_n_pages (worksheet);
  surface = cairo_pdf_surface_create_for_stream (append_cb, bytes, BP_WORKSHEET_PAGE_WIDTH,
                                                 BP_WORKSHEET_PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  bp_worksheet_get_title (worksheet));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Backprop Studio");
  cr = cairo_create (surface);
  for (guint p = 0; p < pages; p++)
    {
      bp_worksheet_pdf_draw_page (worksheet, cr, p, BP_WORKSHEET_PAGE_WIDTH,
                                  BP_WORKSHEET_PAGE_HEIGHT);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_IO,
                   /* Translators: %s is Cairo's reason */
                   _("Could not draw the worksheet: %s"), cairo_status_to_string (status));
      return FALSE;
    }
  /* Written whole or not at all. */
  if (!g_file_set_contents (path, (const char *) bytes->data, (gssize) bytes->len, error))
    return FALSE;
  if (n_pages != NULL)
    *n_pages = pages;
  return TRUE;
}

gboolean
bp_worksheet_write_file (BpWorksheet  *worksheet,
                         const char   *path,
                         GError      **error)
{
  g_return_val_if_fail (worksheet != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_str_has_suffix (path, ".pdf") || g_str_has_suffix (path, ".PDF"))
    return bp_worksheet_pdf_write (worksheet, path, NULL, error);
  if (g_str_has_suffix (path, ".xml") || g_str_has_suffix (path, ".XML"))
    return bp_worksheet_save_moodle_xml (worksheet, path, error);
  g_set_error (error, BP_ERROR, BP_ERROR_IO,
               /* Translators: %s is a file name */
               _("Cannot tell what to write to “%s”: use a name ending in .pdf (worksheets "
                 "and answer keys) or .xml (Moodle)"), path);
  return FALSE;
}
