/* SPDX-License-Identifier: MIT */
/* Writing JSON text: numbers that read back exactly, escaped strings,
 * tensors. Shared by the document writer and `bpgraph eval --json`
 * (reading is bp-json-reader.c). */

#include <math.h>
#include <string.h>

#include "bp-json.h"

void
bp_json_append_number (GString *out,
                       double   value)
{
  /* -0 comes out as "0": "-0" reads back as the integer 0 anyway. */
  char text[BP_FORMAT_EXACT_SIZE];
  gsize len = bp_format_exact (value, text);

  /* Non-finite values are legal values, written as strings. */
  if (!isfinite (value))
    g_string_append_printf (out, "\"%s\"", text);
  else
    bp_json_append_raw (out, text, len);
}

void
bp_json_append_string (GString    *out,
                       const char *text)
{
  g_autofree char *valid = NULL;
  const char *plain = text;

  /* Ids and labels are mostly printable ASCII: that needs no checking
   * nor escaping. */
  while ((guchar) *plain >= 0x20 && (guchar) *plain < 0x7f && *plain != '"' && *plain != '\\')
    plain++;
  if (*plain == '\0')
    {
      g_string_append_c (out, '"');
      bp_json_append_raw (out, text, plain - text);
      g_string_append_c (out, '"');
      return;
    }

  /* The output is always UTF-8: bytes that are not (from a caller that
   * did not check) become U+FFFD rather than break the reader. */
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;
      const char *run = p;

      /* Plain characters in one piece: ids and labels usually are. */
      while (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
        c = (guchar) *++p;
      if (p > run)
        bp_json_append_raw (out, run, p - run);
      if (c == '\0')
        break;

      switch (c)
        {
        case '"': bp_json_append_literal (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_row (GString        *out,
            const BpTensor *tensor,
            guint           r)
{
  g_string_append_c (out, '[');
  for (guint c = 0; c < tensor->cols; c++)
    {
      if (c > 0)
        bp_json_append_literal (out, ", ");
      bp_json_append_number (out, bp_tensor_get (tensor, r, c));
    }
  g_string_append_c (out, ']');
}

void
bp_json_append_tensor (GString        *out,
                       const BpTensor *tensor,
                       gboolean        rows)
{
  if (!rows && tensor->rows == 1 && tensor->cols == 1)
    {
      bp_json_append_number (out, tensor->data[0]);
      return;
    }
  if (!rows && tensor->rows == 1)
    {
      append_row (out, tensor, 0);
      return;
    }
  g_string_append_c (out, '[');
  for (guint r = 0; r < tensor->rows; r++)
    {
      if (r > 0)
        bp_json_append_literal (out, ", ");
      append_row (out, tensor, r);
    }
  g_string_append_c (out, ']');
}
