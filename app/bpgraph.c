/* SPDX-License-Identifier: MIT */
/* bpgraph: the headless command line of Backprop Studio (DESIGN.md,
 * "Headless CLI"). Links the engine and the renderer, never GTK.
 * Exit codes: 0 ok, 1 bad input (message on stderr), 2 usage. */

#include <glib/gi18n.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bp-document.h"
#include "bp-examples.h"
#include "bp-export.h"
#include "bp-expr.h"
#include "bp-file.h"
#include "bp-gradcheck.h"
#include "bp-graph.h"
#include "bp-layout.h"
#include "bp-trace.h"
#include "bp-train.h"
#include <unistd.h>
#include "bp-worksheet.h"
#include "bp-worksheet-pdf.h"

#define EXIT_OK    0
#define EXIT_INPUT 1
#define EXIT_USAGE 2

/* The default bound of the check: two forward passes per element. */
#define CHECK_MAX_ELEMENTS  4096

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

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("bpgraph: %s\n", message);
  g_printerr ("%s\n", _("Try “bpgraph --help”."));
  return EXIT_USAGE;
}

static int
input_error (const char   *what,
             const GError *error)
{
  if (what != NULL)
    g_printerr ("bpgraph: %s: %s\n", what, error->message);
  else
    g_printerr ("bpgraph: %s\n", error->message);
  return EXIT_INPUT;
}

/* Parses the command's options; on a usage problem prints it and returns
 * FALSE. argv[0] is the command name. */
static gboolean
parse_options (const char    *command,
               const char    *parameter,
               const char    *summary,
               GOptionEntry  *entries,
               int           *argc,
               char        ***argv,
               int           *status)
{
  g_autofree char *title = g_strdup_printf ("%s %s", command, parameter);
  g_autoptr(GOptionContext) context = g_option_context_new (title);
  g_autoptr(GError) error = NULL;

  /* The descriptions of the options are N_() strings. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(summary));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error ("%s: %s", command, error->message);
      return FALSE;
    }
  return TRUE;
}

/* FILE or -e EXPR: exactly one. The document is returned, or NULL with
 * *status set. */
static BpDocument *
load_input (const char  *command,
            int          argc,
            char       **argv,
            const char  *expression,
            int         *status)
{
  g_autoptr(GError) error = NULL;
  BpDocument *document;

  if (expression != NULL && argc > 1)
    {
      *status = usage_error (_("%s: give either a FILE or -e EXPR, not both"), command);
      return NULL;
    }
  if (expression == NULL && argc != 2)
    {
      *status = usage_error (argc < 2 ? _("%s: a FILE or -e EXPR is needed")
                                      : _("%s: only one FILE can be given"), command);
      return NULL;
    }

  if (expression != NULL)
    {
      g_autoptr(BpGraph) graph = bp_expr_parse (expression, &error);

      if (graph == NULL)
        {
          *status = input_error ("-e", error);
          return NULL;
        }
      return bp_document_new_for_graph (graph);
    }

  document = bp_document_load_from_path (argv[1], &error);
  if (document == NULL)
    *status = input_error (argv[1], error);
  return document;
}

/* Forward and backward, with the usual error reporting. */
static gboolean
run_passes (BpGraph *graph,
            gboolean backward,
            int     *status)
{
  g_autoptr(GError) error = NULL;

  if (!bp_graph_validate (graph, &error))
    {
      *status = input_error (NULL, error);
      return FALSE;
    }
  if (bp_graph_get_output (graph) == NULL)
    {
      g_printerr ("bpgraph: %s\n",
                  _("the graph has no single output; name it with \"output\" in the document"));
      *status = EXIT_INPUT;
      return FALSE;
    }
  if (!(backward ? bp_graph_backward (graph, &error) : bp_graph_forward (graph, &error)))
    {
      *status = input_error (NULL, error);
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- */
/* eval                                                              */

static void
print_eval_json (BpGraph *graph)
{
  BpNode *const *order;
  guint n;
  g_autoptr(GString) out = g_string_new ("{\"output\": ");

  order = bp_graph_get_order (graph, &n);
  bp_json_append_string (out, bp_node_get_id (bp_graph_get_output (graph)));
  g_string_append (out, ", \"nodes\": {");
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = order[i];
      BpTensor *value = bp_node_get_value (node);
      BpTensor *grad = bp_node_get_grad (node);

      g_string_append (out, i > 0 ? ",\n  " : "\n  ");
      bp_json_append_string (out, bp_node_get_id (node));
      g_string_append (out, ": {\"op\": ");
      bp_json_append_string (out, bp_node_get_op (node)->name);
      if (bp_node_has_label (node))
        {
          g_string_append (out, ", \"label\": ");
          bp_json_append_string (out, bp_node_get_label (node));
        }
      g_string_append (out, ", \"value\": ");
      if (value != NULL)
        bp_json_append_tensor (out, value, TRUE);
      else
        g_string_append (out, "null");
      g_string_append (out, ", \"grad\": ");
      if (grad != NULL)
        bp_json_append_tensor (out, grad, TRUE);
      else
        g_string_append (out, "null");
      g_string_append_c (out, '}');
    }
  g_string_append (out, "\n}}\n");
  fwrite (out->str, 1, out->len, stdout);
}

static void
print_eval_text (BpGraph *graph)
{
  BpNode *const *order;
  guint n, width = 4;
  BpNode *output = bp_graph_get_output (graph);

  order = bp_graph_get_order (graph, &n);
  for (guint i = 0; i < n; i++)
    width = MAX (width, g_utf8_strlen (bp_node_get_id (order[i]), -1));
  width = MIN (width, 24);

  printf ("%-*s  %-17s  %-5s  %-24s  %s\n", width, "node", "op", "shape", "value",
          "grad (d output / d node)");
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = order[i];
      BpTensor *value = bp_node_get_value (node);
      BpTensor *grad = bp_node_get_grad (node);
      g_autofree char *shape = value ? bp_tensor_shape_string (value->rows, value->cols)
                                     : g_strdup ("?");
      g_autofree char *value_text = value ? bp_tensor_to_string (value, 6) : g_strdup ("-");
      g_autofree char *grad_text = grad ? bp_tensor_to_string (grad, 6) : g_strdup ("-");
      const char *id = bp_node_get_id (node);

      /* printf pads bytes; pad by characters for non-ASCII text. */
      printf ("%s%*s  %-17s  %s%*s  %s%*s  %s\n",
              id, (int) (width - MIN (width, g_utf8_strlen (id, -1))), "",
              bp_node_get_op (node)->name,
              shape, (int) (5 - MIN (5, g_utf8_strlen (shape, -1))), "",
              value_text, (int) (24 - MIN (24, g_utf8_strlen (value_text, -1))), "",
              grad_text);
    }
  if (output != NULL && bp_node_get_value (output) != NULL)
    {
      g_autofree char *text = bp_tensor_to_string (bp_node_get_value (output), 17);

      printf ("output: %s = %s\n", bp_node_get_id (output), text);
    }
}

static int
command_eval (int    argc,
              char **argv)
{
  g_autofree char *expression = NULL;
  gboolean json = FALSE;
  g_autoptr(BpDocument) document = NULL;
  BpGraph *graph;
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "expression", 'e', 0, G_OPTION_ARG_STRING, &expression,
      N_("Evaluate this expression instead of a file"), "EXPR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object with full double precision"), NULL },
    { NULL }
  };

  if (!parse_options ("eval", "FILE|-e EXPR",
                      N_("Runs the forward and the backward pass and prints every node's\n"
                      "value and its gradient d(output)/d(node)."),
                      entries, &argc, &argv, &status))
    return status;
  document = load_input ("eval", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);
  bp_graph_set_record_trace (graph, FALSE);
  if (!run_passes (graph, TRUE, &status))
    return status;

  if (json)
    print_eval_json (graph);
  else
    print_eval_text (graph);
  return EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* check                                                             */

/* The progress line of a long check, on a terminal only. */
typedef struct
{
  gboolean  tty;
  gboolean  shown;
  GTimer   *timer;
  double    last;
} CheckProgress;

static void
check_progress_cb (guint    done,
                   guint    total,
                   gpointer user_data)
{
  CheckProgress *progress = user_data;
  double t = g_timer_elapsed (progress->timer, NULL);

  /* Ten updates a second, after the first half second. */
  if (t < 0.5 || (t - progress->last < 0.1 && done < total))
    return;
  progress->last = t;
  progress->shown = TRUE;
  g_printerr ("\rchecking: %u of %u elements (%u%%), %.0f s", done, total,
              (guint) (100.0 * done / MAX (total, 1)), t);
}

static int
command_check (int    argc,
               char **argv)
{
  g_autofree char *expression = NULL;
  gboolean json = FALSE;
  double epsilon = 0;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpGradCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  BpGraph *graph;
  gboolean agree;
  gboolean sample = FALSE;
  int max_elements = CHECK_MAX_ELEMENTS;
  int seed = 1;
  guint64 n_elements;
  CheckProgress progress = { 0, };
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "expression", 'e', 0, G_OPTION_ARG_STRING, &expression,
      N_("Check this expression instead of a file"), "EXPR" },
    { "epsilon", 0, 0, G_OPTION_ARG_DOUBLE, &epsilon,
      N_("Step of the central differences (default: 1e-5 scaled to each value)"), "H" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { "max-elements", 0, 0, G_OPTION_ARG_INT, &max_elements,
      N_("Check at most N leaf elements, two forward passes each (default: 4096; 0: no bound)"), "N" },
    { "sample", 0, 0, G_OPTION_ARG_NONE, &sample,
      N_("Above --max-elements, check N elements chosen at random instead of failing"), NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed,
      N_("Seed of the --sample choice (default: 1)"), "S" },
    { NULL }
  };

  if (!parse_options ("check", "FILE|-e EXPR",
                      N_("Compares the gradients of backpropagation with central differences\n"
                      "for every element of every leaf. Exits with 1 when they disagree."),
                      entries, &argc, &argv, &status))
    return status;
  if (!(epsilon >= 0) || !isfinite (epsilon))
    return usage_error (_("check: --epsilon must be a positive number"));
  if (max_elements < 0)
    return usage_error (_("check: --max-elements must be 0 (no bound) or more"));
  document = load_input ("check", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);
  bp_graph_set_record_trace (graph, FALSE);
  if (!run_passes (graph, FALSE, &status))
    return status;

  n_elements = bp_grad_check_count_elements (graph);
  if (max_elements > 0 && n_elements > (guint64) max_elements && !sample)
    {
      g_printerr ("bpgraph: the leaves have %" G_GUINT64_FORMAT " elements, more than "
                  "--max-elements %d (each costs two forward passes); raise "
                  "--max-elements, or add --sample to check %d of them chosen at "
                  "random (--seed S)\n", n_elements, max_elements, max_elements);
      return EXIT_INPUT;
    }
  progress.tty = isatty (STDERR_FILENO);
  progress.timer = g_timer_new ();
  check = bp_grad_check_run_full (graph, epsilon, (guint) max_elements,
                                  sample ? BP_GRAD_CHECK_SAMPLE : BP_GRAD_CHECK_DEFAULT,
                                  (guint32) seed, progress.tty ? check_progress_cb : NULL,
                                  &progress, NULL, &error);
  if (progress.shown)
    g_printerr ("\r%*s\r", 60, "");
  g_clear_pointer (&progress.timer, g_timer_destroy);
  if (check == NULL)
    return input_error (NULL, error);
  if (check->n_checked < check->n_elements && !json)
    printf (_("sampled %u of %u leaf elements at random (seed %d)\n"),
            check->n_checked, check->n_elements, seed);
  agree = bp_grad_check_agrees (check);

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\"agree\": ");

      g_string_append (out, agree ? "true" : "false");
      g_string_append (out, ", \"max_abs_error\": ");
      bp_json_append_number (out, check->max_abs_error);
      g_string_append (out, ", \"max_rel_error\": ");
      bp_json_append_number (out, check->max_rel_error);
      g_string_append_printf (out, ", \"numeric_forward_evals\": %u, "
                              "\"backprop_forward_evals\": %u, "
                              "\"backprop_backward_evals\": %u, \"leaf_elements\": %u, "
                              "\"checked_elements\": %u, ",
                              check->numeric_forward_evals, check->backprop_forward_evals,
                              check->backprop_backward_evals, check->n_elements,
                              check->n_checked);
      if (check->has_book_rule)
        {
          g_string_append (out, "\"book_rule_difference\": ");
          bp_json_append_number (out, check->book_rule_difference);
          g_string_append (out, ", \"max_abs_error_exact\": ");
          bp_json_append_number (out, check->max_abs_error_exact);
          g_string_append (out, ", \"max_rel_error_exact\": ");
          bp_json_append_number (out, check->max_rel_error_exact);
          g_string_append (out, ", ");
        }
      g_string_append (out, "\"leaves\": {");
      for (guint i = 0; i < check->leaves->len; i++)
        {
          BpGradCheckLeaf *leaf = g_ptr_array_index (check->leaves, i);

          g_string_append (out, i > 0 ? ",\n  " : "\n  ");
          bp_json_append_string (out, bp_node_get_id (leaf->node));
          g_string_append (out, ": {\"backprop\": ");
          bp_json_append_tensor (out, leaf->backprop, TRUE);
          g_string_append (out, ", \"numeric\": ");
          bp_json_append_tensor (out, leaf->numeric, TRUE);
          g_string_append (out, ", \"max_abs_error\": ");
          bp_json_append_number (out, leaf->max_abs_error);
          g_string_append (out, ", \"max_rel_error\": ");
          bp_json_append_number (out, leaf->max_rel_error);
          if (leaf->exact != NULL)
            {
              g_string_append (out, ", \"exact\": ");
              bp_json_append_tensor (out, leaf->exact, TRUE);
            }
          g_string_append_c (out, '}');
        }
      g_string_append (out, "\n}}\n");
      fwrite (out->str, 1, out->len, stdout);
    }
  else
    {
      printf ("%-16s  %-5s  %-24s  %-24s  %-10s  %s\n", "leaf", "shape", "backprop",
              "numeric", "abs error", "rel error");
      for (guint i = 0; i < check->leaves->len; i++)
        {
          BpGradCheckLeaf *leaf = g_ptr_array_index (check->leaves, i);
          g_autofree char *shape = bp_tensor_shape_string (leaf->backprop->rows,
                                                           leaf->backprop->cols);
          g_autofree char *bp = bp_tensor_to_string (leaf->backprop, 6);
          g_autofree char *num = bp_tensor_to_string (leaf->numeric, 6);
          const char *id = bp_node_get_id (leaf->node);

          printf ("%s%*s  %s%*s  %s%*s  %s%*s  %-10.2e  %.2e\n",
                  id, (int) (16 - MIN (16, g_utf8_strlen (id, -1))), "",
                  shape, (int) (5 - MIN (5, g_utf8_strlen (shape, -1))), "",
                  bp, (int) (24 - MIN (24, g_utf8_strlen (bp, -1))), "",
                  num, (int) (24 - MIN (24, g_utf8_strlen (num, -1))), "",
                  leaf->max_abs_error, leaf->max_rel_error);
        }
      {
        g_autofree char *summary = bp_grad_check_describe (check);

        printf ("max abs error %.3g, max rel error %.3g: %s\n",
                check->max_abs_error, check->max_rel_error,
                !agree ? _("MISMATCH between backprop and numerical differentiation")
                : bp_grad_check_explained_by_delta (check)
                ? _("backprop and numerical differentiation agree but for the 1e-7 (see below)")
                : _("backprop and numerical differentiation agree"));
        printf ("%s\n", summary);
      }
    }

  if (!agree)
    {
      g_printerr ("bpgraph: ");
      g_printerr (_("the gradients disagree (max relative error %.3g)"), check->max_rel_error);
      g_printerr ("\n");
      return EXIT_INPUT;
    }
  return EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* convert                                                           */

static gboolean
arrange (BpGraph  *graph,
         gboolean  only_missing,
         GError  **error)
{
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);

  return bp_layout_arrange (diagram, only_missing, error);
}

static gboolean
has_missing_positions (BpGraph *graph)
{
  guint n = bp_graph_get_n_nodes (graph);
  double x, y;

  for (guint i = 0; i < n; i++)
    if (!bp_node_get_position (bp_graph_get_node (graph, i), &x, &y))
      return TRUE;
  return FALSE;
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
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "expression", 'e', 0, G_OPTION_ARG_STRING, &expression,
      N_("Convert this expression instead of a file"), "EXPR" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The .bpgraph document to write"), "FILE.bpgraph" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title,
      N_("The document's title (default: the input file's name)"), "TITLE" },
    { NULL }
  };

  if (!parse_options ("convert", "FILE.bpx|-e EXPR",
                      N_("Turns expressions into a laid-out .bpgraph document (a .bpgraph\n"
                      "input is rewritten in canonical form, missing positions laid out)."),
                      entries, &argc, &argv, &status))
    return status;
  if (output == NULL)
    return usage_error (_("convert: -o FILE.bpgraph is needed"));
  document = load_input ("convert", argc, argv, expression, &status);
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

  if (has_missing_positions (graph) && !arrange (graph, TRUE, &error))
    return input_error ("layout", error);

  file = g_file_new_for_commandline_arg (output);
  if (!bp_document_save_to_file (document, file, &error))
    return input_error (NULL, error);
  return EXIT_OK;
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
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "expression", 'e', 0, G_OPTION_ARG_STRING, &expression,
      N_("Export this expression instead of a file"), "EXPR" },
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

  if (!parse_options ("export", "FILE|-e EXPR",
                      N_("Draws the graph as the book does, with the values of the forward\n"
                      "pass above the arrows and the gradients of the backward pass below."),
                      entries, &argc, &argv, &status))
    return status;
  if (output == NULL && steps == NULL)
    return usage_error (_("export: -o OUT.svg|.png|.pdf|.tex or --steps DIR|OUT.pdf is needed"));
  if (output != NULL && steps != NULL)
    return usage_error (_("export: give either -o or --steps, not both"));
  if (output != NULL && !bp_export_format_from_path (output, &format, &error))
    return usage_error ("export: %s", error->message);
  if (output != NULL && format == BP_EXPORT_TEXT && (pass != NULL || step >= 0))
    return usage_error (_("export: a .txt transcript tells every step of both passes; "
                          "leave out --pass and --step"));
  if (steps != NULL && (pass != NULL || step >= 0))
    return usage_error (_("export: --steps shows every step of both passes; "
                          "leave out --pass and --step"));
  if (pass == NULL || g_str_equal (pass, "backward"))
    state.pass = BP_PASS_BACKWARD;
  else if (g_str_equal (pass, "forward"))
    state.pass = BP_PASS_FORWARD;
  else if (g_str_equal (pass, "none"))
    state.pass = BP_PASS_NONE;
  else
    return usage_error (_("export: --pass must be none, forward or backward, not “%s”"), pass);
  if (!(scale > 0 && scale <= 20))
    return usage_error (_("export: --scale must be a number above 0 and at most 20"));
  if (step < -1)
    return usage_error (_("export: --step must be 0 or more"));

  document = load_input ("export", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);

  if (has_missing_positions (graph) && !arrange (graph, TRUE, &error))
    return input_error ("layout", error);

  if (steps != NULL)
    {
      BpExportOptions options = { 0 };
      guint written = 0;

      options.scale = scale;
      options.title = bp_document_get_title (document);
      bp_graph_set_record_trace (graph, TRUE);
      if (!run_passes (graph, TRUE, &status))
        return status;
      state.dark = dark;
      diagram = bp_diagram_new (graph);
      if (!bp_export_steps (diagram, bp_graph_get_trace (graph), &state, steps, &options,
                            &written, &error))
        return input_error (steps, error);
      g_print ("%u steps written to %s\n", written, steps);
      return EXIT_OK;
    }

  if (state.pass != BP_PASS_NONE)
    {
      bp_graph_set_record_trace (graph, TRUE);
      if (!run_passes (graph, state.pass == BP_PASS_BACKWARD, &status))
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
      return EXIT_USAGE;
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
      return input_error (output, error);
    if (options.used_scale < scale - 1e-9)
      g_printerr ("bpgraph: export: the picture is larger than %d pixels a side at scale %g; "
                  "it was drawn at scale %.3g to fit\n", BP_EXPORT_PNG_MAX_SIDE, scale,
                  options.used_scale);
  }
  return EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* examples                                                          */

static int
command_examples (int    argc,
                  char **argv)
{
  g_autofree char *output = NULL;
  const BpExample *example;
  g_autoptr(GError) error = NULL;
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the example NAME to this file (“-” for the standard output)"), "FILE" },
    { NULL }
  };

  if (!parse_options ("examples", "[NAME -o FILE]",
                      N_("Lists the built-in examples of the book, or writes one as a\n"
                      ".bpgraph document."),
                      entries, &argc, &argv, &status))
    return status;

  if (argc == 1)
    {
      const BpExample *all;
      guint n;

      if (output != NULL)
        return usage_error (_("examples: -o needs the NAME of an example"));
      all = bp_examples_get_all (&n);
      for (guint i = 0; i < n; i++)
        printf ("%-26s  %s\n", all[i].name, all[i].title ? bp_example_get_title (&all[i]) : "");
      return EXIT_OK;
    }
  if (argc > 2)
    return usage_error (_("examples: only one NAME can be given"));
  if (output == NULL)
    return usage_error (_("examples: -o FILE is needed to write the example"));

  example = bp_examples_lookup (argv[1]);
  if (example == NULL)
    {
      g_autoptr(BpDocument) none = bp_examples_load (argv[1], &error);

      return input_error (NULL, error);
    }
  if (g_str_equal (output, "-"))
    {
      fwrite (example->data, 1, example->length, stdout);
      return EXIT_OK;
    }
  if (!bp_file_replace_contents (output, example->data, example->length, &error))
    return input_error (output, error);
  return EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* train                                                             */

typedef struct
{
  gboolean json;
  gboolean bar;           /* a progress bar on a terminal */
  GString *epochs_json;
  double   epoch_loss;    /* sum over the epoch so far */
  guint    epoch_n;
  gint64   last_bar;      /* monotonic µs of the last redraw */
} TrainReport;

static void
draw_bar (const BpTrainProgress *p)
{
  int width = 30;
  int done = (int) (width * (double) p->iteration / MAX (p->last_iteration, 1));
  double left = p->iteration > 0
                ? p->seconds * (p->last_iteration - p->iteration) / p->iteration : 0;

  fprintf (stderr, "\r[%.*s%*s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
           "  loss %.4f  %.0f s left ",
           done, "##############################", width - done, "",
           p->iteration, p->last_iteration, p->loss, left);
  fflush (stderr);
}

static void
train_progress_cb (const BpTrainProgress *p,
                   gpointer               user_data)
{
  TrainReport *report = user_data;
  gint64 now;

  report->epoch_loss += p->loss;
  report->epoch_n++;

  if (p->epoch_end)
    {
      double mean = report->epoch_loss / MAX (report->epoch_n, 1);

      if (report->bar)
        fputs ("\r\033[K", stderr);
      if (report->json)
        {
          g_string_append (report->epochs_json, report->epochs_json->len > 0 ? ",\n    " : "\n    ");
          g_string_append_printf (report->epochs_json,
                                  "{\"epoch\": %u, \"iteration\": %" G_GUINT64_FORMAT ", \"loss\": ",
                                  p->epoch, p->iteration);
          bp_json_append_number (report->epochs_json, mean);
          g_string_append (report->epochs_json, ", \"train_accuracy\": ");
          bp_json_append_number (report->epochs_json, p->train_accuracy);
          g_string_append (report->epochs_json, ", \"test_accuracy\": ");
          bp_json_append_number (report->epochs_json, p->test_accuracy);
          g_string_append (report->epochs_json, "}");
        }
      else
        {
          printf ("epoch %3u  iteration %7" G_GUINT64_FORMAT "  loss %.4f  train %.2f %%  test %.2f %%\n",
                  p->epoch, p->iteration, mean, 100 * p->train_accuracy, 100 * p->test_accuracy);
          fflush (stdout);
        }
      report->epoch_loss = 0;
      report->epoch_n = 0;
    }

  now = g_get_monotonic_time ();
  if (report->bar && (now - report->last_bar > 100000 || p->iteration == p->last_iteration))
    {
      report->last_bar = now;
      draw_bar (p);
    }
}

static int
command_train (int    argc,
               char **argv)
{
  g_autofree char *data = NULL;
  g_autofree char *output = NULL;
  g_autofree char *optimizer = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *init = NULL;
  int iterations = -1, batch = -1;
  double lr = -1;
  gboolean json = FALSE;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpTrainSettings) settings = NULL;
  g_autoptr(BpDataset) dataset = NULL;
  g_autoptr(BpTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = NULL;
  TrainReport report = { 0, };
  double train_acc = 0, test_acc = 0, seconds;
  GArray *losses;
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_STRING, &data,
      "fashion-mnist, xor, circles, moons, spiral, or a folder of IDX files", "NAME|DIR" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "Iterations (mini-batches)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Examples per mini-batch", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Learning rate", "R" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, "sgd, momentum or adam", "NAME" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init, "Weight initialisation: gaussian, he or xavier", "NAME" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "Seed of the initial weights and the batches", "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write the trained document (params and settings) here", "OUT.bpgraph" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL },
    { NULL }
  };

  if (!parse_options ("train", "FILE",
                      "Trains the graph's param leaves on a data set, as the book's 5.7:\n"
                      "mini-batches, backpropagation, an optimizer; prints the loss and the\n"
                      "accuracy per epoch. Settings not given come from the document's\n"
                      "\"training\" member, else the book's (batch 100, learning rate 0.1, SGD).",
                      entries, &argc, &argv, &status))
    return status;
  document = load_input ("train", argc, argv, NULL, &status);
  if (document == NULL)
    return status;

  settings = bp_document_get_training (document) != NULL
             ? bp_train_settings_copy (bp_document_get_training (document))
             : bp_train_settings_new ();
  /* A run starts from fresh params, so that it repeats. */
  settings->trained_iterations = 0;
  if (data != NULL)
    {
      g_free (settings->data);
      settings->data = g_strdup (data);
    }
  if (iterations != -1)
    {
      if (iterations < 1)
        return usage_error ("train: --iterations must be 1 or more");
      settings->iterations = iterations;
    }
  if (batch != -1)
    {
      if (batch < 1 || (guint) batch > BP_TRAIN_MAX_BATCH)
        return usage_error ("train: --batch must be from 1 to %u", BP_TRAIN_MAX_BATCH);
      settings->batch_size = batch;
    }
  if (lr != -1)
    {
      if (!(lr > 0) || !isfinite (lr))
        return usage_error ("train: --lr must be a number above 0");
      settings->learning_rate = lr;
    }
  if (optimizer != NULL && !bp_optimizer_kind_from_string (optimizer, &settings->optimizer))
    return usage_error ("train: --optimizer must be sgd, momentum or adam, not “%s”", optimizer);
  if (init != NULL && !bp_init_kind_from_string (init, &settings->init))
    return usage_error ("train: --init must be gaussian, he or xavier, not “%s”", init);
  if (seed != NULL)
    {
      guint64 s;

      if (!g_ascii_string_to_unsigned (seed, 10, 0, G_MAXINT64, &s, NULL))
        return usage_error ("train: --seed must be a whole number, not “%s”", seed);
      settings->seed = s;
    }

  dataset = bp_dataset_load (settings->data, settings->seed, &error);
  if (dataset == NULL)
    return input_error (NULL, error);
  trainer = bp_trainer_new (bp_document_get_graph (document), settings, dataset, &error);
  if (trainer == NULL)
    return input_error (argv[1], error);

  report.json = json;
  report.bar = isatty (STDERR_FILENO);
  report.epochs_json = g_string_new (NULL);
  timer = g_timer_new ();
  if (!bp_trainer_run (trainer, settings->iterations, train_progress_cb, &report, NULL, &error))
    {
      g_string_free (report.epochs_json, TRUE);
      return input_error (argv[1], error);
    }
  seconds = g_timer_elapsed (timer, NULL);
  if (report.bar)
    fputs ("\r\033[K", stderr);

  if (!bp_trainer_evaluate (trainer, BP_DATASET_TRAIN, 0, &train_acc, &error) ||
      !bp_trainer_evaluate (trainer, BP_DATASET_TEST, 0, &test_acc, &error))
    {
      g_string_free (report.epochs_json, TRUE);
      return input_error (argv[1], error);
    }
  losses = bp_trainer_get_losses (trainer);

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\n  \"data\": ");

      bp_json_append_string (out, bp_dataset_get_name (dataset));
      g_string_append_printf (out, ",\n  \"iterations\": %u,\n  \"batch_size\": %u,\n"
                              "  \"learning_rate\": ", settings->iterations, settings->batch_size);
      bp_json_append_number (out, settings->learning_rate);
      g_string_append_printf (out, ",\n  \"optimizer\": \"%s\",\n  \"seed\": %" G_GUINT64_FORMAT
                              ",\n  \"seconds\": ",
                              bp_optimizer_kind_to_string (settings->optimizer), settings->seed);
      bp_json_append_number (out, seconds);
      g_string_append (out, ",\n  \"final\": {\"loss\": ");
      bp_json_append_number (out, g_array_index (losses, double, losses->len - 1));
      g_string_append (out, ", \"train_accuracy\": ");
      bp_json_append_number (out, train_acc);
      g_string_append (out, ", \"test_accuracy\": ");
      bp_json_append_number (out, test_acc);
      g_string_append_printf (out, "},\n  \"epochs\": [%s%s],\n  \"losses\": [",
                              report.epochs_json->str, report.epochs_json->len > 0 ? "\n  " : "");
      for (guint i = 0; i < losses->len; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          bp_json_append_number (out, g_array_index (losses, double, i));
        }
      g_string_append (out, "]\n}\n");
      fputs (out->str, stdout);
    }
  else
    printf ("done: %u iterations in %.1f s  loss %.4f  train %.2f %%  test %.2f %%\n",
            settings->iterations, seconds, g_array_index (losses, double, losses->len - 1),
            100 * train_acc, 100 * test_acc);
  g_string_free (report.epochs_json, TRUE);

  if (output != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (output);

      bp_trainer_finish (trainer);
      bp_document_set_training (document, bp_trainer_get_settings (trainer));
      if (!bp_document_save_to_file (document, file, &error))
        return input_error (NULL, error);
    }
  return EXIT_OK;
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
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "expression", 'e', 0, G_OPTION_ARG_STRING, &expression,
      N_("Make the worksheet of this expression instead of a file"), "EXPR" },
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

  if (!parse_options ("worksheet", "FILE|-e EXPR",
                      N_("Makes homework or an exam from a graph: variants with new, friendly\n"
                         "leaf values, numbered blanks and answer keys computed by the engine;\n"
                         "or the same questions as Moodle XML (numerical questions)."),
                      entries, &argc, &argv, &status))
    return status;
  if (output == NULL)
    return usage_error (_("worksheet: -o OUT.pdf or -o OUT.xml is needed"));
  /* Checked before any work; bp_worksheet_write_file() chooses the same way. */
  if (!g_str_has_suffix (output, ".xml") && !g_str_has_suffix (output, ".XML")
      && !g_str_has_suffix (output, ".pdf") && !g_str_has_suffix (output, ".PDF"))
    return usage_error (_("worksheet: “%s” must end in .pdf or .xml"), output);
  if (n_variants < 1 || n_variants > BP_WORKSHEET_MAX_VARIANTS)
    return usage_error (_("worksheet: --variants must be between 1 and %u"),
                        BP_WORKSHEET_MAX_VARIANTS);
  if (seed_text != NULL)
    {
      char *end = NULL;

      seed = g_ascii_strtoull (seed_text, &end, 10);
      if (*seed_text == '\0' || *seed_text == '-' || end == NULL || *end != '\0')
        return usage_error (_("worksheet: --seed must be a whole number 0 or more, not “%s”"),
                            seed_text);
    }
  if (hide_text != NULL && !bp_worksheet_hide_from_string (hide_text, &hide, &error))
    return usage_error ("worksheet: %s", error->message);

  document = load_input ("worksheet", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);
  if (has_missing_positions (graph) && !arrange (graph, TRUE, &error))
    return input_error ("layout", error);

  worksheet = bp_worksheet_new (document, (guint) n_variants, seed, hide, &error);
  if (worksheet == NULL)
    return input_error (NULL, error);
  if (!bp_worksheet_write_file (worksheet, output, &error))
    return input_error (output, error);
  return EXIT_OK;
}

/* ---------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  const char *command;
  const char *localedir;
  int status;

  setlocale (LC_ALL, "");
  /* The engine's messages are translated (as in app/main.c): the "C"
   * locale ignores LANGUAGE, C.UTF-8 honours it, so `LANGUAGE=ko bpgraph`
   * reports in Korean where LANG is unset. BP_LOCALEDIR points at the
   * build's po/ to run uninstalled. */
  if (g_getenv ("LANGUAGE") != NULL && g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
  localedir = g_getenv ("BP_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      fputs (_(usage_text), stderr);
      return EXIT_USAGE;
    }
  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h")
      || g_str_equal (command, "help"))
    {
      fputs (_(usage_text), stdout);
      return EXIT_OK;
    }
  if (g_str_equal (command, "--version"))
    {
      printf ("bpgraph %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (g_str_equal (command, "eval"))
    status = command_eval (argc - 1, argv + 1);
  else if (g_str_equal (command, "check"))
    status = command_check (argc - 1, argv + 1);
  else if (g_str_equal (command, "export"))
    status = command_export (argc - 1, argv + 1);
  else if (g_str_equal (command, "convert"))
    status = command_convert (argc - 1, argv + 1);
  else if (g_str_equal (command, "examples"))
    status = command_examples (argc - 1, argv + 1);
  else if (g_str_equal (command, "train"))
    status = command_train (argc - 1, argv + 1);
  else if (g_str_equal (command, "worksheet"))
    status = command_worksheet (argc - 1, argv + 1);
  else
    return usage_error (_("unknown command “%s”"), command);

  fflush (stdout);
  if (ferror (stdout))
    {
      g_printerr ("bpgraph: %s\n", _("could not write the output"));
      return EXIT_INPUT;
    }
  return status;
}
