/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-application"

#include <glib/gi18n.h>

#include "bp-application.h"
#include "bp-autosave.h"
#include "bp-metainfo.h"
#include "bp-window-private.h"

#define DEFAULT_EXAMPLE "apples"
#define METAINFO_RESOURCE "/io/github/BackpropStudio/io.github.BackpropStudio.metainfo.xml"
#define HELP_URI "help:backprop-studio"
/* The Debian package that opens help: URIs. */
#define HELP_VIEWER_PACKAGE "yelp"

struct _BpApplication
{
  AdwApplication parent_instance;

  guint restore_checked : 1;
};

G_DEFINE_FINAL_TYPE (BpApplication, bp_application, ADW_TYPE_APPLICATION)

/* --- helpers --- */

static BpWindow *
get_active_window (BpApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return BP_IS_WINDOW (window) ? BP_WINDOW (window) : NULL;
}

static BpWindow *
new_example_window (BpApplication *self)
{
  BpWindow *window = bp_window_new (ADW_APPLICATION (self));

  bp_window_open_example (window, DEFAULT_EXAMPLE);

  return window;
}

/* Once per process, the first window offers what a crash left behind. */
static void
maybe_offer_restore (BpApplication *self,
                     BpWindow      *window)
{
  GList *copies;

  if (self->restore_checked)
    return;
  self->restore_checked = TRUE;

  if (g_getenv ("BP_BENCH_STARTUP") != NULL)
    return;

  if ((copies = bp_autosave_list ()) != NULL)
    {
      _bp_window_offer_restore (window, copies);
      g_list_free_full (copies, g_object_unref);
    }
}

/* --- actions --- */

static void
bp_application_quit_action (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  BpApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Each window asks about its own unsaved changes; the application ends
   * with its last window. */
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
bp_application_about_action (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  static const char *developers[] = { "The Backprop Studio developers", NULL };
  BpApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(BpMetainfo) metainfo = NULL;
  g_autoptr(GError) error = NULL;
  const char *translators = _("translator-credits");
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                          "transient-for", parent,
                                          "modal", TRUE,
                                          "application-icon", APP_ID,
                                          "application-name", _("Backprop Studio"),
                                          "developer-name", _("The Backprop Studio developers"),
                                          "version", PACKAGE_VERSION,
                                          "comments", _("Build computational graphs, run the forward pass, "
                                                        "and step through backpropagation one node at a time, "
                                                        "as “Deep Learning from Scratch” teaches it."),
                                          "license-type", GTK_LICENSE_MIT_X11,
                                          "developers", developers,
                                          "copyright", "© 2026 The Backprop Studio developers",
                                          NULL));

  /* The rest comes from the metainfo, the one place that says it; the
   * values above only stand in should it fail to load. */
  metainfo = bp_metainfo_new_from_resource (METAINFO_RESOURCE, &error);
  if (metainfo == NULL)
    g_warning ("%s", error->message);
  else
    {
      const char *notes = bp_metainfo_get_release_notes (metainfo);

      adw_about_window_set_application_name (about, bp_metainfo_get_name (metainfo));
      if (bp_metainfo_get_developer_name (metainfo) != NULL)
        adw_about_window_set_developer_name (about, bp_metainfo_get_developer_name (metainfo));
      adw_about_window_set_version (about, bp_metainfo_get_version (metainfo));
      if (notes != NULL)
        {
          adw_about_window_set_release_notes_version (about, bp_metainfo_get_version (metainfo));
          adw_about_window_set_release_notes (about, notes);
        }
      if (bp_metainfo_get_url (metainfo, "homepage") != NULL)
        adw_about_window_set_website (about, bp_metainfo_get_url (metainfo, "homepage"));
      if (bp_metainfo_get_url (metainfo, "bugtracker") != NULL)
        adw_about_window_set_issue_url (about, bp_metainfo_get_url (metainfo, "bugtracker"));
      if (bp_metainfo_get_url (metainfo, "help") != NULL)
        adw_about_window_set_support_url (about, bp_metainfo_get_url (metainfo, "help"));
    }

  /* The catalogue names its translators; untranslated, the key comes back. */
  if (!g_str_equal (translators, "translator-credits"))
    adw_about_window_set_translator_credits (about, translators);

  gtk_window_present (GTK_WINDOW (about));
}

static void
help_viewer_missing (GtkWindow *parent)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (parent, _("The Help Viewer Is Not Installed"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Backprop Studio’s help opens in the GNOME help viewer. "
                                    "Install the package “%s” (for example with "
                                    "“sudo apt install %s”) and press F1 again."),
                                  HELP_VIEWER_PACKAGE, HELP_VIEWER_PACKAGE);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_help_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GtkWindow) parent = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (parent, result, &error))
    {
      g_debug ("Opening %s: %s", HELP_URI, error->message);
      help_viewer_missing (parent);
    }
}

static void
bp_application_help_action (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  BpApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GAppInfo) viewer = NULL;

  if (parent == NULL)
    return;

  /* Outside a sandbox an installed viewer registers the help: scheme;
   * inside one the portal decides, and says so through the error. */
  if (!g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      viewer = g_app_info_get_default_for_uri_scheme ("help");
      if (viewer == NULL)
        {
          help_viewer_missing (parent);
          return;
        }
    }

  gtk_show_uri_full (parent, HELP_URI, GDK_CURRENT_TIME, NULL,
                     show_help_cb, g_object_ref (parent));
}

static void
bp_application_shortcuts_action (GSimpleAction *action,
                                 GVariant      *param,
                                 gpointer       user_data)
{
  BpApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* GtkApplication builds the window from gtk/help-overlay.ui. */
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
bp_application_new_window_action (GSimpleAction *action,
                                  GVariant      *param,
                                  gpointer       user_data)
{
  BpApplication *self = user_data;
  BpWindow *window = bp_window_new (ADW_APPLICATION (self));

  /* A new graph starts empty; the examples stay in the gallery. */
  bp_window_new_document (window);
  gtk_window_present (GTK_WINDOW (window));
}

static void
bp_application_open_example_action (GSimpleAction *action,
                                    GVariant      *param,
                                    gpointer       user_data)
{
  BpApplication *self = user_data;
  const char *name = g_variant_get_string (param, NULL);
  BpWindow *window = get_active_window (self);

  /* Unsaved work keeps its window; the example gets a new one. */
  if (window == NULL || !bp_window_is_disposable (window))
    window = bp_window_new (ADW_APPLICATION (self));

  bp_window_open_example (window, name);
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "quit", bp_application_quit_action },
  { "about", bp_application_about_action },
  { "help", bp_application_help_action },
  { "shortcuts", bp_application_shortcuts_action },
  { "new-window", bp_application_new_window_action },
  { "open-example", bp_application_open_example_action, "s" },
};

/* --- GApplication --- */

static void
bp_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_window_accels[] = { "<Control>n", NULL };
  static const char *help_accels[] = { "F1", NULL };
  BpApplication *self = BP_APPLICATION (application);

  G_APPLICATION_CLASS (bp_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
bp_application_activate (GApplication *application)
{
  BpApplication *self = BP_APPLICATION (application);
  BpWindow *window = get_active_window (self);

  if (window == NULL)
    window = new_example_window (self);

  gtk_window_present (GTK_WINDOW (window));
  maybe_offer_restore (self, window);
}

static void
bp_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  BpApplication *self = BP_APPLICATION (application);
  BpWindow *first = NULL;

  for (int i = 0; i < n_files; i++)
    {
      BpWindow *window = get_active_window (self);

      /* A fresh window opens on the example, and keeps it (and shows the
       * loader's message) when the file is broken. The file is read in a
       * worker: a slow disk or a fifo never holds up the window. */
      if (window == NULL || !bp_window_is_disposable (window) || i > 0)
        window = new_example_window (self);

      _bp_window_open_anywhere (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
      if (first == NULL)
        first = window;
    }

  if (first != NULL)
    maybe_offer_restore (self, first);
}

static void
bp_application_class_init (BpApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = bp_application_startup;
  app_class->activate = bp_application_activate;
  app_class->open = bp_application_open;
}

static void
bp_application_init (BpApplication *self)
{
}

BpApplication *
bp_application_new (void)
{
  GApplicationFlags flags = G_APPLICATION_HANDLES_OPEN;

  /* The start-up benchmark must not hand its files to a running instance. */
  if (g_getenv ("BP_BENCH_STARTUP") != NULL)
    flags |= G_APPLICATION_NON_UNIQUE;

  return g_object_new (BP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags,
                       "resource-base-path", "/io/github/BackpropStudio",
                       NULL);
}
