/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "bp-document.h"
#include "bp-graph.h"

G_BEGIN_DECLS

/* Exit codes: 0 ok, 1 bad input (message on stderr), 2 usage. */
#define BP_CLI_EXIT_OK    0
#define BP_CLI_EXIT_INPUT 1
#define BP_CLI_EXIT_USAGE 2

/* The -e option of a command that reads FILE|-e EXPR: `variable` is a
 * char * to g_free(), `description` marked for translation. */
#define BP_CLI_EXPRESSION_OPTION(variable, description) \
  { "expression", 'e', 0, G_OPTION_ARG_STRING, &(variable), description, "EXPR" }

/* A command: its name and what runs it with its own arguments (argv[0]
 * is the command's name). */
typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
} BpCliCommand;

int         bp_cli_usage_error   (const char    *format,
                                  ...) G_GNUC_PRINTF (1, 2);
int         bp_cli_input_error   (const char    *what,
                                  const GError  *error);
gboolean    bp_cli_parse_options (const char    *command,
                                  const char    *parameter,
                                  const char    *summary,
                                  GOptionEntry  *entries,
                                  int           *argc,
                                  char        ***argv,
                                  int           *status);
BpDocument *bp_cli_load_input    (const char    *command,
                                  int            argc,
                                  char         **argv,
                                  const char    *expression,
                                  int           *status);
/* Whether the input bp_cli_load_input() read can be read again: a
 * regular file or -e EXPR, not a pipe. */
gboolean    bp_cli_input_can_be_read_again (void);
gboolean    bp_cli_run_passes    (BpGraph       *graph,
                                  gboolean       backward,
                                  int           *status);
void        bp_cli_init_locale   (void);
int         bp_cli_finish        (int            status);
int         bp_cli_run_command   (const BpCliCommand *commands,
                                  guint          n_commands,
                                  int            argc,
                                  char         **argv);

G_END_DECLS
