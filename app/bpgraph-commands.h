/* SPDX-License-Identifier: MIT */
#pragma once

#include "bpgraph-cli.h"

G_BEGIN_DECLS

/* eval, check, examples and train (bpgraph-commands.c). */
extern const BpCliCommand bp_cli_engine_commands[];
extern const guint        bp_cli_n_engine_commands;

G_END_DECLS
