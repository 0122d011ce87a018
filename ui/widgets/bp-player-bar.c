/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "bp-canvas.h"
#include "bp-player-bar.h"

static const double speeds[] = { 0.25, 0.5, 1.0, 2.0, 4.0 };

struct _BpPlayerBar
{
  GtkBox              parent_instance;

  /* Template Widgets */
  GtkButton          *play_button;
  GtkLabel           *position_label;
  GtkDropDown        *speed_dropdown;

  /* Owned References */
  BpPlayer           *player;
  GSimpleActionGroup *actions;

  /* Space pressed and not yet released (see space_pressed_cb()) */
  gboolean            space_held;
};

G_DEFINE_FINAL_TYPE (BpPlayerBar, bp_player_bar, GTK_TYPE_BOX)

static void
set_enabled (BpPlayerBar *self,
             const char  *name,
             gboolean     enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update (BpPlayerBar *self)
{
  g_autofree char *text = NULL;
  guint position = 0, n_steps = 0, n_forward = 0;
  gboolean playing = FALSE;

  if (self->player != NULL)
    {
      position = bp_player_get_position (self->player);
      n_steps = bp_player_get_n_steps (self->player);
      n_forward = bp_player_get_n_forward (self->player);
      playing = bp_player_get_playing (self->player);
      text = bp_player_describe_position (self->player);
    }

  gtk_label_set_label (self->position_label, text != NULL ? text : "");
  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic"
                                    : "media-playback-start-symbolic");

  set_enabled (self, "forward", n_forward > 0);
  set_enabled (self, "backward", n_steps > n_forward);
  set_enabled (self, "step", position < n_steps);
  set_enabled (self, "step-back", position > 0);
  set_enabled (self, "play", n_steps > 0);
  set_enabled (self, "reset", position > 0 || playing);
}

static void
sync_speed (BpPlayerBar *self)
{
  double speed = self->player ? bp_player_get_speed (self->player) : 1.0;
  guint best = 2;

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (fabs (speeds[i] - speed) < fabs (speeds[best] - speed))
      best = i;
  if (gtk_drop_down_get_selected (self->speed_dropdown) != best)
    gtk_drop_down_set_selected (self->speed_dropdown, best);
}

static void
player_changed_cb (BpPlayerBar *self)
{
  update (self);
}

static void
player_notify_speed_cb (BpPlayerBar *self)
{
  sync_speed (self);
}

static void
speed_selected_cb (BpPlayerBar *self)
{
  guint selected = gtk_drop_down_get_selected (self->speed_dropdown);

  if (self->player != NULL && selected < G_N_ELEMENTS (speeds))
    bp_player_set_speed (self->player, speeds[selected]);
}

#define PLAYER_ACTION(name, call)                                     \
  static void                                                         \
  name##_activate_cb (GSimpleAction *action,                          \
                      GVariant      *param,                           \
                      gpointer       user_data)                       \
  {                                                                   \
    BpPlayerBar *self = user_data;                                    \
    if (self->player != NULL)                                         \
      call (self->player);                                            \
  }

PLAYER_ACTION (forward, bp_player_forward)
PLAYER_ACTION (backward, bp_player_backward)
PLAYER_ACTION (step, bp_player_step)
PLAYER_ACTION (step_back, bp_player_step_back)
PLAYER_ACTION (play, bp_player_toggle_play)
PLAYER_ACTION (reset, bp_player_reset)

static const GActionEntry action_entries[] = {
  { "forward", forward_activate_cb },
  { "backward", backward_activate_cb },
  { "step", step_activate_cb },
  { "step-back", step_back_activate_cb },
  { "play", play_activate_cb },
  { "reset", reset_activate_cb },
};

static void
bp_player_bar_dispose (GObject *object)
{
  BpPlayerBar *self = BP_PLAYER_BAR (object);

  bp_player_bar_set_player (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_PLAYER_BAR);
  /* Popovers others parented here (the quiz's). */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self)); child != NULL; )
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (GTK_IS_POPOVER (child))
        {
          gtk_popover_popdown (GTK_POPOVER (child));
          gtk_widget_unparent (child);
        }
      child = next;
    }
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (bp_player_bar_parent_class)->dispose (object);
}

/* Popovers parented here are not laid out by the box; keep them placed. */
static void
bp_player_bar_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  GTK_WIDGET_CLASS (bp_player_bar_parent_class)->size_allocate (widget, width, height, baseline);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child) && gtk_widget_get_visible (child))
      gtk_popover_present (GTK_POPOVER (child));
}

static void
bp_player_bar_class_init (BpPlayerBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_player_bar_dispose;
  widget_class->size_allocate = bp_player_bar_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/BackpropStudio/ui/bp-player-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, BpPlayerBar, play_button);
  gtk_widget_class_bind_template_child (widget_class, BpPlayerBar, position_label);
  gtk_widget_class_bind_template_child (widget_class, BpPlayerBar, speed_dropdown);
  gtk_widget_class_set_css_name (widget_class, "playerbar");
}

static void
bp_player_bar_init (BpPlayerBar *self)
{
  g_type_ensure (ADW_TYPE_BUTTON_CONTENT);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries,
                                   G_N_ELEMENTS (action_entries), self);
  /* Also here, so that the buttons work before the bar is in a window. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "player",
                                  G_ACTION_GROUP (self->actions));

  g_signal_connect_swapped (self->speed_dropdown, "notify::selected",
                            G_CALLBACK (speed_selected_cb), self);
  update (self);
}

GtkWidget *
bp_player_bar_new (void)
{
  return g_object_new (BP_TYPE_PLAYER_BAR, NULL);
}

void
bp_player_bar_set_player (BpPlayerBar *self,
                          BpPlayer    *player)
{
  g_return_if_fail (BP_IS_PLAYER_BAR (self));
  g_return_if_fail (player == NULL || BP_IS_PLAYER (player));

  if (self->player == player)
    return;

  if (self->player != NULL)
    g_signal_handlers_disconnect_by_data (self->player, self);
  g_set_object (&self->player, player);
  if (player != NULL)
    {
      g_signal_connect_swapped (player, "changed", G_CALLBACK (player_changed_cb), self);
      g_signal_connect_swapped (player, "notify::playing", G_CALLBACK (player_changed_cb), self);
      g_signal_connect_swapped (player, "notify::n-steps", G_CALLBACK (player_changed_cb), self);
      g_signal_connect_swapped (player, "notify::speed", G_CALLBACK (player_notify_speed_cb), self);
      sync_speed (self);
    }
  if (self->actions != NULL)
    update (self);
}

BpPlayer *
bp_player_bar_get_player (BpPlayerBar *self)
{
  g_return_val_if_fail (BP_IS_PLAYER_BAR (self), NULL);

  return self->player;
}

GActionGroup *
bp_player_bar_get_actions (BpPlayerBar *self)
{
  g_return_val_if_fail (BP_IS_PLAYER_BAR (self), NULL);

  return G_ACTION_GROUP (self->actions);
}

/* Typing in an entry (a quiz answer, a value) must not drive the player. */
static gboolean
focus_takes_text (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus));
}

/* The canvas the player animates on, which shares Space and the arrows. */
static BpCanvas *
get_canvas (BpPlayerBar *self)
{
  GtkWidget *widget = self->player != NULL ? bp_player_get_widget (self->player) : NULL;

  return BP_IS_CANVAS (widget) ? BP_CANVAS (widget) : NULL;
}

static gboolean
shortcut_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  if (focus_takes_text (widget))
    return FALSE;

  return gtk_widget_activate_action (widget, user_data, NULL);
}

typedef struct
{
  GWeakRef    bar;
  const char *action;
} ArrowKey;

static void
arrow_key_free (gpointer data)
{
  ArrowKey *arrow = data;

  g_weak_ref_clear (&arrow->bar);
  g_free (arrow);
}

/* ←/→ step, unless the focused canvas has nodes the user selected: then
 * they nudge them (the canvas' own bindings, after this). */
static gboolean
arrow_cb (GtkWidget *widget,
          GVariant  *args,
          gpointer   user_data)
{
  ArrowKey *arrow = user_data;
  g_autoptr(BpPlayerBar) self = g_weak_ref_get (&arrow->bar);
  BpCanvas *canvas = self != NULL ? get_canvas (self) : NULL;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (canvas != NULL && root != NULL &&
      gtk_root_get_focus (root) == GTK_WIDGET (canvas) &&
      bp_canvas_get_arrows_nudge (canvas))
    return FALSE;

  return shortcut_cb (widget, args, (gpointer) arrow->action);
}

/* Space: a tap (press and release with no pointer drag in between)
 * plays or pauses; held during a drag on the canvas, it pans instead. So
 * the press only starts the hold and the release decides. */
static gboolean
space_pressed_cb (BpPlayerBar           *self,
                  guint                  keyval,
                  guint                  keycode,
                  GdkModifierType        state,
                  GtkEventControllerKey *key)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (key));
  BpCanvas *canvas;

  if (keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_META_MASK)) != 0 ||
      focus_takes_text (widget))
    return FALSE;

  if (!self->space_held)
    {
      self->space_held = TRUE;
      canvas = get_canvas (self);
      if (canvas != NULL)
        bp_canvas_begin_space_pan (canvas);
    }
  /* Also the key repeats, and a focused button must not click. */
  return TRUE;
}

static void
space_released_cb (BpPlayerBar           *self,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   GtkEventControllerKey *key)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (key));
  BpCanvas *canvas = get_canvas (self);
  gboolean dragged = FALSE;

  if ((keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space) || !self->space_held)
    return;

  self->space_held = FALSE;
  if (canvas != NULL)
    dragged = bp_canvas_end_space_pan (canvas);
  if (!dragged)
    gtk_widget_activate_action (widget, "player.play", NULL);
}

/* The release may never come (the window lost the keyboard): no tap. */
static void
window_active_cb (BpPlayerBar *self,
                  GParamSpec  *pspec,
                  GtkWindow   *window)
{
  BpCanvas *canvas = get_canvas (self);

  if (gtk_window_is_active (window) || !self->space_held)
    return;
  self->space_held = FALSE;
  if (canvas != NULL)
    bp_canvas_end_space_pan (canvas);
}

void
bp_player_bar_add_shortcuts (BpPlayerBar *self,
                             GtkWidget   *widget)
{
  static const struct { guint key; const char *action; } keys[] = {
    { GDK_KEY_f, "player.forward" },
    { GDK_KEY_b, "player.backward" },
    { GDK_KEY_Page_Down, "player.step" },
    { GDK_KEY_Page_Up, "player.step-back" },
    { GDK_KEY_Home, "player.reset" },
  };
  static const struct { guint key; const char *action; } arrows[] = {
    { GDK_KEY_Right, "player.step" },
    { GDK_KEY_Left, "player.step-back" },
  };
  GtkEventController *controller;

  g_return_if_fail (BP_IS_PLAYER_BAR (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* Capture phase: the player's keys come before the focused widget's
   * own use of them; the arrows are left to the canvas only when it has
   * nodes the user selected to nudge. Page Up/Down are what presentation
   * remotes send. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_name (controller, "bp-player-shortcuts");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].key, 0),
                                                            gtk_callback_action_new (shortcut_cb,
                                                                                     (gpointer) keys[i].action,
                                                                                     NULL)));
  for (guint i = 0; i < G_N_ELEMENTS (arrows); i++)
    {
      ArrowKey *arrow = g_new0 (ArrowKey, 1);

      g_weak_ref_init (&arrow->bar, self);
      arrow->action = arrows[i].action;
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                            gtk_shortcut_new (gtk_keyval_trigger_new (arrows[i].key, 0),
                                                              gtk_callback_action_new (arrow_cb, arrow,
                                                                                       arrow_key_free)));
    }
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (controller, "bp-player-space");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (space_pressed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "key-released", G_CALLBACK (space_released_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (widget, controller);

  if (GTK_IS_WINDOW (widget))
    g_signal_connect_object (widget, "notify::is-active", G_CALLBACK (window_active_cb),
                             self, G_CONNECT_SWAPPED);
}

const char *
bp_player_bar_get_position_text (BpPlayerBar *self)
{
  g_return_val_if_fail (BP_IS_PLAYER_BAR (self), NULL);

  return gtk_label_get_label (self->position_label);
}
