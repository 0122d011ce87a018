/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BP_TYPE_EXAMPLE_GALLERY (bp_example_gallery_get_type ())
G_DECLARE_FINAL_TYPE (BpExampleGallery, bp_example_gallery, BP, EXAMPLE_GALLERY, AdwWindow)

/* The book's examples as pictures: a grid of tiles, each a thumbnail
 * drawn by the diagram renderer, the example's title and one line of
 * what it teaches. The thumbnails are drawn one at a time in an idle
 * once the gallery is shown, so that it opens at once. Arrow keys move
 * between the tiles; Enter or a click emits "example-activated" (const
 * char *name, the example's name for "app.open-example"); Escape closes
 * it. The window that opened it decides what to do with the name. */
BpExampleGallery *bp_example_gallery_new                 (void);
/* The number of tiles, one per built-in example, in teaching order. */
guint             bp_example_gallery_get_n_tiles         (BpExampleGallery *self);
/* How many thumbnails are drawn so far (all of them once the idle has
 * run its course; drawn again when the style turns dark or light). */
guint             bp_example_gallery_get_n_thumbnails    (BpExampleGallery *self);
/* The tile of example `index` (a GtkFlowBoxChild), for focus and tests. */
GtkWidget        *bp_example_gallery_get_tile            (BpExampleGallery *self,
                                                          guint             index);
/* The name the tile stands for, or NULL when `index` is out of range. */
const char       *bp_example_gallery_get_tile_name       (BpExampleGallery *self,
                                                          guint             index);
/* The tile's thumbnail (its GtkPicture), for tests. */
GtkPicture       *bp_example_gallery_get_tile_picture    (BpExampleGallery *self,
                                                          guint             index);

G_END_DECLS
