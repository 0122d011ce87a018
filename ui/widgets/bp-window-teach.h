/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-player-bar.h"
#include "bp-quiz.h"
#include "bp-teach-panel.h"
#include "bp-window.h"

G_BEGIN_DECLS

/* The teaching side of the window (issue 6): the player under the canvas,
 * the teaching panel in the side panel, the quiz, presentation mode (F5,
 * Esc leaves) and exporting every step of a pass. bp-window.c calls the
 * first three; the rest is for tests. */

void          _bp_window_teach_class_init      (GtkWidgetClass *widget_class);
void          _bp_window_teach_init            (BpWindow       *self);
/* After the canvas got the new document. */
void          _bp_window_teach_set_document    (BpWindow       *self,
                                                BpDocument     *document);

BpPlayer     *_bp_window_teach_get_player      (BpWindow *self);
BpQuiz       *_bp_window_teach_get_quiz        (BpWindow *self);
BpTeachPanel *_bp_window_teach_get_panel       (BpWindow *self);
BpPlayerBar  *_bp_window_teach_get_bar         (BpWindow *self);

gboolean      _bp_window_teach_get_presenting  (BpWindow *self);
void          _bp_window_teach_set_presenting  (BpWindow *self, gboolean presenting);

/* Opens the answer popover on `node`'s first quiz blank (what a click on
 * the node does while the quiz runs) and, when `text` is not NULL, answers
 * it; `result` gets the popover's verdict. FALSE when the node has no blank. */
gboolean      _bp_window_teach_answer_on_canvas (BpWindow    *self,
                                                 BpNode      *node,
                                                 const char  *text,
                                                 const char **result);

/* Writes every step of `pass` (BP_PASS_NONE: the player's current pass,
 * or forward) as numbered SVG files "<pass>-01.svg" … into `folder`.
 * Returns the number written, 0 with an error on failure. */
guint         _bp_window_teach_export_pass     (BpWindow    *self,
                                                BpPass       pass,
                                                const char  *folder,
                                                GError     **error);

G_END_DECLS
