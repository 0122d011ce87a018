/* SPDX-License-Identifier: MIT */
/* bpgraph-render: the commands of bpgraph that need shared libraries.
 * Those that draw or lay out need Cairo, Pango and Graphviz (export,
 * convert, worksheet); where bpgraph is a static program, training and
 * large matrix products need OpenBLAS, which only a dynamic program can
 * load, so the engine's commands (eval, check, examples, train) are
 * here too. bpgraph runs it in its own place for them, so that the
 * other runs start without loading these libraries. Same arguments,
 * output and exit codes as bpgraph; not meant to be run by hand. */

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bpgraph-cli.h"
#include "bpgraph-commands.h"
#include "bp-export.h"
#include "bp-graph.h"
#include "bp-layout.h"
#include "bp-trace.h"
#include "bp-worksheet.h"
#include "bp-worksheet-pdf.h"

/* ---------------------------------------------------------------- */
/* convert                                                           */

/* Lays out the nodes that have no position (every command here draws or
 * saves the graph). FALSE with *status set on failure. */
static gboolean
lay_out_missing (BpGraph *graph,
                 int     *status)
{
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  g_autoptr(GError) error = NULL;

  /* Returns at once when every node has its place. */
  if (!bp_layout_arrange (diagram, TRUE, &error))
    {
      *status = bp_cli_input_error ("layout", error);
      return FALSE;
    }
  return TRUE;
}

static int
command_convert (int    argc,
                 char **argv)
{
  g_autofree char *expression = NULL;
  g_autofree char *output = NULL;
  g_autofree char *title = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  BpGraph *graph;
  int status = BP_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    BP_CLI_EXPRESSION_OPTION (expression, N_("Convert this expression instead of a file")),
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The .bpgraph document to write"), "FILE.bpgraph" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title,
      N_("The document's title (default: the input file's name)"), "TITLE" },
    { NULL }
  };

  if (!bp_cli_parse_options ("convert", "FILE.bpx|-e EXPR",
                      N_("Turns expressions into a laid-out .bpgraph document (a .bpgraph\n"
                      "input is rewritten in canonical form, missing positions laid out)."),
                      entries, &argc, &argv, &status))
    return status;
  if (output == NULL)
    return bp_cli_usage_error (_("convert: -o FILE.bpgraph is needed"));
  document = bp_cli_load_input ("convert", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);

  if (title != NULL)
    bp_document_set_title (document, title);
  else if (bp_document_get_title (document) == NULL && expression == NULL)
    {
      g_autofree char *base = g_path_get_basename (argv[1]);
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      bp_document_set_title (document, base);
    }

  if (!lay_out_missing (graph, &status))
    return status;

  file = g_file_new_for_commandline_arg (output);
  if (!bp_document_save_to_file (document, file, &error))
    return bp_cli_input_error (NULL, error);
  return BP_CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* export                                                            */

static int
command_export (int    argc,
                char **argv)
{
  g_autofree char *expression = NULL;
  g_autofree char *output = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *steps = NULL;
  int step = -1;
  double scale = 1.0;
  gboolean dark = FALSE;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDiagram) diagram = NULL;
  g_autoptr(GError) error = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpExportFormat format;
  BpTrace *trace = NULL;
  BpGraph *graph;
  guint n_steps = 0;
  int status = BP_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    BP_CLI_EXPRESSION_OPTION (expression, N_("Export this expression instead of a file")),
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The file to write; its extension chooses the format (.txt: the graph and "
         "both passes in words)"), "OUT.svg|.png|.pdf|.tex|.txt" },
    { "steps", 0, 0, G_OPTION_ARG_FILENAME, &steps,
      N_("Every step of both passes in one fixed frame: numbered SVG files into a "
         "folder, or one page each of a PDF"), "DIR|OUT.pdf" },
    { "pass", 0, 0, G_OPTION_ARG_STRING, &pass,
      N_("Which numbers to show: none, forward values, or backward gradients too "
         "(default: backward)"), "none|forward|backward" },
    { "step", 0, 0, G_OPTION_ARG_INT, &step,
      N_("Show only the first K steps of the pass (default: all)"), "K" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, N_("Zoom factor (default: 1)"), "S" },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, N_("Use the dark colours"), NULL },
    { NULL }
  };

  if (!bp_cli_parse_options ("export", "FILE|-e EXPR",
                      N_("Draws the graph as the book does, with the values of the forward\n"
                      "pass above the arrows and the gradients of the backward pass below."),
                      entries, &argc, &argv, &status))
    return status;
  if (output == NULL && steps == NULL)
    return bp_cli_usage_error (_("export: -o OUT.svg|.png|.pdf|.tex or --steps DIR|OUT.pdf is needed"));
  if (output != NULL && steps != NULL)
    return bp_cli_usage_error (_("export: give either -o or --steps, not both"));
  if (output != NULL && !bp_export_format_from_path (output, &format, &error))
    return bp_cli_usage_error ("export: %s", error->message);
  if (output != NULL && format == BP_EXPORT_TEXT && (pass != NULL || step >= 0))
    return bp_cli_usage_error (_("export: a .txt transcript tells every step of both passes; "
                                 "leave out --pass and --step"));
  if (steps != NULL && (pass != NULL || step >= 0))
    return bp_cli_usage_error (_("export: --steps shows every step of both passes; "
                          "leave out --pass and --step"));
  if (pass == NULL || g_str_equal (pass, "backward"))
    state.pass = BP_PASS_BACKWARD;
  else if (g_str_equal (pass, "forward"))
    state.pass = BP_PASS_FORWARD;
  else if (g_str_equal (pass, "none"))
    state.pass = BP_PASS_NONE;
  else
    return bp_cli_usage_error (_("export: --pass must be none, forward or backward, not “%s”"), pass);
  if (!(scale > 0 && scale <= 20))
    return bp_cli_usage_error (_("export: --scale must be a number above 0 and at most 20"));
  if (step < -1)
    return bp_cli_usage_error (_("export: --step must be 0 or more"));

  document = bp_cli_load_input ("export", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);

  if (!lay_out_missing (graph, &status))
    return status;

  if (steps != NULL)
    {
      BpExportOptions options = { 0 };
      guint written = 0;

      options.scale = scale;
      options.title = bp_document_get_title (document);
      bp_graph_set_record_trace (graph, TRUE);
      if (!bp_cli_run_passes (graph, TRUE, &status))
        return status;
      state.dark = dark;
      diagram = bp_diagram_new (graph);
      if (!bp_export_steps (diagram, bp_graph_get_trace (graph), &state, steps, &options,
                            &written, &error))
        return bp_cli_input_error (steps, error);
      g_print ("%u steps written to %s\n", written, steps);
      return BP_CLI_EXIT_OK;
    }

  if (state.pass != BP_PASS_NONE)
    {
      bp_graph_set_record_trace (graph, TRUE);
      if (!bp_cli_run_passes (graph, state.pass == BP_PASS_BACKWARD, &status))
        return status;
      trace = bp_graph_get_trace (graph);
      n_steps = state.pass == BP_PASS_FORWARD ? bp_trace_get_n_forward (trace)
                                              : bp_trace_get_n_backward (trace);
    }
  if (step >= 0 && (guint) step > n_steps)
    {
      g_printerr ("bpgraph: --step %d: the %s pass has %u steps\n", step,
                  state.pass == BP_PASS_FORWARD ? "forward"
                  : state.pass == BP_PASS_BACKWARD ? "backward" : "empty", n_steps);
      return BP_CLI_EXIT_USAGE;
    }
  state.step = step >= 0 ? (guint) step : n_steps;
  state.progress = 1.0;
  state.dark = dark;

  diagram = bp_diagram_new (graph);
  {
    BpExportOptions options = { 0 };

    /* A picture too big for a PNG is fitted to the limit, and says so. */
    options.scale = scale;
    options.title = bp_document_get_title (document);
    options.fit_png = TRUE;
    if (!bp_export_states (diagram, trace, &state, 1, output, &options, &error))
      return bp_cli_input_error (output, error);
    if (options.used_scale < scale - 1e-9)
      g_printerr ("bpgraph: export: the picture is larger than %d pixels a side at scale %g; "
                  "it was drawn at scale %.3g to fit\n", BP_EXPORT_PNG_MAX_SIDE, scale,
                  options.used_scale);
  }
  return BP_CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* worksheet                                                         */

static int
command_worksheet (int    argc,
                   char **argv)
{
  g_autofree char *expression = NULL;
  g_autofree char *output = NULL;
  g_autofree char *hide_text = NULL;
  g_autofree char *seed_text = NULL;
  int n_variants = 1;
  guint64 seed = 1;
  BpWorksheetHide hide = BP_WORKSHEET_HIDE_GRADIENTS;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpWorksheet) worksheet = NULL;
  g_autoptr(GError) error = NULL;
  BpGraph *graph;
  int status = BP_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    BP_CLI_EXPRESSION_OPTION (expression, N_("Make the worksheet of this expression instead of a file")),
    { "variants", 'n', 0, G_OPTION_ARG_INT, &n_variants,
      N_("How many variants, each with its own values (default: 1)"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text,
      N_("The same seed makes the same worksheet (default: 1)"), "S" },
    { "hide", 0, 0, G_OPTION_ARG_STRING, &hide_text,
      N_("Which numbers are blanks: the values, the gradients or both (default: gradients)"),
      "values|gradients|both" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The file to write: a PDF (sheets, then answer keys) or Moodle XML"),
      "OUT.pdf|OUT.xml" },
    { NULL }
  };

  if (!bp_cli_parse_options ("worksheet", "FILE|-e EXPR",
                      N_("Makes homework or an exam from a graph: variants with new, friendly\n"
                         "leaf values, numbered blanks and answer keys computed by the engine;\n"
                         "or the same questions as Moodle XML (numerical questions)."),
                      entries, &argc, &argv, &status))
    return status;
  if (output == NULL)
    return bp_cli_usage_error (_("worksheet: -o OUT.pdf or -o OUT.xml is needed"));
  /* Checked before any work; bp_worksheet_write_file() chooses the same way. */
  if (!g_str_has_suffix (output, ".xml") && !g_str_has_suffix (output, ".XML")
      && !g_str_has_suffix (output, ".pdf") && !g_str_has_suffix (output, ".PDF"))
    return bp_cli_usage_error (_("worksheet: “%s” must end in .pdf or .xml"), output);
  if (n_variants < 1 || n_variants > BP_WORKSHEET_MAX_VARIANTS)
    return bp_cli_usage_error (_("worksheet: --variants must be between 1 and %u"),
                        BP_WORKSHEET_MAX_VARIANTS);
  if (seed_text != NULL)
    {
      char *end = NULL;

      seed = g_ascii_strtoull (seed_text, &end, 10);
      if (*seed_text == '\0' || *seed_text == '-' || end == NULL || *end != '\0')
        return bp_cli_usage_error (_("worksheet: --seed must be a whole number 0 or more, not “%s”"),
                            seed_text);
    }
  if (hide_text != NULL && !bp_worksheet_hide_from_string (hide_text, &hide, &error))
    return bp_cli_usage_error ("worksheet: %s", error->message);

  document = bp_cli_load_input ("worksheet", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);
  if (!lay_out_missing (graph, &status))
    return status;

  worksheet = bp_worksheet_new (document, (guint) n_variants, seed, hide, &error);
  if (worksheet == NULL)
    return bp_cli_input_error (NULL, error);
  if (!bp_worksheet_write_file (worksheet, output, &error))
    return bp_cli_input_error (output, error);
  return BP_CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  static const BpCliCommand commands[] = {
    { "export", command_export },
    { "convert", command_convert },
    { "worksheet", command_worksheet },
  };

  bp_cli_init_locale ();
  if (argc < 2)
    return BP_CLI_EXIT_USAGE;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return bp_cli_run_command (commands, G_N_ELEMENTS (commands), argc, argv);
  return bp_cli_run_command (bp_cli_engine_commands, bp_cli_n_engine_commands, argc, argv);
}
