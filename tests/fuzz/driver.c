/* SPDX-License-Identifier: MIT */
/* Replays fuzz inputs without libFuzzer, as GLib's fuzzing/driver.c does:
 * every file named on the command line, or every file in a folder named
 * there, goes through LLVMFuzzerTestOneInput once. */

#include <glib.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

static guint
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const unsigned char *) contents, length);
  return 1;
}

int
main (int    argc,
      char **argv)
{
  guint n_files = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          const char *name;

          if (dir == NULL)
            g_error ("%s", error->message);
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);

              n_files += run_file (path);
            }
        }
      else
        n_files += run_file (argv[i]);
    }
  if (n_files == 0)
    {
      fprintf (stderr, "no input files\n");
      return 1;
    }
  printf ("%u inputs replayed\n", n_files);
  return 0;
}
