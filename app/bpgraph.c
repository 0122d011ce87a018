/* SPDX-License-Identifier: MIT */
/* bpgraph: the headless command line of Backprop Studio (DESIGN.md,
 * "Headless CLI"). Links the engine only, never GTK: the commands that
 * draw (export, convert, worksheet) are bpgraph-render's, run in its
 * place, so that eval and check start without the drawing libraries.
 *
 * Where the build has the static libraries, bpgraph is one static
 * program: no dynamic loader, no shared library to map and relocate,
 * which was a third of the start-up of a short run. A static program
 * cannot load OpenBLAS (it would bring a second C library along), so
 * train, and a run whose first large matrix product wants BLAS, go to
 * bpgraph-render too, which loads it: the same digits as the app. So
 * does every run where LD_PRELOAD names a library, which only a dynamic
 * program loads.
 * Exit codes: 0 ok, 1 bad input (message on stderr), 2 usage. */

#include <glib/gi18n.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpgraph-cli.h"
#include "bpgraph-commands.h"
#include "bp-blas.h"

static const char usage_text[] = N_(
  "Usage:\n"
  "  bpgraph eval FILE|-e EXPR [--json]       values and gradients of every node\n"
  "  bpgraph check FILE|-e EXPR [--json] [--max-elements N [--sample [--seed S]]]\n"
  "                                           numeric gradient check vs backprop\n"
  "  bpgraph export FILE|-e EXPR -o OUT.svg|.png|.pdf|.tex [--pass none|forward|backward]\n"
  "                 [--step K] [--scale S] [--dark]\n"
  "  bpgraph export FILE|-e EXPR --steps DIR|OUT.pdf  every step of both passes, one frame\n"
  "  bpgraph convert FILE.bpx|-e EXPR -o FILE.bpgraph [--title TITLE]\n"
  "  bpgraph examples [NAME -o FILE]          list or write the built-in examples\n"
  "  bpgraph train FILE [--data NAME|DIR] [--iterations N] [--batch B] [--lr R]\n"
  "                [--optimizer sgd|momentum|adam] [--seed S] [-o OUT.bpgraph] [--json]\n"
  "  bpgraph worksheet FILE|-e EXPR --variants N --seed S --hide values|gradients|both\n"
  "                 -o OUT.pdf|OUT.xml        homework with answer keys, or Moodle XML\n"
  "\n"
  "FILE is a .bpgraph document or a .bpx expression file. Run\n"
  "“bpgraph COMMAND --help” for the options of a command.\n");

/* ---------------------------------------------------------------- */
/* handing a run to bpgraph-render                                   */

/* bpgraph-render next to this program (a build tree, or a relocated
 * install) or else in the libexecdir it was installed to. */
static char *
find_render_helper (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *beside = g_build_filename (dir, "bpgraph-render", NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&beside);
    }
  return g_build_filename (BP_LIBEXECDIR, "bpgraph-render", NULL);
}

/* Replaces this process with bpgraph-render, same arguments. Returns
 * only when that failed, with errno set, and the helper's path in
 * *helper_out when asked for. */
static void
hand_over (char  **argv,
           char  **helper_out)
{
  g_autofree char *helper = find_render_helper ();
  int saved;

  execv (helper, argv);
  saved = errno;
  if (helper_out != NULL)
    *helper_out = g_steal_pointer (&helper);
  errno = saved;
}

/* hand_over() for a command only bpgraph-render has: its failure is
 * the run's. */
static int
run_render_helper (char **argv)
{
  g_autofree char *helper = NULL;

  hand_over (argv, &helper);
  g_printerr ("bpgraph: %s: %s\n", helper, g_strerror (errno));
  return BP_CLI_EXIT_INPUT;
}

#ifdef BP_CLI_FULLY_STATIC
/* The arguments as main() got them: a command's option parser takes
 * its own out of the array. */
static char **original_argv;

/* A product wants BLAS, which this static program cannot load: the run
 * starts again in bpgraph-render. Nothing has been printed yet (the
 * passes come before the output). An input that cannot be read a second
 * time (a pipe) stays here, and so does a run with no helper: the
 * matrix ops' own loops compute. */
static void
hand_over_products (void)
{
  if (!bp_cli_input_can_be_read_again ())
    return;
  fflush (stderr);
  hand_over (original_argv, NULL);
}
#endif

int
main (int    argc,
      char **argv)
{
  const char *command;

  bp_cli_init_locale ();

  if (argc < 2)
    {
      fputs (_(usage_text), stderr);
      return BP_CLI_EXIT_USAGE;
    }
  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h")
      || g_str_equal (command, "help"))
    {
      fputs (_(usage_text), stdout);
      return BP_CLI_EXIT_OK;
    }
  if (g_str_equal (command, "--version"))
    {
      printf ("bpgraph %s\n", PACKAGE_VERSION);
      return BP_CLI_EXIT_OK;
    }

  if (g_str_equal (command, "export") || g_str_equal (command, "convert")
      || g_str_equal (command, "worksheet"))
    return run_render_helper (argv);
#ifdef BP_CLI_FULLY_STATIC
  /* Every batch is a large product. */
  if (g_str_equal (command, "train"))
    return run_render_helper (argv);
  /* A static program loads no preloaded library: where one is asked for
   * (a fault injector, a profiler), the dynamic twin runs the command
   * instead, if it is there. */
  if (g_strcmp0 (g_getenv ("LD_PRELOAD"), "") > 0)
    hand_over (argv, NULL);
  original_argv = g_strdupv (argv);
  bp_blas_set_unavailable_func (hand_over_products);
#endif
  return bp_cli_run_command (bp_cli_engine_commands, bp_cli_n_engine_commands, argc, argv);
}
