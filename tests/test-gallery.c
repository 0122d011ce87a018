/* SPDX-License-Identifier: MIT */
/* The examples gallery in the real window under Xvfb: a tile per example
 * with a thumbnail drawn by the diagram renderer (not blank, drawn after
 * the gallery opened), its title and what it teaches; the keys move
 * between the tiles and Enter opens one through the window; Escape
 * closes it; the Korean UI translates the tiles. A picture of the gallery
 * is kept in BP_SHOTS_DIR or the build folder. */
#include <glib/gi18n.h>
#include <locale.h>

#include "bp-examples.h"
#include "bp-ui-test.h"
#include "bp-window-private.h"

static BpExampleGallery *
show_gallery (BpWindow *window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-examples", NULL));
  g_assert_nonnull (window->gallery);
  bp_ui_test_wait_for_frame (GTK_WIDGET (window->gallery));
  return window->gallery;
}

/* The idle draws the thumbnails one by one; a loaded machine is slow. */
static gboolean
has_every_thumbnail (gpointer data)
{
  BpExampleGallery *gallery = data;

  return bp_example_gallery_get_n_thumbnails (gallery) >= bp_example_gallery_get_n_tiles (gallery);
}

static void
wait_for_thumbnails (BpExampleGallery *gallery)
{
  g_assert_true (bp_ui_test_wait_until (has_every_thumbnail, gallery, 120));
}

/* The tile's labels: its title, then what it teaches. */
static const char *
tile_text (BpExampleGallery *gallery,
           guint             index,
           guint             which)
{
  GtkWidget *tile = bp_example_gallery_get_tile (gallery, index);
  GtkWidget *child = gtk_widget_get_first_child (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (tile)));

  /* picture, title, summary */
  for (guint i = 0; i <= which; i++)
    child = gtk_widget_get_next_sibling (child);
  g_assert_true (GTK_IS_LABEL (child));
  return gtk_label_get_label (GTK_LABEL (child));
}

static guint
count_colours (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);

  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      g_hash_table_add (colours, GUINT_TO_POINTER (*(const guint32 *) (pixels + y * stride + x * 4)));
  return g_hash_table_size (colours);
}

static void
save_picture (GtkWidget  *widget,
              const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  const char *dir = g_getenv ("BP_SHOTS_DIR");
  g_autofree char *path = NULL;

  /* On screen and drawn with its pictures. */
  bp_ui_test_present_and_wait (widget);
  texture = bp_ui_test_render (widget);

  if (dir == NULL)
    dir = g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : g_get_tmp_dir ();
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("picture: %s", path);
  g_assert_cmpuint (count_colours (texture), >, 50);
}

static void
test_tiles (void)
{
  BpWindow *window = bp_ui_test_new_empty_window ();
  BpExampleGallery *gallery;
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);

  /* It opens before any picture is drawn: they come in an idle. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-examples", NULL));
  g_assert_nonnull (window->gallery);
  g_assert_cmpuint (bp_example_gallery_get_n_thumbnails (window->gallery), ==, 0);
  gallery = show_gallery (window);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (gallery)) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (gallery)));
  g_assert_cmpuint (bp_example_gallery_get_n_tiles (gallery), ==, n_examples);
  g_assert_cmpuint (n_examples, >=, 10);
  /* The first tile has the keys. */
  g_assert_true (gtk_widget_has_focus (bp_example_gallery_get_tile (gallery, 0)));

  wait_for_thumbnails (gallery);
  for (guint i = 0; i < n_examples; i++)
    {
      GdkPaintable *paintable = gtk_picture_get_paintable (bp_example_gallery_get_tile_picture (gallery, i));

      g_test_message ("%s", examples[i].name);
      g_assert_cmpstr (bp_example_gallery_get_tile_name (gallery, i), ==, examples[i].name);
      g_assert_true (GDK_IS_TEXTURE (paintable));
      g_assert_cmpint (gdk_texture_get_width (GDK_TEXTURE (paintable)), >=, 240);
      g_assert_cmpint (gdk_texture_get_height (GDK_TEXTURE (paintable)), >=, 150);
      /* A drawing, not a plain page: nodes, arrows, anti-aliased text. */
      g_assert_cmpuint (count_colours (GDK_TEXTURE (paintable)), >, 30);
      g_assert_cmpstr (tile_text (gallery, i, 0), ==, bp_example_get_title (&examples[i]));
      g_assert_cmpstr (tile_text (gallery, i, 1), ==, bp_example_get_summary (&examples[i]));
      g_assert_cmpuint (strlen (tile_text (gallery, i, 1)), >, 20);
    }
  g_assert_cmpstr (tile_text (gallery, 0, 0), ==, "Apple shopping");
  save_picture (GTK_WIDGET (gallery), "gallery.png");

  /* The keys: Right moves to the next tile, Enter opens it here (this
   * window's empty graph is nothing to lose). */
  {
    GtkWidget *flow_box = gtk_widget_get_parent (bp_example_gallery_get_tile (gallery, 0));
    gboolean handled = FALSE;

    g_signal_emit_by_name (flow_box, "move-cursor", GTK_MOVEMENT_VISUAL_POSITIONS, 1, FALSE, FALSE,
                           &handled);
    g_assert_true (handled);
    g_assert_true (gtk_widget_has_focus (bp_example_gallery_get_tile (gallery, 1)));
    g_signal_emit_by_name (flow_box, "activate-cursor-child");
  }
  bp_ui_test_spin ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gallery)));
  g_assert_cmpstr (bp_document_get_title (bp_window_get_document (window)), ==, "Apples and oranges");

  /* Shown again, it keeps its pictures; Escape closes it. */
  gallery = show_gallery (window);
  g_assert_cmpuint (bp_example_gallery_get_n_thumbnails (gallery), ==, n_examples);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (gallery), "window.close", NULL));
  bp_ui_test_spin ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gallery)));

  bp_ui_test_destroy_window (window);
}

/* Unsaved work is not thrown away for an example. */
static void
test_keeps_work (void)
{
  BpWindow *window = bp_ui_test_new_empty_window ();
  BpExampleGallery *gallery;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (bp_canvas_add_node (window->canvas, "input", 100, 100, &error));
  g_assert_no_error (error);
  gallery = show_gallery (window);
  g_signal_emit_by_name (gallery, "example-activated", "matmul");
  bp_ui_test_spin ();
  g_assert_cmpuint (bp_graph_get_n_nodes (bp_session_get_graph (window->session)), ==, 1);
  g_assert_nonnull (_bp_window_get_last_message (window));

  bp_ui_test_destroy_window (window);
}

static void
test_korean (void)
{
  const char *localedir = g_getenv ("BP_TEST_LOCALEDIR");
  BpWindow *window;
  BpExampleGallery *gallery;
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);

  if (localedir == NULL)
    {
      g_test_skip ("BP_TEST_LOCALEDIR not set");
      return;
    }
  g_setenv ("LANGUAGE", "ko", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  window = bp_ui_test_new_empty_window ();
  gallery = show_gallery (window);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (gallery)), ==, "책의 예제");
  g_assert_cmpstr (tile_text (gallery, 0, 0), ==, "사과 쇼핑");
  /* Every line of what an example teaches is translated. */
  for (guint i = 0; i < n_examples; i++)
    {
      g_test_message ("%s: %s", examples[i].name, tile_text (gallery, i, 1));
      g_assert_cmpstr (tile_text (gallery, i, 1), !=, examples[i].summary);
    }
  wait_for_thumbnails (gallery);
  save_picture (GTK_WIDGET (gallery), "gallery-ko.png");

  bp_ui_test_destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (!bp_ui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gallery/tiles", test_tiles);
  g_test_add_func ("/gallery/keeps-work", test_keeps_work);
  /* Last: it switches the process to Korean. */
  g_test_add_func ("/gallery/korean", test_korean);

  return g_test_run ();
}
