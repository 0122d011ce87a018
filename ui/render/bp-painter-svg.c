/* SPDX-License-Identifier: MIT */
/* The SVG back end of the drawing interface. Cairo's SVG surface turns
 * every glyph into an outline; this writer keeps each text run a <text>
 * element with its font family, size and weight named, so that a slide
 * can be edited in Inkscape or Impress, searched, and read aloud. Each
 * node is a <g id> with a <title> and a <desc>. */

#include <math.h>
#include <string.h>

#include "bp-painter.h"

typedef struct
{
  BpPainter parent;
  GString  *out;
  GString  *d;          /* the current path */
  gboolean  have_point;
  double    px, py;     /* the current point */
  guint     depth;      /* open groups */
} SvgPainter;

/* Numbers short but exact enough for a picture. */
static void
append_num (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (fabs (v) < 5e-4)
    v = 0;
  g_ascii_formatd (buf, sizeof buf, "%.3f", v);
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

static void
append_colour (GString *s, const char *attr, const BpRgba *c)
{
  g_string_append_printf (s, " %s=\"#%02x%02x%02x\"", attr,
                          (guint) CLAMP (lround (c->r * 255), 0, 255),
                          (guint) CLAMP (lround (c->g * 255), 0, 255),
                          (guint) CLAMP (lround (c->b * 255), 0, 255));
  if (c->a < 0.999)
    {
      g_string_append_printf (s, " %s-opacity=\"", attr);
      append_num (s, CLAMP (c->a, 0, 1));
      g_string_append_c (s, '"');
    }
}

static void
append_escaped (GString *s, const char *text, gssize len)
{
  g_autofree char *escaped = g_markup_escape_text (text, len);

  g_string_append (s, escaped);
}

static void
svg_move_to (BpPainter *painter, double x, double y)
{
  SvgPainter *self = (SvgPainter *) painter;

  g_string_append_c (self->d, 'M');
  append_num (self->d, x);
  g_string_append_c (self->d, ' ');
  append_num (self->d, y);
  self->have_point = TRUE;
  self->px = x;
  self->py = y;
}

static void
svg_line_to (BpPainter *painter, double x, double y)
{
  SvgPainter *self = (SvgPainter *) painter;

  if (!self->have_point)
    {
      svg_move_to (painter, x, y);
      return;
    }
  g_string_append_c (self->d, 'L');
  append_num (self->d, x);
  g_string_append_c (self->d, ' ');
  append_num (self->d, y);
  self->px = x;
  self->py = y;
}

/* As cairo_arc(): a line to the start, then the arc clockwise on screen
 * (increasing angle), in pieces of at most half a turn (an SVG arc
 * between two equal points draws nothing). */
static void
svg_arc (BpPainter *painter, double xc, double yc, double r, double a1, double a2)
{
  SvgPainter *self = (SvgPainter *) painter;
  double x = xc + r * cos (a1), y = yc + r * sin (a1);

  while (a2 < a1)
    a2 += 2 * G_PI;
  if (self->have_point)
    svg_line_to (painter, x, y);
  else
    svg_move_to (painter, x, y);
  while (a2 - a1 > 1e-9)
    {
      double step = MIN (a2 - a1, G_PI * 0.999);

      a1 += step;
      x = xc + r * cos (a1);
      y = yc + r * sin (a1);
      g_string_append_c (self->d, 'A');
      append_num (self->d, r);
      g_string_append_c (self->d, ' ');
      append_num (self->d, r);
      g_string_append (self->d, " 0 0 1 ");
      append_num (self->d, x);
      g_string_append_c (self->d, ' ');
      append_num (self->d, y);
      self->px = x;
      self->py = y;
    }
}

static void
svg_close_path (BpPainter *painter)
{
  SvgPainter *self = (SvgPainter *) painter;

  g_string_append_c (self->d, 'Z');
  self->have_point = FALSE;
}

static void
svg_draw_path (BpPainter *painter, const BpRgba *fill, const BpRgba *stroke,
               double line_width, const double *dash, guint n_dash)
{
  SvgPainter *self = (SvgPainter *) painter;

  if (self->d->len > 0 && (fill != NULL || stroke != NULL))
    {
      g_string_append (self->out, "<path d=\"");
      g_string_append_len (self->out, self->d->str, self->d->len);
      g_string_append_c (self->out, '"');
      if (fill != NULL)
        append_colour (self->out, "fill", fill);
      else
        g_string_append (self->out, " fill=\"none\"");
      if (stroke != NULL)
        {
          append_colour (self->out, "stroke", stroke);
          g_string_append (self->out, " stroke-width=\"");
          append_num (self->out, line_width);
          g_string_append_c (self->out, '"');
          if (n_dash > 0)
            {
              g_string_append (self->out, " stroke-dasharray=\"");
              for (guint i = 0; i < n_dash; i++)
                {
                  if (i > 0)
                    g_string_append_c (self->out, ' ');
                  append_num (self->out, dash[i]);
                }
              g_string_append_c (self->out, '"');
            }
        }
      g_string_append (self->out, "/>\n");
    }
  g_string_truncate (self->d, 0);
  self->have_point = FALSE;
}

/* "Cantarell, Noto Sans, sans-serif" → "Cantarell, 'Noto Sans', sans-serif" */
static void
append_families (GString *s, const char *families)
{
  g_auto(GStrv) names = g_strsplit (families != NULL ? families : "sans-serif", ",", -1);
  gboolean first = TRUE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      char *name = g_strstrip (names[i]);

      if (*name == '\0')
        continue;
      if (!first)
        g_string_append (s, ", ");
      first = FALSE;
      if (strchr (name, ' ') != NULL)
        {
          g_string_append_c (s, '\'');
          append_escaped (s, name, -1);
          g_string_append_c (s, '\'');
        }
      else
        append_escaped (s, name, -1);
    }
}

static void
svg_show_layout (BpPainter *painter, PangoLayout *layout, double x, double y,
                 const BpRgba *colour)
{
  SvgPainter *self = (SvgPainter *) painter;
  const PangoFontDescription *font = pango_layout_get_font_description (layout);
  const char *text = pango_layout_get_text (layout);
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  double size = 12;
  int weight = 400;

  if (font != NULL)
    {
      size = (double) pango_font_description_get_size (font) / PANGO_SCALE;
      weight = pango_font_description_get_weight (font);
    }
  /* One <text> per line, at the line's baseline as Pango set it. */
  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      PangoRectangle logical;
      double baseline = (double) pango_layout_iter_get_baseline (iter) / PANGO_SCALE;

      if (line->length <= 0)
        continue;
      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      g_string_append (self->out, "<text x=\"");
      append_num (self->out, x + (double) logical.x / PANGO_SCALE);
      g_string_append (self->out, "\" y=\"");
      append_num (self->out, y + baseline);
      g_string_append (self->out, "\" font-family=\"");
      append_families (self->out, font != NULL ? pango_font_description_get_family (font) : NULL);
      g_string_append (self->out, "\" font-size=\"");
      append_num (self->out, size);
      g_string_append_c (self->out, '"');
      if (weight != 400)
        g_string_append_printf (self->out, " font-weight=\"%d\"", weight);
      append_colour (self->out, "fill", colour);
      g_string_append (self->out, " xml:space=\"preserve\">");
      append_escaped (self->out, text + line->start_index, line->length);
      g_string_append (self->out, "</text>\n");
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
}

static void
svg_begin_group (BpPainter *painter, const char *id, const char *title, const char *desc)
{
  SvgPainter *self = (SvgPainter *) painter;

  g_string_append (self->out, "<g");
  if (id != NULL)
    {
      g_string_append (self->out, " id=\"");
      append_escaped (self->out, id, -1);
      g_string_append_c (self->out, '"');
    }
  g_string_append (self->out, ">\n");
  if (title != NULL)
    {
      g_string_append (self->out, "<title>");
      append_escaped (self->out, title, -1);
      g_string_append (self->out, "</title>\n");
    }
  if (desc != NULL)
    {
      g_string_append (self->out, "<desc>");
      append_escaped (self->out, desc, -1);
      g_string_append (self->out, "</desc>\n");
    }
  self->depth++;
}

static void
svg_end_group (BpPainter *painter)
{
  SvgPainter *self = (SvgPainter *) painter;

  if (self->depth == 0)
    return;
  self->depth--;
  g_string_append (self->out, "</g>\n");
}

static char *
svg_finish (BpPainter *painter, gsize *length)
{
  SvgPainter *self = (SvgPainter *) painter;
  GString *out;

  while (self->depth > 0)
    svg_end_group (painter);
  g_string_append (self->out, "</svg>\n");
  out = self->out;
  self->out = g_string_new (NULL);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

static void
svg_free (BpPainter *painter)
{
  SvgPainter *self = (SvgPainter *) painter;

  g_string_free (self->out, TRUE);
  g_string_free (self->d, TRUE);
  g_free (self);
}

static const BpPainterClass svg_class = {
  .move_to = svg_move_to,
  .line_to = svg_line_to,
  .arc = svg_arc,
  .close_path = svg_close_path,
  .draw_path = svg_draw_path,
  .show_layout = svg_show_layout,
  .begin_group = svg_begin_group,
  .end_group = svg_end_group,
  .finish = svg_finish,
  .free = svg_free,
};

BpPainter *
bp_painter_new_svg (double width, double height, const cairo_rectangle_t *view,
                    const char *title)
{
  SvgPainter *self = g_new0 (SvgPainter, 1);

  self->parent.klass = &svg_class;
  self->out = g_string_sized_new (16384);
  self->d = g_string_sized_new (256);
  g_string_append (self->out,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"");
  append_num (self->out, width);
  g_string_append (self->out, "px\" height=\"");
  append_num (self->out, height);
  g_string_append (self->out, "px\" viewBox=\"");
  append_num (self->out, view->x);
  g_string_append_c (self->out, ' ');
  append_num (self->out, view->y);
  g_string_append_c (self->out, ' ');
  append_num (self->out, view->width);
  g_string_append_c (self->out, ' ');
  append_num (self->out, view->height);
  g_string_append (self->out, "\" stroke-linejoin=\"round\">\n");
  if (title != NULL)
    {
      g_string_append (self->out, "<title>");
      append_escaped (self->out, title, -1);
      g_string_append (self->out, "</title>\n");
    }
  return &self->parent;
}
