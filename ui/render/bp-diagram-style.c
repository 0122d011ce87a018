/* SPDX-License-Identifier: MIT */
/* The look of the diagram: the two palettes (chosen for colour-blind
 * readers: Okabe-Ito blue for the forward pass, vermillion for the
 * backward pass) and the fonts at the current text scale. Line widths and
 * sizes are the constants in bp-diagram-private.h; the high-contrast
 * palettes (the desktop's high-contrast style) draw them twice as heavy,
 * in black or white with deeper pass colours. */

#include "bp-diagram-private.h"

static const Palette light_palette = {
  .bg          = { 1.000, 1.000, 1.000, 1 },
  .text        = { 0.141, 0.122, 0.192, 1 },   /* #241f31 */
  .text_dim    = { 0.369, 0.361, 0.392, 1 },   /* #5e5c64 */
  .node_fill   = { 1.000, 1.000, 1.000, 1 },
  .node_hover  = { 0.965, 0.961, 0.957, 1 },   /* #f6f5f4 */
  .node_stroke = { 0.239, 0.220, 0.275, 1 },   /* #3d3846 */
  .leaf_fill   = { 0.929, 0.925, 0.918, 1 },   /* #edecea */
  .leaf_hover  = { 0.871, 0.867, 0.855, 1 },   /* #deddda */
  .edge        = { 0.369, 0.361, 0.392, 1 },
  .fwd         = { 0.000, 0.447, 0.698, 1 },   /* Okabe-Ito blue #0072B2 */
  .bwd         = { 0.835, 0.369, 0.000, 1 },   /* Okabe-Ito vermillion #D55E00 */
  .upd         = { 0.000, 0.620, 0.451, 1 },   /* Okabe-Ito bluish green #009E73 */
  .accent      = { 0.208, 0.518, 0.894, 1 },   /* #3584e4 */
  .error       = { 0.753, 0.110, 0.157, 1 },   /* #c01c28 */
  .error_fill  = { 0.992, 0.925, 0.925, 1 },
};

static const Palette dark_palette = {
  .bg          = { 0.141, 0.141, 0.141, 1 },   /* #242424 */
  .text        = { 1.000, 1.000, 1.000, 1 },
  .text_dim    = { 0.753, 0.749, 0.737, 1 },   /* #c0bfbc */
  .node_fill   = { 0.188, 0.188, 0.188, 1 },   /* #303030 */
  .node_hover  = { 0.239, 0.239, 0.239, 1 },
  .node_stroke = { 0.871, 0.867, 0.855, 1 },   /* #deddda */
  .leaf_fill   = { 0.231, 0.231, 0.231, 1 },
  .leaf_hover  = { 0.290, 0.290, 0.290, 1 },
  .edge        = { 0.690, 0.686, 0.678, 1 },
  .fwd         = { 0.337, 0.706, 0.914, 1 },   /* Okabe-Ito sky blue #56B4E9 */
  .bwd         = { 0.902, 0.624, 0.000, 1 },   /* Okabe-Ito orange #E69F00 */
  .upd         = { 0.180, 0.800, 0.600, 1 },   /* a lighter bluish green */
  .accent      = { 0.471, 0.682, 0.929, 1 },   /* #78aeed */
  .error       = { 1.000, 0.482, 0.388, 1 },   /* #ff7b63 */
  .error_fill  = { 0.290, 0.137, 0.137, 1 },
};

/* Every colour at 7:1 or more against the page (WCAG AAA). */
static const Palette light_hc_palette = {
  .bg          = { 1.000, 1.000, 1.000, 1 },
  .text        = { 0.000, 0.000, 0.000, 1 },
  .text_dim    = { 0.000, 0.000, 0.000, 1 },
  .node_fill   = { 1.000, 1.000, 1.000, 1 },
  .node_hover  = { 0.900, 0.900, 0.900, 1 },
  .node_stroke = { 0.000, 0.000, 0.000, 1 },
  .leaf_fill   = { 0.880, 0.880, 0.880, 1 },
  .leaf_hover  = { 0.800, 0.800, 0.800, 1 },
  .edge        = { 0.000, 0.000, 0.000, 1 },
  .fwd         = { 0.000, 0.250, 0.550, 1 },   /* deep blue */
  .bwd         = { 0.600, 0.200, 0.000, 1 },   /* deep vermillion */
  .accent      = { 0.000, 0.250, 0.700, 1 },
  .error       = { 0.600, 0.000, 0.050, 1 },
  .error_fill  = { 1.000, 0.900, 0.900, 1 },
};

static const Palette dark_hc_palette = {
  .bg          = { 0.000, 0.000, 0.000, 1 },
  .text        = { 1.000, 1.000, 1.000, 1 },
  .text_dim    = { 1.000, 1.000, 1.000, 1 },
  .node_fill   = { 0.000, 0.000, 0.000, 1 },
  .node_hover  = { 0.150, 0.150, 0.150, 1 },
  .node_stroke = { 1.000, 1.000, 1.000, 1 },
  .leaf_fill   = { 0.180, 0.180, 0.180, 1 },
  .leaf_hover  = { 0.260, 0.260, 0.260, 1 },
  .edge        = { 1.000, 1.000, 1.000, 1 },
  .fwd         = { 0.550, 0.850, 1.000, 1 },   /* light sky blue */
  .bwd         = { 1.000, 0.750, 0.250, 1 },   /* light orange */
  .accent      = { 0.600, 0.800, 1.000, 1 },
  .error       = { 1.000, 0.600, 0.550, 1 },
  .error_fill  = { 0.300, 0.050, 0.050, 1 },
};

const Palette *
bp_diagram_style_palette (gboolean dark)
{
  return dark ? &dark_palette : &light_palette;
}

const Palette *
bp_diagram_style_palette_for (const BpDiagramState *state)
{
  if (state->high_contrast)
    return state->dark ? &dark_hc_palette : &light_hc_palette;
  return bp_diagram_style_palette (state->dark);
}

double
bp_diagram_style_line_scale (const BpDiagramState *state)
{
  return state->high_contrast ? 2.0 : 1.0;
}

void
bp_diagram_style_rebuild_fonts (BpDiagram *self)
{
  static const struct { double size; PangoWeight weight; } specs[N_FONTS] = {
    [FONT_SYMBOL]  = { 19.0, PANGO_WEIGHT_NORMAL },
    [FONT_NAME]    = { 14.0, PANGO_WEIGHT_NORMAL },
    [FONT_VALUE]   = { VALUE_SIZE, PANGO_WEIGHT_SEMIBOLD },
    [FONT_CAPTION] = { 12.0, PANGO_WEIGHT_NORMAL },
    [FONT_CALLOUT] = { 12.5, PANGO_WEIGHT_NORMAL },
  };

  for (guint i = 0; i < N_FONTS; i++)
    {
      g_clear_pointer (&self->fonts[i], pango_font_description_free);
      self->fonts[i] = pango_font_description_from_string (FONT_FAMILY);
      pango_font_description_set_absolute_size (self->fonts[i],
                                                specs[i].size * self->text_scale * PANGO_SCALE);
      pango_font_description_set_weight (self->fonts[i], specs[i].weight);
      if (self->advances[i] != NULL)
        g_hash_table_remove_all (self->advances[i]);
      self->line_h[i] = 0;
    }
}

void
bp_diagram_get_background (gboolean dark, double *red, double *green, double *blue)
{
  const Palette *pal = bp_diagram_style_palette (dark);

  *red = pal->bg.r;
  *green = pal->bg.g;
  *blue = pal->bg.b;
}

void
bp_diagram_state_get_background (const BpDiagramState *state, double *red, double *green,
                                 double *blue)
{
  const Palette *pal = bp_diagram_style_palette_for (state);

  *red = pal->bg.r;
  *green = pal->bg.g;
  *blue = pal->bg.b;
}
