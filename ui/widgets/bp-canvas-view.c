/* SPDX-License-Identifier: MIT */
/* The view: widget = diagram × zoom + offset; zoom, fit and pan. */
#include <math.h>

#include "bp-canvas-private.h"

/* Stored positions times this are diagram units (see
 * bp_diagram_set_spread_positions()): presenting spreads the nodes. */
double
_bp_canvas_get_spread (BpCanvas *self)
{
  return self->diagram != NULL ? bp_diagram_get_spread (self->diagram) : 1.0;
}

/* Scrolls the view by whole pixels. The kept scene is shifted and only
 * the strips that come into view are drawn. */
void
_bp_canvas_pan_by (BpCanvas *self,
                   double    dx,
                   double    dy)
{
  int width = self->scene_width;
  int height = self->scene_height;
  cairo_surface_t *shifted;
  cairo_region_t *fresh;
  cairo_t *cr;

  if (dx == 0 && dy == 0)
    return;
  self->offset_x += dx;
  self->offset_y += dy;
  self->need_fit = FALSE;

  if (!self->scene_valid || self->scene == NULL ||
      fabs (dx) >= width || fabs (dy) >= height)
    {
      _bp_canvas_invalidate_scene (self);
      return;
    }

  shifted = cairo_surface_create_similar_image (self->scene, CAIRO_FORMAT_RGB24,
                                                width * self->scene_scale,
                                                height * self->scene_scale);
  cairo_surface_set_device_scale (shifted, self->scene_scale, self->scene_scale);
  cr = cairo_create (shifted);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_surface (cr, self->scene, dx, dy);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (self->scene);
  self->scene = shifted;

  /* Pending damage moves with the picture; what came into view is new. */
  cairo_region_translate (self->damage, (int) dx, (int) dy);
  fresh = cairo_region_create_rectangle (&(cairo_rectangle_int_t) { 0, 0, width, height });
  cairo_region_subtract_rectangle (fresh, &(cairo_rectangle_int_t) { (int) dx, (int) dy, width, height });
  cairo_region_union (self->damage, fresh);
  cairo_region_destroy (fresh);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
bp_canvas_clamp_zoom (double *zoom)
{
  *zoom = CLAMP (*zoom, ZOOM_MIN, ZOOM_MAX);
}

void
_bp_canvas_zoom_at (BpCanvas *self,
                    double    zoom,
                    double    wx,
                    double    wy)
{
  double dx, dy;

  bp_canvas_clamp_zoom (&zoom);
  if (zoom == self->zoom)
    return;
  bp_canvas_widget_to_diagram (self, wx, wy, &dx, &dy);
  self->zoom = zoom;
  /* Keep the diagram point under (wx, wy) where it was. */
  self->offset_x = wx - dx * zoom;
  self->offset_y = wy - dy * zoom;
  self->need_fit = FALSE;
  _bp_canvas_invalidate_scene (self);
}

double
bp_canvas_get_zoom (BpCanvas *self)
{
  g_return_val_if_fail (BP_IS_CANVAS (self), 1.0);
  return self->zoom;
}

void
bp_canvas_set_zoom (BpCanvas *self,
                    double    zoom,
                    double    x,
                    double    y)
{
  g_return_if_fail (BP_IS_CANVAS (self));

  if (x < 0 || y < 0)
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  _bp_canvas_zoom_at (self, zoom, x, y);
}

void
bp_canvas_zoom_fit (BpCanvas *self)
{
  BpDiagramState state;
  cairo_rectangle_t bounds;
  int width, height;
  double zoom;

  g_return_if_fail (BP_IS_CANVAS (self));

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  if (self->diagram == NULL || width <= 0 || height <= 0)
    {
      self->need_fit = TRUE;
      return;
    }
  self->need_fit = FALSE;

  _bp_canvas_fill_state (self, &state);
  bp_diagram_get_bounds (self->diagram, &state, &bounds);
  if (bounds.width <= 0 || bounds.height <= 0)
    {
      bounds.width = MAX (bounds.width, 1);
      bounds.height = MAX (bounds.height, 1);
    }
  zoom = MIN ((width - 2 * FIT_MARGIN) / bounds.width,
              (height - 2 * FIT_MARGIN) / bounds.height);
  /* A tiny graph should not fill the screen with giant circles. */
  zoom = MIN (zoom, 2.0);
  bp_canvas_clamp_zoom (&zoom);
  self->zoom = zoom;
  self->offset_x = width / 2.0 - (bounds.x + bounds.width / 2) * zoom;
  self->offset_y = height / 2.0 - (bounds.y + bounds.height / 2) * zoom;
  _bp_canvas_invalidate_scene (self);
}

void
bp_canvas_widget_to_diagram (BpCanvas *self,
                             double    wx,
                             double    wy,
                             double   *dx,
                             double   *dy)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  *dx = (wx - self->offset_x) / self->zoom;
  *dy = (wy - self->offset_y) / self->zoom;
}

void
bp_canvas_diagram_to_widget (BpCanvas *self,
                             double    dx,
                             double    dy,
                             double   *wx,
                             double   *wy)
{
  g_return_if_fail (BP_IS_CANVAS (self));
  *wx = dx * self->zoom + self->offset_x;
  *wy = dy * self->zoom + self->offset_y;
}
