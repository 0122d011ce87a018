/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-session.h"

G_BEGIN_DECLS

/* Training the session's graph: data set, optimizer, learning rate,
 * batch size, iterations; Start, Pause, one Iteration, Reset; a live loss
 * curve, train and test accuracy per epoch, and for 2-D sets the decision
 * boundary. Its only model is the BpSession: it reads the graph (training
 * a copy in a worker thread, so the window stays responsive) and sends
 * the trained params back as one undoable edit. One Iteration runs the
 * next iteration with the trace on and puts its batch and params into
 * the session, so that the player steps through that iteration's forward
 * and backward pass; the update W ← W − η·∂L/∂W that follows is shown
 * with its numbers.
 *
 * Actions (group "train"): train.start, train.pause, train.iteration,
 * train.reset. */

#define BP_TYPE_TRAIN_VIEW (bp_train_view_get_type ())
G_DECLARE_FINAL_TYPE (BpTrainView, bp_train_view, BP, TRAIN_VIEW, GtkBox)

GtkWidget  *bp_train_view_new        (BpSession *session);
/* An AdwWindow with a header bar and a Train view of `session`. */
GtkWindow  *bp_train_view_new_window (BpSession *session, GtkWindow *parent);
BpSession  *bp_train_view_get_session (BpTrainView *self);

/* For tests and the window: is a worker running, how far is training,
 * the text of the last update step (NULL before one). */
gboolean    bp_train_view_is_busy      (BpTrainView *self);
guint64     bp_train_view_get_iteration (BpTrainView *self);
guint       bp_train_view_get_n_losses  (BpTrainView *self);
const char *bp_train_view_get_update_text (BpTrainView *self);
const char *bp_train_view_get_status_text (BpTrainView *self);

G_END_DECLS
