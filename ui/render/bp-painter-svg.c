/* SPDX-License-Identifier: MIT */
/* The SVG back end of the drawing interface. Cairo's SVG surface turns
 * every glyph into an outline; this writer keeps each text run a <text>
 * element with its font family, size and weight named, so that a slide
 * can be edited in Inkscape or Impress, searched, and read aloud. Each
 * node is a <g id> with a <title> and a <desc>. */

#include <math.h>
#include <string.h>

#include "bp-painter-private.h"

static void
append_num (GString *s, double v)
{
  _bp_text_painter_append_num (s, v, 3);
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
svg_move_to (GString *d, double x, double y)
{
  g_string_append_c (d, 'M');
  append_num (d, x);
  g_string_append_c (d, ' ');
  append_num (d, y);
}

static void
svg_line_to (GString *d, double x, double y)
{
  g_string_append_c (d, 'L');
  append_num (d, x);
  g_string_append_c (d, ' ');
  append_num (d, y);
}

/* Clockwise on screen (increasing angle), in pieces of at most half a
 * turn (an SVG arc between two equal points draws nothing). */
static void
svg_arc (GString *d, double xc, double yc, double r, double a1, double a2)
{
  while (a2 - a1 > 1e-9)
    {
      double step = MIN (a2 - a1, G_PI * 0.999);
      double x, y;

      a1 += step;
      x = xc + r * cos (a1);
      y = yc + r * sin (a1);
      g_string_append_c (d, 'A');
      append_num (d, r);
      g_string_append_c (d, ' ');
      append_num (d, r);
      g_string_append (d, " 0 0 1 ");
      append_num (d, x);
      g_string_append_c (d, ' ');
      append_num (d, y);
    }
}

static void
svg_close_path (GString *d)
{
  g_string_append_c (d, 'Z');
}

static void
svg_draw_path (BpTextPainter *self, const BpRgba *fill, const BpRgba *stroke,
               double line_width, const double *dash, guint n_dash)
{
  g_string_append (self->out, "<path d=\"");
  g_string_append_len (self->out, self->path->str, self->path->len);
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

typedef struct
{
  const char   *families;
  double        size;
  int           weight;
  const BpRgba *colour;
} SvgFont;

/* One <text> per line, at the line's baseline as Pango set it. */
static void
svg_show_line (BpTextPainter *self, const char *text, gsize length,
               double x, double y, gpointer user_data)
{
  const SvgFont *font = user_data;

  g_string_append (self->out, "<text x=\"");
  append_num (self->out, x);
  g_string_append (self->out, "\" y=\"");
  append_num (self->out, y);
  g_string_append (self->out, "\" font-family=\"");
  append_families (self->out, font->families);
  g_string_append (self->out, "\" font-size=\"");
  append_num (self->out, font->size);
  g_string_append_c (self->out, '"');
  if (font->weight != 400)
    g_string_append_printf (self->out, " font-weight=\"%d\"", font->weight);
  append_colour (self->out, "fill", font->colour);
  g_string_append (self->out, " xml:space=\"preserve\">");
  append_escaped (self->out, text, length);
  g_string_append (self->out, "</text>\n");
}

static void
svg_show_layout (BpTextPainter *self, PangoLayout *layout, double x, double y,
                 const BpRgba *colour)
{
  const PangoFontDescription *desc = pango_layout_get_font_description (layout);
  SvgFont font = {
    .families = desc != NULL ? pango_font_description_get_family (desc) : NULL,
    .size = _bp_text_painter_font_size (layout),
    .weight = desc != NULL ? (int) pango_font_description_get_weight (desc) : 400,
    .colour = colour,
  };

  _bp_text_painter_foreach_line (self, layout, x, y, svg_show_line, &font);
}

static void
svg_begin_group (BpTextPainter *self, const char *id, const char *title, const char *desc)
{
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
}

static const BpTextPainterClass svg_class = {
  .move_to = svg_move_to,
  .line_to = svg_line_to,
  .arc = svg_arc,
  .close_path = svg_close_path,
  .draw_path = svg_draw_path,
  .show_layout = svg_show_layout,
  .begin_group = svg_begin_group,
  .end_group = "</g>\n",
  .end = "</svg>\n",
};

BpPainter *
bp_painter_new_svg (double width, double height, const cairo_rectangle_t *view,
                    const char *title)
{
  BpTextPainter *self = _bp_text_painter_new (sizeof (BpTextPainter), &svg_class);

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
