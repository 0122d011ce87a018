/* SPDX-License-Identifier: MIT */
/* What every command of bpgraph shares: messages, options, the input,
 * the passes, the locale. Linked into bpgraph and bpgraph-render. */

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
# include <malloc.h>
# include <sys/mman.h>
#endif

#include "bpgraph-cli.h"
#include "bp-file.h"
#include "bp-expr.h"

int
bp_cli_usage_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("bpgraph: %s\n", message);
  g_printerr ("%s\n", _("Try “bpgraph --help”."));
  return BP_CLI_EXIT_USAGE;
}

int
bp_cli_input_error (const char   *what,
                    const GError *error)
{
  if (what != NULL)
    g_printerr ("bpgraph: %s: %s\n", what, error->message);
  else
    g_printerr ("bpgraph: %s\n", error->message);
  return BP_CLI_EXIT_INPUT;
}

/* Parses the command's options; on a usage problem prints it and returns
 * FALSE. argv[0] is the command name. */
gboolean
bp_cli_parse_options (const char    *command,
                      const char    *parameter,
                      const char    *summary,
                      GOptionEntry  *entries,
                      int           *argc,
                      char        ***argv,
                      int           *status)
{
  g_autofree char *name = g_strdup_printf ("bpgraph %s", command);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  /* "Usage: bpgraph eval [OPTION…] FILE|-e EXPR": GLib's usage line puts
   * the program's name first, which it would take from (*argv)[0], the
   * command's. */
  g_set_prgname (name);
  context = g_option_context_new (parameter);

  /* The descriptions of the options are N_() strings. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(summary));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = bp_cli_usage_error ("%s: %s", command, error->message);
      return FALSE;
    }
  return TRUE;
}

/* Inputs below this build graphs small enough for the usual heap. */
#define LARGE_INPUT_BYTES (256 * 1024)
/* A graph takes about 20 bytes of memory per byte of .bpx text, a
 * little more with its passes. */
#define HEAP_BYTES_PER_INPUT_BYTE 32
#define HUGE_PAGE_SIZE ((guintptr) 2 << 20)

/* Held to the end: the unaligned start of the grown heap, kept out of
 * use (see prepare_heap). */
static void *heap_gap;

/* A large graph touches tens of megabytes of fresh memory, and where a
 * page fault is dear (in many virtual machines, several microseconds per
 * 4 KiB page) the faults cost more than building the graph. For a large
 * input the heap is grown ahead, in one piece that large blocks come
 * from too, and the kernel is asked to back it with transparent huge
 * pages (one fault per 2 MiB) where it can. Only a hint: nothing
 * changes where glibc or the kernel do not offer it. */
static void
prepare_heap (gsize input_bytes)
{
#if defined (__GLIBC__) && defined (MADV_HUGEPAGE)
  gsize pad, probe_size;
  char *probe, *end, *aligned;

  if (input_bytes < LARGE_INPUT_BYTES)
    return;
  pad = MIN ((guint64) input_bytes * HEAP_BYTES_PER_INPUT_BYTE, (guint64) 1 << 30);
  /* Large blocks from the heap too (not each its own mapping), and the
   * heap never handed back while the command runs. */
  mallopt (M_MMAP_THRESHOLD, 64 << 20);
  mallopt (M_TRIM_THRESHOLD, (int) MIN (2 * pad, (gsize) G_MAXINT));
  mallopt (M_TOP_PAD, (int) pad);
  /* A block a little larger than the heap's free top grows the heap by
   * the pad now, and starts where the free top did. */
  probe_size = mallinfo2 ().keepcost + 4096;
  probe = malloc (probe_size);
  end = sbrk (0);
  if (probe == NULL || end == (char *) -1)
    {
      free (probe);
      return;
    }
  /* Huge pages only fill whole aligned 2 MiB, untouched until the hint
   * is given: the memory below the first boundary would still come 4 KiB
   * (one fault) at a time, up to 512 faults. The block grows in place up
   * to the boundary and is never used. */
  aligned = (char *) (((guintptr) probe + probe_size + 64 + HUGE_PAGE_SIZE - 1)
                      & ~(HUGE_PAGE_SIZE - 1));
  if (end - aligned <= (ptrdiff_t) HUGE_PAGE_SIZE)
    {
      free (probe);
      return;
    }
  heap_gap = realloc (probe, aligned - probe - 64);
  if (heap_gap == NULL)
    heap_gap = probe;
  madvise (aligned, end - aligned, MADV_HUGEPAGE);
#endif
}

/* Set when the input was a pipe or a device, which a second reading
 * would find empty or different. */
static gboolean input_read_once;

gboolean
bp_cli_input_can_be_read_again (void)
{
  return !input_read_once;
}

/* FILE or -e EXPR: exactly one. The document is returned, or NULL with
 * *status set. */
BpDocument *
bp_cli_load_input (const char  *command,
                   int          argc,
                   char       **argv,
                   const char  *expression,
                   int         *status)
{
  g_autoptr(GError) error = NULL;
  BpDocument *document;

  if (expression != NULL && argc > 1)
    {
      *status = bp_cli_usage_error (_("%s: give either a FILE or -e EXPR, not both"), command);
      return NULL;
    }
  if (expression == NULL && argc != 2)
    {
      *status = bp_cli_usage_error (argc < 2 ? _("%s: a FILE or -e EXPR is needed")
                                      : _("%s: only one FILE can be given"), command);
      return NULL;
    }

  if (expression != NULL)
    prepare_heap (strlen (expression));
  else
    {
      /* FILE may be a file:// URI too. */
      g_autofree char *path = bp_file_path_from_arg (argv[1], NULL);
      struct stat st;

      if (path != NULL && stat (path, &st) == 0 && S_ISREG (st.st_mode))
        {
          if (st.st_size > 0)
            prepare_heap ((gsize) st.st_size);
        }
      else
        input_read_once = TRUE;
    }

  if (expression != NULL)
    {
      g_autoptr(BpGraph) graph = bp_expr_parse (expression, &error);

      if (graph == NULL)
        {
          *status = bp_cli_input_error ("-e", error);
          return NULL;
        }
      return bp_document_new_for_graph (graph);
    }

  document = bp_document_load_from_path (argv[1], &error);
  if (document == NULL)
    *status = bp_cli_input_error (argv[1], error);
  return document;
}

/* Forward and backward, with the usual error reporting. */
gboolean
bp_cli_run_passes (BpGraph *graph,
                   gboolean backward,
                   int     *status)
{
  g_autoptr(GError) error = NULL;

  if (!bp_graph_validate (graph, &error))
    {
      *status = bp_cli_input_error (NULL, error);
      return FALSE;
    }
  if (bp_graph_get_output (graph) == NULL)
    {
      g_printerr ("bpgraph: %s\n",
                  _("the graph has no single output; name it with \"output\" in the document"));
      *status = BP_CLI_EXIT_INPUT;
      return FALSE;
    }
  if (!(backward ? bp_graph_backward (graph, &error) : bp_graph_forward (graph, &error)))
    {
      *status = bp_cli_input_error (NULL, error);
      return FALSE;
    }
  return TRUE;
}

/* The engine's messages are translated (as in app/main.c): the "C"
 * locale ignores LANGUAGE, C.UTF-8 honours it, so `LANGUAGE=ko bpgraph`
 * reports in Korean where LANG is unset. BP_LOCALEDIR points at the
 * build's po/ to run uninstalled. */
void
bp_cli_init_locale (void)
{
  const char *localedir;

  /* Only the language and the character set: numbers are read and
   * written in one fixed form whatever the locale, and nothing here
   * sorts, prints dates or money. Loading every category of a locale was
   * a tenth of a short run (a file and a page fault each). */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  if (g_getenv ("LANGUAGE") != NULL && g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
  localedir = g_getenv ("BP_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* A command's exit status, or BP_CLI_EXIT_INPUT when its output could not be
 * written. */
int
bp_cli_finish (int status)
{
  fflush (stdout);
  if (ferror (stdout))
    {
      g_printerr ("bpgraph: %s\n", _("could not write the output"));
      return BP_CLI_EXIT_INPUT;
    }
  return status;
}

/* Runs the command argv[1] names among `commands` and returns its exit
 * status through bp_cli_finish(); an unknown command is a usage error. */
int
bp_cli_run_command (const BpCliCommand *commands,
                    guint               n_commands,
                    int                 argc,
                    char              **argv)
{
  const char *command = argv[1];

  for (guint i = 0; i < n_commands; i++)
    if (g_str_equal (command, commands[i].name))
      return bp_cli_finish (commands[i].run (argc - 1, argv + 1));
  return bp_cli_usage_error (_("unknown command “%s”"), command);
}
