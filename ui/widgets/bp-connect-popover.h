/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "bp-graph.h"

G_BEGIN_DECLS

#define BP_TYPE_CONNECT_POPOVER (bp_connect_popover_get_type ())
G_DECLARE_FINAL_TYPE (BpConnectPopover, bp_connect_popover, BP, CONNECT_POPOVER, GtkPopover)

/* "Connect to…": a searchable list of every input a node's output may
 * feed (each other node's input slots, by name, those that would close a
 * cycle left out), for connecting without a pointer. It emits
 * "target-chosen" (BpNode *target, guint slot) and leaves the edit to
 * its owner. The search matches every word typed against the target's
 * label, its id and the input's name ("price y"). */
BpConnectPopover *bp_connect_popover_new          (void);
/* Lists the inputs `source` may connect to in `graph` (clears the search). */
void              bp_connect_popover_set_source   (BpConnectPopover *self,
                                                   BpGraph          *graph,
                                                   BpNode           *source);
void              bp_connect_popover_set_search   (BpConnectPopover *self,
                                                   const char       *text);
/* What the search shows, "label — input x" each, in order (NULL-terminated;
 * free with g_strfreev()). */
char            **bp_connect_popover_dup_visible  (BpConnectPopover *self);
/* Emits "target-chosen" for the selected (else the first visible) row;
 * FALSE when none shows. */
gboolean          bp_connect_popover_choose       (BpConnectPopover *self);

G_END_DECLS
