/* SPDX-License-Identifier: MIT */
/* Training: data sets, optimizers, the training loop, the traced
 * iteration, training settings in documents. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "bp-engine.h"

/* Seed 1, the example's settings: measured once, kept to catch changes. */
#define XOR_FINAL_LOSS 0.022714024824469461

/* --- IDX files --- */

typedef struct
{
  char *dir;
} Folder;

static void
write_file (const char   *dir,
            const char   *name,
            const guint8 *data,
            gsize         size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, size, &error);
  g_assert_no_error (error);
}

/* An IDX file of `n` items of rows×cols bytes (labels: n_dims 1). */
static GByteArray *
make_idx (guint n_dims,
          guint n,
          guint rows,
          guint cols,
          guint seed)
{
  GByteArray *bytes = g_byte_array_new ();
  guint32 words[4] = { GUINT32_TO_BE (0x800 | n_dims), GUINT32_TO_BE (n),
                       GUINT32_TO_BE (rows), GUINT32_TO_BE (cols) };
  guint items = n_dims == 1 ? n : n * rows * cols;

  g_byte_array_append (bytes, (const guint8 *) words, 4 + 4 * n_dims);
  for (guint i = 0; i < items; i++)
    {
      guint8 v = n_dims == 1 ? (i + seed) % 3 : (i * 37 + seed) % 256;
      g_byte_array_append (bytes, &v, 1);
    }
  return bytes;
}

static void
gzip_file (const char   *dir,
           const char   *name,
           const guint8 *data,
           gsize         size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gzFile gz = gzopen (path, "wb");

  g_assert_nonnull (gz);
  g_assert_cmpint (gzwrite (gz, data, size), ==, (int) size);
  g_assert_cmpint (gzclose (gz), ==, Z_OK);
}

/* A folder with 5 training and 3 test images of 2×3 pixels; the
 * training images gzipped. */
static void
folder_setup (Folder        *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) train_images = make_idx (3, 5, 2, 3, 0);
  g_autoptr(GByteArray) train_labels = make_idx (1, 5, 1, 1, 0);
  g_autoptr(GByteArray) test_images = make_idx (3, 3, 2, 3, 1);
  g_autoptr(GByteArray) test_labels = make_idx (1, 3, 1, 1, 1);

  f->dir = g_dir_make_tmp ("test-train-XXXXXX", &error);
  g_assert_no_error (error);
  gzip_file (f->dir, "train-images-idx3-ubyte.gz", train_images->data, train_images->len);
  gzip_file (f->dir, "train-labels-idx1-ubyte.gz", train_labels->data, train_labels->len);
  write_file (f->dir, "t10k-images-idx3-ubyte", test_images->data, test_images->len);
  write_file (f->dir, "t10k-labels-idx1-ubyte", test_labels->data, test_labels->len);
}

static void
folder_teardown (Folder        *f,
                 gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
test_idx_valid (Folder        *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDataset) set = bp_dataset_load (f->dir, 0, &error);
  g_autoptr(BpTensor) x = bp_tensor_new (2, 6);
  g_autoptr(BpTensor) t = bp_tensor_new (2, 3);
  g_autoptr(BpTensor) labels = bp_tensor_new (2, 1);
  guint indices[2] = { 4, 0 };

  g_assert_no_error (error);
  g_assert_nonnull (set);
  g_assert_cmpuint (bp_dataset_get_n_examples (set, BP_DATASET_TRAIN), ==, 5);
  g_assert_cmpuint (bp_dataset_get_n_examples (set, BP_DATASET_TEST), ==, 3);
  g_assert_cmpuint (bp_dataset_get_n_features (set), ==, 6);
  g_assert_cmpuint (bp_dataset_get_image_rows (set), ==, 2);
  g_assert_cmpuint (bp_dataset_get_image_cols (set), ==, 3);
  g_assert_cmpuint (bp_dataset_get_n_classes (set), ==, 3);
  g_assert_cmpuint (bp_dataset_get_label (set, BP_DATASET_TRAIN, 4), ==, 1);
  g_assert_cmpuint (bp_dataset_get_label (set, BP_DATASET_TEST, 0), ==, 1);
  /* Pixel 1 of image 4: (4·6 + 1)·37 mod 256, scaled to 0 … 1. */
  g_assert_cmpfloat_with_epsilon (bp_dataset_get_feature (set, BP_DATASET_TRAIN, 4, 1),
                                  ((25 * 37) % 256) / 255.0, 1e-12);

  bp_dataset_fill_batch (set, BP_DATASET_TRAIN, indices, 2, x, t);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (x, 0, 1), ((25 * 37) % 256) / 255.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (bp_tensor_get (x, 1, 0), 0.0, 1e-12);
  g_assert_cmpfloat (bp_tensor_get (t, 0, 1), ==, 1.0);
  g_assert_cmpfloat (bp_tensor_get (t, 0, 0), ==, 0.0);
  g_assert_cmpfloat (bp_tensor_get (t, 1, 0), ==, 1.0);
  bp_dataset_fill_batch (set, BP_DATASET_TRAIN, indices, 2, x, labels);
  g_assert_cmpfloat (bp_tensor_get (labels, 0, 0), ==, 1.0);
  g_assert_cmpfloat (bp_tensor_get (labels, 1, 0), ==, 0.0);
}

static void
expect_invalid (const char *dir,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDataset) set = bp_dataset_load_idx_dir (dir, &error);

  g_assert_null (set);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not say “%s”", error->message, fragment);
}

static void
test_idx_truncated (Folder        *f,
                    gconstpointer  data)
{
  g_autoptr(GByteArray) images = make_idx (3, 3, 2, 3, 1);

  /* One byte short. */
  write_file (f->dir, "t10k-images-idx3-ubyte", images->data, images->len - 1);
  expect_invalid (f->dir, "truncated");
  /* Shorter than the header. */
  write_file (f->dir, "t10k-images-idx3-ubyte", images->data, 10);
  expect_invalid (f->dir, "truncated");
  /* One byte too many. */
  g_byte_array_append (images, (const guint8 *) "x", 1);
  write_file (f->dir, "t10k-images-idx3-ubyte", images->data, images->len);
  expect_invalid (f->dir, "header announces");
}

static void
test_idx_corrupt (Folder        *f,
                  gconstpointer  data)
{
  g_autoptr(GByteArray) images = make_idx (3, 3, 2, 3, 1);
  g_autoptr(GByteArray) labels = make_idx (1, 4, 1, 1, 1);
  g_autofree char *gz_path = g_build_filename (f->dir, "train-images-idx3-ubyte.gz", NULL);
  g_autofree char *gz = NULL;
  gsize gz_length;
  g_autoptr(GError) error = NULL;

  /* A gzip stream cut in half. */
  g_file_get_contents (gz_path, &gz, &gz_length, &error);
  g_assert_no_error (error);
  write_file (f->dir, "train-images-idx3-ubyte.gz", (const guint8 *) gz, gz_length / 2);
  expect_invalid (f->dir, "gzip");
  write_file (f->dir, "train-images-idx3-ubyte.gz", (const guint8 *) gz, gz_length);

  /* Labels where images belong: the wrong magic number. */
  write_file (f->dir, "t10k-images-idx3-ubyte", labels->data, labels->len);
  expect_invalid (f->dir, "not an IDX file");
  write_file (f->dir, "t10k-images-idx3-ubyte", images->data, images->len);

  /* 3 images, 4 labels. */
  write_file (f->dir, "t10k-labels-idx1-ubyte", labels->data, labels->len);
  expect_invalid (f->dir, "the same number");

  /* A header with zero rows. */
  images->data[11] = 0;
  write_file (f->dir, "t10k-images-idx3-ubyte", images->data, images->len);
  expect_invalid (f->dir, "broken header");
}

static void
test_idx_missing (Folder        *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDataset) set = NULL;
  g_autofree char *path = g_build_filename (f->dir, "t10k-labels-idx1-ubyte", NULL);

  g_unlink (path);
  set = bp_dataset_load_idx_dir (f->dir, &error);
  g_assert_null (set);
  g_assert_error (error, BP_ERROR, BP_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "t10k-labels-idx1-ubyte"));
  g_clear_error (&error);

  set = bp_dataset_load ("no-such-data-set", 0, &error);
  g_assert_null (set);
  g_assert_error (error, BP_ERROR, BP_ERROR_NOT_FOUND);
}

static void
test_2d_sets (void)
{
  const char *names[] = { "xor", "circles", "moons", "spiral" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDataset) a = bp_dataset_load (names[i], 7, &error);
      g_autoptr(BpDataset) b = bp_dataset_load (names[i], 7, &error);
      g_autoptr(BpDataset) c = bp_dataset_load (names[i], 8, &error);
      guint ones = 0;

      g_assert_no_error (error);
      g_assert_cmpuint (bp_dataset_get_n_features (a), ==, 2);
      g_assert_cmpuint (bp_dataset_get_n_classes (a), ==, 2);
      g_assert_cmpuint (bp_dataset_get_n_examples (a, BP_DATASET_TRAIN), ==, BP_DATASET_2D_TRAIN);
      for (guint k = 0; k < BP_DATASET_2D_TRAIN; k++)
        {
          ones += bp_dataset_get_label (a, BP_DATASET_TRAIN, k);
          g_assert_cmpfloat (bp_dataset_get_feature (a, BP_DATASET_TRAIN, k, 0), ==,
                             bp_dataset_get_feature (b, BP_DATASET_TRAIN, k, 0));
          g_assert_cmpfloat (fabs (bp_dataset_get_feature (a, BP_DATASET_TRAIN, k, 1)), <, 1.5);
        }
      g_assert_cmpuint (ones, ==, BP_DATASET_2D_TRAIN / 2);
      g_assert_cmpfloat (bp_dataset_get_feature (a, BP_DATASET_TRAIN, 0, 0), !=,
                         bp_dataset_get_feature (c, BP_DATASET_TRAIN, 0, 0));
    }
}

/* --- optimizers against hand computations --- */

/* L = sum(W ⊙ c): ∂L/∂W = c whatever W is. */
static BpGraph *
linear_graph (BpNode **w_out)
{
  g_autoptr(BpGraph) g = NULL;
  g_autoptr(GError) error = NULL;

  g = bp_expr_parse ("W = [[1, -2]]\nc = [[0.5, 4]]\nL = sum(W * c)", &error);
  g_assert_no_error (error);
  *w_out = bp_graph_lookup (g, "W");
  /* The expression makes leaves inputs; a param is what learns. */
  return g_steal_pointer (&g);
}

static void
check_update (BpOptimizerKind kind,
              const double    expected[2][2])
{
  BpNode *w;
  g_autoptr(BpGraph) g = linear_graph (&w);
  g_autoptr(BpOptimizer) opt = bp_optimizer_new (kind, 0.1);
  g_autoptr(GArray) steps = g_array_new (FALSE, TRUE, sizeof (BpUpdateStep));
  g_autoptr(GError) error = NULL;

  g_array_set_clear_func (steps, (GDestroyNotify) bp_update_step_clear);
  for (guint it = 0; it < 2; it++)
    {
      BpTensor *value;

      g_assert_true (bp_graph_backward (g, &error));
      g_assert_no_error (error);
      bp_optimizer_update (opt, &w, 1, steps);
      value = bp_node_get_value (w);
      g_assert_cmpfloat_with_epsilon (value->data[0], expected[it][0], 1e-12);
      g_assert_cmpfloat_with_epsilon (value->data[1], expected[it][1], 1e-12);
    }
  g_assert_cmpuint (steps->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (steps, BpUpdateStep, 1).before->data[0], expected[0][0], 1e-12);
  g_assert_cmpfloat (g_array_index (steps, BpUpdateStep, 1).grad->data[1], ==, 4.0);
  g_assert_cmpfloat_with_epsilon (g_array_index (steps, BpUpdateStep, 1).after->data[1], expected[1][1], 1e-12);
  g_assert_cmpfloat (g_array_index (steps, BpUpdateStep, 0).learning_rate, ==, 0.1);
  g_assert_nonnull (g_array_index (steps, BpUpdateStep, 0).formula);
}

static void
test_sgd (void)
{
  /* W − 0.1·c, twice. */
  const double expected[2][2] = {
    { 1 - 0.05, -2 - 0.4 },
    { 1 - 0.1, -2 - 0.8 },
  };
  check_update (BP_OPTIMIZER_SGD, expected);
}

static void
test_momentum (void)
{
  /* v₁ = −0.1c, W₁ = W + v₁; v₂ = 0.9v₁ − 0.1c = −0.19c, W₂ = W₁ + v₂. */
  const double expected[2][2] = {
    { 1 - 0.05, -2 - 0.4 },
    { 1 - 0.05 - 0.095, -2 - 0.4 - 0.76 },
  };
  check_update (BP_OPTIMIZER_MOMENTUM, expected);
}

static void
test_adam (void)
{
  double c[2] = { 0.5, 4 };
  double w[2] = { 1, -2 }, m[2] = { 0, 0 }, v[2] = { 0, 0 };
  double expected[2][2];

  /* The book's Adam, step by step. */
  for (int it = 1; it <= 2; it++)
    {
      double lr_t = 0.1 * sqrt (1 - pow (0.999, it)) / (1 - pow (0.9, it));

      for (int k = 0; k < 2; k++)
        {
          m[k] += 0.1 * (c[k] - m[k]);
          v[k] += 0.001 * (c[k] * c[k] - v[k]);
          w[k] -= lr_t * m[k] / (sqrt (v[k]) + 1e-7);
          expected[it - 1][k] = w[k];
        }
    }
  /* The first step moves each weight by about η whatever its gradient. */
  g_assert_cmpfloat_with_epsilon (expected[0][0], 0.9, 1e-5);
  g_assert_cmpfloat_with_epsilon (expected[0][1], -2.1, 1e-5);
  check_update (BP_OPTIMIZER_ADAM, expected);
}

static void
test_init (void)
{
  BpNode *w;
  g_autoptr(BpGraph) g = bp_expr_parse ("W = [[0, 0, 0], [0, 0, 0]]\nb = [0, 0, 0]\nL = sum(W) + sum(b)", NULL);
  BpNode *params[2];
  double first;

  w = bp_graph_lookup (g, "W");
  params[0] = w;
  params[1] = bp_graph_lookup (g, "b");
  bp_optimizer_init_params (params, 2, BP_INIT_GAUSSIAN, 0.01, 5);
  first = bp_node_get_value (w)->data[0];
  g_assert_cmpfloat (first, !=, 0.0);
  g_assert_cmpfloat (fabs (first), <, 0.06);
  g_assert_cmpfloat (bp_node_get_value (params[1])->data[0], ==, 0.0);
  bp_optimizer_init_params (params, 2, BP_INIT_GAUSSIAN, 0.01, 5);
  g_assert_cmpfloat (bp_node_get_value (w)->data[0], ==, first);
  bp_optimizer_init_params (params, 2, BP_INIT_HE, 0.01, 5);
  /* He: √(2/2) = 1 times the same normal number. */
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (w)->data[0], first * 100, 1e-12);
}

/* --- data inputs need no gradient --- */

static void
test_no_grad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("two-layer-net", &error);
  BpGraph *g = bp_document_get_graph (doc);
  g_autoptr(BpGraph) plain = bp_graph_copy (g);
  const char *params[] = { "W1", "b1", "W2", "b2" };

  bp_node_set_needs_grad (bp_graph_lookup (g, "x"), FALSE);
  bp_node_set_needs_grad (bp_graph_lookup (g, "t"), FALSE);
  for (guint trace = 0; trace < 2; trace++)
    {
      BpTrace *tr;
      const BpStep *step;

      bp_graph_set_record_trace (g, trace);
      g_assert_true (bp_graph_backward (g, &error));
      g_assert_true (bp_graph_backward (plain, &error));
      g_assert_no_error (error);
      g_assert_null (bp_node_get_grad (bp_graph_lookup (g, "x")));
      g_assert_null (bp_node_get_grad (bp_graph_lookup (g, "t")));
      g_assert_nonnull (bp_node_get_grad (bp_graph_lookup (plain, "x")));
      for (guint i = 0; i < G_N_ELEMENTS (params); i++)
        g_assert_true (bp_tensor_equal (bp_node_get_grad (bp_graph_lookup (g, params[i])),
                                        bp_node_get_grad (bp_graph_lookup (plain, params[i])),
                                        0, 0));
      if (!trace)
        continue;
      tr = bp_graph_get_trace (g);
      g_assert_cmpint (bp_trace_find_step (tr, bp_graph_lookup (g, "x"), BP_STEP_BACKWARD), ==, -1);
      step = bp_trace_get_step (tr, bp_trace_find_step (tr, bp_graph_lookup (g, "h"), BP_STEP_BACKWARD));
      g_assert_null (step->downstream[0]);
      g_assert_null (step->local[0]);
      g_assert_nonnull (step->downstream[1]);
    }
  bp_node_set_needs_grad (bp_graph_lookup (g, "x"), TRUE);
  g_assert_true (bp_graph_backward (g, &error));
  g_assert_nonnull (bp_node_get_grad (bp_graph_lookup (g, "x")));
}

/* --- training --- */

static BpTrainer *
xor_trainer (BpDocument **doc_out,
             guint64      seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("xor-hidden-layer", &error);
  g_autoptr(BpTrainSettings) settings = NULL;
  g_autoptr(BpDataset) data = NULL;
  BpTrainer *trainer;

  g_assert_no_error (error);
  settings = bp_train_settings_copy (bp_document_get_training (doc));
  settings->seed = seed;
  data = bp_dataset_load (settings->data, settings->seed, &error);
  g_assert_no_error (error);
  trainer = bp_trainer_new (bp_document_get_graph (doc), settings, data, &error);
  g_assert_no_error (error);
  *doc_out = g_steal_pointer (&doc);
  return trainer;
}

static void
test_train_xor (void)
{
  g_autoptr(BpDocument) doc = NULL;
  g_autoptr(BpTrainer) trainer = xor_trainer (&doc, 1);
  g_autoptr(GError) error = NULL;
  GArray *losses, *epochs;
  double mean_first = 0, mean_last = 0, accuracy;

  g_assert_true (bp_trainer_run (trainer, 2000, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  losses = bp_trainer_get_losses (trainer);
  epochs = bp_trainer_get_epochs (trainer);
  g_assert_cmpuint (losses->len, ==, 2000);
  /* 400 points, batches of 20: an epoch is 20 iterations. */
  g_assert_cmpuint (epochs->len, ==, 100);
  for (guint i = 0; i < 20; i++)
    {
      mean_first += g_array_index (losses, double, i) / 20;
      mean_last += g_array_index (losses, double, 1980 + i) / 20;
    }
  /* Starts at chance (ln 2 ≈ 0.69), ends near zero. */
  g_assert_cmpfloat (mean_first, >, 0.6);
  g_assert_cmpfloat (mean_last, <, 0.1);
  /* The known figure for seed 1 (any change of the arithmetic shows here). */
  g_test_message ("XOR loss after 2000 iterations: %.17g", g_array_index (losses, double, 1999));
  g_assert_cmpfloat_with_epsilon (g_array_index (losses, double, 1999), XOR_FINAL_LOSS, 1e-9);

  g_assert_true (bp_trainer_evaluate (trainer, BP_DATASET_TEST, 0, &accuracy, &error));
  g_assert_cmpfloat (accuracy, >=, 0.97);
  g_assert_cmpfloat (g_array_index (epochs, BpTrainEpoch, 99).test_accuracy, ==, accuracy);
  g_assert_null (bp_node_get_grad (bp_graph_lookup (bp_trainer_get_graph (trainer), "x")));
}

static void
test_determinism (void)
{
  g_autoptr(BpDocument) doc1 = NULL;
  g_autoptr(BpDocument) doc2 = NULL;
  g_autoptr(BpDocument) doc3 = NULL;
  g_autoptr(BpTrainer) a = xor_trainer (&doc1, 3);
  g_autoptr(BpTrainer) b = xor_trainer (&doc2, 3);
  g_autoptr(BpTrainer) c = xor_trainer (&doc3, 4);
  g_autoptr(GError) error = NULL;
  BpNode *const *pa, *const *pb;
  guint n;

  g_assert_true (bp_trainer_run (a, 300, NULL, NULL, NULL, &error));
  g_assert_true (bp_trainer_run (b, 300, NULL, NULL, NULL, &error));
  g_assert_true (bp_trainer_run (c, 300, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (bp_trainer_get_losses (a)->data, 300 * sizeof (double),
                   bp_trainer_get_losses (b)->data, 300 * sizeof (double));
  g_assert_cmpfloat (g_array_index (bp_trainer_get_losses (a), double, 299), !=,
                     g_array_index (bp_trainer_get_losses (c), double, 299));
  pa = bp_trainer_get_params (a, &n);
  pb = bp_trainer_get_params (b, &n);
  for (guint i = 0; i < n; i++)
    g_assert_true (bp_tensor_equal (bp_node_get_value (pa[i]), bp_node_get_value (pb[i]), 0, 0));

  /* Reset starts the same run again. */
  bp_trainer_reset (b);
  g_assert_true (bp_trainer_run (b, 300, NULL, NULL, NULL, &error));
  g_assert_cmpmem (bp_trainer_get_losses (a)->data, 300 * sizeof (double),
                   bp_trainer_get_losses (b)->data, 300 * sizeof (double));
}

static void
test_traced_iteration (void)
{
  g_autoptr(BpDocument) doc = NULL;
  g_autoptr(BpDocument) fresh_doc = NULL;
  g_autoptr(BpTrainer) trainer = xor_trainer (&doc, 1);
  g_autoptr(BpTrainer) twin = xor_trainer (&fresh_doc, 1);
  g_autoptr(BpTrainIteration) it = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BpGraph) fresh = NULL;
  g_autoptr(BpTensor) x = NULL;
  g_autoptr(BpTensor) t = NULL;
  BpTrace *a, *b;
  BpNode *const *params;
  guint n_params;
  double loss;

  /* Pause at iteration 50: 49 done. */
  g_assert_true (bp_trainer_run (trainer, 49, NULL, NULL, NULL, &error));
  g_assert_true (bp_trainer_run (twin, 50, NULL, NULL, NULL, &error));
  it = bp_trainer_step_traced (trainer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (it);
  g_assert_cmpuint (it->iteration, ==, 50);
  g_assert_cmpuint (bp_trainer_get_iteration (trainer), ==, 50);
  /* The traced iteration is the iteration: same loss, same params after. */
  g_assert_cmpfloat (it->loss, ==, g_array_index (bp_trainer_get_losses (twin), double, 49));
  g_assert_cmpfloat (g_array_index (bp_trainer_get_losses (trainer), double, 49), ==, it->loss);

  /* A fresh pass on the same batch with the same params. */
  fresh = bp_graph_copy (bp_document_get_graph (doc));
  params = bp_trainer_get_params (trainer, &n_params);
  g_assert_cmpuint (it->updates->len, ==, n_params);
  for (guint i = 0; i < it->updates->len; i++)
    {
      BpUpdateStep *u = &g_array_index (it->updates, BpUpdateStep, i);
      BpNode *node = bp_graph_lookup (fresh, bp_node_get_id (u->param));

      bp_node_set_value (node, u->before);
      /* SGD: W ← W − η·∂L/∂W, element by element. */
      for (gsize k = 0; k < bp_tensor_n_elements (u->before); k++)
        g_assert_cmpfloat (u->after->data[k], ==, u->before->data[k] - 0.1 * 10 * u->grad->data[k]);
      g_assert_true (bp_tensor_equal (u->after, bp_node_get_value (params[i]), 0, 0));
    }
  x = bp_tensor_new (it->batch_size, 2);
  t = bp_tensor_new (it->batch_size, 2);
  bp_dataset_fill_batch (bp_trainer_get_dataset (trainer), BP_DATASET_TRAIN, it->batch,
                         it->batch_size, x, t);
  bp_node_set_value (bp_graph_lookup (fresh, "x"), x);
  bp_node_set_value (bp_graph_lookup (fresh, "t"), t);
  bp_node_set_needs_grad (bp_graph_lookup (fresh, "x"), FALSE);
  bp_node_set_needs_grad (bp_graph_lookup (fresh, "t"), FALSE);
  bp_graph_set_record_trace (fresh, TRUE);
  g_assert_true (bp_graph_forward (fresh, &error));
  g_assert_true (bp_graph_backward (fresh, &error));
  g_assert_no_error (error);
  loss = bp_node_get_value (bp_graph_lookup (fresh, "L"))->data[0];
  g_assert_cmpfloat (loss, ==, it->loss);

  a = bp_graph_get_trace (it->graph);
  b = bp_graph_get_trace (fresh);
  g_assert_nonnull (a);
  g_assert_cmpuint (bp_trace_get_n_steps (a), ==, bp_trace_get_n_steps (b));
  g_assert_cmpuint (bp_trace_get_n_forward (a), ==, bp_trace_get_n_forward (b));
  for (guint i = 0; i < bp_trace_get_n_steps (a); i++)
    {
      const BpStep *sa = bp_trace_get_step (a, i), *sb = bp_trace_get_step (b, i);

      g_assert_cmpint (sa->kind, ==, sb->kind);
      g_assert_cmpstr (bp_node_get_id (sa->node), ==, bp_node_get_id (sb->node));
      g_assert_cmpuint (sa->n_inputs, ==, sb->n_inputs);
      if (sa->value != NULL)
        g_assert_true (bp_tensor_equal (sa->value, sb->value, 0, 0));
      if (sa->upstream != NULL)
        g_assert_true (bp_tensor_equal (sa->upstream, sb->upstream, 0, 0));
      for (guint s = 0; s < sa->n_inputs; s++)
        {
          g_assert_true ((sa->downstream[s] == NULL) == (sb->downstream[s] == NULL));
          if (sa->downstream[s] != NULL)
            g_assert_true (bp_tensor_equal (sa->downstream[s], sb->downstream[s], 0, 0));
        }
    }
}

static void
test_trainer_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("fashion-two-layer-net", &error);
  g_autoptr(BpTrainSettings) settings = bp_train_settings_copy (bp_document_get_training (doc));
  g_autoptr(BpDataset) xor = bp_dataset_load ("xor", 1, &error);
  g_autoptr(BpTrainer) trainer = NULL;

  /* 2 numbers per example into a net made for 784. */
  trainer = bp_trainer_new (bp_document_get_graph (doc), settings, xor, &error);
  g_assert_null (trainer);
  g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
  g_clear_error (&error);

  g_free (settings->input);
  settings->input = g_strdup ("W1");
  trainer = bp_trainer_new (bp_document_get_graph (doc), settings, xor, &error);
  g_assert_null (trainer);
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
}

/* --- settings in documents --- */

static void
test_settings_document (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = NULL;
  g_autoptr(BpTrainer) trainer = xor_trainer (&doc, 1);
  g_autoptr(BpDocument) loaded = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  BpTrainSettings *s;
  guint rows, cols;

  g_assert_true (bp_trainer_run (trainer, 40, NULL, NULL, NULL, &error));
  bp_trainer_finish (trainer);
  bp_document_set_training (doc, bp_trainer_get_settings (trainer));
  text = bp_document_to_data (doc, NULL);
  loaded = bp_document_load_from_data (text, -1, &error);
  g_assert_no_error (error);
  s = bp_document_get_training (loaded);
  g_assert_nonnull (s);
  g_assert_cmpstr (s->data, ==, "xor");
  g_assert_cmpuint (s->trained_iterations, ==, 40);
  g_assert_cmpuint (s->batch_size, ==, 20);
  g_assert_cmpint (s->init, ==, BP_INIT_XAVIER);
  g_assert_true (bp_train_settings_get_shape (s, "W1", &rows, &cols));
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpuint (cols, ==, 4);
  /* The trained params travel with the document. */
  g_assert_true (bp_tensor_equal (bp_node_get_value (bp_graph_lookup (bp_document_get_graph (loaded), "W1")),
                                  bp_node_get_value (bp_graph_lookup (bp_document_get_graph (doc), "W1")),
                                  0, 0));
  again = bp_document_to_data (loaded, NULL);
  g_assert_cmpstr (text, ==, again);
}

static void
test_settings_invalid (void)
{
  const char *cases[][2] = {
    { "\"training\": 3", "must be an object" },
    { "\"training\": {\"batch_size\": 0}", "batch_size" },
    { "\"training\": {\"learning_rate\": -1}", "learning_rate" },
    { "\"training\": {\"optimizer\": \"rmsprop\"}", "optimizer" },
    { "\"training\": {\"input\": \"nope\"}", "nope" },
    { "\"training\": {\"input\": \"y\", \"target\": \"y\"}", "two nodes" },
    { "\"training\": {\"target\": \"y\", \"shapes\": {\"y\": [2, 2]}}", "not a param" },
    { "\"training\": {\"shapes\": {\"x\": [0, 2]}}", "shape" },
    { "\"training\": {\"speed\": 1}", "unknown member" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf (
        "{\"format\": \"backprop-studio\", \"version\": 1, \"nodes\": ["
        "{\"id\": \"x\", \"op\": \"input\"}, {\"id\": \"y\", \"op\": \"input\"},"
        "{\"id\": \"W\", \"op\": \"param\"}], %s}", cases[i][0]);
      g_autoptr(BpDocument) doc = bp_document_load_from_data (text, -1, &error);

      g_assert_null (doc);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i][1]) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i][0], error->message, cases[i][1]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/train/idx/valid", Folder, NULL, folder_setup, test_idx_valid, folder_teardown);
  g_test_add ("/train/idx/truncated", Folder, NULL, folder_setup, test_idx_truncated, folder_teardown);
  g_test_add ("/train/idx/corrupt", Folder, NULL, folder_setup, test_idx_corrupt, folder_teardown);
  g_test_add ("/train/idx/missing", Folder, NULL, folder_setup, test_idx_missing, folder_teardown);
  g_test_add_func ("/train/2d-sets", test_2d_sets);
  g_test_add_func ("/train/optimizer/sgd", test_sgd);
  g_test_add_func ("/train/optimizer/momentum", test_momentum);
  g_test_add_func ("/train/optimizer/adam", test_adam);
  g_test_add_func ("/train/optimizer/init", test_init);
  g_test_add_func ("/train/no-grad", test_no_grad);
  g_test_add_func ("/train/xor", test_train_xor);
  g_test_add_func ("/train/determinism", test_determinism);
  g_test_add_func ("/train/traced-iteration", test_traced_iteration);
  g_test_add_func ("/train/errors", test_trainer_errors);
  g_test_add_func ("/train/settings/document", test_settings_document);
  g_test_add_func ("/train/settings/invalid", test_settings_invalid);
  return g_test_run ();
}
