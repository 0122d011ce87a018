/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_VALUE_POPOVER (bp_value_popover_get_type ())
G_DECLARE_FINAL_TYPE (BpValuePopover, bp_value_popover, BP, VALUE_POPOVER, GtkPopover)

/* Edits a leaf's value in place: an entry accepting a number or a matrix
 * "[[1, 2], [3, 4]]". Text that does not parse is marked (the entry's
 * "error" style class) and explained below it, and cannot be applied.
 * Applying (Enter, or the button's "value.apply" action) emits
 * "value-chosen" (const char *text); the owner applies it and calls
 * bp_value_popover_set_error() if that failed. */
BpValuePopover *bp_value_popover_new       (void);
/* `label` names the node in the heading; `text` is the current value. */
void            bp_value_popover_set_node  (BpValuePopover *self,
                                            const char     *label,
                                            const char     *text);
void            bp_value_popover_set_text  (BpValuePopover *self,
                                            const char     *text);
/* NULL clears the message. */
void            bp_value_popover_set_error (BpValuePopover *self,
                                            const char     *message);
/* The message shown, or NULL when the text is valid. */
const char     *bp_value_popover_get_error (BpValuePopover *self);
/* What Enter and the Apply button do. FALSE (and nothing emitted) when
 * the text is invalid. */
gboolean        bp_value_popover_apply     (BpValuePopover *self);

G_END_DECLS
