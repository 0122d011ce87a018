/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-graph.h"

G_BEGIN_DECLS

/* Parses the .bpx expression language (see DESIGN.md) into a new graph:
 * every operator becomes one node, the name on the left of an assignment
 * names its node, the last assignment is the output. A name may be
 * assigned again, as Python does (c = c + 1, c += 1, -=, *=, /=, @=,
 * **= k): a new node labelled with the name, id "c_2", "c_3", …; x.relu()
 * is relu(x). Nodes have no
 * positions. Also accepted: ";" between statements (handy with -e), and a
 * bare expression as the last statement (it becomes the output). Errors
 * are BP_ERROR_PARSE with "line L, column C: …" saying what was expected,
 * or the shape error of the offending line with its line and column. */
BpGraph *bp_expr_parse (const char *text, GError **error);

/* Limits (BP_ERROR_PARSE or BP_ERROR_TOO_LARGE above them): nesting of
 * parentheses, unary signs and calls; the text size; the nodes made. A
 * matrix literal has at most BP_DOCUMENT_MAX_ELEMENTS elements, so that
 * whatever parses can be saved and loaded as a document. */
#define BP_EXPR_MAX_DEPTH  200u
#define BP_EXPR_MAX_BYTES  (16u * 1024 * 1024)
#define BP_EXPR_MAX_NODES  200000u

G_END_DECLS
