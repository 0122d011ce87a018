/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "bp-describe.h"
#include "bp-player-bar.h"

static const double speeds[] = { 0.25, 0.5, 1.0, 2.0, 4.0 };

struct _BpPlayerBar
{
  GtkBox              parent_instance;

  /* Template Widgets */
  GtkButton          *play_button;
  GtkButton          *backward_button;
  GtkLabel           *position_label;
  GtkDropDown        *speed_dropdown;

  /* Owned References */
  BpPlayer           *player;
  BpSession          *session;   /* the player's */
  GSimpleActionGroup *actions;
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

/* The step in words ("Backward step 1 of 5: price, Multiply node,
 * receives the gradient 1; …"), quiz blanks left out: the position
 * label is a status a screen reader speaks when it changes. */
static char *
describe_step (BpPlayerBar *self)
{
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpTrace *trace = bp_session_get_trace (self->session);
  BpQuiz *quiz = bp_session_get_quiz (self->session);
  guint position = bp_session_get_position (self->session);
  g_autoptr(GHashTable) hidden_values = NULL;
  g_autoptr(GHashTable) hidden_grads = NULL;

  if (bp_quiz_get_active (quiz))
    {
      hidden_values = bp_quiz_dup_blanks (quiz, BP_QUIZ_VALUE);
      hidden_grads = bp_quiz_dup_blanks (quiz, BP_QUIZ_GRAD);
      state.hidden_values = hidden_values;
      state.hidden_grads = hidden_grads;
    }
  /* Past the trace: a training iteration's updates. */
  state.updates = bp_session_get_updates (self->session);
  state.n_updates = bp_session_get_n_updates (self->session);
  if (trace != NULL)
    bp_diagram_state_set_position (&state, trace, position);
  return bp_describe_step (trace, &state, position);
}

static void
update (BpPlayerBar *self)
{
  g_autofree char *sentence = NULL;
  g_autofree char *text = NULL;
  guint position = 0, n_steps = 0, n_forward = 0;
  gboolean playing = FALSE;

  if (self->player != NULL)
    {
      position = bp_session_get_position (self->session);
      n_steps = bp_session_get_n_steps (self->session);
      n_forward = bp_session_get_n_forward (self->session);
      playing = bp_player_get_playing (self->player);
      text = bp_session_describe_position (self->session);
      sentence = describe_step (self);
    }

  gtk_label_set_label (self->position_label, text != NULL ? text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->position_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  sentence != NULL ? sentence : "", -1);
  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic"
                                    : "media-playback-start-symbolic");

  set_enabled (self, "forward", n_forward > 0);
  set_enabled (self, "backward", n_steps > n_forward);
  /* A greyed-out button says why. */
  if (self->player != NULL && n_steps == n_forward)
    {
      BpGraph *graph = bp_session_get_graph (self->session);
      const char *error = bp_session_get_error (self->session);

      if (graph == NULL || bp_graph_get_n_nodes (graph) == 0)
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->backward_button),
                                     _("Nothing to run: the graph is empty"));
      else if (bp_graph_get_output (graph) == NULL)
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->backward_button),
                                     _("No backward pass: the graph has no single output. "
                                       "Choose one above the canvas or in the side panel."));
      else
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->backward_button),
                                     error != NULL ? error : _("No backward pass"));
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->backward_button),
                                 _("Play the Backward Pass (B)"));
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
  gtk_widget_class_bind_template_child (widget_class, BpPlayerBar, backward_button);
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
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  g_set_object (&self->player, player);
  g_clear_object (&self->session);
  if (player != NULL)
    self->session = g_object_ref (bp_player_get_session (player));
  if (player != NULL)
    {
      g_signal_connect_swapped (self->session, "position-changed",
                                G_CALLBACK (player_changed_cb), self);
      /* An edit changes the step's numbers at the same position. */
      g_signal_connect_swapped (self->session, "changed",
                                G_CALLBACK (player_changed_cb), self);
      g_signal_connect_swapped (player, "notify::playing", G_CALLBACK (player_changed_cb), self);
      g_signal_connect_swapped (player, "notify::speed", G_CALLBACK (player_notify_speed_cb), self);
      sync_speed (self);
    }
  if (self->actions != NULL)
    update (self);
}

GActionGroup *
bp_player_bar_get_actions (BpPlayerBar *self)
{
  g_return_val_if_fail (BP_IS_PLAYER_BAR (self), NULL);

  return G_ACTION_GROUP (self->actions);
}

const char *
bp_player_bar_get_position_text (BpPlayerBar *self)
{
  g_return_val_if_fail (BP_IS_PLAYER_BAR (self), NULL);

  return gtk_label_get_label (self->position_label);
}
