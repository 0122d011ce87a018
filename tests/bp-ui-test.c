/* SPDX-License-Identifier: MIT */
#include <adwaita.h>

#include "bp-canvas-private.h"
#include "bp-ui-test.h"
#include "bp-window-private.h"

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* GTK and libadwaita for a test program; FALSE, having said why, when
 * there is no display to test on (the program then exits with 77, a
 * skip). */
gboolean
bp_ui_test_init (int    *argc,
                 char ***argv)
{
  const char *display = g_getenv ("DISPLAY");

  if ((display == NULL || display[0] == '\0') && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return FALSE;
    }
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  return TRUE;
}

/* A g_timeout_add() callback: sets the gboolean `user_data` points to. */
gboolean
bp_ui_test_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs whatever the main context has ready, without blocking. */
void
bp_ui_test_spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs the main loop until `widget` is mapped (that waits for the X
 * server) and its frame clock painted it once; 10 s at most. */
void
bp_ui_test_wait_for_frame (GtkWidget *widget)
{
  gboolean painted = FALSE;
  gboolean timed_out = FALSE;
  GdkFrameClock *clock;
  gulong handler;
  guint timeout;

  timeout = g_timeout_add_seconds (10, bp_ui_test_timeout_cb, &timed_out);
  while (!gtk_widget_get_mapped (widget) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_assert_false (timed_out);
  g_source_remove (timeout);
}

/* Presents the window and runs the main loop until it drew a frame. */
void
bp_ui_test_present_and_wait (GtkWidget *widget)
{
  gtk_window_present (GTK_WINDOW (widget));
  bp_ui_test_wait_for_frame (widget);
}

/* Renders `widget` at its current size the way GTK would, with the Cairo
 * renderer (no GL under Xvfb). */
GdkTexture *
bp_ui_test_render (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  return texture;
}

/* A private temporary folder, also made XDG_DATA_HOME (autosave copies,
 * recent files); call before GLib reads XDG_DATA_HOME. */
char *
bp_ui_test_make_data_dir (const char *tmpl)
{
  char *dir = g_dir_make_tmp (tmpl, NULL);

  g_assert_nonnull (dir);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  return dir;
}

void
bp_ui_test_canvas_set_document (BpCanvas   *canvas,
                                BpDocument *document)
{
  BpSession *session = bp_canvas_get_session (canvas);

  if (session == NULL)
    {
      g_autoptr(BpSession) owned = bp_session_new ();

      bp_canvas_set_session (canvas, owned);
      session = owned;
    }
  bp_session_set_document (session, document, NULL);
  bp_session_set_position (session, bp_session_get_n_forward (session));
}

void
bp_ui_test_canvas_set_pass_state (BpCanvas *canvas,
                                  BpPass    pass,
                                  guint     step,
                                  double    progress)
{
  BpSession *session = bp_canvas_get_session (canvas);
  guint position = bp_session_position_for (session, pass, step);

  bp_session_set_position (session, position);
  _bp_canvas_show_position (canvas, position, progress);
}

BpPlayer *
bp_ui_test_player_new (BpGraph *graph)
{
  g_autoptr(BpSession) session = bp_session_new ();
  g_autoptr(BpDocument) document = bp_document_new_for_graph (graph);

  bp_session_set_document (session, document, NULL);
  return bp_player_new (session);
}

gboolean
bp_ui_test_wait_until (BpUiTestCondition condition,
                       gpointer          data,
                       guint             seconds)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (seconds, bp_ui_test_timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  bp_ui_test_spin ();
  return condition (data);
}

BpWindow *
bp_ui_test_new_empty_window (void)
{
  BpWindow *window = bp_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  bp_window_new_document (window);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  return window;
}

BpWindow *
bp_ui_test_open_example (const char *name)
{
  BpWindow *window = bp_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 720);
  g_assert_true (bp_window_open_example (window, name));
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  bp_ui_test_spin ();
  bp_canvas_zoom_fit (window->canvas);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));
  bp_ui_test_spin ();
  return window;
}

void
bp_ui_test_destroy_window (BpWindow *window)
{
  /* Skips the question about unsaved changes. */
  window->close_confirmed = TRUE;
  gtk_window_destroy (GTK_WINDOW (window));
  bp_ui_test_spin ();
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
bp_ui_test_destroy_window_and_wait (BpWindow *window)
{
  window->close_confirmed = TRUE;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (bp_ui_test_wait_until (is_gone, &window, 10));
}

static gboolean
shortcut_matches (GtkShortcut     *shortcut,
                  guint            keyval,
                  GdkModifierType  mods)
{
  GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

  return GTK_IS_KEYVAL_TRIGGER (trigger) &&
         gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
         gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods;
}

gboolean
bp_ui_test_deliver_key (GtkWidget           *widget,
                        GtkPropagationPhase  phase,
                        guint                keyval,
                        GdkModifierType      mods,
                        gboolean             key_controllers)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (gtk_event_controller_get_propagation_phase (controller) != phase)
        continue;
      if (GTK_IS_SHORTCUT_CONTROLLER (controller))
        {
          for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);

              if (shortcut_matches (shortcut, keyval, mods) &&
                  gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                gtk_shortcut_get_arguments (shortcut)))
                return TRUE;
            }
        }
      else if (key_controllers && GTK_IS_EVENT_CONTROLLER_KEY (controller) && !GTK_IS_TEXT (widget))
        {
          gboolean handled = FALSE;

          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, mods, &handled);
          if (handled)
            return TRUE;
        }
    }
  return FALSE;
}

void
bp_ui_test_send_key (GtkWindow       *window,
                     guint            keyval,
                     GdkModifierType  mods)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
  gboolean handled = FALSE;

  for (GtkWidget *w = focus != NULL ? focus : GTK_WIDGET (window); w != NULL; w = gtk_widget_get_parent (w))
    g_ptr_array_add (chain, w);
  for (guint i = chain->len; i > 0 && !handled; i--)
    handled = bp_ui_test_deliver_key (chain->pdata[i - 1], GTK_PHASE_CAPTURE, keyval, mods, TRUE);
  for (guint i = 0; i < chain->len && !handled; i++)
    handled = bp_ui_test_deliver_key (chain->pdata[i], GTK_PHASE_BUBBLE, keyval, mods, TRUE) ||
              (i == 0 && bp_ui_test_deliver_key (chain->pdata[i], GTK_PHASE_TARGET, keyval, mods, TRUE));
  /* GtkWindow moves the focus with Tab itself when nothing took it. */
  if (!handled && (keyval == GDK_KEY_Tab || keyval == GDK_KEY_ISO_Left_Tab))
    g_signal_emit_by_name (window, "move-focus",
                           (mods & GDK_SHIFT_MASK) ? GTK_DIR_TAB_BACKWARD : GTK_DIR_TAB_FORWARD);
  bp_ui_test_spin ();
}

void
bp_ui_test_type_text (GtkWindow  *window,
                      const char *text)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
  gint64 end;
  int position;

  g_assert_nonnull (focus);
  g_assert_true (GTK_IS_EDITABLE (focus));
  gtk_editable_delete_selection (GTK_EDITABLE (focus));
  position = gtk_editable_get_position (GTK_EDITABLE (focus));
  gtk_editable_insert_text (GTK_EDITABLE (focus), text, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (focus), position);
  /* A search entry filters a moment after the typing stops. */
  end = g_get_monotonic_time () + 300 * 1000;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  bp_ui_test_spin ();
}

gboolean
bp_ui_test_focus_in (GtkWindow *window,
                     GtkWidget *ancestor)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == ancestor || gtk_widget_is_ancestor (focus, ancestor));
}

GtkEventController *
bp_ui_test_find_controller (GtkWidget  *widget,
                            const char *name)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), name) == 0)
        return controller;   /* the widget keeps it */
    }
  return NULL;
}

GtkGesture *
bp_ui_test_find_drag_gesture (BpCanvas *canvas)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (canvas));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_DRAG (controller))
        return GTK_GESTURE (controller);
    }
  g_assert_not_reached ();
  return NULL;
}

void
bp_ui_test_drag (BpCanvas *canvas,
                 double    x0,
                 double    y0,
                 double    x1,
                 double    y1)
{
  GtkGesture *gesture = bp_ui_test_find_drag_gesture (canvas);

  g_signal_emit_by_name (gesture, "drag-begin", x0, y0);
  for (int i = 1; i <= 5; i++)
    g_signal_emit_by_name (gesture, "drag-update", (x1 - x0) * i / 5, (y1 - y0) * i / 5);
  g_signal_emit_by_name (gesture, "drag-end", x1 - x0, y1 - y0);
}
