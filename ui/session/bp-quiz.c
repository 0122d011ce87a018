/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "bp-quiz.h"

struct _BpQuiz
{
  GObject     parent_instance;

  /* Owned References */
  BpDocument *document;  /* also holds the answers (bp_document_get_answer()) */

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
  /* The hidden values/gradients or the answers changed, so the document
   * changed (emitted before "changed"). */
  signals[EDITED] =
    g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bp_quiz_init (BpQuiz *self)
{
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
  /* A blank taken away or added starts afresh. */
  bp_document_set_answer (self->document, id, BP_QUIZ_VALUE, 0, NULL);
  bp_document_set_answer (self->document, id, BP_QUIZ_GRAD, 0, NULL);
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
      if (bp_document_get_quiz (self->document, id) & BP_QUIZ_GRAD)
        continue;
      bp_document_set_quiz (self->document, id,
                            bp_document_get_quiz (self->document, id) | BP_QUIZ_GRAD);
      bp_document_set_answer (self->document, id, BP_QUIZ_GRAD, 0, NULL);
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
  bp_document_clear_answers (self->document);
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

/* Counts the blanks (hidden, on a node of the graph) for which `pick`
 * holds. */
static guint
count_blanks (BpQuiz   *self,
              gboolean (*pick) (BpQuiz *self, const char *id, BpQuizFlags what))
{
  g_auto(GStrv) ids = NULL;
  BpGraph *graph;
  guint n = 0;

  if ((graph = get_graph (self)) == NULL)
    return 0;

  ids = bp_document_get_quiz_nodes (self->document);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      BpQuizFlags hidden = bp_document_get_quiz (self->document, ids[i]);

      if (bp_graph_lookup (graph, ids[i]) == NULL)
        continue;
      if ((hidden & BP_QUIZ_VALUE) && pick (self, ids[i], BP_QUIZ_VALUE))
        n++;
      if ((hidden & BP_QUIZ_GRAD) && pick (self, ids[i], BP_QUIZ_GRAD))
        n++;
    }
  return n;
}

static gboolean
pick_solved (BpQuiz      *self,
             const char  *id,
             BpQuizFlags  what)
{
  const char *right = NULL;

  bp_document_get_answer (self->document, id, what, &right);
  return right != NULL;
}

static gboolean
pick_first_try (BpQuiz      *self,
                const char  *id,
                BpQuizFlags  what)
{
  const char *right = NULL;

  return bp_document_get_answer (self->document, id, what, &right) == 1 && right != NULL;
}

guint
bp_quiz_get_n_solved (BpQuiz *self)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), 0);

  return count_blanks (self, pick_solved);
}

guint
bp_quiz_get_n_first_try (BpQuiz *self)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), 0);

  return count_blanks (self, pick_first_try);
}

char *
bp_quiz_describe_score (BpQuiz *self)
{
  guint n, right, open;

  g_return_val_if_fail (BP_IS_QUIZ (self), NULL);

  n = bp_quiz_get_n_blanks (self);
  right = bp_quiz_get_n_first_try (self);
  open = n - MIN (n, bp_quiz_get_n_solved (self));
  /* Translators: the quiz's score, "3 of 5 right at the first try, 1 still open" */
  return g_strdup_printf (ngettext ("%u of %u right at the first try, %u still open",
                                    "%u of %u right at the first try, %u still open", n),
                          right, n, open);
}

void
bp_quiz_restart (BpQuiz *self)
{
  g_return_if_fail (BP_IS_QUIZ (self));

  if (self->document == NULL)
    return;
  bp_document_clear_answers (self->document);
  emit_edited (self);
}

void
bp_quiz_check_saved (BpQuiz *self)
{
  g_auto(GStrv) ids = NULL;
  BpGraph *graph;

  g_return_if_fail (BP_IS_QUIZ (self));

  if ((graph = get_graph (self)) == NULL)
    return;

  ids = bp_document_get_answer_nodes (self->document);
  for (guint i = 0; ids[i] != NULL; i++)
    for (guint k = 0; k < 2; k++)
      {
        BpQuizFlags what = k == 0 ? BP_QUIZ_VALUE : BP_QUIZ_GRAD;
        BpNode *node = bp_graph_lookup (graph, ids[i]);
        const char *right = NULL;
        guint tries = bp_document_get_answer (self->document, ids[i], what, &right);
        g_autoptr(BpTensor) given = NULL;
        BpTensor *expected;

        if (right == NULL)
          continue;
        /* The file says right; the numbers decide. */
        expected = node != NULL ? bp_quiz_get_expected (self, node, what) : NULL;
        given = bp_tensor_parse (right, NULL);
        if (expected == NULL || given == NULL || !bp_tensor_same_shape (given, expected) ||
            !bp_tensor_equal (given, expected, BP_QUIZ_ABS_TOLERANCE, BP_QUIZ_REL_TOLERANCE))
          bp_document_set_answer (self->document, ids[i], what, tries, NULL);
      }
  emit_changed (self);
}

guint
bp_quiz_get_tries (BpQuiz      *self,
                   BpNode      *node,
                   BpQuizFlags  what)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), 0);
  g_return_val_if_fail (node != NULL, 0);

  if (self->document == NULL)
    return 0;
  return bp_document_get_answer (self->document, bp_node_get_id (node), what, NULL);
}

gboolean
bp_quiz_is_solved (BpQuiz      *self,
                   BpNode      *node,
                   BpQuizFlags  what)
{
  g_return_val_if_fail (BP_IS_QUIZ (self), FALSE);
  g_return_val_if_fail (node != NULL, FALSE);

  if (self->document == NULL || (what != BP_QUIZ_VALUE && what != BP_QUIZ_GRAD))
    return FALSE;
  return pick_solved (self, bp_node_get_id (node), what);
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
  const char *id;
  guint tries;

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

  /* A typing slip (not a number) costs no try; a wrong number does. The
   * tries are the document's, so that "at the first try" survives
   * saving and opening again. */
  id = bp_node_get_id (node);
  if (self->document == NULL || bp_quiz_is_solved (self, node, what))
    return bp_tensor_equal (given, expected, BP_QUIZ_ABS_TOLERANCE, BP_QUIZ_REL_TOLERANCE)
           ? BP_QUIZ_ANSWER_RIGHT : BP_QUIZ_ANSWER_WRONG;
  tries = MIN (bp_document_get_answer (self->document, id, what, NULL) + 1, BP_DOCUMENT_MAX_TRIES);

  if (!bp_tensor_equal (given, expected, BP_QUIZ_ABS_TOLERANCE, BP_QUIZ_REL_TOLERANCE))
    {
      if (hint != NULL)
        *hint = make_hint (self, node, what);
      bp_document_set_answer (self->document, id, what, tries, NULL);
      emit_edited (self);
      return BP_QUIZ_ANSWER_WRONG;
    }

  /* Kept as typed (short enough for the file), else as the number. */
  if (strlen (clean) <= BP_DOCUMENT_MAX_ANSWER)
    bp_document_set_answer (self->document, id, what, tries, clean);
  else
    {
      g_autofree char *exact = bp_tensor_to_string (given, BP_FORMAT_EXACT);

      bp_document_set_answer (self->document, id, what, tries, exact);
    }
  emit_edited (self);
  return BP_QUIZ_ANSWER_RIGHT;
}

/* A number in prose matches a hidden one when it is that number rounded
 * as people write it ("2.2", "110", "0.0202"): within half a percent,
 * whatever the sign. Hiding a near number too is the safe mistake. */
static gboolean
matches_hidden (GArray *hidden,
                double  v)
{
  for (guint i = 0; i < hidden->len; i++)
    {
      double h = fabs (g_array_index (hidden, double, i));

      if (fabs (fabs (v) - h) <= MAX (1e-12, 5e-3 * h))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  GArray *hidden;
} MaskData;

static gboolean
mask_eval_cb (const GMatchInfo *info,
              GString          *out,
              gpointer          user_data)
{
  MaskData *data = user_data;
  g_autofree char *token = g_match_info_fetch (info, 0);
  double v = g_ascii_strtod (token, NULL);

  g_string_append (out, matches_hidden (data->hidden, v) ? "?" : token);
  return FALSE;
}

char *
bp_quiz_mask_text (BpQuiz     *self,
                   const char *text)
{
  static GRegex *number = NULL;
  g_autoptr(GArray) hidden = NULL;
  MaskData data;
  BpGraph *graph;

  g_return_val_if_fail (BP_IS_QUIZ (self), NULL);

  if (text == NULL)
    return NULL;
  graph = get_graph (self);
  if (!self->active || graph == NULL)
    return g_strdup (text);

  hidden = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      for (guint k = 0; k < 2; k++)
        {
          BpQuizFlags what = k == 0 ? BP_QUIZ_VALUE : BP_QUIZ_GRAD;
          BpTensor *t;

          if (!bp_quiz_is_blank (self, node, what) ||
              (t = bp_quiz_get_expected (self, node, what)) == NULL)
            continue;
          /* A big matrix is not written in prose digit by digit. */
          for (gsize e = 0; e < MIN (bp_tensor_n_elements (t), 4096); e++)
            if (isfinite (t->data[e]))
              g_array_append_val (hidden, t->data[e]);
        }
    }
  if (hidden->len == 0)
    return g_strdup (text);

  /* Digits not inside a name ("x1", "W2"); the sign stays outside. */
  if (g_once_init_enter (&number))
    g_once_init_leave (&number,
                       g_regex_new ("(?<![A-Za-z0-9_.])[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?(?![A-Za-z0-9_])",
                                    G_REGEX_OPTIMIZE, 0, NULL));
  data.hidden = hidden;
  return g_regex_replace_eval (number, text, -1, 0, 0, mask_eval_cb, &data, NULL);
}
