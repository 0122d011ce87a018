/* SPDX-License-Identifier: MIT */
/* Safe reading and writing of files (see bp-file.h). Plain POSIX calls
 * rather than GIO's: GIO's replace leaves its temporary files behind when
 * interrupted, cannot say whether the folder reached the disk, and its
 * reads trust the size a device reports. */

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bp-error.h"
#include "bp-file.h"

#define TEMP_INFIX     ".bp-save-"
/* Room for the dot, the infix, XXXXXX and a NUL under NAME_MAX (255). */
#define TEMP_MAX_BASE  200
#define READ_CHUNK     (64 * 1024)
#define MAX_LINKS      40
#define GIO_TEMP_PREFIX ".goutputstream-"
#define GIO_TEMP_AGE    3600   /* seconds */

/* ---------------------------------------------------------------- */
/* Helpers                                                           */

/* What a non-regular file is, for messages. */
static const char *
describe_mode (mode_t mode)
{
  if (S_ISDIR (mode))
    return _("a folder");
  if (S_ISFIFO (mode))
    return _("a pipe");
  if (S_ISSOCK (mode))
    return _("a socket");
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return _("a device");
  return _("not a regular file");
}

typedef enum
{
  ACTION_SAVE,
  ACTION_OPEN,
  ACTION_READ,
} Action;

static void
set_io_error (GError     **error,
              Action       action,
              const char  *path,
              int          errsv)
{
  g_autofree char *name = g_filename_display_name (path);
  const char *reason = g_strerror (errsv);

  switch (action)
    {
    case ACTION_SAVE:
      /* Translators: the file's name, then the system's reason */
      g_set_error (error, BP_ERROR, BP_ERROR_IO, _("Could not save “%s”: %s"), name, reason);
      break;
    case ACTION_OPEN:
      /* Translators: the file's name, then the system's reason */
      g_set_error (error, BP_ERROR, BP_ERROR_IO, _("Could not open “%s”: %s"), name, reason);
      break;
    case ACTION_READ:
    default:
      /* Translators: the file's name, then the system's reason */
      g_set_error (error, BP_ERROR, BP_ERROR_IO, _("Could not read “%s”: %s"), name, reason);
      break;
    }
}

/* Follows symbolic links to the file they finally name, which need not
 * exist yet (a link to a file not yet written). */
static char *
resolve_links (const char  *path,
               GError     **error)
{
  g_autofree char *current = g_strdup (path);

  for (guint i = 0; i < MAX_LINKS; i++)
    {
      GStatBuf st;
      g_autofree char *target = NULL;
      g_autoptr(GError) link_error = NULL;

      if (g_lstat (current, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&current);
      target = g_file_read_link (current, &link_error);
      if (target == NULL)
        {
          set_io_error (error, ACTION_SAVE, path, ELOOP);
          return NULL;
        }
      if (!g_path_is_absolute (target))
        {
          g_autofree char *dir = g_path_get_dirname (current);

          g_free (current);
          current = g_build_filename (dir, target, NULL);
        }
      else
        {
          g_free (current);
          current = g_steal_pointer (&target);
        }
    }
  set_io_error (error, ACTION_SAVE, path, ELOOP);
  return NULL;
}

static char *
temp_prefix (const char *base)
{
  g_autofree char *short_base = g_strndup (base, TEMP_MAX_BASE);

  return g_strconcat (".", short_base, TEMP_INFIX, NULL);
}

/* GIO's replace, which earlier versions saved with, left
 * ".goutputstream-XXXXXX" files when interrupted. Such a file is ours if
 * it begins as every saved document does; it is a leftover if nothing
 * has written it for an hour (GIO takes no lock). */
static gboolean
is_old_document_save (int               fd,
                      const struct stat *st)
{
  static const char head[] = "{\n  \"format\": \"" "backprop-studio" "\"";
  char buffer[sizeof head - 1];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (now - (gint64) st->st_mtime < GIO_TEMP_AGE)
    return FALSE;
  if (pread (fd, buffer, sizeof buffer, 0) != (ssize_t) sizeof buffer)
    return FALSE;
  return memcmp (buffer, head, sizeof buffer) == 0;
}

/* Removes ".NAME.bp-save-XXXXXX" files nobody holds a lock on: the
 * remains of saves of this target that were interrupted; and old
 * documents' GIO temporary files (above). */
static void
remove_stale_temps (const char *dir,
                    const char *base)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = temp_prefix (base);
  gsize prefix_len = strlen (prefix);
  const char *name;

  if (listing == NULL)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;
      int fd;

      gboolean ours = strncmp (name, prefix, prefix_len) == 0 && strlen (name + prefix_len) == 6;
      gboolean gio = g_str_has_prefix (name, GIO_TEMP_PREFIX)
                     && strlen (name) == strlen (GIO_TEMP_PREFIX) + 6;

      if (!ours && !gio)
        continue;
      path = g_build_filename (dir, name, NULL);
      fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == geteuid ()
          && (ours || is_old_document_save (fd, &st))
          && flock (fd, LOCK_EX | LOCK_NB) == 0)
        g_unlink (path);
      close (fd);
    }
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        length,
           int         *errsv)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, MIN (length, (gsize) G_MAXSSIZE));

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          *errsv = errno;
          return FALSE;
        }
      if (n == 0)
        {
          *errsv = ENOSPC;
          return FALSE;
        }
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Best effort: makes the rename itself durable. Some file systems do not
 * support fsync on a folder; the file is in place either way. */
static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
  (void) fsync (fd);
  close (fd);
}

/* ---------------------------------------------------------------- */
/* Writing                                                           */

gboolean
bp_file_replace_contents (const char  *path,
                          const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *tmp = NULL;
  GStatBuf st;
  gboolean exists;
  int fd, errsv = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*path == '\0')
    {
      set_io_error (error, ACTION_SAVE, path, ENOENT);
      return FALSE;
    }
  target = resolve_links (path, error);
  if (target == NULL)
    return FALSE;

  exists = g_stat (target, &st) == 0;
  if (!exists && errno != ENOENT)
    {
      set_io_error (error, ACTION_SAVE, path, errno);
      return FALSE;
    }
  if (exists && !S_ISREG (st.st_mode))
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, BP_ERROR, BP_ERROR_IO,
                   /* Translators: the file's name, then what it is ("a device") */
                   _("Could not save “%s”: it is %s, not a file; choose another name"),
                   name, describe_mode (st.st_mode));
      return FALSE;
    }
  /* Nobody may write it (root passes access(): look at the mode too). */
  if (exists && ((st.st_mode & 0222) == 0 || (access (target, W_OK) != 0 && errno != ENOENT)))
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, BP_ERROR, BP_ERROR_IO,
                   /* Translators: the file's name */
                   _("Could not save “%s”: the file is read-only; save under another name"),
                   name);
      return FALSE;
    }

  dir = g_path_get_dirname (target);
  base = g_path_get_basename (target);
  remove_stale_temps (dir, base);

  prefix = temp_prefix (base);
  tmp = g_strconcat (dir, G_DIR_SEPARATOR_S, prefix, "XXXXXX", NULL);
  /* A new file gets the usual mode (umask applies); the copy of an
   * existing one stays private until it has that file's mode. */
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, exists ? 0600 : 0666);
  if (fd < 0)
    {
      set_io_error (error, ACTION_SAVE, path, errno);
      return FALSE;
    }
  /* The lock tells a later save that this file is not a leftover. */
  (void) flock (fd, LOCK_EX | LOCK_NB);

  if (!write_all (fd, data, length, &errsv))
    goto fail;
  if (exists)
    {
      /* The owner first: chown clears the set-id bits that chmod sets. */
      if (st.st_uid != geteuid () || st.st_gid != getegid ())
        (void) fchown (fd, st.st_uid, st.st_gid);
      if (fchmod (fd, st.st_mode & 07777) != 0)
        {
          errsv = errno;
          goto fail;
        }
    }
  if (fsync (fd) != 0)
    {
      errsv = errno;
      goto fail;
    }
  if (close (fd) != 0)
    {
      fd = -1;
      errsv = errno;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, target) != 0)
    {
      errsv = errno;
      goto fail;
    }
  sync_dir (dir);
  return TRUE;

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  set_io_error (error, ACTION_SAVE, path, errsv);
  return FALSE;
}

/* ---------------------------------------------------------------- */
/* Reading                                                           */

gboolean
bp_file_read_contents (const char    *path,
                       gsize          max_size,
                       GCancellable  *cancellable,
                       char         **data,
                       gsize         *length,
                       GError       **error)
{
  g_autofree char *buffer = NULL;
  gsize len = 0, allocated;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *data = NULL;
  if (length != NULL)
    *length = 0;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* O_NONBLOCK: opening a FIFO with no writer returns at once instead of
   * waiting for one; it is refused below. */
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      set_io_error (error, ACTION_OPEN, path, errno);
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    {
      int errsv = errno;

      close (fd);
      set_io_error (error, ACTION_OPEN, path, errsv);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *name = g_filename_display_name (path);

      close (fd);
      g_set_error (error, BP_ERROR, BP_ERROR_IO,
                   /* Translators: the file's name, then what it is ("a folder") */
                   _("Could not open “%s”: it is %s, not a file"),
                   name, describe_mode (st.st_mode));
      return FALSE;
    }
  if (st.st_size > 0 && (guint64) st.st_size > max_size)
    goto too_large;

  /* Room for the terminator and one byte more, so that the read that
   * finds the end does not grow the buffer: that doubled it, and copied
   * a large file once more. */
  allocated = MIN ((gsize) MAX (st.st_size, 0), max_size) + 2;
  buffer = g_malloc (allocated);
  for (;;)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return FALSE;
        }
      /* One byte more than allowed tells a file that grew past the limit. */
      if (len == allocated - 1)
        {
          if (len > max_size)
            goto too_large;
          allocated = MIN (MAX (allocated * 2, (gsize) READ_CHUNK), max_size + 2);
          buffer = g_realloc (buffer, allocated);
        }
      n = read (fd, buffer + len, MIN (allocated - 1 - len, (gsize) READ_CHUNK));
      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          close (fd);
          set_io_error (error, ACTION_READ, path, errsv);
          return FALSE;
        }
      if (n == 0)
        break;
      len += (gsize) n;
      if (len > max_size)
        goto too_large;
    }
  close (fd);

  buffer[len] = '\0';
  *data = g_steal_pointer (&buffer);
  if (length != NULL)
    *length = len;
  return TRUE;

too_large:
  {
    g_autofree char *name = g_filename_display_name (path);
    g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT, max_size);

    close (fd);
    g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                 /* Translators: the file's name, then the largest size accepted */
                 _("“%s” is larger than %s bytes"), name, limit);
    return FALSE;
  }
}

typedef struct
{
  char  *path;
  gsize  max_size;
  char  *data;
  gsize  length;
} ReadData;

static void
read_data_free (gpointer pointer)
{
  ReadData *rd = pointer;

  g_free (rd->path);
  g_free (rd->data);
  g_free (rd);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadData *rd = task_data;
  GError *error = NULL;

  if (bp_file_read_contents (rd->path, rd->max_size, cancellable, &rd->data, &rd->length,
                             &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
bp_file_read_contents_async (const char          *path,
                             gsize                max_size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadData *rd;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bp_file_read_contents_async);
  rd = g_new0 (ReadData, 1);
  rd->path = g_strdup (path);
  rd->max_size = max_size;
  g_task_set_task_data (task, rd, read_data_free);
  g_task_run_in_thread (task, read_thread);
}

gboolean
bp_file_read_contents_finish (GAsyncResult  *result,
                              char         **data,
                              gsize         *length,
                              GError       **error)
{
  ReadData *rd;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  *data = NULL;
  if (length != NULL)
    *length = 0;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  rd = g_task_get_task_data (G_TASK (result));
  *data = g_steal_pointer (&rd->data);
  if (length != NULL)
    *length = rd->length;
  return TRUE;
}

char *
bp_file_path_from_arg (const char  *arg,
                       GError     **error)
{
  const char *scheme;
  g_autoptr(GError) local_error = NULL;
  char *path;

  g_return_val_if_fail (arg != NULL, NULL);

  /* As g_file_new_for_commandline_arg() reads it: an absolute path, a URI,
   * or a path from the current folder. */
  if (g_path_is_absolute (arg))
    return g_canonicalize_filename (arg, NULL);
  scheme = g_uri_peek_scheme (arg);
  if (scheme == NULL)
    return g_canonicalize_filename (arg, NULL);
  if (g_str_equal (scheme, "file") && (path = g_filename_from_uri (arg, NULL, &local_error)) != NULL)
    return path;
  g_set_error (error, BP_ERROR, BP_ERROR_IO,
               /* Translators: a location (a URI) */
               _("“%s” is not a local file; copy it to this computer first"), arg);
  return NULL;
}
