/* SPDX-License-Identifier: MIT */
/* The TikZ back end of the drawing interface, for teachers who write
 * their notes in LaTeX: a tikzpicture with the same positions, colours
 * and labels. The picture's axes are set up like the diagram's (y down,
 * one unit a pixel at 96 dpi), so coordinates and arc angles are written
 * as they come; text is a \node anchored at its baseline. */

#include <math.h>
#include <string.h>

#include "bp-painter.h"

typedef struct
{
  BpPainter   parent;
  GString    *out;
  GString    *path;
  GHashTable *colours;   /* "RRGGBB" → name */
  gboolean    have_point;
  guint       depth;
} TikzPainter;

static void
append_num (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (fabs (v) < 5e-4)
    v = 0;
  g_ascii_formatd (buf, sizeof buf, "%.2f", v);
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

      g_string_append_printf (self->out, "\\definecolor{%s}{RGB}{%u,%u,%u}\n",
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
tikz_move_to (BpPainter *painter, double x, double y)
{
  TikzPainter *self = (TikzPainter *) painter;

  g_string_append_c (self->path, ' ');
  append_point (self->path, x, y);
  self->have_point = TRUE;
}

static void
tikz_line_to (BpPainter *painter, double x, double y)
{
  TikzPainter *self = (TikzPainter *) painter;

  if (!self->have_point)
    {
      tikz_move_to (painter, x, y);
      return;
    }
  g_string_append (self->path, " -- ");
  append_point (self->path, x, y);
}

static void
tikz_arc (BpPainter *painter, double xc, double yc, double r, double a1, double a2)
{
  TikzPainter *self = (TikzPainter *) painter;

  while (a2 < a1)
    a2 += 2 * G_PI;
  if (self->have_point)
    tikz_line_to (painter, xc + r * cos (a1), yc + r * sin (a1));
  else
    tikz_move_to (painter, xc + r * cos (a1), yc + r * sin (a1));
  /* The axes are the diagram's, so Cairo's angles hold as they are. */
  g_string_append (self->path, " arc[start angle=");
  append_num (self->path, a1 * 180 / G_PI);
  g_string_append (self->path, ", end angle=");
  append_num (self->path, a2 * 180 / G_PI);
  g_string_append (self->path, ", radius=");
  append_num (self->path, r);
  g_string_append_c (self->path, ']');
}

static void
tikz_close_path (BpPainter *painter)
{
  TikzPainter *self = (TikzPainter *) painter;

  g_string_append (self->path, " -- cycle");
  self->have_point = FALSE;
}

static void
tikz_draw_path (BpPainter *painter, const BpRgba *fill, const BpRgba *stroke,
                double line_width, const double *dash, guint n_dash)
{
  TikzPainter *self = (TikzPainter *) painter;

  if (self->path->len > 0 && (fill != NULL || stroke != NULL))
    {
      gboolean first = TRUE;
      /* Named first: a new name is defined on a line of its own. */
      const char *fill_name = fill != NULL ? colour_name (self, fill) : NULL;
      const char *stroke_name = stroke != NULL ? colour_name (self, stroke) : NULL;

      g_string_append (self->out, "\\path[");
      if (fill != NULL)
        {
          g_string_append_printf (self->out, "fill=%s", fill_name);
          if (fill->a < 0.999)
            {
              g_string_append (self->out, ", fill opacity=");
              append_num (self->out, fill->a);
            }
          first = FALSE;
        }
      if (stroke != NULL)
        {
          g_string_append_printf (self->out, "%sdraw=%s, line width=", first ? "" : ", ",
                                  stroke_name);
          append_num (self->out, line_width * 0.75);
          g_string_append (self->out, "pt");
          if (stroke->a < 0.999)
            {
              g_string_append (self->out, ", draw opacity=");
              append_num (self->out, stroke->a);
            }
          if (n_dash > 0)
            {
              g_string_append (self->out, ", dash pattern=");
              for (guint i = 0; i < n_dash; i++)
                {
                  g_string_append (self->out, i % 2 == 0 ? "on " : " off ");
                  append_num (self->out, dash[i] * 0.75);
                  g_string_append (self->out, "pt");
                }
            }
        }
      g_string_append_c (self->out, ']');
      g_string_append_len (self->out, self->path->str, self->path->len);
      g_string_append (self->out, ";\n");
    }
  g_string_truncate (self->path, 0);
  self->have_point = FALSE;
}

static void
tikz_show_layout (BpPainter *painter, PangoLayout *layout, double x, double y,
                  const BpRgba *colour)
{
  TikzPainter *self = (TikzPainter *) painter;
  const PangoFontDescription *font = pango_layout_get_font_description (layout);
  const char *text = pango_layout_get_text (layout);
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  double size = font != NULL ? (double) pango_font_description_get_size (font) / PANGO_SCALE : 12;
  gboolean bold = font != NULL && pango_font_description_get_weight (font) >= PANGO_WEIGHT_SEMIBOLD;
  const char *name = colour_name (self, colour);

  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      PangoRectangle logical;
      double baseline = (double) pango_layout_iter_get_baseline (iter) / PANGO_SCALE;

      if (line->length <= 0)
        continue;
      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      g_string_append_printf (self->out, "\\node[anchor=base west, inner sep=0pt, text=%s", name);
      if (colour->a < 0.999)
        {
          g_string_append (self->out, ", text opacity=");
          append_num (self->out, colour->a);
        }
      g_string_append (self->out, ", font=\\fontsize{");
      append_num (self->out, size * 0.75);
      g_string_append (self->out, "}{");
      append_num (self->out, size * 0.9);
      g_string_append_printf (self->out, "}\\selectfont%s] at ", bold ? "\\bfseries" : "");
      append_point (self->out, x + (double) logical.x / PANGO_SCALE, y + baseline);
      g_string_append (self->out, " {");
      append_tex (self->out, text + line->start_index, line->length);
      g_string_append (self->out, "};\n");
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
}

static void
tikz_begin_group (BpPainter *painter, const char *id, const char *title, const char *desc)
{
  TikzPainter *self = (TikzPainter *) painter;
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
  self->depth++;
}

static void
tikz_end_group (BpPainter *painter)
{
  TikzPainter *self = (TikzPainter *) painter;

  if (self->depth == 0)
    return;
  self->depth--;
  g_string_append (self->out, "\\end{scope}\n");
}

static char *
tikz_finish (BpPainter *painter, gsize *length)
{
  TikzPainter *self = (TikzPainter *) painter;
  GString *out;

  while (self->depth > 0)
    tikz_end_group (painter);
  g_string_append (self->out, "\\end{tikzpicture}\n");
  out = self->out;
  self->out = g_string_new (NULL);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

static void
tikz_free (BpPainter *painter)
{
  TikzPainter *self = (TikzPainter *) painter;

  g_string_free (self->out, TRUE);
  g_string_free (self->path, TRUE);
  g_hash_table_unref (self->colours);
  g_free (self);
}

static const BpPainterClass tikz_class = {
  .move_to = tikz_move_to,
  .line_to = tikz_line_to,
  .arc = tikz_arc,
  .close_path = tikz_close_path,
  .draw_path = tikz_draw_path,
  .show_layout = tikz_show_layout,
  .begin_group = tikz_begin_group,
  .end_group = tikz_end_group,
  .finish = tikz_finish,
  .free = tikz_free,
};

BpPainter *
bp_painter_new_tikz (const cairo_rectangle_t *view, double scale, const char *title)
{
  TikzPainter *self = g_new0 (TikzPainter, 1);

  self->parent.klass = &tikz_class;
  self->out = g_string_sized_new (16384);
  self->path = g_string_sized_new (256);
  self->colours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_string_append (self->out,
                   "% A tikzpicture written by Backprop Studio. Needs \\usepackage{tikz}\n"
                   "% (and \\usepackage[T1]{fontenc} for the best glyphs).\n");
  if (title != NULL)
    {
      g_autofree char *line = g_strdup (title);

      g_strdelimit (line, "\n\r", ' ');
      g_string_append_printf (self->out, "%% %s\n", line);
    }
  /* y grows downwards, as in the diagram; the picture is clipped to the
   * diagram's area so that its size is the export's. */
  g_string_append (self->out, "\\begin{tikzpicture}[x=");
  append_num (self->out, 0.75 * scale);
  g_string_append (self->out, "pt, y=-");
  append_num (self->out, 0.75 * scale);
  g_string_append (self->out, "pt, line join=round]\n");
  g_string_append (self->out, "\\useasboundingbox ");
  append_point (self->out, view->x, view->y);
  g_string_append (self->out, " rectangle ");
  append_point (self->out, view->x + view->width, view->y + view->height);
  g_string_append (self->out, ";\n");
  return &self->parent;
}
