/* SPDX-License-Identifier: MIT */
/* Frames per second of the real windows while training runs (target
 * ≥ 30): the main window and its Train window on a training example,
 * the frame times taken from each window's GdkFrameClock
 * ("after-paint"). The main window's canvas is redrawn on every frame (a
 * tick callback queues the draw, as the player's animation or a drag
 * would), while the Train window redraws its plots as training hands
 * them over; with --stress every plot is redrawn on every frame too.
 * First a few seconds with nothing training, for the machine's own
 * figure, then the same with training running in the view's worker.
 * Prints figures, with the main thread's CPU time (the machine may be
 * shared); asserts nothing about time.
 *
 *   bench-train-ui [--seconds S] [--example NAME]… [--stress] [--shot FILE.png]
 *
 * --shot pauses the last run and saves the main window, 1280×800, at the
 * paused iteration's first update step. */
#include <adwaita.h>
#include <math.h>
#include <time.h>

#include "bp-engine.h"
#include "bp-ui-test.h"
#include "bp-train-view.h"
#include "bp-window-private.h"

typedef struct
{
  const char *name;
  GArray     *times;     /* gint64 µs at each after-paint */
} Frames;

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint timer = g_timeout_add (20, tick_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timer);
}

static void
after_paint_cb (GdkFrameClock *clock,
                Frames        *frames)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (frames->times, now);
}

/* Queues a draw of every drawing area and canvas under `widget`, on
 * every frame: the plots and the diagram as expensive as they can be. */
static void
queue_all (GtkWidget *widget)
{
  if (GTK_IS_DRAWING_AREA (widget) || BP_IS_CANVAS (widget))
    gtk_widget_queue_draw (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    queue_all (child);
}

static gboolean
redraw_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  queue_all (widget);
  return G_SOURCE_CONTINUE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
process_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
print_frames (const char   *phase,
              const Frames *frames,
              double        main_cpu_ms,
              double        seconds)
{
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *t = frames->times;
  double span, fps;
  gint64 median, p95, worst;

  if (t->len < 3)
    {
      g_print ("train-ui: %s, %s: %u frames (too few to measure)\n", phase, frames->name, t->len);
      return;
    }
  for (guint i = 1; i < t->len; i++)
    {
      gint64 gap = g_array_index (t, gint64, i) - g_array_index (t, gint64, i - 1);

      g_array_append_val (gaps, gap);
    }
  g_array_sort (gaps, compare_gint64);
  span = (g_array_index (t, gint64, t->len - 1) - g_array_index (t, gint64, 0)) / 1e6;
  fps = (t->len - 1) / span;
  median = g_array_index (gaps, gint64, gaps->len / 2);
  p95 = g_array_index (gaps, gint64, MIN (gaps->len - 1, gaps->len * 95 / 100));
  worst = g_array_index (gaps, gint64, gaps->len - 1);
  g_print ("train-ui: %s, %s: %.1f fps (%u frames); frame interval median %.1f ms, "
           "95th percentile %.1f ms, worst %.1f ms; main thread CPU %.0f %% of the wall clock\n",
           phase, frames->name, fps, t->len, median / 1e3, p95 / 1e3, worst / 1e3,
           100 * main_cpu_ms / (seconds * 1e3));
}

/* The view inside the Train window. */
static BpTrainView *
find_view (GtkWidget *widget)
{
  if (BP_IS_TRAIN_VIEW (widget))
    return BP_TRAIN_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      BpTrainView *view = find_view (child);

      if (view != NULL)
        return view;
    }
  return NULL;
}

static gboolean stress;

/* The main window redrawn on every frame; the Train window too with
 * --stress. */
static void
measure (GtkWidget   *widgets[2],
         Frames       frames[2],
         const char  *phase,
         double       seconds)
{
  gulong handlers[2];
  guint ticks[2] = { 0, 0 };
  double cpu0, cpu1;

  for (guint w = 0; w < 2; w++)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (widgets[w]);

      g_array_set_size (frames[w].times, 0);
      handlers[w] = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames[w]);
      if (w == 0 || stress)
        ticks[w] = gtk_widget_add_tick_callback (widgets[w], redraw_tick_cb, NULL, NULL);
    }
  cpu0 = thread_cpu_ms ();
  spin_for (seconds);
  cpu1 = thread_cpu_ms ();
  for (guint w = 0; w < 2; w++)
    {
      if (ticks[w] != 0)
        gtk_widget_remove_tick_callback (widgets[w], ticks[w]);
      g_signal_handler_disconnect (gtk_widget_get_frame_clock (widgets[w]), handlers[w]);
      print_frames (phase, &frames[w], cpu1 - cpu0, seconds);
    }
  /* What a frame costs the main thread, whatever share of the cores
   * the machine gave it: under 33 ms is 30 fps on a core of its own. */
  g_print ("train-ui: %s: main thread CPU %.1f ms per frame painted (both windows)\n", phase,
           (cpu1 - cpu0) / MAX (1u, frames[0].times->len + frames[1].times->len));
}

static void
run_example (const char *example,
             double      seconds,
             const char *shot)
{
  BpWindow *window = bp_window_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = bp_examples_load (example, &error);
  BpTrainSettings *settings;
  GtkWindow *train_window;
  BpTrainView *view;
  GtkWidget *widgets[2];
  Frames frames[2] = {
    { "main window (canvas redrawn every frame)", NULL },
    { stress ? "Train window (plots redrawn every frame)" : "Train window (plots as they change)", NULL },
  };
  guint64 first;
  double cpu0, t0;

  g_assert_no_error (error);
  /* Enough iterations that training outlasts the measurement. */
  settings = bp_document_get_training (document);
  g_assert_nonnull (settings);
  settings->iterations = 10000000;
  bp_window_set_document (window, document, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  bp_ui_test_present_and_wait (GTK_WIDGET (window));

  train_window = bp_train_view_new_window (window->session, GTK_WINDOW (window));
  bp_ui_test_present_and_wait (GTK_WIDGET (train_window));
  view = find_view (GTK_WIDGET (train_window));
  g_assert_nonnull (view);
  widgets[0] = GTK_WIDGET (window);
  widgets[1] = GTK_WIDGET (train_window);
  for (guint w = 0; w < 2; w++)
    frames[w].times = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_print ("train-ui: %s\n", example);
  measure (widgets, frames, "nothing training", MIN (seconds, 3.0));

  /* Training: wait until the data is loaded and iterations run. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.start", NULL));
  t0 = g_get_monotonic_time ();
  while (bp_train_view_get_iteration (view) == 0 && bp_train_view_is_busy (view) &&
         g_get_monotonic_time () - t0 < 120 * G_USEC_PER_SEC)
    spin_for (0.05);
  first = bp_train_view_get_iteration (view);
  cpu0 = process_cpu_ms ();
  measure (widgets, frames, "training", seconds);
  g_print ("train-ui: training, %" G_GUINT64_FORMAT " iterations in %.1f s meanwhile; "
           "process CPU %.0f %% of the wall clock (all threads)\n",
           bp_train_view_get_iteration (view) - first, seconds,
           100 * (process_cpu_ms () - cpu0) / (seconds * 1e3));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "train.pause", NULL));
  while (bp_train_view_is_busy (view))
    spin_for (0.05);

  if (shot != NULL)
    {
      BpSession *session = window->session;
      BpTrace *trace = bp_session_get_trace (session);
      g_autoptr(GdkTexture) texture = NULL;

      /* The paused iteration's first update, as a student steps to it. */
      g_assert_nonnull (trace);
      g_assert_cmpuint (bp_session_get_n_updates (session), >, 0);
      gtk_window_present (GTK_WINDOW (window));
      bp_session_set_position (session, bp_trace_get_n_steps (trace) + 1);
      spin_for (0.5);
      {
        /* Close enough to read the update's numbers, the param at the
         * left and the teaching panel scrolled to its explanation. */
        const BpUpdateStep *u = bp_session_get_current_update (session);
        cairo_rectangle_t rect;
        double wx, wy;
        GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (window->side_scroller);

        bp_diagram_get_node_rect (bp_canvas_get_diagram (window->canvas), u->param, &rect);
        bp_canvas_zoom_fit (window->canvas);
        /* Zoomed out around the right edge, the param moves towards the
         * middle; then in around it, where it stays. */
        bp_canvas_diagram_to_widget (window->canvas, rect.x, rect.y, &wx, &wy);
        bp_canvas_set_zoom (window->canvas, bp_canvas_get_zoom (window->canvas) / 2,
                            gtk_widget_get_width (GTK_WIDGET (window->canvas)) - 1, wy);
        bp_canvas_diagram_to_widget (window->canvas, rect.x, rect.y, &wx, &wy);
        bp_canvas_set_zoom (window->canvas, 1.2, wx, wy);
        gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
      }
      spin_for (1.0);
      bp_ui_test_wait_for_frame (GTK_WIDGET (window));
      texture = bp_ui_test_render (GTK_WIDGET (window));
      g_assert_nonnull (texture);
      gdk_texture_save_to_png (texture, shot);
      g_print ("train-ui: the update step saved to %s\n", shot);
    }

  for (guint w = 0; w < 2; w++)
    g_array_unref (frames[w].times);
  gtk_window_destroy (train_window);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) examples = g_ptr_array_new ();
  double seconds = 6;
  const char *shot = NULL;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: skipping the Train UI benchmark\n");
      return 77;
    }
  gtk_init ();
  adw_init ();

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--seconds") && i + 1 < argc)
      seconds = g_ascii_strtod (argv[++i], NULL);
    else if (g_str_equal (argv[i], "--example") && i + 1 < argc)
      g_ptr_array_add (examples, argv[++i]);
    else if (g_str_equal (argv[i], "--shot") && i + 1 < argc)
      shot = argv[++i];
    else if (g_str_equal (argv[i], "--stress"))
      stress = TRUE;
  if (examples->len == 0)
    {
      /* The book's net (when its data is installed) and a 2-D set with
       * its decision boundary redrawn as it learns. */
      if (g_file_test (BP_DATASET_FASHION_MNIST_DIR, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (examples, (gpointer) "fashion-two-layer-net");
      g_ptr_array_add (examples, (gpointer) "xor-hidden-layer");
    }

  for (guint i = 0; i < examples->len; i++)
    run_example (g_ptr_array_index (examples, i), seconds,
                 i + 1 == examples->len ? shot : NULL);
  return 0;
}
