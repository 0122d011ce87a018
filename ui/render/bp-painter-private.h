/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-painter.h"

G_BEGIN_DECLS

/* What the back ends that write text (SVG, TikZ) share: the output, the
 * path being built and whether it has a current point, the open groups,
 * and closing the picture. A back end gives only how each piece is
 * written (BpTextPainterClass); bp-painter-text.c does the bookkeeping. */

typedef struct _BpTextPainter BpTextPainter;

typedef struct
{
  /* Each writes one piece of the current path into `path`. */
  void (*move_to)     (GString *path, double x, double y);
  void (*line_to)     (GString *path, double x, double y);
  /* The path is already at the arc's start, and a2 >= a1. */
  void (*arc)         (GString *path, double xc, double yc, double radius,
                       double a1, double a2);
  void (*close_path)  (GString *path);
  /* Writes the current path, never empty, with `fill` or `stroke` or both. */
  void (*draw_path)   (BpTextPainter *self, const BpRgba *fill, const BpRgba *stroke,
                       double line_width, const double *dash, guint n_dash);
  void (*show_layout) (BpTextPainter *self, PangoLayout *layout, double x, double y,
                       const BpRgba *colour);
  /* Writes the opening of a group. */
  void (*begin_group) (BpTextPainter *self, const char *id, const char *title,
                       const char *desc);
  const char *end_group;   /* the text closing a group */
  const char *end;         /* the text closing the picture */
  /* Frees the back end's own fields; may be NULL. */
  void (*free)        (BpTextPainter *self);
} BpTextPainterClass;

struct _BpTextPainter
{
  BpPainter                 parent;
  const BpTextPainterClass *klass;
  GString                  *out;
  GString                  *path;        /* the current path */
  gboolean                  have_point;
  guint                     depth;       /* open groups */
};

/* A zeroed painter of `size` bytes (a back end's struct that starts with
 * a BpTextPainter). */
BpTextPainter *_bp_text_painter_new         (gsize                     size,
                                             const BpTextPainterClass *klass);
/* `v` with at most `decimals` decimals, trailing zeros dropped: numbers
 * short but exact enough for a picture. */
void           _bp_text_painter_append_num  (GString *s, double v, int decimals);
/* The layout's size in points, 12 when it names none. */
double         _bp_text_painter_font_size   (PangoLayout *layout);

/* One line of a layout: its text and where its baseline starts. */
typedef void (*BpTextLineFunc) (BpTextPainter *self, const char *text, gsize length,
                                double x, double y, gpointer user_data);
/* Calls `func` for each line of `layout` that has text, placed as Pango
 * places it with the layout's top-left corner at (x, y). */
void           _bp_text_painter_foreach_line (BpTextPainter  *self,
                                              PangoLayout    *layout,
                                              double          x,
                                              double          y,
                                              BpTextLineFunc  func,
                                              gpointer        user_data);

G_END_DECLS
