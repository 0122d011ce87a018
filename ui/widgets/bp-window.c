/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-window"

#include <glib/gi18n.h>

#include "bp-autosave.h"
#include "bp-examples.h"
#include "bp-export.h"
#include "bp-window-private.h"

#define SIDE_PANEL_WIDTH 340
/* Narrower windows (a 1024×768 projector, a small laptop) get the panel
 * under the canvas: the book's graphs are wide rows, and beside a panel
 * a network's numbers would be fitted too small to read. */
#define PANEL_BELOW_WIDTH 1180
#define PANEL_BELOW_MIN_HEIGHT 600

G_DEFINE_FINAL_TYPE (BpWindow, bp_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SHOW_SIDE_PANEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_title       (BpWindow *self);
static void update_autosave    (BpWindow *self);

/* --- helpers --- */

static gboolean
is_dirty (BpWindow *self)
{
  return bp_session_get_modified (self->session);
}

static char *
dup_display_name (BpWindow *self)
{
  const char *title = bp_session_get_title (self->session);
  GFile *file = bp_session_get_file (self->session);

  if (title != NULL && title[0] != '\0')
    return g_strdup (title);
  if (file != NULL)
    return g_file_get_basename (file);
  return g_strdup (_("Untitled Graph"));
}

static void
add_to_recent (BpWindow *self,
               GFile    *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  GtkRecentData data = {
    .display_name = NULL,
    .description = NULL,
    .mime_type = (char *) (g_str_has_suffix (uri, ".bpx") ? "text/plain" : "application/json"),
    .app_name = (char *) "Backprop Studio",
    .app_exec = (char *) "backprop-studio %u",
    .groups = NULL,
    .is_private = FALSE,
  };

  /* add_full, not add_item: it records at once (add_item first queries
   * the file's type asynchronously). */
  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
  g_settings_set_string (self->settings, "last-file", uri);
}

static void
stop_autosave (BpWindow *self,
               gboolean  remove_copy)
{
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  if (remove_copy && self->autosave_file != NULL)
    bp_autosave_remove (self->autosave_file);
}

/* --- the document's state in the title and the side panel --- */

static void
update_title (BpWindow *self)
{
  g_autofree char *name = dup_display_name (self);
  g_autofree char *title = NULL;
  g_autofree char *window_title = NULL;
  g_autofree char *subtitle = NULL;
  gboolean dirty = is_dirty (self);
  GFile *file = bp_session_get_file (self->session);
  BpQuiz *quiz = bp_session_get_quiz (self->session);

  title = dirty ? g_strdup_printf ("• %s", name) : g_strdup (name);

  if (file != NULL)
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autoptr(GFile) home = g_file_new_for_path (g_get_home_dir ());
      g_autofree char *relative = NULL;

      if (parent != NULL && (relative = g_file_get_relative_path (home, parent)))
        subtitle = g_strdup_printf ("~/%s", relative);
      else if (parent != NULL && g_file_equal (parent, home))
        subtitle = g_strdup ("~");
      else if (parent != NULL)
        subtitle = g_file_get_parse_name (parent);
    }
  else if (self->restored)
    subtitle = g_strdup (_("Restored — not saved yet"));
  else if (self->is_example)
    subtitle = g_strdup (_("Example from the book"));
  else
    subtitle = g_strdup (_("Not saved yet"));

  /* While the quiz runs, the score is what the student looks up for. */
  if (bp_quiz_get_active (quiz) && bp_quiz_get_n_blanks (quiz) > 0)
    {
      g_free (subtitle);
      subtitle = bp_quiz_describe_score (quiz);
    }

  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");

  window_title = g_strdup_printf ("%s — %s", title, _("Backprop Studio"));
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

/* --- autosave --- */

static gboolean
autosave_tick_cb (gpointer user_data)
{
  BpWindow *self = user_data;

  if (!is_dirty (self))
    {
      self->autosave_source = 0;
      update_autosave (self);
      return G_SOURCE_REMOVE;
    }

  /* Nothing new since the last copy: keep it as it is. */
  if (self->autosave_file == NULL || self->autosaved_serial != self->change_serial)
    _bp_window_autosave_now (self);

  return G_SOURCE_CONTINUE;
}

/* Runs the 30 s timer only while there are unsaved changes; a clean
 * document has no copy. */
static void
update_autosave (BpWindow *self)
{
  if (is_dirty (self))
    {
      if (self->autosave_source == 0)
        self->autosave_source = g_timeout_add (self->autosave_interval_ms,
                                               autosave_tick_cb, self);
    }
  else
    {
      stop_autosave (self, TRUE);
    }
}

static void
document_state_changed (BpWindow *self)
{
  update_title (self);
  update_autosave (self);
  _bp_window_actions_update (self);
}

/* A graph with nodes but no single output has no backward pass: say so
 * above the canvas and offer the nodes nothing consumes. */
static void
update_output_banner (BpWindow *self)
{
  BpGraph *graph = bp_session_get_graph (self->session);
  g_autoptr(GHashTable) consumed = g_hash_table_new (NULL, NULL);
  g_autofree char *text = NULL;
  guint n = graph != NULL ? bp_graph_get_n_nodes (graph) : 0;
  guint n_sinks = 0;

  g_menu_remove_all (self->output_section);
  if (n == 0 || bp_graph_get_output (graph) != NULL)
    {
      gtk_revealer_set_reveal_child (self->output_revealer, FALSE);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      for (guint s = 0; s < bp_node_get_n_inputs (node); s++)
        if (bp_node_get_input (node, s) != NULL)
          g_hash_table_add (consumed, bp_node_get_input (node, s));
    }
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      g_autoptr(GMenuItem) item = NULL;

      if (g_hash_table_contains (consumed, node))
        continue;
      n_sinks++;
      item = g_menu_item_new (bp_node_get_label (node), NULL);
      g_menu_item_set_action_and_target (item, "win.set-output", "s", bp_node_get_id (node));
      g_menu_append_item (self->output_section, item);
    }

  text = g_strdup_printf (ngettext ("No output: %u node feeds nothing. Choose where the backward pass starts.",
                                    "No single output: %u nodes feed nothing. Choose where the backward pass starts.",
                                    n_sinks),
                          n_sinks);
  gtk_label_set_label (self->output_label, text);
  gtk_revealer_set_reveal_child (self->output_revealer, TRUE);
}

/* --- callbacks --- */

static void
session_changed_cb (BpWindow  *self,
                    guint      change,
                    BpSession *session)
{
  self->change_serial++;
  update_output_banner (self);
  document_state_changed (self);
}

static void
session_modified_cb (BpWindow   *self,
                     GParamSpec *pspec,
                     BpSession  *session)
{
  /* Quiz blanks and the title are saved too, outside the history. */
  self->change_serial++;
  document_state_changed (self);
}

static void
canvas_message_cb (BpWindow   *self,
                   const char *message,
                   BpCanvas   *canvas)
{
  _bp_window_toast (self, message);
}

/* The desktop's high-contrast style: the diagram's heavier lines and
 * stronger colours. */
static void
style_notify_high_contrast_cb (BpWindow        *self,
                               GParamSpec      *pspec,
                               AdwStyleManager *style_manager)
{
  bp_canvas_set_high_contrast (self->canvas, adw_style_manager_get_high_contrast (style_manager));
}

static void
style_notify_dark_cb (BpWindow        *self,
                      GParamSpec      *pspec,
                      AdwStyleManager *style_manager)
{
  gboolean dark = adw_style_manager_get_dark (style_manager);

  bp_canvas_set_dark (self->canvas, dark);
  if (dark)
    gtk_widget_add_css_class (GTK_WIDGET (self), "dark");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "dark");
}

static void
recent_changed_cb (BpWindow         *self,
                   GtkRecentManager *manager)
{
  _bp_window_update_recent (self);
}

static gboolean
drop_cb (BpWindow      *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  GdkFileList *list;
  g_autoptr(GSList) files = NULL;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = g_value_get_boxed (value);
  files = gdk_file_list_get_files (list);
  for (const GSList *l = files; l != NULL; l = l->next)
    _bp_window_open_anywhere (self, G_FILE (l->data));

  return files != NULL;
}

static void
after_paint_cb (GdkFrameClock *clock,
                BpWindow      *self)
{
  /* Start-up benchmark: the monotonic clock is system wide, so the
   * launcher subtracts its own reading taken before spawning us. */
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, self);
  g_print ("first-frame-monotonic-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

static void
bench_map_cb (BpWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), self);
}

static void
load_error_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        BpWindow         *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
show_error (BpWindow   *self,
            const char *heading,
            const char *message)
{
  AdwMessageDialog *dialog;

  g_free (self->last_message);
  self->last_message = g_strdup (message);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  g_signal_connect (dialog, "response", G_CALLBACK (load_error_response_cb), self);

  g_clear_weak_pointer (&self->error_dialog);
  g_set_weak_pointer (&self->error_dialog, dialog);

  gtk_window_present (GTK_WINDOW (dialog));
}

/* What every way of opening does with a loaded document (or its error):
 * the message on failure; an expression (.bpx) has no file to save back
 * to, so Save asks; a title from the file's name when it has none. */
static BpDocument *
adopt_document (BpWindow    *self,
                GFile       *file,
                BpDocument  *loaded,
                GError      *error,
                GFile      **save_file)
{
  g_autoptr(BpDocument) document = loaded;
  g_autofree char *basename = g_file_get_basename (file);

  *save_file = NULL;
  if (document == NULL)
    {
      g_autofree char *heading = g_strdup_printf (_("Could Not Open “%s”"), basename);

      show_error (self, heading, error != NULL ? error->message : "");
      return NULL;
    }

  if (!g_str_has_suffix (basename, ".bpx"))
    *save_file = g_object_ref (file);

  if (bp_document_get_title (document) == NULL ||
      bp_document_get_title (document)[0] == '\0')
    {
      char *dot = strrchr (basename, '.');

      if (dot != NULL && dot != basename)
        *dot = '\0';
      bp_document_set_title (document, basename);
    }

  add_to_recent (self, file);
  return g_steal_pointer (&document);
}

/* Loads without touching any window, so that a broken file changes
 * nothing. */
static BpDocument *
load_document (BpWindow  *self,
               GFile     *file,
               GFile    **save_file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  BpDocument *document = NULL;

  if (path == NULL)
    g_set_error (&error, BP_ERROR, BP_ERROR_IO, _("Only local files can be opened."));
  else
    document = bp_document_load_from_path (path, &error);
  return adopt_document (self, file, document, error, save_file);
}

/* --- close --- */

static void
save_window_state (BpWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
close_idle_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

/* Closes once the dialog that asked has gone: it is transient for us. */
static void
close_later (BpWindow *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, close_idle_cb, g_object_ref (self), g_object_unref);
}

static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   BpWindow         *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    {
      self->close_confirmed = TRUE;
      close_later (self);
    }
  else if (g_strcmp0 (response, "save") == 0)
    {
      GFile *file = bp_session_get_file (self->session);

      if (file != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (_bp_window_save_to_file (self, file, &error))
            close_later (self);
          else
            show_error (self, _("Could Not Save"), error->message);
        }
      else
        {
          _bp_window_save_as (self, TRUE);
        }
    }
}

static gboolean
bp_window_close_request (GtkWindow *window)
{
  BpWindow *self = BP_WINDOW (window);

  save_window_state (self);

  if (is_dirty (self) && !self->close_confirmed)
    {
      g_autofree char *name = dup_display_name (self);
      GtkWidget *dialog;

      dialog = adw_message_dialog_new (window, _("Save Changes?"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      _("“%s” has unsaved changes. "
                                        "Changes which are not saved will be lost."),
                                      name);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Cancel"),
                                        "discard", _("_Discard"),
                                        "save", _("_Save"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                                  ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));

      return TRUE;
    }

  /* A clean close leaves no crash copy behind. */
  stop_autosave (self, TRUE);

  return GTK_WINDOW_CLASS (bp_window_parent_class)->close_request (window);
}

/* --- GObject --- */

static void
bp_window_dispose (GObject *object)
{
  BpWindow *self = BP_WINDOW (object);

  stop_autosave (self, FALSE);
  g_clear_handle_id (&self->panel_layout_source, g_source_remove);

  /* Connected with g_signal_connect_object, which only lets go at
   * finalize: nothing may reach a disposed window. */
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (bp_session_get_quiz (self->session), self);
    }
  if (self->player != NULL)
    {
      bp_player_pause (self->player);
      bp_player_set_widget (self->player, NULL);
    }
  _bp_window_teach_dispose (self);
  _bp_window_watch_dispose (self);
  if (self->gallery != NULL)
    gtk_window_destroy (GTK_WINDOW (self->gallery));
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  g_signal_handlers_disconnect_by_data (gtk_recent_manager_get_default (), self);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_weak_pointer (&self->error_dialog);

  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_WINDOW);
  g_clear_object (&self->player);

  G_OBJECT_CLASS (bp_window_parent_class)->dispose (object);
}

static void
bp_window_finalize (GObject *object)
{
  BpWindow *self = BP_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->autosave_file);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (bp_window_parent_class)->finalize (object);
}

/* --- where the panel stands --- */

static int
bottom_panel_height (int paned_height)
{
  return CLAMP (paned_height * 2 / 5, 170, 260);
}

/* Beside the canvas, the inspector and the teaching panel stack; under
 * it, they stand side by side, each half the width. */
static void
set_panel_below (BpWindow *self,
                 gboolean  below)
{
  GtkWidget *scroller = GTK_WIDGET (self->side_scroller);

  self->panel_below = below;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->paned),
                                  below ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->side_panel),
                                  below ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL);
  gtk_box_set_homogeneous (self->side_panel, below);
  gtk_box_set_spacing (self->side_panel, below ? 24 : 18);
  gtk_widget_set_size_request (scroller, below ? -1 : 250, below ? 150 : -1);
  if (below)
    gtk_widget_add_css_class (scroller, "below");
  else
    gtk_widget_remove_css_class (scroller, "below");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->side_panel_button),
                               below ? _("Show the Panel Under the Canvas (F9)")
                                     : _("Show the Side Panel (F9)"));
  /* Set once the paned has its new orientation: its first allocation
   * along the new axis would move a position set now. */
  self->panel_position_pending = TRUE;
}

static void
place_panel (BpWindow *self)
{
  GtkWidget *paned = GTK_WIDGET (self->paned);

  if (self->panel_below)
    gtk_paned_set_position (self->paned,
                            MAX (120, gtk_widget_get_height (paned)
                                      - bottom_panel_height (gtk_widget_get_height (paned))));
  else
    gtk_paned_set_position (self->paned, MAX (320, gtk_widget_get_width (paned) - SIDE_PANEL_WIDTH));
  bp_transcript ("panel: %s the canvas", self->panel_below ? "under" : "beside");
}

static gboolean
wants_panel_below (int width,
                   int height)
{
  return width < PANEL_BELOW_WIDTH && height >= PANEL_BELOW_MIN_HEIGHT;
}

static gboolean
panel_layout_cb (gpointer data)
{
  BpWindow *self = data;

  self->panel_layout_source = 0;
  /* The size first: a resize that came while a move was pending (the
   * window opened narrow, then was widened at once) allocates nothing
   * more after this, so it must be seen here. The next allocation along
   * the new axis places the panel. */
  if (wants_panel_below (gtk_widget_get_width (GTK_WIDGET (self)),
                         gtk_widget_get_height (GTK_WIDGET (self))) != self->panel_below)
    set_panel_below (self, !self->panel_below);
  else if (self->panel_position_pending)
    {
      self->panel_position_pending = FALSE;
      place_panel (self);
    }
  return G_SOURCE_REMOVE;
}

/* The window's size decides; the move waits for an idle, since a widget
 * must not change its children's layout while it is being allocated. */
static void
bp_window_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  BpWindow *self = BP_WINDOW (widget);

  GTK_WIDGET_CLASS (bp_window_parent_class)->size_allocate (widget, width, height, baseline);
  if ((self->panel_position_pending || wants_panel_below (width, height) != self->panel_below)
      && self->panel_layout_source == 0)
    self->panel_layout_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, panel_layout_cb, self, NULL);
}

static void
bp_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BpWindow *self = BP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SHOW_SIDE_PANEL:
      /* Asked for by the property action before the template exists. */
      g_value_set_boolean (value, self->side_scroller == NULL ||
                                  gtk_widget_get_visible (GTK_WIDGET (self->side_scroller)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BpWindow *self = BP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SHOW_SIDE_PANEL:
      if (g_value_get_boolean (value) != gtk_widget_get_visible (GTK_WIDGET (self->side_scroller)))
        {
          gtk_widget_set_visible (GTK_WIDGET (self->side_scroller), g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_window_class_init (BpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bp_window_dispose;
  object_class->finalize = bp_window_finalize;
  object_class->get_property = bp_window_get_property;
  object_class->set_property = bp_window_set_property;

  widget_class->size_allocate = bp_window_size_allocate;
  window_class->close_request = bp_window_close_request;

  properties[PROP_SHOW_SIDE_PANEL] =
    g_param_spec_boolean ("show-side-panel", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/BackpropStudio/ui/bp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BpWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, examples_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, side_panel_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, canvas_box);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, changed_revealer);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, output_revealer);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, output_label);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, output_section);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, side_scroller);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, side_panel);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, teach_panel);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, player_bar);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, recent_section);
  gtk_widget_class_bind_template_callback (widget_class, canvas_message_cb);

  _bp_window_class_actions_init (klass);
  _bp_window_teach_class_init (widget_class);
  _bp_window_class_init_print (widget_class);
  _bp_window_class_init_worksheet (widget_class);
  _bp_window_class_init_watch (widget_class);

  g_type_ensure (BP_TYPE_CANVAS);
  g_type_ensure (BP_TYPE_NODE_INSPECTOR);
  g_type_ensure (BP_TYPE_PLAYER_BAR);
  g_type_ensure (BP_TYPE_TEACH_PANEL);
}

static void
bp_window_init (BpWindow *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkDropTarget *drop;
  gtk_widget_init_template (GTK_WIDGET (self));

  self->autosave_interval_ms = BP_AUTOSAVE_INTERVAL * 1000;

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  /* Most of the width for the canvas; the panel keeps its width when the
   * window grows (resize-end-child is false). */
  gtk_paned_set_position (self->paned,
                          MAX (320, g_settings_get_int (self->settings, "window-width") - SIDE_PANEL_WIDTH));

  self->open_cancellable = g_cancellable_new ();

  /* One session for the window; every view observes it. */
  self->session = bp_session_new ();
  self->player = bp_player_new (self->session);
  bp_player_set_widget (self->player, GTK_WIDGET (self->canvas));
  bp_canvas_set_session (self->canvas, self->session);
  bp_canvas_set_player (self->canvas, self->player);
  bp_player_bar_set_player (self->player_bar, self->player);
  bp_node_inspector_set_session (self->inspector, self->session);
  bp_teach_panel_set_session (self->teach_panel, self->session);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "player",
                                  bp_player_bar_get_actions (self->player_bar));
  _bp_window_add_player_keys (self);

  g_signal_connect_object (self->session, "changed",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::modified",
                           G_CALLBACK (session_modified_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::title",
                           G_CALLBACK (session_modified_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "selection-changed",
                           G_CALLBACK (_bp_window_actions_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (bp_session_get_quiz (self->session), "changed",
                           G_CALLBACK (document_state_changed), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (style_manager, "notify::dark",
                           G_CALLBACK (style_notify_dark_cb), self, G_CONNECT_SWAPPED);
  style_notify_dark_cb (self, NULL, style_manager);
  g_signal_connect_object (style_manager, "notify::high-contrast",
                           G_CALLBACK (style_notify_high_contrast_cb), self, G_CONNECT_SWAPPED);
  style_notify_high_contrast_cb (self, NULL, style_manager);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (gtk_recent_manager_get_default (), "changed",
                           G_CALLBACK (recent_changed_cb), self, G_CONNECT_SWAPPED);
  _bp_window_update_recent (self);

  if (g_getenv ("BP_BENCH_STARTUP") != NULL)
    {
      self->bench_startup = TRUE;
      g_signal_connect (self, "map", G_CALLBACK (bench_map_cb), NULL);
    }

  _bp_window_teach_init (self);

  update_title (self);
  _bp_window_actions_update (self);
}

/* --- private API --- */

void
_bp_window_toast (BpWindow   *self,
                  const char *message)
{
  AdwToast *toast;

  g_return_if_fail (BP_IS_WINDOW (self));

  if (message == NULL || message[0] == '\0')
    return;

  g_free (self->last_message);
  self->last_message = g_strdup (message);

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

const char *
_bp_window_get_last_message (BpWindow *self)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);

  return self->last_message;
}

gboolean
_bp_window_save_to_file (BpWindow  *self,
                         GFile     *file,
                         GError   **error)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!bp_session_save (self->session, file, error))
    return FALSE;
  _bp_window_watch_file (self);

  self->restored = FALSE;
  self->is_example = FALSE;
  self->autosaved_serial = self->change_serial;
  if (BP_TRANSCRIPT_ON ())
    {
      g_autofree char *path = g_file_get_path (file);

      bp_transcript ("saved %s", path);
    }
  add_to_recent (self, file);
  document_state_changed (self);

  return TRUE;
}

gboolean
_bp_window_export_to_path (BpWindow    *self,
                           const char  *path,
                           GError     **error)
{
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpExportFormat format;
  BpQuiz *quiz;
  g_autoptr(GHashTable) hidden_values = NULL;
  g_autoptr(GHashTable) hidden_grads = NULL;

  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);

  if (!bp_export_format_from_path (path, &format, error))
    return FALSE;

  /* The current pass state, on paper colours, without the selection;
   * quiz blanks stay blank on the handout. */
  state.pass = bp_session_get_pass (self->session);
  state.step = bp_session_get_pass_step (self->session);
  state.updates = bp_session_get_updates (self->session);
  state.n_updates = bp_session_get_n_updates (self->session);
  state.progress = 1.0;
  state.dark = FALSE;
  state.text_scale = bp_canvas_get_text_scale (self->canvas);
  quiz = bp_session_get_quiz (self->session);
  if (bp_quiz_get_active (quiz))
    {
      hidden_values = bp_quiz_dup_blanks (quiz, BP_QUIZ_VALUE);
      hidden_grads = bp_quiz_dup_blanks (quiz, BP_QUIZ_GRAD);
      state.hidden_values = hidden_values;
      state.hidden_grads = hidden_grads;
    }

  {
    BpExportOptions options = { 0 };

    options.scale = format == BP_EXPORT_PNG ? 2.0 : 1.0;
    /* A transcript opens with the document's title. */
    options.title = format == BP_EXPORT_TEXT ? bp_session_get_title (self->session) : NULL;
    return bp_export_states (bp_canvas_get_diagram (self->canvas),
                             bp_session_get_trace (self->session),
                             &state, 1, path, &options, error);
  }
}

void
_bp_window_set_autosave_interval (BpWindow *self,
                                  guint     interval_ms)
{
  g_return_if_fail (BP_IS_WINDOW (self));
  g_return_if_fail (interval_ms > 0);

  self->autosave_interval_ms = interval_ms;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  update_autosave (self);
}

GFile *
_bp_window_autosave_now (BpWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);

  if (!is_dirty (self) || bp_session_get_document (self->session) == NULL)
    return NULL;

  if (self->autosave_file == NULL)
    self->autosave_file = bp_autosave_new_file ();

  if (!bp_autosave_write (bp_session_get_document (self->session), self->autosave_file,
                          bp_session_get_file (self->session), &error))
    {
      g_warning ("Autosave failed: %s", error->message);
      return NULL;
    }

  self->autosaved_serial = self->change_serial;

  return self->autosave_file;
}

gboolean
_bp_window_restore_copy (BpWindow  *self,
                         GFile     *copy,
                         GError   **error)
{
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GFile) origin = NULL;

  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (copy), FALSE);

  if (!(document = bp_document_load_from_file (copy, error)))
    return FALSE;

  origin = bp_autosave_get_origin (copy);
  bp_window_set_document (self, document, origin);
  self->restored = TRUE;
  bp_session_set_modified (self->session, TRUE);
  bp_autosave_remove (copy);

  /* Still unsaved: it gets a fresh copy of its own at once. */
  _bp_window_autosave_now (self);
  document_state_changed (self);

  return TRUE;
}

static gpointer
copy_object (gconstpointer src,
             gpointer      user_data)
{
  return g_object_ref ((gpointer) src);
}

static void
free_file_list (gpointer data)
{
  g_list_free_full (data, g_object_unref);
}

static void
restore_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     BpWindow         *self)
{
  GList *copies = g_object_get_data (G_OBJECT (dialog), "copies");
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  for (const GList *l = copies; l != NULL; l = l->next)
    {
      GFile *copy = l->data;

      if (g_strcmp0 (response, "restore") == 0)
        {
          g_autoptr(GError) error = NULL;
          BpWindow *target = self;

          if (l != copies && app != NULL)
            target = bp_window_new (ADW_APPLICATION (app));

          if (!_bp_window_restore_copy (target, copy, &error))
            {
              _bp_window_toast (self, error->message);
              if (target != self)
                gtk_window_destroy (GTK_WINDOW (target));
              continue;
            }
          gtk_window_present (GTK_WINDOW (target));
        }
      else if (g_strcmp0 (response, "discard") == 0)
        {
          bp_autosave_remove (copy);
        }
    }
}

AdwMessageDialog *
_bp_window_offer_restore (BpWindow *self,
                          GList    *copies)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *when_text = NULL;
  GtkWidget *dialog;
  guint n_copies;

  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);
  g_return_val_if_fail (copies != NULL, NULL);

  n_copies = g_list_length (copies);
  info = g_file_query_info (copies->data, G_FILE_ATTRIBUTE_TIME_MODIFIED,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL && (when = g_file_info_get_modification_date_time (info)))
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (when);

      when_text = g_date_time_format (local, "%x %X");
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Restore Unsaved Work?"), NULL);
  if (n_copies == 1)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("Backprop Studio did not close properly. "
                                      "A graph with unsaved changes was kept (%s)."),
                                    when_text ? when_text : "?");
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("Backprop Studio did not close properly. "
                                      "%u graphs with unsaved changes were kept "
                                      "(the latest from %s)."),
                                    n_copies, when_text ? when_text : "?");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "discard", _("_Discard"),
                                    "restore", _("_Restore"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "restore");
  /* Escape keeps the copies for the next start. */
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "later", _("_Later"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");

  g_object_set_data_full (G_OBJECT (dialog), "copies",
                          g_list_copy_deep (copies, copy_object, NULL),
                          free_file_list);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return ADW_MESSAGE_DIALOG (dialog);
}

/* --- public API --- */

BpWindow *
bp_window_new (AdwApplication *application)
{
  return g_object_new (BP_TYPE_WINDOW, "application", application, NULL);
}

void
bp_window_set_document (BpWindow   *self,
                        BpDocument *document,
                        GFile      *file)
{
  g_return_if_fail (BP_IS_WINDOW (self));
  g_return_if_fail (!document || BP_IS_DOCUMENT (document));
  g_return_if_fail (!file || G_IS_FILE (file));

  /* The previous document goes: so does its crash copy. */
  stop_autosave (self, TRUE);
  g_clear_object (&self->autosave_file);

  self->restored = FALSE;
  self->is_example = FALSE;
  self->close_confirmed = FALSE;
  self->change_serial = 0;
  self->autosaved_serial = 0;

  bp_session_set_document (self->session, document, file);
  _bp_window_watch_file (self);
  update_output_banner (self);
  /* Open on the book's first figure: every value computed. */
  self->last_position = bp_session_get_n_forward (self->session);
  bp_session_set_position (self->session, bp_session_get_n_forward (self->session));

  document_state_changed (self);
}

BpDocument *
bp_window_get_document (BpWindow *self)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);

  return bp_session_get_document (self->session);
}

GFile *
bp_window_get_file (BpWindow *self)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);

  return bp_session_get_file (self->session);
}

gboolean
bp_window_open_file (BpWindow *self,
                     GFile    *file)
{
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GFile) save_file = NULL;

  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!(document = load_document (self, file, &save_file)))
    return FALSE;

  bp_window_set_document (self, document, save_file);

  return TRUE;
}

/* The document goes here when this window has no unsaved changes, else
 * to a new window: unsaved work keeps its window. */
static void
open_in_place_or_new (BpWindow   *self,
                      BpDocument *document,
                      GFile      *save_file)
{
  BpWindow *target = self;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (!bp_window_is_disposable (self))
    target = bp_window_new (app != NULL ? ADW_APPLICATION (app) : NULL);
  bp_window_set_document (target, document, save_file);
  gtk_window_present (GTK_WINDOW (target));
}

static void
open_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;   /* holds the window and the file */
  BpWindow *self = g_task_get_source_object (task);
  GFile *file = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GFile) save_file = NULL;
  BpDocument *loaded = bp_document_load_finish (result, &error);

  self->n_opening--;
  /* The window went meanwhile (that cancels the read): nothing to show. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->open_cancellable == NULL)
    {
      g_clear_object (&loaded);
      g_task_return_boolean (task, FALSE);
      return;
    }
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
  document = adopt_document (self, file, loaded, error, &save_file);
  if (document != NULL)
    open_in_place_or_new (self, document, save_file);
  g_task_return_boolean (task, document != NULL);
}

gboolean
_bp_window_open_anywhere (BpWindow *self,
                          GFile    *file)
{
  GTask *task;

  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  /* Read in a worker: a slow disk or a special file never hangs the
   * window, and closing the window cancels the read. */
  task = g_task_new (self, self->open_cancellable, NULL, NULL);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "progress");
  self->n_opening++;
  bp_document_load_async (file, self->open_cancellable, open_loaded_cb, task);
  return TRUE;
}

void
bp_window_new_document (BpWindow *self)
{
  g_autoptr(BpDocument) document = bp_document_new ();

  g_return_if_fail (BP_IS_WINDOW (self));

  bp_document_set_title (document, _("Untitled"));
  bp_window_set_document (self, document, NULL);
}

gboolean
bp_window_open_example (BpWindow   *self,
                        const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = NULL;

  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);

  if (!(document = bp_examples_load (name, &error)))
    {
      show_error (self, _("Could Not Open the Example"), error->message);
      return FALSE;
    }

  bp_window_set_document (self, document, NULL);
  self->is_example = TRUE;
  update_title (self);

  return TRUE;
}

gboolean
bp_window_is_clean (BpWindow *self)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);

  return !is_dirty (self);
}

gboolean
bp_window_is_disposable (BpWindow *self)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);

  return !is_dirty (self);
}
