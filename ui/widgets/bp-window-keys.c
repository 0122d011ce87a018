/* SPDX-License-Identifier: MIT */
#include <adwaita.h>

#include "bp-window-private.h"

/* The player's keys work wherever the focus is, before the focused widget
 * sees them, never while the focus is in an entry: F forward, B backward,
 * → and Page Down step, ← and Page Up step back (what presentation remotes
 * send), Home reset; a Space tap plays or pauses. The canvas shares two of
 * them, and the window, which holds both, decides: Space held during a
 * pointer drag pans the canvas instead, and ←/→ nudge the nodes the user
 * selected on the canvas while it has the focus. */

/* Typing in an entry (a quiz answer, a value) must not drive the player. */
static gboolean
focus_takes_text (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus));
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

/* ←/→ step, unless the focused canvas has nodes the user selected: then
 * they nudge them (the canvas's own bindings, after this). */
static gboolean
arrow_cb (GtkWidget *widget,
          GVariant  *args,
          gpointer   user_data)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->canvas != NULL &&
      gtk_root_get_focus (GTK_ROOT (self)) == GTK_WIDGET (self->canvas) &&
      (bp_canvas_get_arrows_nudge (self->canvas) ||
       bp_canvas_get_arrows_move_focus (self->canvas)))
    return FALSE;

  return shortcut_cb (widget, args, user_data);
}

/* Space: a tap (press and release with no pointer drag in between)
 * plays or pauses; held during a drag on the canvas, it pans instead. So
 * the press only starts the hold and the release decides. */
static gboolean
space_pressed_cb (BpWindow              *self,
                  guint                  keyval,
                  guint                  keycode,
                  GdkModifierType        state,
                  GtkEventControllerKey *key)
{
  if (keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_META_MASK)) != 0 ||
      focus_takes_text (GTK_WIDGET (self)))
    return FALSE;

  if (!self->space_held)
    {
      self->space_held = TRUE;
      bp_canvas_begin_space_pan (self->canvas);
    }
  /* Also the key repeats, and a focused button must not click. */
  return TRUE;
}

static void
space_released_cb (BpWindow              *self,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   GtkEventControllerKey *key)
{
  if ((keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space) || !self->space_held)
    return;

  self->space_held = FALSE;
  if (!bp_canvas_end_space_pan (self->canvas))
    gtk_widget_activate_action (GTK_WIDGET (self), "player.play", NULL);
}

/* The release may never come (the window lost the keyboard): no tap. */
static void
window_active_cb (BpWindow   *self,
                  GParamSpec *pspec)
{
  if (gtk_window_is_active (GTK_WINDOW (self)) || !self->space_held)
    return;
  self->space_held = FALSE;
  bp_canvas_end_space_pan (self->canvas);
}

void
_bp_window_add_player_keys (BpWindow *self)
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
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (arrows[i].key, 0),
                                                            gtk_callback_action_new (arrow_cb,
                                                                                     (gpointer) arrows[i].action,
                                                                                     NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (controller, "bp-player-space");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (space_pressed_cb), self);
  g_signal_connect_swapped (controller, "key-released", G_CALLBACK (space_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect (self, "notify::is-active", G_CALLBACK (window_active_cb), NULL);
}
