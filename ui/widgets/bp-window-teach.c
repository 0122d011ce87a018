/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-window-teach"

#include <glib/gi18n.h>

#include "bp-export.h"
#include "bp-window-private.h"

/* Large enough to read from the back of a classroom. */
#define PRESENTATION_TEXT_SCALE 1.6

/* --- answering a blank on the canvas (also in presentation mode) --- */

static gboolean show_answer_popover (BpWindow *self, BpNode *node, BpQuizFlags what);

static BpNode *
answer_node (BpWindow *self)
{
  BpGraph *graph = bp_session_get_graph (self->session);

  return graph != NULL && self->answer_node_id != NULL
         ? bp_graph_lookup (graph, self->answer_node_id) : NULL;
}

static gboolean
unshake_cb (gpointer user_data)
{
  BpWindow *self = user_data;

  self->shake_source = 0;
  if (self->answer_entry != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->answer_entry), "shake");
  return G_SOURCE_REMOVE;
}

static void
answer_activate_cb (BpWindow *self)
{
  g_autofree char *hint = NULL;
  g_autofree char *text = NULL;
  GtkWidget *entry = GTK_WIDGET (self->answer_entry);
  BpNode *node = answer_node (self);
  BpQuizAnswer answer;

  if (node == NULL)
    return;

  answer = bp_quiz_answer (bp_session_get_quiz (self->session), node, self->answer_what,
                           gtk_editable_get_text (GTK_EDITABLE (self->answer_entry)), &hint);
  switch (answer)
    {
    case BP_QUIZ_ANSWER_RIGHT:
      /* Translators: after a right answer in the quiz; Tab is the key */
      text = g_strdup_printf ("✓ %s", _("Right! Tab goes to the next blank."));
      break;
    case BP_QUIZ_ANSWER_WRONG:
      text = g_strdup_printf ("✗ %s\n%s", _("Not quite."), hint ? hint : "");
      break;
    case BP_QUIZ_ANSWER_INVALID:
      text = g_strdup_printf ("✗ %s", _("Type a number, or a matrix like [[1, 2], [3, 4]] of the right shape."));
      break;
    case BP_QUIZ_ANSWER_UNKNOWN:
    default:
      text = g_strdup (_("Nothing computed yet for this blank."));
      break;
    }

  /* Right: the number fills the blank on the canvas (the quiz says so),
   * and the box turns green; otherwise red, with a shake. */
  gtk_widget_remove_css_class (entry, "error");
  gtk_widget_remove_css_class (entry, "success");
  gtk_widget_remove_css_class (entry, "shake");
  g_clear_handle_id (&self->shake_source, g_source_remove);
  gtk_widget_add_css_class (entry, answer == BP_QUIZ_ANSWER_RIGHT ? "success" : "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID,
                               answer == BP_QUIZ_ANSWER_RIGHT ? GTK_ACCESSIBLE_INVALID_FALSE
                                                              : GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  if (answer != BP_QUIZ_ANSWER_RIGHT)
    {
      gtk_widget_add_css_class (entry, "shake");
      self->shake_source = g_timeout_add (450, unshake_cb, self);
    }
  else
    gtk_editable_set_editable (GTK_EDITABLE (entry), FALSE);
  gtk_label_set_label (self->answer_result, text);
  gtk_widget_set_visible (GTK_WIDGET (self->answer_result), TRUE);

  /* Right: the box goes, so the number it filled in is seen; the
   * keyboard goes back to the canvas, where Tab goes on. */
  if (answer == BP_QUIZ_ANSWER_RIGHT)
    {
      gtk_popover_popdown (self->answer_popover);
      gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
      _bp_window_toast (self, text);
    }
}

static void
answer_closed_cb (BpWindow *self)
{
  bp_canvas_set_focus_blank (self->canvas, NULL, 0);
}

/* The popover comes from its .ui file; a new one after the bar went
 * (see bar_unmap_cb). */
static void
ensure_answer_popover (BpWindow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;

  if (self->answer_popover != NULL)
    return;

  builder = gtk_builder_new_from_resource ("/io/github/BackpropStudio/ui/bp-answer-popover.ui");
  self->answer_popover = GTK_POPOVER (gtk_builder_get_object (builder, "answer_popover"));
  self->answer_title = GTK_LABEL (gtk_builder_get_object (builder, "answer_title"));
  self->answer_entry = GTK_ENTRY (gtk_builder_get_object (builder, "answer_entry"));
  self->answer_result = GTK_LABEL (gtk_builder_get_object (builder, "answer_result"));
  g_signal_connect_swapped (self->answer_entry, "activate",
                            G_CALLBACK (answer_activate_cb), self);
  g_signal_connect_swapped (self->answer_popover, "closed",
                            G_CALLBACK (answer_closed_cb), self);
  gtk_widget_set_parent (GTK_WIDGET (self->answer_popover), GTK_WIDGET (self->player_bar));
  /* The bar owns it and unparents it when it goes. */
  g_object_add_weak_pointer (G_OBJECT (self->answer_popover), (gpointer *) &self->answer_popover);
}

/* Opens the answer popover at `node`'s blank `what` (where the blank is
 * drawn; at the node when it is not on the picture). FALSE when it is
 * not a blank. */
static gboolean
show_answer_popover (BpWindow    *self,
                     BpNode      *node,
                     BpQuizFlags  what)
{
  BpQuiz *quiz = bp_session_get_quiz (self->session);
  g_autofree char *title = NULL;
  graphene_point_t top_left, bottom_right, in_bar_tl, in_bar_br;
  GdkRectangle pointing, blank;
  GtkWidget *entry;

  if (node == NULL || !bp_quiz_is_blank (quiz, node, what))
    return FALSE;

  ensure_answer_popover (self);
  /* Moved while open, GTK 4.8 keeps the popover's surface at its old
   * size (a verdict below the entry is cut): close it first. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->answer_popover)))
    gtk_popover_popdown (self->answer_popover);
  entry = GTK_WIDGET (self->answer_entry);
  g_free (self->answer_node_id);
  self->answer_node_id = g_strdup (bp_node_get_id (node));
  self->answer_what = what;

  if (what == BP_QUIZ_VALUE)
    /* Translators: a quiz blank on the canvas, "apple_price = ?" */
    title = g_strdup_printf (_("%s = ?"), bp_node_get_label (node));
  else
    /* Translators: a quiz blank on the canvas, "∂L/∂apple = ?" */
    title = g_strdup_printf (_("∂L/∂%s = ?"), bp_node_get_label (node));
  gtk_label_set_label (self->answer_title, title);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_editable_set_editable (GTK_EDITABLE (entry), TRUE);
  gtk_widget_remove_css_class (entry, "error");
  gtk_widget_remove_css_class (entry, "success");
  gtk_widget_remove_css_class (entry, "shake");
  gtk_accessible_reset_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID);
  gtk_label_set_label (self->answer_result, "");
  gtk_widget_set_visible (GTK_WIDGET (self->answer_result), FALSE);

  /* Point at the blank: canvas → bar coordinates. */
  if (bp_canvas_get_blank_rect (self->canvas, node, what, &blank))
    {
      graphene_point_init (&top_left, blank.x, blank.y);
      graphene_point_init (&bottom_right, blank.x + blank.width, blank.y + blank.height);
    }
  else
    {
      cairo_rectangle_t rect;
      double wx0, wy0, wx1, wy1;

      bp_diagram_get_node_rect (bp_canvas_get_diagram (self->canvas), node, &rect);
      bp_canvas_diagram_to_widget (self->canvas, rect.x, rect.y, &wx0, &wy0);
      bp_canvas_diagram_to_widget (self->canvas, rect.x + rect.width, rect.y + rect.height, &wx1, &wy1);
      graphene_point_init (&top_left, wx0, wy0);
      graphene_point_init (&bottom_right, wx1, wy1);
    }
  if (!gtk_widget_compute_point (GTK_WIDGET (self->canvas), GTK_WIDGET (self->player_bar), &top_left, &in_bar_tl) ||
      !gtk_widget_compute_point (GTK_WIDGET (self->canvas), GTK_WIDGET (self->player_bar), &bottom_right, &in_bar_br))
    return FALSE;
  pointing.x = (int) in_bar_tl.x;
  pointing.y = (int) in_bar_tl.y;
  pointing.width = MAX (1, (int) (in_bar_br.x - in_bar_tl.x));
  pointing.height = MAX (1, (int) (in_bar_br.y - in_bar_tl.y));
  gtk_popover_set_pointing_to (self->answer_popover, &pointing);
  gtk_popover_set_position (self->answer_popover, GTK_POS_BOTTOM);
  bp_canvas_set_focus_blank (self->canvas, node, what);
  gtk_popover_popup (self->answer_popover);
  gtk_widget_grab_focus (entry);
  return TRUE;
}

/* A click on a blank drawn on the canvas. */
static void
canvas_blank_activated_cb (BpWindow *self,
                           BpNode   *node,
                           guint     what)
{
  show_answer_popover (self, node, what);
}

/* Tab and Shift+Tab: the next or previous blank, in pass order, from the
 * one asked last. */
static gboolean
move_to_blank (BpWindow *self,
               gboolean  backwards)
{
  BpNode *from = NULL, *node = NULL;
  BpQuizFlags what = 0;

  /* From the blank asked last, open or just answered. */
  from = answer_node (self);
  if (!bp_session_find_blank (self->session, from, self->answer_what, backwards, &node, &what))
    return FALSE;
  return show_answer_popover (self, node, what);
}

static void
next_blank_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  move_to_blank (BP_WINDOW (widget), g_str_equal (action_name, "win.previous-blank"));
}

static void
reset_answers_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->answer_popover != NULL)
    gtk_popover_popdown (self->answer_popover);
  bp_quiz_restart (bp_session_get_quiz (self->session));
  _bp_window_toast (self, _("Answers reset: every blank is open again"));
}

/* Tab goes from blank to blank while the quiz shows some and the canvas
 * or the answer box has the keyboard; elsewhere it moves the focus as
 * always. */
static gboolean
quiz_key_pressed_cb (BpWindow              *self,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     GtkEventControllerKey *key)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  gboolean in_popover = self->answer_popover != NULL &&
                        gtk_widget_get_visible (GTK_WIDGET (self->answer_popover));
  gboolean backwards = keyval == GDK_KEY_ISO_Left_Tab || (state & GDK_SHIFT_MASK) != 0;

  if (keyval != GDK_KEY_Tab && keyval != GDK_KEY_ISO_Left_Tab && keyval != GDK_KEY_KP_Tab)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  if (!in_popover && focus != GTK_WIDGET (self->canvas))
    return FALSE;
  if (!bp_quiz_get_active (bp_session_get_quiz (self->session)) ||
      !bp_session_find_blank (self->session, NULL, 0, FALSE, NULL, NULL))
    return FALSE;   /* no blank on the picture: Tab as always */
  return gtk_widget_activate_action (GTK_WIDGET (self),
                                     backwards ? "win.previous-blank" : "win.next-blank", NULL);
}

gboolean
_bp_window_quiz_key (BpWindow        *self,
                     guint            keyval,
                     GdkModifierType  state)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);

  return quiz_key_pressed_cb (self, keyval, 0, state, NULL);
}

/* Stepping selects the node being explained, so the panels and the
 * highlighted node follow the pass. */
static void
session_position_changed_cb (BpWindow  *self,
                             BpSession *session)
{
  const BpStep *step = bp_session_get_current_step (session);
  const BpUpdateStep *update = bp_session_get_current_update (session);
  guint position = bp_session_get_position (session);

  /* An edit runs the passes again at the same place: the selection the
   * user made stays. */
  if (position == self->last_position)
    return;
  self->last_position = position;
  if (step != NULL || update != NULL)
    {
      self->selecting = TRUE;
      bp_session_select_node (session, step != NULL ? step->node : update->param);
      self->selecting = FALSE;
    }
}

static void
session_selection_changed_cb (BpWindow  *self,
                              BpSession *session)
{
  BpNode *node = bp_session_get_selected_node (session);

  /* A click on a node with a blank asks for its first (not when
   * stepping, nor while the keyboard goes through the nodes: Enter asks
   * then). */
  if (!self->selecting && node != NULL && bp_canvas_get_focus_node (self->canvas) != node &&
      !show_answer_popover (self, node, BP_QUIZ_VALUE))
    show_answer_popover (self, node, BP_QUIZ_GRAD);
  _bp_window_teach_update_actions (self);
}

/* Enter on the canvas's focused node with a quiz blank (the canvas
 * leaves Enter to the window then): the answer popover. */
static void
answer_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  BpNode *node = bp_session_get_selected_node (self->session);

  if (!show_answer_popover (self, node, BP_QUIZ_VALUE))
    show_answer_popover (self, node, BP_QUIZ_GRAD);
}

static gboolean
selected_has_blank (BpWindow *self)
{
  BpQuiz *quiz = bp_session_get_quiz (self->session);
  BpNode *node = bp_session_get_selected_node (self->session);

  return node != NULL && bp_quiz_get_active (quiz) &&
         (bp_quiz_is_blank (quiz, node, BP_QUIZ_VALUE) ||
          bp_quiz_is_blank (quiz, node, BP_QUIZ_GRAD));
}

/* Enter while the canvas has the keyboard on a node with a blank. Before
 * the canvas sees it (the canvas would edit a leaf's value, and
 * GtkWindow's own Enter activates the default widget). */
static gboolean
answer_key_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  BpWindow *self = BP_WINDOW (widget);

  if (gtk_root_get_focus (GTK_ROOT (self)) != GTK_WIDGET (self->canvas) ||
      !selected_has_blank (self))
    return FALSE;
  return gtk_widget_activate_action (widget, "win.answer", NULL);
}

void
_bp_window_teach_update_actions (BpWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.answer", selected_has_blank (self));
}

/* An open popover must close before its window's surface goes, and it
 * goes with it. GTK 4.8's tooltip code remembers the last native under
 * the pointer until that native is disposed (only windows are forgotten
 * when destroyed); a popover without its surface, still referenced
 * somewhere, makes the pending tooltip timer call
 * gdk_surface_get_device_position (NULL). Disposing it now tells the
 * tooltip at once. The next question makes a new popover. */
static void
bar_unmap_cb (BpWindow *self)
{
  GtkWidget *popover = GTK_WIDGET (self->answer_popover);

  if (popover == NULL)
    return;
  g_object_ref (popover);
  gtk_popover_popdown (GTK_POPOVER (popover));
  gtk_widget_unparent (popover);
  g_object_run_dispose (G_OBJECT (popover));
  g_object_unref (popover);
}

/* --- presentation mode --- */

static gboolean
fit_cb (gpointer user_data)
{
  BpWindow *self = user_data;

  self->fit_source = 0;
  bp_canvas_zoom_fit (self->canvas);
  return G_SOURCE_REMOVE;
}

void
_bp_window_set_presenting (BpWindow *self,
                           gboolean  presenting)
{
  presenting = !!presenting;
  if (self->presenting == presenting)
    return;
  self->presenting = presenting;

  if (presenting)
    {
      self->side_was_visible = gtk_widget_get_visible (GTK_WIDGET (self->side_scroller));
      gtk_window_fullscreen (GTK_WINDOW (self));
      gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
    }
  else
    {
      gtk_window_unfullscreen (GTK_WINDOW (self));
      gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
    }

  /* Only the canvas and the player stay. */
  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !presenting);
  gtk_widget_set_visible (GTK_WIDGET (self->side_scroller),
                          !presenting && self->side_was_visible);
  bp_canvas_set_text_scale (self->canvas, presenting ? PRESENTATION_TEXT_SCALE : 1.0);
  bp_canvas_set_presenting (self->canvas, presenting);
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));

  /* Fit once the window has its new size. */
  g_clear_handle_id (&self->fit_source, g_source_remove);
  self->fit_source = g_timeout_add (250, fit_cb, self);
  _bp_window_actions_update (self);
}

gboolean
_bp_window_get_presenting (BpWindow *self)
{
  return self->presenting;
}

static void
presentation_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  _bp_window_set_presenting (self, !_bp_window_get_presenting (self));
}

static void
leave_presentation_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  _bp_window_set_presenting (BP_WINDOW (widget), FALSE);
}

static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  if (!_bp_window_get_presenting (BP_WINDOW (widget)))
    return FALSE;
  _bp_window_set_presenting (BP_WINDOW (widget), FALSE);
  return TRUE;
}

/* --- exporting every step of a pass --- */

guint
_bp_window_export_steps (BpWindow    *self,
                         const char  *path,
                         GError     **error)
{
  BpSession *session = self->session;
  BpQuiz *quiz = bp_session_get_quiz (session);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) grads = NULL;
  BpTrace *trace;
  guint n = 0;

  g_return_val_if_fail (path != NULL, 0);

  trace = bp_session_get_trace (session);
  if (trace == NULL || bp_trace_get_n_steps (trace) == 0)
    {
      const char *why = bp_session_get_error (session);

      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                   why != NULL ? why : _("There is nothing to export."));
      return 0;
    }

  /* As on screen (quiz blanks included), on paper colours. */
  state.dark = FALSE;
  state.text_scale = bp_canvas_get_text_scale (self->canvas);
  /* A training iteration's updates follow its backward pass. */
  state.updates = bp_session_get_updates (session);
  state.n_updates = bp_session_get_n_updates (session);
  if (bp_quiz_get_active (quiz))
    {
      values = bp_quiz_dup_blanks (quiz, BP_QUIZ_VALUE);
      grads = bp_quiz_dup_blanks (quiz, BP_QUIZ_GRAD);
      state.hidden_values = values;
      state.hidden_grads = grads;
    }
  if (!bp_export_steps (bp_canvas_get_diagram (self->canvas), trace, &state, path, NULL, &n, error))
    return 0;
  return n;
}

static void
export_pass_response_cb (GtkFileChooserNative *native,
                         int                   response,
                         BpWindow             *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  guint n;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  if (self->chooser == native)
    g_clear_object (&self->chooser);
  if (folder == NULL || (path = g_file_get_path (folder)) == NULL)
    return;

  n = _bp_window_export_steps (self, path, &error);
  if (n > 0 && g_str_has_suffix (path, ".pdf"))
    message = g_strdup_printf (ngettext ("Exported %u step as a PDF handout",
                                         "Exported %u steps as a PDF handout", n), n);
  else if (n > 0)
    message = g_strdup_printf (ngettext ("Exported %u step as SVG", "Exported %u steps as SVG", n), n);
  else
    message = g_strdup_printf (_("Could not export the steps: %s"), error->message);
  _bp_window_toast (self, message);
}

static void
export_pass_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  /* A name ending in .pdf makes one handout, a step per page; any other
   * name a folder of numbered SVG files, one per slide. */
  self->chooser = gtk_file_chooser_native_new (_("Export Every Step of Both Passes"),
                                                GTK_WINDOW (self),
                                                GTK_FILE_CHOOSER_ACTION_SAVE,
                                                _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), _("steps.pdf"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (export_pass_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- set-up --- */

void
_bp_window_teach_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.presentation", NULL, presentation_action);
  gtk_widget_class_install_action (widget_class, "win.leave-presentation", NULL,
                                   leave_presentation_action);
  gtk_widget_class_install_action (widget_class, "win.export-pass", NULL, export_pass_action);
  gtk_widget_class_install_action (widget_class, "win.answer", NULL, answer_action);
  gtk_widget_class_install_action (widget_class, "win.next-blank", NULL, next_blank_action);
  gtk_widget_class_install_action (widget_class, "win.previous-blank", NULL, next_blank_action);
  gtk_widget_class_install_action (widget_class, "win.reset-answers", NULL, reset_answers_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.reset-answers", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_R, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.reset-answers", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.presentation", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.leave-presentation", NULL);
}

void
_bp_window_teach_init (BpWindow *self)
{
  GtkEventController *controller;

  g_signal_connect_object (self->session, "position-changed",
                           G_CALLBACK (session_position_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "selection-changed",
                           G_CALLBACK (session_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (bp_session_get_quiz (self->session), "changed",
                           G_CALLBACK (_bp_window_teach_update_actions), self, G_CONNECT_SWAPPED);
  _bp_window_teach_update_actions (self);

  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_name (controller, "bp-answer-keys");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Return, 0),
                                                          gtk_callback_action_new (answer_key_cb, NULL, NULL)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_KP_Enter, 0),
                                                          gtk_callback_action_new (answer_key_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  g_signal_connect_swapped (self->player_bar, "unmap", G_CALLBACK (bar_unmap_cb), self);
  g_signal_connect_object (self->canvas, "blank-activated",
                           G_CALLBACK (canvas_blank_activated_cb), self, G_CONNECT_SWAPPED);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (controller, "bp-quiz-keys");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (quiz_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* In presentation mode Esc leaves at once, even with a node selected
   * (the canvas would first clear the selection). */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_callback_action_new (escape_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

void
_bp_window_teach_dispose (BpWindow *self)
{
  g_clear_handle_id (&self->fit_source, g_source_remove);
  g_clear_handle_id (&self->shake_source, g_source_remove);
  g_clear_weak_pointer (&self->answer_popover);
  g_clear_pointer (&self->answer_node_id, g_free);
}

gboolean
_bp_window_answer_on_canvas (BpWindow    *self,
                             BpNode      *node,
                             const char  *text,
                             const char **result)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);

  if (!show_answer_popover (self, node, BP_QUIZ_VALUE) &&
      !show_answer_popover (self, node, BP_QUIZ_GRAD))
    return FALSE;
  return _bp_window_answer_blank (self, NULL, 0, text, result);
}

gboolean
_bp_window_answer_blank (BpWindow    *self,
                         BpNode      *node,
                         BpQuizFlags  what,
                         const char  *text,
                         const char **result)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), FALSE);

  if (node != NULL && !show_answer_popover (self, node, what))
    return FALSE;
  if (self->answer_popover == NULL)
    return FALSE;
  if (text != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->answer_entry), text);
      answer_activate_cb (self);
    }
  if (result != NULL)
    *result = gtk_label_get_label (self->answer_result);
  return TRUE;
}

GtkPopover *
_bp_window_get_answer_popover (BpWindow     *self,
                               BpNode      **node,
                               BpQuizFlags  *what)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);

  if (node != NULL)
    *node = answer_node (self);
  if (what != NULL)
    *what = self->answer_what;
  return self->answer_popover;
}
