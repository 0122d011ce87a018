/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "bp-document.h"

G_BEGIN_DECLS

/* Crash protection: while a window has unsaved changes it writes a copy of
 * its document every BP_AUTOSAVE_INTERVAL seconds into
 * g_get_user_data_dir()/backprop-studio/autosave/. The copy is removed on
 * save and on a clean close, so whatever is left there at start-up was
 * left by a crash. Next to each copy, "<copy>.origin" holds the URI of the
 * file it was a modified version of (absent for examples and new graphs). */

#define BP_AUTOSAVE_INTERVAL 30

/* The folder (not created). */
char     *bp_autosave_get_dir    (void);
/* A fresh file in that folder, unique for this process. */
GFile    *bp_autosave_new_file   (void);
/* Writes `document` safely (bp_file_replace_contents()) to `copy`, creating the folder, and records
 * `origin` (may be NULL). */
gboolean  bp_autosave_write      (BpDocument  *document,
                                  GFile       *copy,
                                  GFile       *origin,
                                  GError     **error);
/* The copies left in the folder, newest first (GFile *). */
GList    *bp_autosave_list       (void);
/* The file a copy was made from, or NULL. */
GFile    *bp_autosave_get_origin (GFile *copy);
/* Removes a copy and its .origin; missing files are not an error. */
void      bp_autosave_remove     (GFile *copy);

G_END_DECLS
