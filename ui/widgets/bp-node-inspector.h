/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include "bp-session.h"

G_BEGIN_DECLS

/* The side panel's first section: the selected node's name, what it is,
 * its value and gradient as far as the pass has reached them (quiz blanks
 * stay blanks), and for a leaf a value editor whose text is applied as
 * one undoable edit (invalid text is explained, never applied). */

#define BP_TYPE_NODE_INSPECTOR (bp_node_inspector_get_type ())
G_DECLARE_FINAL_TYPE (BpNodeInspector, bp_node_inspector, BP, NODE_INSPECTOR, GtkBox)

GtkWidget *bp_node_inspector_new          (void);
void       bp_node_inspector_set_session  (BpNodeInspector *self,
                                           BpSession       *session);

/* Puts the keyboard in the label row of the selected node (Rename). */
void       bp_node_inspector_focus_label  (BpNodeInspector *self);

/* Opens the selected node's operation list (Change Operation). */
void       bp_node_inspector_choose_op    (BpNodeInspector *self);

G_END_DECLS
