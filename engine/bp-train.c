/* SPDX-License-Identifier: MIT */
/* The training loop: mini-batches, the graph's passes, the optimizer. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "bp-train.h"
#include "bp-tensor-private.h"

/* Accuracy is measured on this many examples at a time. */
#define EVAL_CHUNK 1000u

struct _BpTrainer
{
  BpGraph         *graph;
  BpDataset       *data;
  BpTrainSettings *settings;
  BpOptimizer     *optimizer;

  BpNode          *input;
  BpNode          *target;
  BpNode          *output;
  BpNode          *scores;
  GPtrArray       *params;      /* BpNode*, borrowed */
  guint            target_cols; /* n_classes (one-hot) or 1 (labels) */

  guint64          iteration;
  guint64          first_iteration; /* where the history starts */
  guint            per_epoch;

  BpTensor        *x_batch;
  BpTensor        *t_batch;
  guint           *indices;

  GArray          *losses;      /* double */
  GArray          *epochs;      /* BpTrainEpoch */
};

void
bp_train_iteration_free (BpTrainIteration *self)
{
  if (self == NULL)
    return;
  g_free (self->batch);
  g_clear_object (&self->graph);
  g_clear_pointer (&self->updates, g_array_unref);
  g_free (self);
}

static void
update_step_clear (gpointer data)
{
  bp_update_step_clear (data);
}

/* --- binding data --- */

/* Binds examples `indices` of `part` to the input and target, reusing
 * the batch tensors when the size is the same. */
static void
bind (BpTrainer     *self,
      BpDatasetPart  part,
      const guint   *indices,
      guint          n)
{
  guint d = bp_dataset_get_n_features (self->data);

  if (self->x_batch == NULL || self->x_batch->rows != n)
    {
      g_clear_pointer (&self->x_batch, bp_tensor_unref);
      g_clear_pointer (&self->t_batch, bp_tensor_unref);
      self->x_batch = bp_tensor_new (n, d);
      self->t_batch = bp_tensor_new (n, self->target_cols);
    }
  /* A tensor the graph's trace or somebody else still holds stays as
   * it is: fill a fresh one. */
  if (bp_tensor_get_ref_count (self->x_batch) > 2)
    {
      g_clear_pointer (&self->x_batch, bp_tensor_unref);
      self->x_batch = bp_tensor_new (n, d);
    }
  if (bp_tensor_get_ref_count (self->t_batch) > 2)
    {
      g_clear_pointer (&self->t_batch, bp_tensor_unref);
      self->t_batch = bp_tensor_new (n, self->target_cols);
    }

  bp_dataset_fill_batch (self->data, part, indices, n, self->x_batch, self->t_batch);
  bp_node_set_value (self->input, self->x_batch);
  bp_node_set_value (self->target, self->t_batch);
}

void
bp_trainer_get_batch (BpTrainer *self,
                      guint64    iteration,
                      guint     *indices)
{
  /* Its own stream per iteration, so that any iteration's batch can be
   * drawn again without replaying the ones before it. As the book's
   * np.random.choice(train_size, batch_size): with replacement. */
  guint32 seeds[5] = {
    (guint32) self->settings->seed, (guint32) (self->settings->seed >> 32),
    (guint32) iteration, (guint32) (iteration >> 32), 0x62617463u,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seeds, G_N_ELEMENTS (seeds));
  guint n = bp_dataset_get_n_examples (self->data, BP_DATASET_TRAIN);

  for (guint i = 0; i < self->settings->batch_size; i++)
    indices[i] = g_rand_int_range (rand, 0, n);
}

static void
init_params (BpTrainer *self)
{
  bp_train_settings_init_params (self->settings, self->graph);
}

/* --- life cycle --- */

BpTrainer *
bp_trainer_new (BpGraph               *graph,
                const BpTrainSettings *settings,
                BpDataset             *data,
                GError               **error)
{
  g_autoptr(BpTrainer) self = NULL;
  guint n_classes, n_train, rows, cols;
  BpTensor *t_value;

  g_return_val_if_fail (BP_IS_GRAPH (graph), NULL);
  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  if (!bp_train_settings_check (settings, graph, error))
    return NULL;

  self = g_new0 (BpTrainer, 1);
  self->graph = g_object_ref (graph);
  self->data = bp_dataset_ref (data);
  self->settings = bp_train_settings_copy (settings);
  self->optimizer = bp_optimizer_new (settings->optimizer, settings->learning_rate);
  self->params = g_ptr_array_new ();
  self->losses = g_array_new (FALSE, FALSE, sizeof (double));
  self->epochs = g_array_new (FALSE, FALSE, sizeof (BpTrainEpoch));
  self->input = bp_graph_lookup (graph, settings->input);
  self->target = bp_graph_lookup (graph, settings->target);
  self->iteration = settings->trained_iterations;
  self->first_iteration = self->iteration;

  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      if (g_str_equal (bp_node_get_op (node)->name, "param"))
        g_ptr_array_add (self->params, node);
    }
  if (self->params->len == 0)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                   _("The graph has no param leaves: there is nothing to train"));
      return NULL;
    }

  self->output = bp_graph_get_output (graph);
  if (self->output == NULL || bp_node_get_n_inputs (self->output) == 0)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                   _("Training needs a loss as the graph's output (such as softmax_with_loss)"));
      return NULL;
    }
  self->scores = bp_node_get_input (self->output, 0);

  n_classes = bp_dataset_get_n_classes (data);
  n_train = bp_dataset_get_n_examples (data, BP_DATASET_TRAIN);
  t_value = bp_node_get_value (self->target);
  self->target_cols = t_value->cols == 1 && n_classes > 2 ? 1 : n_classes;
  if (t_value->cols == 1 && n_classes == 2 && t_value->rows > 1)
    self->target_cols = 1;

  if ((guint64) settings->batch_size * bp_dataset_get_n_features (data) > BP_TENSOR_MAX_ELEMENTS ||
      (guint64) EVAL_CHUNK * bp_dataset_get_n_features (data) > BP_TENSOR_MAX_ELEMENTS)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   /* Translators: the batch size, then the numbers per example */
                   _("A batch of %u examples of %u numbers is too large"),
                   settings->batch_size, bp_dataset_get_n_features (data));
      return NULL;
    }
  self->per_epoch = MAX (1u, n_train / settings->batch_size);
  self->indices = g_new (guint, MAX (settings->batch_size, EVAL_CHUNK));

  bp_graph_set_record_trace (graph, FALSE);
  bp_node_set_needs_grad (self->input, FALSE);
  bp_node_set_needs_grad (self->target, FALSE);

  if (self->iteration == 0)
    init_params (self);

  bp_trainer_get_batch (self, self->iteration + 1, self->indices);
  bind (self, BP_DATASET_TRAIN, self->indices, settings->batch_size);
  if (!bp_graph_validate (graph, error))
    return NULL;
  if (!bp_node_get_shape (self->output, &rows, &cols) || rows != 1 || cols != 1)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the output's id and its shape */
                   _("The output “%s” is %u×%u; training needs a loss, one number (1×1)"),
                   bp_node_get_id (self->output), rows, cols);
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
bp_trainer_free (BpTrainer *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->graph);
  g_clear_pointer (&self->data, bp_dataset_unref);
  g_clear_pointer (&self->settings, bp_train_settings_free);
  g_clear_pointer (&self->optimizer, bp_optimizer_free);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_clear_pointer (&self->x_batch, bp_tensor_unref);
  g_clear_pointer (&self->t_batch, bp_tensor_unref);
  g_clear_pointer (&self->losses, g_array_unref);
  g_clear_pointer (&self->epochs, g_array_unref);
  g_free (self->indices);
  g_free (self);
}

BpGraph *
bp_trainer_get_graph (BpTrainer *self)
{
  return self->graph;
}

BpDataset *
bp_trainer_get_dataset (BpTrainer *self)
{
  return self->data;
}

const BpTrainSettings *
bp_trainer_get_settings (BpTrainer *self)
{
  self->settings->trained_iterations = self->iteration;
  return self->settings;
}

guint64
bp_trainer_get_iteration (BpTrainer *self)
{
  return self->iteration;
}

guint
bp_trainer_get_iterations_per_epoch (BpTrainer *self)
{
  return self->per_epoch;
}

BpNode *const *
bp_trainer_get_params (BpTrainer *self,
                       guint     *n_params)
{
  *n_params = self->params->len;
  return (BpNode *const *) self->params->pdata;
}

GArray *
bp_trainer_get_losses (BpTrainer *self)
{
  return self->losses;
}

GArray *
bp_trainer_get_epochs (BpTrainer *self)
{
  return self->epochs;
}

void
bp_trainer_reset (BpTrainer *self)
{
  self->iteration = 0;
  self->first_iteration = 0;
  g_array_set_size (self->losses, 0);
  g_array_set_size (self->epochs, 0);
  bp_optimizer_reset (self->optimizer);
  init_params (self);
}

/* --- iterations --- */

static gboolean
forward_backward (BpTrainer  *self,
                  BpGraph    *graph,
                  BpNode     *output,
                  double     *loss,
                  GError    **error)
{
  if (!bp_graph_backward (graph, error))
    return FALSE;
  *loss = bp_node_get_value (output)->data[0];
  return TRUE;
}

static gboolean
iterate (BpTrainer  *self,
         GArray     *updates,
         double     *loss,
         GError    **error)
{
  bp_trainer_get_batch (self, self->iteration + 1, self->indices);
  bind (self, BP_DATASET_TRAIN, self->indices, self->settings->batch_size);

  if (!forward_backward (self, self->graph, self->output, loss, error))
    return FALSE;
  bp_optimizer_update (self->optimizer, (BpNode *const *) self->params->pdata,
                       self->params->len, updates);

  self->iteration++;
  g_array_append_val (self->losses, *loss);
  return TRUE;
}

gboolean
bp_trainer_step (BpTrainer  *self,
                 double     *loss,
                 GError    **error)
{
  double l;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!iterate (self, NULL, &l, error))
    return FALSE;
  if (loss != NULL)
    *loss = l;
  return TRUE;
}

BpTrainIteration *
bp_trainer_step_traced (BpTrainer  *self,
                        GError    **error)
{
  g_autoptr(BpTrainIteration) it = g_new0 (BpTrainIteration, 1);
  double loss;

  g_return_val_if_fail (self != NULL, NULL);

  it->iteration = self->iteration + 1;
  it->batch_size = self->settings->batch_size;
  it->batch = g_new (guint, it->batch_size);
  bp_trainer_get_batch (self, it->iteration, it->batch);
  bind (self, BP_DATASET_TRAIN, it->batch, it->batch_size);

  /* The copy keeps this iteration's values, gradients and trace while
   * the trainer's graph moves on. */
  it->graph = bp_graph_copy (self->graph);
  bp_graph_set_record_trace (it->graph, TRUE);
  if (!bp_graph_forward (it->graph, error) ||
      !forward_backward (self, it->graph, bp_graph_lookup (it->graph, bp_node_get_id (self->output)),
                         &it->loss, error))
    return NULL;

  it->updates = g_array_new (FALSE, TRUE, sizeof (BpUpdateStep));
  g_array_set_clear_func (it->updates, update_step_clear);
  if (!iterate (self, it->updates, &loss, error))
    return NULL;

  return g_steal_pointer (&it);
}

gboolean
bp_trainer_run (BpTrainer     *self,
                guint64        last_iteration,
                BpTrainFunc    func,
                gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GTimer) timer = g_timer_new ();

  g_return_val_if_fail (self != NULL, FALSE);

  while (self->iteration < last_iteration)
    {
      BpTrainProgress progress = { 0, };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (!iterate (self, NULL, &progress.loss, error))
        return FALSE;

      progress.iteration = self->iteration;
      progress.last_iteration = last_iteration;
      if (self->iteration % self->per_epoch == 0)
        {
          BpTrainEpoch epoch = { self->iteration, 0, 0 };

          if (!bp_trainer_evaluate (self, BP_DATASET_TRAIN, 0, &epoch.train_accuracy, error) ||
              !bp_trainer_evaluate (self, BP_DATASET_TEST, 0, &epoch.test_accuracy, error))
            return FALSE;
          g_array_append_val (self->epochs, epoch);
          progress.epoch_end = TRUE;
          progress.epoch = self->iteration / self->per_epoch;
          progress.train_accuracy = epoch.train_accuracy;
          progress.test_accuracy = epoch.test_accuracy;
        }
      progress.seconds = g_timer_elapsed (timer, NULL);
      if (func != NULL)
        func (&progress, user_data);
    }
  return TRUE;
}

/* --- prediction --- */

/* The class of each row of the scores. */
static void
classify (const BpTensor *scores,
          guint          *classes,
          double         *p1)
{
  for (guint r = 0; r < scores->rows; r++)
    {
      const double *row = scores->data + (gsize) r * scores->cols;
      guint best = 0;

      if (scores->cols == 1)
        {
          best = row[0] > 0.5;
          if (p1 != NULL)
            p1[r] = row[0];
        }
      else
        {
          for (guint c = 1; c < scores->cols; c++)
            if (row[c] > row[best])
              best = c;
          if (p1 != NULL)
            {
              double sum = 0;

              /* The softmax's p of class 1 (scores may be logits). */
              for (guint c = 0; c < scores->cols; c++)
                sum += exp (row[c] - row[best]);
              p1[r] = exp (row[1] - row[best]) / sum;
            }
        }
      classes[r] = best;
    }
}

static gboolean
forward_scores (BpTrainer  *self,
                GError    **error)
{
  if (!bp_graph_forward (self->graph, error))
    return FALSE;
  if (bp_node_get_value (self->scores) == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   _("The scores “%s” could not be computed"), bp_node_get_id (self->scores));
      return FALSE;
    }
  return TRUE;
}

gboolean
bp_trainer_evaluate (BpTrainer      *self,
                     BpDatasetPart   part,
                     guint           max_examples,
                     double         *accuracy,
                     GError        **error)
{
  guint n = bp_dataset_get_n_examples (self->data, part);
  guint right = 0;
  guint classes[EVAL_CHUNK];

  if (max_examples > 0 && max_examples < n)
    n = max_examples;

  for (guint start = 0; start < n; start += EVAL_CHUNK)
    {
      guint count = MIN (EVAL_CHUNK, n - start);

      for (guint i = 0; i < count; i++)
        self->indices[i] = start + i;
      bind (self, part, self->indices, count);
      if (!forward_scores (self, error))
        return FALSE;
      classify (bp_node_get_value (self->scores), classes, NULL);
      for (guint i = 0; i < count; i++)
        right += classes[i] == bp_dataset_get_label (self->data, part, start + i);
    }

  *accuracy = n > 0 ? (double) right / n : 0.0;
  return TRUE;
}

gboolean
bp_trainer_predict (BpTrainer       *self,
                    const BpTensor  *x,
                    guint           *classes,
                    double          *p1,
                    GError         **error)
{
  g_autoptr(BpTensor) xs = NULL;
  g_autoptr(BpTensor) ts = NULL;

  g_return_val_if_fail (x->cols == bp_dataset_get_n_features (self->data), FALSE);

  xs = bp_tensor_copy (x);
  ts = bp_tensor_new (x->rows, self->target_cols);
  bp_node_set_value (self->input, xs);
  bp_node_set_value (self->target, ts);
  if (!forward_scores (self, error))
    return FALSE;
  classify (bp_node_get_value (self->scores), classes, p1);
  return TRUE;
}

void
bp_trainer_finish (BpTrainer *self)
{
  guint first = 0;

  bind (self, BP_DATASET_TEST, &first, 1);
  bp_node_set_needs_grad (self->input, TRUE);
  bp_node_set_needs_grad (self->target, TRUE);
  self->settings->trained_iterations = self->iteration;
}
