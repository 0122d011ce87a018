/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the JSON reader. Besides "no crash, no leak", it
 * checks that whatever reads writes out (with the engine's writing
 * helpers) to a text that reads again and writes out the same, and that
 * every text in the tree is UTF-8. */

#include "bp-json.h"
#include "bp-json-reader.h"

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

static void
write_node (GString          *out,
            const BpJsonNode *node)
{
  switch (node->type)
    {
    case BP_JSON_NULL: g_string_append (out, "null"); break;
    case BP_JSON_BOOLEAN: g_string_append (out, node->v.boolean ? "true" : "false"); break;
    case BP_JSON_INT: g_string_append_printf (out, "%" G_GINT64_FORMAT, node->v.integer); break;
    case BP_JSON_DOUBLE: bp_json_append_number (out, node->v.number); break;
    case BP_JSON_STRING:
      if (!g_utf8_validate (node->v.string, -1, NULL))
        g_error ("a text read is not UTF-8");
      bp_json_append_string (out, node->v.string);
      break;
    case BP_JSON_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < node->length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          write_node (out, bp_json_node_get_element (node, i));
        }
      g_string_append_c (out, ']');
      break;
    case BP_JSON_OBJECT:
      g_string_append_c (out, '{');
      for (guint i = 0; i < node->length; i++)
        {
          const BpJsonMember *member = bp_json_node_get_member_at (node, i);

          if (i > 0)
            g_string_append_c (out, ',');
          if (!g_utf8_validate (member->name, -1, NULL))
            g_error ("a member name read is not UTF-8");
          if (bp_json_node_get_member (node, member->name) != member->value)
            g_error ("a member name is kept twice");
          bp_json_append_string (out, member->name);
          g_string_append_c (out, ':');
          write_node (out, member->value);
        }
      g_string_append_c (out, '}');
      break;
    default:
      g_error ("a node of no known type");
    }
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(BpJsonDocument) doc = NULL;
  g_autoptr(BpJsonDocument) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) second = g_string_new (NULL);

  doc = bp_json_document_parse ((const char *) data, size, 64, &error);
  if (doc == NULL)
    {
      if (error == NULL || error->domain != BP_JSON_ERROR || error->message == NULL)
        g_error ("parse failed without a BP_JSON_ERROR");
      return 0;
    }
  write_node (first, bp_json_document_get_root (doc));
  again = bp_json_document_parse (first->str, first->len, 64, &error);
  if (again == NULL)
    g_error ("what was read and written does not read again: %s\n%s", error->message, first->str);
  write_node (second, bp_json_document_get_root (again));
  if (!g_str_equal (first->str, second->str))
    g_error ("read → write → read → write differs:\n%s\n---\n%s", first->str, second->str);
  return 0;
}
