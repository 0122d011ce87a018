/* SPDX-License-Identifier: MIT */
/* The bookkeeping of the back ends that write text (SVG, TikZ): a path
 * is built piece by piece and written out when drawn, groups nest, and
 * the picture is closed when finished. Each back end only says how a
 * piece is written (see bp-painter-private.h). */

#include <math.h>
#include <string.h>

#include "bp-painter-private.h"

static void
text_move_to (BpPainter *painter, double x, double y)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  self->klass->move_to (self->path, x, y);
  self->have_point = TRUE;
}

static void
text_line_to (BpPainter *painter, double x, double y)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  /* As Cairo: a line with no current point starts the path there. */
  if (!self->have_point)
    {
      text_move_to (painter, x, y);
      return;
    }
  self->klass->line_to (self->path, x, y);
}

/* As cairo_arc(): a line to the start, then the arc by increasing angle. */
static void
text_arc (BpPainter *painter, double xc, double yc, double r, double a1, double a2)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  while (a2 < a1)
    a2 += 2 * G_PI;
  text_line_to (painter, xc + r * cos (a1), yc + r * sin (a1));
  self->klass->arc (self->path, xc, yc, r, a1, a2);
}

static void
text_close_path (BpPainter *painter)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  self->klass->close_path (self->path);
  self->have_point = FALSE;
}

static void
text_draw_path (BpPainter *painter, const BpRgba *fill, const BpRgba *stroke,
                double line_width, const double *dash, guint n_dash)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  if (self->path->len > 0 && (fill != NULL || stroke != NULL))
    self->klass->draw_path (self, fill, stroke, line_width, dash, n_dash);
  g_string_truncate (self->path, 0);
  self->have_point = FALSE;
}

static void
text_show_layout (BpPainter *painter, PangoLayout *layout, double x, double y,
                  const BpRgba *colour)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  self->klass->show_layout (self, layout, x, y, colour);
}

static void
text_begin_group (BpPainter *painter, const char *id, const char *title, const char *desc)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  self->klass->begin_group (self, id, title, desc);
  self->depth++;
}

static void
text_end_group (BpPainter *painter)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  if (self->depth == 0)
    return;
  self->depth--;
  g_string_append (self->out, self->klass->end_group);
}

static char *
text_finish (BpPainter *painter, gsize *length)
{
  BpTextPainter *self = (BpTextPainter *) painter;
  GString *out;

  while (self->depth > 0)
    text_end_group (painter);
  g_string_append (self->out, self->klass->end);
  out = self->out;
  self->out = g_string_new (NULL);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

static void
text_free (BpPainter *painter)
{
  BpTextPainter *self = (BpTextPainter *) painter;

  if (self->klass->free != NULL)
    self->klass->free (self);
  g_string_free (self->out, TRUE);
  g_string_free (self->path, TRUE);
  g_free (self);
}

static const BpPainterClass text_painter_class = {
  .move_to = text_move_to,
  .line_to = text_line_to,
  .arc = text_arc,
  .close_path = text_close_path,
  .draw_path = text_draw_path,
  .show_layout = text_show_layout,
  .begin_group = text_begin_group,
  .end_group = text_end_group,
  .finish = text_finish,
  .free = text_free,
};

BpTextPainter *
_bp_text_painter_new (gsize                     size,
                      const BpTextPainterClass *klass)
{
  BpTextPainter *self;

  g_return_val_if_fail (size >= sizeof (BpTextPainter), NULL);

  self = g_malloc0 (size);
  self->parent.klass = &text_painter_class;
  self->klass = klass;
  self->out = g_string_sized_new (16384);
  self->path = g_string_sized_new (256);
  return self;
}

void
_bp_text_painter_append_num (GString *s, double v, int decimals)
{
  char format[8];
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (fabs (v) < 5e-4)
    v = 0;
  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, format, v);
  /* Drop trailing zeros: "12.500" → "12.5", "3.000" → "3". */
  if (strchr (buf, '.') != NULL)
    {
      char *end = buf + strlen (buf) - 1;

      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  g_string_append (s, buf);
}

double
_bp_text_painter_font_size (PangoLayout *layout)
{
  const PangoFontDescription *font = pango_layout_get_font_description (layout);

  return font != NULL ? (double) pango_font_description_get_size (font) / PANGO_SCALE : 12;
}

void
_bp_text_painter_foreach_line (BpTextPainter  *self,
                               PangoLayout    *layout,
                               double          x,
                               double          y,
                               BpTextLineFunc  func,
                               gpointer        user_data)
{
  const char *text = pango_layout_get_text (layout);
  PangoLayoutIter *iter = pango_layout_get_iter (layout);

  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      PangoRectangle logical;
      double baseline = (double) pango_layout_iter_get_baseline (iter) / PANGO_SCALE;

      if (line->length <= 0)
        continue;
      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      func (self, text + line->start_index, line->length,
            x + (double) logical.x / PANGO_SCALE, y + baseline, user_data);
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
}
