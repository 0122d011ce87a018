/* SPDX-License-Identifier: MIT */
/* Training speed and accuracy of the book's 5.7 network (784-50-10,
 * batch 100, SGD, learning rate 0.1), printed as figures, never asserted.
 *
 *   bench-train [--numpy SCRIPT]   ms per iteration (forward, backward,
 *                                  update; the best of 3 epochs of 600
 *                                  iterations, wall clock and CPU time),
 *                                  and the same network in plain numpy,
 *                                  as it comes and with one BLAS thread
 *   bench-train --accuracy         test accuracy after 10,000 iterations
 *
 * Uses Fashion-MNIST when installed, else random data of the same shape
 * for the speed figures. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bp-engine.h"

#define WARM_UP 20
#define EPOCH   600
#define RUNS    3

/* Random IDX files of MNIST's shape in a temporary folder: the speed
 * does not depend on the pixels. */
static char *
write_random_idx (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("bench-train-XXXXXX", &error);
  const char *names[4] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };
  guint counts[2] = { 60000, 10000 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  g_assert_no_error (error);
  for (guint f = 0; f < 4; f++)
    {
      gboolean images = f % 2 == 0;
      guint n = counts[f / 2];
      gsize header = images ? 16 : 8, size = header + (gsize) n * (images ? 784 : 1);
      g_autofree guint8 *data = g_malloc (size);
      g_autofree char *path = g_build_filename (dir, names[f], NULL);
      guint32 words[4] = { GUINT32_TO_BE (images ? 0x803 : 0x801), GUINT32_TO_BE (n),
                           GUINT32_TO_BE (28), GUINT32_TO_BE (28) };

      memcpy (data, words, header);
      for (gsize i = header; i < size; i++)
        data[i] = images ? g_rand_int_range (rand, 0, 256) : g_rand_int_range (rand, 0, 10);
      g_file_set_contents (path, (const char *) data, size, &error);
      g_assert_no_error (error);
    }
  return dir;
}

static void
remove_dir (const char *dir)
{
  const char *names[4] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

  for (guint f = 0; f < 4; f++)
    {
      g_autofree char *path = g_build_filename (dir, names[f], NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static BpTrainer *
make_trainer (BpDocument *document,
              BpDataset  *data,
              guint       iterations)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTrainSettings) settings = bp_train_settings_copy (bp_document_get_training (document));
  BpTrainer *trainer;

  settings->iterations = iterations;
  trainer = bp_trainer_new (bp_document_get_graph (document), settings, data, &error);
  g_assert_no_error (error);
  return trainer;
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of the whole process: on a machine shared with other work it
 * says more than the wall clock. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
run_numpy (const char *script,
           const char *dir,
           const char *threads,
           double      total,
           double      cpu)
{
  g_autoptr(GError) error = NULL;
  const char *python = g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
                       ? "/usr/bin/python3" : "python3";
  const char *argv[] = { python, script, dir != NULL ? dir : BP_DATASET_FASHION_MNIST_DIR,
                         "--repeat", G_STRINGIFY (RUNS), NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *label = NULL;
  int status = 0;
  double numpy_ms, numpy_cpu = 0;

  if (threads != NULL)
    env = g_environ_setenv (env, "OPENBLAS_NUM_THREADS", threads, TRUE);
  label = threads != NULL ? g_strdup_printf ("numpy, OPENBLAS_NUM_THREADS=%s", threads)
                          : g_strdup ("numpy");
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL) ||
      sscanf (out, "numpy_ms_per_iteration %lf numpy_cpu_ms_per_iteration %lf",
              &numpy_ms, &numpy_cpu) < 1)
    g_print ("%s: not measured (%s)\n", label,
             error != NULL ? error->message : err != NULL && *err ? err : "no python3-numpy?");
  else
    g_print ("%s: %.3f ms per iteration, CPU %.3f ms (best of %u epochs); engine / numpy = %.2f "
             "(CPU time: %.2f)\n", label, numpy_ms, numpy_cpu, RUNS, total / numpy_ms,
             numpy_cpu > 0 ? cpu / numpy_cpu : 0);
}

static void
bench_speed (BpDataset  *data,
             const char *dir,
             const char *script)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = bp_examples_load ("fashion-two-layer-net", &error);
  g_autoptr(BpTrainer) trainer = NULL;
  g_autoptr(BpOptimizer) sgd = bp_optimizer_new (BP_OPTIMIZER_SGD, 0.1);
  g_autoptr(BpTensor) x = NULL;
  g_autoptr(BpTensor) t = NULL;
  BpGraph *graph;
  BpNode *const *params;
  guint n_params;
  guint indices[100];
  double t0, c0, total, cpu, forward = 0, backward = 0, update = 0, batch = 0;

  g_assert_no_error (error);
  trainer = make_trainer (document, data, EPOCH);
  for (guint i = 0; i < WARM_UP; i++)
    bp_trainer_step (trainer, NULL, &error);

  /* Epochs as the trainer runs them; the best of a few (on a shared
   * machine the others only add what other work cost). */
  total = cpu = G_MAXDOUBLE;
  for (guint run = 0; run < RUNS; run++)
    {
      t0 = now_ms ();
      c0 = cpu_ms ();
      for (guint i = 0; i < EPOCH; i++)
        bp_trainer_step (trainer, NULL, &error);
      total = MIN (total, (now_ms () - t0) / EPOCH);
      cpu = MIN (cpu, (cpu_ms () - c0) / EPOCH);
    }
  g_assert_no_error (error);

  /* The same iterations again, each part timed on its own. */
  graph = bp_trainer_get_graph (trainer);
  params = bp_trainer_get_params (trainer, &n_params);
  x = bp_tensor_new (100, 784);
  t = bp_tensor_new (100, 10);
  for (guint i = 0; i < EPOCH; i++)
    {
      double a, b, c, d;

      a = now_ms ();
      bp_trainer_get_batch (trainer, i + 1, indices);
      bp_dataset_fill_batch (data, BP_DATASET_TRAIN, indices, 100, x, t);
      bp_node_set_value (bp_graph_lookup (graph, "x"), x);
      bp_node_set_value (bp_graph_lookup (graph, "t"), t);
      b = now_ms ();
      bp_graph_forward (graph, &error);
      c = now_ms ();
      bp_graph_backward (graph, &error);
      d = now_ms ();
      bp_optimizer_update (sgd, params, n_params, NULL);
      update += now_ms () - d;
      backward += d - c;
      forward += c - b;
      batch += b - a;
    }
  g_assert_no_error (error);

  g_print ("train: 784-50-10, batch 100, SGD (%s data)\n", dir != NULL ? "random" : bp_dataset_get_name (data));
  g_print ("train: %.3f ms per iteration, CPU %.3f ms (best of %u epochs); one epoch of %u iterations: "
           "%.2f s, CPU %.2f s\n", total, cpu, RUNS, EPOCH, total * EPOCH / 1000, cpu * EPOCH / 1000);
  g_print ("train: parts (wall): batch %.3f ms, forward %.3f ms, backward %.3f ms, update %.3f ms\n",
           batch / EPOCH, forward / EPOCH, backward / EPOCH, update / EPOCH);
#ifdef BP_HAVE_CBLAS_BUILD
  g_print ("train: matrix products through OpenBLAS\n");
#endif

  if (script != NULL)
    {
      /* numpy as it comes (OpenBLAS with a thread per core), and with
       * one thread, as the engine runs its products. */
      run_numpy (script, dir, NULL, total, cpu);
      run_numpy (script, dir, "1", total, cpu);
    }
}

static void
bench_accuracy (BpDataset *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = bp_examples_load ("fashion-two-layer-net", &error);
  g_autoptr(BpTrainer) trainer = NULL;
  double train_acc, test_acc, t0;

  g_assert_no_error (error);
  trainer = make_trainer (document, data, 10000);
  t0 = now_ms ();
  for (guint i = 0; i < 10000; i++)
    bp_trainer_step (trainer, NULL, &error);
  g_assert_no_error (error);
  g_print ("accuracy: 10000 iterations in %.1f s\n", (now_ms () - t0) / 1000);
  bp_trainer_evaluate (trainer, BP_DATASET_TRAIN, 0, &train_acc, &error);
  bp_trainer_evaluate (trainer, BP_DATASET_TEST, 0, &test_acc, &error);
  g_assert_no_error (error);
  g_print ("accuracy: Fashion-MNIST, the book's settings, 10000 iterations: train %.2f %%, test %.2f %% (target ≥ 84 %%)\n",
           100 * train_acc, 100 * test_acc);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDataset) data = NULL;
  g_autofree char *dir = NULL;
  const char *script = NULL;
  gboolean accuracy = FALSE;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--accuracy"))
      accuracy = TRUE;
    else if (g_str_equal (argv[i], "--numpy") && i + 1 < argc)
      script = argv[++i];

  data = bp_dataset_load ("fashion-mnist", 1, &error);
  if (data == NULL)
    {
      if (accuracy)
        {
          g_print ("accuracy: not measured: %s\n", error->message);
          return 0;
        }
      g_clear_error (&error);
      dir = write_random_idx ();
      data = bp_dataset_load_idx_dir (dir, &error);
      g_assert_no_error (error);
    }

  if (accuracy)
    bench_accuracy (data);
  else
    bench_speed (data, dir, script);

  if (dir != NULL)
    remove_dir (dir);
  return 0;
}
