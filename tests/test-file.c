/* SPDX-License-Identifier: MIT */
/* Safe writes and reads (engine/bp-file.c): the old file survives every
 * failure, symbolic links, modes, read-only files and devices are
 * respected, leftovers of interrupted saves are removed, and special files
 * are refused at once instead of read without end. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>
#include <string.h>
#include <glib/gstdio.h>

#include "bp-document.h"
#include "bp-error.h"
#include "bp-expr.h"
#include "bp-file.h"

typedef struct
{
  char *dir;
  char *mounted;   /* a tmpfs to unmount, even when a test fails */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("test-file-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  if (listing == NULL)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->mounted != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("umount '%s'", f->mounted);

      g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
      g_clear_pointer (&f->mounted, g_free);
    }
  remove_tree (f->dir);
  g_free (f->dir);
}

static char *
read_all (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* Files in the folder besides the ones named (NULL-terminated). */
static guint
count_other_files (const char *dir,
                   ...)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (listing)) != NULL)
    {
      va_list args;
      const char *known;
      gboolean found = FALSE;

      va_start (args, dir);
      while ((known = va_arg (args, const char *)) != NULL)
        found = found || g_str_equal (known, name);
      va_end (args);
      if (!found)
        n++;
    }
  return n;
}

/* ---------------------------------------------------------------- */

static void
test_replace_new_and_existing (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "a.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GStatBuf st;

  g_assert_true (bp_file_replace_contents (path, "one", 3, &error));
  g_assert_no_error (error);
  first = read_all (path);
  g_assert_cmpstr (first, ==, "one");

  /* The mode of the file replaced is kept. */
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_true (bp_file_replace_contents (path, "two!", 4, &error));
  g_assert_no_error (error);
  second = read_all (path);
  g_assert_cmpstr (second, ==, "two!");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpuint (count_other_files (f->dir, "a.txt", NULL), ==, 0);
}

static void
test_replace_symlink (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->dir, "real", NULL);
  g_autofree char *target = g_build_filename (sub, "t.bpgraph", NULL);
  g_autofree char *link = g_build_filename (f->dir, "link.bpgraph", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  GStatBuf st;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  write_file (target, "old");
  g_assert_cmpint (g_chmod (target, 0600), ==, 0);
  g_assert_cmpint (symlink ("real/t.bpgraph", link), ==, 0);

  g_assert_true (bp_file_replace_contents (link, "new", 3, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  contents = read_all (target);
  g_assert_cmpstr (contents, ==, "new");
  g_assert_cmpint (g_stat (target, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  /* The temporary file was made beside the target, not the link. */
  g_assert_cmpuint (count_other_files (sub, "t.bpgraph", NULL), ==, 0);
  g_assert_cmpuint (count_other_files (f->dir, "real", "link.bpgraph", NULL), ==, 0);
}

static void
test_replace_read_only (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ro.bpgraph", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  write_file (path, "keep me");
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  g_assert_false (bp_file_replace_contents (path, "lost", 4, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "read-only"));
  contents = read_all (path);
  g_assert_cmpstr (contents, ==, "keep me");
  g_assert_cmpuint (count_other_files (f->dir, "ro.bpgraph", NULL), ==, 0);
}

static void
test_replace_not_regular (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->dir, "folder.bpgraph", NULL);
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_assert_false (bp_file_replace_contents (sub, "x", 1, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "folder"));
  g_clear_error (&error);

  /* A device stays a device (no temporary file can even be made in /dev
   * by an ordinary user, but root could: it must be refused before). */
  if (g_stat ("/dev/full", &st) == 0 && S_ISCHR (st.st_mode))
    {
      g_assert_false (bp_file_replace_contents ("/dev/full", "x", 1, &error));
      g_assert_error (error, BP_ERROR, BP_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "device"));
      g_assert_cmpint (g_stat ("/dev/full", &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
    }
}

static void
test_replace_removes_leftovers (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "doc.bpgraph", NULL);
  g_autofree char *stale = g_build_filename (f->dir, ".doc.bpgraph.bp-save-abc123", NULL);
  g_autofree char *busy = g_build_filename (f->dir, ".doc.bpgraph.bp-save-xyz789", NULL);
  g_autofree char *other = g_build_filename (f->dir, ".other.bpgraph.bp-save-abc123", NULL);
  g_autofree char *gio_old = g_build_filename (f->dir, ".goutputstream-AB12CD", NULL);
  g_autofree char *gio_new = g_build_filename (f->dir, ".goutputstream-EF34GH", NULL);
  g_autofree char *gio_other = g_build_filename (f->dir, ".goutputstream-IJ56KL", NULL);
  struct utimbuf old_times = { .actime = time (NULL) - 7200, .modtime = time (NULL) - 7200 };
  g_autoptr(GError) error = NULL;
  int fd;

  write_file (path, "old");
  write_file (stale, "half a save");
  write_file (other, "another file's save");
  write_file (busy, "a save in progress");
  /* A save still running holds a lock on its temporary file. */
  fd = open (busy, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  /* GIO's leftovers of earlier saves: an hour-old document goes; a
   * fresh one, or another program's, stays. */
  write_file (gio_old, "{\n  \"format\": \"backprop-studio\",\n  \"version\": 1");
  write_file (gio_new, "{\n  \"format\": \"backprop-studio\",\n  \"version\": 1");
  write_file (gio_other, "some other program's text, written long ago");
  g_assert_cmpint (g_utime (gio_old, &old_times), ==, 0);
  g_assert_cmpint (g_utime (gio_other, &old_times), ==, 0);

  g_assert_true (bp_file_replace_contents (path, "new", 3, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (busy, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (gio_old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (gio_new, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (gio_other, G_FILE_TEST_EXISTS));
  close (fd);
}

/* ---------------------------------------------------------------- */
/* Fault injection: tests/fault-shim.c, preloaded by the test setup.   */

static gboolean
shim_loaded (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "bpfault") != NULL;
}

static const char *const fault_ops[] = { "write", "fsync", "close", "rename" };

static void
test_faults_engine (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "apples.bpgraph", NULL);
  g_autofree char *original = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new ("x = 1\n");

  if (!shim_loaded ())
    {
      g_test_skip ("the fault shim is not preloaded (run through meson test)");
      return;
    }
  for (guint i = 1; i < 400; i++)
    g_string_append_printf (big, "y%u = x * %u\n", i, i);
  document = bp_document_new ();
  {
    g_autoptr(BpDocument) apples = bp_document_load_from_data (
      "{\"format\": \"backprop-studio\", \"version\": 1, \"title\": \"Apples\","
      " \"nodes\": [{\"id\": \"a\", \"op\": \"input\", \"value\": 100}]}", -1, &error);

    g_assert_no_error (error);
    original = bp_document_to_data (apples, NULL);
  }
  write_file (path, original);
  {
    g_autoptr(BpGraph) graph = NULL;

    graph = bp_expr_parse (big->str, &error);
    g_assert_no_error (error);
    bp_document_set_graph (document, graph);
  }
  file = g_file_new_for_path (path);

  g_setenv ("BP_FAULT_DIR", f->dir, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (fault_ops); i++)
    {
      g_autofree char *after = NULL;

      g_setenv ("BP_FAULT_OP", fault_ops[i], TRUE);
      g_assert_false (bp_document_save_to_file (document, file, &error));
      g_assert_error (error, BP_ERROR, BP_ERROR_IO);
      g_clear_error (&error);
      g_assert_false (bp_file_replace_contents (path, "x", 1, &error));
      g_assert_error (error, BP_ERROR, BP_ERROR_IO);
      g_clear_error (&error);
      g_unsetenv ("BP_FAULT_OP");

      after = read_all (path);
      g_assert_cmpstr (after, ==, original);
      g_assert_cmpuint (count_other_files (f->dir, "apples.bpgraph", NULL), ==, 0);
    }
  g_unsetenv ("BP_FAULT_DIR");

  /* And without faults the same save works. */
  g_assert_true (bp_document_save_to_file (document, file, &error));
  g_assert_no_error (error);
}

static void
run_bpgraph (const char *const *args,
             int                expected_status,
             char             **err)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, expected_status);
}

static void
test_faults_cli (Fixture       *f,
                 gconstpointer  bpgraph)
{
  const char *const names[] = { "out.bpgraph", "out.svg", "out.pdf", "out.png", "ex.bpgraph" };

  if (!shim_loaded () || bpgraph == NULL)
    {
      g_test_skip ("the fault shim is not preloaded or bpgraph not given "
                   "(run through meson test)");
      return;
    }
  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autofree char *out = g_build_filename (f->dir, names[n], NULL);
      const char *convert[] = { bpgraph, "convert", "-e", "y = exp(2) * 3", "-o", out, NULL };
      const char *export[] = { bpgraph, "export", "-e", "y = exp(2) * 3", "-o", out, NULL };
      const char *examples[] = { bpgraph, "examples", "apples", "-o", out, NULL };
      const char *const *args = n == 0 ? convert : n == 4 ? examples : export;

      write_file (out, "the old file");
      g_setenv ("BP_FAULT_DIR", f->dir, TRUE);
      for (guint i = 0; i < G_N_ELEMENTS (fault_ops); i++)
        {
          g_autofree char *after = NULL;
          g_autofree char *err = NULL;

          g_setenv ("BP_FAULT_OP", fault_ops[i], TRUE);
          run_bpgraph (args, 1, &err);
          g_unsetenv ("BP_FAULT_OP");
          g_assert_nonnull (strstr (err, names[n]));
          after = read_all (out);
          g_assert_cmpstr (after, ==, "the old file");
          g_assert_cmpuint (count_other_files (f->dir, "out.bpgraph", "out.svg", "out.pdf",
                                               "out.png", "ex.bpgraph", NULL), ==, 0);
        }
      g_unsetenv ("BP_FAULT_DIR");
      run_bpgraph (args, 0, NULL);
    }
}

/* A full disk for real: an 8 KiB tmpfs (needs root and mount). The
 * checks run in a child process, so that the parent unmounts the tmpfs
 * even when one of them fails. */
static void
full_disk_checks (const char *mnt,
                  const char *bpgraph)
{
  g_autofree char *path = g_build_filename (mnt, "doc.bpgraph", NULL);
  g_autofree char *original = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GString) big = g_string_new ("x0 = 1\n");
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpGraph) graph = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  original = g_strdup ("{\n  \"format\": \"backprop-studio\",\n  \"version\": 1,\n"
                       "  \"nodes\": []\n}\n");
  write_file (path, original);
  for (guint i = 1; i < 300; i++)
    g_string_append_printf (big, "x%u = x%u * 1.5\n", i, i - 1);
  graph = bp_expr_parse (big->str, &error);
  g_assert_no_error (error);
  document = bp_document_new_for_graph (graph);
  file = g_file_new_for_path (path);

  g_assert_false (bp_document_save_to_file (document, file, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_test_message ("full disk: %s", error->message);
  g_clear_error (&error);
  after = read_all (path);
  g_assert_cmpstr (after, ==, original);
  g_assert_cmpuint (count_other_files (mnt, "doc.bpgraph", NULL), ==, 0);

  if (bpgraph != NULL)
    {
      g_autofree char *bpx = g_build_filename (mnt, "..", "big.bpx", NULL);
      const char *args[] = { bpgraph, "convert", bpx, "-o", path, NULL };
      g_autofree char *err = NULL;
      g_autofree char *again = NULL;

      write_file (bpx, big->str);
      run_bpgraph (args, 1, &err);
      again = read_all (path);
      g_assert_cmpstr (again, ==, original);
      g_assert_cmpuint (count_other_files (mnt, "doc.bpgraph", NULL), ==, 0);
    }
}

static void
test_full_disk (Fixture       *f,
                gconstpointer  bpgraph)
{
  g_autofree char *mnt = NULL;
  g_autofree char *cmd = NULL;
  int status = -1;

  if (g_test_subprocess ())
    {
      full_disk_checks (g_getenv ("BP_TEST_TMPFS"), bpgraph);
      return;
    }

  mnt = g_build_filename (f->dir, "small", NULL);
  g_assert_cmpint (g_mkdir (mnt, 0755), ==, 0);
  cmd = g_strdup_printf ("mount -t tmpfs -o size=8k tmpfs '%s'", mnt);
  if (geteuid () != 0
      || !g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL)
      || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_test_skip ("cannot mount an 8 KiB tmpfs here (needs root and mount permission)");
      return;
    }
  f->mounted = g_strdup (mnt);
  g_setenv ("BP_TEST_TMPFS", mnt, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT
                                   | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("BP_TEST_TMPFS");
  g_test_trap_assert_passed ();
}

/* ---------------------------------------------------------------- */
/* Reading                                                           */

static void
assert_refused_quickly (const char *path,
                        const char *what)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize length = 0;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_false (bp_file_read_contents (path, 1024 * 1024, NULL, &data, &length, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_assert_nonnull (strstr (error->message, what));
  g_assert_null (data);
  g_test_message ("%s refused in %.1f ms: %s", path,
                  (g_get_monotonic_time () - t0) / 1e3, error->message);
}

static void
test_read_special (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *fifo = g_build_filename (f->dir, "pipe.bpgraph", NULL);
  g_autofree char *sock_path = g_build_filename (f->dir, "s.bpgraph", NULL);
  g_autoptr(GError) error = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int sock;

  /* Each would hang (a FIFO with no writer) or read without end. */
  assert_refused_quickly ("/dev/zero", "device");
  assert_refused_quickly ("/dev/urandom", "device");
  assert_refused_quickly (f->dir, "folder");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_refused_quickly (fifo, "pipe");

  sock = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (sock, >=, 0);
  g_strlcpy (addr.sun_path, sock_path, sizeof addr.sun_path);
  if (strlen (sock_path) < sizeof addr.sun_path
      && bind (sock, (struct sockaddr *) &addr, sizeof addr) == 0)
    {
      /* A socket cannot be opened like a file at all: refused either way. */
      char *contents = NULL;

      g_assert_false (bp_file_read_contents (sock_path, 1024, NULL, &contents, NULL, &error));
      g_assert_error (error, BP_ERROR, BP_ERROR_IO);
      g_clear_error (&error);
    }
  close (sock);

  /* The document loader goes through the same read. */
  {
    g_autoptr(BpDocument) document = bp_document_load_from_path ("/dev/zero", &error);

    g_assert_null (document);
    g_assert_error (error, BP_ERROR, BP_ERROR_IO);
    g_clear_error (&error);
    document = bp_document_load_from_path (fifo, &error);
    g_assert_null (document);
    g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  }
}

static void
test_read_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ten.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  char *contents = NULL;
  gsize length = 0;

  write_file (path, "0123456789");
  g_assert_true (bp_file_read_contents (path, 10, NULL, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 10);
  g_assert_cmpstr (contents, ==, "0123456789");
  g_clear_pointer (&contents, g_free);

  g_assert_false (bp_file_read_contents (path, 9, NULL, &contents, &length, &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* The limit holds on what is read, not on what the system reports:
   * /proc files report a size of 0. */
  if (g_file_test ("/proc/self/maps", G_FILE_TEST_EXISTS))
    {
      g_assert_false (bp_file_read_contents ("/proc/self/maps", 16, NULL, &contents,
                                             &length, &error));
      g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
      g_clear_error (&error);
    }

  g_cancellable_cancel (cancellable);
  g_assert_false (bp_file_read_contents (path, 100, cancellable, &contents, &length, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_assert_true (bp_file_read_contents_finish (result, out, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 5);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **out = user_data;
  g_autoptr(BpDocument) document = bp_document_load_finish (result, out);

  g_assert_null (document);
}

static void
test_read_async (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "five.txt", NULL);
  g_autofree char *fifo = g_build_filename (f->dir, "pipe.bpx", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  write_file (path, "hello");
  bp_file_read_contents_async (path, 100, NULL, read_done_cb, &contents);
  while (contents == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (contents, ==, "hello");
  g_free (contents);

  /* A document on a FIFO: refused in the worker, reported back. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  file = g_file_new_for_path (fifo);
  bp_document_load_async (file, NULL, load_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
}

/* What a command-line argument names, as g_file_new_for_commandline_arg()
 * reads it, and a document loaded by it. */
static void
test_path_from_arg (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "a.bpx", NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *from_uri = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *dotted = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *remote = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  write_file (path, "x = 3\ny = 2 * x\n");

  from_uri = bp_file_path_from_arg (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_uri, ==, path);

  /* Relative: from the current folder, "." and ".." taken out, the same
   * path GIO gives. */
  relative = bp_file_path_from_arg ("sub/../x.bpx", &error);
  g_assert_no_error (error);
  expected = g_build_filename (cwd, "x.bpx", NULL);
  g_assert_cmpstr (relative, ==, expected);
  file = g_file_new_for_commandline_arg ("./sub/../x.bpx");
  dotted = g_file_get_path (file);
  g_assert_cmpstr (dotted, ==, relative);

  remote = bp_file_path_from_arg ("https://example.org/a.bpx", &error);
  g_assert_null (remote);
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "https://example.org/a.bpx"));
  g_clear_error (&error);

  document = bp_document_load_from_path (uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bp_graph_lookup (bp_document_get_graph (document), "y"));
  g_clear_object (&document);
  document = bp_document_load_from_path ("ftp://example.org/a.bpx", &error);
  g_assert_null (document);
  g_assert_error (error, BP_ERROR, BP_ERROR_IO);
}

int
main (int    argc,
      char **argv)
{
  const char *bpgraph = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;

  g_test_init (&argc, &argv, NULL);

#define ADD(name, func, data) \
  g_test_add ("/file/" name, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("replace/new-and-existing", test_replace_new_and_existing, NULL);
  ADD ("replace/symlink", test_replace_symlink, NULL);
  ADD ("replace/read-only", test_replace_read_only, NULL);
  ADD ("replace/not-regular", test_replace_not_regular, NULL);
  ADD ("replace/leftovers", test_replace_removes_leftovers, NULL);
  ADD ("faults/engine", test_faults_engine, NULL);
  ADD ("faults/cli", test_faults_cli, bpgraph);
  ADD ("faults/full-disk", test_full_disk, bpgraph);
  ADD ("read/special", test_read_special, NULL);
  ADD ("read/limit", test_read_limit, NULL);
  ADD ("read/async", test_read_async, NULL);
  ADD ("read/path-from-arg", test_path_from_arg, NULL);
#undef ADD

  return g_test_run ();
}
