/* SPDX-License-Identifier: MIT */
/* The gradient check's bound, sampling, progress and cancel, and running
 * it in a worker thread on a copy of the graph. */

#include <math.h>
#include <string.h>

#include "bp-error.h"
#include "bp-expr.h"
#include "bp-gradcheck.h"

/* x is a 20 × 20 leaf (400 elements), w a 1 × 1 one. */
static BpGraph *
make_graph (void)
{
  g_autoptr(GString) text = g_string_new ("x = [");
  g_autoptr(GError) error = NULL;
  BpGraph *graph;

  for (guint r = 0; r < 20; r++)
    {
      g_string_append (text, r > 0 ? ", [" : "[");
      for (guint c = 0; c < 20; c++)
        g_string_append_printf (text, c > 0 ? ", %g" : "%g", (r * 20.0 + c) / 400 - 0.5);
      g_string_append_c (text, ']');
    }
  g_string_append (text, "]\nw = 0.5\ny = sum(sigmoid(x)) * w\n");
  graph = bp_expr_parse (text->str, &error);
  g_assert_no_error (error);
  return graph;
}

static void
test_bound (void)
{
  g_autoptr(BpGraph) graph = make_graph ();
  g_autoptr(BpGradCheck) check = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (bp_grad_check_count_elements (graph), ==, 401);
  check = bp_grad_check_run_full (graph, 0, 400, BP_GRAD_CHECK_DEFAULT, 0, NULL, NULL, NULL,
                                  &error);
  g_assert_null (check);
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "401"));
  g_assert_nonnull (strstr (error->message, "400"));
  g_clear_error (&error);

  check = bp_grad_check_run_full (graph, 0, 401, BP_GRAD_CHECK_DEFAULT, 0, NULL, NULL, NULL,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (check->n_checked, ==, 401);
  g_assert_cmpuint (check->n_elements, ==, 401);
  g_assert_cmpfloat (check->max_rel_error, <, 1e-5);
}

static void
count_cb (guint    done,
          guint    total,
          gpointer user_data)
{
  guint *calls = user_data;

  g_assert_cmpuint (done, ==, *calls + 1);
  g_assert_cmpuint (total, ==, 50);
  (*calls)++;
}

/* The sample: exactly the number asked, the same for the same seed. */
static void
test_sample (void)
{
  g_autoptr(BpGraph) graph = make_graph ();
  g_autoptr(BpGradCheck) a = NULL;
  g_autoptr(BpGradCheck) b = NULL;
  g_autoptr(BpGradCheck) c = NULL;
  g_autoptr(GError) error = NULL;
  guint calls = 0, differ = 0;

  a = bp_grad_check_run_full (graph, 0, 50, BP_GRAD_CHECK_SAMPLE, 42, count_cb, &calls, NULL,
                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 50);
  g_assert_cmpuint (a->n_checked, ==, 50);
  g_assert_cmpuint (a->numeric_forward_evals, ==, 100);
  g_assert_cmpfloat (a->max_rel_error, <, 1e-5);
  b = bp_grad_check_run_full (graph, 0, 50, BP_GRAD_CHECK_SAMPLE, 42, NULL, NULL, NULL, &error);
  c = bp_grad_check_run_full (graph, 0, 50, BP_GRAD_CHECK_SAMPLE, 43, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint l = 0; l < a->leaves->len; l++)
    {
      BpGradCheckLeaf *la = g_ptr_array_index (a->leaves, l);
      BpGradCheckLeaf *lb = g_ptr_array_index (b->leaves, l);
      BpGradCheckLeaf *lc = g_ptr_array_index (c->leaves, l);

      for (gsize i = 0; i < bp_tensor_n_elements (la->numeric); i++)
        {
          g_assert_cmpint (isnan (la->numeric->data[i]), ==, isnan (lb->numeric->data[i]));
          differ += isnan (la->numeric->data[i]) != isnan (lc->numeric->data[i]);
        }
    }
  g_assert_cmpuint (differ, >, 0);
}

static void
cancel_cb (guint    done,
           guint    total,
           gpointer user_data)
{
  if (done == 10)
    g_cancellable_cancel (user_data);
}

static void
test_cancel (void)
{
  g_autoptr(BpGraph) graph = make_graph ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(BpGradCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) before = bp_tensor_copy (bp_node_get_value (bp_graph_lookup (graph, "x")));
  BpTensor *after;

  check = bp_grad_check_run_full (graph, 0, 0, BP_GRAD_CHECK_DEFAULT, 0, cancel_cb,
                                  cancellable, cancellable, &error);
  g_assert_null (check);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The leaf nudged when it stopped has its own value back. */
  after = bp_node_get_value (bp_graph_lookup (graph, "x"));
  for (gsize i = 0; i < bp_tensor_n_elements (before); i++)
    g_assert_cmpfloat (after->data[i], ==, before->data[i]);
}

/* As the application will: a worker checks a copy while the original is
 * edited on the main thread. */
static void
worker (GTask        *task,
        gpointer      source,
        gpointer      task_data,
        GCancellable *cancellable)
{
  GError *error = NULL;
  BpGradCheck *check = bp_grad_check_run_full (task_data, 0, 0, BP_GRAD_CHECK_DEFAULT, 0,
                                               NULL, NULL, cancellable, &error);

  if (check == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, check, (GDestroyNotify) bp_grad_check_free);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  BpGradCheck **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_task_propagate_pointer (G_TASK (result), &error);
  g_assert_no_error (error);
}

static void
test_worker_on_copy (void)
{
  g_autoptr(BpGraph) graph = make_graph ();
  g_autoptr(BpGraph) copy = bp_graph_copy (graph);
  g_autoptr(GTask) task = NULL;
  BpGradCheck *check = NULL;
  g_autoptr(BpTensor) w = bp_tensor_new_scalar (2.0);

  task = g_task_new (NULL, NULL, done_cb, &check);
  g_task_set_task_data (task, g_object_ref (copy), g_object_unref);
  g_task_run_in_thread (task, worker);
  /* The original is edited meanwhile; the copy shares nothing. */
  for (guint i = 0; i < 100; i++)
    bp_node_set_value (bp_graph_lookup (graph, "w"), w);
  while (check == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (check->n_checked, ==, 401);
  g_assert_cmpfloat (check->max_rel_error, <, 1e-5);
  bp_grad_check_free (check);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gradcheck/bound", test_bound);
  g_test_add_func ("/gradcheck/sample", test_sample);
  g_test_add_func ("/gradcheck/cancel", test_cancel);
  g_test_add_func ("/gradcheck/worker-on-copy", test_worker_on_copy);

  return g_test_run ();
}
