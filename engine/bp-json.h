/* SPDX-License-Identifier: MIT */
#pragma once

#include <string.h>

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

/* Appends `len` bytes without a call while they fit in what `out` has
 * allocated: GLib 2.74's g_string_append_len() is a function call, and
 * a long output appends several short pieces per number. */
static inline void
bp_json_append_raw (GString    *out,
                    const char *text,
                    gsize       len)
{
  if (G_LIKELY (out->allocated_len - out->len > len))
    {
      memcpy (out->str + out->len, text, len);
      out->len += len;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, text, len);
}

/* The same for a string literal. */
#define bp_json_append_literal(out, literal) \
  bp_json_append_raw ((out), "" literal, sizeof (literal) - 1)

G_END_DECLS
