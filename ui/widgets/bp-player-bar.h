/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-player.h"

G_BEGIN_DECLS

/* The controls under the canvas: Forward, Backward, Step back, Play/Pause,
 * Step, Reset, the position ("Backward: step 2 of 5") and the speed.
 * The buttons activate the "player" action group (player.forward,
 * player.backward, player.step, player.step-back, player.play,
 * player.reset); insert bp_player_bar_get_actions() into the window under
 * "player" so that the shortcuts (bp_player_bar_add_shortcuts()) work
 * wherever the focus is. */

#define BP_TYPE_PLAYER_BAR (bp_player_bar_get_type ())
G_DECLARE_FINAL_TYPE (BpPlayerBar, bp_player_bar, BP, PLAYER_BAR, GtkBox)

GtkWidget    *bp_player_bar_new            (void);
void          bp_player_bar_set_player     (BpPlayerBar *self, BpPlayer *player);
BpPlayer     *bp_player_bar_get_player     (BpPlayerBar *self);
GActionGroup *bp_player_bar_get_actions    (BpPlayerBar *self);
/* On `widget` (the window), before the focused widget sees them, never
 * while the focus is in an entry: F forward, B backward, → and Page Down
 * step, ← and Page Up step back, Home reset; a Space tap plays/pauses.
 * The player's widget, when it is the BpCanvas, shares two keys: Space
 * held during a pointer drag pans it (no play/pause), and ←/→ nudge the
 * nodes the user selected on it while it has the focus
 * (bp_canvas_get_arrows_nudge()). */
void          bp_player_bar_add_shortcuts  (BpPlayerBar *self, GtkWidget *widget);
/* The bar is always on screen (also in presentation mode), so popovers
 * that point at the canvas may be parented to it with
 * gtk_widget_set_parent(); it keeps them placed and unparents them. */

/* The position label's text (tests read it). */
const char   *bp_player_bar_get_position_text (BpPlayerBar *self);

G_END_DECLS
