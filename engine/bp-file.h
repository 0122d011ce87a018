/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Safe reading and writing of the files a teacher keeps. Errors are in the
 * BP_ERROR domain (BP_ERROR_IO, BP_ERROR_TOO_LARGE) with messages naming
 * the file. Both functions are thread-safe: call them from a worker. */

/* Replaces the contents of `path` so that, whatever fails (a full disk, a
 * crash, a power cut), the file holds either its old bytes or the new
 * ones, never a mixture:
 *
 *  - a symbolic link is followed and its target replaced (the link stays);
 *  - a target that is not a regular file (a folder, a device such as
 *    /dev/full, a pipe) or that is read-only is refused, untouched;
 *  - the data goes to a hidden temporary file in the target's folder,
 *    ".NAME.bp-save-XXXXXX", which is written in full, given the target's
 *    mode (and owner where allowed), flushed to disk with fsync, closed and
 *    renamed over the target; the folder is then flushed too;
 *  - on any failure the temporary file is removed and the old file is
 *    left byte-identical.
 *
 * Leftover temporary files of interrupted saves of the same target (none
 * of them still being written: a save holds a lock on its temporary file)
 * are removed first, and so are the ".goutputstream-XXXXXX" files that
 * GIO's replace (used by earlier versions) left in the folder, when they
 * hold a Backprop Studio document and are over an hour old. */
gboolean bp_file_replace_contents (const char  *path,
                                   const char  *data,
                                   gsize        length,
                                   GError     **error);

/* Reads a whole regular file of at most `max_size` bytes into `*data`
 * (NUL-terminated, free with g_free) without ever blocking on, or reading
 * without end from, something that is not a file: a folder, a FIFO with no
 * writer, a socket or a device such as /dev/zero is refused at once with a
 * message. The limit holds for the bytes actually read, whatever the size
 * the system reports. `cancellable` (may be NULL) is checked between
 * chunks; a cancelled read fails with G_IO_ERROR_CANCELLED. */
gboolean bp_file_read_contents    (const char    *path,
                                   gsize          max_size,
                                   GCancellable  *cancellable,
                                   char         **data,
                                   gsize         *length,
                                   GError       **error);

/* The same in a worker thread (GTask); `callback` runs in the thread
 * default main context of the caller. */
void     bp_file_read_contents_async  (const char           *path,
                                       gsize                 max_size,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean bp_file_read_contents_finish (GAsyncResult  *result,
                                       char         **data,
                                       gsize         *length,
                                       GError       **error);

/* The local path a command-line argument names, as
 * g_file_new_for_commandline_arg() reads it (a path, absolute or from the
 * current folder, or a file:// URI), made absolute and canonical; NULL
 * with a BP_ERROR_IO error for a remote location. GLib only. */
char    *bp_file_path_from_arg    (const char  *arg,
                                   GError     **error);

G_END_DECLS
