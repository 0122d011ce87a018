/* SPDX-License-Identifier: MIT */
/* Text of the diagram: Pango layouts, their cheap size estimates for big
 * graphs, and tensors as labels (a number, a small grid, or a chip: the
 * shape with a tiny heat-map of the values).
 *
 * Text is the expensive part of a frame, so every PangoLayout lives in a
 * per-node cache. A cached label keeps a reference to the tensor it shows,
 * so comparing pointers is enough to know it is still current (a tensor
 * that is alive cannot be replaced by another at the same address). */

#include <math.h>

#include "bp-diagram-private.h"

void
text_layout_size (PangoLayout *layout, double *w, double *h)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  *w = (double) logical.width / PANGO_SCALE;
  *h = (double) logical.height / PANGO_SCALE;
}

PangoLayout *
text_make_layout (BpDiagram *self, const char *text, FontRole role)
{
  PangoLayout *layout = pango_layout_new (self->pango);

  pango_layout_set_font_description (layout, self->fonts[role]);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* The width of `text` as the sum of its characters' advances, each
 * shaped once and cached, and the font's line height: no shaping of the
 * whole text, so ~50 times cheaper than a layout. Kerning and ligatures
 * only make shaped text narrower, so this errs on the generous side. */
void
text_estimate (BpDiagram *self, const char *text, FontRole role, double *w, double *h)
{
  double width = 0;

  if (self->advances[role] == NULL)
    self->advances[role] = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  if (self->scratch == NULL)
    self->scratch = pango_layout_new (self->pango);
  if (self->line_h[role] == 0)
    {
      double lw;

      pango_layout_set_font_description (self->scratch, self->fonts[role]);
      pango_layout_set_text (self->scratch, "0", -1);
      text_layout_size (self->scratch, &lw, &self->line_h[role]);
    }
  *h = self->line_h[role];
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      /* Advance and line height: a fallback font (Hangul) is taller. */
      double *size = g_hash_table_lookup (self->advances[role], GUINT_TO_POINTER (c));

      if (size == NULL)
        {
          char buf[8];

          buf[g_unichar_to_utf8 (c, buf)] = '\0';
          size = g_new (double, 2);
          pango_layout_set_font_description (self->scratch, self->fonts[role]);
          pango_layout_set_text (self->scratch, buf, -1);
          text_layout_size (self->scratch, &size[0], &size[1]);
          g_hash_table_insert (self->advances[role], GUINT_TO_POINTER (c), size);
        }
      width += size[0];
      *h = MAX (*h, size[1]);
    }
  *w = width;
}

void
label_clear (Label *label)
{
  g_clear_pointer (&label->key, bp_tensor_unref);
  g_clear_object (&label->text);
  if (label->cells != NULL)
    {
      for (guint i = 0; i < label->rows * label->cols; i++)
        g_object_unref (label->cells[i]);
      g_clear_pointer (&label->cells, g_free);
    }
  label->rows = label->cols = 0;
  label->heat_rows = label->heat_cols = 0;
  label->width = label->height = 0;
}

/* Makes `label` show `tensor`; cheap when it already does. */
void
label_set (BpDiagram *self, Label *label, BpTensor *tensor, gboolean shape_only)
{
  double s = self->text_scale;

  if (label->key == tensor && label->shape_only == shape_only)
    return;
  label_clear (label);
  label->key = bp_tensor_ref (tensor);
  label->shape_only = shape_only;

  if (bp_tensor_is_scalar (tensor))
    {
      g_autofree char *text = bp_format_number (tensor->data[0], 4);

      label->text = text_make_layout (self, text, FONT_VALUE);
      text_layout_size (label->text, &label->width, &label->height);
    }
  else if (tensor->rows <= GRID_MAX && tensor->cols <= GRID_MAX && !shape_only)
    {
      double w = 0;

      label->rows = tensor->rows;
      label->cols = tensor->cols;
      label->cells = g_new0 (PangoLayout *, tensor->rows * tensor->cols);
      label->cell_h = 0;
      for (guint c = 0; c < tensor->cols; c++)
        label->col_w[c] = 0;
      for (guint r = 0; r < tensor->rows; r++)
        for (guint c = 0; c < tensor->cols; c++)
          {
            g_autofree char *text = bp_format_number (bp_tensor_get (tensor, r, c), 3);
            PangoLayout *cell = text_make_layout (self, text, FONT_VALUE);
            double cw, ch;

            text_layout_size (cell, &cw, &ch);
            label->cells[r * tensor->cols + c] = cell;
            label->col_w[c] = MAX (label->col_w[c], cw);
            label->cell_h = MAX (label->cell_h, ch);
          }
      for (guint c = 0; c < tensor->cols; c++)
        w += label->col_w[c];
      w += (tensor->cols - 1) * GRID_COL_GAP * s;
      label->width = w + 2 * (BRACKET_W + 3) * s;
      label->height = label->cell_h * tensor->rows * 0.92 + 2 * s;
    }
  else
    {
      /* A chip: "2×3" in brackets and a heat-map of the values beside it,
       * as tall as the text (a bigger matrix shows its top-left corner). */
      g_autofree char *text = bp_tensor_shape_string (tensor->rows, tensor->cols);
      guint hr = MIN (tensor->rows, HEAT_MAX), hc = MIN (tensor->cols, HEAT_MAX);
      double tw, th;

      label->text = text_make_layout (self, text, FONT_VALUE);
      text_layout_size (label->text, &tw, &th);
      label->heat_rows = hr;
      label->heat_cols = hc;
      label->heat_cell = MIN (5.0 * s, (th - 2 * s) / hr);
      /* A row vector is a strip of thin bars: long ones (a batch row of
       * 784 pixels) would otherwise widen every arrow they stand on. */
      label->heat_cell_w = hr == 1 ? 3.0 * s : label->heat_cell;
      label->heat_x = tw + 2 * (BRACKET_W + 3) * s + 3 * s;
      label->width = label->heat_x + hc * label->heat_cell_w;
      label->height = th;
    }
}

char *
text_compact_tensor (const BpTensor *t)
{
  if (t == NULL)
    return g_strdup ("—");
  if (bp_tensor_is_scalar (t))
    return bp_format_number (t->data[0], 4);
  return bp_tensor_shape_string (t->rows, t->cols);
}

void
text_blank_size (BpDiagram *self, double s, double *w, double *h)
{
  double tw, th;

  text_layout_size (self->blank, &tw, &th);
  *w = MAX (40 * s, tw + 22 * s);
  *h = th + 6 * s;
}
