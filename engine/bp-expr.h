/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-graph.h"

G_BEGIN_DECLS

/* Parses the .bpx expression language (see DESIGN.md) into a new graph:
 * every operator becomes one node, the name on the left of an assignment
 * names its node, the last assignment is the output. Nodes have no
 * positions. Errors are BP_ERROR_PARSE with "line L, column C: …" saying
 * what was expected, or the shape error of the offending line. */
BpGraph *bp_expr_parse (const char *text, GError **error);

G_END_DECLS
