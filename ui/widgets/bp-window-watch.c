/* SPDX-License-Identifier: MIT */
/* Another program's changes to the open file are never overwritten
 * silently: a banner says the file changed on disk (Reload / Keep Mine),
 * and Save asks before writing over a file changed since it was opened
 * or saved. */
#include <glib/gi18n.h>

#include "bp-window-private.h"

/* What identifies the file's contents on disk: its modification time
 * and size, or NULL when it cannot be read. */
static char *
dup_stamp (GFile *file)
{
  g_autoptr(GFileInfo) info = NULL;

  if (file == NULL)
    return NULL;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info == NULL)
    return g_strdup ("gone");
  return g_strdup_printf ("%" G_GUINT64_FORMAT ".%u:%" G_GOFFSET_FORMAT,
                          g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED),
                          g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC),
                          g_file_info_get_size (info));
}

gboolean
_bp_window_file_changed_on_disk (BpWindow *self)
{
  g_autofree char *now = NULL;

  if (self->file_stamp == NULL)
    return FALSE;
  now = dup_stamp (bp_session_get_file (self->session));
  return g_strcmp0 (now, self->file_stamp) != 0;
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    BpWindow          *self)
{
  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_DELETED &&
      event != G_FILE_MONITOR_EVENT_MOVED_IN &&
      event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  _bp_window_check_disk (self);
}

void
_bp_window_check_disk (BpWindow *self)
{
  gtk_revealer_set_reveal_child (self->changed_revealer,
                                 _bp_window_file_changed_on_disk (self));
}

void
_bp_window_watch_file (BpWindow *self)
{
  GFile *file = bp_session_get_file (self->session);

  if (self->file_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->file_monitor, self);
      g_file_monitor_cancel (self->file_monitor);
    }
  g_clear_object (&self->file_monitor);
  g_clear_pointer (&self->file_stamp, g_free);
  gtk_revealer_set_reveal_child (self->changed_revealer, FALSE);
  if (file == NULL)
    return;

  self->file_stamp = dup_stamp (file);
  self->file_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->file_monitor != NULL)
    g_signal_connect (self->file_monitor, "changed", G_CALLBACK (monitor_changed_cb), self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  g_autoptr(GFile) file = NULL;

  if (bp_session_get_file (self->session) == NULL)
    return;
  file = g_object_ref (bp_session_get_file (self->session));
  /* The user chose the file's version: theirs goes. */
  bp_window_open_file (self, file);
}

static void
keep_mine_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  /* Saving will still ask before writing over the other version. */
  gtk_revealer_set_reveal_child (self->changed_revealer, FALSE);
}

void
_bp_window_watch_dispose (BpWindow *self)
{
  if (self->file_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->file_monitor, self);
      g_file_monitor_cancel (self->file_monitor);
    }
  g_clear_object (&self->file_monitor);
  g_clear_pointer (&self->file_stamp, g_free);
}

void
_bp_window_class_init_watch (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.keep-mine", NULL, keep_mine_action);
}
