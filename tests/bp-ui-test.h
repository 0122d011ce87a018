/* SPDX-License-Identifier: MIT */
/* Helpers shared by the UI tests (test-canvas, test-teach, test-window):
 * running the main loop until a widget is on screen and drawn, and
 * rendering a widget as GTK would into a texture. */
#pragma once

#include <gtk/gtk.h>

#include "bp-canvas.h"
#include "bp-player.h"

G_BEGIN_DECLS

gboolean    bp_ui_test_timeout_cb       (gpointer    user_data);
void        bp_ui_test_spin             (void);
void        bp_ui_test_wait_for_frame   (GtkWidget  *widget);
void        bp_ui_test_present_and_wait (GtkWidget  *widget);
GdkTexture *bp_ui_test_render           (GtkWidget  *widget);
char       *bp_ui_test_make_data_dir    (const char *tmpl);

/* A canvas shows `document` through a session of its own (made at the
 * first call), at the end of the forward pass as a window opens it. */
void        bp_ui_test_canvas_set_document   (BpCanvas   *canvas,
                                              BpDocument *document);
/* Moves the canvas's session to (pass, step) and shows it at `progress`
 * of the step's animation. */
void        bp_ui_test_canvas_set_pass_state (BpCanvas   *canvas,
                                              BpPass      pass,
                                              guint       step,
                                              double      progress);
/* A player on a session of its own showing `graph`. */
BpPlayer   *bp_ui_test_player_new            (BpGraph    *graph);

G_END_DECLS
