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
 * "player" so that the window's shortcuts reach them wherever the focus
 * is. It shows the position of the player's session. */

#define BP_TYPE_PLAYER_BAR (bp_player_bar_get_type ())
G_DECLARE_FINAL_TYPE (BpPlayerBar, bp_player_bar, BP, PLAYER_BAR, GtkBox)

GtkWidget    *bp_player_bar_new            (void);
void          bp_player_bar_set_player     (BpPlayerBar *self, BpPlayer *player);
GActionGroup *bp_player_bar_get_actions    (BpPlayerBar *self);
/* The bar is always on screen (also in presentation mode), so popovers
 * that point at the canvas may be parented to it with
 * gtk_widget_set_parent(); it keeps them placed and unparents them. */

/* The position label's text (tests read it). */
const char   *bp_player_bar_get_position_text (BpPlayerBar *self);

G_END_DECLS
