/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-window-actions"

#include <glib/gi18n.h>

#include "bp-export.h"
#include "bp-window-private.h"

/* --- file choosers: one at a time, kept alive by self->chooser --- */

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *const *patterns,
            gboolean        select)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
  if (select)
    gtk_file_chooser_set_filter (chooser, filter);
}

static GtkFileChooserNative *
new_chooser (BpWindow             *self,
             const char           *title,
             GtkFileChooserAction  action,
             const char           *accept)
{
  GtkFileChooserNative *native;
  g_autoptr(GFile) folder = NULL;

  /* A second request replaces the first chooser. */
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  /* Start where the current (or else the last) file is. */
  if (bp_session_get_file (self->session) != NULL)
    folder = g_file_get_parent (bp_session_get_file (self->session));
  else
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-file");

      if (last[0] != '\0')
        {
          g_autoptr(GFile) last_file = g_file_new_for_uri (last);

          folder = g_file_get_parent (last_file);
        }
    }
  if (folder != NULL && g_file_query_exists (folder, NULL))
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);

  self->chooser = native;   /* the reference gtk_file_chooser_native_new gave us */

  return native;
}

static void
finish_chooser (BpWindow             *self,
                GtkFileChooserNative *native)
{
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  if (self->chooser == native)
    g_clear_object (&self->chooser);
}

static void
open_response_cb (GtkFileChooserNative *native,
                  int                   response,
                  BpWindow             *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

  finish_chooser (self, native);

  if (file != NULL)
    _bp_window_open_anywhere (self, file);
}

static void
bp_window_actions_open (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  static const char *const graphs[] = { "*.bpgraph", "*.bpx", NULL };
  static const char *const documents[] = { "*.bpgraph", NULL };
  static const char *const expressions[] = { "*.bpx", NULL };
  static const char *const all[] = { "*", NULL };
  BpWindow *self = BP_WINDOW (widget);
  GtkFileChooserNative *native;

  native = new_chooser (self, _("Open a Graph"), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"));
  add_filter (GTK_FILE_CHOOSER (native), _("Graphs and Expressions"), graphs, TRUE);
  add_filter (GTK_FILE_CHOOSER (native), _("Graphs (.bpgraph)"), documents, FALSE);
  add_filter (GTK_FILE_CHOOSER (native), _("Expressions (.bpx)"), expressions, FALSE);
  add_filter (GTK_FILE_CHOOSER (native), _("All Files"), all, FALSE);
  g_signal_connect_object (native, "response", G_CALLBACK (open_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
bp_window_actions_open_recent (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *param)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));

  _bp_window_open_anywhere (BP_WINDOW (widget), file);
}

static void
save_as_response_cb (GtkFileChooserNative *native,
                     int                   response,
                     BpWindow             *self)
{
  gboolean then_close = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (native), "then-close"));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

  finish_chooser (self, native);

  if (file == NULL)
    return;

  if (g_file_peek_path (file) == NULL)
    {
      _bp_window_toast (self, _("Could Not Save"));
      return;
    }

  /* Documents are .bpgraph whatever the user typed. */
  if (!g_str_has_suffix (g_file_peek_path (file), ".bpgraph"))
    {
      g_autofree char *path = g_strconcat (g_file_peek_path (file), ".bpgraph", NULL);
      g_autoptr(GFile) with_extension = g_file_new_for_path (path);

      g_set_object (&file, with_extension);
    }

  if (!_bp_window_save_to_file (self, file, &error))
    {
      _bp_window_toast (self, error->message);
      return;
    }

  if (then_close)
    gtk_window_close (GTK_WINDOW (self));
}

void
_bp_window_save_as (BpWindow *self,
                    gboolean  then_close)
{
  static const char *const documents[] = { "*.bpgraph", NULL };
  GtkFileChooserNative *native;
  g_autofree char *name = NULL;

  g_return_if_fail (BP_IS_WINDOW (self));

  native = new_chooser (self, _("Save the Graph"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"));
  add_filter (GTK_FILE_CHOOSER (native), _("Graphs (.bpgraph)"), documents, TRUE);

  if (bp_session_get_file (self->session) != NULL)
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (native), bp_session_get_file (self->session), NULL);
  else
    {
      g_autofree char *base = NULL;

      base = bp_session_get_document (self->session) ? g_strdup (bp_session_get_title (self->session)) : NULL;
      if (base == NULL || base[0] == '\0')
        {
          g_free (base);
          base = g_strdup (_("Untitled Graph"));
        }
      g_strdelimit (base, "/\\:*?\"<>|", '-');
      name = g_strconcat (base, ".bpgraph", NULL);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
    }

  g_object_set_data (G_OBJECT (native), "then-close", GINT_TO_POINTER (then_close));
  g_signal_connect_object (native, "response", G_CALLBACK (save_as_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
bp_window_actions_save (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (bp_session_get_file (self->session) == NULL)
    {
      _bp_window_save_as (self, FALSE);
      return;
    }

  if (!_bp_window_save_to_file (self, bp_session_get_file (self->session), &error))
    _bp_window_toast (self, error->message);
}

static void
bp_window_actions_save_as (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  _bp_window_save_as (BP_WINDOW (widget), FALSE);
}

static void
export_response_cb (GtkFileChooserNative *native,
                    int                   response,
                    BpWindow             *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *message = NULL;
  BpExportFormat format;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

  if (file != NULL)
    {
      GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (native));
      const char *extension = filter ? g_object_get_data (G_OBJECT (filter), "extension") : NULL;

      path = g_file_get_path (file);
      /* No known extension typed: take the selected filter's. */
      if (path != NULL && !bp_export_format_from_path (path, &format, NULL))
        {
          char *with_extension = g_strconcat (path, extension ? extension : ".svg", NULL);

          g_free (path);
          path = with_extension;
        }
    }

  finish_chooser (self, native);

  if (path == NULL)
    return;

  basename = g_path_get_basename (path);
  if (_bp_window_export_to_path (self, path, &error))
    message = g_strdup_printf (_("Exported “%s”"), basename);
  else
    message = g_strdup_printf (_("Could not export “%s”: %s"), basename, error->message);

  _bp_window_toast (self, message);
}

static void
bp_window_actions_export (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  static const struct { const char *name; const char *pattern; const char *extension; } formats[] = {
    { N_("SVG Image (for slides)"), "*.svg", ".svg" },
    { N_("PNG Image"), "*.png", ".png" },
    { N_("PDF Document (for handouts)"), "*.pdf", ".pdf" },
  };
  BpWindow *self = BP_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  native = new_chooser (self, _("Export the Diagram"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"));
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(formats[i].name));
      gtk_file_filter_add_pattern (filter, formats[i].pattern);
      g_object_set_data (G_OBJECT (filter), "extension", (gpointer) formats[i].extension);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
      if (i == 0)
        gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (native), filter);
    }

  base = bp_session_get_file (self->session) ? g_file_get_basename (bp_session_get_file (self->session))
                    : g_strdup (bp_session_get_title (self->session));
  if (base == NULL || base[0] == '\0')
    {
      g_free (base);
      base = g_strdup (_("Graph"));
    }
  if (strrchr (base, '.') != NULL && strrchr (base, '.') != base)
    *strrchr (base, '.') = '\0';
  g_strdelimit (base, "/\\:*?\"<>|", '-');
  name = g_strconcat (base, ".svg", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);

  g_signal_connect_object (native, "response", G_CALLBACK (export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
bp_window_actions_close (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* --- recent files --- */

void
_bp_window_update_recent (BpWindow *self)
{
  GList *items;
  guint n = 0;

  g_return_if_fail (BP_IS_WINDOW (self));

  g_menu_remove_all (self->recent_section);

  items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  for (const GList *l = items; l != NULL && n < 8; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      const char *uri = gtk_recent_info_get_uri (info);
      g_autoptr(GMenuItem) item = NULL;

      if (!g_str_has_suffix (uri, ".bpgraph") && !g_str_has_suffix (uri, ".bpx"))
        continue;
      if (!gtk_recent_info_exists (info))
        continue;

      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uri);
      g_menu_append_item (self->recent_section, item);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);

  if (n == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Files"), "win.no-recent");

      g_menu_append_item (self->recent_section, item);
    }
}

/* --- enabling --- */

void
_bp_window_actions_update (BpWindow *self)
{
  gboolean has_document;
  gboolean has_nodes = FALSE;
  BpGraph *graph;

  g_return_if_fail (BP_IS_WINDOW (self));

  has_document = bp_session_get_document (self->session) != NULL;
  if ((graph = bp_session_get_graph (self->session)) != NULL)
    has_nodes = bp_graph_get_n_nodes (graph) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", has_document);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", has_document);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", has_nodes);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-pass", has_nodes);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave-presentation", self->presenting);
  /* The placeholder of an empty recent menu. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.no-recent", FALSE);
}

static void
bp_window_actions_nothing (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
}

void
_bp_window_class_actions_init (BpWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, bp_window_actions_open);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", bp_window_actions_open_recent);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, bp_window_actions_save);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, bp_window_actions_save_as);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, bp_window_actions_export);
  gtk_widget_class_install_action (widget_class, "win.close", NULL, bp_window_actions_close);
  gtk_widget_class_install_action (widget_class, "win.no-recent", NULL, bp_window_actions_nothing);
  gtk_widget_class_install_property_action (widget_class, "win.show-side-panel", "show-side-panel");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_S, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-side-panel", NULL);
}
