/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>

#include "bp-node-inspector-private.h"

G_DEFINE_FINAL_TYPE (BpNodeInspector, bp_node_inspector, GTK_TYPE_BOX)

/* The axis choices, in the order of the axis row. */
static const int axes[] = { -1, 0, 1 };

static BpNode *
selected_node (BpNodeInspector *self)
{
  return self->session != NULL ? bp_session_get_selected_node (self->session) : NULL;
}

static void
show_edit_error (BpNodeInspector *self,
                 const char      *message)
{
  gtk_label_set_label (self->edit_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->edit_error), message != NULL);
}

/* The user is typing in `row`: keep the text. */
static gboolean
row_has_focus (GtkWidget *row)
{
  GtkRoot *root = gtk_widget_get_root (row);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == row || gtk_widget_is_ancestor (focus, row));
}

/* The rows that edit the node: label, id, op, the op's attributes and
 * whether it is the graph's output. */
static void
update_edit_rows (BpNodeInspector *self,
                  BpNode          *node)
{
  const BpOp *op;
  const BpAttrs *attrs;
  guint n_ops, index = GTK_INVALID_LIST_POSITION;
  const BpOp *const *ops = bp_op_get_all (&n_ops);

  gtk_widget_set_visible (GTK_WIDGET (self->edit_group), node != NULL);
  if (node == NULL)
    return;

  op = bp_node_get_op (node);
  attrs = bp_node_get_attrs (node);
  self->updating = TRUE;
  if (!row_has_focus (GTK_WIDGET (self->label_row)))
    gtk_editable_set_text (GTK_EDITABLE (self->label_row),
                           bp_node_has_label (node) ? bp_node_get_label (node) : "");
  if (!row_has_focus (GTK_WIDGET (self->id_row)))
    gtk_editable_set_text (GTK_EDITABLE (self->id_row), bp_node_get_id (node));
  for (guint i = 0; i < n_ops; i++)
    if (ops[i] == op)
      index = i;
  adw_combo_row_set_selected (self->op_row, index);
  gtk_widget_set_visible (GTK_WIDGET (self->times_row), (op->attrs & BP_ATTR_TIMES) != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->axis_row), (op->attrs & BP_ATTR_AXIS) != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->power_row), (op->attrs & BP_ATTR_POWER) != 0);
  gtk_spin_button_set_value (self->times_spin, attrs->times);
  gtk_spin_button_set_value (self->power_spin, attrs->power);
  for (guint i = 0; i < G_N_ELEMENTS (axes); i++)
    if (axes[i] == attrs->axis)
      adw_combo_row_set_selected (self->axis_row, i);
  gtk_switch_set_active (self->output_switch,
                         bp_graph_get_output (bp_session_get_graph (self->session)) == node);
  self->updating = FALSE;
}

static char *
describe_tensor (BpTensor *tensor)
{
  g_autofree char *text = NULL;
  g_autofree char *shape = NULL;

  if (tensor == NULL)
    return g_strdup ("—");

  text = bp_tensor_to_string (tensor, 6);
  if (bp_tensor_is_scalar (tensor))
    return g_steal_pointer (&text);

  shape = bp_tensor_shape_string (tensor->rows, tensor->cols);
  return g_strdup_printf ("%s  (%s)", text, shape);
}

static void
update (BpNodeInspector *self,
        gboolean         selection_changed)
{
  BpNode *node = NULL;
  const BpOp *op;
  gboolean leaf;
  g_autofree char *value = NULL;
  g_autofree char *grad = NULL;
  g_autofree char *subtitle = NULL;
  const char *node_error;
  BpQuiz *quiz;
  gboolean value_blank;
  gboolean grad_blank;

  if (self->session != NULL)
    node = bp_session_get_selected_node (self->session);

  if (selection_changed)
    show_edit_error (self, NULL);
  update_edit_rows (self, node);

  if (node == NULL)
    {
      guint n_selected = self->session != NULL
                         ? g_hash_table_size (bp_session_get_selection (self->session)) : 0;

      if (n_selected > 1)
        {
          g_autofree char *title = g_strdup_printf (ngettext ("%u Node Selected",
                                                              "%u Nodes Selected",
                                                              n_selected),
                                                    n_selected);
          gtk_label_set_label (self->node_title, title);
        }
      else
        gtk_label_set_label (self->node_title, _("No Node Selected"));
      gtk_label_set_label (self->node_subtitle,
                           _("Click a node to see its value and gradient; "
                             "double-click a leaf to change its value."));
      gtk_widget_set_visible (GTK_WIDGET (self->node_grid), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->value_editor), FALSE);
      return;
    }

  op = bp_node_get_op (node);
  leaf = bp_op_is_leaf (op);
  /* A quiz blank stays a blank here too, and a number shows only once
   * the pass has reached it: the panel never gives away a gradient the
   * class has not reached yet. */
  quiz = bp_session_get_quiz (self->session);
  value_blank = bp_quiz_is_blank (quiz, node, BP_QUIZ_VALUE);
  grad_blank = bp_quiz_is_blank (quiz, node, BP_QUIZ_GRAD);
  value = value_blank ? g_strdup ("?")
        : bp_session_is_revealed (self->session, node, BP_QUIZ_VALUE)
        ? describe_tensor (bp_node_get_value (node)) : g_strdup ("—");
  grad = grad_blank ? g_strdup ("?")
       : bp_session_is_revealed (self->session, node, BP_QUIZ_GRAD)
       ? describe_tensor (bp_node_get_grad (node)) : g_strdup ("—");

  node_error = bp_node_get_error (node);
  if (node_error != NULL)
    subtitle = g_strdup (node_error);
  else if (leaf)
    subtitle = g_strdup_printf (_("%s — a leaf: %s"), bp_node_get_id (node), op->name);
  else
    subtitle = g_strdup_printf ("%s — %s (%s)", bp_node_get_id (node),
                                op->title ? _(op->title) : op->name, op->symbol);

  gtk_label_set_label (self->node_title, bp_node_get_label (node));
  gtk_label_set_label (self->node_subtitle, subtitle);
  gtk_label_set_label (self->value_label, value);
  gtk_label_set_label (self->grad_label, grad);
  gtk_widget_set_visible (GTK_WIDGET (self->node_grid), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->value_editor), leaf && !value_blank);

  /* Keep what the user is typing; refresh it otherwise (undo, new node). */
  if (leaf && !value_blank && (selection_changed ||
               !gtk_widget_has_focus (GTK_WIDGET (self->value_entry))))
    {
      BpTensor *tensor = bp_node_get_value (node);
      g_autofree char *text = tensor ? bp_tensor_to_string (tensor, BP_FORMAT_EXACT) : g_strdup ("0");

      gtk_editable_set_text (GTK_EDITABLE (self->value_entry), text);
      gtk_widget_set_visible (GTK_WIDGET (self->value_error), FALSE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->value_entry), "error");
    }
}

static void
selection_changed_cb (BpNodeInspector *self)
{
  update (self, TRUE);
}

static void
changed_cb (BpNodeInspector *self)
{
  update (self, FALSE);
}

static void
value_entry_activate_cb (BpNodeInspector *self)
{
  g_autoptr(GError) error = NULL;
  BpNode *node;
  const char *text;

  if (self->session == NULL ||
      !(node = bp_session_get_selected_node (self->session)) ||
      !bp_op_is_leaf (bp_node_get_op (node)))
    return;

  text = gtk_editable_get_text (GTK_EDITABLE (self->value_entry));
  if (!bp_history_set_value_text (bp_session_get_history (self->session), node, text, &error))
    {
      /* Never applied: say why next to the entry. */
      gtk_label_set_label (self->value_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->value_error), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->value_entry), "error");
      return;
    }

  update (self, TRUE);
}

static void
value_entry_changed_cb (BpNodeInspector *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->value_error), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->value_entry), "error");
}

static void
label_apply_cb (BpNodeInspector *self)
{
  BpNode *node = selected_node (self);

  if (node == NULL || self->updating)
    return;
  bp_history_set_label (bp_session_get_history (self->session), node,
                        gtk_editable_get_text (GTK_EDITABLE (self->label_row)));
  show_edit_error (self, NULL);
}

static void
id_apply_cb (BpNodeInspector *self)
{
  g_autoptr(GError) error = NULL;
  BpNode *node = selected_node (self);

  if (node == NULL || self->updating)
    return;
  if (!bp_history_rename_node (bp_session_get_history (self->session), node,
                               gtk_editable_get_text (GTK_EDITABLE (self->id_row)), &error))
    {
      show_edit_error (self, error->message);
      return;
    }
  show_edit_error (self, NULL);
}

static void
op_selected_cb (BpNodeInspector *self)
{
  g_autoptr(GError) error = NULL;
  BpNode *node = selected_node (self);
  guint n_ops, selected = adw_combo_row_get_selected (self->op_row);
  const BpOp *const *ops = bp_op_get_all (&n_ops);

  if (node == NULL || self->updating || selected >= n_ops ||
      ops[selected] == bp_node_get_op (node))
    return;
  if (bp_session_change_op (self->session, node, ops[selected]->name, &error) == NULL)
    show_edit_error (self, error->message);
}

static void
attrs_changed_cb (BpNodeInspector *self)
{
  g_autoptr(GError) error = NULL;
  BpNode *node = selected_node (self);
  BpAttrs attrs;
  guint axis = adw_combo_row_get_selected (self->axis_row);

  if (node == NULL || self->updating)
    return;
  attrs = *bp_node_get_attrs (node);
  attrs.times = (guint) gtk_spin_button_get_value_as_int (self->times_spin);
  attrs.power = gtk_spin_button_get_value (self->power_spin);
  if (axis < G_N_ELEMENTS (axes))
    attrs.axis = axes[axis];
  if (bp_attrs_equal (&attrs, bp_node_get_attrs (node)))
    return;
  if (!bp_history_set_attrs (bp_session_get_history (self->session), node, &attrs, &error))
    {
      show_edit_error (self, error->message);
      update_edit_rows (self, node);
      return;
    }
  show_edit_error (self, NULL);
}

static void
output_toggled_cb (BpNodeInspector *self)
{
  BpNode *node = selected_node (self);

  if (node == NULL || self->updating)
    return;
  bp_history_set_output (bp_session_get_history (self->session),
                         gtk_switch_get_active (self->output_switch) ? node : NULL);
}

static void
bp_node_inspector_dispose (GObject *object)
{
  BpNodeInspector *self = BP_NODE_INSPECTOR (object);

  bp_node_inspector_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_NODE_INSPECTOR);

  G_OBJECT_CLASS (bp_node_inspector_parent_class)->dispose (object);
}

static void
bp_node_inspector_class_init (BpNodeInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_node_inspector_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/BackpropStudio/ui/bp-node-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, node_title);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, node_subtitle);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, node_grid);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, value_label);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, grad_label);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, value_editor);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, value_entry);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, value_error);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, edit_group);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, label_row);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, id_row);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, op_row);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, times_row);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, times_spin);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, axis_row);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, power_row);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, power_spin);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, output_row);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, output_switch);
  gtk_widget_class_bind_template_child (widget_class, BpNodeInspector, edit_error);
  gtk_widget_class_bind_template_callback (widget_class, value_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, label_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, id_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, op_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, attrs_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, output_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, value_entry_changed_cb);
}

static void
bp_node_inspector_init (BpNodeInspector *self)
{
  g_autoptr(GtkStringList) op_titles = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) axis_titles = gtk_string_list_new (NULL);
  guint n_ops;
  const BpOp *const *ops = bp_op_get_all (&n_ops);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < n_ops; i++)
    {
      g_autofree char *title = g_strdup_printf ("%s (%s)", _(ops[i]->title), ops[i]->symbol);

      gtk_string_list_append (op_titles, title);
    }
  adw_combo_row_set_model (self->op_row, G_LIST_MODEL (op_titles));
  gtk_string_list_append (axis_titles, _("All elements"));
  gtk_string_list_append (axis_titles, _("0 — down the rows"));
  gtk_string_list_append (axis_titles, _("1 — along each row"));
  adw_combo_row_set_model (self->axis_row, G_LIST_MODEL (axis_titles));
  update (self, TRUE);
}

GtkWidget *
bp_node_inspector_new (void)
{
  return g_object_new (BP_TYPE_NODE_INSPECTOR, NULL);
}

void
bp_node_inspector_set_session (BpNodeInspector *self,
                               BpSession       *session)
{
  g_return_if_fail (BP_IS_NODE_INSPECTOR (self));
  g_return_if_fail (session == NULL || BP_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (bp_session_get_quiz (self->session), self);
    }
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "document-changed", G_CALLBACK (selection_changed_cb), self);
      g_signal_connect_swapped (session, "selection-changed", G_CALLBACK (selection_changed_cb), self);
      g_signal_connect_swapped (session, "changed", G_CALLBACK (changed_cb), self);
      g_signal_connect_swapped (session, "position-changed", G_CALLBACK (changed_cb), self);
      g_signal_connect_swapped (bp_session_get_quiz (session), "changed", G_CALLBACK (changed_cb), self);
    }
  update (self, TRUE);
}

void
bp_node_inspector_focus_label (BpNodeInspector *self)
{
  g_return_if_fail (BP_IS_NODE_INSPECTOR (self));

  if (gtk_widget_get_visible (GTK_WIDGET (self->edit_group)))
    gtk_widget_grab_focus (GTK_WIDGET (self->label_row));
}

void
bp_node_inspector_choose_op (BpNodeInspector *self)
{
  g_return_if_fail (BP_IS_NODE_INSPECTOR (self));

  if (!gtk_widget_get_visible (GTK_WIDGET (self->edit_group)))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self->op_row));
  gtk_widget_activate (GTK_WIDGET (self->op_row));
}
