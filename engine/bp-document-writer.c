/* SPDX-License-Identifier: MIT */
/* Writing .bpgraph documents: a canonical text, so that save → load →
 * save is byte-identical, and a safe replace of the file. */

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bp-document-private.h"
#include "bp-file.h"
#include "bp-json.h"

static void
append_node (GString    *out,
             BpNode     *node,
             GHashTable *implied)
{
  const BpOp *op = bp_node_get_op (node);
  const BpAttrs *attrs = bp_node_get_attrs (node);
  double x, y;

  g_string_append (out, "    {\"id\": ");
  bp_json_append_string (out, bp_node_get_id (node));
  g_string_append (out, ", \"op\": ");
  bp_json_append_string (out, op->name);
  if (bp_node_has_label (node))
    {
      g_string_append (out, ", \"label\": ");
      bp_json_append_string (out, bp_node_get_label (node));
    }
  if (op->arity > 0)
    {
      g_string_append (out, ", \"inputs\": [");
      for (guint i = 0; i < op->arity; i++)
        {
          BpNode *input = bp_node_get_input (node, i);

          if (i > 0)
            g_string_append (out, ", ");
          if (input != NULL)
            bp_json_append_string (out, bp_node_get_id (input));
          else
            g_string_append (out, "null");
        }
      g_string_append_c (out, ']');
    }
  if ((op->attrs & BP_ATTR_AXIS) && attrs->axis != BP_AXIS_ALL)
    g_string_append_printf (out, ", \"axis\": %d", attrs->axis);
  if (op->attrs & BP_ATTR_TIMES)
    g_string_append_printf (out, ", \"times\": %u", attrs->times);
  if (op->attrs & BP_ATTR_POWER)
    {
      g_string_append (out, ", \"power\": ");
      bp_json_append_number (out, attrs->power);
    }
  /* Untrained params the seed gives again are left out (see
   * bp_train_settings_get_implied_params). */
  if (bp_op_is_leaf (op) && bp_node_get_value (node) != NULL &&
      (implied == NULL || !g_hash_table_contains (implied, bp_node_get_id (node))))
    {
      g_string_append (out, ", \"value\": ");
      bp_json_append_tensor (out, bp_node_get_value (node), FALSE);
    }
  if (bp_node_get_position (node, &x, &y))
    {
      g_string_append (out, ", \"pos\": [");
      bp_json_append_number (out, x);
      g_string_append (out, ", ");
      bp_json_append_number (out, y);
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
}

char *
bp_document_to_data (BpDocument *self,
                     gsize      *length)
{
  GString *out;
  BpNode *output;
  guint n_nodes;
  g_autoptr(GHashTable) implied = NULL;

  g_return_val_if_fail (BP_IS_DOCUMENT (self), NULL);

  out = g_string_sized_new (4096);
  g_string_append (out, "{\n  \"format\": \"" BP_DOCUMENT_FORMAT "\",\n");
  g_string_append_printf (out, "  \"version\": %d,\n", BP_DOCUMENT_VERSION);
  if (self->title != NULL)
    {
      g_string_append (out, "  \"title\": ");
      bp_json_append_string (out, self->title);
      g_string_append (out, ",\n");
    }
  if (g_hash_table_size (self->descriptions) > 0)
    {
      g_auto(GStrv) langs = _bp_document_sorted_keys (self->descriptions);

      g_string_append (out, "  \"description\": {\n");
      for (guint i = 0; langs[i] != NULL; i++)
        {
          g_string_append (out, "    ");
          bp_json_append_string (out, langs[i]);
          g_string_append (out, ": ");
          bp_json_append_string (out, g_hash_table_lookup (self->descriptions, langs[i]));
          g_string_append (out, langs[i + 1] != NULL ? ",\n" : "\n");
        }
      g_string_append (out, "  },\n");
    }
  output = bp_graph_get_output (self->graph);
  if (output != NULL)
    {
      g_string_append (out, "  \"output\": ");
      bp_json_append_string (out, bp_node_get_id (output));
      g_string_append (out, ",\n");
    }

  n_nodes = bp_graph_get_n_nodes (self->graph);
  if (self->training != NULL)
    implied = bp_train_settings_get_implied_params (self->training, self->graph);
  g_string_append (out, "  \"nodes\": [");
  for (guint i = 0; i < n_nodes; i++)
    {
      g_string_append (out, i > 0 ? ",\n" : "\n");
      append_node (out, bp_graph_get_node (self->graph, i), implied);
    }
  g_string_append (out, n_nodes > 0 ? "\n  ]" : "]");

  if (g_hash_table_size (self->quiz) > 0)
    {
      g_auto(GStrv) ids = _bp_document_sorted_keys (self->quiz);
      gboolean first = TRUE;

      /* Blanks on a node that is gone are left out: the loader refuses a
       * quiz that names no node, and a saved file must always load. */
      for (guint i = 0; ids[i] != NULL; i++)
        {
          BpQuizFlags flags = bp_document_get_quiz (self, ids[i]);
          gboolean both = (flags & BP_QUIZ_VALUE) && (flags & BP_QUIZ_GRAD);

          if (bp_graph_lookup (self->graph, ids[i]) == NULL ||
              (flags & (BP_QUIZ_VALUE | BP_QUIZ_GRAD)) == 0)
            continue;
          g_string_append (out, first ? ",\n  \"quiz\": {\n    " : ",\n    ");
          first = FALSE;
          bp_json_append_string (out, ids[i]);
          g_string_append_printf (out, ": [%s%s%s]",
                                  (flags & BP_QUIZ_VALUE) ? "\"value\"" : "",
                                  both ? ", " : "",
                                  (flags & BP_QUIZ_GRAD) ? "\"grad\"" : "");
        }
      if (!first)
        g_string_append (out, "\n  }");
    }
  if (g_hash_table_size (self->answers) > 0)
    {
      g_auto(GStrv) ids = _bp_document_sorted_keys (self->answers);
      gboolean first = TRUE;

      /* Only answers to blanks the quiz still has, on nodes still there:
       * a saved file must always load. */
      for (guint i = 0; ids[i] != NULL; i++)
        {
          BpQuizFlags hidden = bp_document_get_quiz (self, ids[i]);
          gboolean first_kind = TRUE;

          if (bp_graph_lookup (self->graph, ids[i]) == NULL)
            continue;
          for (guint k = 0; k < 2; k++)
            {
              BpQuizFlags what = k == 0 ? BP_QUIZ_VALUE : BP_QUIZ_GRAD;
              const char *right = NULL;
              guint tries = bp_document_get_answer (self, ids[i], what, &right);

              if (tries == 0 || (hidden & what) == 0)
                continue;
              if (first_kind)
                {
                  g_string_append (out, first ? ",\n  \"answers\": {\n    " : ",\n    ");
                  first = FALSE;
                  bp_json_append_string (out, ids[i]);
                  g_string_append (out, ": {");
                }
              else
                g_string_append (out, ", ");
              first_kind = FALSE;
              g_string_append_printf (out, "\"%s\": {\"tries\": %u",
                                      what == BP_QUIZ_VALUE ? "value" : "grad",
                                      MIN (tries, BP_DOCUMENT_MAX_TRIES));
              if (right != NULL)
                {
                  g_string_append (out, ", \"right\": ");
                  bp_json_append_string (out, right);
                }
              g_string_append (out, "}");
            }
          if (!first_kind)
            g_string_append (out, "}");
        }
      if (!first)
        g_string_append (out, "\n  }");
    }
  if (self->training != NULL)
    {
      g_string_append (out, ",\n  \"training\": ");
      bp_train_settings_append_json (self->training, out, 1);
    }
  g_string_append (out, "\n}\n");

  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

gboolean
bp_document_save_to_path (BpDocument  *self,
                          const char  *path,
                          GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (BP_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = bp_document_to_data (self, &length);
  /* A file the loader would refuse is never written: the old one stays. */
  if (!_bp_document_check_text (data, length, &local_error))
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, BP_ERROR, local_error->code,
                   /* Translators: the file's name, then why it could not be
                    * opened again ("The document is … bytes; at most …") */
                   _("Could not save “%s”, as it could not be opened again: %s"),
                   name, local_error->message);
      return FALSE;
    }
  return bp_file_replace_contents (path, data, length, error);
}
