/* SPDX-License-Identifier: MIT */
/* The exported picture in memory (Copy picture: PNG and SVG on the
 * clipboard), drawn by the same renderer as the files. */

#include <math.h>
#include <string.h>

#include "bp-describe.h"
#include "bp-export.h"

#define MARGIN 24.0   /* as the files */

static cairo_status_t
append_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
bp_export_to_bytes (BpDiagram            *diagram,
                    BpTrace              *trace,
                    const BpDiagramState *state,
                    BpExportFormat        format,
                    BpExportOptions      *options,
                    GError              **error)
{
  static const BpDiagramState default_state = BP_DIAGRAM_STATE_INIT;
  BpExportOptions no_options = { 0 };
  cairo_rectangle_t bounds, area;
  double scale, w, h, r, g, b;

  g_return_val_if_fail (BP_IS_DIAGRAM (diagram), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (state == NULL)
    state = &default_state;
  if (options == NULL)
    options = &no_options;
  scale = options->scale > 0 ? options->scale : 1.0;
  if (!(scale > 0.01 && scale <= 64))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   "The scale must be between 0.01 and 64, not %g", scale);
      return NULL;
    }
  if (options->frame != NULL)
    bounds = *options->frame;
  else
    bp_diagram_get_trace_bounds (diagram, trace, state, &bounds);
  area = (cairo_rectangle_t) { bounds.x - MARGIN, bounds.y - MARGIN,
                               bounds.width + 2 * MARGIN, bounds.height + 2 * MARGIN };
  w = ceil (area.width * scale);
  h = ceil (area.height * scale);
  bp_diagram_state_get_background (state, &r, &g, &b);

  switch (format)
    {
    case BP_EXPORT_SVG:
    case BP_EXPORT_TIKZ:
      {
        g_autoptr(BpPainter) painter = NULL;
        const char *title = options->title != NULL ? options->title : "A computational graph";
        BpRgba bg = { r, g, b, 1 };
        char *text;
        gsize length;

        painter = format == BP_EXPORT_SVG ? bp_painter_new_svg (w, h, &area, title)
                                          : bp_painter_new_tikz (&area, scale, title);
        bp_painter_rectangle (painter, area.x, area.y, area.width, area.height);
        bp_painter_draw_path (painter, &bg, NULL, 0, NULL, 0);
        bp_diagram_paint (diagram, painter, trace, state);
        text = bp_painter_finish (painter, &length);
        options->used_scale = scale;
        return g_bytes_new_take (text, length);
      }

    case BP_EXPORT_PNG:
      {
        GByteArray *bytes;
        cairo_surface_t *surface;
        cairo_status_t status;
        cairo_t *cr;

        if (w > BP_EXPORT_PNG_MAX_SIDE || h > BP_EXPORT_PNG_MAX_SIDE || !isfinite (w)
            || !isfinite (h))
          {
            if (!options->fit_png || !isfinite (w) || !isfinite (h))
              {
                g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                             "The image would be %.0f × %.0f pixels (at most %d a side)",
                             w, h, BP_EXPORT_PNG_MAX_SIDE);
                return NULL;
              }
            scale = MIN ((BP_EXPORT_PNG_MAX_SIDE - 1) / area.width,
                         (BP_EXPORT_PNG_MAX_SIDE - 1) / area.height);
            w = MIN (ceil (area.width * scale), BP_EXPORT_PNG_MAX_SIDE);
            h = MIN (ceil (area.height * scale), BP_EXPORT_PNG_MAX_SIDE);
          }
        surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
        cr = cairo_create (surface);
        cairo_set_source_rgb (cr, r, g, b);
        cairo_paint (cr);
        cairo_scale (cr, scale, scale);
        cairo_translate (cr, -area.x, -area.y);
        bp_diagram_draw (diagram, cr, trace, state);
        cairo_destroy (cr);
        bytes = g_byte_array_new ();
        status = cairo_surface_status (surface);
        if (status == CAIRO_STATUS_SUCCESS)
          status = cairo_surface_write_to_png_stream (surface, append_cb, bytes);
        cairo_surface_destroy (surface);
        if (status != CAIRO_STATUS_SUCCESS)
          {
            g_byte_array_unref (bytes);
            g_set_error (error, BP_ERROR, BP_ERROR_IO, "Cannot draw the picture: %s",
                         cairo_status_to_string (status));
            return NULL;
          }
        options->used_scale = scale;
        return g_byte_array_free_to_bytes (bytes);
      }

    case BP_EXPORT_TEXT:
      {
        char *text = bp_describe_transcript (bp_diagram_get_graph (diagram), trace, state,
                                             options->title);

        options->used_scale = scale;
        return g_bytes_new_take (text, strlen (text));
      }

    case BP_EXPORT_PDF:
    default:
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   "A picture in memory is SVG, PNG or TikZ, not PDF");
      return NULL;
    }
}
