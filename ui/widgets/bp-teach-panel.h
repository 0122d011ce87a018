/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-session.h"

G_BEGIN_DECLS

/* The teaching panel for one node: its op and local-derivative formula,
 * its value, and during the backward pass the upstream gradient UG, the
 * local gradient LG and the downstream gradient DG = UG × LG with the
 * numbers substituted — read only from the player's trace at its position,
 * so nothing is shown before the pass reaches the node. Also: expanding a
 * layer into its primitive nodes (and collapsing it back), the quiz, and
 * the gradient check (backprop against numerical differentiation, with
 * the cost of each). */

#define BP_TYPE_TEACH_PANEL (bp_teach_panel_get_type ())
G_DECLARE_FINAL_TYPE (BpTeachPanel, bp_teach_panel, BP, TEACH_PANEL, GtkBox)

GtkWidget    *bp_teach_panel_new              (void);
/* The session whose selected node the panel explains. Expand and
 * collapse are the session's commands, so undo covers them. */
void          bp_teach_panel_set_session      (BpTeachPanel *self, BpSession *session);
const char   *bp_teach_panel_get_description_text (BpTeachPanel *self);
/* "en", or the translation's language ("ko"). */
const char   *bp_teach_panel_get_language     (void);
BpNode       *bp_teach_panel_get_node         (BpTeachPanel *self);
/* Refreshes every section (after the graph or the position changed). */
void          bp_teach_panel_update           (BpTeachPanel *self);

/* Expands the node (a layer) into its primitive subgraph as one undoable
 * edit, and reports whether the gradients of its inputs stayed the same. */
gboolean      bp_teach_panel_expand           (BpTeachPanel *self, GError **error);
/* Undoes the last expansion; FALSE when the last edit was something else. */
gboolean      bp_teach_panel_collapse         (BpTeachPanel *self);
/* The gradient check, on a copy of the graph, now (blocking) … */
gboolean      bp_teach_panel_run_grad_check   (BpTeachPanel *self, GError **error);
/* … or in a worker with progress; while it runs the button cancels it
 * (as this does when called again). Above 4096 input elements it checks
 * a sample of them and says so. */
void          bp_teach_panel_start_grad_check (BpTeachPanel *self);
gboolean      bp_teach_panel_get_checking     (BpTeachPanel *self);
BpQuizAnswer  bp_teach_panel_submit_answer    (BpTeachPanel *self,
                                               BpQuizFlags   what,
                                               const char   *text);

/* What the labels show (tests read them). */
const char   *bp_teach_panel_get_value_text   (BpTeachPanel *self);
const char   *bp_teach_panel_get_chain_text   (BpTeachPanel *self);
const char   *bp_teach_panel_get_expand_text  (BpTeachPanel *self);
const char   *bp_teach_panel_get_quiz_text    (BpTeachPanel *self);
const char   *bp_teach_panel_get_check_text   (BpTeachPanel *self);

G_END_DECLS
