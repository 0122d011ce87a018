/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-canvas.h"

G_BEGIN_DECLS

/* Shows `position` of the session's trace at `progress` of its step's
 * animation (what the session and the player drive; tests call it to
 * look at a frame in the middle of a step). */
void _bp_canvas_show_position (BpCanvas *self,
                               guint     position,
                               double    progress);

G_END_DECLS
