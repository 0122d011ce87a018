/* SPDX-License-Identifier: MIT */
/* Start-up time of backprop-studio to its first drawn frame (target
 * ≤ 400 ms). Spawns the real program with BP_BENCH_STARTUP=1, which makes
 * it print the CLOCK_MONOTONIC time of its first frame clock "after-paint"
 * and quit; the difference with our own reading before the spawn is the
 * start-up time, process creation and dynamic linking included. */
#include <gio/gio.h>
#include <stdlib.h>

#define RUNS 7

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a;
  double db = *(const double *) b;

  return (da > db) - (da < db);
}

int
main (int   argc,
      char *argv[])
{
  double times[RUNS];
  guint n = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s PATH/TO/backprop-studio\n", argv[0]);
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: skipping the start-up benchmark\n");
      return 77;
    }

  for (guint run = 0; run < RUNS; run++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      const char *line;
      gint64 start, frame;

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_subprocess_launcher_setenv (launcher, "BP_BENCH_STARTUP", "1", TRUE);

      start = g_get_monotonic_time ();
      process = g_subprocess_launcher_spawn (launcher, &error, argv[1], NULL);
      if (process == NULL ||
          !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error))
        {
          g_printerr ("could not run %s: %s\n", argv[1], error->message);
          return 1;
        }

      if (!(line = strstr (out ? out : "", "first-frame-monotonic-us ")))
        {
          g_printerr ("run %u: no first frame reported\n", run);
          return 1;
        }
      frame = g_ascii_strtoll (line + strlen ("first-frame-monotonic-us "), NULL, 10);
      times[n++] = (frame - start) / 1000.0;
      g_print ("run %u: %.1f ms\n", run + 1, times[n - 1]);
    }

  /* The first run pays for cold caches; the median is the figure. */
  qsort (times, n, sizeof (double), compare_doubles);
  g_print ("start-up to first frame: median %.1f ms, best %.1f ms, worst %.1f ms "
           "(target <= 400 ms)\n", times[n / 2], times[0], times[n - 1]);

  return 0;
}
