/* SPDX-License-Identifier: MIT */
/* The examples gallery: a grid of thumbnails drawn by the diagram
 * renderer, each with the example's title and what it teaches. */
#define G_LOG_DOMAIN "bp-example-gallery"

#include <glib/gi18n.h>

#include "bp-example-gallery.h"
#include "bp-examples.h"
#include "bp-thumbnail.h"

/* A thumbnail's size in logical pixels (16:10, as most screens). */
#define THUMBNAIL_WIDTH  240
#define THUMBNAIL_HEIGHT 150

struct _BpExampleGallery
{
  AdwWindow   parent_instance;

  /* Template Widgets */
  GtkFlowBox *flow_box;

  /* Owned References */
  GPtrArray  *pictures;        /* GtkPicture per tile, in teaching order */

  guint       thumbnail_source;
  guint       next_thumbnail;  /* the next one the idle draws */
  guint       dark : 1;        /* the style the thumbnails were drawn for */
};

G_DEFINE_FINAL_TYPE (BpExampleGallery, bp_example_gallery, ADW_TYPE_WINDOW)

enum {
  EXAMPLE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- helpers --- */

static GdkTexture *
texture_from_surface (cairo_surface_t *surface)
{
  g_autoptr(GBytes) bytes = NULL;
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);

  /* Cairo's ARGB32 is GDK's default memory format (premultiplied, native
   * byte order). */
  bytes = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) stride * height);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, stride);
}

static void
draw_thumbnail (BpExampleGallery *self,
                guint             index)
{
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);
  GtkPicture *picture = g_ptr_array_index (self->pictures, index);
  int scale = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  cairo_surface_t *surface;

  g_assert (index < n_examples);
  /* Loaded as the window opens it: labels in the language of the UI. */
  document = bp_examples_load (examples[index].name, &error);
  if (document == NULL)
    {
      g_warning ("Cannot draw example %s: %s", examples[index].name, error->message);
      return;
    }
  surface = bp_thumbnail_render (bp_document_get_graph (document),
                                 THUMBNAIL_WIDTH * scale, THUMBNAIL_HEIGHT * scale,
                                 scale, self->dark, &error);
  if (surface == NULL)
    {
      g_warning ("Cannot draw example %s: %s", examples[index].name, error->message);
      return;
    }
  texture = texture_from_surface (surface);
  cairo_surface_destroy (surface);
  gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
}

/* One thumbnail per idle call: the gallery opens and answers the keys
 * at once while the pictures fill in. */
static gboolean
thumbnail_idle_cb (gpointer user_data)
{
  BpExampleGallery *self = user_data;

  if (self->next_thumbnail >= self->pictures->len)
    {
      self->thumbnail_source = 0;
      return G_SOURCE_REMOVE;
    }
  draw_thumbnail (self, self->next_thumbnail++);
  return G_SOURCE_CONTINUE;
}

static void
start_thumbnails (BpExampleGallery *self)
{
  if (self->thumbnail_source != 0 || self->next_thumbnail >= self->pictures->len)
    return;
  self->thumbnail_source = g_idle_add_full (G_PRIORITY_LOW, thumbnail_idle_cb, self, NULL);
}

static GtkWidget *
make_tile (const BpExample *example,
           GtkWidget      **picture_out)
{
  GtkWidget *box, *picture, *title, *summary;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_valign (box, GTK_ALIGN_START);
  gtk_widget_add_css_class (box, "example-tile");

  picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_size_request (picture, THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT);
  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (picture, GTK_ALIGN_START);
  gtk_widget_add_css_class (picture, "example-thumbnail");
  gtk_box_append (GTK_BOX (box), picture);

  title = gtk_label_new (bp_example_get_title (example));
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  /* As wide as the picture whatever the language: the labels ask for
   * no width of their own and wrap in what the picture takes. */
  gtk_label_set_max_width_chars (GTK_LABEL (title), 1);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (box), title);

  summary = gtk_label_new (bp_example_get_summary (example));
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (summary), 1);
  gtk_widget_add_css_class (summary, "dim-label");
  gtk_box_append (GTK_BOX (box), summary);

  *picture_out = picture;
  return box;
}

/* --- callbacks --- */

static void
child_activated_cb (BpExampleGallery *self,
                    GtkFlowBoxChild  *child,
                    GtkFlowBox       *flow_box)
{
  const char *name = bp_example_gallery_get_tile_name (self, gtk_flow_box_child_get_index (child));

  if (name != NULL)
    g_signal_emit (self, signals[EXAMPLE_ACTIVATED], 0, name);
}

static void
style_dark_cb (BpExampleGallery *self,
               GParamSpec       *pspec,
               AdwStyleManager  *style_manager)
{
  gboolean dark = adw_style_manager_get_dark (style_manager);

  if (dark == self->dark)
    return;
  /* Drawn again on the other page colour. */
  self->dark = dark;
  self->next_thumbnail = 0;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_thumbnails (self);
}

/* --- GtkWidget --- */

static void
bp_example_gallery_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (bp_example_gallery_parent_class)->map (widget);
  start_thumbnails (BP_EXAMPLE_GALLERY (widget));
}

static void
bp_example_gallery_dispose (GObject *object)
{
  BpExampleGallery *self = BP_EXAMPLE_GALLERY (object);

  g_clear_handle_id (&self->thumbnail_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_EXAMPLE_GALLERY);

  G_OBJECT_CLASS (bp_example_gallery_parent_class)->dispose (object);
}

static void
bp_example_gallery_finalize (GObject *object)
{
  BpExampleGallery *self = BP_EXAMPLE_GALLERY (object);

  g_clear_pointer (&self->pictures, g_ptr_array_unref);

  G_OBJECT_CLASS (bp_example_gallery_parent_class)->finalize (object);
}

static void
bp_example_gallery_class_init (BpExampleGalleryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_example_gallery_dispose;
  object_class->finalize = bp_example_gallery_finalize;
  widget_class->map = bp_example_gallery_map;

  signals[EXAMPLE_ACTIVATED] =
    g_signal_new ("example-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/BackpropStudio/ui/bp-example-gallery.ui");
  gtk_widget_class_bind_template_child (widget_class, BpExampleGallery, flow_box);
  gtk_widget_class_bind_template_callback (widget_class, child_activated_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bp_example_gallery_init (BpExampleGallery *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->pictures = g_ptr_array_new ();
  self->dark = adw_style_manager_get_dark (style_manager);
  g_signal_connect_object (style_manager, "notify::dark",
                           G_CALLBACK (style_dark_cb), self, G_CONNECT_SWAPPED);

  for (guint i = 0; i < n_examples; i++)
    {
      GtkWidget *picture = NULL;
      GtkWidget *tile = make_tile (&examples[i], &picture);
      GtkWidget *child;

      gtk_flow_box_append (self->flow_box, tile);
      child = gtk_widget_get_parent (tile);
      gtk_widget_add_css_class (child, "card");
      gtk_widget_add_css_class (child, "activatable");
      /* What a screen reader says for the tile. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, bp_example_get_title (&examples[i]),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, bp_example_get_summary (&examples[i]),
                                      -1);
      g_ptr_array_add (self->pictures, picture);
    }
}

/* --- public API --- */

BpExampleGallery *
bp_example_gallery_new (void)
{
  return g_object_new (BP_TYPE_EXAMPLE_GALLERY, NULL);
}

guint
bp_example_gallery_get_n_tiles (BpExampleGallery *self)
{
  g_return_val_if_fail (BP_IS_EXAMPLE_GALLERY (self), 0);

  return self->pictures->len;
}

guint
bp_example_gallery_get_n_thumbnails (BpExampleGallery *self)
{
  g_return_val_if_fail (BP_IS_EXAMPLE_GALLERY (self), 0);

  return self->next_thumbnail;
}

GtkWidget *
bp_example_gallery_get_tile (BpExampleGallery *self,
                             guint             index)
{
  g_return_val_if_fail (BP_IS_EXAMPLE_GALLERY (self), NULL);

  if (index >= self->pictures->len)
    return NULL;
  return GTK_WIDGET (gtk_flow_box_get_child_at_index (self->flow_box, (int) index));
}

const char *
bp_example_gallery_get_tile_name (BpExampleGallery *self,
                                  guint             index)
{
  guint n_examples = 0;
  const BpExample *examples = bp_examples_get_all (&n_examples);

  g_return_val_if_fail (BP_IS_EXAMPLE_GALLERY (self), NULL);

  /* The box is neither sorted nor filtered: a tile's index is the
   * example's. */
  return index < n_examples ? examples[index].name : NULL;
}

GtkPicture *
bp_example_gallery_get_tile_picture (BpExampleGallery *self,
                                     guint             index)
{
  g_return_val_if_fail (BP_IS_EXAMPLE_GALLERY (self), NULL);

  return index < self->pictures->len ? g_ptr_array_index (self->pictures, index) : NULL;
}
