/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-window-teach"

#include <glib/gi18n.h>

#include "bp-export.h"
#include "bp-window-private.h"
#include "bp-window-teach.h"

/* Large enough to read from the back of a classroom. */
#define PRESENTATION_TEXT_SCALE 1.6

/* The player under the canvas grows with the diagram in presentation mode. */
static const char presentation_css[] =
  "window.presentation playerbar { font-size: 16pt; }\n"
  "window.presentation playerbar button { min-height: 44px; min-width: 44px; }\n"
  "window.presentation playerbar .player-position { font-weight: bold; }\n";

typedef struct
{
  BpWindow             *window;      /* borrowed: we live in its qdata */
  BpPlayer             *player;
  BpQuiz               *quiz;
  BpPlayerBar          *bar;         /* borrowed children */
  BpTeachPanel         *panel;
  GtkFileChooserNative *chooser;
  GtkPopover           *answer_popover;   /* parented to the bar */
  GtkLabel             *answer_title;
  GtkEntry             *answer_entry;
  GtkLabel             *answer_result;
  char                 *answer_node_id;
  BpQuizFlags           answer_what;
  guint                 last_position;
  guint                 selecting : 1;    /* the player moves the selection */
  guint                 fit_source;
  guint                 presenting : 1;
  guint                 side_was_visible : 1;
} BpWindowTeach;

static BpWindowTeach *
get_teach (BpWindow *self)
{
  return g_object_get_data (G_OBJECT (self), "bp-window-teach");
}

static void
teach_free (gpointer data)
{
  BpWindowTeach *teach = data;

  g_clear_handle_id (&teach->fit_source, g_source_remove);
  if (teach->answer_popover != NULL)
    g_object_remove_weak_pointer (G_OBJECT (teach->answer_popover), (gpointer *) &teach->answer_popover);
  if (teach->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (teach->chooser));
  g_clear_object (&teach->chooser);
  g_clear_object (&teach->player);
  g_clear_object (&teach->quiz);
  g_free (teach->answer_node_id);
  g_free (teach);
}

/* --- what the canvas draws follows the player and the quiz --- */

static void
push_pass_state (BpWindowTeach *teach)
{
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpCanvas *canvas = teach->window->canvas;

  if (canvas == NULL || bp_canvas_get_graph (canvas) == NULL)
    return;
  bp_player_fill_state (teach->player, &state);
  bp_canvas_set_pass_state (canvas, state.pass, state.step, state.progress);
}

static void
push_blanks (BpWindowTeach *teach)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) grads = NULL;

  if (teach->window->canvas == NULL)
    return;
  values = bp_quiz_dup_blanks (teach->quiz, BP_QUIZ_VALUE);
  grads = bp_quiz_dup_blanks (teach->quiz, BP_QUIZ_GRAD);
  bp_canvas_set_hidden (teach->window->canvas, values, grads);
}

static void
player_changed_cb (BpWindowTeach *teach)
{
  guint position = bp_player_get_position (teach->player);

  push_pass_state (teach);

  /* Stepping selects the node being explained, so the panel and the
   * highlighted node follow the pass; a recompute keeps the selection. */
  if (position != teach->last_position)
    {
      const BpStep *step = bp_player_get_current_step (teach->player);

      teach->last_position = position;
      if (step != NULL && teach->window->canvas != NULL)
        {
          teach->selecting = TRUE;
          bp_canvas_select_node (teach->window->canvas, step->node);
          teach->selecting = FALSE;
        }
    }
}

static void
player_progress_cb (BpWindowTeach *teach)
{
  push_pass_state (teach);
}

static void
quiz_changed_cb (BpWindowTeach *teach)
{
  push_blanks (teach);
}

static void update_actions (BpWindowTeach *teach);

static void
canvas_graph_changed_cb (BpWindowTeach *teach)
{
  BpGraph *graph = bp_canvas_get_graph (teach->window->canvas);

  /* Editing during playback recomputes and keeps the position. */
  if (graph != bp_player_get_graph (teach->player))
    bp_player_set_graph (teach->player, graph);
  else
    bp_player_recompute (teach->player, NULL);
  teach->last_position = bp_player_get_position (teach->player);
  push_pass_state (teach);
  push_blanks (teach);
  bp_teach_panel_update (teach->panel);
  update_actions (teach);
}

/* --- answering a blank on the canvas (also in presentation mode) --- */

static void
answer_activate_cb (BpWindowTeach *teach)
{
  g_autofree char *hint = NULL;
  g_autofree char *text = NULL;
  BpGraph *graph = bp_player_get_graph (teach->player);
  BpNode *node = graph && teach->answer_node_id ? bp_graph_lookup (graph, teach->answer_node_id) : NULL;

  if (node == NULL)
    return;

  switch (bp_quiz_answer (teach->quiz, node, teach->answer_what,
                          gtk_editable_get_text (GTK_EDITABLE (teach->answer_entry)), &hint))
    {
    case BP_QUIZ_ANSWER_RIGHT:
      text = g_strdup_printf ("✓ %s", _("Right!"));
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
  gtk_label_set_label (teach->answer_result, text);
  gtk_widget_set_visible (GTK_WIDGET (teach->answer_result), TRUE);
  /* Keep the text for the panel too. */
  bp_teach_panel_update (teach->panel);
}

static void
ensure_answer_popover (BpWindowTeach *teach)
{
  GtkWidget *box;

  if (teach->answer_popover != NULL)
    return;

  teach->answer_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_widget_add_css_class (GTK_WIDGET (teach->answer_popover), "quiz-popover");
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  teach->answer_title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (teach->answer_title, 0);
  gtk_widget_add_css_class (GTK_WIDGET (teach->answer_title), "heading");
  teach->answer_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (teach->answer_entry, _("your answer"));
  gtk_entry_set_activates_default (teach->answer_entry, FALSE);
  teach->answer_result = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (teach->answer_result, 0);
  gtk_label_set_wrap (teach->answer_result, TRUE);
  gtk_label_set_max_width_chars (teach->answer_result, 40);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (teach->answer_title));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (teach->answer_entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (teach->answer_result));
  gtk_popover_set_child (teach->answer_popover, box);
  g_signal_connect_swapped (teach->answer_entry, "activate",
                            G_CALLBACK (answer_activate_cb), teach);
  gtk_widget_set_parent (GTK_WIDGET (teach->answer_popover), GTK_WIDGET (teach->bar));
  /* The bar owns it and unparents it when it goes. */
  g_object_add_weak_pointer (G_OBJECT (teach->answer_popover), (gpointer *) &teach->answer_popover);
}

/* Opens the answer popover on `node`'s first blank; FALSE when it has none. */
static gboolean
show_answer_popover (BpWindowTeach *teach,
                     BpNode        *node)
{
  BpWindow *self = teach->window;
  g_autofree char *title = NULL;
  cairo_rectangle_t rect;
  graphene_point_t top_left, bottom_right, in_bar_tl, in_bar_br;
  GdkRectangle pointing;
  double wx0, wy0, wx1, wy1;

  if (node == NULL || !bp_quiz_get_active (teach->quiz))
    return FALSE;
  if (bp_quiz_is_blank (teach->quiz, node, BP_QUIZ_VALUE))
    teach->answer_what = BP_QUIZ_VALUE;
  else if (bp_quiz_is_blank (teach->quiz, node, BP_QUIZ_GRAD))
    teach->answer_what = BP_QUIZ_GRAD;
  else
    return FALSE;

  ensure_answer_popover (teach);
  g_free (teach->answer_node_id);
  teach->answer_node_id = g_strdup (bp_node_get_id (node));

  if (teach->answer_what == BP_QUIZ_VALUE)
    /* Translators: a quiz blank on the canvas, "apple_price = ?" */
    title = g_strdup_printf (_("%s = ?"), bp_node_get_label (node));
  else
    /* Translators: a quiz blank on the canvas, "∂L/∂apple = ?" */
    title = g_strdup_printf (_("∂L/∂%s = ?"), bp_node_get_label (node));
  gtk_label_set_label (teach->answer_title, title);
  gtk_editable_set_text (GTK_EDITABLE (teach->answer_entry), "");
  gtk_label_set_label (teach->answer_result, "");
  gtk_widget_set_visible (GTK_WIDGET (teach->answer_result), FALSE);

  /* Point at the node: diagram units → canvas → bar coordinates. */
  bp_diagram_get_node_rect (bp_canvas_get_diagram (self->canvas), node, &rect);
  bp_canvas_diagram_to_widget (self->canvas, rect.x, rect.y, &wx0, &wy0);
  bp_canvas_diagram_to_widget (self->canvas, rect.x + rect.width, rect.y + rect.height, &wx1, &wy1);
  graphene_point_init (&top_left, wx0, wy0);
  graphene_point_init (&bottom_right, wx1, wy1);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->canvas), GTK_WIDGET (teach->bar), &top_left, &in_bar_tl) ||
      !gtk_widget_compute_point (GTK_WIDGET (self->canvas), GTK_WIDGET (teach->bar), &bottom_right, &in_bar_br))
    return FALSE;
  pointing.x = (int) in_bar_tl.x;
  pointing.y = (int) in_bar_tl.y;
  pointing.width = MAX (1, (int) (in_bar_br.x - in_bar_tl.x));
  pointing.height = MAX (1, (int) (in_bar_br.y - in_bar_tl.y));
  gtk_popover_set_pointing_to (teach->answer_popover, &pointing);
  gtk_popover_set_position (teach->answer_popover, GTK_POS_BOTTOM);
  gtk_popover_popup (teach->answer_popover);
  gtk_widget_grab_focus (GTK_WIDGET (teach->answer_entry));
  return TRUE;
}

static void
canvas_selection_changed_cb (BpWindowTeach *teach)
{
  BpNode *node = bp_canvas_get_selected_node (teach->window->canvas);

  bp_teach_panel_set_node (teach->panel, node);
  /* A click on a node with a blank asks for it (not when stepping). */
  if (!teach->selecting && node != NULL)
    show_answer_popover (teach, node);
}

static void
window_destroy_cb (BpWindowTeach *teach)
{
  bp_player_pause (teach->player);
  bp_player_set_widget (teach->player, NULL);
}

/* An open popover must close before its window's surface goes, and it
 * goes with it. GTK 4.8's tooltip code remembers the last native under
 * the pointer until that native is disposed (only windows are forgotten
 * when destroyed); a popover without its surface, still referenced
 * somewhere, makes the pending tooltip timer call
 * gdk_surface_get_device_position (NULL). Disposing it now tells the
 * tooltip at once. The next question makes a new popover. */
static void
bar_unmap_cb (BpWindowTeach *teach)
{
  GtkWidget *popover = GTK_WIDGET (teach->answer_popover);

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
  BpWindowTeach *teach = user_data;

  teach->fit_source = 0;
  if (teach->window->canvas != NULL)
    bp_canvas_zoom_fit (teach->window->canvas);
  return G_SOURCE_REMOVE;
}

static void
update_actions (BpWindowTeach *teach)
{
  BpGraph *graph = bp_player_get_graph (teach->player);

  gtk_widget_action_set_enabled (GTK_WIDGET (teach->window), "win.leave-presentation",
                                 teach->presenting);
  gtk_widget_action_set_enabled (GTK_WIDGET (teach->window), "win.export-pass",
                                 graph != NULL && bp_graph_get_n_nodes (graph) > 0);
}

void
_bp_window_teach_set_presenting (BpWindow *self,
                                 gboolean  presenting)
{
  BpWindowTeach *teach = get_teach (self);

  g_return_if_fail (teach != NULL);

  presenting = !!presenting;
  if (teach->presenting == presenting)
    return;
  teach->presenting = presenting;

  if (presenting)
    {
      teach->side_was_visible = gtk_widget_get_visible (GTK_WIDGET (self->side_scroller));
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
                          !presenting && teach->side_was_visible);
  bp_canvas_set_text_scale (self->canvas, presenting ? PRESENTATION_TEXT_SCALE : 1.0);
  bp_canvas_set_presenting (self->canvas, presenting);
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));

  /* Fit once the window has its new size. */
  g_clear_handle_id (&teach->fit_source, g_source_remove);
  teach->fit_source = g_timeout_add (250, fit_cb, teach);
  update_actions (teach);
}

gboolean
_bp_window_teach_get_presenting (BpWindow *self)
{
  BpWindowTeach *teach = get_teach (self);

  return teach != NULL && teach->presenting;
}

static void
presentation_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);

  _bp_window_teach_set_presenting (self, !_bp_window_teach_get_presenting (self));
}

static void
leave_presentation_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  _bp_window_teach_set_presenting (BP_WINDOW (widget), FALSE);
}

static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  if (!_bp_window_teach_get_presenting (BP_WINDOW (widget)))
    return FALSE;
  _bp_window_teach_set_presenting (BP_WINDOW (widget), FALSE);
  return TRUE;
}

/* --- exporting every step of a pass --- */

guint
_bp_window_teach_export_pass (BpWindow    *self,
                              BpPass       pass,
                              const char  *folder,
                              GError     **error)
{
  BpWindowTeach *teach = get_teach (self);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) grads = NULL;
  BpTrace *trace;
  const char *prefix;
  guint n_forward, n_steps, first, last;

  g_return_val_if_fail (teach != NULL, 0);
  g_return_val_if_fail (folder != NULL, 0);

  trace = bp_player_get_trace (teach->player);
  if (trace == NULL)
    {
      const char *why = bp_player_get_error (teach->player);

      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                   why != NULL ? why : _("There is nothing to export."));
      return 0;
    }

  if (pass == BP_PASS_NONE)
    pass = bp_player_get_pass (teach->player);
  if (pass == BP_PASS_NONE)
    pass = BP_PASS_FORWARD;

  n_forward = bp_player_get_n_forward (teach->player);
  n_steps = bp_player_get_n_steps (teach->player);
  first = 1;
  last = pass == BP_PASS_FORWARD ? n_forward : n_steps - n_forward;
  prefix = pass == BP_PASS_FORWARD ? "forward" : "backward";
  if (last == 0)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID, "%s",
                   _("This pass has no steps: the graph needs a single output for a backward pass."));
      return 0;
    }

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_IO, _("Could not create the folder “%s”"), folder);
      return 0;
    }

  /* As on screen (quiz blanks included), on paper colours. */
  values = bp_quiz_dup_blanks (teach->quiz, BP_QUIZ_VALUE);
  grads = bp_quiz_dup_blanks (teach->quiz, BP_QUIZ_GRAD);
  state.pass = pass;
  state.progress = 1.0;
  state.dark = FALSE;
  state.text_scale = bp_canvas_get_text_scale (self->canvas);
  state.hidden_values = values;
  state.hidden_grads = grads;

  for (guint step = first; step <= last; step++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%02u.svg", prefix, step);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      state.step = step;
      if (!bp_export_to_file (bp_canvas_get_diagram (self->canvas), trace, &state,
                              path, 1.0, error))
        return 0;
    }
  return last - first + 1;
}

static void
export_pass_response_cb (GtkFileChooserNative *native,
                         int                   response,
                         BpWindow             *self)
{
  BpWindowTeach *teach = get_teach (self);
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  guint n;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  if (teach->chooser == native)
    g_clear_object (&teach->chooser);
  if (folder == NULL || (path = g_file_get_path (folder)) == NULL)
    return;

  n = _bp_window_teach_export_pass (self, BP_PASS_NONE, path, &error);
  if (n > 0)
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
  BpWindowTeach *teach = get_teach (self);

  if (teach->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (teach->chooser));
  g_clear_object (&teach->chooser);

  teach->chooser = gtk_file_chooser_native_new (_("Export Every Step as Numbered SVG Files"),
                                                GTK_WINDOW (self),
                                                GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (teach->chooser), TRUE);
  g_signal_connect_object (teach->chooser, "response",
                           G_CALLBACK (export_pass_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (teach->chooser));
}

/* --- set-up --- */

void
_bp_window_teach_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.presentation", NULL, presentation_action);
  gtk_widget_class_install_action (widget_class, "win.leave-presentation", NULL,
                                   leave_presentation_action);
  gtk_widget_class_install_action (widget_class, "win.export-pass", NULL, export_pass_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.presentation", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.leave-presentation", NULL);
}

static void
add_menu_items (BpWindow *self)
{
  GMenuModel *model = gtk_menu_button_get_menu_model (self->primary_menu_button);
  g_autoptr(GMenu) section = g_menu_new ();

  if (!G_IS_MENU (model))
    return;

  g_menu_append (section, _("_Presentation Mode"), "win.presentation");
  g_menu_append (section, _("Export Every _Step of the Pass…"), "win.export-pass");
  /* Before the last section (shortcuts, about). */
  g_menu_insert_section (G_MENU (model),
                         MAX (0, g_menu_model_get_n_items (model) - 1),
                         NULL, G_MENU_MODEL (section));
}

void
_bp_window_teach_init (BpWindow *self)
{
  BpWindowTeach *teach = g_new0 (BpWindowTeach, 1);

  static gboolean css_loaded;

  if (!css_loaded)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_data (provider, presentation_css, -1);
      gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                  GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      css_loaded = TRUE;
    }

  teach->window = self;
  g_object_set_data_full (G_OBJECT (self), "bp-window-teach", teach, teach_free);

  teach->player = bp_player_new (NULL);
  bp_player_set_widget (teach->player, GTK_WIDGET (self->canvas));
  teach->quiz = bp_quiz_new ();

  teach->bar = BP_PLAYER_BAR (bp_player_bar_new ());
  bp_player_bar_set_player (teach->bar, teach->player);
  /* Under both the canvas and the side panel: the bar is the widest row. */
  gtk_box_append (self->content_box, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (self->content_box, GTK_WIDGET (teach->bar));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "player",
                                  bp_player_bar_get_actions (teach->bar));
  bp_player_bar_add_shortcuts (teach->bar, GTK_WIDGET (self));

  teach->panel = BP_TEACH_PANEL (bp_teach_panel_new ());
  bp_teach_panel_set_player (teach->panel, teach->player);
  bp_teach_panel_set_quiz (teach->panel, teach->quiz);
  bp_teach_panel_set_history (teach->panel, self->history);
  bp_teach_panel_set_canvas (teach->panel, self->canvas);
  gtk_box_append (self->side_panel, GTK_WIDGET (teach->panel));

  g_signal_connect_swapped (teach->player, "changed", G_CALLBACK (player_changed_cb), teach);
  g_signal_connect_swapped (teach->player, "notify::progress", G_CALLBACK (player_progress_cb), teach);
  g_signal_connect_swapped (teach->quiz, "changed", G_CALLBACK (quiz_changed_cb), teach);
  /* The canvas is our child: it goes before the qdata holding `teach`. */
  g_signal_connect_swapped (self->canvas, "graph-changed",
                            G_CALLBACK (canvas_graph_changed_cb), teach);
  g_signal_connect_swapped (self->canvas, "selection-changed",
                            G_CALLBACK (canvas_selection_changed_cb), teach);
  g_signal_connect_swapped (self, "destroy", G_CALLBACK (window_destroy_cb), teach);
  g_signal_connect_swapped (teach->bar, "unmap", G_CALLBACK (bar_unmap_cb), teach);

  /* In presentation mode Esc leaves at once, even with a node selected
   * (the canvas would first clear the selection). */
  {
    GtkEventController *controller = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                            gtk_callback_action_new (escape_cb, NULL, NULL)));
    gtk_widget_add_controller (GTK_WIDGET (self), controller);
  }

  add_menu_items (self);
  update_actions (teach);
}

void
_bp_window_teach_set_document (BpWindow   *self,
                               BpDocument *document)
{
  BpWindowTeach *teach = get_teach (self);

  g_return_if_fail (teach != NULL);

  bp_quiz_set_active (teach->quiz, FALSE);
  bp_quiz_set_document (teach->quiz, document);
  bp_player_set_graph (teach->player, bp_canvas_get_graph (self->canvas));
  /* Open on the book's first figure: every value computed. */
  bp_player_set_position (teach->player, bp_player_get_n_forward (teach->player));
  teach->last_position = bp_player_get_position (teach->player);
  push_pass_state (teach);
  push_blanks (teach);
  bp_teach_panel_set_document (teach->panel, document);
  bp_teach_panel_set_node (teach->panel, bp_canvas_get_selected_node (self->canvas));
  update_actions (teach);
}

gboolean
_bp_window_teach_answer_on_canvas (BpWindow    *self,
                                   BpNode      *node,
                                   const char  *text,
                                   const char **result)
{
  BpWindowTeach *teach = get_teach (self);

  g_return_val_if_fail (teach != NULL, FALSE);

  if (!show_answer_popover (teach, node))
    return FALSE;
  if (text != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (teach->answer_entry), text);
      answer_activate_cb (teach);
    }
  if (result != NULL)
    *result = gtk_label_get_label (teach->answer_result);
  return TRUE;
}

BpPlayer *
_bp_window_teach_get_player (BpWindow *self)
{
  BpWindowTeach *teach = get_teach (self);

  return teach != NULL ? teach->player : NULL;
}

BpQuiz *
_bp_window_teach_get_quiz (BpWindow *self)
{
  BpWindowTeach *teach = get_teach (self);

  return teach != NULL ? teach->quiz : NULL;
}

BpTeachPanel *
_bp_window_teach_get_panel (BpWindow *self)
{
  BpWindowTeach *teach = get_teach (self);

  return teach != NULL ? teach->panel : NULL;
}

BpPlayerBar *
_bp_window_teach_get_bar (BpWindow *self)
{
  BpWindowTeach *teach = get_teach (self);

  return teach != NULL ? teach->bar : NULL;
}
