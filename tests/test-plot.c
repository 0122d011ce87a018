/* SPDX-License-Identifier: MIT */
/* The training plots: drawn on an image surface with no GTK. */
#include <math.h>

#include "bp-engine.h"
#include "bp-plot.h"

#define W 480
#define H 300

/* Pixels that differ from the background (white). */
static guint
count_ink (cairo_surface_t *surface)
{
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  guint n = 0;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if ((*(const guint32 *) (gconstpointer) (data + (gsize) y * stride + 4 * x) & 0xffffff) != 0xffffff)
        n++;
  return n;
}

static cairo_surface_t *
white_surface (cairo_t **cr)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);

  *cr = cairo_create (surface);
  cairo_set_source_rgb (*cr, 1, 1, 1);
  cairo_paint (*cr);
  return surface;
}

static void
save (cairo_surface_t *surface,
      const char      *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
}

static BpTrainer *
trained_xor (BpDocument **doc_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("xor-hidden-layer", &error);
  g_autoptr(BpDataset) data = bp_dataset_load ("xor", 1, &error);
  BpTrainer *trainer;

  g_assert_no_error (error);
  trainer = bp_trainer_new (bp_document_get_graph (doc), bp_document_get_training (doc), data, &error);
  g_assert_no_error (error);
  g_assert_true (bp_trainer_run (trainer, 2000, NULL, NULL, NULL, &error));
  *doc_out = g_steal_pointer (&doc);
  return trainer;
}

static void
test_smooth (void)
{
  const double v[5] = { 1, 1, 4, NAN, 1 };
  double out[5];

  bp_plot_smooth (v, 5, 3, out);   /* α = 0.5 */
  g_assert_cmpfloat (out[0], ==, 1);
  g_assert_cmpfloat (out[1], ==, 1);
  g_assert_cmpfloat (out[2], ==, 2.5);
  g_assert_cmpfloat (out[3], ==, 2.5);
  g_assert_cmpfloat (out[4], ==, 1.75);
}

static void
test_curves (void)
{
  g_autoptr(BpDocument) doc = NULL;
  g_autoptr(BpTrainer) trainer = trained_xor (&doc);
  GArray *losses = bp_trainer_get_losses (trainer);
  GArray *epochs = bp_trainer_get_epochs (trainer);
  const BpPlotStyle dark = { TRUE, 1.0 };
  cairo_t *cr;
  cairo_surface_t *surface;
  guint empty_ink, ink;

  surface = white_surface (&cr);
  bp_plot_draw_loss (cr, W, H, NULL, 0, 0, NULL);
  empty_ink = count_ink (surface);
  g_assert_cmpuint (empty_ink, >, 0);   /* the hint text */
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  surface = white_surface (&cr);
  bp_plot_draw_loss (cr, W, H, (const double *) losses->data, losses->len, 0, NULL);
  ink = count_ink (surface);
  g_assert_cmpuint (ink, >, 5 * empty_ink);
  save (surface, "plot-loss.png");
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  surface = white_surface (&cr);
  bp_plot_draw_accuracy (cr, W, H, (const BpTrainEpoch *) epochs->data, epochs->len,
                         bp_trainer_get_iterations_per_epoch (trainer), NULL);
  g_assert_cmpuint (count_ink (surface), >, 5 * empty_ink);
  save (surface, "plot-accuracy.png");
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  surface = white_surface (&cr);
  bp_plot_draw_accuracy (cr, W, H, (const BpTrainEpoch *) epochs->data, epochs->len,
                         bp_trainer_get_iterations_per_epoch (trainer), &dark);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_boundary (void)
{
  g_autoptr(BpDocument) doc = NULL;
  g_autoptr(BpTrainer) trainer = trained_xor (&doc);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpPlotBoundary) boundary = bp_plot_boundary_new (trainer, 64, &error);
  cairo_t *cr;
  cairo_surface_t *surface;
  guint classes[4];
  double p1[4];
  g_autoptr(BpTensor) corners = bp_tensor_new_from_data (4, 2, (const double[]) {
    0.7, 0.7,  -0.7, -0.7,  0.7, -0.7,  -0.7, 0.7 });

  g_assert_no_error (error);
  /* XOR: half the plane is class 1. */
  g_assert_cmpfloat (bp_plot_boundary_get_class1_share (boundary), >, 0.35);
  g_assert_cmpfloat (bp_plot_boundary_get_class1_share (boundary), <, 0.65);
  g_assert_true (bp_trainer_predict (trainer, corners, classes, p1, &error));
  g_assert_cmpuint (classes[0], ==, 0);
  g_assert_cmpuint (classes[1], ==, 0);
  g_assert_cmpuint (classes[2], ==, 1);
  g_assert_cmpuint (classes[3], ==, 1);
  g_assert_cmpfloat (p1[2], >, 0.9);

  surface = white_surface (&cr);
  bp_plot_draw_boundary (cr, W, H, boundary, NULL);
  g_assert_cmpuint (count_ink (surface), >, W * H / 2);
  save (surface, "plot-boundary.png");
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_boundary_needs_2d (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("fashion-two-layer-net", &error);
  g_autoptr(BpDataset) data = NULL;
  g_autoptr(BpTrainer) trainer = NULL;
  g_autoptr(BpPlotBoundary) boundary = NULL;
  g_autoptr(BpTrainSettings) settings = NULL;

  data = bp_dataset_load ("fashion-mnist", 1, &error);
  if (data == NULL)
    {
      g_test_skip ("Fashion-MNIST is not installed");
      return;
    }
  settings = bp_train_settings_copy (bp_document_get_training (doc));
  trainer = bp_trainer_new (bp_document_get_graph (doc), settings, data, &error);
  g_assert_no_error (error);
  boundary = bp_plot_boundary_new (trainer, 8, &error);
  g_assert_null (boundary);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/smooth", test_smooth);
  g_test_add_func ("/plot/curves", test_curves);
  g_test_add_func ("/plot/boundary", test_boundary);
  g_test_add_func ("/plot/boundary-needs-2d", test_boundary_needs_2d);
  return g_test_run ();
}
