/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "bp-player.h"

/* Milliseconds at speed 1. */
#define STEP_MS   600.0
#define PAUSE_MS  450.0

struct _BpPlayer
{
  GObject       parent_instance;

  /* Owned References */
  BpGraph      *graph;
  BpTrace      *trace;
  char         *error;
  AdwAnimation *animation;

  /* Borrowed References */
  GtkWidget    *widget;

  guint64       stamp;        /* graph stamp the trace belongs to */
  guint         position;
  guint         n_forward;
  guint         n_steps;
  guint         target;       /* playback stops here */
  guint         pause_id;
  double        progress;
  double        speed;
  guint         playing : 1;
  guint         recomputing : 1;
};

G_DEFINE_FINAL_TYPE (BpPlayer, bp_player, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_GRAPH,
  PROP_POSITION,
  PROP_N_STEPS,
  PROP_PROGRESS,
  PROP_PLAYING,
  PROP_SPEED,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void advance (BpPlayer *self);

static void
emit_changed (BpPlayer *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
set_progress (BpPlayer *self,
              double    progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
set_playing (BpPlayer *self,
             gboolean  playing)
{
  playing = !!playing;
  if (!playing)
    g_clear_handle_id (&self->pause_id, g_source_remove);
  if (self->playing == playing)
    return;
  self->playing = playing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

/* Ends a running step animation without emitting "done". */
static void
stop_animation (BpPlayer *self)
{
  if (self->animation != NULL &&
      adw_animation_get_state (self->animation) == ADW_ANIMATION_PLAYING)
    adw_animation_pause (self->animation);
}

static void
drop_trace (BpPlayer *self)
{
  g_clear_pointer (&self->trace, bp_trace_unref);
  self->n_forward = 0;
  self->n_steps = 0;
}

static gboolean
pause_done_cb (gpointer user_data)
{
  BpPlayer *self = user_data;

  self->pause_id = 0;
  if (self->playing)
    advance (self);
  return G_SOURCE_REMOVE;
}

/* The current step has fully arrived: continue playback or stop. */
static void
step_finished (BpPlayer *self)
{
  set_progress (self, 1.0);

  if (!self->playing)
    return;

  if (self->position >= self->target || self->position >= self->n_steps)
    {
      set_playing (self, FALSE);
      return;
    }

  g_clear_handle_id (&self->pause_id, g_source_remove);
  self->pause_id = g_timeout_add (bp_player_get_pause_duration (self),
                                  pause_done_cb, self);
}

static void
animation_value_cb (double   value,
                    gpointer user_data)
{
  BpPlayer *self = user_data;

  /* Reaching 1 is reported by "done", which also moves playback on. */
  if (value < 1.0)
    set_progress (self, value);
}

static void
animation_done_cb (AdwAnimation *animation,
                   BpPlayer     *self)
{
  step_finished (self);
}

static void
ensure_animation (BpPlayer *self)
{
  AdwAnimationTarget *target;

  if (self->animation != NULL || self->widget == NULL)
    return;

  target = adw_callback_animation_target_new (animation_value_cb, self, NULL);
  self->animation = adw_timed_animation_new (self->widget, 0.0, 1.0,
                                             bp_player_get_step_duration (self),
                                             target);
  adw_timed_animation_set_easing (ADW_TIMED_ANIMATION (self->animation),
                                  ADW_EASE_IN_OUT_CUBIC);
  g_signal_connect (self->animation, "done",
                    G_CALLBACK (animation_done_cb), self);
}

/* One step forward, animated. */
static void
advance (BpPlayer *self)
{
  bp_player_get_trace (self);

  if (self->position >= self->n_steps)
    {
      set_playing (self, FALSE);
      return;
    }

  stop_animation (self);
  self->position++;
  self->progress = 0.0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  emit_changed (self);

  ensure_animation (self);
  if (self->animation == NULL)
    {
      step_finished (self);
      return;
    }

  adw_timed_animation_set_duration (ADW_TIMED_ANIMATION (self->animation),
                                    bp_player_get_step_duration (self));
  adw_animation_reset (self->animation);
  /* Finishes at once (emitting "done") when animations are off or the
   * widget is not mapped. */
  adw_animation_play (self->animation);
}

static void
bp_player_dispose (GObject *object)
{
  BpPlayer *self = BP_PLAYER (object);

  g_clear_handle_id (&self->pause_id, g_source_remove);
  if (self->animation != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->animation, self);
      adw_animation_reset (self->animation);
    }
  g_clear_object (&self->animation);
  self->widget = NULL;

  G_OBJECT_CLASS (bp_player_parent_class)->dispose (object);
}

static void
bp_player_finalize (GObject *object)
{
  BpPlayer *self = BP_PLAYER (object);

  g_clear_pointer (&self->trace, bp_trace_unref);
  g_clear_object (&self->graph);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (bp_player_parent_class)->finalize (object);
}

static void
bp_player_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BpPlayer *self = BP_PLAYER (object);

  switch (prop_id)
    {
    case PROP_GRAPH:
      g_value_set_object (value, self->graph);
      break;
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    case PROP_N_STEPS:
      g_value_set_uint (value, self->n_steps);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_player_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BpPlayer *self = BP_PLAYER (object);

  switch (prop_id)
    {
    case PROP_GRAPH:
      bp_player_set_graph (self, g_value_get_object (value));
      break;
    case PROP_POSITION:
      bp_player_set_position (self, g_value_get_uint (value));
      break;
    case PROP_PLAYING:
      if (g_value_get_boolean (value))
        bp_player_play (self);
      else
        bp_player_pause (self);
      break;
    case PROP_SPEED:
      bp_player_set_speed (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_player_class_init (BpPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bp_player_dispose;
  object_class->finalize = bp_player_finalize;
  object_class->get_property = bp_player_get_property;
  object_class->set_property = bp_player_set_property;

  properties[PROP_GRAPH] =
    g_param_spec_object ("graph", NULL, NULL, BP_TYPE_GRAPH,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_STEPS] =
    g_param_spec_uint ("n-steps", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL,
                         BP_PLAYER_MIN_SPEED, BP_PLAYER_MAX_SPEED, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The position or the trace changed (not emitted for progress). */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bp_player_init (BpPlayer *self)
{
  self->speed = 1.0;
  self->progress = 1.0;
}

BpPlayer *
bp_player_new (BpGraph *graph)
{
  g_return_val_if_fail (graph == NULL || BP_IS_GRAPH (graph), NULL);

  return g_object_new (BP_TYPE_PLAYER, "graph", graph, NULL);
}

BpGraph *
bp_player_get_graph (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), NULL);

  return self->graph;
}

void
bp_player_set_graph (BpPlayer *self,
                     BpGraph  *graph)
{
  g_return_if_fail (BP_IS_PLAYER (self));
  g_return_if_fail (graph == NULL || BP_IS_GRAPH (graph));

  if (self->graph == graph)
    return;

  set_playing (self, FALSE);
  stop_animation (self);
  drop_trace (self);
  g_set_object (&self->graph, graph);
  self->position = 0;
  self->progress = 1.0;
  if (graph != NULL)
    bp_player_recompute (self, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAPH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STEPS]);
  emit_changed (self);
}

void
bp_player_set_widget (BpPlayer  *self,
                      GtkWidget *widget)
{
  g_return_if_fail (BP_IS_PLAYER (self));
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));

  if (self->widget == widget)
    return;

  if (self->animation != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->animation, self);
      adw_animation_reset (self->animation);
      g_clear_object (&self->animation);
    }
  self->widget = widget;
  set_progress (self, 1.0);
}

GtkWidget *
bp_player_get_widget (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), NULL);

  return self->widget;
}

gboolean
bp_player_recompute (BpPlayer  *self,
                     GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  guint old_position, old_forward, old_steps;
  BpTrace *trace;
  gboolean ok;

  g_return_val_if_fail (BP_IS_PLAYER (self), FALSE);

  if (self->graph == NULL || self->recomputing)
    return FALSE;

  old_position = self->position;
  old_forward = self->n_forward;
  old_steps = self->n_steps;

  self->recomputing = TRUE;
  drop_trace (self);
  g_clear_pointer (&self->error, g_free);

  /* Without a single output there is no backward pass, but the forward
   * pass can still be played. */
  ok = bp_graph_forward (self->graph, &local_error);
  /* A broken node leaves the rest computable: forward keeps the steps of
   * that part, and backward works when the output does not depend on the
   * broken one. Those steps play; the error still says what is wrong. */
  if (bp_graph_get_output (self->graph) != NULL)
    {
      g_autoptr(GError) backward_error = NULL;

      if (!bp_graph_backward (self->graph, &backward_error) && ok)
        {
          ok = FALSE;
          g_propagate_error (&local_error, g_steal_pointer (&backward_error));
        }
    }
  self->stamp = bp_graph_get_stamp (self->graph);
  trace = bp_graph_get_trace (self->graph);

  if (trace != NULL && bp_trace_get_stamp (trace) == self->stamp)
    {
      self->trace = bp_trace_ref (trace);
      self->n_forward = bp_trace_get_n_forward (trace);
      self->n_steps = bp_trace_get_n_steps (trace);
    }
  if (!ok || self->trace == NULL)
    {
      self->error = g_strdup (local_error != NULL ? local_error->message
                                                  : _("The graph could not be computed"));
    }
  self->recomputing = FALSE;

  /* Keep the place within its pass; the end of a pass (every value, or
   * every gradient, shown) stays the end when steps come or go. */
  if (old_position == old_steps && old_steps > old_forward)
    self->position = self->n_steps;
  else if (old_position == old_forward && old_forward > 0)
    self->position = self->n_forward;
  else if (old_position <= old_forward)
    self->position = MIN (old_position, self->n_forward);
  else
    self->position = self->n_forward
                     + MIN (old_position - old_forward, self->n_steps - self->n_forward);
  if (self->position >= self->n_steps && self->playing)
    set_playing (self, FALSE);

  if (old_steps != self->n_steps)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STEPS]);
  emit_changed (self);

  if (!ok)
    {
      if (error != NULL)
        *error = g_steal_pointer (&local_error);
      return FALSE;
    }
  return TRUE;
}

BpTrace *
bp_player_get_trace (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), NULL);

  if (self->graph != NULL && !self->recomputing &&
      self->stamp != bp_graph_get_stamp (self->graph))
    bp_player_recompute (self, NULL);

  return self->trace;
}

const char *
bp_player_get_error (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), NULL);

  bp_player_get_trace (self);
  return self->error;
}

guint
bp_player_get_position (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 0);

  bp_player_get_trace (self);
  return self->position;
}

guint
bp_player_get_n_steps (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 0);

  bp_player_get_trace (self);
  return self->n_steps;
}

guint
bp_player_get_n_forward (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 0);

  bp_player_get_trace (self);
  return self->n_forward;
}

void
bp_player_set_position (BpPlayer *self,
                        guint     position)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  bp_player_get_trace (self);
  set_playing (self, FALSE);
  stop_animation (self);

  position = MIN (position, self->n_steps);
  set_progress (self, 1.0);
  if (position == self->position)
    return;

  self->position = position;
  emit_changed (self);
}

const BpStep *
bp_player_get_current_step (BpPlayer *self)
{
  BpTrace *trace;

  g_return_val_if_fail (BP_IS_PLAYER (self), NULL);

  trace = bp_player_get_trace (self);
  if (trace == NULL || self->position == 0)
    return NULL;

  return bp_trace_get_step (trace, self->position - 1);
}

BpPass
bp_player_get_pass (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), BP_PASS_NONE);

  bp_player_get_trace (self);
  if (self->position == 0)
    return BP_PASS_NONE;
  if (self->position <= self->n_forward)
    return BP_PASS_FORWARD;
  return BP_PASS_BACKWARD;
}

guint
bp_player_get_pass_step (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 0);

  switch (bp_player_get_pass (self))
    {
    case BP_PASS_FORWARD:
      return self->position;
    case BP_PASS_BACKWARD:
      return self->position - self->n_forward;
    case BP_PASS_NONE:
    default:
      return 0;
    }
}

double
bp_player_get_progress (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 1.0);

  return self->progress;
}

void
bp_player_fill_state (BpPlayer       *self,
                      BpDiagramState *state)
{
  g_return_if_fail (BP_IS_PLAYER (self));
  g_return_if_fail (state != NULL);

  state->pass = bp_player_get_pass (self);
  state->step = bp_player_get_pass_step (self);
  state->progress = self->progress;
}

guint
bp_player_position_for (BpPlayer *self,
                        BpPass    pass,
                        guint     step)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 0);

  bp_player_get_trace (self);
  switch (pass)
    {
    case BP_PASS_FORWARD:
      return MIN (step, self->n_forward);
    case BP_PASS_BACKWARD:
      return self->n_forward + MIN (step, self->n_steps - self->n_forward);
    case BP_PASS_NONE:
    default:
      return 0;
    }
}

void
bp_player_forward (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  bp_player_set_position (self, 0);
  if (self->n_forward == 0)
    return;
  self->target = self->n_forward;
  set_playing (self, TRUE);
  advance (self);
}

void
bp_player_backward (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  /* Every value first, as in the book's figures, then 1 at the output. */
  bp_player_set_position (self, self->n_forward);
  if (self->n_steps == self->n_forward)
    return;
  self->target = self->n_steps;
  set_playing (self, TRUE);
  advance (self);
}

void
bp_player_step (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  set_playing (self, FALSE);
  advance (self);
}

void
bp_player_step_back (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  bp_player_get_trace (self);
  if (self->position > 0)
    bp_player_set_position (self, self->position - 1);
  else
    bp_player_set_position (self, 0);
}

void
bp_player_play (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  if (self->playing)
    return;

  bp_player_get_trace (self);
  if (self->n_steps == 0)
    return;
  if (self->position >= self->n_steps)
    bp_player_set_position (self, 0);

  self->target = self->n_steps;
  set_playing (self, TRUE);
  /* Finish the step on screen first if it is still moving. */
  if (self->progress < 1.0 && self->animation != NULL &&
      adw_animation_get_state (self->animation) == ADW_ANIMATION_PLAYING)
    return;
  advance (self);
}

void
bp_player_pause (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  set_playing (self, FALSE);
}

void
bp_player_toggle_play (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  if (self->playing)
    bp_player_pause (self);
  else
    bp_player_play (self);
}

void
bp_player_reset (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  bp_player_set_position (self, 0);
}

gboolean
bp_player_get_playing (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), FALSE);

  return self->playing;
}

double
bp_player_get_speed (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 1.0);

  return self->speed;
}

void
bp_player_set_speed (BpPlayer *self,
                     double    speed)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  if (isnan (speed))
    speed = 1.0;
  speed = CLAMP (speed, BP_PLAYER_MIN_SPEED, BP_PLAYER_MAX_SPEED);
  if (speed == self->speed)
    return;

  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

guint
bp_player_get_step_duration (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 0);

  return (guint) (STEP_MS / self->speed);
}

guint
bp_player_get_pause_duration (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), 0);

  return (guint) (PAUSE_MS / self->speed);
}

char *
bp_player_describe_position (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), NULL);

  switch (bp_player_get_pass (self))
    {
    case BP_PASS_FORWARD:
      /* Translators: the player's position, e.g. "Forward: step 2 of 5" */
      return g_strdup_printf (_("Forward: step %u of %u"),
                              self->position, self->n_forward);
    case BP_PASS_BACKWARD:
      /* Translators: the player's position, e.g. "Backward: step 2 of 5" */
      return g_strdup_printf (_("Backward: step %u of %u"),
                              self->position - self->n_forward,
                              self->n_steps - self->n_forward);
    case BP_PASS_NONE:
    default:
      if (self->error != NULL)
        return g_strdup (_("Cannot compute the graph"));
      return g_strdup (_("Ready"));
    }
}
