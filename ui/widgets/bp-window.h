/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "bp-session.h"

G_BEGIN_DECLS

#define BP_TYPE_WINDOW (bp_window_get_type ())
G_DECLARE_FINAL_TYPE (BpWindow, bp_window, BP, WINDOW, AdwApplicationWindow)

BpWindow   *bp_window_new               (AdwApplication *application);
/* Replaces the document: `file` is where it lives (NULL for an example or
 * a restored copy, so that Save asks where to save). */
void        bp_window_set_document      (BpWindow   *self,
                                         BpDocument *document,
                                         GFile      *file);
BpDocument *bp_window_get_document      (BpWindow   *self);
GFile      *bp_window_get_file          (BpWindow   *self);
/* Loads `file` (.bpgraph or .bpx). On failure the current document stays
 * and the loader's message is shown; returns FALSE. */
gboolean    bp_window_open_file         (BpWindow   *self,
                                         GFile      *file);
/* An empty document titled "Untitled", to build a graph from scratch. */
void        bp_window_new_document      (BpWindow   *self);
gboolean    bp_window_open_example      (BpWindow   *self,
                                         const char *name);
/* TRUE when nothing was edited since the document was loaded or saved. */
gboolean    bp_window_is_clean          (BpWindow   *self);
/* A window a new document may replace without losing anything. */
gboolean    bp_window_is_disposable     (BpWindow   *self);

G_END_DECLS
