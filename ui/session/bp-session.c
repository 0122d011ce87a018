/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>
#include <string.h>

#include "bp-expand.h"
#include "bp-session.h"

struct _BpSession
{
  GObject              parent_instance;

  /* Owned References */
  BpDocument          *document;
  BpGraph             *graph;
  BpHistory           *history;
  BpQuiz              *quiz;
  GFile               *file;
  BpTrace             *trace;
  char                *error;
  GHashTable          *selection;     /* set of BpNode* */
  char                *expanded_id;   /* the layer the last edit expanded */
  GArray              *updates;       /* BpUpdateStep of the session's params:
                                         steps after the backward pass */

  BpHistoryLayoutFunc  layout;
  gpointer             layout_data;
  GDestroyNotify       layout_destroy;

  guint                position;
  guint                n_forward;
  guint                n_steps;       /* of the trace; the updates follow */
  guint                quiz_dirty : 1;     /* blanks edited (not in the history) */
  guint                restored_dirty : 1; /* never saved where it came from */
  guint                last_modified : 1;
};

G_DEFINE_FINAL_TYPE (BpSession, bp_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODIFIED,
  PROP_FILE,
  PROP_TITLE,
  PROP_POSITION,
  N_PROPS
};

enum {
  DOCUMENT_CHANGED,
  DOCUMENT_INFO_CHANGED,
  CHANGED,
  SELECTION_CHANGED,
  POSITION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* --- helpers --- */

static void
update_modified (BpSession *self)
{
  gboolean modified = bp_session_get_modified (self);

  if (modified == self->last_modified)
    return;
  self->last_modified = modified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

/* The graph in one transcript line: each node as id (op) “label”
 * ← inputs = value, grad gradient; and the output. */
static void
transcript_graph (BpSession  *self,
                  const char *what)
{
  g_autoptr(GString) text = NULL;
  BpNode *output;
  guint n;

  if (!BP_TRANSCRIPT_ON ())
    return;
  text = g_string_new (NULL);
  n = self->graph != NULL ? bp_graph_get_n_nodes (self->graph) : 0;
  output = self->graph != NULL ? bp_graph_get_output (self->graph) : NULL;
  g_string_append_printf (text, "%s: %u nodes; output %s", what, n,
                          output != NULL ? bp_node_get_id (output) : "none");
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);
      BpTensor *value = bp_node_get_value (node);
      BpTensor *grad = bp_node_get_grad (node);
      g_autofree char *number = value != NULL ? bp_tensor_to_string (value, 6) : g_strdup ("none");
      g_autofree char *slope = grad != NULL ? bp_tensor_to_string (grad, 6) : g_strdup ("none");

      g_string_append_printf (text, "; %s (%s) “%s” ←", bp_node_get_id (node),
                              bp_node_get_op (node)->name, bp_node_get_label (node));
      for (guint k = 0; k < bp_node_get_n_inputs (node); k++)
        {
          BpNode *input = bp_node_get_input (node, k);

          g_string_append_printf (text, " %s", input != NULL ? bp_node_get_id (input) : "-");
        }
      g_string_append_printf (text, " = %s, grad %s", number, slope);
    }
  bp_transcript ("%s", text->str);
}

static void
emit_position_changed (BpSession *self)
{
  bp_transcript ("position %u of %u (forward %u)", self->position, self->n_steps, self->n_forward);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  g_signal_emit (self, signals[POSITION_CHANGED], 0);
}

/* The one forward + backward run after an edit. The place in the pass is
 * kept: the end of a pass stays the end when steps come or go. */
static void
run_passes (BpSession *self)
{
  g_autoptr(GError) error = NULL;
  guint old_position = self->position;
  guint old_forward = self->n_forward;
  guint old_steps = self->n_steps;
  BpTrace *trace;
  gboolean ok;

  g_clear_pointer (&self->trace, bp_trace_unref);
  g_clear_pointer (&self->error, g_free);
  self->n_forward = self->n_steps = 0;
  /* An update was computed from the values and gradients it came with:
   * after any edit of them it no longer follows from what is shown. */
  g_array_set_size (self->updates, 0);

  if (self->graph == NULL || bp_graph_get_n_nodes (self->graph) == 0)
    {
      self->position = 0;
      return;
    }

  /* A broken node leaves the rest computable: forward keeps the steps of
   * that part, and backward works when the output does not depend on the
   * broken one. Those steps play; the error still says what is wrong.
   * Without a single output there is no backward pass. */
  ok = bp_graph_forward (self->graph, &error);
  if (bp_graph_get_output (self->graph) != NULL)
    {
      g_autoptr(GError) backward_error = NULL;

      if (!bp_graph_backward (self->graph, &backward_error) && ok)
        {
          ok = FALSE;
          g_propagate_error (&error, g_steal_pointer (&backward_error));
        }
    }

  trace = bp_graph_get_trace (self->graph);
  if (trace != NULL && bp_trace_get_stamp (trace) == bp_graph_get_stamp (self->graph))
    {
      self->trace = bp_trace_ref (trace);
      self->n_forward = bp_trace_get_n_forward (trace);
      self->n_steps = bp_trace_get_n_steps (trace);
    }
  if (!ok || self->trace == NULL)
    self->error = g_strdup (error != NULL ? error->message
                                          : _("The graph could not be computed"));

  if (old_position >= old_steps && old_steps > old_forward)
    self->position = self->n_steps;
  else if (old_position == old_forward && old_forward > 0)
    self->position = self->n_forward;
  else if (old_position <= old_forward)
    self->position = MIN (old_position, self->n_forward);
  else
    self->position = self->n_forward
                     + MIN (old_position - old_forward, self->n_steps - self->n_forward);
}

/* After an edit nodes may have been freed: keep only pointers that are
 * still nodes of the graph. */
static gboolean
prune_selection (BpSession *self)
{
  g_autoptr(GHashTable) kept = NULL;
  guint before = g_hash_table_size (self->selection);
  guint n;

  if (before == 0)
    return FALSE;
  kept = g_hash_table_new (NULL, NULL);
  n = self->graph != NULL ? bp_graph_get_n_nodes (self->graph) : 0;
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);

      if (g_hash_table_contains (self->selection, node))
        g_hash_table_add (kept, node);
    }
  if (g_hash_table_size (kept) == before)
    return FALSE;

  g_hash_table_remove_all (self->selection);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, kept);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_hash_table_add (self->selection, key);
  }
  return TRUE;
}

/* --- callbacks --- */

static void
history_changed_cb (BpSession *self,
                    guint      history_change,
                    BpHistory *history)
{
  BpSessionChange change = history_change;
  gboolean selection_changed;
  gboolean ran = FALSE;
  guint old_position = self->position;

  /* The expansion undo would take back is only the last edit. */
  if (self->expanded_id != NULL)
    {
      const char *label = bp_history_get_undo_label (history);

      if (label == NULL || !g_str_equal (label, _("Expand Layer")))
        g_clear_pointer (&self->expanded_id, g_free);
    }

  selection_changed = prune_selection (self);
  if (change & (BP_SESSION_CHANGE_VALUES | BP_SESSION_CHANGE_STRUCTURE))
    {
      run_passes (self);
      ran = TRUE;
    }

  if (BP_TRANSCRIPT_ON ())
    {
      g_autofree char *what = g_strdup_printf ("edit “%s”", bp_history_get_undo_label (history)
                                               ? bp_history_get_undo_label (history) : "");

      transcript_graph (self, what);
    }
  g_signal_emit (self, signals[CHANGED], 0, (guint) change);
  if (selection_changed)
    g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  /* A new trace is a new position in it, even at the same number. */
  if (ran || self->position != old_position)
    emit_position_changed (self);
  update_modified (self);
}

static void
history_notify_clean_cb (BpSession  *self,
                         GParamSpec *pspec,
                         BpHistory  *history)
{
  update_modified (self);
}

static void
quiz_edited_cb (BpSession *self,
                BpQuiz    *quiz)
{
  self->quiz_dirty = TRUE;
  update_modified (self);
}

/* --- GObject --- */

static void
bp_session_dispose (GObject *object)
{
  BpSession *self = BP_SESSION (object);

  if (self->layout_destroy != NULL)
    self->layout_destroy (self->layout_data);
  self->layout = NULL;
  self->layout_data = NULL;
  self->layout_destroy = NULL;
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->quiz != NULL)
    g_signal_handlers_disconnect_by_data (self->quiz, self);
  g_clear_object (&self->history);
  g_clear_object (&self->quiz);

  G_OBJECT_CLASS (bp_session_parent_class)->dispose (object);
}

static void
bp_session_finalize (GObject *object)
{
  BpSession *self = BP_SESSION (object);

  g_clear_pointer (&self->trace, bp_trace_unref);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->selection, g_hash_table_unref);
  g_clear_pointer (&self->expanded_id, g_free);
  g_clear_pointer (&self->updates, g_array_unref);
  g_clear_object (&self->graph);
  g_clear_object (&self->document);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (bp_session_parent_class)->finalize (object);
}

static void
bp_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BpSession *self = BP_SESSION (object);

  switch (prop_id)
    {
    case PROP_MODIFIED:
      g_value_set_boolean (value, bp_session_get_modified (self));
      break;
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_TITLE:
      g_value_set_string (value, bp_session_get_title (self));
      break;
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  BpSession *self = BP_SESSION (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      bp_session_set_title (self, g_value_get_string (value));
      break;
    case PROP_POSITION:
      bp_session_set_position (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_session_class_init (BpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bp_session_dispose;
  object_class->finalize = bp_session_finalize;
  object_class->get_property = bp_session_get_property;
  object_class->set_property = bp_session_set_property;

  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DOCUMENT_CHANGED] =
    g_signal_new ("document-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DOCUMENT_INFO_CHANGED] =
    g_signal_new ("document-info-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[POSITION_CHANGED] =
    g_signal_new ("position-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bp_session_init (BpSession *self)
{
  self->selection = g_hash_table_new (NULL, NULL);
  self->updates = g_array_new (FALSE, TRUE, sizeof (BpUpdateStep));
  g_array_set_clear_func (self->updates, (GDestroyNotify) bp_update_step_clear);
  self->history = bp_history_new ();
  self->quiz = bp_quiz_new ();
  g_signal_connect_swapped (self->history, "changed",
                            G_CALLBACK (history_changed_cb), self);
  g_signal_connect_swapped (self->history, "notify::clean",
                            G_CALLBACK (history_notify_clean_cb), self);
  g_signal_connect_swapped (self->quiz, "edited",
                            G_CALLBACK (quiz_edited_cb), self);
}

/* --- public API: the document --- */

BpSession *
bp_session_new (void)
{
  return g_object_new (BP_TYPE_SESSION, NULL);
}

void
bp_session_set_document (BpSession  *self,
                         BpDocument *document,
                         GFile      *file)
{
  g_autoptr(BpDocument) owned = NULL;

  g_return_if_fail (BP_IS_SESSION (self));
  g_return_if_fail (document == NULL || BP_IS_DOCUMENT (document));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  if (document == NULL)
    document = owned = bp_document_new ();

  g_set_object (&self->document, document);
  g_set_object (&self->graph, bp_document_get_graph (document));
  g_set_object (&self->file, file);
  g_hash_table_remove_all (self->selection);
  g_clear_pointer (&self->expanded_id, g_free);
  self->quiz_dirty = FALSE;
  self->restored_dirty = FALSE;

  bp_history_set_graph (self->history, self->graph);
  bp_history_set_document (self->history, document);
  bp_quiz_set_document (self->quiz, document);
  bp_quiz_set_active (self->quiz, FALSE);

  self->position = 0;
  self->n_forward = self->n_steps = 0;
  run_passes (self);
  self->position = 0;
  /* A student's saved answers: checked against the numbers just
   * computed, and the quiz goes on where they left it. */
  bp_quiz_check_saved (self->quiz);
  if (bp_quiz_get_n_blanks (self->quiz) > 0)
    {
      g_auto(GStrv) answered = bp_document_get_answer_nodes (document);

      if (answered[0] != NULL)
        bp_quiz_set_active (self->quiz, TRUE);
    }

  transcript_graph (self, "document");
  g_signal_emit (self, signals[DOCUMENT_CHANGED], 0);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  emit_position_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  update_modified (self);
}

BpDocument *
bp_session_get_document (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->document;
}

BpGraph *
bp_session_get_graph (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->graph;
}

BpHistory *
bp_session_get_history (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->history;
}

BpQuiz *
bp_session_get_quiz (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->quiz;
}

GFile *
bp_session_get_file (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->file;
}

const char *
bp_session_get_title (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->document != NULL ? bp_document_get_title (self->document) : NULL;
}

void
bp_session_set_title (BpSession  *self,
                      const char *title)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (self->document == NULL || g_strcmp0 (title, bp_session_get_title (self)) == 0)
    return;
  bp_document_set_title (self->document, title);
  /* Not in the undo history (like the quiz blanks), but unsaved. */
  self->quiz_dirty = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  update_modified (self);
}

void
bp_session_set_description (BpSession  *self,
                            const char *lang,
                            const char *text)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (self->document == NULL ||
      g_strcmp0 (text, bp_document_get_description (self->document, lang)) == 0)
    return;
  bp_document_set_description (self->document, lang, text);
  self->quiz_dirty = TRUE;
  g_signal_emit (self, signals[DOCUMENT_INFO_CHANGED], 0);
  update_modified (self);
}

gboolean
bp_session_get_modified (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  return self->quiz_dirty || self->restored_dirty ||
         !bp_history_is_clean (self->history);
}

void
bp_session_set_modified (BpSession *self,
                         gboolean   modified)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (modified)
    self->restored_dirty = TRUE;
  else
    {
      self->restored_dirty = FALSE;
      self->quiz_dirty = FALSE;
      bp_history_mark_clean (self->history);
    }
  update_modified (self);
}

gboolean
bp_session_save (BpSession  *self,
                 GFile      *file,
                 GError    **error)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (self->document != NULL, FALSE);

  if (!bp_document_save_to_file (self->document, file, error))
    return FALSE;

  if (self->file == NULL || !g_file_equal (self->file, file))
    {
      g_set_object (&self->file, file);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
    }
  bp_session_set_modified (self, FALSE);
  return TRUE;
}

/* --- public API: the passes and the position --- */

BpTrace *
bp_session_get_trace (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->trace;
}

const char *
bp_session_get_error (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->error;
}

guint
bp_session_get_n_steps (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);
  return self->n_steps + self->updates->len;
}

guint
bp_session_get_n_forward (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);
  return self->n_forward;
}

guint
bp_session_get_position (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);
  return self->position;
}

void
bp_session_set_position (BpSession *self,
                         guint      position)
{
  g_return_if_fail (BP_IS_SESSION (self));

  position = MIN (position, self->n_steps + self->updates->len);
  if (position == self->position)
    return;
  self->position = position;
  emit_position_changed (self);
}

const BpStep *
bp_session_get_current_step (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return bp_trace_get_step_before (self->trace, self->position);
}

BpPass
bp_session_get_pass (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), BP_PASS_NONE);

  if (self->position == 0)
    return BP_PASS_NONE;
  if (self->position <= self->n_forward)
    return BP_PASS_FORWARD;
  if (self->position <= self->n_steps)
    return BP_PASS_BACKWARD;
  return BP_PASS_UPDATE;
}

guint
bp_session_get_pass_step (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);

  switch (bp_session_get_pass (self))
    {
    case BP_PASS_FORWARD:
      return self->position;
    case BP_PASS_BACKWARD:
      return self->position - self->n_forward;
    case BP_PASS_UPDATE:
      return self->position - self->n_steps;
    case BP_PASS_NONE:
    default:
      return 0;
    }
}

guint
bp_session_position_for (BpSession *self,
                         BpPass     pass,
                         guint      step)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);

  switch (pass)
    {
    case BP_PASS_FORWARD:
      return MIN (step, self->n_forward);
    case BP_PASS_BACKWARD:
      return self->n_forward + MIN (step, self->n_steps - self->n_forward);
    case BP_PASS_UPDATE:
      return self->n_steps + MIN (step, self->updates->len);
    case BP_PASS_NONE:
    default:
      return 0;
    }
}

char *
bp_session_describe_position (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  switch (bp_session_get_pass (self))
    {
    case BP_PASS_FORWARD:
      /* Translators: the player's position, e.g. "Forward: step 2 of 5" */
      return g_strdup_printf (_("Forward: step %u of %u"),
                              self->position, self->n_forward);
    case BP_PASS_BACKWARD:
      /* Translators: the player's position, e.g. "Backward: step 2 of 5" */
      return g_strdup_printf (_("Backward: step %u of %u"),
                              self->position - self->n_forward,
                              self->n_steps - self->n_forward);
    case BP_PASS_UPDATE:
      /* Translators: the player's position after the backward pass of a
       * training iteration: the update of each param, e.g. "Update: step
       * 1 of 4 (W1)" */
      return g_strdup_printf (_("Update: step %u of %u (%s)"),
                              self->position - self->n_steps, self->updates->len,
                              bp_node_get_label (bp_session_get_current_update (self)->param));
    case BP_PASS_NONE:
    default:
      if (self->error != NULL)
        return g_strdup (_("Cannot compute the graph"));
      return g_strdup (_("Ready"));
    }
}

gboolean
bp_session_is_reached (BpSession   *self,
                       BpNode      *node,
                       BpQuizFlags  what)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  if (node == NULL)
    return FALSE;
  if (what == BP_QUIZ_VALUE && bp_op_is_leaf (bp_node_get_op (node)))
    return bp_node_get_value (node) != NULL;
  return bp_trace_is_revealed (self->trace, self->position, node,
                               what == BP_QUIZ_VALUE ? BP_STEP_FORWARD : BP_STEP_BACKWARD);
}

/* --- public API: the updates after the backward pass --- */

guint
bp_session_set_updates (BpSession          *self,
                        const BpUpdateStep *updates,
                        guint               n_updates)
{
  guint old = self->updates->len;

  g_return_val_if_fail (BP_IS_SESSION (self), 0);
  g_return_val_if_fail (updates != NULL || n_updates == 0, 0);

  g_array_set_size (self->updates, 0);
  /* Only an update of a param whose value it starts from, so that the
   * numbers shown follow from what the graph shows. */
  for (guint i = 0; i < n_updates && self->trace != NULL; i++)
    {
      const BpUpdateStep *u = &updates[i];
      BpNode *node = u->param != NULL && self->graph != NULL
                     ? bp_graph_lookup (self->graph, bp_node_get_id (u->param)) : NULL;
      BpTensor *value = node != NULL ? bp_node_get_value (node) : NULL;
      BpUpdateStep copy;

      if (node == NULL || !g_str_equal (bp_node_get_op (node)->name, "param") ||
          value == NULL || u->before == NULL || u->grad == NULL || u->after == NULL ||
          !bp_tensor_same_shape (value, u->before) || !bp_tensor_same_shape (value, u->after) ||
          !bp_tensor_same_shape (value, u->grad) ||
          memcmp (value->data, u->before->data, bp_tensor_n_elements (value) * sizeof (double)) != 0)
        continue;
      bp_update_step_copy (u, node, &copy);
      g_array_append_val (self->updates, copy);
    }

  if (self->position > self->n_steps + self->updates->len)
    self->position = self->n_steps + self->updates->len;
  if (old != 0 || self->updates->len != 0)
    emit_position_changed (self);
  return self->updates->len;
}

guint
bp_session_get_n_updates (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);
  return self->updates->len;
}

const BpUpdateStep *
bp_session_get_updates (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->updates->len > 0 ? (const BpUpdateStep *) self->updates->data : NULL;
}

const BpUpdateStep *
bp_session_get_current_update (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  if (self->position <= self->n_steps || self->position > self->n_steps + self->updates->len)
    return NULL;
  return &g_array_index (self->updates, BpUpdateStep, self->position - self->n_steps - 1);
}

const BpUpdateStep *
bp_session_get_revealed_update (BpSession *self,
                                BpNode    *node)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  for (guint i = 0; i < self->updates->len && self->n_steps + i < self->position; i++)
    {
      const BpUpdateStep *u = &g_array_index (self->updates, BpUpdateStep, i);

      /* The update writes the param's value and gradient: not while
       * either is a quiz blank. */
      if (u->param == node)
        return bp_quiz_is_blank (self->quiz, node, BP_QUIZ_VALUE) ||
               bp_quiz_is_blank (self->quiz, node, BP_QUIZ_GRAD) ? NULL : u;
    }
  return NULL;
}

gboolean
bp_session_is_revealed (BpSession   *self,
                        BpNode      *node,
                        BpQuizFlags  what)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  if (!bp_session_is_reached (self, node, what))
    return FALSE;
  return !bp_quiz_is_blank (self->quiz, node, what);
}

typedef struct
{
  BpNode      *node;
  BpQuizFlags  what;
} Blank;

static void
add_blank (BpSession   *self,
           GArray      *blanks,
           GHashTable  *seen,
           BpNode      *node,
           BpQuizFlags  what)
{
  Blank b = { node, what };
  /* One key per (node, what): the node's address and a low bit. */
  gpointer key = GSIZE_TO_POINTER (GPOINTER_TO_SIZE (node) ^ (what == BP_QUIZ_GRAD ? 1 : 0));

  /* Hidden ones, answered or not, so that the one just answered still
   * has its place in the order. */
  if (g_hash_table_contains (seen, key) ||
      (bp_quiz_get_hidden (self->quiz, node) & what) == 0 ||
      !bp_session_is_reached (self, node, what))
    return;
  g_hash_table_add (seen, key);
  g_array_append_val (blanks, b);
}

/* The hidden numbers shown now, in the order the passes reach them. */
static GArray *
ordered_blanks (BpSession *self)
{
  GArray *blanks = g_array_new (FALSE, FALSE, sizeof (Blank));
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint n_nodes;

  if (self->graph == NULL || !bp_quiz_get_active (self->quiz))
    return blanks;
  n_nodes = bp_graph_get_n_nodes (self->graph);
  /* The given values first: leaves have no forward step. */
  for (guint i = 0; i < n_nodes; i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);

      if (bp_op_is_leaf (bp_node_get_op (node)))
        add_blank (self, blanks, seen, node, BP_QUIZ_VALUE);
    }
  for (guint i = 0; self->trace != NULL && i < bp_trace_get_n_steps (self->trace); i++)
    {
      const BpStep *step = bp_trace_get_step (self->trace, i);

      add_blank (self, blanks, seen, step->node,
                 step->kind == BP_STEP_FORWARD ? BP_QUIZ_VALUE : BP_QUIZ_GRAD);
    }
  return blanks;
}

gboolean
bp_session_find_blank (BpSession    *self,
                       BpNode       *from,
                       BpQuizFlags   from_what,
                       gboolean      backwards,
                       BpNode      **node,
                       BpQuizFlags  *what)
{
  g_autoptr(GArray) blanks = NULL;
  int at = -1, next;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  blanks = ordered_blanks (self);
  for (guint i = 0; from != NULL && i < blanks->len; i++)
    {
      Blank *b = &g_array_index (blanks, Blank, i);

      if (b->node == from && b->what == from_what)
        at = (int) i;
    }
  if (at < 0)
    at = backwards ? (int) blanks->len : -1;
  /* The next one still open, round the order once. */
  for (guint k = 1; k <= blanks->len + 1; k++)
    {
      int n = (int) blanks->len;
      Blank *b;

      if (n == 0)
        break;
      next = ((backwards ? at - (int) k : at + (int) k) % n + n) % n;
      b = &g_array_index (blanks, Blank, next);
      if (!bp_quiz_is_blank (self->quiz, b->node, b->what))
        continue;
      if (node != NULL)
        *node = b->node;
      if (what != NULL)
        *what = b->what;
      return TRUE;
    }
  return FALSE;
}

/* --- public API: the selection --- */

GHashTable *
bp_session_get_selection (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->selection;
}

BpNode *
bp_session_get_selected_node (BpSession *self)
{
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  if (g_hash_table_size (self->selection) != 1)
    return NULL;
  g_hash_table_iter_init (&iter, self->selection);
  g_hash_table_iter_next (&iter, &key, NULL);
  return key;
}

void
bp_session_select (BpSession     *self,
                   BpNode *const *nodes,
                   guint          n_nodes)
{
  gboolean same;

  g_return_if_fail (BP_IS_SESSION (self));

  same = g_hash_table_size (self->selection) == n_nodes;
  for (guint i = 0; same && i < n_nodes; i++)
    same = g_hash_table_contains (self->selection, nodes[i]);
  if (same)
    return;

  g_hash_table_remove_all (self->selection);
  for (guint i = 0; i < n_nodes; i++)
    if (nodes[i] != NULL)
      g_hash_table_add (self->selection, nodes[i]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

void
bp_session_select_node (BpSession *self,
                        BpNode    *node)
{
  g_return_if_fail (BP_IS_SESSION (self));
  bp_session_select (self, &node, node != NULL ? 1 : 0);
}

void
bp_session_select_all (BpSession *self)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  guint n;

  g_return_if_fail (BP_IS_SESSION (self));

  n = self->graph != NULL ? bp_graph_get_n_nodes (self->graph) : 0;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (all, bp_graph_get_node (self->graph, i));
  bp_session_select (self, (BpNode *const *) all->pdata, all->len);
}

/* --- public API: commands --- */

void
bp_session_set_layout_func (BpSession           *self,
                            BpHistoryLayoutFunc  layout,
                            gpointer             user_data,
                            GDestroyNotify       destroy)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (self->layout_destroy != NULL)
    self->layout_destroy (self->layout_data);
  self->layout = layout;
  self->layout_data = user_data;
  self->layout_destroy = destroy;
}

gboolean
bp_session_arrange (BpSession  *self,
                    GError    **error)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  if (self->layout == NULL || self->graph == NULL)
    return TRUE;
  return bp_history_arrange (self->history, self->layout, self->layout_data, error);
}

/* Adds, as history edits, a node like `source` (of another graph): its
 * op, value, attributes and label, under `id`, at (x, y); no edges. */
static gboolean
add_copy (BpHistory   *history,
          BpNode      *source,
          const char  *id,
          double       x,
          double       y,
          GError     **error)
{
  const BpOp *op = bp_node_get_op (source);
  BpNode *node = bp_history_add_node (history, op->name, x, y, error);
  gboolean ok = node != NULL && bp_history_rename_node (history, node, id, error);

  if (ok && bp_op_is_leaf (op) && bp_node_get_value (source) != NULL)
    ok = bp_history_set_value (history, node, bp_node_get_value (source), error);
  if (ok && op->attrs != BP_ATTR_NONE)
    ok = bp_history_set_attrs (history, node, bp_node_get_attrs (source), error);
  if (ok && bp_node_has_label (source))
    bp_history_set_label (history, node, bp_node_get_label (source));
  return ok;
}

/* Replays an expansion done on a copy of the graph as history edits, so
 * that one undo puts the layer back. */
static gboolean
expand_with_history (BpSession  *self,
                     BpNode     *node,
                     GError    **error)
{
  BpGraph *graph = self->graph;
  BpHistory *history = self->history;
  g_autoptr(BpGraph) copy = bp_graph_copy (graph);
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(GArray) consumer_slots = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) consumer_ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *layer_id = g_strdup (bp_node_get_id (node));
  gboolean was_output = bp_graph_get_output (graph) == node;
  gboolean ok = TRUE;

  created = bp_expand_node (copy, bp_graph_lookup (copy, layer_id), error);
  if (created == NULL)
    return FALSE;

  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *other = bp_graph_get_node (graph, i);

      for (guint s = 0; s < bp_node_get_n_inputs (other); s++)
        if (bp_node_get_input (other, s) == node)
          {
            g_ptr_array_add (consumer_ids, g_strdup (bp_node_get_id (other)));
            g_array_append_val (consumer_slots, s);
          }
    }

  /* Nothing may stay selected while the layer goes away. */
  bp_session_select_node (self, NULL);

  bp_history_begin_group (history, _("Expand Layer"));
  bp_history_delete_nodes (history, &node, 1);
  node = NULL;

  for (guint i = 0; ok && i < created->len; i++)
    {
      BpNode *cn = g_ptr_array_index (created, i);
      double x = 0, y = 0;

      bp_node_get_position (cn, &x, &y);
      ok = add_copy (history, cn, bp_node_get_id (cn), x, y, error);
    }

  for (guint i = 0; ok && i < created->len; i++)
    {
      BpNode *cn = g_ptr_array_index (created, i);
      BpNode *dst = bp_graph_lookup (graph, bp_node_get_id (cn));

      for (guint s = 0; ok && s < bp_node_get_n_inputs (cn); s++)
        {
          BpNode *src_copy = bp_node_get_input (cn, s);
          BpNode *src = src_copy ? bp_graph_lookup (graph, bp_node_get_id (src_copy)) : NULL;

          if (src != NULL)
            ok = bp_history_connect (history, src, dst, s, error);
        }
    }

  for (guint i = 0; ok && i < consumer_ids->len; i++)
    {
      BpNode *consumer = bp_graph_lookup (graph, g_ptr_array_index (consumer_ids, i));
      BpNode *last = bp_graph_lookup (graph, layer_id);

      if (consumer != NULL && last != NULL)
        ok = bp_history_connect (history, last, consumer,
                                 g_array_index (consumer_slots, guint, i), error);
    }
  if (ok && was_output)
    bp_history_set_output (history, bp_graph_lookup (graph, layer_id));
  /* Lay the new nodes out left to right, as the book draws them; one
   * undo puts every node back with the layer. */
  if (ok && self->layout != NULL)
    bp_history_arrange (history, self->layout, self->layout_data, NULL);

  bp_history_end_group (history);

  if (!ok)
    bp_history_undo (history);
  return ok;
}

BpNode *
bp_session_expand_layer (BpSession  *self,
                         BpNode     *node,
                         GError    **error)
{
  g_autofree char *layer_id = NULL;
  BpNode *result;

  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  if (node == NULL || self->graph == NULL || !bp_expand_can_expand (node))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   _("Only a layer (Sigmoid, Affine, Softmax-with-Loss) can be expanded."));
      return NULL;
    }

  layer_id = g_strdup (bp_node_get_id (node));
  if (!expand_with_history (self, node, error))
    return NULL;

  g_free (self->expanded_id);
  self->expanded_id = g_steal_pointer (&layer_id);
  result = bp_graph_lookup (self->graph, self->expanded_id);
  bp_session_select_node (self, result);
  return result;
}

BpNode *
bp_session_change_op (BpSession   *self,
                      BpNode      *node,
                      const char  *op_name,
                      GError     **error)
{
  BpGraph *graph;
  BpHistory *history;
  const BpOp *op;
  g_autofree char *id = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) consumers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean was_output, ok = TRUE;
  double x = 0, y = 0;
  BpNode *added;

  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  g_return_val_if_fail (node != NULL && op_name != NULL, NULL);

  graph = self->graph;
  history = self->history;
  if ((op = bp_op_lookup (op_name)) == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, _("Unknown operation “%s”"), op_name);
      return NULL;
    }
  if (op == bp_node_get_op (node))
    return node;

  id = g_strdup (bp_node_get_id (node));
  label = bp_node_has_label (node) ? g_strdup (bp_node_get_label (node)) : NULL;
  was_output = bp_graph_get_output (graph) == node;
  bp_node_get_position (node, &x, &y);
  for (guint s = 0; s < bp_node_get_n_inputs (node); s++)
    {
      BpNode *in = bp_node_get_input (node, s);

      g_ptr_array_add (inputs, in != NULL ? g_strdup (bp_node_get_id (in)) : NULL);
    }
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *other = bp_graph_get_node (graph, i);

      for (guint s = 0; s < bp_node_get_n_inputs (other); s++)
        if (bp_node_get_input (other, s) == node)
          {
            g_ptr_array_add (consumers, g_strdup (bp_node_get_id (other)));
            g_array_append_val (slots, s);
          }
    }

  bp_session_select_node (self, NULL);
  bp_history_begin_group (history, _("Change Operation"));
  bp_history_delete_nodes (history, &node, 1);
  node = NULL;
  added = bp_history_add_node (history, op_name, x, y, error);
  ok = added != NULL && bp_history_rename_node (history, added, id, error);
  if (ok && label != NULL)
    bp_history_set_label (history, added, label);
  /* Inputs as far as the new arity goes; a refused one (shapes) is let
   * go rather than failing the whole change. */
  for (guint s = 0; ok && s < inputs->len && s < bp_node_get_n_inputs (added); s++)
    {
      const char *in_id = g_ptr_array_index (inputs, s);
      BpNode *in = in_id != NULL ? bp_graph_lookup (graph, in_id) : NULL;

      if (in != NULL)
        bp_history_connect (history, in, added, s, NULL);
    }
  for (guint i = 0; ok && i < consumers->len; i++)
    {
      BpNode *consumer = bp_graph_lookup (graph, g_ptr_array_index (consumers, i));

      if (consumer != NULL)
        bp_history_connect (history, added, consumer, g_array_index (slots, guint, i), NULL);
    }
  if (ok && was_output)
    bp_history_set_output (history, added);
  bp_history_end_group (history);

  if (!ok)
    {
      bp_history_undo (history);
      return NULL;
    }
  added = bp_graph_lookup (graph, id);
  bp_session_select_node (self, added);
  return added;
}

BpDocument *
bp_session_dup_selection (BpSession *self)
{
  g_autoptr(BpGraph) copy = NULL;
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();

  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  if (self->graph == NULL || g_hash_table_size (self->selection) == 0)
    return NULL;

  /* A copy of the whole graph, less what is not selected: the nodes keep
   * their values, attributes, labels, positions and inner edges. */
  copy = bp_graph_copy (self->graph);
  for (guint i = 0; i < bp_graph_get_n_nodes (self->graph); i++)
    {
      BpNode *node = bp_graph_get_node (self->graph, i);

      if (!g_hash_table_contains (self->selection, node))
        g_ptr_array_add (doomed, bp_graph_lookup (copy, bp_node_get_id (node)));
    }
  for (guint i = 0; i < doomed->len; i++)
    bp_graph_remove_node (copy, g_ptr_array_index (doomed, i));
  return bp_document_new_for_graph (copy);
}

/* `id` if free in `graph`, else id_2, id_3… */
static char *
unique_id (BpGraph    *graph,
           const char *id)
{
  char *candidate = g_strdup (id);

  for (guint k = 2; bp_graph_lookup (graph, candidate) != NULL; k++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s_%u", id, k);
    }
  return candidate;
}

guint
bp_session_paste (BpSession   *self,
                  BpDocument  *document,
                  double       dx,
                  double       dy,
                  GError     **error)
{
  BpGraph *source;
  g_autoptr(GHashTable) new_ids = NULL;   /* source id → id here */
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  gboolean ok = TRUE;
  guint n;

  g_return_val_if_fail (BP_IS_SESSION (self), 0);
  g_return_val_if_fail (BP_IS_DOCUMENT (document), 0);

  source = bp_document_get_graph (document);
  n = bp_graph_get_n_nodes (source);
  if (self->graph == NULL || n == 0)
    return 0;

  new_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bp_history_begin_group (self->history, _("Paste"));
  for (guint i = 0; ok && i < n; i++)
    {
      BpNode *sn = bp_graph_get_node (source, i);
      g_autofree char *id = unique_id (self->graph, bp_node_get_id (sn));
      double x = 0, y = 0;

      bp_node_get_position (sn, &x, &y);
      ok = add_copy (self->history, sn, id, x + dx, y + dy, error);
      if (ok)
        g_hash_table_insert (new_ids, g_strdup (bp_node_get_id (sn)), g_strdup (id));
    }
  for (guint i = 0; ok && i < n; i++)
    {
      BpNode *sn = bp_graph_get_node (source, i);
      BpNode *dst = bp_graph_lookup (self->graph, g_hash_table_lookup (new_ids, bp_node_get_id (sn)));

      for (guint s = 0; ok && s < bp_node_get_n_inputs (sn); s++)
        {
          BpNode *in = bp_node_get_input (sn, s);
          const char *in_id = in != NULL ? g_hash_table_lookup (new_ids, bp_node_get_id (in)) : NULL;

          if (in_id != NULL)
            ok = bp_history_connect (self->history, bp_graph_lookup (self->graph, in_id), dst, s, error);
        }
      if (ok)
        g_ptr_array_add (added, dst);
    }
  bp_history_end_group (self->history);

  if (!ok)
    {
      bp_history_undo (self->history);
      return 0;
    }
  bp_session_select (self, (BpNode *const *) added->pdata, added->len);
  return added->len;
}

const char *
bp_session_get_expanded_id (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);
  return self->expanded_id;
}

gboolean
bp_session_collapse_layer (BpSession *self)
{
  g_autofree char *layer_id = NULL;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  if (self->expanded_id == NULL || !bp_history_can_undo (self->history))
    return FALSE;

  layer_id = g_steal_pointer (&self->expanded_id);
  bp_session_select_node (self, NULL);
  bp_history_undo (self->history);
  bp_session_select_node (self, bp_graph_lookup (self->graph, layer_id));
  return TRUE;
}
