/* SPDX-License-Identifier: MIT */
/* Thumbnails of graphs for the examples gallery, drawn by the one
 * renderer the canvas and the exports use. */

#include "bp-error.h"
#include "bp-layout.h"
#include "bp-thumbnail.h"

#define THUMBNAIL_MARGIN 8.0   /* logical pixels around the drawing */
#define THUMBNAIL_MAX_SIDE 4096

cairo_surface_t *
bp_thumbnail_render (BpGraph  *graph,
                     int       width,
                     int       height,
                     double    device_scale,
                     gboolean  dark,
                     GError  **error)
{
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  g_autoptr(BpDiagram) diagram = NULL;
  g_autoptr(GError) local_error = NULL;
  cairo_rectangle_t bounds;
  cairo_surface_t *surface;
  cairo_t *cr;
  BpTrace *trace = NULL;
  double zoom, r, g, b;

  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (width < 1 || height < 1 || width > THUMBNAIL_MAX_SIDE || height > THUMBNAIL_MAX_SIDE)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   "A thumbnail is 1 to %d pixels a side, not %d × %d",
                   THUMBNAIL_MAX_SIDE, width, height);
      return NULL;
    }
  if (!(device_scale >= 1 && device_scale <= 8))
    device_scale = 1;

  diagram = bp_diagram_new (graph);
  if (!bp_layout_arrange (diagram, TRUE, &local_error))
    g_debug ("Thumbnail without a layout: %s", local_error->message);

  /* The values make a picture of what the example computes; a graph
   * that cannot run is still worth showing as it is. */
  if (bp_graph_get_n_nodes (graph) > 0 && bp_graph_forward (graph, NULL))
    {
      trace = bp_graph_get_trace (graph);
      state.pass = BP_PASS_FORWARD;
      state.step = bp_trace_get_n_forward (trace);
    }
  state.dark = dark;

  /* Fitted in logical pixels, drawn in device pixels. */
  zoom = bp_diagram_fit (diagram, trace, &state, width / device_scale, height / device_scale,
                         THUMBNAIL_MARGIN, &bounds);
  state.zoom = zoom * device_scale;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  bp_diagram_get_background (dark, &r, &g, &b);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_paint (cr);
  if (bounds.width > 0 && bounds.height > 0)
    {
      cairo_scale (cr, device_scale, device_scale);
      cairo_translate (cr, width / device_scale / 2, height / device_scale / 2);
      cairo_scale (cr, zoom, zoom);
      cairo_translate (cr, -(bounds.x + bounds.width / 2), -(bounds.y + bounds.height / 2));
      bp_diagram_draw (diagram, cr, trace, &state);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}
