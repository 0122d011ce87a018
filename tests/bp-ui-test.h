/* SPDX-License-Identifier: MIT */
/* Helpers shared by the UI tests (test-canvas, test-teach, test-window):
 * running the main loop until a widget is on screen and drawn, and
 * rendering a widget as GTK would into a texture. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean    bp_ui_test_timeout_cb       (gpointer    user_data);
void        bp_ui_test_spin             (void);
void        bp_ui_test_wait_for_frame   (GtkWidget  *widget);
void        bp_ui_test_present_and_wait (GtkWidget  *widget);
GdkTexture *bp_ui_test_render           (GtkWidget  *widget);
char       *bp_ui_test_make_data_dir    (const char *tmpl);

G_END_DECLS
