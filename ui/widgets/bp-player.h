/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-diagram.h"
#include "bp-trace.h"

G_BEGIN_DECLS

/* The player replays the engine's trace. Its whole state is a position
 * in that trace: 0 shows nothing, 1 … n_forward are the forward steps
 * (values appear left to right), n_forward + 1 … n_steps the backward
 * steps (gradients, right to left). Step back really goes back because
 * drawing depends on the position only.
 *
 * Each step forward also runs a short animation ("progress" 0 → 1) of the
 * value or gradient travelling along its arrows. It is an AdwTimedAnimation
 * on the widget given to bp_player_set_widget(); without a widget, or with
 * animations turned off, progress jumps to 1 at once. Steps are driven by
 * the animation's "done", never by timing, so they work either way. */

#define BP_TYPE_PLAYER (bp_player_get_type ())
G_DECLARE_FINAL_TYPE (BpPlayer, bp_player, BP, PLAYER, GObject)

#define BP_PLAYER_MIN_SPEED 0.25
#define BP_PLAYER_MAX_SPEED 4.0

BpPlayer      *bp_player_new                (BpGraph *graph);
BpGraph       *bp_player_get_graph          (BpPlayer *self);
/* Replaces the graph; the position goes back to 0. */
void           bp_player_set_graph          (BpPlayer *self, BpGraph *graph);
/* The widget the animation runs on (the canvas), or NULL. Borrowed: call
 * with NULL before the widget goes away. */
void           bp_player_set_widget         (BpPlayer *self, GtkWidget *widget);
GtkWidget     *bp_player_get_widget         (BpPlayer *self);

/* Runs both passes again (after an edit) and keeps the position within
 * its pass: a backward step k stays backward step k when it still exists.
 * On a graph with a broken part the trace holds what the engine could
 * still compute (see bp_graph_forward(): the computable nodes' forward
 * steps, and the backward steps when the output does not depend on the
 * broken part), FALSE is returned, and the error is kept in
 * bp_player_get_error(); with nothing computable the trace is empty and
 * the position 0. */
gboolean       bp_player_recompute          (BpPlayer *self, GError **error);
/* The recorded trace, recomputed first when the graph changed since. */
BpTrace       *bp_player_get_trace          (BpPlayer *self);
/* Why the last recompute failed, or NULL. */
const char    *bp_player_get_error          (BpPlayer *self);

guint          bp_player_get_position       (BpPlayer *self);
guint          bp_player_get_n_steps        (BpPlayer *self);
guint          bp_player_get_n_forward      (BpPlayer *self);
/* Jumps (no animation; pauses playback). Clamped to n_steps. */
void           bp_player_set_position       (BpPlayer *self, guint position);
/* The step just shown (position − 1), or NULL at position 0. */
const BpStep  *bp_player_get_current_step   (BpPlayer *self);
/* What to draw: pass, step and progress of the position. */
BpPass         bp_player_get_pass           (BpPlayer *self);
guint          bp_player_get_pass_step      (BpPlayer *self);
double         bp_player_get_progress       (BpPlayer *self);
void           bp_player_fill_state         (BpPlayer *self, BpDiagramState *state);
/* Converts a pass state back to a position (for exports). */
guint          bp_player_position_for       (BpPlayer *self, BpPass pass, guint step);

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

/* "step k of n" in the current pass, translated, for labels. */
char          *bp_player_describe_position  (BpPlayer *self);

G_END_DECLS
