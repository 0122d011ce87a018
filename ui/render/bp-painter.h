/* SPDX-License-Identifier: MIT */
#pragma once

#include <cairo.h>
#include <pango/pango.h>
#include <glib.h>

G_BEGIN_DECLS

/* The small drawing interface the diagram paints through, so that one
 * renderer serves several back ends: Cairo (screen, PNG, PDF, print), an
 * SVG writer that keeps text as <text> and groups as <g> with a <title>,
 * and TikZ. Coordinates are diagram units, y downwards; angles in radians
 * as in Cairo. A path is built with move_to/line_to/arc/close_path and
 * consumed by bp_painter_draw_path(). */

typedef struct _BpPainter BpPainter;

typedef struct
{
  double r, g, b, a;
} BpRgba;

typedef struct
{
  void (*move_to)     (BpPainter *self, double x, double y);
  void (*line_to)     (BpPainter *self, double x, double y);
  void (*arc)         (BpPainter *self, double xc, double yc, double radius,
                       double angle1, double angle2);
  void (*close_path)  (BpPainter *self);
  void (*draw_path)   (BpPainter *self, const BpRgba *fill, const BpRgba *stroke,
                       double line_width, const double *dash, guint n_dash);
  void (*show_layout) (BpPainter *self, PangoLayout *layout, double x, double y,
                       const BpRgba *colour);
  void (*begin_group) (BpPainter *self, const char *id, const char *title, const char *desc);
  void (*end_group)   (BpPainter *self);
  char *(*finish)     (BpPainter *self, gsize *length);
  void (*free)        (BpPainter *self);
} BpPainterClass;

struct _BpPainter
{
  const BpPainterClass *klass;
  cairo_t              *cr;      /* the Cairo back end's target, else NULL */
};

void       bp_painter_move_to      (BpPainter *self, double x, double y);
void       bp_painter_line_to      (BpPainter *self, double x, double y);
void       bp_painter_arc          (BpPainter *self, double xc, double yc, double radius,
                                    double angle1, double angle2);
void       bp_painter_close_path   (BpPainter *self);
void       bp_painter_rectangle    (BpPainter *self, double x, double y, double w, double h);
void       bp_painter_rounded_rect (BpPainter *self, double x, double y, double w, double h,
                                    double radius);
/* Fills (when `fill`) then strokes (when `stroke`) the current path, and
 * clears it. `dash` may be NULL. */
void       bp_painter_draw_path    (BpPainter *self, const BpRgba *fill, const BpRgba *stroke,
                                    double line_width, const double *dash, guint n_dash);
/* The layout's text with its top-left corner at (x, y), as
 * pango_cairo_show_layout() draws it. */
void       bp_painter_show_layout  (BpPainter *self, PangoLayout *layout, double x, double y,
                                    const BpRgba *colour);
/* A named part of the picture (a node): an SVG <g id> with <title> and
 * <desc>. Any of the strings may be NULL. */
void       bp_painter_begin_group  (BpPainter *self, const char *id, const char *title,
                                    const char *desc);
void       bp_painter_end_group    (BpPainter *self);
/* The Cairo context of a Cairo painter, NULL for the other back ends. */
cairo_t   *bp_painter_get_cairo    (BpPainter *self);
void       bp_painter_free         (BpPainter *self);

/* Cairo: draws onto `cr` (borrowed). */
BpPainter *bp_painter_new_cairo    (cairo_t *cr);

/* SVG: a standalone document `width` × `height` px showing the diagram
 * area `view` (diagram units). `title` names the picture. */
BpPainter *bp_painter_new_svg      (double width, double height,
                                    const cairo_rectangle_t *view, const char *title);
/* TikZ: a tikzpicture of the diagram area `view`, 1 diagram unit = 0.75 pt
 * (a pixel at 96 dpi) times `scale`. */
BpPainter *bp_painter_new_tikz     (const cairo_rectangle_t *view, double scale,
                                    const char *title);
/* The text written so far by an SVG or TikZ painter, closed (the painter
 * takes no more drawing); NULL for Cairo. Free with g_free(). */
char      *bp_painter_finish       (BpPainter *self, gsize *length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpPainter, bp_painter_free)

G_END_DECLS
