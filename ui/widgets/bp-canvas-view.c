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
  if (self->follow == NULL || adw_animation_get_state (self->follow) != ADW_ANIMATION_PLAYING)
    self->auto_fit = FALSE;

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
  self->auto_fit = FALSE;
  bp_transcript ("view: zoom %g", zoom);
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

  self->auto_fit = TRUE;
  _bp_canvas_fill_state (self, &state);
  /* The renderer knows what the drawing needs at each zoom (matrices turn
   * into chips when small). */
  zoom = bp_diagram_fit (self->diagram, _bp_canvas_trace (self), &state,
                         width, height, FIT_MARGIN, &bounds);
  if (bounds.width <= 0 || bounds.height <= 0)
    {
      bounds.width = MAX (bounds.width, 1);
      bounds.height = MAX (bounds.height, 1);
    }
  /* A tiny graph should not fill the screen with giant circles. */
  if (zoom > 2.0)
    {
      double cx = bounds.x + bounds.width / 2, cy = bounds.y + bounds.height / 2;

      bounds.width *= zoom / 2.0;
      bounds.height *= zoom / 2.0;
      bounds.x = cx - bounds.width / 2;
      bounds.y = cy - bounds.height / 2;
      zoom = 2.0;
    }
  bp_canvas_clamp_zoom (&zoom);
  self->zoom = zoom;
  self->offset_x = width / 2.0 - (bounds.x + bounds.width / 2) * zoom;
  self->offset_y = height / 2.0 - (bounds.y + bounds.height / 2) * zoom;
  bp_transcript ("view: zoom %g (fitted)", zoom);
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

static void
follow_value_cb (double   value,
                 gpointer user_data)
{
  BpCanvas *self = user_data;
  double x = self->follow_from_x + (self->follow_to_x - self->follow_from_x) * value;
  double y = self->follow_from_y + (self->follow_to_y - self->follow_from_y) * value;

  _bp_canvas_pan_by (self, round (x - self->offset_x), round (y - self->offset_y));
}

void
_bp_canvas_follow_step (BpCanvas *self)
{
  BpDiagramState state;
  cairo_rectangle_t rect;
  double x0, y0, x1, y1, dx = 0, dy = 0;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->diagram == NULL || width <= 0 || height <= 0)
    return;
  _bp_canvas_fill_state (self, &state);
  if (!bp_diagram_get_step_rect (self->diagram, _bp_canvas_trace (self), &state, &rect))
    return;
  bp_canvas_diagram_to_widget (self, rect.x, rect.y, &x0, &y0);
  bp_canvas_diagram_to_widget (self, rect.x + rect.width, rect.y + rect.height, &x1, &y1);

  /* Only when the step leaves the view, and only as far as needed (a
   * fitted view already shows the graph: it stays put). */
  if (self->auto_fit)
    return;
  if (x0 >= FIT_MARGIN && x1 <= width - FIT_MARGIN && y0 >= FIT_MARGIN && y1 <= height - FIT_MARGIN)
    return;
  if (x1 - x0 > width - 2 * FIT_MARGIN)
    dx = width / 2.0 - (x0 + x1) / 2;
  else if (x0 < FIT_MARGIN)
    dx = FIT_MARGIN - x0;
  else if (x1 > width - FIT_MARGIN)
    dx = width - FIT_MARGIN - x1;
  if (y1 - y0 > height - 2 * FIT_MARGIN)
    dy = height / 2.0 - (y0 + y1) / 2;
  else if (y0 < FIT_MARGIN)
    dy = FIT_MARGIN - y0;
  else if (y1 > height - FIT_MARGIN)
    dy = height - FIT_MARGIN - y1;

  if (self->follow == NULL)
    {
      AdwAnimationTarget *target = adw_callback_animation_target_new (follow_value_cb, self, NULL);

      self->follow = adw_timed_animation_new (GTK_WIDGET (self), 0.0, 1.0, 350, target);
      adw_timed_animation_set_easing (ADW_TIMED_ANIMATION (self->follow), ADW_EASE_OUT_CUBIC);
    }
  adw_animation_reset (self->follow);
  self->follow_from_x = self->offset_x;
  self->follow_from_y = self->offset_y;
  self->follow_to_x = self->offset_x + dx;
  self->follow_to_y = self->offset_y + dy;
  /* At once when animations are off or the canvas is not mapped. */
  adw_animation_play (self->follow);
}
