/* SPDX-License-Identifier: MIT */
/* A document's training settings: the "training" member. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "bp-document.h"
#include "bp-train-settings.h"

BpTrainSettings *
bp_train_settings_new (void)
{
  BpTrainSettings *self = g_new0 (BpTrainSettings, 1);

  /* The book's 5.7 (train_neuralnet.py). */
  self->data = g_strdup ("fashion-mnist");
  self->input = g_strdup ("x");
  self->target = g_strdup ("t");
  self->iterations = 10000;
  self->batch_size = 100;
  self->learning_rate = 0.1;
  self->optimizer = BP_OPTIMIZER_SGD;
  self->init = BP_INIT_GAUSSIAN;
  self->init_scale = 0.01;
  self->seed = 1;
  self->shapes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

BpTrainSettings *
bp_train_settings_copy (const BpTrainSettings *self)
{
  BpTrainSettings *copy = bp_train_settings_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_free (copy->data);
  g_free (copy->input);
  g_free (copy->target);
  copy->data = g_strdup (self->data);
  copy->input = g_strdup (self->input);
  copy->target = g_strdup (self->target);
  copy->iterations = self->iterations;
  copy->batch_size = self->batch_size;
  copy->learning_rate = self->learning_rate;
  copy->optimizer = self->optimizer;
  copy->init = self->init;
  copy->init_scale = self->init_scale;
  copy->seed = self->seed;
  copy->trained_iterations = self->trained_iterations;
  g_hash_table_iter_init (&iter, self->shapes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->shapes, g_strdup (key), g_memdup2 (value, 2 * sizeof (guint)));
  return copy;
}

void
bp_train_settings_free (BpTrainSettings *self)
{
  if (self == NULL)
    return;
  g_free (self->data);
  g_free (self->input);
  g_free (self->target);
  g_hash_table_unref (self->shapes);
  g_free (self);
}

void
bp_train_settings_set_shape (BpTrainSettings *self,
                             const char      *param_id,
                             guint            rows,
                             guint            cols)
{
  guint *shape = g_new (guint, 2);

  shape[0] = rows;
  shape[1] = cols;
  g_hash_table_replace (self->shapes, g_strdup (param_id), shape);
}

gboolean
bp_train_settings_get_shape (const BpTrainSettings *self,
                             const char            *param_id,
                             guint                 *rows,
                             guint                 *cols)
{
  const guint *shape = g_hash_table_lookup (self->shapes, param_id);

  if (shape == NULL)
    return FALSE;
  *rows = shape[0];
  *cols = shape[1];
  return TRUE;
}

/* --- reading --- */

static gboolean
read_uint (BpJsonNode    *node,
           const char  *member,
           guint64      min,
           guint64      max,
           guint64     *out,
           GError     **error)
{
  if (node->type == BP_JSON_INT)
    {
      gint64 v = node->v.integer;

      if (v >= 0 && (guint64) v >= min && (guint64) v <= max)
        {
          *out = v;
          return TRUE;
        }
    }
  g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
               /* Translators: a member of "training", then the smallest and largest values */
               _("“training”: “%s” must be a whole number from %llu to %llu"),
               member, (unsigned long long) min, (unsigned long long) max);
  return FALSE;
}

static gboolean
read_positive (BpJsonNode    *node,
               const char  *member,
               double      *out,
               GError     **error)
{
  if (bp_json_node_is_number (node))
    {
      double v = bp_json_node_get_double (node);

      if (isfinite (v) && v > 0)
        {
          *out = v;
          return TRUE;
        }
    }
  g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
               /* Translators: a member of "training" */
               _("“training”: “%s” must be a number greater than 0"), member);
  return FALSE;
}

static gboolean
read_string (BpJsonNode    *node,
             const char  *member,
             char       **out,
             GError     **error)
{
  const char *s = bp_json_node_get_string (node);

  if (s == NULL || *s == '\0' || strlen (s) > 4096)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: a member of "training" */
                   _("“training”: “%s” must be a non-empty text"), member);
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
read_shapes (BpTrainSettings  *self,
             BpJsonNode         *node,
             GError          **error)
{
  BpJsonIter iter;
  const char *id;
  BpJsonNode *value;

  if (node->type != BP_JSON_OBJECT)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                   /* Translators: keep the example as it is */
                   _("“training”: “shapes” must be an object such as {\"W1\": [784, 50]}"));
      return FALSE;
    }
  bp_json_iter_init (&iter, node);
  while (bp_json_iter_next (&iter, &id, &value))
    {
      BpJsonNode *array = value->type == BP_JSON_ARRAY ? value : NULL;
      guint64 dims[2];

      if (array == NULL || bp_json_node_get_length (array) != 2 ||
          !read_uint (bp_json_node_get_element (array, 0), "shapes", 1, BP_DOCUMENT_MAX_ELEMENTS, &dims[0], NULL) ||
          !read_uint (bp_json_node_get_element (array, 1), "shapes", 1, BP_DOCUMENT_MAX_ELEMENTS, &dims[1], NULL) ||
          dims[0] * dims[1] > BP_DOCUMENT_MAX_ELEMENTS)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       /* Translators: a param's id, then the most numbers a value may have */
                       _("“training”: the shape of “%s” must be [rows, columns], at most %u numbers"),
                       id, BP_DOCUMENT_MAX_ELEMENTS);
          return FALSE;
        }
      bp_train_settings_set_shape (self, id, dims[0], dims[1]);
    }
  return TRUE;
}

BpTrainSettings *
bp_train_settings_from_json (BpJsonNode  *node,
                             GError   **error)
{
  g_autoptr(BpTrainSettings) self = bp_train_settings_new ();
  BpJsonIter iter;
  const char *member;
  BpJsonNode *value;

  g_return_val_if_fail (node != NULL, NULL);

  if (node->type != BP_JSON_OBJECT)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                   _("“training” must be an object"));
      return NULL;
    }

  bp_json_iter_init (&iter, node);
  while (bp_json_iter_next (&iter, &member, &value))
    {
      guint64 n;
      gboolean ok;

      if (g_str_equal (member, "data"))
        ok = read_string (value, member, &self->data, error);
      else if (g_str_equal (member, "input"))
        ok = read_string (value, member, &self->input, error);
      else if (g_str_equal (member, "target"))
        ok = read_string (value, member, &self->target, error);
      else if (g_str_equal (member, "iterations"))
        {
          ok = read_uint (value, member, 1, BP_TRAIN_MAX_ITERATIONS, &n, error);
          self->iterations = n;
        }
      else if (g_str_equal (member, "batch_size"))
        {
          ok = read_uint (value, member, 1, BP_TRAIN_MAX_BATCH, &n, error);
          self->batch_size = n;
        }
      else if (g_str_equal (member, "learning_rate"))
        ok = read_positive (value, member, &self->learning_rate, error);
      else if (g_str_equal (member, "init_scale"))
        ok = read_positive (value, member, &self->init_scale, error);
      else if (g_str_equal (member, "seed"))
        ok = read_uint (value, member, 0, G_MAXINT64, &self->seed, error);
      else if (g_str_equal (member, "trained_iterations"))
        ok = read_uint (value, member, 0, G_MAXINT64, &self->trained_iterations, error);
      else if (g_str_equal (member, "optimizer"))
        {
          const char *s = bp_json_node_get_string (value);

          ok = bp_optimizer_kind_from_string (s, &self->optimizer);
          if (!ok)
            g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                         _("“training”: “optimizer” must be “sgd”, “momentum” or “adam”"));
        }
      else if (g_str_equal (member, "init"))
        {
          const char *s = bp_json_node_get_string (value);

          ok = bp_init_kind_from_string (s, &self->init);
          if (!ok)
            g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                         _("“training”: “init” must be “gaussian”, “he” or “xavier”"));
        }
      else if (g_str_equal (member, "shapes"))
        ok = read_shapes (self, value, error);
      else
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       _("“training” has an unknown member “%s”"), member);
          ok = FALSE;
        }
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&self);
}

/* --- writing --- */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void
bp_train_settings_append_json (const BpTrainSettings *self,
                               GString               *out,
                               guint                  indent)
{
  g_autofree char *pad = g_strnfill (2 * indent + 2, ' ');
  g_autofree char *end = g_strnfill (2 * indent, ' ');
  g_autofree gpointer *ids = NULL;
  guint n_ids;

  g_string_append_printf (out, "{\n%s\"data\": ", pad);
  bp_json_append_string (out, self->data);
  g_string_append_printf (out, ",\n%s\"input\": ", pad);
  bp_json_append_string (out, self->input);
  g_string_append_printf (out, ",\n%s\"target\": ", pad);
  bp_json_append_string (out, self->target);
  g_string_append_printf (out, ",\n%s\"iterations\": %u", pad, self->iterations);
  g_string_append_printf (out, ",\n%s\"batch_size\": %u", pad, self->batch_size);
  g_string_append_printf (out, ",\n%s\"learning_rate\": ", pad);
  bp_json_append_number (out, self->learning_rate);
  g_string_append_printf (out, ",\n%s\"optimizer\": \"%s\"", pad,
                          bp_optimizer_kind_to_string (self->optimizer));
  g_string_append_printf (out, ",\n%s\"init\": \"%s\"", pad, bp_init_kind_to_string (self->init));
  g_string_append_printf (out, ",\n%s\"init_scale\": ", pad);
  bp_json_append_number (out, self->init_scale);
  g_string_append_printf (out, ",\n%s\"seed\": %" G_GUINT64_FORMAT, pad, self->seed);

  ids = g_hash_table_get_keys_as_array (self->shapes, &n_ids);
  if (n_ids > 0)
    {
      qsort (ids, n_ids, sizeof (gpointer), compare_strings);
      g_string_append_printf (out, ",\n%s\"shapes\": {", pad);
      for (guint i = 0; i < n_ids; i++)
        {
          const guint *shape = g_hash_table_lookup (self->shapes, ids[i]);

          g_string_append (out, i > 0 ? ", " : "");
          bp_json_append_string (out, ids[i]);
          g_string_append_printf (out, ": [%u, %u]", shape[0], shape[1]);
        }
      g_string_append (out, "}");
    }
  g_string_append_printf (out, ",\n%s\"trained_iterations\": %" G_GUINT64_FORMAT "\n%s}",
                          pad, self->trained_iterations, end);
}

gboolean
bp_train_settings_check (const BpTrainSettings  *self,
                         BpGraph                *graph,
                         GError                **error)
{
  const char *roles[2] = { self->input, self->target };
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < 2; i++)
    {
      BpNode *node = bp_graph_lookup (graph, roles[i]);

      if (node == NULL)
        {
          if (i == 0)
            g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_NODE,
                         _("“training”: the input “%s” is not a node of this graph"), roles[i]);
          else
            g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_NODE,
                         _("“training”: the target “%s” is not a node of this graph"), roles[i]);
          return FALSE;
        }
      if (!bp_op_is_leaf (bp_node_get_op (node)) || g_str_equal (bp_node_get_op (node)->name, "param"))
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       /* Translators: a node id */
                       _("“training”: “%s” must be an input or const leaf to receive data"),
                       roles[i]);
          return FALSE;
        }
    }
  if (g_str_equal (self->input, self->target))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   _("“training”: the input and the target are both “%s”; they must be two nodes"),
                   self->input);
      return FALSE;
    }

  g_hash_table_iter_init (&iter, self->shapes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BpNode *node = bp_graph_lookup (graph, key);

      if (node == NULL || !g_str_equal (bp_node_get_op (node)->name, "param"))
        {
          g_set_error (error, BP_ERROR, BP_ERROR_UNKNOWN_NODE,
                       _("“training”: “shapes” names “%s”, which is not a param of this graph"),
                       (const char *) key);
          return FALSE;
        }
    }
  return TRUE;
}

/* --- initial params --- */

static GPtrArray *
get_params (BpGraph *graph)
{
  GPtrArray *params = g_ptr_array_new ();

  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (g_str_equal (bp_node_get_op (node)->name, "param"))
        g_ptr_array_add (params, node);
    }
  return params;
}

void
bp_train_settings_init_params (const BpTrainSettings *self,
                               BpGraph               *graph)
{
  g_autoptr(GPtrArray) params = get_params (graph);

  for (guint i = 0; i < params->len; i++)
    {
      BpNode *node = g_ptr_array_index (params, i);
      guint rows, cols;

      if (bp_train_settings_get_shape (self, bp_node_get_id (node), &rows, &cols))
        {
          g_autoptr(BpTensor) zeros = bp_tensor_new (rows, cols);

          bp_node_set_value (node, zeros);
        }
    }
  bp_optimizer_init_params ((BpNode *const *) params->pdata, params->len,
                            self->init, self->init_scale, self->seed);
}

static gboolean
shapes_differ (const BpTrainSettings *self,
               BpGraph               *graph)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->shapes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      BpNode *node = bp_graph_lookup (graph, key);
      const guint *shape = value;
      BpTensor *t = node != NULL ? bp_node_get_value (node) : NULL;

      if (t != NULL && (t->rows != shape[0] || t->cols != shape[1]))
        return TRUE;
    }
  return FALSE;
}

gboolean
bp_train_settings_prepare (const BpTrainSettings *self,
                           BpGraph               *graph)
{
  if (self->trained_iterations != 0 || !shapes_differ (self, graph))
    return FALSE;
  bp_train_settings_init_params (self, graph);
  return TRUE;
}

GHashTable *
bp_train_settings_get_implied_params (const BpTrainSettings *self,
                                      BpGraph               *graph)
{
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(BpGraph) fresh = NULL;
  GHashTable *implied;

  if (self->trained_iterations != 0 || g_hash_table_size (self->shapes) == 0 ||
      shapes_differ (self, graph))
    return NULL;

  /* Draw the initial values on a copy and compare them all: the draws
   * follow one another, so one changed param changes what loading
   * would give the others. */
  fresh = bp_graph_copy (graph);
  bp_train_settings_init_params (self, fresh);
  params = get_params (graph);
  for (guint i = 0; i < params->len; i++)
    {
      BpNode *node = g_ptr_array_index (params, i);
      BpNode *twin = bp_graph_lookup (fresh, bp_node_get_id (node));

      if (!bp_tensor_equal (bp_node_get_value (node), bp_node_get_value (twin), 0, 0))
        return NULL;
    }

  implied = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < params->len; i++)
    {
      const char *id = bp_node_get_id (g_ptr_array_index (params, i));

      if (g_hash_table_contains (self->shapes, id))
        g_hash_table_add (implied, (gpointer) id);
    }
  return implied;
}
