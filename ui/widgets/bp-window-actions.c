/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-window-actions"

#include <string.h>
#include <glib/gi18n.h>

#include "bp-export.h"
#include "bp-train-view.h"
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
overwrite_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       BpWindow         *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "save-as") == 0)
    _bp_window_save_as (self, FALSE);
  else if (g_strcmp0 (response, "overwrite") == 0 &&
           !_bp_window_save_to_file (self, bp_session_get_file (self->session), &error))
    _bp_window_toast (self, error->message);
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

  /* Another program changed the file since: ask before writing over it. */
  if (_bp_window_file_changed_on_disk (self))
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("Overwrite the Changed File?"),
                                                           _("Another program changed the file since it was "
                                                             "opened or saved. Saving replaces its version "
                                                             "with this one.")));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"),
                                        "save-as", _("Save _As…"),
                                        "overwrite", _("_Overwrite"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "overwrite", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (overwrite_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
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
    { N_("Text Transcript (both passes in words)"), "*.txt", ".txt" },
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

static void
bp_window_actions_undo (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  bp_history_undo (bp_session_get_history (BP_WINDOW (widget)->session));
}

static void
bp_window_actions_redo (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  bp_history_redo (bp_session_get_history (BP_WINDOW (widget)->session));
}

/* The header bar and the menu reach the canvas's view actions through
 * these: the window holds the canvas. */
static void
bp_window_actions_zoom (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  /* "win.zoom-fit" → "canvas.zoom-fit" */
  g_autofree char *canvas_action = g_strconcat ("canvas.", action_name + strlen ("win."), NULL);

  gtk_widget_activate_action (GTK_WIDGET (self->canvas), canvas_action, NULL);
}

static void
bp_window_actions_set_output (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  BpGraph *graph = bp_session_get_graph (self->session);
  BpNode *node = graph != NULL ? bp_graph_lookup (graph, g_variant_get_string (param, NULL)) : NULL;

  if (node != NULL)
    {
      bp_history_set_output (bp_session_get_history (self->session), node);
      bp_session_select_node (self->session, node);
    }
}

static void
properties_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        BpWindow         *self)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  GtkEditable *title = g_object_get_data (G_OBJECT (box), "title");
  GtkTextView *description = g_object_get_data (G_OBJECT (box), "description");
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  if (g_strcmp0 (response, "apply") != 0)
    return;

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (description), &start, &end);
  text = gtk_text_buffer_get_text (gtk_text_view_get_buffer (description), &start, &end, FALSE);
  bp_session_set_title (self->session, gtk_editable_get_text (title));
  bp_session_set_description (self->session, bp_teach_panel_get_language (), text);
}

/* The document's title and its explanation (in the UI's language), the
 * two things a teacher writes about a lesson. */
static void
bp_window_actions_properties (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  BpDocument *document = bp_session_get_document (self->session);
  const char *description = document != NULL
                            ? bp_document_get_description (document, bp_teach_panel_get_language ())
                            : NULL;
  AdwMessageDialog *dialog;
  GtkWidget *box, *title_label, *title, *description_label, *scroller, *view;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Document Properties"), NULL));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  title_label = gtk_label_new_with_mnemonic (_("_Title"));
  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  title = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (title), bp_session_get_title (self->session)
                                               ? bp_session_get_title (self->session) : "");
  gtk_entry_set_activates_default (GTK_ENTRY (title), TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (title_label), title);
  description_label = gtk_label_new_with_mnemonic (_("_Explanation shown in the side panel"));
  gtk_label_set_xalign (GTK_LABEL (description_label), 0);
  gtk_widget_set_margin_top (description_label, 6);
  view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                            description != NULL ? description : "", -1);
  gtk_label_set_mnemonic_widget (GTK_LABEL (description_label), view);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 120);
  gtk_widget_add_css_class (scroller, "card");
  gtk_box_append (GTK_BOX (box), title_label);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), description_label);
  gtk_box_append (GTK_BOX (box), scroller);
  g_object_set_data (G_OBJECT (box), "title", title);
  g_object_set_data (G_OBJECT (box), "description", view);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "apply", _("_Apply"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (properties_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The side panel, shown, where the selected node is edited; FALSE with
 * no single node selected. */
static gboolean
show_node_editor (BpWindow *self)
{
  if (bp_session_get_selected_node (self->session) == NULL)
    return FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->side_scroller), TRUE);
  g_object_notify (G_OBJECT (self), "show-side-panel");
  return TRUE;
}

/* Rename from the canvas's menu or F2: the side panel's label row. */
static void
bp_window_actions_rename (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  if (show_node_editor (self))
    bp_node_inspector_focus_label (self->inspector);
}

/* Connect To… (Ctrl+K, the canvas's menu, the side panel): the inputs
 * the selected node's output may feed, chosen by name on the canvas. */
static void
bp_window_actions_connect_to (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  BpNode *node = bp_session_get_selected_node (self->session);

  if (node != NULL)
    bp_canvas_show_connect (self->canvas, node);
}

/* F6: between the canvas and the side panel, as GNOME applications move
 * between panes. */
static void
bp_window_actions_focus_canvas (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  if (gtk_widget_has_focus (GTK_WIDGET (self->canvas)) &&
      gtk_widget_get_visible (GTK_WIDGET (self->side_panel)) &&
      gtk_widget_child_focus (GTK_WIDGET (self->side_panel), GTK_DIR_TAB_FORWARD))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

/* Change Operation from the canvas's menu: the side panel's list. */
static void
bp_window_actions_change_op (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  if (show_node_editor (self))
    bp_node_inspector_choose_op (self->inspector);
}

/* Training the graph's params on data, in a window of its own that sends
 * the trained values back to this session. */
static void
bp_window_actions_train (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  gtk_window_present (bp_train_view_new_window (self->session, GTK_WINDOW (self)));
}

/* The gallery's choice goes through the application's action, as the
 * menus and the command line open an example (a window of its own when
 * this one holds work); a window without an application opens it here. */
static void
gallery_example_activated_cb (BpWindow         *self,
                              const char       *name,
                              BpExampleGallery *gallery)
{
  gtk_window_close (GTK_WINDOW (gallery));
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "app.open-example", "s", name))
    {
      if (!bp_window_is_disposable (self))
        {
          _bp_window_toast (self, _("Save or close this graph first"));
          return;
        }
      bp_window_open_example (self, name);
    }
}

/* The examples as pictures, in a dialog over this window; made once and
 * kept (hidden) so the thumbnails are drawn only the first time. */
static void
bp_window_actions_show_examples (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->gallery == NULL)
    {
      self->gallery = bp_example_gallery_new ();
      g_object_add_weak_pointer (G_OBJECT (self->gallery), (gpointer *) &self->gallery);
      gtk_window_set_transient_for (GTK_WINDOW (self->gallery), GTK_WINDOW (self));
      gtk_window_set_destroy_with_parent (GTK_WINDOW (self->gallery), TRUE);
      g_signal_connect_object (self->gallery, "example-activated",
                               G_CALLBACK (gallery_example_activated_cb), self,
                               G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (self->gallery));
  /* The first tile has the keyboard: arrows move, Enter opens. */
  gtk_widget_grab_focus (bp_example_gallery_get_tile (self->gallery, 0));
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
  gboolean asking;
  BpGraph *graph;
  BpQuiz *quiz;

  g_return_if_fail (BP_IS_WINDOW (self));

  has_document = bp_session_get_document (self->session) != NULL;
  if ((graph = bp_session_get_graph (self->session)) != NULL)
    has_nodes = bp_graph_get_n_nodes (graph) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", has_document);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", has_document);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", has_nodes);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 bp_history_can_undo (bp_session_get_history (self->session)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo",
                                 bp_history_can_redo (bp_session_get_history (self->session)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-fit", has_nodes);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.properties", has_document);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.train", has_nodes);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename",
                                 bp_session_get_selected_node (self->session) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.change-op",
                                 bp_session_get_selected_node (self->session) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.connect-to",
                                 bp_session_get_selected_node (self->session) != NULL &&
                                 bp_graph_get_n_nodes (bp_session_get_graph (self->session)) > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-pass", has_nodes);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave-presentation", self->presenting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-worksheet", has_nodes);
  quiz = bp_session_get_quiz (self->session);
  asking = bp_quiz_get_active (quiz) && bp_quiz_get_n_blanks (quiz) > 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reset-answers",
                                 bp_quiz_get_n_blanks (quiz) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-blank", asking);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-blank", asking);
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
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, bp_window_actions_undo);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, bp_window_actions_redo);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, bp_window_actions_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, bp_window_actions_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, bp_window_actions_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, bp_window_actions_zoom);
  gtk_widget_class_install_action (widget_class, "win.set-output", "s", bp_window_actions_set_output);
  gtk_widget_class_install_action (widget_class, "win.properties", NULL, bp_window_actions_properties);
  gtk_widget_class_install_action (widget_class, "win.rename", NULL, bp_window_actions_rename);
  gtk_widget_class_install_action (widget_class, "win.change-op", NULL, bp_window_actions_change_op);
  gtk_widget_class_install_action (widget_class, "win.connect-to", NULL, bp_window_actions_connect_to);
  gtk_widget_class_install_action (widget_class, "win.focus-canvas", NULL, bp_window_actions_focus_canvas);
  gtk_widget_class_install_action (widget_class, "win.train", NULL, bp_window_actions_train);
  gtk_widget_class_install_action (widget_class, "win.show-examples", NULL,
                                   bp_window_actions_show_examples);
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
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_y, GDK_CONTROL_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "win.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.connect-to", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F6, 0, "win.focus-canvas", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.train", NULL);
}
