/* SPDX-License-Identifier: MIT */
#pragma once

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

  /* Owned References */
  BpSession *session;
};

G_END_DECLS
