/* SPDX-License-Identifier: MIT */
/* The application's duties to the desktop: the metainfo compiled into the
 * GResource and read in the user's language, the About window built from
 * it, and Help (F1), which names the package to install when no help
 * viewer is there. */
#include <glib/gstdio.h>
#include <unistd.h>

#include "bp-application.h"
#include "bp-metainfo.h"
#include "bp-ui-test.h"

#define METAINFO_RESOURCE "/io/github/BackpropStudio/io.github.BackpropStudio.metainfo.xml"

static char *tmp_dir;

/* --- helpers --- */

static BpMetainfo *
load_metainfo (const char * const *languages)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  BpMetainfo *metainfo;
  gsize length;
  const char *data;

  bytes = g_resources_lookup_data (METAINFO_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &length);
  metainfo = bp_metainfo_new_from_data (data, length, languages, &error);
  g_assert_no_error (error);
  g_assert_nonnull (metainfo);

  return metainfo;
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (item, type))
        return item;
    }

  return NULL;
}

/* One application for the whole run: a process registers its id once. */
static BpApplication *
start_application (void)
{
  static BpApplication *app;
  g_autoptr(GError) error = NULL;

  if (app != NULL)
    {
      g_application_activate (G_APPLICATION (app));
      bp_ui_test_spin ();
      g_assert_nonnull (gtk_application_get_active_window (GTK_APPLICATION (app)));
      return g_object_ref (app);
    }

  app = bp_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  bp_ui_test_spin ();
  g_assert_nonnull (gtk_application_get_active_window (GTK_APPLICATION (app)));

  return g_object_ref (app);
}

static void
quit_application (BpApplication *app)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  bp_ui_test_spin ();
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
}

/* --- tests --- */

/* The compiled metainfo: its newest release is the build's version, its
 * addresses are all there, its texts come in English or Korean. */
static void
test_metainfo_compiled (void)
{
  static const char *const english[] = { "C", NULL };
  static const char *const korean[] = { "ko_KR.UTF-8", "ko_KR", "ko", "C", NULL };
  g_autoptr(BpMetainfo) en = load_metainfo (english);
  g_autoptr(BpMetainfo) ko = load_metainfo (korean);

  g_assert_cmpstr (bp_metainfo_get_version (en), ==, PACKAGE_VERSION);
  g_assert_nonnull (bp_metainfo_get_release_date (en));
  g_assert_cmpstr (bp_metainfo_get_name (en), ==, "Backprop Studio");
  g_assert_cmpstr (bp_metainfo_get_summary (en), ==, "Learn backpropagation on computational graphs");
  g_assert_cmpstr (bp_metainfo_get_developer_name (en), ==, "The Backprop Studio developers");
  for (const char *const *type = (const char *const[]) { "homepage", "bugtracker", "vcs-browser", "help", NULL };
       *type != NULL; type++)
    g_assert_true (g_str_has_prefix (bp_metainfo_get_url (en, *type), "https://"));
  g_assert_null (bp_metainfo_get_url (en, "donation"));

  g_assert_true (g_str_has_prefix (bp_metainfo_get_release_notes (en), "<p>The first release.</p><ul><li>"));
  g_assert_true (g_str_has_suffix (bp_metainfo_get_release_notes (en), "</li></ul>"));
  g_assert_null (strstr (bp_metainfo_get_release_notes (en), "첫"));

  /* Korean, from po/ko.po through i18n.merge_file. */
  g_assert_cmpstr (bp_metainfo_get_version (ko), ==, PACKAGE_VERSION);
  g_assert_cmpstr (bp_metainfo_get_summary (ko), ==, "계산 그래프로 오차역전파를 배웁니다");
  g_assert_cmpstr (bp_metainfo_get_developer_name (ko), ==, "Backprop Studio 개발자");
  g_assert_true (g_str_has_prefix (bp_metainfo_get_release_notes (ko), "<p>첫 릴리스입니다.</p><ul><li>"));
  g_assert_null (strstr (bp_metainfo_get_release_notes (ko), "The first release"));
  g_assert_null (strstr (bp_metainfo_get_release_notes (ko), "English and Korean"));
}

/* Translations follow what they translate; inline markup stays, text is
 * escaped again, and the best of the user's languages wins. */
static void
test_metainfo_languages (void)
{
  static const char data[] =
    "<component>\n"
    "  <name>Tool</name>\n"
    "  <name xml:lang=\"de\">Werkzeug</name>\n"
    "  <name xml:lang=\"ko\">도구</name>\n"
    "  <releases>\n"
    "    <release version=\"2.0\" date=\"2026-12-01\">\n"
    "      <description>\n"
    "        <p>Uses <code>a &amp; b</code> and\n"
    "           <em>more</em> now.</p>\n"
    "        <p xml:lang=\"de\">Deutsch</p>\n"
    "        <ol><li>one</li><li xml:lang=\"ko\">하나</li><li>two</li></ol>\n"
    "        <p>untranslated</p>\n"
    "      </description>\n"
    "    </release>\n"
    "    <release version=\"1.0\"><description><p>old</p></description></release>\n"
    "  </releases>\n"
    "</component>\n";
  static const char *const korean_then_german[] = { "ko", "de", "C", NULL };
  static const char *const german[] = { "de_DE", "de", "C", NULL };
  static const char *const french[] = { "fr", "C", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(BpMetainfo) ko = NULL;
  g_autoptr(BpMetainfo) de = NULL;
  g_autoptr(BpMetainfo) fr = NULL;

  ko = bp_metainfo_new_from_data (data, -1, korean_then_german, &error);
  g_assert_no_error (error);
  de = bp_metainfo_new_from_data (data, -1, german, &error);
  g_assert_no_error (error);
  fr = bp_metainfo_new_from_data (data, -1, french, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (bp_metainfo_get_name (ko), ==, "도구");
  g_assert_cmpstr (bp_metainfo_get_name (de), ==, "Werkzeug");
  g_assert_cmpstr (bp_metainfo_get_name (fr), ==, "Tool");
  g_assert_null (bp_metainfo_get_summary (fr));

  g_assert_cmpstr (bp_metainfo_get_version (fr), ==, "2.0");
  g_assert_cmpstr (bp_metainfo_get_release_date (fr), ==, "2026-12-01");
  g_assert_cmpstr (bp_metainfo_get_release_notes (fr), ==,
                   "<p>Uses <code>a &amp; b</code> and <em>more</em> now.</p>"
                   "<ol><li>one</li><li>two</li></ol>"
                   "<p>untranslated</p>");
  /* German, the second choice, beats untranslated. */
  g_assert_cmpstr (bp_metainfo_get_release_notes (ko), ==,
                   "<p>Deutsch</p>"
                   "<ol><li>하나</li><li>two</li></ol>"
                   "<p>untranslated</p>");
  g_assert_cmpstr (bp_metainfo_get_release_notes (de), ==,
                   "<p>Deutsch</p>"
                   "<ol><li>one</li><li>two</li></ol>"
                   "<p>untranslated</p>");
}

/* Broken metainfo is an error with a message, never a crash. */
static void
test_metainfo_broken (void)
{
  static const char *const english[] = { "C", NULL };
  static const char *const cases[] = {
    "<component><name>x</name",
    "not xml at all <",
    "<application/>",
    "<component><name>x</name></component>",
    "<component><releases><release date=\"2026-01-01\"/></releases></component>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpMetainfo) metainfo = NULL;

      metainfo = bp_metainfo_new_from_data (cases[i], -1, english, &error);
      g_assert_null (metainfo);
      g_assert_nonnull (error);
      g_assert_true (strstr (error->message, "metainfo") != NULL);
    }
}

/* The About window shows what the metainfo says. */
static void
test_about_window (void)
{
  g_autoptr(BpApplication) app = start_application ();
  AdwAboutWindow *about;

  g_assert_null (find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  bp_ui_test_spin ();
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);

  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Backprop Studio");
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_release_notes_version (about), ==, PACKAGE_VERSION);
  g_assert_true (g_str_has_prefix (adw_about_window_get_release_notes (about), "<p>The first release.</p>"));
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Backprop Studio developers");
  g_assert_cmpstr (adw_about_window_get_website (about), ==, "https://github.com/BackpropStudio/backprop-studio");
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==, "https://github.com/BackpropStudio/backprop-studio/issues");
  g_assert_nonnull (adw_about_window_get_support_url (about));
  /* Untranslated, there is nobody to credit. */
  g_assert_null (adw_about_window_get_translator_credits (about));

  gtk_window_destroy (GTK_WINDOW (about));
  quit_application (app);
}

/* F1 is Help; with no viewer for help: URIs (this test's data dirs hold
 * none), a dialog names the package to install. */
static void
test_help_without_viewer (void)
{
  g_autoptr(BpApplication) app = start_application ();
  g_auto(GStrv) accels = NULL;
  g_autoptr(GAppInfo) viewer = g_app_info_get_default_for_uri_scheme ("help");
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  AdwMessageDialog *dialog;

  g_assert_null (viewer);

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.help");
  g_assert_cmpuint (g_strv_length (accels), ==, 1);
  g_assert_cmpstr (accels[0], ==, "F1");

  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_action_group_activate_action (G_ACTION_GROUP (app), "help", NULL);
  bp_ui_test_spin ();
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == window);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“yelp”"));

  adw_message_dialog_response (dialog, "close");
  bp_ui_test_spin ();
  quit_application (app);
}

/* The main menu offers Help. */
static void
test_help_in_menu (void)
{
  g_autofree char *ui = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_resources_lookup_data ("/io/github/BackpropStudio/ui/bp-window.ui", G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  ui = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (strstr (ui, ">app.help<"));

  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_resources_lookup_data ("/io/github/BackpropStudio/gtk/help-overlay.ui", G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&ui, g_free);
  ui = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (strstr (ui, ">F1<"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: skipping the About and Help tests\n");
      return 77;
    }

  /* No help viewer here: the data dirs hold no desktop files, only the
   * MIME database that image loading needs; set before GIO reads them. */
  tmp_dir = bp_ui_test_make_data_dir ("bp-test-about-XXXXXX");
  {
    const char *const *dirs = g_get_system_data_dirs ();
    g_autofree char *link = g_build_filename (tmp_dir, "mime", NULL);

    for (guint i = 0; dirs[i] != NULL; i++)
      {
        g_autofree char *mime = g_build_filename (dirs[i], "mime", NULL);
        g_autofree char *cache = g_build_filename (mime, "mime.cache", NULL);

        if (g_file_test (cache, G_FILE_TEST_EXISTS))
          {
            g_assert_no_errno (symlink (mime, link));
            break;
          }
      }
  }
  g_setenv ("XDG_DATA_DIRS", tmp_dir, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/about/metainfo/compiled", test_metainfo_compiled);
  g_test_add_func ("/about/metainfo/languages", test_metainfo_languages);
  g_test_add_func ("/about/metainfo/broken", test_metainfo_broken);
  g_test_add_func ("/about/window", test_about_window);
  g_test_add_func ("/about/help-without-viewer", test_help_without_viewer);
  g_test_add_func ("/about/help-in-menu", test_help_in_menu);

  ret = g_test_run ();

  {
    g_autofree char *link = g_build_filename (tmp_dir, "mime", NULL);

    g_unlink (link);
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);

  return ret;
}
