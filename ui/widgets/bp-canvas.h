/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-diagram.h"
#include "bp-player.h"
#include "bp-session.h"

G_BEGIN_DECLS

#define BP_TYPE_CANVAS (bp_canvas_get_type ())
G_DECLARE_FINAL_TYPE (BpCanvas, bp_canvas, BP, CANVAS, GtkWidget)

/* The graph editor, a view of a BpSession: draws the session's graph at
 * the session's position in the pass with the shared renderer, and turns
 * gestures into the session's commands (history edits, selection). The
 * player, when set, adds the animation between two positions.
 *
 * Signals:
 *   "message"           (const char *) something to tell the user (a refused
 *                                      connection…): the window shows a toast
 *   "blank-activated"   (BpNode *, BpQuizFlags) a quiz blank was clicked:
 *                                      its parent asks for the answer there
 *
 * Actions (canvas.*; bound keys in brackets):
 *   zoom-in [Ctrl+= Ctrl++], zoom-out [Ctrl+-], zoom-reset [Ctrl+0],
 *   zoom-fit [Ctrl+F… see bp-canvas.c], select-all [Ctrl+A], delete [Delete],
 *   arrange, add-node (opens the
 *   palette), edit-value (popover on the selected leaf), nudge (dd: dx, dy)
 *   [arrows, Shift+arrows further — only while bp_canvas_get_arrows_nudge(),
 *   otherwise the keys go on to the window, where ←/→ step the player].
 *
 * Keys the canvas shares with the player (see bp-player-bar.h):
 *   Space held while a pointer drag starts pans the view; a Space tap with
 *   no drag in between is the player's Play/Pause. */

GtkWidget   *bp_canvas_new                 (void);

/* The session shown and edited (NULL: nothing). The canvas lays out the
 * positions a document leaves out, and is the session's layout. */
void         bp_canvas_set_session         (BpCanvas *self, BpSession *session);
BpSession   *bp_canvas_get_session         (BpCanvas *self);
/* The step animation's progress comes from the player (may be NULL). */
void         bp_canvas_set_player          (BpCanvas *self, BpPlayer *player);
BpDiagram   *bp_canvas_get_diagram         (BpCanvas *self);

/* --- appearance --- */
void         bp_canvas_set_dark            (BpCanvas *self, gboolean dark);
gboolean     bp_canvas_get_dark            (BpCanvas *self);
/* 1 normally, ~1.6 in presentation mode. */
void         bp_canvas_set_text_scale      (BpCanvas *self, double scale);
double       bp_canvas_get_text_scale      (BpCanvas *self);
/* In presentation mode the arrow keys always belong to the player. */
void         bp_canvas_set_presenting      (BpCanvas *self, gboolean presenting);
/* TRUE when plain arrow keys nudge the selection: nodes the user selected
 * on the canvas (click, rubber band, Ctrl+A, a node added from the
 * palette), not a selection made elsewhere (the player's current node,
 * a panel), and not presenting. */
gboolean     bp_canvas_get_arrows_nudge    (BpCanvas *self);
/* The keyboard focus among the nodes (Tab / Shift+Tab in graph order,
 * the arrow keys to the nearest node that way, Escape or a pointer
 * press to leave): the node, or NULL when the keys are not moving one.
 * Setting it selects the node too (as Tab does). */
BpNode      *bp_canvas_get_focus_node      (BpCanvas *self);
void         bp_canvas_set_focus_node      (BpCanvas *self, BpNode *node);
/* TRUE when plain arrow keys move that focus (a node has it, not
 * presenting); they then neither nudge nor step. */
gboolean     bp_canvas_get_arrows_move_focus (BpCanvas *self);
/* The desktop's high-contrast style: stronger lines and colours. */
void         bp_canvas_set_high_contrast   (BpCanvas *self, gboolean high_contrast);
gboolean     bp_canvas_get_high_contrast   (BpCanvas *self);
/* Space pressed / released (wherever the focus is: the window's key
 * handler calls these). While held, a drag pans. end returns TRUE when a
 * drag happened meanwhile, i.e. the press was not a tap. */
void         bp_canvas_begin_space_pan     (BpCanvas *self);
gboolean     bp_canvas_end_space_pan       (BpCanvas *self);
gboolean     bp_canvas_get_space_held      (BpCanvas *self);

/* --- view --- */
double       bp_canvas_get_zoom            (BpCanvas *self);
/* Zooms around the widget point (x, y) (the centre when x or y < 0). */
void         bp_canvas_set_zoom            (BpCanvas *self, double zoom, double x, double y);
void         bp_canvas_zoom_fit            (BpCanvas *self);
/* Widget coordinates ↔ diagram units. */
void         bp_canvas_widget_to_diagram   (BpCanvas *self, double wx, double wy,
                                            double *dx, double *dy);
void         bp_canvas_diagram_to_widget   (BpCanvas *self, double dx, double dy,
                                            double *wx, double *wy);

/* The session's selected nodes in graph order; free with g_free(). */
BpNode     **bp_canvas_dup_selected_nodes  (BpCanvas *self, guint *n_nodes);

/* --- edits, the same functions the gestures and popovers use --- */
/* Adds a node at the diagram point (x, y), selects it. */
BpNode      *bp_canvas_add_node            (BpCanvas   *self,
                                            const char *op_name,
                                            double      x,
                                            double      y,
                                            GError    **error);
/* A connection drag's end: on failure also emits "message". */
gboolean     bp_canvas_connect             (BpCanvas  *self,
                                            BpNode    *src,
                                            BpNode    *dst,
                                            guint      slot,
                                            GError   **error);
void         bp_canvas_delete_selection    (BpCanvas *self);

/* The quiz blank drawn under the widget point (x, y): its node and
 * BP_QUIZ_VALUE or BP_QUIZ_GRAD. FALSE when none is there. */
gboolean     bp_canvas_blank_at            (BpCanvas     *self,
                                            double        x,
                                            double        y,
                                            BpNode      **node,
                                            BpQuizFlags  *what);
/* Where the blank of `node`'s `what` is drawn now, in widget
 * coordinates (its first place: a value stands on every arrow out of
 * its node); FALSE when it is not on the picture. */
gboolean     bp_canvas_get_blank_rect      (BpCanvas     *self,
                                            BpNode       *node,
                                            BpQuizFlags   what,
                                            GdkRectangle *rect);
/* Marks the blank being answered (a focus ring), or none (node NULL). */
void         bp_canvas_set_focus_blank     (BpCanvas     *self,
                                            BpNode       *node,
                                            BpQuizFlags   what);

/* Opens the op palette / the value popover (what the actions do). */
void         bp_canvas_show_palette        (BpCanvas *self, double x, double y);
void         bp_canvas_edit_value          (BpCanvas *self, BpNode *node);
/* "Connect to…": a searchable list of the inputs `node`'s output may
 * feed, next to the node; the choice connects them (undoably). */
void         bp_canvas_show_connect        (BpCanvas *self, BpNode *node);

G_END_DECLS
