/* SPDX-License-Identifier: MIT */
/* The document: a graph with its title, explanations and quiz blanks.
 * Reading and writing the .bpgraph format live in bp-document-reader.c
 * and bp-document-writer.c. */

#include <string.h>

#include "bp-document-private.h"

G_DEFINE_FINAL_TYPE (BpDocument, bp_document, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_GRAPH,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
answers_free (gpointer data)
{
  BpDocumentAnswers *answers = data;

  g_free (answers->right[0]);
  g_free (answers->right[1]);
  g_free (answers);
}

static void
bp_document_finalize (GObject *object)
{
  BpDocument *self = BP_DOCUMENT (object);

  g_clear_object (&self->graph);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->descriptions, g_hash_table_unref);
  g_clear_pointer (&self->quiz, g_hash_table_unref);
  g_clear_pointer (&self->answers, g_hash_table_unref);
  g_clear_pointer (&self->training, bp_train_settings_free);

  G_OBJECT_CLASS (bp_document_parent_class)->finalize (object);
}

static void
bp_document_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BpDocument *self = BP_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_GRAPH:
      g_value_set_object (value, self->graph);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_document_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  BpDocument *self = BP_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_GRAPH:
      bp_document_set_graph (self, g_value_get_object (value));
      break;
    case PROP_TITLE:
      bp_document_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_document_class_init (BpDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bp_document_finalize;
  object_class->get_property = bp_document_get_property;
  object_class->set_property = bp_document_set_property;

  properties[PROP_GRAPH] =
    g_param_spec_object ("graph", NULL, NULL, BP_TYPE_GRAPH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bp_document_init (BpDocument *self)
{
  self->graph = bp_graph_new ();
  self->descriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->quiz = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, answers_free);
}

BpDocument *
bp_document_new (void)
{
  return g_object_new (BP_TYPE_DOCUMENT, NULL);
}

BpDocument *
bp_document_new_for_graph (BpGraph *graph)
{
  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);

  return g_object_new (BP_TYPE_DOCUMENT, "graph", graph, NULL);
}

BpGraph *
bp_document_get_graph (BpDocument *self)
{
  g_return_val_if_fail (BP_IS_DOCUMENT (self), NULL);

  return self->graph;
}

void
bp_document_set_graph (BpDocument *self,
                       BpGraph    *graph)
{
  g_return_if_fail (BP_IS_DOCUMENT (self));
  g_return_if_fail (BP_IS_GRAPH (graph));

  if (g_set_object (&self->graph, graph))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAPH]);
}

const char *
bp_document_get_title (BpDocument *self)
{
  g_return_val_if_fail (BP_IS_DOCUMENT (self), NULL);

  return self->title;
}

void
bp_document_set_title (BpDocument *self,
                       const char *title)
{
  g_return_if_fail (BP_IS_DOCUMENT (self));

  if (title != NULL && *title == '\0')
    title = NULL;
  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
bp_document_get_description (BpDocument *self,
                             const char *lang)
{
  const char *text = NULL;

  g_return_val_if_fail (BP_IS_DOCUMENT (self), NULL);

  if (lang != NULL)
    text = g_hash_table_lookup (self->descriptions, lang);
  if (text == NULL)
    text = g_hash_table_lookup (self->descriptions, "en");
  return text;
}

void
bp_document_set_description (BpDocument *self,
                             const char *lang,
                             const char *text)
{
  g_return_if_fail (BP_IS_DOCUMENT (self));
  g_return_if_fail (lang != NULL && *lang != '\0');

  if (text == NULL || *text == '\0')
    g_hash_table_remove (self->descriptions, lang);
  else
    g_hash_table_replace (self->descriptions, g_strdup (lang), g_strdup (text));
}

BpTrainSettings *
bp_document_get_training (BpDocument *self)
{
  g_return_val_if_fail (BP_IS_DOCUMENT (self), NULL);

  return self->training;
}

void
bp_document_set_training (BpDocument            *self,
                          const BpTrainSettings *settings)
{
  g_return_if_fail (BP_IS_DOCUMENT (self));

  g_clear_pointer (&self->training, bp_train_settings_free);
  if (settings != NULL)
    self->training = bp_train_settings_copy (settings);
}

BpQuizFlags
bp_document_get_quiz (BpDocument *self,
                      const char *node_id)
{
  g_return_val_if_fail (BP_IS_DOCUMENT (self), 0);
  g_return_val_if_fail (node_id != NULL, 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->quiz, node_id));
}

void
bp_document_set_quiz (BpDocument  *self,
                      const char  *node_id,
                      BpQuizFlags  flags)
{
  g_return_if_fail (BP_IS_DOCUMENT (self));
  g_return_if_fail (node_id != NULL);

  flags &= BP_QUIZ_VALUE | BP_QUIZ_GRAD;
  if (flags == 0)
    g_hash_table_remove (self->quiz, node_id);
  else
    g_hash_table_replace (self->quiz, g_strdup (node_id), GUINT_TO_POINTER (flags));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GStrv
_bp_document_sorted_keys (GHashTable *table)
{
  guint n = 0;
  GStrv keys = (GStrv) g_hash_table_get_keys_as_array (table, &n);

  for (guint i = 0; i < n; i++)
    keys[i] = g_strdup (keys[i]);
  qsort (keys, n, sizeof (char *), compare_strings);
  return keys;
}

GStrv
bp_document_get_quiz_nodes (BpDocument *self)
{
  g_return_val_if_fail (BP_IS_DOCUMENT (self), NULL);

  return _bp_document_sorted_keys (self->quiz);
}

static guint
answer_index (BpQuizFlags what)
{
  return what == BP_QUIZ_GRAD ? 1 : 0;
}

guint
bp_document_get_answer (BpDocument  *self,
                        const char  *node_id,
                        BpQuizFlags  what,
                        const char **right)
{
  BpDocumentAnswers *answers;

  g_return_val_if_fail (BP_IS_DOCUMENT (self), 0);
  g_return_val_if_fail (node_id != NULL, 0);
  g_return_val_if_fail (what == BP_QUIZ_VALUE || what == BP_QUIZ_GRAD, 0);

  answers = g_hash_table_lookup (self->answers, node_id);
  if (right != NULL)
    *right = answers != NULL ? answers->right[answer_index (what)] : NULL;
  return answers != NULL ? answers->tries[answer_index (what)] : 0;
}

void
bp_document_set_answer (BpDocument  *self,
                        const char  *node_id,
                        BpQuizFlags  what,
                        guint        tries,
                        const char  *right)
{
  BpDocumentAnswers *answers;
  guint i = answer_index (what);

  g_return_if_fail (BP_IS_DOCUMENT (self));
  g_return_if_fail (node_id != NULL);
  g_return_if_fail (what == BP_QUIZ_VALUE || what == BP_QUIZ_GRAD);

  answers = g_hash_table_lookup (self->answers, node_id);
  if (answers == NULL)
    {
      if (tries == 0)
        return;
      answers = g_new0 (BpDocumentAnswers, 1);
      g_hash_table_insert (self->answers, g_strdup (node_id), answers);
    }
  answers->tries[i] = tries;
  g_free (answers->right[i]);
  answers->right[i] = tries > 0 ? g_strdup (right) : NULL;
  if (answers->tries[0] == 0 && answers->tries[1] == 0)
    g_hash_table_remove (self->answers, node_id);
}

GStrv
bp_document_get_answer_nodes (BpDocument *self)
{
  g_return_val_if_fail (BP_IS_DOCUMENT (self), NULL);

  return _bp_document_sorted_keys (self->answers);
}

void
bp_document_clear_answers (BpDocument *self)
{
  g_return_if_fail (BP_IS_DOCUMENT (self));

  g_hash_table_remove_all (self->answers);
}
