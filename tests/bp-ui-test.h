/* SPDX-License-Identifier: MIT */
/* Helpers shared by the UI tests: running the main loop until a widget
 * is on screen and drawn or a condition holds, rendering a widget as GTK
 * would into a texture, opening and closing windows, and keys, text and
 * drags delivered as GTK delivers them. */
#pragma once

#include <gtk/gtk.h>

#include "bp-canvas.h"
#include "bp-player.h"
#include "bp-window.h"

G_BEGIN_DECLS

gboolean    bp_ui_test_init             (int        *argc,
                                         char     ***argv);
gboolean    bp_ui_test_timeout_cb       (gpointer    user_data);
void        bp_ui_test_spin             (void);
void        bp_ui_test_wait_for_frame   (GtkWidget  *widget);
void        bp_ui_test_present_and_wait (GtkWidget  *widget);
GdkTexture *bp_ui_test_render           (GtkWidget  *widget);
char       *bp_ui_test_make_data_dir    (const char *tmpl);

typedef gboolean (*BpUiTestCondition) (gpointer data);
/* Runs the main loop until `condition` holds or `seconds` pass; returns
 * whether it holds. */
gboolean    bp_ui_test_wait_until       (BpUiTestCondition condition,
                                         gpointer          data,
                                         guint             seconds);

/* A window on a new empty document, 1100 × 720, presented and drawn. */
BpWindow   *bp_ui_test_new_empty_window (void);
/* A window on the example `name`, 1200 × 720, fitted, presented and drawn. */
BpWindow   *bp_ui_test_open_example     (const char *name);
/* Destroys `window` without asking about unsaved changes. */
void        bp_ui_test_destroy_window   (BpWindow   *window);
/* The same, and runs the main loop until it is finalized (10 s at most),
 * so nothing of it (popovers, timers on its surfaces) is left for the
 * next test. */
void        bp_ui_test_destroy_window_and_wait (BpWindow *window);

/* The key through `widget`'s controllers of `phase`: shortcuts as a
 * GtkShortcutController activates them and, when `key_controllers`,
 * key controllers' "key-pressed" (but GtkText's own, which reads the
 * event itself: its keys are its bindings). TRUE when one took it. */
gboolean    bp_ui_test_deliver_key      (GtkWidget           *widget,
                                         GtkPropagationPhase  phase,
                                         guint                keyval,
                                         GdkModifierType      mods,
                                         gboolean             key_controllers);
/* A key press: down from the window to the focus widget (capture), then
 * back up (bubble), as GTK propagates a key event. */
void        bp_ui_test_send_key         (GtkWindow       *window,
                                         guint            keyval,
                                         GdkModifierType  mods);
/* Typed text: what an input method commits into the focused entry,
 * replacing the selection; then a pause, as a person types. */
void        bp_ui_test_type_text        (GtkWindow  *window,
                                         const char *text);
/* Whether the keyboard focus is `ancestor` or inside it. */
gboolean    bp_ui_test_focus_in         (GtkWindow  *window,
                                         GtkWidget  *ancestor);
/* The controller of `widget` named `name` (borrowed), or NULL. */
GtkEventController *bp_ui_test_find_controller (GtkWidget  *widget,
                                                const char *name);
/* The canvas's drag gesture (borrowed). */
GtkGesture *bp_ui_test_find_drag_gesture (BpCanvas *canvas);
/* A pointer drag on the canvas from (x0, y0) to (x1, y1), widget
 * coordinates, through its drag gesture's signals in five moves. */
void        bp_ui_test_drag             (BpCanvas *canvas,
                                         double    x0,
                                         double    y0,
                                         double    x1,
                                         double    y1);

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
