/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>
#include <adwaita.h>

#include "bp-canvas.h"
#include "bp-expand.h"
#include "bp-gradcheck.h"
#include "bp-teach-panel.h"

#define DIGITS 6

struct _BpTeachPanel
{
  GtkBox          parent_instance;

  /* Template Widgets */
  GtkLabel       *description_label;
  GtkWidget      *node_section;
  GtkLabel       *op_label;
  GtkLabel       *forward_label;
  GtkLabel       *formula_caption;
  GtkLabel       *formula_label;
  GtkLabel       *backward_text_label;
  GtkLabel       *value_label;
  GtkWidget      *chain_section;
  GtkLabel       *chain_label;
  GtkWidget      *expand_section;
  GtkWidget      *expand_button;
  GtkWidget      *collapse_button;
  GtkLabel       *expand_label;
  GtkSwitch      *quiz_switch;
  GtkWidget      *quiz_teacher_box;
  GtkCheckButton *hide_value_check;
  GtkCheckButton *hide_grad_check;
  GtkWidget      *hide_all_button;
  GtkWidget      *clear_quiz_button;
  GtkWidget      *answer_value_box;
  GtkEntry       *answer_value_entry;
  GtkWidget      *answer_grad_box;
  GtkEntry       *answer_grad_entry;
  GtkLabel       *quiz_result_label;
  GtkLabel       *quiz_status_label;
  GtkWidget      *check_button;
  GtkGrid        *check_grid;
  GtkLabel       *check_label;

  /* Owned References */
  BpSession      *session;
  GCancellable   *check_cancellable;  /* a check running in a worker */
  BpQuiz         *quiz;          /* the session's */
  char           *node_id;
  /* What the labels say with every number; shown through the quiz's
   * mask (bp_quiz_mask_text()), again whenever the blanks change. */
  char           *description_raw;
  char           *expand_raw;
  char           *check_summary_raw;
  GPtrArray      *check_rows;    /* CheckRow*: the last check's table */

  guint           updating : 1;
};

G_DEFINE_FINAL_TYPE (BpTeachPanel, bp_teach_panel, GTK_TYPE_BOX)

typedef struct
{
  char *id;
  char *label;
  char *backprop;
  char *numeric;
  char *rel;
} CheckRow;

static void
check_row_free (gpointer data)
{
  CheckRow *row = data;

  g_free (row->id);
  g_free (row->label);
  g_free (row->backprop);
  g_free (row->numeric);
  g_free (row->rel);
  g_free (row);
}

static void show_masked (BpTeachPanel *self);

static BpGraph *
get_graph (BpTeachPanel *self)
{
  return self->session != NULL ? bp_session_get_graph (self->session) : NULL;
}

static BpNode *
lookup_node (BpTeachPanel *self)
{
  BpGraph *graph = get_graph (self);

  if (graph == NULL || self->node_id == NULL)
    return NULL;
  return bp_graph_lookup (graph, self->node_id);
}

/* The verdict line takes no room while there is none. */
static void
set_quiz_result (BpTeachPanel *self,
                 const char   *text)
{
  gtk_label_set_label (self->quiz_result_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->quiz_result_label), text != NULL && *text != '\0');
}

static gboolean
is_blank (BpTeachPanel *self,
          BpNode       *node,
          BpQuizFlags   what)
{
  return self->quiz != NULL && node != NULL && bp_quiz_is_blank (self->quiz, node, what);
}

/* Catalog strings are marked N_() in the engine and translated here. */
static const char *
tr (const char *text)
{
  return text != NULL && *text != '\0' ? g_dgettext (GETTEXT_PACKAGE, text) : "";
}

static char *
format_tensor (const BpTensor *tensor)
{
  if (tensor == NULL)
    return g_strdup ("—");
  return bp_tensor_to_string (tensor, DIGITS);
}

/* The forward step's inputs with the numbers the trace recorded, as the
 * op names them ("x = 200, y = 1.1"), or NULL for a leaf. A quiz blank
 * stays a blank. */
static char *
describe_inputs (BpTeachPanel *self,
                 BpNode       *node,
                 BpTrace      *trace)
{
  const BpOp *op = bp_node_get_op (node);
  GString *text;

  if (bp_op_is_leaf (op) || op->input_names == NULL)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; i < bp_node_get_n_inputs (node); i++)
    {
      BpNode *input = bp_node_get_input (node, i);
      int step = input != NULL ? bp_trace_find_step (trace, input, BP_STEP_FORWARD) : -1;
      g_autofree char *value = NULL;

      if (step < 0)
        value = g_strdup ("—");
      else if (is_blank (self, input, BP_QUIZ_VALUE))
        value = g_strdup ("?");
      else
        value = format_tensor (bp_trace_get_step (trace, step)->value);
      g_string_append_printf (text, "%s%s = %s", i > 0 ? ", " : "", op->input_names[i], value);
    }
  return g_string_free (text, FALSE);
}

/* The operator between UG and LG: × for numbers, ⊙ element by element,
 * · for a matrix product (matmul's Wᵀ). */
static const char *
product_symbol (const BpStep *step,
                guint         i)
{
  const BpTensor *ug = step->upstream, *lg = step->local[i], *dg = step->downstream[i];

  if (bp_tensor_is_scalar (ug) || (lg != NULL && bp_tensor_is_scalar (lg)))
    return "×";
  if (lg != NULL && bp_tensor_same_shape (ug, lg) && bp_tensor_same_shape (lg, dg))
    return "⊙";
  return "·";
}

static char *
describe_backward_step (BpTeachPanel *self,
                        BpNode       *node,
                        const BpStep *step)
{
  BpGraph *graph = bp_node_get_graph (node);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *ug = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) grads = NULL;
  gboolean ug_blank;
  guint n_consumers = bp_graph_get_n_consumers (graph, node);

  /* The quiz's blanks, as the canvas's callout hides them. */
  if (self->quiz != NULL)
    {
      values = bp_quiz_dup_blanks (self->quiz, BP_QUIZ_VALUE);
      grads = bp_quiz_dup_blanks (self->quiz, BP_QUIZ_GRAD);
    }
  ug_blank = bp_step_is_hidden (step, BP_STEP_UPSTREAM, 0, values, grads);
  ug = ug_blank ? g_strdup ("?") : format_tensor (step->upstream);

  if (node == bp_graph_get_output (graph))
    /* Translators: UG is the upstream gradient, as in the book's notes */
    g_string_append_printf (text, _("UG = %s: the backward pass starts with 1 at the output (∂L/∂L = 1)."), ug);
  else if (n_consumers > 1)
    /* Translators: UG is the upstream gradient; %u is how many nodes it feeds */
    g_string_append_printf (text, _("UG = %s: the sum of the gradients from the %u nodes it feeds."),
                            ug, n_consumers);
  else
    /* Translators: UG is the upstream gradient */
    g_string_append_printf (text, _("UG = %s (upstream gradient)"), ug);

  if (step->n_inputs == 0)
    {
      g_string_append_c (text, '\n');
      /* Translators: %s is the node's name, the second %s a number */
      g_string_append_printf (text, _("The gradient arrives: ∂L/∂%s = %s"),
                              bp_node_get_label (node), ug);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  for (guint i = 0; i < step->n_inputs; i++)
    {
      BpNode *input = bp_node_get_input (node, i);
      g_autofree char *lg = NULL;
      g_autofree char *dg = NULL;
      /* A local gradient is made of forward values: do not give them away. */
      gboolean lg_blank = bp_step_is_hidden (step, BP_STEP_LOCAL, i, values, grads);
      gboolean dg_blank = bp_step_is_hidden (step, BP_STEP_DOWNSTREAM, i, values, grads);
      const char *name = input != NULL ? bp_node_get_label (input) : "?";

      lg = lg_blank ? g_strdup ("?") : format_tensor (step->local[i]);
      dg = dg_blank ? g_strdup ("?") : format_tensor (step->downstream[i]);

      g_string_append_c (text, '\n');
      if (step->local[i] != NULL && g_str_equal (product_symbol (step, i), "·") &&
          step->upstream->cols != step->local[i]->rows &&
          step->local[i]->cols == step->upstream->rows)
        /* A matrix product with the local gradient on the left, as in
         * dW = Xᵀ · dY. */
        /* Translators: "→ W: LG · UG = DG: [[1], [2]] · [[1, 1, 1]] = …" */
        g_string_append_printf (text, _("→ %s: LG · UG = DG: %s · %s = %s"),
                                name, lg, ug, dg);
      else if (step->local[i] != NULL)
        /* Translators: "→ x: UG × LG = DG: 1.1 × 100 = 110"; the first %s is
         * the input's name, %s after the colon the numbers, the product sign
         * (×, ⊙ or ·) is the second %s */
        g_string_append_printf (text, _("→ %s: UG %s LG = DG: %s %s %s = %s"),
                                name, product_symbol (step, i),
                                ug, product_symbol (step, i), lg, dg);
      else
        /* Translators: when the local gradient is not one matrix; %s the
         * input's name, then the gradient sent down */
        g_string_append_printf (text, _("→ %s: DG = %s"), name, dg);

      /* An input copied to the output's shape (a hidden Repeat node):
       * say so, and that its gradient is summed over the copies. */
      if (step->downstream[i] != NULL)
        {
          g_autofree char *why = bp_op_describe_broadcast (bp_node_get_op (node), name,
                                                           step->downstream[i]->rows,
                                                           step->downstream[i]->cols,
                                                           step->upstream->rows,
                                                           step->upstream->cols);

          if (why != NULL)
            g_string_append_printf (text, "\n   %s", why);
        }
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* An empty label would still take a line and its spacing. */
static void
set_text (GtkLabel   *label,
          const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
update_node_section (BpTeachPanel *self,
                     BpNode       *node)
{
  BpTrace *trace = self->session ? bp_session_get_trace (self->session) : NULL;
  guint position = self->session ? bp_session_get_position (self->session) : 0;
  g_autofree char *op_text = NULL;
  g_autofree char *value_text = NULL;
  g_autofree char *chain_text = NULL;
  const BpOp *op;
  const BpUpdateStep *update;
  BpNode *blocker;
  int fwd = -1, bwd = -1;

  /* Without a node the section is a plain hint, not a heading. */
  if (node == NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->op_label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->op_label), "dim-label");

  if (node == NULL)
    {
      gtk_label_set_label (self->op_label, _("Select a node to see how it computes its value and passes the gradient back."));
      set_text (self->forward_label, "");
      set_text (self->formula_label, "");
      set_text (self->backward_text_label, "");
      set_text (self->value_label, "");
      gtk_label_set_label (self->chain_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->formula_caption), FALSE);
      gtk_widget_set_visible (self->chain_section, FALSE);
      return;
    }

  op = bp_node_get_op (node);
  /* Translators: "apple_price: Multiply (×)" */
  op_text = g_strdup_printf (_("%s: %s (%s)"), bp_node_get_label (node),
                             tr (op->title), op->symbol);
  gtk_label_set_label (self->op_label, op_text);
  set_text (self->forward_label, tr (op->forward_text));
  set_text (self->formula_label, tr (op->formula));
  set_text (self->backward_text_label, tr (op->backward_text));
  gtk_widget_set_visible (GTK_WIDGET (self->formula_caption), TRUE);

  if (trace != NULL)
    {
      fwd = bp_trace_find_step (trace, node, BP_STEP_FORWARD);
      bwd = bp_trace_find_step (trace, node, BP_STEP_BACKWARD);
    }

  if (trace == NULL)
    {
      const char *error = self->session ? bp_session_get_error (self->session) : NULL;
      value_text = g_strdup (error != NULL ? error : "");
    }
  else if (is_blank (self, node, BP_QUIZ_VALUE))
    value_text = g_strdup (_("Value = ? (quiz)"));
  else if (fwd >= 0 && (guint) fwd < position)
    {
      g_autofree char *value = format_tensor (bp_trace_get_step (trace, fwd)->value);
      g_autofree char *inputs = describe_inputs (self, node, trace);

      if (inputs != NULL)
        /* Translators: the forward step with its numbers, e.g.
         * "x = 200, y = 1.1 → Value = 220" */
        value_text = g_strdup_printf (_("%s → Value = %s"), inputs, value);
      else
        /* Translators: the node's value from the forward pass */
        value_text = g_strdup_printf (_("Value = %s"), value);
    }
  else if ((blocker = bp_node_get_blocker (node)) == node)
    {
      const char *error = bp_node_get_error (node);

      /* Pressing Forward would not help: say what to fix. */
      /* Translators: %s is the engine's message, e.g. "Node “x”: input
       * “y” of Multiply is not connected" */
      value_text = g_strdup_printf (_("Value: cannot be computed: %s"),
                                    error != NULL ? error : "");
    }
  else if (blocker != NULL)
    /* Translators: %s is the label of the broken node this one needs */
    value_text = g_strdup_printf (_("Value: waits for “%s”, which cannot be computed."),
                                  bp_node_get_label (blocker));
  else
    value_text = g_strdup (_("Value: not computed yet (press Forward or Step)."));
  set_text (self->value_label, value_text);

  gtk_widget_set_visible (self->chain_section, trace != NULL);
  if (trace == NULL)
    chain_text = g_strdup ("");
  else if (bwd < 0 && bp_node_get_blocker (node) != NULL)
    chain_text = g_strdup (_("No gradient comes back to a node that cannot be computed."));
  else if (bwd < 0)
    chain_text = g_strdup (_("This node does not lead to the output, so no gradient comes back to it."));
  else if ((guint) bwd >= position)
    chain_text = g_strdup (_("The backward pass has not reached this node yet."));
  else
    chain_text = describe_backward_step (self, node, bp_trace_get_step (trace, bwd));

  /* A training iteration's update of this param, once the player has
   * stepped to it. */
  update = self->session != NULL ? bp_session_get_revealed_update (self->session, node) : NULL;
  if (update != NULL && trace != NULL)
    {
      g_autofree char *eta = bp_format_number (update->learning_rate, DIGITS);
      g_autofree char *numbers = bp_update_step_describe (update, bp_node_get_label (node));
      g_autofree char *intro = NULL;
      char *joined;

      /* Translators: the step after the backward pass of a training
       * iteration; %s is the learning rate */
      intro = g_strdup_printf (_("Update: the param moves against its gradient, scaled by the learning rate η = %s:"),
                               eta);
      joined = g_strdup_printf ("%s\n\n%s\n%s\n%s%s%s", chain_text, intro, update->formula, numbers,
                                bp_tensor_is_scalar (update->before) ? "" : "\n",
                                bp_tensor_is_scalar (update->before) ? ""
                                : _("Every element is updated the same way; shown is the one with the largest gradient."));
      g_free (chain_text);
      chain_text = joined;
    }
  gtk_label_set_label (self->chain_label, chain_text);
}

static gboolean
can_collapse (BpTeachPanel *self)
{
  return self->session != NULL && bp_session_get_expanded_id (self->session) != NULL;
}

static void
update_expand_section (BpTeachPanel *self,
                       BpNode       *node)
{
  gboolean can_expand = node != NULL && bp_expand_can_expand (node);
  gboolean collapse = can_collapse (self);

  gtk_widget_set_visible (self->expand_section, can_expand || collapse);
  gtk_widget_set_sensitive (self->expand_button, can_expand);
  gtk_widget_set_sensitive (self->collapse_button, collapse);
}

static char *
mask (BpTeachPanel *self,
      const char   *text)
{
  if (text == NULL)
    return g_strdup ("");
  return self->quiz != NULL ? bp_quiz_mask_text (self->quiz, text) : g_strdup (text);
}

static void
grid_add (GtkGrid    *grid,
          const char *text,
          int         column,
          int         row,
          gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 14);
  gtk_widget_set_tooltip_text (label, text);
  gtk_widget_add_css_class (label, heading ? "caption-heading" : "numeric");
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

/* The check's table as the quiz allows it now: a blank's gradient is
 * "?" in both columns (the numerical one is the same number). */
static void
show_check_rows (BpTeachPanel *self)
{
  BpGraph *graph = get_graph (self);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->check_grid))) != NULL)
    gtk_grid_remove (self->check_grid, child);
  if (self->check_rows->len == 0)
    return;

  grid_add (self->check_grid, _("Input"), 0, 0, TRUE);
  grid_add (self->check_grid, _("Backprop"), 1, 0, TRUE);
  grid_add (self->check_grid, _("Numerical"), 2, 0, TRUE);
  grid_add (self->check_grid, _("Rel. error"), 3, 0, TRUE);
  for (guint i = 0; i < self->check_rows->len; i++)
    {
      CheckRow *row = g_ptr_array_index (self->check_rows, i);
      BpNode *node = graph != NULL ? bp_graph_lookup (graph, row->id) : NULL;
      /* The panel never gives away a number the quiz hides. */
      gboolean blank = node != NULL && is_blank (self, node, BP_QUIZ_GRAD);

      grid_add (self->check_grid, row->label, 0, i + 1, FALSE);
      grid_add (self->check_grid, blank ? "?" : row->backprop, 1, i + 1, FALSE);
      grid_add (self->check_grid, blank ? "?" : row->numeric, 2, i + 1, FALSE);
      grid_add (self->check_grid, row->rel, 3, i + 1, FALSE);
    }
}

/* Every label written from prose or a report, through the quiz's mask. */
static void
show_masked (BpTeachPanel *self)
{
  g_autofree char *description = mask (self, self->description_raw);
  g_autofree char *expand = mask (self, self->expand_raw);
  g_autofree char *summary = mask (self, self->check_summary_raw);

  if (g_strcmp0 (gtk_label_get_label (self->description_label), description) != 0)
    gtk_label_set_label (self->description_label, description);
  if (g_strcmp0 (gtk_label_get_label (self->expand_label), expand) != 0)
    gtk_label_set_label (self->expand_label, expand);
  if (self->check_summary_raw != NULL &&
      g_strcmp0 (gtk_label_get_label (self->check_label), summary) != 0)
    gtk_label_set_label (self->check_label, summary);
  show_check_rows (self);
}

static void
set_expand_text (BpTeachPanel *self,
                 const char   *text)
{
  g_free (self->expand_raw);
  self->expand_raw = g_strdup (text);
  show_masked (self);
}

static void
update_quiz_section (BpTeachPanel *self,
                     BpNode       *node)
{
  BpQuizFlags hidden = 0;
  gboolean active, has_doc;
  g_autofree char *status = NULL;

  has_doc = self->quiz != NULL && bp_quiz_get_document (self->quiz) != NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->quiz_switch), has_doc);
  active = has_doc && bp_quiz_get_active (self->quiz);
  if (gtk_switch_get_active (self->quiz_switch) != active)
    gtk_switch_set_active (self->quiz_switch, active);

  if (has_doc && node != NULL)
    hidden = bp_quiz_get_hidden (self->quiz, node);

  /* The teacher chooses the blanks while the quiz is not running. */
  gtk_widget_set_visible (self->quiz_teacher_box, has_doc && !active && node != NULL);
  gtk_widget_set_visible (gtk_widget_get_parent (self->hide_all_button), has_doc && !active);
  gtk_check_button_set_active (self->hide_value_check, (hidden & BP_QUIZ_VALUE) != 0);
  gtk_check_button_set_active (self->hide_grad_check, (hidden & BP_QUIZ_GRAD) != 0);

  gtk_widget_set_visible (self->answer_value_box, node != NULL && is_blank (self, node, BP_QUIZ_VALUE));
  gtk_widget_set_visible (self->answer_grad_box, node != NULL && is_blank (self, node, BP_QUIZ_GRAD));

  if (!has_doc)
    status = g_strdup ("");
  else if (active)
    status = bp_quiz_describe_score (self->quiz);
  else
    /* Translators: %u is how many numbers the teacher hid */
    status = g_strdup_printf (_("%u numbers hidden. Turn the quiz on to show them as blanks."),
                              bp_quiz_get_n_blanks (self->quiz));
  gtk_label_set_label (self->quiz_status_label, status);
}

void
bp_teach_panel_update (BpTeachPanel *self)
{
  BpNode *node;

  g_return_if_fail (BP_IS_TEACH_PANEL (self));

  self->updating = TRUE;
  node = lookup_node (self);
  update_node_section (self, node);
  update_expand_section (self, node);
  update_quiz_section (self, node);
  self->updating = FALSE;
}

static void
changed_cb (BpTeachPanel *self)
{
  bp_teach_panel_update (self);
}

/* The blanks changed: the prose and the check's table show again. */
static void
quiz_changed_cb (BpTeachPanel *self)
{
  show_masked (self);
  bp_teach_panel_update (self);
}

/* The panel explains the selected node; kept by id, so that it survives
 * the undo of a delete. */
static void
selection_changed_cb (BpTeachPanel *self,
                      BpSession    *session)
{
  BpNode *node = bp_session_get_selected_node (session);
  const char *id = node != NULL ? bp_node_get_id (node) : NULL;

  if (g_strcmp0 (id, self->node_id) != 0)
    {
      g_free (self->node_id);
      self->node_id = g_strdup (id);
      set_quiz_result (self, "");
      gtk_editable_set_text (GTK_EDITABLE (self->answer_value_entry), "");
      gtk_editable_set_text (GTK_EDITABLE (self->answer_grad_entry), "");
      if (g_strcmp0 (id, bp_session_get_expanded_id (session)) != 0)
        set_expand_text (self, "");
    }
  bp_teach_panel_update (self);
}

static void
document_changed_cb (BpTeachPanel *self,
                     BpSession    *session)
{
  BpDocument *document = bp_session_get_document (session);
  const char *text = NULL;
  GtkWidget *child;

  if (document != NULL)
    text = bp_document_get_description (document, bp_teach_panel_get_language ());
  g_free (self->description_raw);
  self->description_raw = g_strdup (text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), text != NULL && *text != '\0');

  /* Another document's check says nothing of this one. */
  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->check_grid))) != NULL)
    gtk_grid_remove (self->check_grid, child);
  g_ptr_array_set_size (self->check_rows, 0);
  g_clear_pointer (&self->check_summary_raw, g_free);
  gtk_label_set_label (self->check_label, "");
  set_expand_text (self, "");
  show_masked (self);
  selection_changed_cb (self, session);
}

static void
expand_clicked_cb (BpTeachPanel *self)
{
  g_autoptr(GError) error = NULL;

  if (!bp_teach_panel_expand (self, &error))
    set_expand_text (self, error->message);
}

static void
collapse_clicked_cb (BpTeachPanel *self)
{
  bp_teach_panel_collapse (self);
}

static void
quiz_switch_cb (BpTeachPanel *self)
{
  if (self->updating || self->quiz == NULL)
    return;
  bp_quiz_set_active (self->quiz, gtk_switch_get_active (self->quiz_switch));
  set_quiz_result (self, "");
}

static void
hide_toggled_cb (BpTeachPanel *self)
{
  BpNode *node = lookup_node (self);
  BpQuizFlags flags = 0;

  if (self->updating || self->quiz == NULL || node == NULL)
    return;
  if (gtk_check_button_get_active (self->hide_value_check))
    flags |= BP_QUIZ_VALUE;
  if (gtk_check_button_get_active (self->hide_grad_check))
    flags |= BP_QUIZ_GRAD;
  bp_quiz_set_hidden (self->quiz, node, flags);
}

static void
hide_all_clicked_cb (BpTeachPanel *self)
{
  if (self->quiz != NULL)
    bp_quiz_hide_all_grads (self->quiz);
}

static void
clear_quiz_clicked_cb (BpTeachPanel *self)
{
  if (self->quiz != NULL)
    bp_quiz_clear (self->quiz);
}

static void
answer_value_cb (BpTeachPanel *self)
{
  bp_teach_panel_submit_answer (self, BP_QUIZ_VALUE,
                                gtk_editable_get_text (GTK_EDITABLE (self->answer_value_entry)));
}

static void
answer_grad_cb (BpTeachPanel *self)
{
  bp_teach_panel_submit_answer (self, BP_QUIZ_GRAD,
                                gtk_editable_get_text (GTK_EDITABLE (self->answer_grad_entry)));
}

static void
check_clicked_cb (BpTeachPanel *self)
{
  g_autoptr(GError) error = NULL;

  bp_teach_panel_start_grad_check (self);
}

static void
bp_teach_panel_dispose (GObject *object)
{
  BpTeachPanel *self = BP_TEACH_PANEL (object);

  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  bp_teach_panel_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_TEACH_PANEL);

  G_OBJECT_CLASS (bp_teach_panel_parent_class)->dispose (object);
}

static void
bp_teach_panel_finalize (GObject *object)
{
  BpTeachPanel *self = BP_TEACH_PANEL (object);

  g_clear_pointer (&self->node_id, g_free);
  g_clear_pointer (&self->description_raw, g_free);
  g_clear_pointer (&self->expand_raw, g_free);
  g_clear_pointer (&self->check_summary_raw, g_free);
  g_clear_pointer (&self->check_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (bp_teach_panel_parent_class)->finalize (object);
}

static void
bp_teach_panel_class_init (BpTeachPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_teach_panel_dispose;
  object_class->finalize = bp_teach_panel_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/BackpropStudio/ui/bp-teach-panel.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, BpTeachPanel, name)
  BIND (description_label);
  BIND (node_section);
  BIND (op_label);
  BIND (forward_label);
  BIND (formula_caption);
  BIND (formula_label);
  BIND (backward_text_label);
  BIND (value_label);
  BIND (chain_section);
  BIND (chain_label);
  BIND (expand_section);
  BIND (expand_button);
  BIND (collapse_button);
  BIND (expand_label);
  BIND (quiz_switch);
  BIND (quiz_teacher_box);
  BIND (hide_value_check);
  BIND (hide_grad_check);
  BIND (hide_all_button);
  BIND (clear_quiz_button);
  BIND (answer_value_box);
  BIND (answer_value_entry);
  BIND (answer_grad_box);
  BIND (answer_grad_entry);
  BIND (quiz_result_label);
  BIND (quiz_status_label);
  BIND (check_button);
  BIND (check_grid);
  BIND (check_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, expand_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, collapse_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, quiz_switch_cb);
  gtk_widget_class_bind_template_callback (widget_class, hide_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, hide_all_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_quiz_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, answer_value_cb);
  gtk_widget_class_bind_template_callback (widget_class, answer_grad_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
}

static void
bp_teach_panel_init (BpTeachPanel *self)
{
  self->check_rows = g_ptr_array_new_with_free_func (check_row_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  set_quiz_result (self, "");
  bp_teach_panel_update (self);
}

GtkWidget *
bp_teach_panel_new (void)
{
  return g_object_new (BP_TYPE_TEACH_PANEL, NULL);
}

void
bp_teach_panel_set_session (BpTeachPanel *self,
                            BpSession    *session)
{
  g_return_if_fail (BP_IS_TEACH_PANEL (self));
  g_return_if_fail (session == NULL || BP_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (self->quiz, self);
    }
  g_set_object (&self->session, session);
  g_clear_object (&self->quiz);
  if (session != NULL)
    self->quiz = g_object_ref (bp_session_get_quiz (session));
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "document-changed", G_CALLBACK (document_changed_cb), self);
      g_signal_connect_swapped (session, "changed", G_CALLBACK (changed_cb), self);
      g_signal_connect_swapped (session, "position-changed", G_CALLBACK (changed_cb), self);
      g_signal_connect_swapped (session, "selection-changed", G_CALLBACK (selection_changed_cb), self);
      g_signal_connect_swapped (self->quiz, "changed", G_CALLBACK (quiz_changed_cb), self);
      document_changed_cb (self, session);
    }
}

const char *
bp_teach_panel_get_language (void)
{
  /* Translators: the language code of this translation ("ko" for Korean);
   * picks which explanation of an example the panel shows */
  return _("en");
}

const char *
bp_teach_panel_get_description_text (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), NULL);
  return gtk_label_get_label (self->description_label);
}

BpNode *
bp_teach_panel_get_node (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), NULL);

  return lookup_node (self);
}

/* --- expansion --- */

typedef struct
{
  char     *id;
  BpTensor *grad;
} SavedGrad;

static void
saved_grad_free (gpointer data)
{
  SavedGrad *saved = data;

  g_free (saved->id);
  g_clear_pointer (&saved->grad, bp_tensor_unref);
  g_free (saved);
}

static void
save_grad (GPtrArray *saved,
           BpNode    *node)
{
  SavedGrad *s = g_new0 (SavedGrad, 1);
  BpTensor *grad = bp_node_get_grad (node);

  s->id = g_strdup (bp_node_get_id (node));
  s->grad = grad != NULL ? bp_tensor_copy (grad) : NULL;
  g_ptr_array_add (saved, s);
}

gboolean
bp_teach_panel_expand (BpTeachPanel  *self,
                       GError       **error)
{
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (saved_grad_free);
  g_autoptr(GString) report = g_string_new (NULL);
  BpGraph *graph = get_graph (self);
  BpNode *node = lookup_node (self);
  gboolean same = TRUE;

  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), FALSE);

  if (node == NULL || !bp_expand_can_expand (node))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   _("Only a layer (Sigmoid, Affine, Softmax-with-Loss) can be expanded."));
      return FALSE;
    }

  /* The gradients before, to show that they do not change. */
  for (guint i = 0; i < bp_node_get_n_inputs (node); i++)
    if (bp_node_get_input (node, i) != NULL)
      save_grad (saved, bp_node_get_input (node, i));
  save_grad (saved, node);

  if (bp_session_expand_layer (self->session, node, error) == NULL)
    return FALSE;

  g_string_append (report, _("Expanded into primitive nodes. Gradients before → after:"));
  for (guint i = 0; i < saved->len; i++)
    {
      SavedGrad *s = g_ptr_array_index (saved, i);
      BpNode *now = bp_graph_lookup (graph, s->id);
      BpTensor *grad = now != NULL ? bp_node_get_grad (now) : NULL;
      g_autofree char *before = format_tensor (s->grad);
      g_autofree char *after = format_tensor (grad);
      gboolean equal = s->grad != NULL && grad != NULL &&
                       bp_tensor_equal (s->grad, grad, 1e-9, 1e-9);

      same = same && equal;
      g_string_append_printf (report, "\n∂L/∂%s: %s → %s %s",
                              now != NULL ? bp_node_get_label (now) : s->id,
                              before, after, equal ? "✓" : "✗");
    }
  g_string_append_c (report, '\n');
  g_string_append (report, same ? _("The gradients are the same: the layer is just these nodes.")
                                : _("The gradients differ!"));
  set_expand_text (self, report->str);

  bp_teach_panel_update (self);
  return TRUE;
}

gboolean
bp_teach_panel_collapse (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), FALSE);

  if (!bp_session_collapse_layer (self->session))
    return FALSE;
  set_expand_text (self, _("Collapsed back into the layer."));
  bp_teach_panel_update (self);
  return TRUE;
}

/* --- quiz --- */

BpQuizAnswer
bp_teach_panel_submit_answer (BpTeachPanel *self,
                              BpQuizFlags   what,
                              const char   *text)
{
  g_autofree char *hint = NULL;
  g_autofree char *message = NULL;
  BpNode *node = lookup_node (self);
  BpQuizAnswer answer;

  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), BP_QUIZ_ANSWER_INVALID);

  if (node == NULL || self->quiz == NULL)
    return BP_QUIZ_ANSWER_UNKNOWN;

  answer = bp_quiz_answer (self->quiz, node, what, text, &hint);
  switch (answer)
    {
    case BP_QUIZ_ANSWER_RIGHT:
      message = g_strdup_printf ("✓ %s", _("Right!"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->quiz_result_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->quiz_result_label), "success");
      break;
    case BP_QUIZ_ANSWER_WRONG:
      message = g_strdup_printf ("✗ %s\n%s", _("Not quite."), hint != NULL ? hint : "");
      break;
    case BP_QUIZ_ANSWER_INVALID:
      message = g_strdup_printf ("✗ %s", _("Type a number, or a matrix like [[1, 2], [3, 4]] of the right shape."));
      break;
    case BP_QUIZ_ANSWER_UNKNOWN:
    default:
      message = g_strdup (_("Nothing computed yet for this blank."));
      break;
    }
  if (answer != BP_QUIZ_ANSWER_RIGHT)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->quiz_result_label), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->quiz_result_label), "error");
    }
  set_quiz_result (self, message);
  bp_teach_panel_update (self);
  return answer;
}

/* --- gradient check --- */

/* The check's table and its summary (the engine's words: the cost in
 * passes, and what the book's 1e-7 changes). */
static void
show_grad_check (BpTeachPanel *self,
                 BpGradCheck  *check)
{
  g_autofree char *summary = bp_grad_check_describe (check);

  g_ptr_array_set_size (self->check_rows, 0);
  for (guint i = 0; i < check->leaves->len; i++)
    {
      BpGradCheckLeaf *leaf = g_ptr_array_index (check->leaves, i);
      CheckRow *row = g_new0 (CheckRow, 1);

      row->id = g_strdup (bp_node_get_id (leaf->node));
      row->label = g_strdup (bp_node_get_label (leaf->node));
      row->backprop = format_tensor (leaf->backprop);
      row->numeric = format_tensor (leaf->numeric);
      row->rel = g_strdup_printf ("%.1e", leaf->max_rel_error);
      g_ptr_array_add (self->check_rows, row);
    }
  if (check->n_checked < check->n_elements)
    {
      g_autofree char *sampled = g_strdup_printf (_("%u of the %u input elements were checked, chosen at random."),
                                                  check->n_checked, check->n_elements);
      g_autofree char *text = g_strconcat (summary, "\n", sampled, NULL);

      g_free (summary);
      summary = g_steal_pointer (&text);
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "dim-label");
  g_free (self->check_summary_raw);
  self->check_summary_raw = g_steal_pointer (&summary);
  show_masked (self);
}

/* A larger graph is checked on a sample: two forward passes an element. */
#define CHECK_MAX_ELEMENTS 4096

gboolean
bp_teach_panel_run_grad_check (BpTeachPanel  *self,
                               GError       **error)
{
  g_autoptr(BpGraph) copy = NULL;
  g_autoptr(BpGradCheck) check = NULL;
  BpGraph *graph = get_graph (self);

  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), FALSE);

  if (graph == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, _("There is no graph to check."));
      return FALSE;
    }

  /* On a copy: the check nudges values, and the player's trace must stay. */
  copy = bp_graph_copy (graph);
  check = bp_grad_check_run_full (copy, 0.0, CHECK_MAX_ELEMENTS, BP_GRAD_CHECK_SAMPLE, 1,
                                  NULL, NULL, NULL, error);
  if (check == NULL)
    return FALSE;
  show_grad_check (self, check);
  return TRUE;
}

/* --- the check in a worker, with progress and Cancel --- */

typedef struct
{
  BpTeachPanel *panel;   /* a reference, let go on the main thread */
  guint         done;
  guint         total;
} CheckProgress;

static gboolean
check_progress_idle_cb (gpointer data)
{
  CheckProgress *p = data;

  if (p->panel->check_cancellable != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Checking… %u of %u elements (two forward passes each)"),
                                               p->done, p->total);

      gtk_label_set_label (p->panel->check_label, text);
    }
  g_object_unref (p->panel);
  g_free (p);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  BpTeachPanel *panel;   /* borrowed: the task holds the panel while it runs */
  gint64        last_us;
} CheckWork;

static void
check_progress_cb (guint    done,
                   guint    total,
                   gpointer user_data)
{
  CheckWork *work = user_data;
  gint64 now = g_get_monotonic_time ();
  CheckProgress *p;

  /* A few updates a second are enough for the eye. */
  if (done < total && now - work->last_us < 100000)
    return;
  work->last_us = now;
  p = g_new0 (CheckProgress, 1);
  p->panel = g_object_ref (work->panel);
  p->done = done;
  p->total = total;
  g_idle_add (check_progress_idle_cb, p);
}

static void
check_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BpGraph *copy = g_object_get_data (G_OBJECT (task), "bp-graph-copy");
  GError *error = NULL;
  BpGradCheck *check;

  check = bp_grad_check_run_full (copy, 0.0, CHECK_MAX_ELEMENTS, BP_GRAD_CHECK_SAMPLE, 1,
                                  check_progress_cb, task_data, cancellable, &error);
  if (check == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, check, (GDestroyNotify) bp_grad_check_free);
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BpTeachPanel *self = BP_TEACH_PANEL (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGradCheck) check = g_task_propagate_pointer (G_TASK (result), &error);

  g_clear_object (&self->check_cancellable);
  gtk_button_set_label (GTK_BUTTON (self->check_button), _("Run"));
  if (check != NULL)
    show_grad_check (self, check);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_label (self->check_label, _("The check was cancelled."));
  else
    gtk_label_set_label (self->check_label, error->message);
}

void
bp_teach_panel_start_grad_check (BpTeachPanel *self)
{
  g_autoptr(GTask) task = NULL;
  BpGraph *graph;
  CheckWork *work;

  g_return_if_fail (BP_IS_TEACH_PANEL (self));

  /* Running: the button is Cancel. */
  if (self->check_cancellable != NULL)
    {
      g_cancellable_cancel (self->check_cancellable);
      return;
    }
  if ((graph = get_graph (self)) == NULL)
    return;

  self->check_cancellable = g_cancellable_new ();
  work = g_new0 (CheckWork, 1);
  work->panel = self;
  task = g_task_new (self, self->check_cancellable, check_done_cb, NULL);
  /* The worker checks a copy that nothing else touches. */
  g_object_set_data_full (G_OBJECT (task), "bp-graph-copy", bp_graph_copy (graph), g_object_unref);
  g_task_set_task_data (task, work, g_free);
  gtk_button_set_label (GTK_BUTTON (self->check_button), _("Cancel"));
  gtk_label_set_label (self->check_label, _("Checking…"));
  g_task_run_in_thread (task, check_thread);
}

gboolean
bp_teach_panel_get_checking (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), FALSE);
  return self->check_cancellable != NULL;
}

/* --- what the labels show --- */

const char *
bp_teach_panel_get_value_text (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), NULL);
  return gtk_label_get_label (self->value_label);
}

const char *
bp_teach_panel_get_chain_text (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), NULL);
  return gtk_label_get_label (self->chain_label);
}

const char *
bp_teach_panel_get_expand_text (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), NULL);
  return gtk_label_get_label (self->expand_label);
}

const char *
bp_teach_panel_get_quiz_text (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), NULL);
  return gtk_label_get_label (self->quiz_result_label);
}

const char *
bp_teach_panel_get_check_text (BpTeachPanel *self)
{
  g_return_val_if_fail (BP_IS_TEACH_PANEL (self), NULL);
  return gtk_label_get_label (self->check_label);
}
