/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "bp-document.h"
#include "bp-history.h"
#include "bp-optimizer.h"
#include "bp-quiz.h"
#include "bp-trace.h"

G_BEGIN_DECLS

/* What the user did and what the window showed, one line each, as debug
 * messages of this log domain (G_MESSAGES_DEBUG=bp-transcript): every
 * edit with the graph after it, the position in the passes, the popovers
 * shown and hidden, saves. A test that drives the real application from
 * outside (xdotool) reads them to know when to go on. */
#define BP_TRANSCRIPT_DOMAIN "bp-transcript"

/* Whether the transcript is being read: its lines cost nothing otherwise. */
#define BP_TRANSCRIPT_ON() (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, BP_TRANSCRIPT_DOMAIN))
#define bp_transcript(...) G_STMT_START {                                   \
    if (BP_TRANSCRIPT_ON ())                                                \
      g_log (BP_TRANSCRIPT_DOMAIN, G_LOG_LEVEL_DEBUG, __VA_ARGS__);         \
  } G_STMT_END

/* The one model every view of a window observes (GLib and GIO only, no
 * GTK): the document and its graph, the undo history, the selection, the
 * quiz, the single forward + backward run after each edit with its trace
 * and error, and the player's position in that trace.
 *
 * Views send commands (the history's edits, bp_session_select(),
 * bp_session_set_position()) and redraw on the signals:
 *   "document-changed"  another document: everything changed
 *   "document-info-changed" its title or explanation changed
 *   "changed" (flags)   an edit; BpSessionChange says what it touched, and
 *                       when it touched the passes they were run again
 *                       before the signal
 *   "selection-changed"
 *   "position-changed"  the player's position (or the trace) moved
 * and the properties "modified", "file", "title". */

typedef enum
{
  BP_SESSION_CHANGE_POSITIONS = 1 << 0, /* where nodes stand */
  BP_SESSION_CHANGE_LABELS    = 1 << 1, /* names drawn, not computed */
  BP_SESSION_CHANGE_VALUES    = 1 << 2, /* leaf values: passes ran again */
  BP_SESSION_CHANGE_STRUCTURE = 1 << 3, /* nodes, edges, ops, output: passes ran again */
} BpSessionChange;

#define BP_TYPE_SESSION (bp_session_get_type ())
G_DECLARE_FINAL_TYPE (BpSession, bp_session, BP, SESSION, GObject)

BpSession     *bp_session_new               (void);

/* --- the document --- */

/* Takes `document` (NULL: an empty one) as the session's, saved at `file`
 * (NULL: nowhere yet). Clears the history, the selection, the quiz
 * answers; runs the passes; the position goes back to 0. */
void           bp_session_set_document      (BpSession  *self,
                                             BpDocument *document,
                                             GFile      *file);
BpDocument    *bp_session_get_document      (BpSession *self);
BpGraph       *bp_session_get_graph         (BpSession *self);
BpHistory     *bp_session_get_history       (BpSession *self);
BpQuiz        *bp_session_get_quiz          (BpSession *self);
GFile         *bp_session_get_file          (BpSession *self);
const char    *bp_session_get_title         (BpSession *self);
void           bp_session_set_title         (BpSession *self, const char *title);

/* Unsaved changes: edits since the last save, quiz blanks, or a document
 * that was never saved where it came from (a restored copy). */
gboolean       bp_session_get_modified      (BpSession *self);
void           bp_session_set_modified      (BpSession *self, gboolean modified);
/* Writes the document to `file` (atomically); on success `file` becomes
 * the session's and there are no unsaved changes. */
gboolean       bp_session_save              (BpSession  *self,
                                             GFile      *file,
                                             GError    **error);

/* --- the passes --- */

/* The trace of the last run (forward steps, then backward steps when the
 * graph has a single output), or NULL. */
BpTrace       *bp_session_get_trace         (BpSession *self);
/* Why the last run failed ("mul1: input y is not connected"), or NULL. */
const char    *bp_session_get_error         (BpSession *self);
guint          bp_session_get_n_steps       (BpSession *self);
guint          bp_session_get_n_forward     (BpSession *self);

/* --- the player's position: steps [0, position) of the trace are shown --- */

/* Positions: 0 … n_forward the forward pass, … n_steps of the trace the
 * backward pass, then one step per update when a training iteration is
 * shown (bp_session_set_updates()); bp_session_get_n_steps() counts
 * them all. */
guint          bp_session_get_position      (BpSession *self);
/* Clamped to the number of steps. */
void           bp_session_set_position      (BpSession *self, guint position);
/* The step shown last (position − 1), or NULL at position 0 and at the
 * update steps. */
const BpStep  *bp_session_get_current_step  (BpSession *self);
BpPass         bp_session_get_pass          (BpSession *self);
/* The step within the pass: 1 … n for the pass's steps, 0 with none. */
guint          bp_session_get_pass_step     (BpSession *self);
/* A pass state back to a position. */
guint          bp_session_position_for      (BpSession *self, BpPass pass, guint step);
/* "Forward: step 2 of 5", translated. */
char          *bp_session_describe_position (BpSession *self);

/* Whether `what` (BP_QUIZ_VALUE or BP_QUIZ_GRAD) of `node` may be shown
 * at the current position: the pass has reached it (a leaf's value is
 * always known) and it is not a quiz blank still to be answered. Every
 * view asks this; none decides it on its own. */
gboolean       bp_session_is_revealed       (BpSession   *self,
                                             BpNode      *node,
                                             BpQuizFlags  what);
/* Only the pass's part of the rule (quiz blanks not considered). */
gboolean       bp_session_is_reached        (BpSession   *self,
                                             BpNode      *node,
                                             BpQuizFlags  what);

/* --- the parameter updates after the backward pass --- */

/* The update W ← W − η·∂L/∂W of each param, as a training iteration
 * made it from the values and gradients the graph now shows: the player
 * steps through them after the backward pass, one step each (pass
 * BP_PASS_UPDATE). Copied; an update is kept only when its param (found
 * by id) is a param of this graph whose value is the update's `before`.
 * Any edit of values or structure, or another document, drops them: they
 * would no longer follow from what is shown. Returns how many were kept. */
guint          bp_session_set_updates       (BpSession          *self,
                                             const BpUpdateStep *updates,
                                             guint               n_updates);
guint          bp_session_get_n_updates     (BpSession *self);
/* The updates (their params are this graph's nodes), or NULL. */
const BpUpdateStep *bp_session_get_updates  (BpSession *self);
/* The update the player shows now, or NULL outside the update steps. */
const BpUpdateStep *bp_session_get_current_update (BpSession *self);
/* The update of param `node` when the player has reached it (the same
 * rule as bp_session_is_revealed() for values and gradients), or NULL. */
const BpUpdateStep *bp_session_get_revealed_update (BpSession *self,
                                                    BpNode    *node);

/* The quiz blank after `from`'s `from_what` (or before it, when
 * `backwards`; from NULL: the first, or the last), in the order the
 * passes reach them: the given values, the forward pass, the backward
 * pass. Only blanks the position has reached count (those on the
 * screen); it wraps around. FALSE when there is none. */
gboolean       bp_session_find_blank        (BpSession    *self,
                                             BpNode       *from,
                                             BpQuizFlags   from_what,
                                             gboolean      backwards,
                                             BpNode      **node,
                                             BpQuizFlags  *what);

/* --- the selection --- */

/* The selected nodes as a set (BpNode* keys); do not modify. */
GHashTable    *bp_session_get_selection     (BpSession *self);
/* The single selected node, or NULL when none or several are. */
BpNode        *bp_session_get_selected_node (BpSession *self);
/* Selects exactly these nodes (none: n_nodes 0). */
void           bp_session_select            (BpSession     *self,
                                             BpNode *const *nodes,
                                             guint          n_nodes);
void           bp_session_select_node       (BpSession *self, BpNode *node);
void           bp_session_select_all        (BpSession *self);

/* --- commands that are more than one history edit --- */

/* How the graph is laid out (the render layer's layout, set by whoever
 * has one: the session itself knows nothing of drawing). Arrange and
 * Expand use it; without one they leave positions as they are. */
void           bp_session_set_layout_func   (BpSession           *self,
                                             BpHistoryLayoutFunc  layout,
                                             gpointer             user_data,
                                             GDestroyNotify       destroy);
/* Gives `node` another op as one undoable edit ("Change Operation"): the
 * node keeps its id, label, place and the connections the new op's arity
 * allows (inputs beyond it are let go; consumers stay). Returns the node
 * now bearing the id. */
BpNode        *bp_session_change_op         (BpSession  *self,
                                             BpNode     *node,
                                             const char *op_name,
                                             GError    **error);
/* The document's explanation in `lang` ("en", "ko"), saved, unsaved until
 * then (not in the undo history, like the title). */
void           bp_session_set_description   (BpSession  *self,
                                             const char *lang,
                                             const char *text);
/* The selected nodes and the edges between them as a document of their
 * own (what Copy puts on the clipboard), or NULL with nothing selected. */
BpDocument    *bp_session_dup_selection     (BpSession *self);
/* Adds the nodes of `document` (a copied selection, or any document) as
 * one undoable edit ("Paste"), moved by (dx, dy), with ids made unique in
 * this graph and their connections among themselves; selects them.
 * Returns how many nodes were added. */
guint          bp_session_paste             (BpSession   *self,
                                             BpDocument  *document,
                                             double       dx,
                                             double       dy,
                                             GError     **error);
/* Lays the whole graph out as one undoable edit. */
gboolean       bp_session_arrange           (BpSession  *self,
                                             GError    **error);

/* Expands the layer `node` (sigmoid, affine, softmax_with_loss…) into its
 * primitive subgraph as one undoable edit; the new nodes keep the layer's
 * connections and the layer's id names the node that replaces its
 * output. Returns the node now bearing the layer's id. */
BpNode        *bp_session_expand_layer      (BpSession  *self,
                                             BpNode     *node,
                                             GError    **error);
/* The id of the layer the last edit expanded, when that expansion is
 * the edit undo would take back; else NULL. */
const char    *bp_session_get_expanded_id   (BpSession *self);
/* Undoes that expansion; FALSE when the last edit was something else. */
gboolean       bp_session_collapse_layer    (BpSession *self);

G_END_DECLS
