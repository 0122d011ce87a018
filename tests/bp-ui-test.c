/* SPDX-License-Identifier: MIT */
#include "bp-canvas-private.h"
#include "bp-ui-test.h"

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
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
