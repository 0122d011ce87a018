/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>

#include "bp-quiz.h"

struct _BpQuiz
{
  GObject     parent_instance;

  /* Owned References */
  BpDocument *document;
  GHashTable *solved;    /* node id → GUINT_TO_POINTER (BpQuizFlags solved) */

  gboolean    active;
};

G_DEFINE_FINAL_TYPE (BpQuiz, bp_quiz, G_TYPE_OBJECT)

enum {
  CHANGED,
  EDITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit_changed (BpQuiz *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The teacher's blanks changed: the document has unsaved changes. */
static void
emit_edited (BpQuiz *self)
{
  g_signal_emit (self, signals[EDITED], 0);
  emit_changed (self);
}

static BpGraph *
get_graph (BpQuiz *self)
{
  if (self->document == NULL)
    return NULL;
  return bp_document_get_graph (self->document);
}

static guint
count_bits (guint flags)
{
  return ((flags & BP_QUIZ_VALUE) ? 1 : 0) + ((flags & BP_QUIZ_GRAD) ? 1 : 0);
}

/* The first node that consumes `node`, and which slot. */
static BpNode *
find_consumer (BpGraph *graph,
               BpNode  *node,
               guint   *slot)
{
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    {
      BpNode *other = bp_graph_get_node (graph, i);

      for (guint s = 0; s < bp_node_get_n_inputs (other); s++)
        if (bp_node_get_input (other, s) == node)
          {
            *slot = s;
            return other;
          }
    }
  return NULL;
}

static char *
make_hint (BpQuiz      *self,
           BpNode      *node,
           BpQuizFlags  what)
{
  const BpOp *op = bp_node_get_op (node);
  BpGraph *graph = get_graph (self);
  BpNode *consumer;
  guint slot = 0;

  if (what == BP_QUIZ_VALUE)
    {
      if (bp_op_is_leaf (op))
        return g_strdup (_("Hint: this is a given input value."));
      /* Translators: %s is the op's forward formula, e.g. "z = x × y" */
      return g_strdup_printf (_("Hint: compute %s from the values on the incoming arrows."),
                              _(op->forward_text));
    }

  if (node == bp_graph_get_output (graph))
    return g_strdup (_("Hint: the backward pass starts with 1 at the output."));

  consumer = find_consumer (graph, node, &slot);
  if (consumer == NULL)
    return g_strdup (_("Hint: this node does not lead to the output."));

  if (bp_graph_get_n_consumers (graph, node) > 1)
    /* Translators: %s is a local-derivative formula, e.g. "∂z/∂x = y" */
    return g_strdup_printf (_("Hint: this node feeds several others, so add up the gradients they send back; each is upstream gradient × local derivative (%s)."),
                            _(bp_node_get_op (consumer)->formula));

  /* Translators: %s is a local-derivative formula, e.g. "∂z/∂x = y" */
  return g_strdup_printf (_("Hint: multiply the upstream gradient by the local derivative (%s)."),
                          _(bp_node_get_op (consumer)->formula));
}

static void
bp_quiz_finalize (GObject *object)
{
  BpQuiz *self = BP_QUIZ (object);

  g_clear_object (&self->document);
  g_clear_pointer (&self->solved, g_hash_table_unref);

  G_OBJECT_CLASS (bp_quiz_parent_class)->finalize (object);
}

static void
bp_quiz_class_init (BpQuizClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bp_quiz_finalize;

  /* The blanks, the answers or the active state changed. */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The hidden values/gradients were edited, so the document changed
   * (emitted before "changed"). */
  signals[EDITED] =
    g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bp_quiz_init (BpQuiz *self)
{
  self->solved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

BpQuiz *
bp_quiz_new (void)
{
  return g_object_new (BP_TYPE_QUIZ, NULL);
}

void
bp_quiz_set_document (BpQuiz     *self,
                      BpDocument *document)
{
  g_return_if_fail (BP_IS_QUIZ (self));
  g_return_if_fail (document == NULL || BP_IS_DOCUMENT (document));

  g_set_object (&self->document, document);
  g_hash_table_remove_all (self->solved);
  emit_changed (self);
}

BpDocument *
bp_quiz_get_document (BpQuiz *self)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), NULL);

  return self->document;
}

gboolean
bp_quiz_get_active (BpQuiz *self)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), FALSE);

  return self->active;
}

void
bp_quiz_set_active (BpQuiz   *self,
                    gboolean  active)
{
  g_return_if_fail (BP_IS_QUIZ (self));

  active = !!active;
  if (self->active == active)
    return;
  self->active = active;
  emit_changed (self);
}

BpQuizFlags
bp_quiz_get_hidden (BpQuiz *self,
                    BpNode *node)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), 0);
  g_return_val_if_fail (node != NULL, 0);

  if (self->document == NULL)
    return 0;
  return bp_document_get_quiz (self->document, bp_node_get_id (node));
}

void
bp_quiz_set_hidden (BpQuiz      *self,
                    BpNode      *node,
                    BpQuizFlags  flags)
{
  const char *id;

  g_return_if_fail (BP_IS_QUIZ (self));
  g_return_if_fail (node != NULL);

  if (self->document == NULL)
    return;

  id = bp_node_get_id (node);
  flags &= BP_QUIZ_VALUE | BP_QUIZ_GRAD;
  if (bp_document_get_quiz (self->document, id) == flags)
    return;

  bp_document_set_quiz (self->document, id, flags);
  g_hash_table_remove (self->solved, id);
  emit_edited (self);
}

void
bp_quiz_hide_all_grads (BpQuiz *self)
{
  BpGraph *graph;
  BpNode *output;
  guint n;

  g_return_if_fail (BP_IS_QUIZ (self));

  if ((graph = get_graph (self)) == NULL)
    return;

  output = bp_graph_get_output (graph);
  n = bp_graph_get_n_nodes (graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      const char *id = bp_node_get_id (node);

      if (node == output)
        continue;
      bp_document_set_quiz (self->document, id,
                            bp_document_get_quiz (self->document, id) | BP_QUIZ_GRAD);
      g_hash_table_remove (self->solved, id);
    }
  emit_edited (self);
}

void
bp_quiz_clear (BpQuiz *self)
{
  g_auto(GStrv) ids = NULL;

  g_return_if_fail (BP_IS_QUIZ (self));

  if (self->document == NULL)
    return;

  ids = bp_document_get_quiz_nodes (self->document);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    bp_document_set_quiz (self->document, ids[i], 0);
  g_hash_table_remove_all (self->solved);
  emit_edited (self);
}

guint
bp_quiz_get_n_blanks (BpQuiz *self)
{
  g_auto(GStrv) ids = NULL;
  BpGraph *graph;
  guint n = 0;

  g_return_val_if_fail (BP_IS_QUIZ (self), 0);

  if ((graph = get_graph (self)) == NULL)
    return 0;

  ids = bp_document_get_quiz_nodes (self->document);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    if (bp_graph_lookup (graph, ids[i]) != NULL)
      n += count_bits (bp_document_get_quiz (self->document, ids[i]));
  return n;
}

guint
bp_quiz_get_n_solved (BpQuiz *self)
{
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0;

  g_return_val_if_fail (BP_IS_QUIZ (self), 0);

  if (self->document == NULL)
    return 0;

  g_hash_table_iter_init (&iter, self->solved);
  while (g_hash_table_iter_next (&iter, &key, &value))
    n += count_bits (GPOINTER_TO_UINT (value)
                     & bp_document_get_quiz (self->document, key));
  return n;
}

void
bp_quiz_restart (BpQuiz *self)
{
  g_return_if_fail (BP_IS_QUIZ (self));

  g_hash_table_remove_all (self->solved);
  emit_changed (self);
}

gboolean
bp_quiz_is_solved (BpQuiz      *self,
                   BpNode      *node,
                   BpQuizFlags  what)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);

  return (GPOINTER_TO_UINT (g_hash_table_lookup (self->solved, bp_node_get_id (node))) & what) != 0;
}

gboolean
bp_quiz_is_blank (BpQuiz      *self,
                  BpNode      *node,
                  BpQuizFlags  what)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);

  return self->active &&
         (bp_quiz_get_hidden (self, node) & what) != 0 &&
         !bp_quiz_is_solved (self, node, what);
}

GHashTable *
bp_quiz_dup_blanks (BpQuiz      *self,
                    BpQuizFlags  what)
{
  GHashTable *set;
  BpGraph *graph;

  g_return_val_if_fail (BP_IS_QUIZ (self), NULL);

  set = g_hash_table_new (NULL, NULL);
  if ((graph = get_graph (self)) == NULL || !self->active)
    return set;

  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (bp_quiz_is_blank (self, node, what))
        g_hash_table_add (set, node);
    }
  return set;
}

BpTensor *
bp_quiz_get_expected (BpQuiz      *self,
                      BpNode      *node,
                      BpQuizFlags  what)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), NULL);
  g_return_val_if_fail (node != NULL, NULL);

  return what == BP_QUIZ_VALUE ? bp_node_get_value (node) : bp_node_get_grad (node);
}

BpQuizAnswer
bp_quiz_answer (BpQuiz      *self,
                BpNode      *node,
                BpQuizFlags  what,
                const char  *text,
                char       **hint)
{
  g_autoptr(BpTensor) given = NULL;
  g_autofree char *clean = NULL;
  BpTensor *expected;
  guint solved;

  g_return_val_if_fail (BP_IS_QUIZ (self), BP_QUIZ_ANSWER_INVALID);
  g_return_val_if_fail (node != NULL, BP_QUIZ_ANSWER_INVALID);
  g_return_val_if_fail (what == BP_QUIZ_VALUE || what == BP_QUIZ_GRAD, BP_QUIZ_ANSWER_INVALID);

  if (hint != NULL)
    *hint = NULL;

  expected = bp_quiz_get_expected (self, node, what);
  if (expected == NULL)
    return BP_QUIZ_ANSWER_UNKNOWN;

  clean = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (*clean == '\0' || (given = bp_tensor_parse (clean, NULL)) == NULL ||
      !bp_tensor_same_shape (given, expected))
    return BP_QUIZ_ANSWER_INVALID;

  if (!bp_tensor_equal (given, expected, BP_QUIZ_ABS_TOLERANCE, BP_QUIZ_REL_TOLERANCE))
    {
      if (hint != NULL)
        *hint = make_hint (self, node, what);
      return BP_QUIZ_ANSWER_WRONG;
    }

  solved = GPOINTER_TO_UINT (g_hash_table_lookup (self->solved, bp_node_get_id (node)));
  g_hash_table_insert (self->solved, g_strdup (bp_node_get_id (node)),
                       GUINT_TO_POINTER (solved | what));
  emit_changed (self);
  return BP_QUIZ_ANSWER_RIGHT;
}
