/* SPDX-License-Identifier: MIT */
/* Loading .bpgraph documents (the format and the limits are described in
 * bp-document.h): strict and all-or-nothing. */

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "bp-document-private.h"
#include "bp-expr.h"
#include "bp-file.h"
#include "bp-json-reader.h"
#include "bp-order-private.h"

/* Checks the raw bytes: size, UTF-8, and nesting depth of [ and { outside
 * strings, before they are parsed. */
gboolean
_bp_document_check_text (const char  *data,
                         gsize        length,
                         GError     **error)
{
  const char *end;
  guint depth = 0;
  gsize n_values = 1;
  gboolean in_string = FALSE;

  if (length > BP_DOCUMENT_MAX_BYTES)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, length);

      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   /* Translators: the document's size, then the largest size accepted */
                   _("The document is %s bytes; at most %u are accepted"),
                   size, BP_DOCUMENT_MAX_BYTES);
      return FALSE;
    }
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (data[i]))
      goto not_empty;
  g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, _("The document is empty"));
  return FALSE;

not_empty:
  if (!g_utf8_validate_len (data, length, &end))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the offset of the first bad byte (0 = the first) */
                   _("The document is not valid UTF-8 text (byte %u)"),
                   (guint) (end - data));   /* below BP_DOCUMENT_MAX_BYTES */
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '/' || c == '\'')
        {
          /* JSON has neither comments nor single-quoted strings (which
           * json-glib, once the reader, took and which could hide brackets
           * from this count): said here as it always was. */
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       /* Translators: the offset of the byte (0 = the first) */
                       _("The document is not valid JSON: comments and single-quoted "
                         "strings are not allowed (byte %u)"), (guint) i);
          return FALSE;
        }
      else if (c == ',' || c == '[' || c == '{')
        {
          /* Every value but the first follows a comma or opens a bracket. */
          if (++n_values > BP_DOCUMENT_MAX_VALUES)
            {
              g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                           /* Translators: the largest number of values accepted */
                           _("The document holds more than %u values (numbers, texts, "
                             "arrays and objects)"), BP_DOCUMENT_MAX_VALUES);
              return FALSE;
            }
          if (c == ',')
            continue;
          if (++depth > BP_DOCUMENT_MAX_DEPTH)
            {
              g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                           _("The document nests arrays and objects more than %u levels deep"),
                           BP_DOCUMENT_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        {
          if (--depth == 0)
            {
              /* The document ends here: a second one after it would be
               * dropped by the parser and lost at the next save. */
              for (gsize j = i + 1; j < length; j++)
                if (!g_ascii_isspace (data[j]))
                  {
                    g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                                 /* Translators: the offset of the byte (0 = the first) */
                                 _("The document goes on after its end (byte %u): a "
                                   ".bpgraph file holds exactly one JSON object"),
                                 (guint) j);
                    return FALSE;
                  }
              return TRUE;
            }
        }
    }
  return TRUE;
}

/* "node "apple"" or "node 3" for messages. */
static char *
node_name (guint       index,
           const char *id)
{
  if (id != NULL)
    /* Translators: a node named by its id, at the start of an error message */
    return g_strdup_printf (_("node “%s”"), id);
  /* Translators: a node without an id, by its place in the document (1 = the first) */
  return g_strdup_printf (_("node %u"), index + 1);
}

G_GNUC_PRINTF (5, 6)
static void
node_error (GError    **error,
            int         code,
            guint       index,
            const char *id,
            const char *format,
            ...)
{
  g_autofree char *name = node_name (index, id);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: "node “x”" (or "node 3"), then what is wrong with it */
  g_set_error (error, BP_ERROR, code, _("%s: %s"), name, message);
}

static const char *
json_type_name (BpJsonNode *node)
{
  switch (node->type)
    {
    /* Translators: the kinds of JSON value, put into messages such as
     * "“value” is an object; it must be a number, …" */
    case BP_JSON_OBJECT: return _("an object");
    case BP_JSON_ARRAY: return _("an array");
    case BP_JSON_NULL: return "null";   /* JSON's own word */
    case BP_JSON_BOOLEAN: return _("a boolean");
    case BP_JSON_STRING: return _("a string");
    case BP_JSON_INT:
    case BP_JSON_DOUBLE: return _("a number");
    default: return _("a value");
    }
}

static gboolean
json_is_number (BpJsonNode *node)
{
  return bp_json_node_is_number (node);
}

static gboolean
json_is_string (BpJsonNode *node)
{
  return node->type == BP_JSON_STRING;
}

/* A number written in the file beyond the range of a double: the parser
 * made it ±∞, which only the strings "Infinity" and "-Infinity" stand for. */
static gboolean
json_is_huge_number (BpJsonNode *node)
{
  return json_is_number (node) && !isfinite (bp_json_node_get_double (node));
}

/* A number, or one of the strings standing for NaN and the infinities;
 * not a number beyond the range of a double. */
static gboolean
read_element (BpJsonNode *node,
              double   *value)
{
  if (json_is_number (node) && !json_is_huge_number (node))
    {
      *value = bp_json_node_get_double (node);
      return TRUE;
    }
  if (json_is_string (node))
    {
      const char *s = bp_json_node_get_string (node);

      if (g_strcmp0 (s, "NaN") == 0)
        *value = NAN;
      else if (g_strcmp0 (s, "Infinity") == 0)
        *value = INFINITY;
      else if (g_strcmp0 (s, "-Infinity") == 0)
        *value = -INFINITY;
      else
        return FALSE;
      return TRUE;
    }
  return FALSE;
}

static gboolean
read_integer (BpJsonNode *node,
              gint64   *value)
{
  double d;

  if (!json_is_number (node))
    return FALSE;
  if (node->type == BP_JSON_INT)
    {
      *value = node->v.integer;
      return TRUE;
    }
  d = bp_json_node_get_double (node);
  if (!(d == floor (d)) || fabs (d) > 1e15)
    return FALSE;
  *value = (gint64) d;
  return TRUE;
}

static BpTensor *
read_value (BpJsonNode    *node,
            guint        index,
            const char  *id,
            GError     **error)
{
  BpJsonNode *array;
  guint rows, cols;
  g_autoptr(BpTensor) tensor = NULL;
  gboolean nested;
  double v;

  if (read_element (node, &v))
    return bp_tensor_new_scalar (v);

  if (json_is_huge_number (node))
    {
      node_error (error, BP_ERROR_INVALID, index, id,
                  /* Translators: “value” and “Infinity” are as written in the file: keep them */
                  "%s", _("“value” is a number beyond ±1.8e308, the range of a double; "
                          "write the string “Infinity” for ∞"));
      return NULL;
    }

  if (node->type != BP_JSON_ARRAY)
    {
      if (json_is_string (node))
        node_error (error, BP_ERROR_INVALID, index, id,
                    /* Translators: “value” is the member's name in the file: keep it */
                    _("“value” is the string “%s”; it must be a number, an array or an array "
                      "of rows (the strings “NaN”, “Infinity” and “-Infinity” are allowed)"),
                    bp_json_node_get_string (node));
      else
        node_error (error, BP_ERROR_INVALID, index, id,
                    /* Translators: %s is a kind of JSON value ("an object") */
                    _("“value” is %s; it must be a number, an array or an array of rows"),
                    json_type_name (node));
      return NULL;
    }

  array = node;
  rows = bp_json_node_get_length (array);
  if (rows == 0)
    {
      node_error (error, BP_ERROR_SHAPE, index, id, "%s", _("“value” is an empty array"));
      return NULL;
    }
  nested = (bp_json_node_get_element (array, 0))->type == BP_JSON_ARRAY;
  if (!nested)
    {
      cols = rows;
      rows = 1;
    }
  else
    {
      cols = bp_json_node_get_length (bp_json_node_get_element (array, 0));
      if (cols == 0)
        {
          node_error (error, BP_ERROR_SHAPE, index, id, "%s", _("“value” has an empty row"));
          return NULL;
        }
    }
  if ((guint64) rows * cols > BP_DOCUMENT_MAX_ELEMENTS)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) rows * cols);

      node_error (error, BP_ERROR_TOO_LARGE, index, id,
                  /* Translators: how many numbers the value has, then the most accepted */
                  _("“value” has %s elements; at most %u are accepted"),
                  count, BP_DOCUMENT_MAX_ELEMENTS);
      return NULL;
    }

  tensor = bp_tensor_new (rows, cols);
  for (guint r = 0; r < rows; r++)
    {
      BpJsonNode *row = array;

      if (nested)
        {
          BpJsonNode *row_node = bp_json_node_get_element (array, r);

          if (row_node->type != BP_JSON_ARRAY)
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          /* Translators: a row number, then a kind of JSON value */
                          _("row %u of “value” is %s, not an array"), r + 1,
                          json_type_name (row_node));
              return NULL;
            }
          row = row_node;
          if (bp_json_node_get_length (row) != cols)
            {
              node_error (error, BP_ERROR_SHAPE, index, id,
                          /* Translators: a row number, its length, the first row's length */
                          _("“value” is ragged: row %u has %u elements but row 1 has %u"),
                          r + 1, bp_json_node_get_length (row), cols);
              return NULL;
            }
        }
      for (guint c = 0; c < cols; c++)
        {
          BpJsonNode *element = bp_json_node_get_element (row, c);

          if (!read_element (element, &v))
            {
              if (json_is_huge_number (element))
                node_error (error, BP_ERROR_INVALID, index, id,
                            /* Translators: a column number, a row number; “value” and
                             * “Infinity” are as written in the file: keep them */
                            _("element %u of row %u of “value” is a number beyond ±1.8e308, "
                              "the range of a double; write the string “Infinity” for ∞"),
                            c + 1, r + 1);
              else if (json_is_string (element))
                node_error (error, BP_ERROR_INVALID, index, id,
                            /* Translators: a column number, a row number, the string found */
                            _("element %u of row %u of “value” is the string “%s”; only "
                              "numbers and “NaN”, “Infinity”, “-Infinity” are values"),
                            c + 1, r + 1, bp_json_node_get_string (element));
              else
                node_error (error, BP_ERROR_INVALID, index, id,
                            /* Translators: a column number, a row number, a kind of
                             * JSON value ("a string") */
                            _("element %u of row %u of “value” is %s, not a number"),
                            c + 1, r + 1, json_type_name (element));
              return NULL;
            }
          bp_tensor_set (tensor, r, c, v);
        }
    }
  return g_steal_pointer (&tensor);
}

static gboolean
read_text (BpJsonNode    *node,
           const char  *what,
           guint        limit,
           const char **text,
           GError     **error)
{
  if (!json_is_string (node))
    {
      /* Translators: a member's name ("“label”"), then a kind of JSON value */
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, _("%s is %s, not a string"),
                   what, json_type_name (node));
      return FALSE;
    }
  *text = bp_json_node_get_string (node);
  if (strlen (*text) > limit)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   /* Translators: a member's name ("“label”"), then a length */
                   _("%s is longer than %u bytes"), what, limit);
      return FALSE;
    }
  return TRUE;
}

/* One blank's answers: {"tries": 2, "right": "2.2"}. */
static gboolean
read_one_answer (BpDocument  *self,
                 const char  *id,
                 guint        index,
                 BpQuizFlags  what,
                 BpJsonNode    *node,
                 GError     **error)
{
  BpJsonIter iter;
  const char *member;
  BpJsonNode *value;
  const char *right = NULL;
  gint64 tries = -1;

  if (node->type != BP_JSON_OBJECT)
    {
      node_error (error, BP_ERROR_INVALID, index, id, "%s",
                  _("its answer must be an object such as {\"tries\": 1, \"right\": \"2.2\"}"));
      return FALSE;
    }
  bp_json_iter_init (&iter, node);
  while (bp_json_iter_next (&iter, &member, &value))
    {
      if (g_str_equal (member, "tries"))
        {
          double d = bp_json_node_is_number (value) ? bp_json_node_get_double (value) : -1;

          if (d < 1 || d > BP_DOCUMENT_MAX_TRIES || d != floor (d))
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          /* Translators: %u is the largest number allowed */
                          _("its answer’s “tries” must be a whole number from 1 to %u"),
                          BP_DOCUMENT_MAX_TRIES);
              return FALSE;
            }
          tries = (gint64) d;
        }
      else if (g_str_equal (member, "right"))
        {
          g_autoptr(GError) local_error = NULL;

          if (!read_text (value, "“right”", BP_DOCUMENT_MAX_ANSWER, &right, &local_error))
            {
              node_error (error, local_error->code, index, id, "%s", local_error->message);
              return FALSE;
            }
        }
      else
        {
          node_error (error, BP_ERROR_INVALID, index, id,
                      _("its answer has an unknown member “%s”"), member);
          return FALSE;
        }
    }
  if (tries < 0)
    {
      node_error (error, BP_ERROR_INVALID, index, id, "%s",
                  _("its answer has no “tries”"));
      return FALSE;
    }
  bp_document_set_answer (self, id, what, (guint) tries, right);
  return TRUE;
}

/* "answers": {"apple": {"grad": {"tries": 2, "right": "2.2"}}}. */
static gboolean
read_answers (BpDocument  *self,
              BpJsonNode    *answers,
              GHashTable  *ids,
              GError     **error)
{
  BpJsonIter iter;
  const char *id;
  BpJsonNode *entry;

  if (answers->type != BP_JSON_OBJECT)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: %s is a kind of JSON value; keep the example */
                   _("“answers” is %s; it must be an object such as "
                     "{\"apple\": {\"grad\": {\"tries\": 1}}}"), json_type_name (answers));
      return FALSE;
    }
  bp_json_iter_init (&iter, answers);
  while (bp_json_iter_next (&iter, &id, &entry))
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (ids, id));
      BpJsonIter kinds;
      const char *kind;
      BpJsonNode *value;

      if (index == 0)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_NODE,
                       _("“answers” names “%s”, which is not a node of this document"), id);
          return FALSE;
        }
      if (entry->type != BP_JSON_OBJECT)
        {
          node_error (error, BP_ERROR_INVALID, index - 1, id, "%s",
                      _("its answers must be an object with “value” and “grad”"));
          return FALSE;
        }
      bp_json_iter_init (&kinds, entry);
      while (bp_json_iter_next (&kinds, &kind, &value))
        {
          BpQuizFlags what;

          if (g_str_equal (kind, "value"))
            what = BP_QUIZ_VALUE;
          else if (g_str_equal (kind, "grad"))
            what = BP_QUIZ_GRAD;
          else
            {
              node_error (error, BP_ERROR_INVALID, index - 1, id, "%s",
                          _("its answers may hold only “value” and “grad”"));
              return FALSE;
            }
          if (!read_one_answer (self, id, index - 1, what, value, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* One parsed node, before anything is connected. */
typedef struct
{
  const char *id;
  BpNode     *node;
  BpJsonNode  *inputs;
} LoadNode;

static gboolean
load_node (BpGraph     *graph,
           BpJsonNode    *json,
           guint        index,
           LoadNode    *out,
           GHashTable  *ids,
           GError     **error)
{
  BpJsonNode *object;
  BpJsonIter iter;
  const char *member;
  BpJsonNode *value;
  const char *id = NULL;
  const char *op_name = NULL;
  const BpOp *op;
  BpAttrs attrs = BP_ATTRS_INIT;
  g_autoptr(GError) local_error = NULL;
  BpNode *node;

  if (json->type != BP_JSON_OBJECT)
    {
      /* Translators: follows "node 3: "; %s is a kind of JSON value */
      node_error (error, BP_ERROR_INVALID, index, NULL, _("is %s, not an object"),
                  json_type_name (json));
      return FALSE;
    }
  object = json;

  if (bp_json_node_get_member (object, "id") == NULL)
    {
      node_error (error, BP_ERROR_INVALID, index, NULL, "%s",
                  /* Translators: follows "node 3: "; “id” is the member's name */
                  _("has no “id”"));
      return FALSE;
    }
  if (!read_text (bp_json_node_get_member (object, "id"), "“id”", BP_DOCUMENT_MAX_ID,
                  &id, &local_error))
    {
      node_error (error, local_error->code, index, NULL, "%s", local_error->message);
      return FALSE;
    }
  if (*id == '\0')
    {
      node_error (error, BP_ERROR_INVALID, index, NULL, "%s", _("“id” is empty"));
      return FALSE;
    }
  if (g_hash_table_contains (ids, id))
    {
      node_error (error, BP_ERROR_DUPLICATE, index, id,
                  /* Translators: the other node's place in the document (1 = the first) */
                  _("the id is used by node %u already"),
                  GPOINTER_TO_UINT (g_hash_table_lookup (ids, id)));
      return FALSE;
    }

  if (bp_json_node_get_member (object, "op") == NULL)
    {
      node_error (error, BP_ERROR_INVALID, index, id, "%s",
                  /* Translators: follows "node “x”: "; “op” is the member's name */
                  _("has no “op”"));
      return FALSE;
    }
  if (!read_text (bp_json_node_get_member (object, "op"), "“op”", BP_DOCUMENT_MAX_ID,
                  &op_name, &local_error))
    {
      node_error (error, local_error->code, index, id, "%s", local_error->message);
      return FALSE;
    }
  op = bp_op_lookup (op_name);
  if (op == NULL)
    {
      node_error (error, BP_ERROR_UNKNOWN_OP, index, id, _("unknown op “%s”"), op_name);
      return FALSE;
    }

  node = bp_graph_add_node (graph, id, op->name, &local_error);
  if (node == NULL)
    {
      node_error (error, local_error->code, index, id, "%s", local_error->message);
      return FALSE;
    }
  g_hash_table_insert (ids, (gpointer) id, GUINT_TO_POINTER (index + 1));
  out->id = id;
  out->node = node;
  out->inputs = NULL;

  bp_json_iter_init (&iter, object);
  while (bp_json_iter_next (&iter, &member, &value))
    {
      if (g_str_equal (member, "id") || g_str_equal (member, "op"))
        continue;

      if (g_str_equal (member, "label"))
        {
          const char *label;

          if (!read_text (value, "“label”", BP_DOCUMENT_MAX_TEXT, &label, &local_error))
            {
              node_error (error, local_error->code, index, id, "%s", local_error->message);
              return FALSE;
            }
          bp_node_set_label (node, label);
        }
      else if (g_str_equal (member, "inputs"))
        {
          BpJsonNode *inputs;
          guint n;

          if (value->type != BP_JSON_ARRAY)
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          /* Translators: %s is a kind of JSON value ("a string") */
                          _("“inputs” is %s, not an array"), json_type_name (value));
              return FALSE;
            }
          inputs = value;
          n = bp_json_node_get_length (inputs);
          if (n != op->arity)
            {
              node_error (error, BP_ERROR_ARITY, index, id,
                          /* Translators: the op's name ("mul"), how many inputs it
                           * takes, how many the file lists */
                          g_dngettext (GETTEXT_PACKAGE,
                                       "%s takes %u input but “inputs” lists %u",
                                       "%s takes %u inputs but “inputs” lists %u",
                                       op->arity),
                          op->name, op->arity, n);
              return FALSE;
            }
          for (guint i = 0; i < n; i++)
            {
              BpJsonNode *input = bp_json_node_get_element (inputs, i);

              if (!json_is_string (input) && input->type != BP_JSON_NULL)
                {
                  node_error (error, BP_ERROR_INVALID, index, id,
                              /* Translators: an input number, then a kind of JSON value */
                              _("input %u is %s; it must be a node id or null"),
                              i + 1, json_type_name (input));
                  return FALSE;
                }
            }
          out->inputs = inputs;
        }
      else if (g_str_equal (member, "value"))
        {
          g_autoptr(BpTensor) tensor = NULL;

          if (!bp_op_is_leaf (op))
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          /* Translators: the op's name ("mul"); input, const and param
                           * are op names as written in the file */
                          _("a %s node computes its value; only input, const and param "
                            "nodes have a “value”"), op->name);
              return FALSE;
            }
          tensor = read_value (value, index, id, error);
          if (tensor == NULL)
            return FALSE;
          bp_node_set_value (node, tensor);
        }
      else if (g_str_equal (member, "pos"))
        {
          BpJsonNode *pos;
          double xy[2];

          if (value->type != BP_JSON_ARRAY
              || bp_json_node_get_length (pos = value) != 2)
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          "%s", _("“pos” must be an array of two numbers [x, y]"));
              return FALSE;
            }
          for (guint i = 0; i < 2; i++)
            {
              BpJsonNode *coord = bp_json_node_get_element (pos, i);

              if (!json_is_number (coord))
                {
                  node_error (error, BP_ERROR_INVALID, index, id,
                              /* Translators: %s is a kind of JSON value ("a string") */
                              _("“pos” must be an array of two numbers [x, y], not %s"),
                              json_type_name (coord));
                  return FALSE;
                }
              xy[i] = bp_json_node_get_double (coord);
              if (!(fabs (xy[i]) <= BP_DOCUMENT_MAX_COORD))
                {
                  node_error (error, BP_ERROR_TOO_LARGE, index, id,
                              /* Translators: the largest coordinate allowed */
                              _("“pos” lies beyond ±%g"), BP_DOCUMENT_MAX_COORD);
                  return FALSE;
                }
            }
          bp_node_set_position (node, xy[0], xy[1]);
        }
      else if (g_str_equal (member, "axis") && (op->attrs & BP_ATTR_AXIS))
        {
          gint64 axis;

          /* numpy's axes: -1 is the last (1), -2 the first (0). */
          if (!read_integer (value, &axis) || axis < -2 || axis > 1)
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          "%s", (op->attrs & BP_ATTR_TIMES)
                          ? _("“axis” must be 0 or -2 (down the rows), 1 or -1 (along each row)")
                          : _("“axis” must be 0 or -2 (down the rows), 1 or -1 (along each row); "
                              "leave it out to sum every element"));
              return FALSE;
            }
          bp_axis_resolve ((int) axis, &attrs.axis);
        }
      else if (g_str_equal (member, "times") && (op->attrs & BP_ATTR_TIMES))
        {
          gint64 times;

          if (!read_integer (value, &times) || times < 1)
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          "%s", _("“times” must be a whole number of at least 1"));
              return FALSE;
            }
          if (times > BP_TENSOR_MAX_ELEMENTS)
            {
              g_autofree char *given = g_strdup_printf ("%" G_GINT64_FORMAT, times);

              node_error (error, BP_ERROR_TOO_LARGE, index, id,
                          /* Translators: the number given, then the largest accepted */
                          _("“times” is %s; at most %u is accepted"),
                          given, BP_TENSOR_MAX_ELEMENTS);
              return FALSE;
            }
          attrs.times = (guint) times;
        }
      else if (g_str_equal (member, "power") && (op->attrs & BP_ATTR_POWER))
        {
          if (!json_is_number (value) || !isfinite (bp_json_node_get_double (value)))
            {
              node_error (error, BP_ERROR_INVALID, index, id,
                          "%s", _("“power” must be a finite number"));
              return FALSE;
            }
          attrs.power = bp_json_node_get_double (value);
        }
      else if (g_str_equal (member, "axis") || g_str_equal (member, "times")
               || g_str_equal (member, "power"))
        {
          node_error (error, BP_ERROR_INVALID, index, id,
                      /* Translators: the op's name ("mul"), then the member's name */
                      _("a %s node has no “%s” attribute"), op->name, member);
          return FALSE;
        }
      else
        {
          node_error (error, BP_ERROR_INVALID, index, id, _("unknown member “%s”"), member);
          return FALSE;
        }
    }

  if (out->inputs == NULL && op->arity > 0)
    {
      node_error (error, BP_ERROR_ARITY, index, id,
                  /* Translators: the op's name ("mul"), then how many inputs it takes */
                  g_dngettext (GETTEXT_PACKAGE,
                               "%s takes %u input but has no “inputs”",
                               "%s takes %u inputs but has no “inputs”",
                               op->arity),
                  op->name, op->arity);
      return FALSE;
    }
  /* repeat copies along axis 0 unless told otherwise. */
  if ((op->attrs & BP_ATTR_TIMES) && attrs.axis == BP_AXIS_ALL)
    attrs.axis = 0;
  if (op->attrs != BP_ATTR_NONE && !bp_node_set_attrs (node, &attrs, &local_error))
    {
      node_error (error, local_error->code, index, id, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Refuses a cycle among the parsed edges, naming its nodes, before
 * anything is connected (with the graph's own cycle test). */
static gboolean
check_cycles (LoadNode    *nodes,
              guint        n_nodes,
              GHashTable  *index_of,
              GError     **error)
{
  g_autofree guint *offsets = g_new (guint, n_nodes + 1);
  g_autofree guint *inputs = NULL;
  g_autofree guint *order = g_new (guint, MAX (n_nodes, 1));
  g_autoptr(GArray) cycle = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GString) path = NULL;
  guint n_edges = 0;

  offsets[0] = 0;
  for (guint i = 0; i < n_nodes; i++)
    {
      guint n = nodes[i].inputs ? bp_json_node_get_length (nodes[i].inputs) : 0;

      for (guint s = 0; s < n; s++)
        if (bp_json_node_get_string (bp_json_node_get_element (nodes[i].inputs, s)) != NULL)
          n_edges++;
      offsets[i + 1] = n_edges;
    }
  inputs = g_new (guint, MAX (n_edges, 1));
  for (guint i = 0, e = 0; i < n_nodes; i++)
    {
      guint n = nodes[i].inputs ? bp_json_node_get_length (nodes[i].inputs) : 0;

      for (guint s = 0; s < n; s++)
        {
          const char *src = bp_json_node_get_string (bp_json_node_get_element (nodes[i].inputs, s));

          if (src != NULL)
            inputs[e++] = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, src)) - 1;
        }
    }

  if (bp_order_sort (n_nodes, offsets, inputs, order, cycle))
    return TRUE;

  /* "a → b → a"; a very long cycle is cut short. */
  path = g_string_new (nodes[g_array_index (cycle, guint, 0)].id);
  for (guint k = 1; k < cycle->len; k++)
    {
      if (path->len >= 4096 && k + 1 < cycle->len)
        {
          g_string_append (path, " → …");
          k = cycle->len - 1;
        }
      g_string_append (path, " → ");
      g_string_append (path, nodes[g_array_index (cycle, guint, k)].id);
    }

  node_error (error, BP_ERROR_CYCLE, g_array_index (cycle, guint, 0),
              nodes[g_array_index (cycle, guint, 0)].id,
              /* Translators: %s is the cycle's path, "a → b → a" */
              _("the inputs form a cycle: %s"), path->str);
  return FALSE;
}

static BpDocument *
load_root (BpJsonNode    *root,
           GError     **error)
{
  g_autoptr(BpDocument) self = bp_document_new ();
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree LoadNode *nodes = NULL;
  BpJsonNode *object;
  BpJsonIter iter;
  const char *member;
  BpJsonNode *value;
  BpJsonNode *node_array = NULL;
  BpJsonNode *output = NULL;
  BpJsonNode *quiz = NULL;
  BpJsonNode *answers = NULL;
  BpJsonNode *training = NULL;
  gboolean have_format = FALSE, have_version = FALSE;
  guint n_nodes;
  g_autoptr(GError) local_error = NULL;

  if (root->type != BP_JSON_OBJECT)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: %s is a kind of JSON value ("an array") */
                   _("The document is %s; a .bpgraph document is a JSON object"),
                   json_type_name (root));
      return NULL;
    }
  object = root;

  bp_json_iter_init (&iter, object);
  while (bp_json_iter_next (&iter, &member, &value))
    {
      if (g_str_equal (member, "format"))
        {
          if (!json_is_string (value)
              || g_strcmp0 (bp_json_node_get_string (value), BP_DOCUMENT_FORMAT) != 0)
            {
              g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                           /* Translators: %s is the format's name, "backprop-studio" */
                           _("“format” must be “%s”"), BP_DOCUMENT_FORMAT);
              return NULL;
            }
          have_format = TRUE;
        }
      else if (g_str_equal (member, "version"))
        {
          gint64 version;

          if (!read_integer (value, &version) || version != BP_DOCUMENT_VERSION)
            {
              g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                           /* Translators: the one version number this program reads */
                           _("“version” must be %d (this document was written by a "
                             "different version of Backprop Studio)"), BP_DOCUMENT_VERSION);
              return NULL;
            }
          have_version = TRUE;
        }
      else if (g_str_equal (member, "title"))
        {
          const char *title;

          if (!read_text (value, "“title”", BP_DOCUMENT_MAX_TEXT, &title, error))
            return NULL;
          bp_document_set_title (self, title);
        }
      else if (g_str_equal (member, "description"))
        {
          BpJsonIter lang_iter;
          const char *lang;
          BpJsonNode *text_node;

          if (value->type != BP_JSON_OBJECT)
            {
              g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                           /* Translators: %s is a kind of JSON value; keep the example */
                           _("“description” is %s; it must be an object such as "
                             "{\"en\": \"…\", \"ko\": \"…\"}"), json_type_name (value));
              return NULL;
            }
          bp_json_iter_init (&lang_iter, value);
          while (bp_json_iter_next (&lang_iter, &lang, &text_node))
            {
              const char *text;
              g_autofree char *what = g_strdup_printf ("“description” “%s”", lang);

              if (*lang == '\0' || strlen (lang) > 16)
                {
                  g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                               _("“description” has a bad language code “%s”"), lang);
                  return NULL;
                }
              if (!read_text (text_node, what, BP_DOCUMENT_MAX_TEXT, &text, error))
                return NULL;
              bp_document_set_description (self, lang, text);
            }
        }
      else if (g_str_equal (member, "output"))
        output = value;
      else if (g_str_equal (member, "quiz"))
        quiz = value;
      else if (g_str_equal (member, "answers"))
        answers = value;
      else if (g_str_equal (member, "training"))
        training = value;
      else if (g_str_equal (member, "nodes"))
        {
          if (value->type != BP_JSON_ARRAY)
            {
              g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                           /* Translators: %s is a kind of JSON value ("an object") */
                           _("“nodes” is %s, not an array"), json_type_name (value));
              return NULL;
            }
          node_array = value;
        }
      else
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       _("The document has an unknown member “%s”"), member);
          return NULL;
        }
    }

  if (!have_format || !have_version || node_array == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: %s is a member's name: format, version or nodes */
                   _("This is not a Backprop Studio document: “%s” is missing"),
                   !have_format ? "format" : !have_version ? "version" : "nodes");
      return NULL;
    }

  n_nodes = bp_json_node_get_length (node_array);
  if (n_nodes > BP_DOCUMENT_MAX_NODES)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   /* Translators: the number of nodes, then the most accepted */
                   _("The document has %u nodes; at most %u are accepted"),
                   n_nodes, BP_DOCUMENT_MAX_NODES);
      return NULL;
    }

  nodes = g_new0 (LoadNode, n_nodes + 1);
  for (guint i = 0; i < n_nodes; i++)
    if (!load_node (self->graph, bp_json_node_get_element (node_array, i), i,
                    &nodes[i], ids, error))
      return NULL;

  /* Every input must name a node. */
  for (guint i = 0; i < n_nodes; i++)
    {
      guint n = nodes[i].inputs ? bp_json_node_get_length (nodes[i].inputs) : 0;

      for (guint s = 0; s < n; s++)
        {
          const char *src = bp_json_node_get_string (bp_json_node_get_element (nodes[i].inputs, s));

          if (src != NULL && !g_hash_table_contains (ids, src))
            {
              node_error (error, BP_ERROR_UNKNOWN_NODE, i, nodes[i].id,
                          /* Translators: an input number, then the id it names */
                          _("input %u names “%s”, which is not a node of this document"),
                          s + 1, src);
              return NULL;
            }
        }
    }

  if (!check_cycles (nodes, n_nodes, ids, error))
    return NULL;

  for (guint i = 0; i < n_nodes; i++)
    {
      guint n = nodes[i].inputs ? bp_json_node_get_length (nodes[i].inputs) : 0;

      for (guint s = 0; s < n; s++)
        {
          const char *src = bp_json_node_get_string (bp_json_node_get_element (nodes[i].inputs, s));

          if (src == NULL)
            continue;
          if (!bp_graph_connect (self->graph, bp_graph_lookup (self->graph, src),
                                 nodes[i].node, s, &local_error))
            {
              node_error (error, local_error->code, i, nodes[i].id, "%s",
                          local_error->message);
              return NULL;
            }
        }
    }

  if (output != NULL)
    {
      BpNode *node;

      if (!json_is_string (output))
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       /* Translators: %s is a kind of JSON value ("a number") */
                       _("“output” is %s; it must be a node id"), json_type_name (output));
          return NULL;
        }
      node = bp_graph_lookup (self->graph, bp_json_node_get_string (output));
      if (node == NULL)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_NODE,
                       _("“output” names “%s”, which is not a node of this document"),
                       bp_json_node_get_string (output));
          return NULL;
        }
      bp_graph_set_output (self->graph, node);
    }

  if (quiz != NULL)
    {
      BpJsonIter quiz_iter;
      const char *id;
      BpJsonNode *blanks;

      if (quiz->type != BP_JSON_OBJECT)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       /* Translators: %s is a kind of JSON value; keep the example */
                       _("“quiz” is %s; it must be an object such as "
                         "{\"apple\": [\"grad\"]}"), json_type_name (quiz));
          return NULL;
        }
      bp_json_iter_init (&quiz_iter, quiz);
      while (bp_json_iter_next (&quiz_iter, &id, &blanks))
        {
          BpQuizFlags flags = 0;
          BpJsonNode *array;
          guint index = GPOINTER_TO_UINT (g_hash_table_lookup (ids, id));

          if (index == 0)
            {
              g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_NODE,
                           _("“quiz” names “%s”, which is not a node of this document"), id);
              return NULL;
            }
          if (blanks->type != BP_JSON_ARRAY)
            {
              node_error (error, BP_ERROR_INVALID, index - 1, id,
                          "%s", _("its quiz entry must be an array of “value” and “grad”"));
              return NULL;
            }
          array = blanks;
          for (guint i = 0; i < bp_json_node_get_length (array); i++)
            {
              BpJsonNode *blank = bp_json_node_get_element (array, i);
              const char *s = json_is_string (blank) ? bp_json_node_get_string (blank) : NULL;

              if (g_strcmp0 (s, "value") == 0)
                flags |= BP_QUIZ_VALUE;
              else if (g_strcmp0 (s, "grad") == 0)
                flags |= BP_QUIZ_GRAD;
              else
                {
                  node_error (error, BP_ERROR_INVALID, index - 1, id,
                              "%s", _("its quiz entry may hold only “value” and “grad”"));
                  return NULL;
                }
            }
          bp_document_set_quiz (self, id, flags);
        }
    }

  if (answers != NULL && !read_answers (self, answers, ids, error))
    return NULL;

  if (training != NULL)
    {
      g_autoptr(BpTrainSettings) settings = bp_train_settings_from_json (training, error);

      if (settings == NULL || !bp_train_settings_check (settings, self->graph, error))
        return NULL;
      /* Untrained params start from the seed, so the graph runs at once. */
      bp_train_settings_prepare (settings, self->graph);
      self->training = g_steal_pointer (&settings);
    }

  return g_steal_pointer (&self);
}

BpDocument *
bp_document_load_from_data (const char  *data,
                            gssize       length,
                            GError     **error)
{
  g_autoptr(BpJsonDocument) json = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (data == NULL)
    data = "";
  len = length < 0 ? strlen (data) : (gsize) length;
  if (!_bp_document_check_text (data, len, error))
    return NULL;

  json = bp_json_document_parse (data, len, BP_DOCUMENT_MAX_DEPTH, &local_error);
  if (json == NULL)
    {
      if (g_error_matches (local_error, BP_JSON_ERROR, BP_JSON_ERROR_SURROGATE))
        /* Valid JSON, but not text once unescaped: says so itself. */
        g_set_error_literal (error, BP_ERROR, BP_ERROR_INVALID, local_error->message);
      else
        g_set_error (error, BP_ERROR,
                     g_error_matches (local_error, BP_JSON_ERROR, BP_JSON_ERROR_DEPTH)
                     ? BP_ERROR_TOO_LARGE : BP_ERROR_INVALID,
                     /* Translators: %s is where the JSON is wrong and what is wrong */
                     _("The document is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  return load_root (bp_json_document_get_root (json), error);
}

/* A document from the bytes of a file named `name`: a ".bpx" is the
 * expression language, anything else a .bpgraph document. */
BpDocument *
_bp_document_load_contents (const char  *contents,
                            gsize        length,
                            const char  *name,
                            GError     **error)
{
  g_autoptr(BpGraph) graph = NULL;

  if (!g_str_has_suffix (name, ".bpx"))
    return bp_document_load_from_data (contents, (gssize) length, error);

  if (memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   _("“%s” is not a text file"), name);
      return NULL;
    }
  graph = bp_expr_parse (contents, error);
  if (graph == NULL)
    return NULL;
  return bp_document_new_for_graph (graph);
}

/* Through bp_file_read_contents() alone, without GIO's file system layer:
 * the headless CLI loads this way, and starts without GIO's local file
 * code and the libraries it needs. */
BpDocument *
bp_document_load_from_path (const char  *path,
                            GError     **error)
{
  g_autofree char *local = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  local = bp_file_path_from_arg (path, error);
  if (local == NULL)
    return NULL;
  if (!bp_file_read_contents (local, BP_DOCUMENT_MAX_BYTES, NULL, &contents, &length, error))
    return NULL;
  return _bp_document_load_contents (contents, length, path, error);
}
