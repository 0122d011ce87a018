/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-diagram.h"
#include "bp-document.h"
#include "bp-history.h"

G_BEGIN_DECLS

#define BP_TYPE_CANVAS (bp_canvas_get_type ())
G_DECLARE_FINAL_TYPE (BpCanvas, bp_canvas, BP, CANVAS, GtkWidget)

/* The graph editor: draws the document's graph with the shared renderer
 * and edits it through its BpHistory (so that undo covers every edit).
 * After each edit the passes run again (forward, then backward when the
 * graph has an output) and the canvas shows the last pass state.
 *
 * Signals:
 *   "selection-changed" ()             the selected nodes changed
 *   "graph-changed"     ()             after each edit/undo/redo and recompute
 *   "message"           (const char *) something to tell the user (a refused
 *                                      connection…): the window shows a toast
 *
 * Actions (canvas.*; bound keys in brackets):
 *   zoom-in [Ctrl+= Ctrl++], zoom-out [Ctrl+-], zoom-reset [Ctrl+0],
 *   zoom-fit [Ctrl+F… see bp-canvas.c], select-all [Ctrl+A], delete [Delete],
 *   undo [Ctrl+Z], redo [Ctrl+Shift+Z, Ctrl+Y], arrange, add-node (opens the
 *   palette), edit-value (popover on the selected leaf), nudge (dd: dx, dy)
 *   [arrows, Shift+arrows further — only while bp_canvas_get_arrows_nudge(),
 *   otherwise the keys go on to the window, where ←/→ step the player].
 *
 * Keys the canvas shares with the player (see bp-player-bar.h):
 *   Space held while a pointer drag starts pans the view; a Space tap with
 *   no drag in between is the player's Play/Pause. */

GtkWidget   *bp_canvas_new                 (void);

/* The canvas edits bp_document_get_graph(document); NULL shows nothing.
 * Positions missing in the document are laid out. Resets the history and
 * the selection, fits the view. */
void         bp_canvas_set_document        (BpCanvas *self, BpDocument *document);
BpDocument  *bp_canvas_get_document        (BpCanvas *self);
BpGraph     *bp_canvas_get_graph           (BpCanvas *self);
/* One history for the lifetime of the canvas (bp_history_set_graph() on a
 * new document), so the window connects to it once. */
BpHistory   *bp_canvas_get_history         (BpCanvas *self);
BpDiagram   *bp_canvas_get_diagram         (BpCanvas *self);

/* --- passes (the player drives these) --- */

/* The trace of the last recompute (forward steps, then backward steps when
 * the graph has an output), or NULL when the graph cannot run. */
BpTrace     *bp_canvas_get_trace           (BpCanvas *self);
/* Why the last recompute failed ("mul1: input y is not connected"), or NULL. */
const char  *bp_canvas_get_compute_error   (BpCanvas *self);
/* What is drawn: see BpDiagramState. `step` G_MAXUINT means the whole pass
 * (and stays so across recomputes); other steps are clamped to the trace.
 * Initially BP_PASS_FORWARD, G_MAXUINT: every value is shown. */
void         bp_canvas_set_pass_state      (BpCanvas *self,
                                            BpPass    pass,
                                            guint     step,
                                            double    progress);
BpPass       bp_canvas_get_pass            (BpCanvas *self);
/* The step as set (may be G_MAXUINT). */
guint        bp_canvas_get_step            (BpCanvas *self);
double       bp_canvas_get_progress        (BpCanvas *self);
/* Runs the passes again now (edits do this by themselves). */
void         bp_canvas_recompute           (BpCanvas *self);

/* --- appearance --- */
void         bp_canvas_set_dark            (BpCanvas *self, gboolean dark);
gboolean     bp_canvas_get_dark            (BpCanvas *self);
/* 1 normally, ~1.6 in presentation mode. */
void         bp_canvas_set_text_scale      (BpCanvas *self, double scale);
double       bp_canvas_get_text_scale      (BpCanvas *self);
/* Quiz blanks: sets of BpNode* whose value / gradient shows as a blank.
 * Either may be NULL; the canvas takes a reference to each table. */
void         bp_canvas_set_hidden          (BpCanvas   *self,
                                            GHashTable *hidden_values,
                                            GHashTable *hidden_grads);

/* In presentation mode the arrow keys always belong to the player. */
void         bp_canvas_set_presenting      (BpCanvas *self, gboolean presenting);
/* TRUE when plain arrow keys nudge the selection: nodes the user selected
 * on the canvas (click, rubber band, Ctrl+A, a node added from the
 * palette), not a selection set with bp_canvas_select_node() — the
 * player's current node — and not presenting. */
gboolean     bp_canvas_get_arrows_nudge    (BpCanvas *self);
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

/* --- selection --- */
/* The single selected node, or NULL when none or several are selected. */
BpNode      *bp_canvas_get_selected_node   (BpCanvas *self);
/* The selected nodes, in graph order; free the array with g_free(). */
BpNode     **bp_canvas_get_selection       (BpCanvas *self, guint *n_nodes);
/* Selects only `node` (NULL: nothing). */
void         bp_canvas_select_node         (BpCanvas *self, BpNode *node);
void         bp_canvas_select_all          (BpCanvas *self);

/* --- edits, the same functions the gestures and popovers use --- */
/* Adds a node at the diagram point (x, y), selects it. */
BpNode      *bp_canvas_add_node            (BpCanvas   *self,
                                            const char *op_name,
                                            double      x,
                                            double      y,
                                            GError    **error);
/* What the value popover applies: a number or "[[1, 2], [3, 4]]". On
 * error nothing changes. */
gboolean     bp_canvas_set_value_text      (BpCanvas   *self,
                                            BpNode     *node,
                                            const char *text,
                                            GError    **error);
/* A connection drag's end: on failure also emits "message". */
gboolean     bp_canvas_connect             (BpCanvas  *self,
                                            BpNode    *src,
                                            BpNode    *dst,
                                            guint      slot,
                                            GError   **error);
void         bp_canvas_delete_selection    (BpCanvas *self);

/* Opens the op palette / the value popover (what the actions do). */
void         bp_canvas_show_palette        (BpCanvas *self, double x, double y);
void         bp_canvas_edit_value          (BpCanvas *self, BpNode *node);

G_END_DECLS
