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
  BpSession    *session;
  AdwAnimation *animation;

  /* Borrowed References */
  GtkWidget    *widget;

  guint         target;       /* playback stops here */
  guint         pause_id;
  double        progress;
  double        speed;
  guint         playing : 1;
  guint         moving : 1;   /* the position change is the player's own */
};

G_DEFINE_FINAL_TYPE (BpPlayer, bp_player, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_PROGRESS,
  PROP_PLAYING,
  PROP_SPEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void advance (BpPlayer *self);

/* Moves the session's position as the player's own move (not a jump made
 * elsewhere, which stops playback). */
static void
move_to (BpPlayer *self,
         guint     position)
{
  self->moving = TRUE;
  bp_session_set_position (self->session, position);
  self->moving = FALSE;
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
  guint position;

  set_progress (self, 1.0);

  if (!self->playing)
    return;

  position = bp_session_get_position (self->session);
  if (position >= self->target || position >= bp_session_get_n_steps (self->session))
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
  guint position = bp_session_get_position (self->session);

  if (position >= bp_session_get_n_steps (self->session))
    {
      set_playing (self, FALSE);
      return;
    }

  stop_animation (self);
  self->progress = 0.0;
  move_to (self, position + 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);

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
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bp_player_parent_class)->dispose (object);
}

/* A jump made elsewhere (an edit, a new document, a panel) stops
 * playback and shows its position at once. */
static void
session_position_changed_cb (BpPlayer  *self,
                             BpSession *session)
{
  if (self->moving)
    return;
  set_playing (self, FALSE);
  stop_animation (self);
  set_progress (self, 1.0);
}

static void
bp_player_constructed (GObject *object)
{
  BpPlayer *self = BP_PLAYER (object);

  G_OBJECT_CLASS (bp_player_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  g_signal_connect_swapped (self->session, "position-changed",
                            G_CALLBACK (session_position_changed_cb), self);
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
    case PROP_SESSION:
      g_value_set_object (value, self->session);
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
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
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

  object_class->constructed = bp_player_constructed;
  object_class->dispose = bp_player_dispose;
  object_class->get_property = bp_player_get_property;
  object_class->set_property = bp_player_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
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
}

static void
bp_player_init (BpPlayer *self)
{
  self->speed = 1.0;
  self->progress = 1.0;
}

BpPlayer *
bp_player_new (BpSession *session)
{
  g_return_val_if_fail (BP_IS_SESSION (session), NULL);

  return g_object_new (BP_TYPE_PLAYER, "session", session, NULL);
}

BpSession *
bp_player_get_session (BpPlayer *self)
{
  g_return_val_if_fail (BP_IS_PLAYER (self), NULL);

  return self->session;
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

/* Jumps (no animation; pauses playback). */
static void
jump_to (BpPlayer *self,
         guint     position)
{
  set_playing (self, FALSE);
  stop_animation (self);
  set_progress (self, 1.0);
  move_to (self, position);
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

  state->pass = bp_session_get_pass (self->session);
  state->step = bp_session_get_pass_step (self->session);
  state->progress = self->progress;
  state->updates = bp_session_get_updates (self->session);
  state->n_updates = bp_session_get_n_updates (self->session);
}

void
bp_player_forward (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  jump_to (self, 0);
  if (bp_session_get_n_forward (self->session) == 0)
    return;
  self->target = bp_session_get_n_forward (self->session);
  set_playing (self, TRUE);
  advance (self);
}

void
bp_player_backward (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  /* Every value first, as in the book's figures, then 1 at the output. */
  jump_to (self, bp_session_get_n_forward (self->session));
  if (bp_session_get_n_steps (self->session) == bp_session_get_n_forward (self->session))
    return;
  /* The backward pass only: a training iteration's updates are stepped
   * (or played) after it. */
  self->target = bp_session_position_for (self->session, BP_PASS_BACKWARD, G_MAXUINT);
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
  guint position;

  g_return_if_fail (BP_IS_PLAYER (self));

  position = bp_session_get_position (self->session);
  jump_to (self, position > 0 ? position - 1 : 0);
}

void
bp_player_play (BpPlayer *self)
{
  g_return_if_fail (BP_IS_PLAYER (self));

  if (self->playing)
    return;

  if (bp_session_get_n_steps (self->session) == 0)
    return;
  if (bp_session_get_position (self->session) >= bp_session_get_n_steps (self->session))
    jump_to (self, 0);

  self->target = bp_session_get_n_steps (self->session);
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

  jump_to (self, 0);
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
