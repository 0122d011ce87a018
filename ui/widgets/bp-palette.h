/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_PALETTE (bp_palette_get_type ())
G_DECLARE_FINAL_TYPE (BpPalette, bp_palette, BP, PALETTE, GtkPopover)

/* The searchable list of every op of the catalog, with its symbol. It
 * emits "op-chosen" (const char *op_name) and leaves adding the node to
 * its owner. */
BpPalette  *bp_palette_new            (void);
/* Clears the search and selects the first op (before each popup). */
void        bp_palette_reset          (BpPalette  *self);
void        bp_palette_set_search     (BpPalette  *self,
                                       const char *text);
/* The op names the search currently shows, in order; free with g_free()
 * (the strings are static). */
const char **bp_palette_get_visible   (BpPalette  *self,
                                       guint      *n_ops);
/* Emits "op-chosen" for the selected (else the first visible) op; FALSE
 * when the search hides everything. */
gboolean    bp_palette_choose         (BpPalette  *self);

G_END_DECLS
