/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-diagram.h"
#include "bp-session.h"

G_BEGIN_DECLS

/* The player animates a session's position through its trace: Forward,
 * Backward, Step, Play… move bp_session_get_position() one step at a
 * time, and while a step travels along its arrows "progress" goes from 0
 * to 1 (an AdwTimedAnimation on the widget it is given; at once when
 * animations are off or the widget is unmapped). Any position change made
 * elsewhere stops playback. Properties: "progress", "playing", "speed". */

#define BP_TYPE_PLAYER (bp_player_get_type ())
G_DECLARE_FINAL_TYPE (BpPlayer, bp_player, BP, PLAYER, GObject)

#define BP_PLAYER_MIN_SPEED 0.25
#define BP_PLAYER_MAX_SPEED 4.0

BpPlayer      *bp_player_new                (BpSession *session);
BpSession     *bp_player_get_session        (BpPlayer *self);
/* The widget the animation runs on (the canvas), or NULL. Borrowed: call
 * again with NULL before it goes. */
void           bp_player_set_widget         (BpPlayer *self, GtkWidget *widget);

/* 0…1 while the step just taken travels along its arrows, else 1. */
double         bp_player_get_progress       (BpPlayer *self);
/* What to draw: the session's pass and step, and the progress. */
void           bp_player_fill_state         (BpPlayer *self, BpDiagramState *state);

/* The controls. forward replays the forward pass from the start;
 * backward shows every value and replays the backward pass; play resumes
 * (from the start when at the end) until the end of the trace. */
void           bp_player_forward            (BpPlayer *self);
void           bp_player_backward           (BpPlayer *self);
void           bp_player_step               (BpPlayer *self);
void           bp_player_step_back          (BpPlayer *self);
void           bp_player_play               (BpPlayer *self);
void           bp_player_pause              (BpPlayer *self);
void           bp_player_toggle_play        (BpPlayer *self);
void           bp_player_reset              (BpPlayer *self);
gboolean       bp_player_get_playing        (BpPlayer *self);
/* Speed factor, BP_PLAYER_MIN_SPEED … BP_PLAYER_MAX_SPEED (1 = normal). */
double         bp_player_get_speed          (BpPlayer *self);
void           bp_player_set_speed          (BpPlayer *self, double speed);
/* Milliseconds of one step's animation and of the pause between steps at
 * the current speed. */
guint          bp_player_get_step_duration  (BpPlayer *self);
guint          bp_player_get_pause_duration (BpPlayer *self);

G_END_DECLS
