/* SPDX-License-Identifier: MIT */
/* The drawing interface and its Cairo back end. Everything that is not
 * Cairo-specific (rectangles, rounded corners) is built here from the
 * back ends' primitives, so every back end draws the same shapes. */

#include <math.h>
#include <pango/pangocairo.h>

#include "bp-painter.h"

void
bp_painter_move_to (BpPainter *self, double x, double y)
{
  self->klass->move_to (self, x, y);
}

void
bp_painter_line_to (BpPainter *self, double x, double y)
{
  self->klass->line_to (self, x, y);
}

void
bp_painter_arc (BpPainter *self, double xc, double yc, double radius,
                double angle1, double angle2)
{
  self->klass->arc (self, xc, yc, radius, angle1, angle2);
}

void
bp_painter_close_path (BpPainter *self)
{
  self->klass->close_path (self);
}

void
bp_painter_rectangle (BpPainter *self, double x, double y, double w, double h)
{
  self->klass->move_to (self, x, y);
  self->klass->line_to (self, x + w, y);
  self->klass->line_to (self, x + w, y + h);
  self->klass->line_to (self, x, y + h);
  self->klass->close_path (self);
}

void
bp_painter_rounded_rect (BpPainter *self, double x, double y, double w, double h, double r)
{
  r = MIN (r, MIN (w, h) / 2);
  self->klass->arc (self, x + w - r, y + r, r, -G_PI / 2, 0);
  self->klass->arc (self, x + w - r, y + h - r, r, 0, G_PI / 2);
  self->klass->arc (self, x + r, y + h - r, r, G_PI / 2, G_PI);
  self->klass->arc (self, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  self->klass->close_path (self);
}

void
bp_painter_draw_path (BpPainter *self, const BpRgba *fill, const BpRgba *stroke,
                      double line_width, const double *dash, guint n_dash)
{
  self->klass->draw_path (self, fill, stroke, line_width, dash, n_dash);
}

void
bp_painter_show_layout (BpPainter *self, PangoLayout *layout, double x, double y,
                        const BpRgba *colour)
{
  self->klass->show_layout (self, layout, x, y, colour);
}

void
bp_painter_begin_group (BpPainter *self, const char *id, const char *title, const char *desc)
{
  if (self->klass->begin_group != NULL)
    self->klass->begin_group (self, id, title, desc);
}

void
bp_painter_end_group (BpPainter *self)
{
  if (self->klass->end_group != NULL)
    self->klass->end_group (self);
}

cairo_t *
bp_painter_get_cairo (BpPainter *self)
{
  return self->cr;
}

char *
bp_painter_finish (BpPainter *self, gsize *length)
{
  if (self->klass->finish == NULL)
    {
      if (length != NULL)
        *length = 0;
      return NULL;
    }
  return self->klass->finish (self, length);
}

void
bp_painter_free (BpPainter *self)
{
  if (self != NULL)
    self->klass->free (self);
}

/* --- Cairo --- */

static void
cairo_move_to_cb (BpPainter *self, double x, double y)
{
  cairo_move_to (self->cr, x, y);
}

static void
cairo_line_to_cb (BpPainter *self, double x, double y)
{
  cairo_line_to (self->cr, x, y);
}

static void
cairo_arc_cb (BpPainter *self, double xc, double yc, double r, double a1, double a2)
{
  cairo_arc (self->cr, xc, yc, r, a1, a2);
}

static void
cairo_close_path_cb (BpPainter *self)
{
  cairo_close_path (self->cr);
}

static void
cairo_draw_path_cb (BpPainter *self, const BpRgba *fill, const BpRgba *stroke,
                    double line_width, const double *dash, guint n_dash)
{
  cairo_t *cr = self->cr;

  if (fill != NULL)
    {
      cairo_set_source_rgba (cr, fill->r, fill->g, fill->b, fill->a);
      if (stroke != NULL)
        cairo_fill_preserve (cr);
      else
        cairo_fill (cr);
    }
  if (stroke != NULL)
    {
      cairo_set_source_rgba (cr, stroke->r, stroke->g, stroke->b, stroke->a);
      cairo_set_line_width (cr, line_width);
      if (n_dash > 0)
        cairo_set_dash (cr, dash, (int) n_dash, 0);
      cairo_stroke (cr);
      if (n_dash > 0)
        cairo_set_dash (cr, NULL, 0, 0);
    }
  if (fill == NULL && stroke == NULL)
    cairo_new_path (cr);
}

static void
cairo_show_layout_cb (BpPainter *self, PangoLayout *layout, double x, double y,
                      const BpRgba *colour)
{
  cairo_t *cr = self->cr;

  cairo_set_source_rgba (cr, colour->r, colour->g, colour->b, colour->a);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  /* The move leaves a current point the next shape would join. */
  cairo_new_path (cr);
}

static void
cairo_free_cb (BpPainter *self)
{
  g_free (self);
}

static const BpPainterClass cairo_class = {
  .move_to = cairo_move_to_cb,
  .line_to = cairo_line_to_cb,
  .arc = cairo_arc_cb,
  .close_path = cairo_close_path_cb,
  .draw_path = cairo_draw_path_cb,
  .show_layout = cairo_show_layout_cb,
  .free = cairo_free_cb,
};

BpPainter *
bp_painter_new_cairo (cairo_t *cr)
{
  BpPainter *self = g_new0 (BpPainter, 1);

  g_return_val_if_fail (cr != NULL, NULL);
  self->klass = &cairo_class;
  self->cr = cr;
  return self;
}
