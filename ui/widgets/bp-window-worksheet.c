/* SPDX-License-Identifier: MIT */
/* Worksheet… in the main menu: the dialog (variants, seed, what to
 * hide), then a file chooser, then the worksheet written as `bpgraph
 * worksheet` writes it (a PDF, or Moodle XML for a name ending in .xml).
 * The file is replaced atomically: on any failure the user's old file
 * stays as it was, and the toast says why. */
#define G_LOG_DOMAIN "bp-window-worksheet"

#include <glib/gi18n.h>

#include "bp-window-private.h"
#include "bp-worksheet.h"
#include "bp-worksheet-pdf.h"

/* The dropdown's rows, in its order. */
static const BpWorksheetHide hide_rows[] = {
  BP_WORKSHEET_HIDE_VALUES,
  BP_WORKSHEET_HIDE_GRADIENTS,
  BP_WORKSHEET_HIDE_BOTH,
};

static void
worksheet_chooser_response_cb (GtkFileChooserNative *native,
                               int                   response,
                               BpWindow             *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  if (self->chooser == native)
    g_clear_object (&self->chooser);
  if (file == NULL)
    return;
  if ((path = g_file_get_path (file)) == NULL)
    {
      _bp_window_toast (self, _("Worksheets can only be written to a local file"));
      return;
    }

  if (_bp_window_export_worksheet (self, path, self->worksheet_variants,
                                   self->worksheet_seed, self->worksheet_hide, &error))
    {
      g_autofree char *name = g_file_get_basename (file);

      /* Translators: %u variants, %s the file's name */
      message = g_strdup_printf (ngettext ("Wrote a worksheet of %u variant to “%s”",
                                           "Wrote a worksheet of %u variants to “%s”",
                                           self->worksheet_variants),
                                 self->worksheet_variants, name);
    }
  else
    message = g_strdup_printf (_("Could not write the worksheet: %s"), error->message);
  _bp_window_toast (self, message);
}

static void
worksheet_dialog_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              BpWindow         *self)
{
  GtkBuilder *builder = g_object_get_data (G_OBJECT (dialog), "builder");
  guint selected;

  if (!g_str_equal (response, "export") || builder == NULL)
    return;

  self->worksheet_variants =
    (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (gtk_builder_get_object (builder, "variants_spin")));
  self->worksheet_seed =
    (guint64) gtk_spin_button_get_value (GTK_SPIN_BUTTON (gtk_builder_get_object (builder, "seed_spin")));
  selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (gtk_builder_get_object (builder, "hide_dropdown")));
  self->worksheet_hide = hide_rows[MIN (selected, G_N_ELEMENTS (hide_rows) - 1)];

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Save Worksheet"),
                                                GTK_WINDOW (self),
                                                GTK_FILE_CHOOSER_ACTION_SAVE,
                                                _("_Save"), _("_Cancel"));
  /* Translators: the worksheet's file name offered; keep .pdf */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), _("worksheet.pdf"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (worksheet_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_worksheet_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  _bp_window_show_worksheet_dialog (self);
}

AdwMessageDialog *
_bp_window_show_worksheet_dialog (BpWindow *self)
{
  GtkBuilder *builder;
  AdwMessageDialog *dialog;

  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);

  builder = gtk_builder_new_from_resource ("/io/github/BackpropStudio/ui/bp-worksheet-dialog.ui");
  dialog = ADW_MESSAGE_DIALOG (gtk_builder_get_object (builder, "worksheet_dialog"));
  /* The dialog keeps its builder (its widgets) until it goes. */
  g_object_set_data_full (G_OBJECT (dialog), "builder", builder, g_object_unref);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (worksheet_dialog_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

gboolean
_bp_window_export_worksheet (BpWindow         *self,
                             const char       *path,
                             guint             n_variants,
                             guint64           seed,
                             BpWorksheetHide   hide,
                             GError          **error)
{
  g_autoptr(BpWorksheet) worksheet = NULL;

  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  worksheet = bp_worksheet_new (bp_session_get_document (self->session),
                                n_variants, seed, hide, error);
  if (worksheet == NULL)
    return FALSE;
  return bp_worksheet_write_file (worksheet, path, error);
}

void
_bp_window_class_init_worksheet (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-worksheet", NULL,
                                   export_worksheet_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export-worksheet", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export-worksheet", NULL);
}
