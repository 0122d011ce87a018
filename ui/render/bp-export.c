/* SPDX-License-Identifier: MIT */
/* Export: the same renderer onto a PNG or PDF surface, or through the SVG
 * and TikZ writers of bp-painter.h. The file is drawn into memory and
 * then written with bp_file_replace_contents(), so a failed export never
 * leaves half a file behind, and read-only files, devices and symbolic
 * links are treated as Save treats them. */

#include <math.h>
#include <string.h>
#include <cairo-pdf.h>

#include "bp-describe.h"
#include "bp-export.h"
#include "bp-file.h"

#define EXPORT_MARGIN 24.0
/* A PNG larger than this per side is refused (a 16k × 16k image is 1 GiB). */
#define PNG_MAX_SIDE  BP_EXPORT_PNG_MAX_SIDE
/* Cairo's coordinates are 24.8 fixed point: keep pages well inside. */
#define VECTOR_MAX_SIDE 4000000.0

gboolean
bp_export_format_from_path (const char *path, BpExportFormat *format, GError **error)
{
  const char *dot;

  g_return_val_if_fail (path != NULL, FALSE);

  dot = strrchr (path, '.');
  if (dot != NULL && strchr (dot, G_DIR_SEPARATOR) == NULL)
    {
      if (g_ascii_strcasecmp (dot, ".svg") == 0)
        {
          *format = BP_EXPORT_SVG;
          return TRUE;
        }
      if (g_ascii_strcasecmp (dot, ".png") == 0)
        {
          *format = BP_EXPORT_PNG;
          return TRUE;
        }
      if (g_ascii_strcasecmp (dot, ".pdf") == 0)
        {
          *format = BP_EXPORT_PDF;
          return TRUE;
        }
      if (g_ascii_strcasecmp (dot, ".tex") == 0)
        {
          *format = BP_EXPORT_TIKZ;
          return TRUE;
        }
      if (g_ascii_strcasecmp (dot, ".txt") == 0)
        {
          *format = BP_EXPORT_TEXT;
          return TRUE;
        }
    }
  g_set_error (error, BP_ERROR, BP_ERROR_IO,
               "Cannot tell the format of “%s”: use a name ending in .svg, .png, .pdf, .tex or .txt",
               path);
  return FALSE;
}

/* The file, in memory until it is complete: it is then written with
 * bp_file_replace_contents(), as Save writes a document. */
static cairo_status_t
write_cb (void *closure, const unsigned char *data, unsigned int length)
{
  GByteArray *bytes = closure;

  /* A GByteArray holds at most 4 GiB; a PNG is bounded far below. */
  if ((guint64) bytes->len + length > G_MAXUINT)
    return CAIRO_STATUS_NO_MEMORY;
  g_byte_array_append (bytes, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* `area` is what the picture shows, margin included, in diagram units. */
static void
paint (BpDiagram *diagram, cairo_surface_t *surface, BpTrace *trace,
       const BpDiagramState *state, const cairo_rectangle_t *area, double scale,
       const char *heading)
{
  cairo_t *cr = cairo_create (surface);
  g_autoptr(BpPainter) painter = bp_painter_new_cairo (cr);
  double r, g, b;

  bp_diagram_state_get_background (state, &r, &g, &b);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, -area->x, -area->y);
  if (heading != NULL)
    bp_diagram_paint_heading (diagram, painter, heading, area->x + EXPORT_MARGIN,
                              area->y + EXPORT_MARGIN, state->pass, state->dark);
  bp_diagram_paint (diagram, painter, trace, state);
  cairo_destroy (cr);
}

static const char *
heading_of (const BpExportOptions *options, guint i)
{
  return options->headings != NULL && options->frame != NULL ? options->headings[i] : NULL;
}

/* The SVG or TikZ text of one state. */
static char *
write_text (BpDiagram *diagram, BpTrace *trace, const BpDiagramState *state,
            BpExportFormat format, const cairo_rectangle_t *area, double scale,
            const char *title, const char *heading, gsize *length)
{
  g_autoptr(BpPainter) painter = NULL;
  const char *fallback = "A computational graph";
  double r, g, b;
  BpRgba bg;

  if (format == BP_EXPORT_SVG)
    painter = bp_painter_new_svg (ceil (area->width * scale), ceil (area->height * scale),
                                  area, title != NULL ? title : fallback);
  else
    painter = bp_painter_new_tikz (area, scale, title != NULL ? title : fallback);
  bp_diagram_state_get_background (state, &r, &g, &b);
  bg = (BpRgba) { r, g, b, 1 };
  bp_painter_rectangle (painter, area->x, area->y, area->width, area->height);
  bp_painter_draw_path (painter, &bg, NULL, 0, NULL, 0);
  if (heading != NULL)
    bp_diagram_paint_heading (diagram, painter, heading, area->x + EXPORT_MARGIN,
                              area->y + EXPORT_MARGIN, state->pass, state->dark);
  bp_diagram_paint (diagram, painter, trace, state);
  return bp_painter_finish (painter, length);
}

gboolean
bp_export_to_file (BpDiagram            *diagram,
                   BpTrace              *trace,
                   const BpDiagramState *state,
                   const char           *path,
                   double                scale,
                   GError              **error)
{
  static const BpDiagramState default_state = BP_DIAGRAM_STATE_INIT;
  BpExportOptions options = { 0 };

  options.scale = scale;
  return bp_export_states (diagram, trace, state != NULL ? state : &default_state, 1,
                           path, &options, error);
}

gboolean
bp_export_states (BpDiagram            *diagram,
                  BpTrace              *trace,
                  const BpDiagramState *states,
                  guint                 n_states,
                  const char           *path,
                  BpExportOptions      *options,
                  GError              **error)
{
  BpExportOptions no_options = { 0 };
  BpExportFormat format;
  cairo_rectangle_t bounds, area;
  cairo_surface_t *surface = NULL;
  cairo_status_t status;
  cairo_status_t write_status = CAIRO_STATUS_SUCCESS;
  g_autoptr(GByteArray) bytes = NULL;
  const BpDiagramState *state = states;
  double w, h, scale;

  g_return_val_if_fail (BP_IS_DIAGRAM (diagram), FALSE);
  g_return_val_if_fail (states != NULL && n_states > 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    options = &no_options;
  scale = options->scale > 0 ? options->scale : 1.0;
  if (!bp_export_format_from_path (path, &format, error))
    return FALSE;
  if (format == BP_EXPORT_TEXT)
    {
      /* Words, not a picture: the whole graph and both passes. */
      g_autofree char *text = bp_describe_transcript (bp_diagram_get_graph (diagram), trace,
                                                      state, options->title);

      options->used_scale = scale;
      return bp_file_replace_contents (path, text, strlen (text), error);
    }
  if (n_states > 1 && format != BP_EXPORT_PDF)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   "Only a PDF holds several pictures (one per page), not “%s”", path);
      return FALSE;
    }
  if (!(scale > 0.01 && scale <= 64))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   "The scale must be between 0.01 and 64, not %g", scale);
      return FALSE;
    }

  if (options->frame != NULL)
    bounds = *options->frame;
  else
    bp_diagram_get_trace_bounds (diagram, trace, state, &bounds);
  area = (cairo_rectangle_t) { bounds.x - EXPORT_MARGIN, bounds.y - EXPORT_MARGIN,
                               bounds.width + 2 * EXPORT_MARGIN,
                               bounds.height + 2 * EXPORT_MARGIN };
  w = ceil (area.width * scale);
  h = ceil (area.height * scale);
  if (!isfinite (w) || !isfinite (h) || w > VECTOR_MAX_SIDE || h > VECTOR_MAX_SIDE)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   "The diagram is too large to export (%g × %g); move the nodes "
                   "closer together or use a smaller --scale", w, h);
      return FALSE;
    }
  if (format == BP_EXPORT_PNG && (w > PNG_MAX_SIDE || h > PNG_MAX_SIDE))
    {
      if (!options->fit_png)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                       "The image would be %.0f × %.0f pixels; use a smaller --scale "
                       "(at most %d pixels per side)", w, h, PNG_MAX_SIDE);
          return FALSE;
        }
      /* Fitted to the limit, a little under so that rounding up stays in. */
      scale = MIN ((PNG_MAX_SIDE - 1) / area.width, (PNG_MAX_SIDE - 1) / area.height);
      w = MIN (ceil (area.width * scale), PNG_MAX_SIDE);
      h = MIN (ceil (area.height * scale), PNG_MAX_SIDE);
    }
  options->used_scale = scale;

  bytes = g_byte_array_new ();
  switch (format)
    {
    case BP_EXPORT_SVG:
    case BP_EXPORT_TIKZ:
      {
        gsize length = 0;
        g_autofree char *text = write_text (diagram, trace, state, format, &area, scale,
                                            options->title, heading_of (options, 0), &length);

        /* A surface only to carry the write status like the others. */
        surface = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
        write_status = write_cb (bytes, (const unsigned char *) text, (unsigned int) length);
      }
      break;

    case BP_EXPORT_PDF:
      surface = cairo_pdf_surface_create_for_stream (write_cb, bytes, w, h);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Backprop Studio");
      if (options->title != NULL)
        cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, options->title);
      /* One page per state: a handout. */
      for (guint i = 0; i < n_states; i++)
        {
          paint (diagram, surface, trace, &states[i], &area, scale, heading_of (options, i));
          if (i + 1 < n_states)
            cairo_surface_show_page (surface);
        }
      break;

    case BP_EXPORT_PNG:
    default:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
      paint (diagram, surface, trace, state, &area, scale, heading_of (options, 0));
      status = cairo_surface_status (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        write_status = cairo_surface_write_to_png_stream (surface, write_cb, bytes);
      break;
    }

  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = write_status;
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_IO, "Cannot write “%s”: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return bp_file_replace_contents (path, (const char *) bytes->data, bytes->len, error);
}
