/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>

#include "bp-tensor.h"
#include "bp-value-popover.h"

struct _BpValuePopover
{
  GtkPopover  parent_instance;

  /* Template Widgets */
  GtkLabel   *title_label;
  GtkEntry   *entry;
  GtkButton  *apply_button;
  GtkLabel   *error_label;
  GtkLabel   *hint_label;

  /* Owned References */
  char       *error;
};

G_DEFINE_FINAL_TYPE (BpValuePopover, bp_value_popover, GTK_TYPE_POPOVER)

enum {
  VALUE_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Checks the text as the user types, so that a bad value is explained
 * before anyone tries to apply it. */
static void
bp_value_popover_validate (BpValuePopover *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) value = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  value = bp_tensor_parse (text, &error);
  bp_value_popover_set_error (self, value == NULL ? error->message : NULL);
}

/* GtkPopover (4.8) measures its content's height for a width somewhat
 * larger than the one it then allocates, so a wrapped explanation lost
 * its last line. The label asks for the height it needs at the content's
 * real width (fixed: the labels' max-width-chars keep them narrower). */
static void
bp_value_popover_fit_error (BpValuePopover *self)
{
  GtkWidget *box = gtk_popover_get_child (GTK_POPOVER (self));
  GtkWidget *label = GTK_WIDGET (self->error_label);
  int width = gtk_widget_get_width (box);
  int height = -1;

  if (width <= 0)
    gtk_widget_get_size_request (box, &width, NULL);
  gtk_widget_set_size_request (label, -1, -1);
  if (self->error != NULL && width > 0)
    gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, width, &height, NULL, NULL, NULL);
  gtk_widget_set_size_request (label, -1, height);
}

static void
entry_changed_cb (BpValuePopover *self,
                  GtkEntry       *entry)
{
  bp_value_popover_validate (self);
}

static void
entry_activate_cb (BpValuePopover *self,
                   GtkEntry       *entry)
{
  bp_value_popover_apply (self);
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  bp_value_popover_apply (BP_VALUE_POPOVER (widget));
}

/* The entry takes the keyboard as soon as the popover shows. */
static void
bp_value_popover_map (GtkWidget *widget)
{
  BpValuePopover *self = BP_VALUE_POPOVER (widget);

  GTK_WIDGET_CLASS (bp_value_popover_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
}

static void
bp_value_popover_finalize (GObject *object)
{
  BpValuePopover *self = BP_VALUE_POPOVER (object);

  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (bp_value_popover_parent_class)->finalize (object);
}

static void
bp_value_popover_class_init (BpValuePopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_value_popover_finalize;
  widget_class->map = bp_value_popover_map;

  signals[VALUE_CHOSEN] =
    g_signal_new ("value-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "value.apply", NULL, apply_action);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/BackpropStudio/ui/bp-value-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, BpValuePopover, title_label);
  gtk_widget_class_bind_template_child (widget_class, BpValuePopover, entry);
  gtk_widget_class_bind_template_child (widget_class, BpValuePopover, apply_button);
  gtk_widget_class_bind_template_child (widget_class, BpValuePopover, error_label);
  gtk_widget_class_bind_template_child (widget_class, BpValuePopover, hint_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
}

static void
bp_value_popover_init (BpValuePopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

BpValuePopover *
bp_value_popover_new (void)
{
  return g_object_new (BP_TYPE_VALUE_POPOVER, NULL);
}

void
bp_value_popover_set_node (BpValuePopover *self,
                           const char     *label,
                           const char     *text)
{
  g_autofree char *title = NULL;

  g_return_if_fail (BP_IS_VALUE_POPOVER (self));

  /* Translators: the heading of the value editor, %s is the node's name */
  title = g_strdup_printf (_("Value of %s"), label ? label : "");
  gtk_label_set_label (self->title_label, title);
  bp_value_popover_set_text (self, text);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

void
bp_value_popover_set_text (BpValuePopover *self,
                           const char     *text)
{
  g_return_if_fail (BP_IS_VALUE_POPOVER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->entry), text ? text : "");
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
  bp_value_popover_validate (self);
}

void
bp_value_popover_set_error (BpValuePopover *self,
                            const char     *message)
{
  g_return_if_fail (BP_IS_VALUE_POPOVER (self));

  if (g_strcmp0 (self->error, message) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (message);

  gtk_label_set_label (self->error_label, message ? message : "");
  /* The explanation takes the hint's place, so the popover keeps its size. */
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), message == NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->entry),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               message ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "value.apply", message == NULL);
  bp_value_popover_fit_error (self);
}

const char *
bp_value_popover_get_error (BpValuePopover *self)
{
  g_return_val_if_fail (BP_IS_VALUE_POPOVER (self), NULL);
  return self->error;
}

gboolean
bp_value_popover_apply (BpValuePopover *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (BP_IS_VALUE_POPOVER (self), FALSE);

  bp_value_popover_validate (self);
  if (self->error != NULL)
    return FALSE;
  text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
  g_signal_emit (self, signals[VALUE_CHOSEN], 0, text);
  return self->error == NULL;
}
