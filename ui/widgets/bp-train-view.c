/* SPDX-License-Identifier: MIT */
/* The Train view: settings, Start/Pause/Iteration/Reset, live plots. The
 * trainer works on a copy of the session's graph in a worker thread (a
 * GTask's, in a thread of its own at a lower priority); the worker hands
 * its progress to the main loop through a mutex-protected inbox, and the
 * view keeps its own copies of the curves to draw. Only one job runs at
 * a time; while none runs, the trainer belongs to the main thread. */
#include <glib/gi18n.h>
#include <math.h>
#include <adwaita.h>
#ifdef __linux__
# include <sys/resource.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif

#include "bp-train-view.h"
#include "bp-plot.h"
#include "bp-train.h"

/* How often the worker hands over progress, and draws a new boundary. */
#define INBOX_INTERVAL_US    50000
#define BOUNDARY_INTERVAL_US 250000
#define BOUNDARY_RESOLUTION  80

static const char *const data_names[] = { "fashion-mnist", "xor", "circles", "moons", "spiral" };

typedef enum
{
  JOB_RUN,
  JOB_STEP,
} JobKind;

/* What the worker shares with the main thread while it runs. */
typedef struct
{
  GMutex          lock;
  GArray         *losses;     /* double, new since the last drain */
  GArray         *epochs;     /* BpTrainEpoch, new since the last drain */
  guint64         iteration;
  guint64         last_iteration;
  double          seconds;
  BpPlotBoundary *boundary;   /* newest, or NULL */
  gboolean        scheduled;
} Inbox;

typedef struct
{
  JobKind          kind;
  BpTrainView     *view;      /* a reference: kept alive until the job ends */
  BpTrainer       *trainer;   /* NULL: made by the worker */
  BpGraph         *graph;     /* the copy to train, for a new trainer */
  BpTrainSettings *settings;
  BpDataset       *dataset;   /* NULL: loaded by the worker */
  guint64          last_iteration;
  gint64           last_handover;
  gint64           last_boundary;
  BpTrainIteration *traced;   /* JOB_STEP's result */
  BpDocument      *document;  /* the session's when the job started */
} Job;

struct _BpTrainView
{
  GtkBox            parent_instance;

  /* Template Widgets */
  GtkDropDown      *data_dropdown;
  GtkDropDown      *optimizer_dropdown;
  GtkSpinButton    *lr_spin;
  GtkSpinButton    *batch_spin;
  GtkSpinButton    *iterations_spin;
  GtkProgressBar   *progress_bar;
  GtkLabel         *status_label;
  GtkLabel         *update_label;
  GtkDrawingArea   *loss_area;
  GtkDrawingArea   *accuracy_area;
  GtkDrawingArea   *boundary_area;

  /* Owned References */
  BpSession        *session;
  GSimpleActionGroup *actions;
  BpTrainer        *trainer;       /* NULL while a job holds it */
  BpDataset        *dataset;
  BpTrainSettings  *trainer_settings; /* what the trainer was made with */
  GCancellable     *cancellable;   /* of the running job */
  Inbox             inbox;
  GArray           *losses;        /* the curves as drawn */
  GArray           *epochs;
  BpPlotBoundary   *boundary;
  guint64           first_iteration;
  guint64           iteration;
  guint             per_epoch;
  char             *update_text;
  gboolean          busy;
  gint              pausing;       /* atomic: Pause (not another document) stopped the run */
};

G_DEFINE_FINAL_TYPE (BpTrainView, bp_train_view, GTK_TYPE_BOX)

static void document_changed_cb (BpSession *session, BpTrainView *self);

/* --- helpers --- */

static void
job_free (Job *job)
{
  g_clear_pointer (&job->trainer, bp_trainer_free);
  g_clear_object (&job->graph);
  g_clear_pointer (&job->settings, bp_train_settings_free);
  g_clear_pointer (&job->dataset, bp_dataset_unref);
  g_clear_pointer (&job->traced, bp_train_iteration_free);
  g_clear_object (&job->document);
  g_clear_object (&job->view);
  g_free (job);
}

static void
set_enabled (BpTrainView *self,
             const char  *name,
             gboolean     enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_actions (BpTrainView *self)
{
  set_enabled (self, "start", !self->busy);
  set_enabled (self, "pause", self->busy && self->cancellable != NULL);
  set_enabled (self, "iteration", !self->busy);
  set_enabled (self, "reset", !self->busy && self->trainer != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->data_dropdown), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->optimizer_dropdown), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lr_spin), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->batch_spin), !self->busy);
}

static void
set_status (BpTrainView *self,
            const char  *text)
{
  gtk_label_set_label (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && *text != '\0');
}

static void
update_progress (BpTrainView *self,
                 guint64      last_iteration,
                 double       seconds)
{
  g_autofree char *text = NULL;
  guint64 done = self->iteration;
  guint64 run = done - MIN (done, self->first_iteration);

  if (last_iteration == 0)
    last_iteration = gtk_spin_button_get_value_as_int (self->iterations_spin);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 last_iteration > 0 ? MIN (1.0, (double) done / last_iteration) : 0);
  if (self->busy && seconds > 0 && run > 0 && done < last_iteration)
    {
      double left = seconds / run * (last_iteration - done);

      /* Translators: iterations done, of how many, then seconds left */
      text = g_strdup_printf (_("%llu of %llu · %.0f s left"),
                              (unsigned long long) done, (unsigned long long) last_iteration,
                              ceil (left));
    }
  else
    /* Translators: iterations done, of how many */
    text = g_strdup_printf (_("%llu of %llu"), (unsigned long long) done,
                            (unsigned long long) last_iteration);
  gtk_progress_bar_set_text (self->progress_bar, text);
}

/* The settings as the controls give them, on top of the document's. */
static BpTrainSettings *
read_settings (BpTrainView *self)
{
  BpTrainSettings *doc = bp_document_get_training (bp_session_get_document (self->session));
  BpTrainSettings *s = doc != NULL ? bp_train_settings_copy (doc) : bp_train_settings_new ();
  guint data = gtk_drop_down_get_selected (self->data_dropdown);

  g_free (s->data);
  s->data = g_strdup (data_names[MIN (data, G_N_ELEMENTS (data_names) - 1)]);
  s->optimizer = MIN (gtk_drop_down_get_selected (self->optimizer_dropdown), BP_OPTIMIZER_ADAM);
  s->learning_rate = gtk_spin_button_get_value (self->lr_spin);
  s->batch_size = gtk_spin_button_get_value_as_int (self->batch_spin);
  s->iterations = gtk_spin_button_get_value_as_int (self->iterations_spin);
  return s;
}

/* A trainer made with other settings than these is started afresh. */
static gboolean
same_training (const BpTrainSettings *a,
               const BpTrainSettings *b)
{
  return a != NULL && b != NULL && g_str_equal (a->data, b->data) &&
         a->optimizer == b->optimizer && a->learning_rate == b->learning_rate &&
         a->batch_size == b->batch_size && a->seed == b->seed && a->init == b->init;
}

static void
clear_curves (BpTrainView *self)
{
  g_array_set_size (self->losses, 0);
  g_array_set_size (self->epochs, 0);
  g_clear_pointer (&self->boundary, bp_plot_boundary_free);
  gtk_widget_queue_draw (GTK_WIDGET (self->loss_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->accuracy_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->boundary_area));
}

/* Sends the trained params to the session as one undoable edit, with a
 * one-example batch the diagram can show, and the training settings to
 * the document. */
static void
send_params (BpTrainView *self)
{
  BpHistory *history = bp_session_get_history (self->session);
  BpGraph *graph = bp_session_get_graph (self->session);
  BpNode *const *params;
  guint n_params;
  const BpTrainSettings *settings;
  g_autoptr(GError) error = NULL;

  if (self->trainer == NULL)
    return;
  settings = bp_trainer_get_settings (self->trainer);
  params = bp_trainer_get_params (self->trainer, &n_params);

  bp_history_begin_group (history, _("Train"));
  for (guint i = 0; i < n_params; i++)
    {
      BpNode *node = bp_graph_lookup (graph, bp_node_get_id (params[i]));

      if (node != NULL && !bp_history_set_value (history, node, bp_node_get_value (params[i]), &error))
        break;
    }
  if (error == NULL)
    {
      BpDataset *data = bp_trainer_get_dataset (self->trainer);
      BpNode *x = bp_graph_lookup (graph, settings->input);
      BpNode *t = bp_graph_lookup (graph, settings->target);
      guint first = 0;

      if (x != NULL && t != NULL)
        {
          BpTensor *old_t = bp_node_get_value (t);
          g_autoptr(BpTensor) xs = bp_tensor_new (1, bp_dataset_get_n_features (data));
          g_autoptr(BpTensor) ts = bp_tensor_new (1, old_t->cols == 1 ? 1 : bp_dataset_get_n_classes (data));

          bp_dataset_fill_batch (data, BP_DATASET_TEST, &first, 1, xs, ts);
          if (bp_history_set_value (history, x, xs, &error))
            bp_history_set_value (history, t, ts, &error);
        }
    }
  bp_history_end_group (history);
  bp_document_set_training (bp_session_get_document (self->session), settings);
  bp_session_set_modified (self->session, TRUE);
  if (error != NULL)
    set_status (self, error->message);
}

/* Puts a traced iteration into the session: its params before the update
 * and its batch, so the session's passes are that iteration's. */
static void
send_iteration (BpTrainView      *self,
                BpTrainIteration *it)
{
  BpHistory *history = bp_session_get_history (self->session);
  BpGraph *graph = bp_session_get_graph (self->session);
  const BpTrainSettings *settings = bp_trainer_get_settings (self->trainer);
  const char *data_ids[2] = { settings->input, settings->target };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  bp_history_begin_group (history, _("Show an iteration"));
  for (guint i = 0; i < it->updates->len && error == NULL; i++)
    {
      BpUpdateStep *u = &g_array_index (it->updates, BpUpdateStep, i);
      BpNode *node = bp_graph_lookup (graph, bp_node_get_id (u->param));

      if (node != NULL)
        bp_history_set_value (history, node, u->before, &error);
    }
  for (guint i = 0; i < 2 && error == NULL; i++)
    {
      BpNode *node = bp_graph_lookup (graph, data_ids[i]);
      BpNode *source = bp_graph_lookup (it->graph, data_ids[i]);

      if (node != NULL && source != NULL)
        bp_history_set_value (history, node, bp_node_get_value (source), &error);
    }
  bp_history_end_group (history);
  if (error != NULL)
    set_status (self, error->message);
  else
    {
      /* The params shown are those before this iteration's update. */
      g_autoptr(BpTrainSettings) shown = bp_train_settings_copy (settings);

      shown->trained_iterations = it->iteration - 1;
      bp_document_set_training (bp_session_get_document (self->session), shown);
      bp_session_set_modified (self->session, TRUE);
    }

  /* The updates are the player's steps after the backward pass. */
  if (error == NULL)
    bp_session_set_updates (self->session, (const BpUpdateStep *) it->updates->data,
                            it->updates->len);

  /* The same numbers here, for a glance without stepping. */
  g_string_append_printf (text,
                          /* Translators: the iteration's number, then its loss */
                          _("Iteration %llu: loss %.4f. The player steps through its forward and backward pass, then one update per param:"),
                          (unsigned long long) it->iteration, it->loss);
  for (guint i = 0; i < it->updates->len; i++)
    {
      BpUpdateStep *u = &g_array_index (it->updates, BpUpdateStep, i);
      g_autofree char *numbers = bp_update_step_describe (u, bp_node_get_label (u->param));

      g_string_append_printf (text, "\n%s    %s", u->formula, numbers);
    }
  g_free (self->update_text);
  self->update_text = g_string_free (g_steal_pointer (&text), FALSE);
  gtk_label_set_label (self->update_label, self->update_text);
  gtk_widget_set_visible (GTK_WIDGET (self->update_label), TRUE);
}

/* --- the worker --- */

static gboolean
drain_inbox_cb (gpointer data)
{
  BpTrainView *self = data;
  guint64 last;
  double seconds;
  gboolean new_losses, new_epochs, new_boundary;

  /* Gone from screen meanwhile: nothing to draw. */
  if (self->session == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->inbox.lock);
  new_losses = self->inbox.losses->len > 0;
  new_epochs = self->inbox.epochs->len > 0;
  new_boundary = self->inbox.boundary != NULL;
  g_array_append_vals (self->losses, self->inbox.losses->data, self->inbox.losses->len);
  g_array_append_vals (self->epochs, self->inbox.epochs->data, self->inbox.epochs->len);
  g_array_set_size (self->inbox.losses, 0);
  g_array_set_size (self->inbox.epochs, 0);
  if (self->inbox.boundary != NULL)
    {
      g_clear_pointer (&self->boundary, bp_plot_boundary_free);
      self->boundary = g_steal_pointer (&self->inbox.boundary);
    }
  self->iteration = MAX (self->iteration, self->inbox.iteration);
  last = self->inbox.last_iteration;
  seconds = self->inbox.seconds;
  self->inbox.scheduled = FALSE;
  g_mutex_unlock (&self->inbox.lock);

  update_progress (self, last, seconds);
  /* Only what changed: the frames stay cheap while a net trains. */
  if (new_losses)
    gtk_widget_queue_draw (GTK_WIDGET (self->loss_area));
  if (new_epochs)
    gtk_widget_queue_draw (GTK_WIDGET (self->accuracy_area));
  if (new_boundary)
    gtk_widget_queue_draw (GTK_WIDGET (self->boundary_area));
  return G_SOURCE_REMOVE;
}

/* Runs in the worker, after each iteration. */
static void
progress_cb (const BpTrainProgress *p,
             gpointer               user_data)
{
  Job *job = user_data;
  Inbox *inbox = &job->view->inbox;
  gint64 now = g_get_monotonic_time ();
  BpPlotBoundary *boundary = NULL;

  if (bp_dataset_get_n_features (bp_trainer_get_dataset (job->trainer)) == 2 &&
      (now - job->last_boundary > BOUNDARY_INTERVAL_US || p->iteration == p->last_iteration))
    {
      boundary = bp_plot_boundary_new (job->trainer, BOUNDARY_RESOLUTION, NULL);
      job->last_boundary = now;
    }

  g_mutex_lock (&inbox->lock);
  g_array_append_val (inbox->losses, p->loss);
  if (p->epoch_end)
    {
      BpTrainEpoch e = { p->iteration, p->train_accuracy, p->test_accuracy };

      g_array_append_val (inbox->epochs, e);
    }
  inbox->iteration = p->iteration;
  inbox->last_iteration = p->last_iteration;
  inbox->seconds = p->seconds;
  if (boundary != NULL)
    {
      g_clear_pointer (&inbox->boundary, bp_plot_boundary_free);
      inbox->boundary = boundary;
    }
  /* At most every INBOX_INTERVAL_US: a small set ends an epoch every
   * few iterations, and handing over each would keep the main loop busy
   * with redraws instead of frames. */
  if (!inbox->scheduled && (now - job->last_handover > INBOX_INTERVAL_US ||
                            p->iteration == p->last_iteration))
    {
      inbox->scheduled = TRUE;
      job->last_handover = now;
      /* Always a source in the main loop: g_main_context_invoke() would
       * run it right here when the main thread does not own the context
       * at this moment. */
      g_idle_add_full (G_PRIORITY_DEFAULT, drain_inbox_cb,
                       g_object_ref (job->view), g_object_unref);
    }
  g_mutex_unlock (&inbox->lock);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;

  if (job->trainer == NULL)
    {
      if (job->dataset == NULL)
        job->dataset = bp_dataset_load (job->settings->data, job->settings->seed, &error);
      if (job->dataset != NULL)
        job->trainer = bp_trainer_new (job->graph, job->settings, job->dataset, &error);
      if (job->trainer == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (job->kind == JOB_STEP)
    {
      job->traced = bp_trainer_step_traced (job->trainer, &error);
      if (job->traced != NULL && bp_dataset_get_n_features (job->dataset) == 2)
        {
          BpPlotBoundary *boundary = bp_plot_boundary_new (job->trainer, BOUNDARY_RESOLUTION, NULL);

          g_mutex_lock (&job->view->inbox.lock);
          g_clear_pointer (&job->view->inbox.boundary, bp_plot_boundary_free);
          job->view->inbox.boundary = boundary;
          g_mutex_unlock (&job->view->inbox.lock);
        }
    }
  else if (!bp_trainer_run (job->trainer, job->last_iteration, progress_cb, job, cancellable, &error) &&
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           g_atomic_int_get (&job->view->pausing))
    {
      /* Paused: the next iteration with its trace on, for the player to
       * step through (its forward and backward pass, then its update). */
      g_autoptr(GError) step_error = NULL;

      job->traced = bp_trainer_step_traced (job->trainer, &step_error);
    }

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
unref_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* The worker is a thread of its own, below the main thread's priority:
 * when the cores are busy the frames come first, and the priority goes
 * with the thread (a pool thread would keep it for other work). */
static gpointer
job_thread_main (gpointer data)
{
  GTask *task = data;
  GSource *source;

#if defined(__linux__) && defined(SYS_gettid)
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
#endif
  job_thread (task, g_task_get_source_object (task), g_task_get_task_data (task),
              g_task_get_cancellable (task));
  /* The task holds the view (a widget, through the task and its job):
   * its last reference must go in the main thread, never here. */
  source = g_idle_source_new ();
  g_source_set_callback (source, unref_task_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
  return NULL;
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BpTrainView *self = BP_TRAIN_VIEW (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  self->busy = FALSE;
  if (self->session == NULL)
    return;
  /* The session moved on to another document meanwhile: this training
   * belongs to none of its graphs. */
  if (job->document != bp_session_get_document (self->session))
    {
      g_clear_object (&self->cancellable);
      document_changed_cb (self->session, self);
      return;
    }

  /* The trainer is the main thread's again. */
  if (job->trainer != NULL)
    {
      if (self->trainer != job->trainer)
        {
          g_clear_pointer (&self->trainer, bp_trainer_free);
          g_clear_pointer (&self->trainer_settings, bp_train_settings_free);
          self->trainer_settings = bp_train_settings_copy (job->settings);
          self->trainer = g_steal_pointer (&job->trainer);
          self->per_epoch = bp_trainer_get_iterations_per_epoch (self->trainer);
        }
      else
        job->trainer = NULL;
    }
  if (job->dataset != NULL && self->dataset != job->dataset)
    {
      g_clear_pointer (&self->dataset, bp_dataset_unref);
      self->dataset = g_steal_pointer (&job->dataset);
    }
  g_clear_object (&self->cancellable);
  self->busy = FALSE;

  drain_inbox_cb (self);
  if (self->trainer != NULL)
    self->iteration = bp_trainer_get_iteration (self->trainer);
  gtk_widget_set_visible (GTK_WIDGET (self->boundary_area),
                          self->dataset != NULL && bp_dataset_get_n_features (self->dataset) == 2);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (self, error->message);
  else
    set_status (self, NULL);

  if (job->traced != NULL)
    {
      g_array_append_val (self->losses, job->traced->loss);
      send_iteration (self, job->traced);
    }
  else if (self->trainer != NULL && (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    send_params (self);

  update_progress (self, 0, 0);
  update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->loss_area));
}

static void
start_job (BpTrainView *self,
           JobKind      kind)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BpTrainSettings) settings = read_settings (self);
  Job *job;

  if (self->busy)
    return;

  /* Other settings than the trainer's: a new run. */
  if (self->trainer != NULL && !same_training (settings, self->trainer_settings))
    {
      g_clear_pointer (&self->trainer, bp_trainer_free);
      clear_curves (self);
    }
  if (self->dataset != NULL && !g_str_equal (bp_dataset_get_name (self->dataset), settings->data))
    g_clear_pointer (&self->dataset, bp_dataset_unref);

  job = g_new0 (Job, 1);
  job->kind = kind;
  job->view = g_object_ref (self);
  job->document = g_object_ref (bp_session_get_document (self->session));
  job->trainer = g_steal_pointer (&self->trainer);
  if (job->trainer == NULL)
    {
      /* A fresh start from the seed: the session's params may be trained. */
      settings->trained_iterations = 0;
      job->graph = bp_graph_copy (bp_session_get_graph (self->session));
      self->first_iteration = 0;
      self->iteration = 0;
      clear_curves (self);
    }
  else
    self->first_iteration = bp_trainer_get_iteration (job->trainer);
  job->dataset = self->dataset != NULL ? bp_dataset_ref (self->dataset) : NULL;
  job->last_iteration = settings->iterations;
  job->settings = g_steal_pointer (&settings);
  if (job->trainer != NULL)
    self->trainer = NULL;

  self->busy = TRUE;
  g_atomic_int_set (&self->pausing, FALSE);
  g_clear_object (&self->cancellable);
  if (kind == JOB_RUN)
    self->cancellable = g_cancellable_new ();
  if (job->dataset == NULL)
    set_status (self, _("Loading the data…"));
  update_actions (self);

  task = g_task_new (self, self->cancellable, job_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_thread_unref (g_thread_new ("bp-train", job_thread_main, g_object_ref (task)));
}

/* --- actions --- */

static void
start_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  start_job (BP_TRAIN_VIEW (user_data), JOB_RUN);
}

static void
pause_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  BpTrainView *self = user_data;

  if (self->cancellable != NULL)
    {
      g_atomic_int_set (&self->pausing, TRUE);
      g_cancellable_cancel (self->cancellable);
    }
}

static void
iteration_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  start_job (BP_TRAIN_VIEW (user_data), JOB_STEP);
}

static void
reset_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  BpTrainView *self = user_data;

  if (self->busy || self->trainer == NULL)
    return;
  bp_trainer_reset (self->trainer);
  self->iteration = 0;
  self->first_iteration = 0;
  clear_curves (self);
  g_clear_pointer (&self->update_text, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->update_label), FALSE);
  send_params (self);
  update_progress (self, 0, 0);
  update_actions (self);
}

/* --- drawing --- */

static BpPlotStyle
plot_style (GtkWidget *widget)
{
  BpPlotStyle style = BP_PLOT_STYLE_INIT;

  style.dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  return style;
}

static void
draw_loss (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  BpTrainView *self = user_data;
  BpPlotStyle style = plot_style (GTK_WIDGET (area));

  bp_plot_draw_loss (cr, width, height, (const double *) self->losses->data,
                     self->losses->len, 0, &style);
}

static void
draw_accuracy (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        user_data)
{
  BpTrainView *self = user_data;
  BpPlotStyle style = plot_style (GTK_WIDGET (area));

  bp_plot_draw_accuracy (cr, width, height, (const BpTrainEpoch *) self->epochs->data,
                         self->epochs->len, self->per_epoch, &style);
}

static void
draw_boundary (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        user_data)
{
  BpTrainView *self = user_data;
  BpPlotStyle style = plot_style (GTK_WIDGET (area));

  if (self->boundary != NULL)
    bp_plot_draw_boundary (cr, width, height, self->boundary, &style);
}

/* --- the document's settings into the controls --- */

static void
load_settings (BpTrainView *self)
{
  BpTrainSettings *s = bp_document_get_training (bp_session_get_document (self->session));
  g_autoptr(BpTrainSettings) defaults = bp_train_settings_new ();

  if (s == NULL)
    s = defaults;
  for (guint i = 0; i < G_N_ELEMENTS (data_names); i++)
    if (g_str_equal (s->data, data_names[i]))
      gtk_drop_down_set_selected (self->data_dropdown, i);
  gtk_drop_down_set_selected (self->optimizer_dropdown, s->optimizer);
  gtk_spin_button_set_value (self->lr_spin, s->learning_rate);
  gtk_spin_button_set_value (self->batch_spin, s->batch_size);
  gtk_spin_button_set_value (self->iterations_spin, s->iterations);
  gtk_widget_set_visible (GTK_WIDGET (self->boundary_area), !g_str_equal (s->data, "fashion-mnist"));
}

/* Another document: its own settings, a fresh start. */
static void
document_changed_cb (BpSession   *session,
                     BpTrainView *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->busy)
    return;
  g_clear_pointer (&self->trainer, bp_trainer_free);
  g_clear_pointer (&self->trainer_settings, bp_train_settings_free);
  self->iteration = 0;
  self->first_iteration = 0;
  clear_curves (self);
  g_clear_pointer (&self->update_text, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->update_label), FALSE);
  set_status (self, NULL);
  load_settings (self);
  update_progress (self, 0, 0);
  update_actions (self);
}

/* --- GObject --- */

static void
bp_train_view_dispose (GObject *object)
{
  BpTrainView *self = BP_TRAIN_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->actions);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_TRAIN_VIEW);

  G_OBJECT_CLASS (bp_train_view_parent_class)->dispose (object);
}

static void
bp_train_view_finalize (GObject *object)
{
  BpTrainView *self = BP_TRAIN_VIEW (object);

  g_clear_pointer (&self->trainer, bp_trainer_free);
  g_clear_pointer (&self->trainer_settings, bp_train_settings_free);
  g_clear_pointer (&self->dataset, bp_dataset_unref);
  g_clear_pointer (&self->boundary, bp_plot_boundary_free);
  g_clear_pointer (&self->inbox.boundary, bp_plot_boundary_free);
  g_clear_pointer (&self->inbox.losses, g_array_unref);
  g_clear_pointer (&self->inbox.epochs, g_array_unref);
  g_mutex_clear (&self->inbox.lock);
  g_clear_pointer (&self->losses, g_array_unref);
  g_clear_pointer (&self->epochs, g_array_unref);
  g_free (self->update_text);

  G_OBJECT_CLASS (bp_train_view_parent_class)->finalize (object);
}

static void
bp_train_view_class_init (BpTrainViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_train_view_dispose;
  object_class->finalize = bp_train_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/BackpropStudio/ui/bp-train-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, data_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, optimizer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, lr_spin);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, iterations_spin);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, status_label);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, update_label);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, loss_area);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, accuracy_area);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, boundary_area);
}

static void
bp_train_view_init (BpTrainView *self)
{
  static const GActionEntry entries[] = {
    { "start", start_action },
    { "pause", pause_action },
    { "iteration", iteration_action },
    { "reset", reset_action },
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  g_mutex_init (&self->inbox.lock);
  self->inbox.losses = g_array_new (FALSE, FALSE, sizeof (double));
  self->inbox.epochs = g_array_new (FALSE, FALSE, sizeof (BpTrainEpoch));
  self->losses = g_array_new (FALSE, FALSE, sizeof (double));
  self->epochs = g_array_new (FALSE, FALSE, sizeof (BpTrainEpoch));

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries,
                                   G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "train", G_ACTION_GROUP (self->actions));

  gtk_drawing_area_set_draw_func (self->loss_area, draw_loss, self, NULL);
  gtk_drawing_area_set_draw_func (self->accuracy_area, draw_accuracy, self, NULL);
  gtk_drawing_area_set_draw_func (self->boundary_area, draw_boundary, self, NULL);
}

/* --- public API --- */

GtkWidget *
bp_train_view_new (BpSession *session)
{
  BpTrainView *self;

  g_return_val_if_fail (BP_IS_SESSION (session), NULL);

  self = g_object_new (BP_TYPE_TRAIN_VIEW, NULL);
  self->session = g_object_ref (session);
  g_signal_connect (session, "document-changed", G_CALLBACK (document_changed_cb), self);
  load_settings (self);
  update_progress (self, 0, 0);
  update_actions (self);
  return GTK_WIDGET (self);
}

GtkWindow *
bp_train_view_new_window (BpSession *session,
                          GtkWindow *parent)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title = adw_window_title_new (_("Train"), bp_session_get_title (session));

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), bp_train_view_new (session));
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 620);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  return GTK_WINDOW (window);
}

BpSession *
bp_train_view_get_session (BpTrainView *self)
{
  return self->session;
}

gboolean
bp_train_view_is_busy (BpTrainView *self)
{
  return self->busy;
}

guint64
bp_train_view_get_iteration (BpTrainView *self)
{
  return self->iteration;
}

guint
bp_train_view_get_n_losses (BpTrainView *self)
{
  return self->losses->len;
}

const char *
bp_train_view_get_update_text (BpTrainView *self)
{
  return self->update_text;
}

const char *
bp_train_view_get_status_text (BpTrainView *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->status_label))
         ? gtk_label_get_label (self->status_label) : NULL;
}
