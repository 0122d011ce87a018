/* SPDX-License-Identifier: MIT */
/* Documents from and to a GFile: the application's open (in a worker)
 * and save, through GIO. Only local files are saved; remote ones are read
 * through a stream. The headless CLI uses the path functions instead
 * (bp_document_load_from_path(), bp_document_save_to_path()). */

#include <glib/gi18n-lib.h>

#include "bp-document-private.h"
#include "bp-file.h"

/* A GFile's local path for bp-file.c, or NULL with a BP_ERROR_IO error for
 * a file that has none (a remote location). */
static char *
get_local_path (GFile   *file,
                GError **error)
{
  char *path;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, BP_ERROR, BP_ERROR_IO,
                   /* Translators: a location (a URI) */
                   _("“%s” is not a local file; copy it to this computer first"), name);
    }
  return path;
}

/* Local files through bp_file_read_contents(), which refuses devices,
 * pipes and folders and holds the limit on the bytes read; other
 * locations (GIO's remote ones) through a stream read with the same
 * limit. */
static char *
load_contents (GFile         *file,
               GCancellable  *cancellable,
               gsize         *length,
               GError       **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *name = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  char *contents = NULL;

  if (path != NULL)
    {
      if (!bp_file_read_contents (path, BP_DOCUMENT_MAX_BYTES, cancellable, &contents,
                                  length, error))
        return NULL;
      return contents;
    }

  name = g_file_get_parse_name (file);
  stream = g_file_read (file, cancellable, &local_error);
  bytes = g_byte_array_new ();
  while (stream != NULL)
    {
      guint8 buffer[16384];
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer,
                                      cancellable, &local_error);

      if (n <= 0)
        {
          if (n < 0)
            g_clear_object (&stream);
          break;
        }
      g_byte_array_append (bytes, buffer, (guint) n);
      if (bytes->len > BP_DOCUMENT_MAX_BYTES)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                       /* Translators: the file's name, then the largest size accepted */
                       _("“%s” is larger than %u bytes"), name, BP_DOCUMENT_MAX_BYTES);
          return NULL;
        }
    }
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        /* Translators: the file's name, then the system's reason */
        g_set_error (error, BP_ERROR, BP_ERROR_IO, _("Could not read “%s”: %s"),
                     name, local_error->message);
      return NULL;
    }
  *length = bytes->len;
  g_byte_array_append (bytes, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
}

static BpDocument *
load_file (GFile         *file,
           const char    *name,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  contents = load_contents (file, cancellable, &length, error);
  if (contents == NULL)
    return NULL;
  return _bp_document_load_contents (contents, length, name, error);
}

BpDocument *
bp_document_load_from_file (GFile   *file,
                            GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  contents = load_contents (file, NULL, &length, error);
  if (contents == NULL)
    return NULL;
  return bp_document_load_from_data (contents, (gssize) length, error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *name = g_file_get_basename (file);
  GError *error = NULL;
  BpDocument *document;

  document = load_file (file, name != NULL ? name : "", cancellable, &error);
  if (document == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, document, g_object_unref);
}

void
bp_document_load_async (GFile               *file,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bp_document_load_async);
  /* A copy: GFile is not documented as thread-safe to share. */
  g_task_set_task_data (task, g_file_dup (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

BpDocument *
bp_document_load_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bp_document_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
bp_document_save_to_file (BpDocument  *self,
                          GFile       *file,
                          GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (BP_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = get_local_path (file, error);
  if (path == NULL)
    return FALSE;
  return bp_document_save_to_path (self, path, error);
}
