/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-autosave"

#include <glib/gstdio.h>

#include "bp-autosave.h"
#include "bp-file.h"

typedef struct
{
  GFile  *file;
  guint64 mtime;
} Entry;

static GFile *
origin_file_for (GFile *copy)
{
  g_autofree char *path = g_file_get_path (copy);
  g_autofree char *origin = g_strconcat (path, ".origin", NULL);

  return g_file_new_for_path (origin);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const Entry *ea = a;
  const Entry *eb = b;

  if (ea->mtime == eb->mtime)
    return 0;
  return ea->mtime > eb->mtime ? -1 : 1;
}

char *
bp_autosave_get_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "backprop-studio", "autosave", NULL);
}

GFile *
bp_autosave_new_file (void)
{
  static guint serial;
  g_autofree char *dir = bp_autosave_get_dir ();
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  /* pid + time + serial: unique even when several windows (or a second
   * instance started with --gapplication-replace) autosave at once. */
  name = g_strdup_printf ("graph-%d-%" G_GINT64_FORMAT "-%u.bpgraph",
                          (int) getpid (), g_get_real_time () / G_USEC_PER_SEC,
                          ++serial);
  path = g_build_filename (dir, name, NULL);

  return g_file_new_for_path (path);
}

gboolean
bp_autosave_write (BpDocument  *document,
                   GFile       *copy,
                   GFile       *origin,
                   GError     **error)
{
  g_autoptr(GFile) origin_file = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autofree char *parent_path = NULL;

  g_return_val_if_fail (BP_IS_DOCUMENT (document), FALSE);
  g_return_val_if_fail (G_IS_FILE (copy), FALSE);

  parent = g_file_get_parent (copy);
  parent_path = g_file_get_path (parent);
  if (g_mkdir_with_parents (parent_path, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not create %s: %s", parent_path, g_strerror (errsv));
      return FALSE;
    }

  /* The origin first: a copy without it would restore as "not saved yet",
   * which loses nothing; the reverse could point at the wrong file. */
  origin_file = origin_file_for (copy);
  if (origin != NULL)
    {
      g_autofree char *uri = g_file_get_uri (origin);
      g_autofree char *origin_path = g_file_get_path (origin_file);

      if (!bp_file_replace_contents (origin_path, uri, strlen (uri), error))
        return FALSE;
    }
  else
    {
      g_file_delete (origin_file, NULL, NULL);
    }

  return bp_document_save_to_file (document, copy, error);
}

GList *
bp_autosave_list (void)
{
  g_autofree char *dir_path = bp_autosave_get_dir ();
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) entries = NULL;
  GList *list = NULL;
  const char *name;

  if (!(dir = g_dir_open (dir_path, 0, NULL)))
    return NULL;

  entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *path = NULL;
      GStatBuf st;
      Entry e;

      if (!g_str_has_suffix (name, ".bpgraph"))
        continue;

      path = g_build_filename (dir_path, name, NULL);
      if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;

      e.file = g_file_new_for_path (path);
      e.mtime = (guint64) st.st_mtime;
      g_array_append_val (entries, e);
    }

  g_array_sort (entries, compare_newest_first);
  for (guint i = entries->len; i > 0; i--)
    list = g_list_prepend (list, g_array_index (entries, Entry, i - 1).file);

  return list;
}

GFile *
bp_autosave_get_origin (GFile *copy)
{
  g_autoptr(GFile) origin_file = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (G_IS_FILE (copy), NULL);

  origin_file = origin_file_for (copy);
  if (!g_file_load_contents (origin_file, NULL, &contents, &length, NULL, NULL))
    return NULL;

  g_strstrip (contents);
  if (contents[0] == '\0' || !g_utf8_validate (contents, -1, NULL))
    return NULL;

  return g_file_new_for_uri (contents);
}

void
bp_autosave_remove (GFile *copy)
{
  g_autoptr(GFile) origin_file = NULL;

  g_return_if_fail (G_IS_FILE (copy));

  origin_file = origin_file_for (copy);
  g_file_delete (copy, NULL, NULL);
  g_file_delete (origin_file, NULL, NULL);
}
