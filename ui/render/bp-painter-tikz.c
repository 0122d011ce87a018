/* SPDX-License-Identifier: MIT */
/* The TikZ back end of the drawing interface, for teachers who write
 * their notes in LaTeX: a tikzpicture with the same positions, colours
 * and labels. The picture's axes are set up like the diagram's (y down,
 * one unit a pixel at 96 dpi), so coordinates and arc angles are written
 * as they come; text is a \node anchored at its baseline. */

#include <math.h>
#include <string.h>

#include "bp-painter-private.h"

typedef struct
{
  BpTextPainter parent;
  GHashTable   *colours;   /* "RRGGBB" → name */
} TikzPainter;

static void
append_num (GString *s, double v)
{
  _bp_text_painter_append_num (s, v, 2);
}

static void
append_point (GString *s, double x, double y)
{
  g_string_append_c (s, '(');
  append_num (s, x);
  g_string_append_c (s, ',');
  append_num (s, y);
  g_string_append_c (s, ')');
}

/* A named colour, defined in the picture the first time it is used. */
static const char *
colour_name (TikzPainter *self, const BpRgba *c)
{
  guint r = CLAMP (lround (c->r * 255), 0, 255);
  guint g = CLAMP (lround (c->g * 255), 0, 255);
  guint b = CLAMP (lround (c->b * 255), 0, 255);
  g_autofree char *key = g_strdup_printf ("%02x%02x%02x", r, g, b);
  const char *name = g_hash_table_lookup (self->colours, key);

  if (name == NULL)
    {
      char *new_name = g_strdup_printf ("bp%u", g_hash_table_size (self->colours));

      g_string_append_printf (self->parent.out, "\\definecolor{%s}{RGB}{%u,%u,%u}\n",
                              new_name, r, g, b);
      g_hash_table_insert (self->colours, g_steal_pointer (&key), new_name);
      name = new_name;
    }
  return name;
}

/* LaTeX's special characters, and the symbols of the diagram that
 * pdflatex's text fonts lack, as math. */
static void
append_tex (GString *s, const char *text, gssize len)
{
  const char *end = text + (len < 0 ? (gssize) strlen (text) : len);

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '\\': g_string_append (s, "\\textbackslash{}"); break;
        case '{': case '}': case '$': case '&': case '#': case '_': case '%':
          g_string_append_c (s, '\\');
          g_string_append_c (s, (char) c);
          break;
        case '^': g_string_append (s, "\\^{}"); break;
        case '~': g_string_append (s, "\\~{}"); break;
        case 0x00D7: g_string_append (s, "$\\times$"); break;      /* × */
        case 0x2212: g_string_append (s, "$-$"); break;            /* − */
        case 0x2202: g_string_append (s, "$\\partial$"); break;    /* ∂ */
        case 0x00B7: case 0x22C5: g_string_append (s, "$\\cdot$"); break;
        case 0x2211: g_string_append (s, "$\\sum$"); break;
        case 0x2014: g_string_append (s, "---"); break;
        case 0x2013: g_string_append (s, "--"); break;
        case 0x2026: g_string_append (s, "\\dots{}"); break;
        case 0x221E: g_string_append (s, "$\\infty$"); break;
        case 0x00B2: g_string_append (s, "$^2$"); break;
        case 0x1D40: g_string_append (s, "$^T$"); break;
        case 0x2299: g_string_append (s, "$\\odot$"); break;
        default:
          g_string_append_len (s, p, g_utf8_next_char (p) - p);
          break;
        }
    }
}

static void
tikz_move_to (GString *path, double x, double y)
{
  g_string_append_c (path, ' ');
  append_point (path, x, y);
}

static void
tikz_line_to (GString *path, double x, double y)
{
  g_string_append (path, " -- ");
  append_point (path, x, y);
}

static void
tikz_arc (GString *path, double xc, double yc, double r, double a1, double a2)
{
  /* The axes are the diagram's, so Cairo's angles hold as they are. */
  g_string_append (path, " arc[start angle=");
  append_num (path, a1 * 180 / G_PI);
  g_string_append (path, ", end angle=");
  append_num (path, a2 * 180 / G_PI);
  g_string_append (path, ", radius=");
  append_num (path, r);
  g_string_append_c (path, ']');
}

static void
tikz_close_path (GString *path)
{
  g_string_append (path, " -- cycle");
}

static void
tikz_draw_path (BpTextPainter *painter, const BpRgba *fill, const BpRgba *stroke,
                double line_width, const double *dash, guint n_dash)
{
  TikzPainter *self = (TikzPainter *) painter;
  GString *out = painter->out;
  gboolean first = TRUE;
  /* Named first: a new name is defined on a line of its own. */
  const char *fill_name = fill != NULL ? colour_name (self, fill) : NULL;
  const char *stroke_name = stroke != NULL ? colour_name (self, stroke) : NULL;

  g_string_append (out, "\\path[");
  if (fill != NULL)
    {
      g_string_append_printf (out, "fill=%s", fill_name);
      if (fill->a < 0.999)
        {
          g_string_append (out, ", fill opacity=");
          append_num (out, fill->a);
        }
      first = FALSE;
    }
  if (stroke != NULL)
    {
      g_string_append_printf (out, "%sdraw=%s, line width=", first ? "" : ", ",
                              stroke_name);
      append_num (out, line_width * 0.75);
      g_string_append (out, "pt");
      if (stroke->a < 0.999)
        {
          g_string_append (out, ", draw opacity=");
          append_num (out, stroke->a);
        }
      if (n_dash > 0)
        {
          g_string_append (out, ", dash pattern=");
          for (guint i = 0; i < n_dash; i++)
            {
              g_string_append (out, i % 2 == 0 ? "on " : " off ");
              append_num (out, dash[i] * 0.75);
              g_string_append (out, "pt");
            }
        }
    }
  g_string_append_c (out, ']');
  g_string_append_len (out, painter->path->str, painter->path->len);
  g_string_append (out, ";\n");
}

typedef struct
{
  const char   *colour_name;
  const BpRgba *colour;
  double        size;
  gboolean      bold;
} TikzFont;

static void
tikz_show_line (BpTextPainter *self, const char *text, gsize length,
                double x, double y, gpointer user_data)
{
  const TikzFont *font = user_data;

  g_string_append_printf (self->out, "\\node[anchor=base west, inner sep=0pt, text=%s",
                          font->colour_name);
  if (font->colour->a < 0.999)
    {
      g_string_append (self->out, ", text opacity=");
      append_num (self->out, font->colour->a);
    }
  g_string_append (self->out, ", font=\\fontsize{");
  append_num (self->out, font->size * 0.75);
  g_string_append (self->out, "}{");
  append_num (self->out, font->size * 0.9);
  g_string_append_printf (self->out, "}\\selectfont%s] at ", font->bold ? "\\bfseries" : "");
  append_point (self->out, x, y);
  g_string_append (self->out, " {");
  append_tex (self->out, text, length);
  g_string_append (self->out, "};\n");
}

static void
tikz_show_layout (BpTextPainter *painter, PangoLayout *layout, double x, double y,
                  const BpRgba *colour)
{
  const PangoFontDescription *desc = pango_layout_get_font_description (layout);
  TikzFont font = {
    /* Named before the lines: a new name is defined on a line of its own. */
    .colour_name = colour_name ((TikzPainter *) painter, colour),
    .colour = colour,
    .size = _bp_text_painter_font_size (layout),
    .bold = desc != NULL && pango_font_description_get_weight (desc) >= PANGO_WEIGHT_SEMIBOLD,
  };

  _bp_text_painter_foreach_line (painter, layout, x, y, tikz_show_line, &font);
}

static void
tikz_begin_group (BpTextPainter *self, const char *id, const char *title, const char *desc)
{
  const char *what = desc != NULL ? desc : title;

  /* A comment names the part: a reader of the .tex finds each node. */
  g_string_append (self->out, "\\begin{scope}");
  if (id != NULL || what != NULL)
    {
      g_autofree char *line = g_strdup_printf ("%s%s%s", id != NULL ? id : "",
                                               id != NULL && what != NULL ? ": " : "",
                                               what != NULL ? what : "");

      g_strdelimit (line, "\n\r", ' ');
      g_string_append_printf (self->out, " %% %s", line);
    }
  g_string_append_c (self->out, '\n');
}

static void
tikz_free (BpTextPainter *painter)
{
  TikzPainter *self = (TikzPainter *) painter;

  g_hash_table_unref (self->colours);
}

static const BpTextPainterClass tikz_class = {
  .move_to = tikz_move_to,
  .line_to = tikz_line_to,
  .arc = tikz_arc,
  .close_path = tikz_close_path,
  .draw_path = tikz_draw_path,
  .show_layout = tikz_show_layout,
  .begin_group = tikz_begin_group,
  .end_group = "\\end{scope}\n",
  .end = "\\end{tikzpicture}\n",
  .free = tikz_free,
};

BpPainter *
bp_painter_new_tikz (const cairo_rectangle_t *view, double scale, const char *title)
{
  TikzPainter *self = (TikzPainter *) _bp_text_painter_new (sizeof (TikzPainter), &tikz_class);
  GString *out = self->parent.out;

  self->colours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_string_append (out,
                   "% A tikzpicture written by Backprop Studio. Needs \\usepackage{tikz}\n"
                   "% (and \\usepackage[T1]{fontenc} for the best glyphs).\n");
  if (title != NULL)
    {
      g_autofree char *line = g_strdup (title);

      g_strdelimit (line, "\n\r", ' ');
      g_string_append_printf (out, "%% %s\n", line);
    }
  /* y grows downwards, as in the diagram; the picture is clipped to the
   * diagram's area so that its size is the export's. */
  g_string_append (out, "\\begin{tikzpicture}[x=");
  append_num (out, 0.75 * scale);
  g_string_append (out, "pt, y=-");
  append_num (out, 0.75 * scale);
  g_string_append (out, "pt, line join=round]\n");
  g_string_append (out, "\\useasboundingbox ");
  append_point (out, view->x, view->y);
  g_string_append (out, " rectangle ");
  append_point (out, view->x + view->width, view->y + view->height);
  g_string_append (out, ";\n");
  return &self->parent.parent;
}
