/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "bp-node-inspector.h"

G_BEGIN_DECLS

struct _BpNodeInspector
{
  GtkBox     parent_instance;

  /* Template Widgets */
  GtkLabel  *node_title;
  GtkLabel  *node_subtitle;
  GtkGrid   *node_grid;
  GtkLabel  *value_label;
  GtkLabel  *grad_label;
  GtkBox    *value_editor;
  GtkEntry  *value_entry;
  GtkLabel  *value_error;
  AdwPreferencesGroup *edit_group;
  AdwEntryRow *label_row;
  AdwEntryRow *id_row;
  AdwComboRow *op_row;
  AdwActionRow *times_row;
  GtkSpinButton *times_spin;
  AdwComboRow *axis_row;
  AdwActionRow *power_row;
  GtkSpinButton *power_spin;
  AdwActionRow *output_row;
  GtkSwitch *output_switch;
  GtkLabel  *edit_error;

  /* Owned References */
  BpSession *session;

  guint      updating : 1;   /* the rows are being set from the node */
};

G_END_DECLS
