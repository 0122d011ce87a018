/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-tensor.h"

G_BEGIN_DECLS

/* JSON writing helpers shared with `bpgraph eval --json`. A number is
 * written in its shortest form that reads back to the same double (1.1,
 * 0.30000000000000004, 1e+300); NaN and infinities as the strings "NaN",
 * "Infinity", "-Infinity". A string is escaped as JSON needs. A tensor is
 * always an array of rows when `rows` is TRUE, else in the document's
 * compact form (number, flat array or rows). */
void         bp_json_append_number         (GString *out, double value);
void         bp_json_append_string         (GString *out, const char *text);
void         bp_json_append_tensor         (GString *out, const BpTensor *tensor, gboolean rows);

G_END_DECLS
