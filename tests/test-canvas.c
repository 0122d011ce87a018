/* SPDX-License-Identifier: MIT */
/* Drives a real BpCanvas in a GtkWindow under Xvfb: synthesized drags move
 * nodes and connect ports, a cycle and a shape mismatch are refused with a
 * message, values are edited and recomputed, every edit undoes back to the
 * original document, and a picture of the canvas must not be blank. */
#include <math.h>

#include "bp-canvas.h"
#include "bp-canvas-private.h"
#include "bp-examples.h"
#include "bp-value-popover.h"
#include "bp-palette.h"
#include "bp-search-list.h"
#include "bp-ui-test.h"

typedef struct
{
  GtkWidget  *window;
  BpCanvas   *canvas;
  BpDocument *document;
  GPtrArray  *messages;
  guint       graph_changed;
  guint       selection_changed;
} Fixture;

/* --- helpers --- */

static void
message_cb (BpCanvas   *canvas,
            const char *message,
            Fixture    *f)
{
  g_ptr_array_add (f->messages, g_strdup (message));
}

static void
set_string_cb (char       **out,
               const char  *text)
{
  g_free (*out);
  *out = g_strdup (text);
}

static void
count_cb (gpointer  source,
          guint    *counter)
{
  (*counter)++;
}

static void
count_change_cb (BpSession *session,
                 guint      change,
                 guint     *counter)
{
  (*counter)++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *example = data ? data : "apples";
  g_autoptr(GError) error = NULL;

  f->messages = g_ptr_array_new_with_free_func (g_free);
  f->document = bp_examples_load (example, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->document);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 600);
  f->canvas = BP_CANVAS (bp_canvas_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->canvas));
  g_signal_connect (f->canvas, "message", G_CALLBACK (message_cb), f);
  bp_ui_test_canvas_set_document (f->canvas, f->document);
  g_signal_connect (bp_canvas_get_session (f->canvas), "changed",
                    G_CALLBACK (count_change_cb), &f->graph_changed);
  g_signal_connect (bp_canvas_get_session (f->canvas), "selection-changed",
                    G_CALLBACK (count_cb), &f->selection_changed);
  gtk_window_present (GTK_WINDOW (f->window));
  bp_ui_test_wait_for_frame (GTK_WIDGET (f->canvas));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->document);
  g_ptr_array_unref (f->messages);
}

static char *
document_data (Fixture *f)
{
  return bp_document_to_data (f->document, NULL);
}

static BpNode *
node (Fixture    *f,
      const char *id)
{
  BpNode *n = bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (f->canvas)), id);

  g_assert_nonnull (n);
  return n;
}

static double
scalar_value (BpNode *n)
{
  BpTensor *value = bp_node_get_value (n);

  g_assert_nonnull (value);
  g_assert_true (bp_tensor_is_scalar (value));
  return value->data[0];
}

static void
node_centre (Fixture *f,
             BpNode  *n,
             double  *wx,
             double  *wy)
{
  double spread = bp_diagram_get_spread (bp_canvas_get_diagram (f->canvas));
  double x, y;

  /* Stored positions are spread apart for drawing (presenting). */
  g_assert_true (bp_node_get_position (n, &x, &y));
  bp_canvas_diagram_to_widget (f->canvas, x * spread, y * spread, wx, wy);
}

static void
output_port (Fixture *f,
             BpNode  *n,
             double  *wx,
             double  *wy)
{
  double x, y;

  bp_diagram_get_output_port (bp_canvas_get_diagram (f->canvas), n, &x, &y);
  bp_canvas_diagram_to_widget (f->canvas, x, y, wx, wy);
}

static void
input_port (Fixture *f,
            BpNode  *n,
            guint    slot,
            double  *wx,
            double  *wy)
{
  double x, y;

  bp_diagram_get_input_port (bp_canvas_get_diagram (f->canvas), n, slot, &x, &y);
  bp_canvas_diagram_to_widget (f->canvas, x, y, wx, wy);
}

static void
undo_all (BpHistory *history)
{
  while (bp_history_can_undo (history))
    g_assert_true (bp_history_undo (history));
}

static void
redo_all (BpHistory *history)
{
  while (bp_history_can_redo (history))
    g_assert_true (bp_history_redo (history));
}

/* --- tests --- */

static void
test_canvas_move (Fixture       *f,
                  gconstpointer  data)
{
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (f->canvas));
  g_autofree char *original = document_data (f);
  BpNode *apple = node (f, "apple");
  double x0, y0, x, y, wx, wy, zoom = bp_canvas_get_zoom (f->canvas);

  g_assert_true (bp_node_get_position (apple, &x0, &y0));
  node_centre (f, apple, &wx, &wy);
  bp_ui_test_drag (f->canvas, wx, wy, wx + 60, wy + 30);

  g_assert_true (bp_node_get_position (apple, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, x0 + 60 / zoom, 1e-6);
  g_assert_cmpfloat_with_epsilon (y, y0 + 30 / zoom, 1e-6);
  g_assert_true (bp_session_get_selected_node (bp_canvas_get_session (f->canvas)) == apple);
  g_assert_true (bp_history_can_undo (history));
  g_assert_false (bp_history_is_clean (history));

  g_assert_true (bp_history_undo (history));
  apple = node (f, "apple");
  g_assert_true (bp_node_get_position (apple, &x, &y));
  g_assert_cmpfloat (x, ==, x0);
  g_assert_cmpfloat (y, ==, y0);
  g_assert_true (bp_history_is_clean (history));
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }

  /* Several selected nodes move together. */
  bp_session_select_all (bp_canvas_get_session (f->canvas));
  {
    BpNode *tax = node (f, "tax");
    double tx0, ty0, tx, ty;

    g_assert_true (bp_node_get_position (tax, &tx0, &ty0));
    node_centre (f, apple, &wx, &wy);
    bp_ui_test_drag (f->canvas, wx, wy, wx - 20, wy + 40);
    g_assert_true (bp_node_get_position (tax, &tx, &ty));
    g_assert_cmpfloat_with_epsilon (tx, tx0 - 20 / zoom, 1e-6);
    g_assert_cmpfloat_with_epsilon (ty, ty0 + 40 / zoom, 1e-6);
  }

  /* Arrow-key nudges of the selection, merged into one undo step. */
  gtk_widget_activate_action (GTK_WIDGET (f->canvas), "canvas.nudge", "(dd)", 10.0, 0.0);
  gtk_widget_activate_action (GTK_WIDGET (f->canvas), "canvas.nudge", "(dd)", 10.0, 0.0);
  g_assert_true (bp_history_undo (history));
  g_assert_true (bp_history_undo (history));
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }
}

static void
test_canvas_connect (Fixture       *f,
                     gconstpointer  data)
{
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (f->canvas));
  g_autofree char *original = document_data (f);
  g_autoptr(GError) error = NULL;
  BpNode *added, *apple, *tax;
  double x0, y0, x1, y1;

  /* A new node from the palette's function, then two connection drags. */
  added = bp_canvas_add_node (f->canvas, "add", 200, 330, &error);
  g_assert_no_error (error);
  g_assert_nonnull (added);
  g_assert_true (bp_session_get_selected_node (bp_canvas_get_session (f->canvas)) == added);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  apple = node (f, "apple");
  tax = node (f, "tax");

  output_port (f, apple, &x0, &y0);
  input_port (f, added, 0, &x1, &y1);
  bp_ui_test_drag (f->canvas, x0, y0, x1, y1);
  g_assert_true (bp_node_get_input (added, 0) == apple);

  output_port (f, tax, &x0, &y0);
  input_port (f, added, 1, &x1, &y1);
  bp_ui_test_drag (f->canvas, x0, y0, x1, y1);
  g_assert_true (bp_node_get_input (added, 1) == tax);
  g_assert_cmpuint (f->messages->len, ==, 0);

  /* Two sinks now: no output, no backward pass, but the forward value. */
  g_assert_cmpfloat_with_epsilon (scalar_value (added), 101.1, 1e-9);

  /* price → apple_price would close a cycle: refused, said, untouched. */
  {
    g_autofree char *before = document_data (f);
    g_autofree char *after = NULL;
    BpNode *price = node (f, "price");
    BpNode *apple_price = node (f, "apple_price");

    output_port (f, price, &x0, &y0);
    input_port (f, apple_price, 0, &x1, &y1);
    bp_ui_test_drag (f->canvas, x0, y0, x1, y1);
    g_assert_cmpuint (f->messages->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (f->messages, 0), "cycle"));
    g_assert_true (bp_node_get_input (apple_price, 0) == apple);
    after = document_data (f);
    g_assert_cmpstr (before, ==, after);
  }

  /* A 2×2 matrix times a scalar broadcasts, as numpy does; times a 1×3
   * row it cannot: refused, said, untouched. */
  {
    BpHistory *h = bp_session_get_history (bp_canvas_get_session (f->canvas));
    BpNode *m = bp_canvas_add_node (f->canvas, "input", 40, 330, &error);
    BpNode *row = NULL;
    BpNode *apple_price = node (f, "apple_price");
    guint n_messages = f->messages->len;

    g_assert_no_error (error);
    g_assert_true (bp_history_set_value_text (h, m, "[[1, 2], [3, 4]]", &error));
    row = bp_canvas_add_node (f->canvas, "input", 40, 400, &error);
    g_assert_no_error (error);
    g_assert_true (bp_history_set_value_text (h, row, "[1, 2, 3]", &error));
    g_assert_no_error (error);
    g_assert_true (bp_canvas_connect (f->canvas, m, apple_price, 0, &error));
    g_assert_no_error (error);
    g_assert_false (bp_canvas_connect (f->canvas, row, apple_price, 1, &error));
    g_assert_error (error, BP_ERROR, BP_ERROR_SHAPE);
    g_clear_error (&error);
    g_assert_cmpuint (f->messages->len, ==, n_messages + 1);
    g_assert_true (bp_node_get_input (apple_price, 1) == node (f, "apple_num"));
    /* Undo the connection, the row's value and the row itself. */
    g_assert_true (bp_history_undo (h));
    g_assert_true (bp_node_get_input (apple_price, 0) == node (f, "apple"));
    g_assert_true (bp_history_undo (h));
    g_assert_true (bp_history_undo (h));
    g_assert_true (bp_node_get_value (m)->rows == 2);
  }

  /* Picking up an edge at its input port and dropping it on nothing
   * disconnects it. */
  {
    BpNode *price = node (f, "price");

    input_port (f, price, 1, &x0, &y0);
    bp_ui_test_drag (f->canvas, x0, y0, x0 - 5, y0 + 300);
    g_assert_null (bp_node_get_input (price, 1));
    g_assert_nonnull (bp_session_get_error (bp_canvas_get_session (f->canvas)));
    g_assert_true (bp_history_undo (history));
    g_assert_nonnull (bp_node_get_input (node (f, "price"), 1));
    g_assert_null (bp_session_get_error (bp_canvas_get_session (f->canvas)));
  }

  undo_all (history);
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }
  g_assert_true (bp_history_is_clean (history));
  g_assert_true (bp_history_can_redo (history));
  redo_all (history);
  g_assert_false (bp_history_is_clean (history));
  g_assert_cmpuint (bp_graph_get_n_nodes (bp_session_get_graph (bp_canvas_get_session (f->canvas))), ==, 7);
}

static void
test_canvas_value (Fixture       *f,
                   gconstpointer  data)
{
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (f->canvas));
  g_autofree char *original = document_data (f);
  g_autofree char *edited = NULL;
  g_autoptr(GError) error = NULL;
  guint changed_before = f->graph_changed;
  BpTrace *trace;

  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "price")), 220, 1e-9);
  trace = bp_session_get_trace (bp_canvas_get_session (f->canvas));
  g_assert_nonnull (trace);
  g_assert_cmpuint (bp_trace_get_n_backward (trace), >, 0);
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (node (f, "apple"))->data[0], 2.2, 1e-9);

  g_assert_true (bp_history_set_value_text (bp_session_get_history (bp_canvas_get_session (f->canvas)), node (f, "apple"), "150", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->graph_changed, >, changed_before);
  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "price")), 330, 1e-9);
  g_assert_true (bp_session_get_trace (bp_canvas_get_session (f->canvas)) != NULL);
  edited = document_data (f);

  /* Invalid text is refused and changes nothing, not even the history. */
  g_assert_false (bp_history_set_value_text (bp_session_get_history (bp_canvas_get_session (f->canvas)), node (f, "apple"), "[[1, 2], [3]", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (bp_history_set_value_text (bp_session_get_history (bp_canvas_get_session (f->canvas)), node (f, "price"), "3", &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, edited);
  }

  g_assert_cmpstr (bp_history_get_undo_label (history), ==, "Set Value");
  g_assert_true (bp_history_undo (history));
  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "price")), 220, 1e-9);
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }
  g_assert_true (bp_history_redo (history));
  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "price")), 330, 1e-9);

  /* The whole pass stays shown across recomputes. */
  bp_ui_test_canvas_set_pass_state (f->canvas, BP_PASS_BACKWARD, G_MAXUINT, 1.0);
  g_assert_cmpint (bp_session_get_pass (bp_canvas_get_session (f->canvas)), ==, BP_PASS_BACKWARD);
  g_assert_true (bp_history_undo (history));
  g_assert_cmpuint (bp_session_get_position (bp_canvas_get_session (f->canvas)), ==,
                    bp_session_get_n_steps (bp_canvas_get_session (f->canvas)));
}

static void
test_value_popover (void)
{
  BpValuePopover *popover = bp_value_popover_new ();
  g_autofree char *chosen = NULL;

  g_object_ref_sink (popover);
  g_signal_connect_swapped (popover, "value-chosen", G_CALLBACK (set_string_cb), &chosen);

  bp_value_popover_set_node (popover, "apple", "100");
  g_assert_null (bp_value_popover_get_error (popover));

  bp_value_popover_set_text (popover, "[[1, 2], [3");
  g_assert_nonnull (bp_value_popover_get_error (popover));
  g_assert_false (bp_value_popover_apply (popover));
  g_assert_null (chosen);

  bp_value_popover_set_text (popover, "[[1, 2], [3, 4]]");
  g_assert_null (bp_value_popover_get_error (popover));
  g_assert_true (bp_value_popover_apply (popover));
  g_assert_cmpstr (chosen, ==, "[[1, 2], [3, 4]]");

  g_assert_finalize_object (popover);
}

static BpValuePopover *
find_value_popover (BpCanvas *canvas)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (canvas));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (BP_IS_VALUE_POPOVER (child))
      return BP_VALUE_POPOVER (child);
  g_assert_not_reached ();
  return NULL;
}

static void
spin_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < (gint64) until)
    g_main_context_iteration (NULL, FALSE);
}

/* Everything the popover's content needs at its width fits in it. */
static void
assert_popover_fits (BpValuePopover *popover)
{
  GtkWidget *child = gtk_popover_get_child (GTK_POPOVER (popover));
  int width = gtk_widget_get_width (child);
  int min_height = 0;

  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &min_height, NULL, NULL, NULL);
  g_test_message ("popover content %d × %d, needs height %d", width,
                  gtk_widget_get_height (child), min_height);
  g_assert_cmpint (gtk_widget_get_height (child), >=, min_height);
}

/* A long explanation wraps over several lines, and the popover grows to
 * show them all (it was clipped after its first size). */
static void
test_canvas_value_popover_grows (Fixture       *f,
                                 gconstpointer  data)
{
  BpValuePopover *popover = find_value_popover (f->canvas);
  const char *dir = g_getenv ("BP_SHOTS_DIR");
  int height_before;

  bp_canvas_edit_value (f->canvas, node (f, "apple"));
  /* Another test's window on the same X server may take the focus, which
   * closes an autohide popover: open it again as a plain one (autohide
   * only changes while it is hidden) to measure it. */
  gtk_popover_popdown (GTK_POPOVER (popover));
  spin_for (50);
  gtk_popover_set_autohide (GTK_POPOVER (popover), FALSE);
  gtk_popover_popup (GTK_POPOVER (popover));
  bp_ui_test_wait_for_frame (GTK_WIDGET (popover));
  assert_popover_fits (popover);
  height_before = gtk_widget_get_height (GTK_WIDGET (popover));

  bp_value_popover_set_text (popover, "1 abcdefghijkl mnopqrstuvw xyzabcdefg hijklmnop qrstuvwxyz abcdefg "
                                     "hijklmnop qrstuv wxyz 1 abcdefghijkl mnopqrstuvw xyzabcdefg");
  g_assert_nonnull (bp_value_popover_get_error (popover));
  bp_ui_test_wait_for_frame (GTK_WIDGET (popover));
  spin_for (100);
  assert_popover_fits (popover);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (popover)), >, height_before);

  if (dir != NULL && g_find_program_in_path ("import") != NULL)
    {
      g_autofree char *import = g_find_program_in_path ("import");
      g_autofree char *png = g_build_filename (dir, "canvas-value-error.png", NULL);
      g_autofree char *cmd = g_strdup_printf ("%s -window root %s", import, png);

      g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
      g_test_message ("screen picture: %s", png);
    }

  /* Back to a short message and to the hint: it shrinks again. */
  bp_value_popover_set_text (popover, "[[1, 2], [3");
  spin_for (300);
  assert_popover_fits (popover);
  bp_value_popover_set_text (popover, "7");
  spin_for (300);
  assert_popover_fits (popover);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (popover)), ==, height_before);
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
test_palette (void)
{
  BpPalette *palette = bp_palette_new ();
  g_autofree const char **all = NULL;
  g_autofree const char **some = NULL;
  g_autofree char *chosen = NULL;
  guint n_all, n_some, n_ops;

  g_object_ref_sink (palette);
  g_signal_connect_swapped (palette, "op-chosen", G_CALLBACK (set_string_cb), &chosen);

  bp_op_get_all (&n_ops);
  bp_palette_reset (palette);
  all = bp_palette_get_visible (palette, &n_all);
  g_assert_cmpuint (n_all, ==, n_ops);

  bp_palette_set_search (palette, "SIGM");
  some = bp_palette_get_visible (palette, &n_some);
  g_assert_cmpuint (n_some, >=, 1);
  g_assert_cmpuint (n_some, <, n_all);
  g_assert_true (bp_palette_choose (palette));
  g_assert_cmpstr (chosen, ==, some[0]);
  g_assert_nonnull (strstr (chosen, "sigmoid"));

  bp_palette_set_search (palette, "no such operation");
  g_assert_false (bp_palette_choose (palette));

  g_assert_finalize_object (palette);
}

static gboolean
name_contains (GtkListBoxRow *row,
               const char    *needle,
               gpointer       user_data)
{
  return strstr (g_object_get_data (G_OBJECT (row), "name"), needle) != NULL;
}

static void
set_row_cb (GtkListBoxRow **out,
            GtkListBoxRow  *row)
{
  *out = row;
}

/* The keys of the search over the list: Down then Enter chooses the row
 * moved to; Enter right after typing (before "search-changed", which
 * waits a moment) chooses from the list the new text leaves. */
static void
test_search_list (void)
{
  static const char *names[] = { "apple", "apple price", "orange" };
  BpSearchList *list = bp_search_list_new ();
  GtkListBoxRow *rows[G_N_ELEMENTS (names)];
  GtkListBoxRow *chosen = NULL;
  g_autoptr(GPtrArray) visible = NULL;
  GtkWidget *entry;
  guint stopped = 0;

  g_object_ref_sink (list);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      rows[i] = GTK_LIST_BOX_ROW (gtk_list_box_row_new ());
      gtk_list_box_row_set_child (rows[i], gtk_label_new (names[i]));
      g_object_set_data (G_OBJECT (rows[i]), "name", (gpointer) names[i]);
      bp_search_list_append (list, GTK_WIDGET (rows[i]));
    }
  bp_search_list_set_filter_func (list, name_contains, NULL, NULL);
  g_signal_connect_swapped (list, "row-activated", G_CALLBACK (set_row_cb), &chosen);
  g_signal_connect (list, "stop-search", G_CALLBACK (count_cb), &stopped);
  for (entry = gtk_widget_get_first_child (GTK_WIDGET (list));
       entry != NULL && !GTK_IS_SEARCH_ENTRY (entry);
       entry = gtk_widget_get_next_sibling (entry))
    ;
  g_assert_nonnull (entry);

  bp_search_list_set_search (list, "APPLE");
  visible = bp_search_list_get_visible (list);
  g_assert_cmpuint (visible->len, ==, 2);
  g_assert_true (visible->pdata[0] == rows[0] && visible->pdata[1] == rows[1]);

  g_assert_true (bp_ui_test_deliver_key (entry, GTK_PHASE_CAPTURE, GDK_KEY_Down, 0, TRUE));
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (chosen == rows[1]);

  gtk_editable_set_text (GTK_EDITABLE (entry), "orange");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (chosen == rows[2]);

  g_signal_emit_by_name (entry, "stop-search");
  g_assert_cmpuint (stopped, ==, 1);

  bp_search_list_set_search (list, "no such row");
  chosen = NULL;
  g_assert_false (bp_search_list_choose (list));
  g_assert_null (chosen);

  g_assert_finalize_object (list);
}

static void
test_canvas_delete (Fixture       *f,
                    gconstpointer  data)
{
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (f->canvas));
  g_autofree char *original = document_data (f);

  bp_session_select_node (bp_canvas_get_session (f->canvas), node (f, "apple_price"));
  gtk_widget_activate_action (GTK_WIDGET (f->canvas), "canvas.delete", NULL);
  g_assert_null (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (f->canvas)), "apple_price"));
  g_assert_null (bp_node_get_input (node (f, "price"), 0));
  g_assert_null (bp_session_get_selected_node (bp_canvas_get_session (f->canvas)));
  g_assert_nonnull (bp_session_get_error (bp_canvas_get_session (f->canvas)));

  g_assert_true (bp_history_undo (bp_session_get_history (bp_canvas_get_session (f->canvas))));
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }
  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "price")), 220, 1e-9);

  /* Several at once, the first node of the file among them. */
  bp_session_select_all (bp_canvas_get_session (f->canvas));
  bp_canvas_delete_selection (f->canvas);
  g_assert_cmpuint (bp_graph_get_n_nodes (bp_session_get_graph (bp_canvas_get_session (f->canvas))), ==, 0);
  g_assert_true (bp_history_undo (history));
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }
  g_assert_true (bp_history_redo (history));
  g_assert_true (bp_history_undo (history));
  g_assert_true (bp_history_is_clean (history));
}

static void
test_canvas_rename_arrange (Fixture       *f,
                            gconstpointer  data)
{
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (f->canvas));
  g_autofree char *original = document_data (f);
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_history_rename_node (history, node (f, "tax"), "vat", &error));
  g_assert_no_error (error);
  g_assert_false (bp_history_rename_node (history, node (f, "vat"), "apple", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  bp_history_set_label (history, node (f, "vat"), "value added tax");
  g_assert_cmpstr (bp_node_get_label (node (f, "vat")), ==, "value added tax");

  gtk_widget_activate_action (GTK_WIDGET (f->canvas), "canvas.arrange", NULL);
  g_assert_cmpstr (bp_history_get_undo_label (history), ==, "Arrange");

  undo_all (history);
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }
}

/* The document keeps quiz blanks by node id: a rename carries them over,
 * undo and redo move them back and forth; a deleted node's blanks leave
 * the document with it and come back with the undo. */
static void
test_canvas_rename_quiz (Fixture       *f,
                         gconstpointer  data)
{
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (f->canvas));
  g_autofree char *original = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_history_get_document (history) == f->document);
  {
    /* The example comes with blanks of its own: start from none. */
    g_auto(GStrv) ids = bp_document_get_quiz_nodes (f->document);

    for (guint i = 0; ids[i] != NULL; i++)
      bp_document_set_quiz (f->document, ids[i], 0);
  }
  bp_document_set_quiz (f->document, "apple", BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  bp_document_set_quiz (f->document, "tax", BP_QUIZ_GRAD);
  original = document_data (f);

  g_assert_true (bp_history_rename_node (history, node (f, "apple"), "fruit", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "fruit"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "apple"), ==, 0);
  {
    /* Saved under the new id. */
    g_autofree char *now = document_data (f);
    g_autoptr(BpDocument) reloaded = bp_document_load_from_data (now, -1, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (bp_document_get_quiz (reloaded, "fruit"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  }

  g_assert_true (bp_history_undo (history));
  g_assert_cmpuint (bp_document_get_quiz (f->document, "apple"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "fruit"), ==, 0);
  g_assert_true (bp_history_redo (history));
  g_assert_cmpuint (bp_document_get_quiz (f->document, "fruit"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "apple"), ==, 0);

  /* Deleting tax takes its blank out of the document (a saved file
   * naming no node would not load) and its undo brings it back. */
  bp_session_select_node (bp_canvas_get_session (f->canvas), node (f, "tax"));
  bp_canvas_delete_selection (f->canvas);
  g_assert_null (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (f->canvas)), "tax"));
  g_assert_cmpuint (bp_document_get_quiz (f->document, "tax"), ==, 0);
  {
    g_autofree char *now = document_data (f);
    g_autoptr(BpDocument) reloaded = bp_document_load_from_data (now, -1, &error);

    g_assert_no_error (error);
  }
  /* Taking the deleted node's id. */
  g_assert_true (bp_history_rename_node (history, node (f, "fruit"), "tax", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "tax"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_true (bp_history_undo (history));
  g_assert_cmpuint (bp_document_get_quiz (f->document, "tax"), ==, 0);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "fruit"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_true (bp_history_undo (history));
  g_assert_nonnull (bp_graph_lookup (bp_session_get_graph (bp_canvas_get_session (f->canvas)), "tax"));
  g_assert_cmpuint (bp_document_get_quiz (f->document, "tax"), ==, BP_QUIZ_GRAD);

  undo_all (history);
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }
  redo_all (history);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "tax"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "fruit"), ==, 0);
  g_assert_cmpuint (bp_document_get_quiz (f->document, "apple"), ==, 0);
  undo_all (history);

  /* A node added, given a blank, and its add undone: the blank leaves
   * with it and comes back on redo. */
  {
    BpNode *added = bp_canvas_add_node (f->canvas, "add", 10, 10, &error);
    g_autofree char *id = NULL;

    g_assert_no_error (error);
    id = g_strdup (bp_node_get_id (added));
    bp_document_set_quiz (f->document, id, BP_QUIZ_VALUE);
    g_assert_true (bp_history_undo (history));
    g_assert_cmpuint (bp_document_get_quiz (f->document, id), ==, 0);
    g_assert_true (bp_history_redo (history));
    g_assert_cmpuint (bp_document_get_quiz (f->document, id), ==, BP_QUIZ_VALUE);
    g_assert_true (bp_history_undo (history));
  }
  {
    g_autofree char *now = document_data (f);
    g_assert_cmpstr (now, ==, original);
  }

  /* Another document (an empty one): the history follows the session's. */
  bp_ui_test_canvas_set_document (f->canvas, NULL);
  g_assert_true (bp_history_get_document (history) ==
                 bp_session_get_document (bp_canvas_get_session (f->canvas)));
  g_assert_true (bp_history_get_document (history) != f->document);
  bp_ui_test_canvas_set_document (f->canvas, f->document);
}

/* The canvas as drawn, saved as a PNG in the build dir (to look at). */
static GdkTexture *
canvas_texture (Fixture    *f,
                const char *name)
{
  GtkWidget *widget = GTK_WIDGET (f->canvas);
  g_autofree char *png = NULL;
  GdkTexture *texture;

  bp_ui_test_wait_for_frame (widget);
  texture = bp_ui_test_render (widget);
  png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                          name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("canvas picture: %s", png);
  return texture;
}

/* Pixels of the node's box drawn in a red (the error style). */
static guint
count_red_in_node (Fixture    *f,
                   GdkTexture *texture,
                   BpNode     *n)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  cairo_rectangle_t r;
  double x0, y0, x1, y1;
  guint red = 0;

  gdk_texture_download (texture, pixels, stride);
  bp_diagram_get_node_rect (bp_canvas_get_diagram (f->canvas), n, &r);
  bp_canvas_diagram_to_widget (f->canvas, r.x, r.y, &x0, &y0);
  bp_canvas_diagram_to_widget (f->canvas, r.x + r.width, r.y + r.height, &x1, &y1);
  for (int y = MAX (0, (int) y0); y < MIN (height, (int) y1); y++)
    for (int x = MAX (0, (int) x0); x < MIN (width, (int) x1); x++)
      {
        /* Cairo ARGB32 in memory: B, G, R, A (little endian). */
        const guchar *px = pixels + y * stride + x * 4;

        if (px[2] > px[1] + 60 && px[2] > px[0] + 60)
          red++;
      }
  return red;
}

/* A node with an unconnected input: the engine computes the rest, so the
 * canvas keeps every other number and the trace of what it computed,
 * and draws that node in the error style with its message; a broken
 * input of the output keeps the values before it (no gradients then). */
static void
test_canvas_broken_node (Fixture       *f,
                         gconstpointer  data)
{
  BpHistory *history = bp_session_get_history (bp_canvas_get_session (f->canvas));
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) broken = NULL;
  g_autoptr(GdkTexture) blocked = NULL;
  BpTrace *trace;
  BpNode *added;
  double x, y;

  g_assert_null (bp_session_get_error (bp_canvas_get_session (f->canvas)));
  before = canvas_texture (f, "test-canvas-before-broken.png");
  g_assert_cmpuint (count_red_in_node (f, before, node (f, "price")), ==, 0);

  /* Below the graph, in empty space. */
  g_assert_true (bp_node_get_position (node (f, "tax"), &x, &y));
  added = bp_canvas_add_node (f->canvas, "mul", x + 150, y + 80, &error);
  g_assert_no_error (error);
  g_assert_nonnull (added);
  g_assert_nonnull (bp_session_get_error (bp_canvas_get_session (f->canvas)));
  g_assert_nonnull (strstr (bp_session_get_error (bp_canvas_get_session (f->canvas)), bp_node_get_id (added)));
  g_assert_nonnull (bp_node_get_error (added));
  g_assert_null (bp_node_get_value (added));
  /* The rest is as before, forward and backward. */
  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "price")), 220.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "apple_price")), 200.0, 1e-9);
  g_assert_nonnull (bp_node_get_grad (node (f, "apple")));
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (node (f, "apple"))->data[0], 2.2, 1e-9);
  trace = bp_session_get_trace (bp_canvas_get_session (f->canvas));
  g_assert_nonnull (trace);
  g_assert_cmpuint (bp_trace_get_n_forward (trace), ==, 5);
  g_assert_cmpuint (bp_trace_get_n_steps (trace), ==, 10);

  bp_session_select_node (bp_canvas_get_session (f->canvas), NULL);
  broken = canvas_texture (f, "test-canvas-broken-node.png");
  g_assert_cmpuint (count_red_in_node (f, broken, added), >, 50);
  g_assert_cmpuint (count_red_in_node (f, broken, node (f, "price")), ==, 0);

  /* Now the output waits on a missing input: the values before it stay,
   * no gradient can be had. */
  g_assert_true (bp_history_undo (history));
  g_assert_null (bp_session_get_error (bp_canvas_get_session (f->canvas)));
  bp_history_disconnect (history, node (f, "price"), 1);
  g_assert_nonnull (bp_session_get_error (bp_canvas_get_session (f->canvas)));
  g_assert_nonnull (bp_node_get_error (node (f, "price")));
  g_assert_cmpfloat_with_epsilon (scalar_value (node (f, "apple_price")), 200.0, 1e-9);
  g_assert_null (bp_node_get_grad (node (f, "apple")));
  trace = bp_session_get_trace (bp_canvas_get_session (f->canvas));
  g_assert_nonnull (trace);
  g_assert_cmpuint (bp_trace_get_n_forward (trace), ==, 4);
  g_assert_cmpuint (bp_trace_get_n_steps (trace), ==, 4);
  blocked = canvas_texture (f, "test-canvas-blocked-output.png");
  g_assert_cmpuint (count_red_in_node (f, blocked, node (f, "price")), >, 50);
  g_assert_cmpuint (count_red_in_node (f, blocked, node (f, "apple_price")), ==, 0);

  g_assert_true (bp_history_undo (history));
  g_assert_null (bp_session_get_error (bp_canvas_get_session (f->canvas)));
  g_assert_cmpuint (bp_trace_get_n_steps (bp_session_get_trace (bp_canvas_get_session (f->canvas))), ==, 10);
}

static void
test_canvas_view (Fixture       *f,
                  gconstpointer  data)
{
  double zoom = bp_canvas_get_zoom (f->canvas);
  double x, y, wx, wy;

  gtk_widget_activate_action (GTK_WIDGET (f->canvas), "canvas.zoom-in", NULL);
  g_assert_cmpfloat (bp_canvas_get_zoom (f->canvas), >, zoom);
  gtk_widget_activate_action (GTK_WIDGET (f->canvas), "canvas.zoom-reset", NULL);
  g_assert_cmpfloat (bp_canvas_get_zoom (f->canvas), ==, 1.0);

  /* Zooming keeps the point under the pointer in place. */
  bp_canvas_widget_to_diagram (f->canvas, 100, 80, &x, &y);
  bp_canvas_set_zoom (f->canvas, 2.5, 100, 80);
  bp_canvas_diagram_to_widget (f->canvas, x, y, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (wy, 80, 1e-9);

  /* Fit shows every node inside the widget. */
  gtk_widget_activate_action (GTK_WIDGET (f->canvas), "canvas.zoom-fit", NULL);
  for (guint i = 0; i < bp_graph_get_n_nodes (bp_session_get_graph (bp_canvas_get_session (f->canvas))); i++)
    {
      node_centre (f, bp_graph_get_node (bp_session_get_graph (bp_canvas_get_session (f->canvas)), i), &wx, &wy);
      g_assert_cmpfloat (wx, >, 0);
      g_assert_cmpfloat (wy, >, 0);
      g_assert_cmpfloat (wx, <, gtk_widget_get_width (GTK_WIDGET (f->canvas)));
      g_assert_cmpfloat (wy, <, gtk_widget_get_height (GTK_WIDGET (f->canvas)));
    }

  /* Rubber band from an empty corner over everything selects everything. */
  bp_ui_test_drag (f->canvas, 1, 1, gtk_widget_get_width (GTK_WIDGET (f->canvas)) - 1,
        gtk_widget_get_height (GTK_WIDGET (f->canvas)) - 1);
  {
    g_autofree BpNode **sel = NULL;
    guint n;

    sel = bp_canvas_dup_selected_nodes (f->canvas, &n);
    g_assert_cmpuint (n, ==, bp_graph_get_n_nodes (bp_session_get_graph (bp_canvas_get_session (f->canvas))));
  }
  /* A click on empty canvas clears it. */
  bp_ui_test_drag (f->canvas, 2, 2, 2, 2);
  g_assert_null (bp_session_get_selected_node (bp_canvas_get_session (f->canvas)));
}

/* Renders the canvas to a PNG (kept in the build dir to look at) and
 * checks that it is not one flat colour. */
static void
test_canvas_png (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (f->canvas);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) render_node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *pixels = NULL;
  g_autofree char *png = NULL;
  GHashTable *colours;
  gsize stride;

  bp_ui_test_canvas_set_pass_state (f->canvas, BP_PASS_BACKWARD, G_MAXUINT, 1.0);
  bp_session_select_node (bp_canvas_get_session (f->canvas), node (f, "apple_price"));
  bp_ui_test_wait_for_frame (widget);
  /* The paintable follows the widget's frames from its creation on. */
  paintable = gtk_widget_paintable_new (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  render_node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (render_node);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, render_node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                          "test-canvas.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("canvas picture: %s", png);

  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);
  colours = g_hash_table_new (NULL, NULL);
  for (int y = 0; y < height; y += 2)
    for (int x = 0; x < width; x += 2)
      {
        guint32 px;

        memcpy (&px, pixels + y * stride + x * 4, 4);
        g_hash_table_add (colours, GUINT_TO_POINTER (px));
      }
  /* Text, edges, two value colours and the selection: many colours. */
  g_assert_cmpuint (g_hash_table_size (colours), >, 20);
  g_hash_table_unref (colours);
}

/* The canvas' own drawing, rendered now, as pixels. */
static guchar *
render_canvas (BpCanvas *canvas,
               int      *width,
               int      *height)
{
  GtkWidget *widget = GTK_WIDGET (canvas);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) render_node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  guchar *pixels;

  *width = gtk_widget_get_width (widget);
  *height = gtk_widget_get_height (widget);
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  render_node = gtk_snapshot_free_to_node (snapshot);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, render_node,
                                         &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  gsk_renderer_unrealize (renderer);
  pixels = g_malloc ((gsize) *width * *height * 4);
  gdk_texture_download (texture, pixels, (gsize) *width * 4);
  return pixels;
}

/* Pixels that differ visibly. A stale or missing part differs by much
 * more than the few levels antialiasing may vary by when a line is drawn
 * within a smaller clip. */
static guint
count_differences (const guchar *a,
                   const guchar *b,
                   int           width,
                   int           height)
{
  guint differ = 0;

  for (gsize i = 0; i < (gsize) width * height * 4; i++)
    if (abs ((int) a[i] - (int) b[i]) > 32)
      differ++;
  return differ;
}

/* While a node is dragged only the parts it touches are drawn again: the
 * result must be what drawing everything gives. */
static void
check_partial_redraw (Fixture *f,
                      double   text_scale)
{
  GtkGesture *gesture = bp_ui_test_find_drag_gesture (f->canvas);
  g_autofree guchar *partial = NULL;
  g_autofree guchar *full = NULL;
  int width, height, w2, h2;
  guint differ = 0;
  double wx, wy;

  if (text_scale != 1.0)
    {
      /* Presenting: large text and spread positions. */
      bp_canvas_set_text_scale (f->canvas, text_scale);
      bp_canvas_zoom_fit (f->canvas);
      g_assert_cmpfloat (bp_diagram_get_spread (bp_canvas_get_diagram (f->canvas)), >, 1.0);
    }
  bp_ui_test_canvas_set_pass_state (f->canvas, BP_PASS_BACKWARD, G_MAXUINT, 1.0);
  bp_ui_test_wait_for_frame (GTK_WIDGET (f->canvas));
  node_centre (f, node (f, "apple_price"), &wx, &wy);

  g_signal_emit_by_name (gesture, "drag-begin", wx, wy);
  for (int i = 1; i <= 6; i++)
    {
      g_signal_emit_by_name (gesture, "drag-update", 25.0 * i, -12.0 * i);
      g_free (render_canvas (f->canvas, &width, &height));
    }
  partial = render_canvas (f->canvas, &width, &height);

  /* Force a full redraw of the same state. */
  bp_canvas_set_dark (f->canvas, TRUE);
  bp_canvas_set_dark (f->canvas, FALSE);
  full = render_canvas (f->canvas, &w2, &h2);
  g_assert_cmpint (width, ==, w2);
  g_assert_cmpint (height, ==, h2);
  differ = count_differences (partial, full, width, height);
  g_assert_cmpuint (differ, ==, 0);

  g_signal_emit_by_name (gesture, "drag-end", 150.0, -72.0);

  /* The output, with its arrow and numbers at the right. */
  g_clear_pointer (&partial, g_free);
  g_clear_pointer (&full, g_free);
  node_centre (f, node (f, "price"), &wx, &wy);
  g_signal_emit_by_name (gesture, "drag-begin", wx, wy);
  for (int i = 1; i <= 4; i++)
    {
      g_signal_emit_by_name (gesture, "drag-update", -30.0 * i, 20.0 * i);
      g_free (render_canvas (f->canvas, &width, &height));
    }
  partial = render_canvas (f->canvas, &width, &height);
  bp_canvas_set_dark (f->canvas, TRUE);
  bp_canvas_set_dark (f->canvas, FALSE);
  full = render_canvas (f->canvas, &w2, &h2);
  differ = count_differences (partial, full, width, height);
  g_assert_cmpuint (differ, ==, 0);
  g_signal_emit_by_name (gesture, "drag-end", -120.0, 80.0);

  /* Hovering redraws the node under the pointer and the one it left. */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->canvas));
    GtkEventController *motion = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
          motion = GTK_EVENT_CONTROLLER (controller);
      }
    g_assert_nonnull (motion);
    g_clear_pointer (&partial, g_free);
    g_clear_pointer (&full, g_free);
    node_centre (f, node (f, "tax"), &wx, &wy);
    g_signal_emit_by_name (motion, "motion", wx, wy);
    g_free (render_canvas (f->canvas, &width, &height));
    node_centre (f, node (f, "apple"), &wx, &wy);
    g_signal_emit_by_name (motion, "motion", wx, wy);
    partial = render_canvas (f->canvas, &width, &height);
    bp_canvas_set_dark (f->canvas, TRUE);
    bp_canvas_set_dark (f->canvas, FALSE);
    full = render_canvas (f->canvas, &w2, &h2);
    differ = count_differences (partial, full, width, height);
    g_assert_cmpuint (differ, ==, 0);
    g_signal_emit_by_name (motion, "leave");
  }

  /* A new selection redraws the nodes that changed. */
  g_clear_pointer (&partial, g_free);
  g_clear_pointer (&full, g_free);
  bp_session_select_node (bp_canvas_get_session (f->canvas), node (f, "tax"));
  g_free (render_canvas (f->canvas, &width, &height));
  bp_session_select_node (bp_canvas_get_session (f->canvas), node (f, "apple_price"));
  g_free (render_canvas (f->canvas, &width, &height));
  bp_session_select_all (bp_canvas_get_session (f->canvas));
  g_free (render_canvas (f->canvas, &width, &height));
  bp_session_select_node (bp_canvas_get_session (f->canvas), node (f, "apple"));
  partial = render_canvas (f->canvas, &width, &height);
  bp_canvas_set_dark (f->canvas, TRUE);
  bp_canvas_set_dark (f->canvas, FALSE);
  full = render_canvas (f->canvas, &w2, &h2);
  differ = count_differences (partial, full, width, height);
  g_assert_cmpuint (differ, ==, 0);

  /* The player's steps and their animation frames. */
  {
    BpTrace *trace = bp_session_get_trace (bp_canvas_get_session (f->canvas));
    BpPass passes[2] = { BP_PASS_FORWARD, BP_PASS_BACKWARD };

    g_assert_nonnull (trace);
    for (int p = 0; p < 2; p++)
      {
        guint n = p == 0 ? bp_trace_get_n_forward (trace) : bp_trace_get_n_backward (trace);

        bp_ui_test_canvas_set_pass_state (f->canvas, passes[p], 0, 1.0);
        g_free (render_canvas (f->canvas, &width, &height));
        for (guint step = 1; step <= n; step++)
          for (int k = 0; k <= 2; k++)
            {
              bp_ui_test_canvas_set_pass_state (f->canvas, passes[p], step, k / 2.0);
              g_clear_pointer (&partial, g_free);
              g_clear_pointer (&full, g_free);
              partial = render_canvas (f->canvas, &width, &height);
              if (k == 2 && step < n)
                continue;
              /* Mid-animation and at the end of the pass. */
              bp_canvas_set_dark (f->canvas, TRUE);
              bp_canvas_set_dark (f->canvas, FALSE);
              full = render_canvas (f->canvas, &w2, &h2);
              differ = count_differences (partial, full, width, height);
              g_assert_cmpuint (differ, ==, 0);
            }
        /* And one step back. */
        bp_ui_test_canvas_set_pass_state (f->canvas, passes[p], n - 1, 1.0);
        g_clear_pointer (&partial, g_free);
        g_clear_pointer (&full, g_free);
        partial = render_canvas (f->canvas, &width, &height);
        bp_canvas_set_dark (f->canvas, TRUE);
        bp_canvas_set_dark (f->canvas, FALSE);
        full = render_canvas (f->canvas, &w2, &h2);
        g_assert_cmpuint (count_differences (partial, full, width, height), ==, 0);
      }
  }

  /* Scrolling shifts the kept picture and draws only what came into view. */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->canvas));
    GtkEventController *scroll = NULL;
    double x0, y0, x1, y1;
    gboolean handled = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_SCROLL (controller))
          scroll = GTK_EVENT_CONTROLLER (controller);
      }
    g_assert_nonnull (scroll);

    g_clear_pointer (&partial, g_free);
    g_clear_pointer (&full, g_free);
    g_free (render_canvas (f->canvas, &width, &height));
    bp_canvas_widget_to_diagram (f->canvas, 0, 0, &x0, &y0);
    g_signal_emit_by_name (scroll, "scroll", 1.0, 2.0, &handled);
    g_assert_true (handled);
    g_free (render_canvas (f->canvas, &width, &height));
    g_signal_emit_by_name (scroll, "scroll", -0.5, 0.0, &handled);
    bp_canvas_widget_to_diagram (f->canvas, 0, 0, &x1, &y1);
    g_assert_cmpfloat (x1, !=, x0);
    g_assert_cmpfloat (y1, >, y0);
    partial = render_canvas (f->canvas, &width, &height);
    bp_canvas_set_dark (f->canvas, TRUE);
    bp_canvas_set_dark (f->canvas, FALSE);
    full = render_canvas (f->canvas, &w2, &h2);
    differ = count_differences (partial, full, width, height);
    g_assert_cmpuint (differ, ==, 0);
  }
}

static void
test_canvas_partial_redraw (Fixture       *f,
                            gconstpointer  data)
{
  check_partial_redraw (f, 1.0);
}

/* The same while presenting: the damage boxes follow the spread nodes. */
static void
test_canvas_partial_redraw_presenting (Fixture       *f,
                                       gconstpointer  data)
{
  check_partial_redraw (f, 1.6);
}

/* A matrix drawn as a chip shows every number in its tooltip, the
 * value's and the gradient's. */
static void
test_canvas_chip_tooltip (Fixture       *f,
                          gconstpointer  data)
{
  BpSession *session = bp_canvas_get_session (f->canvas);
  BpDiagramState state;
  g_autoptr(GArray) boxes = NULL;
  guint n_value = 0, n_grad = 0;

  bp_ui_test_spin ();
  bp_session_set_position (session, bp_session_get_n_steps (session));
  bp_canvas_set_zoom (f->canvas, 0.5, 0, 0);   /* small: every matrix is a chip */
  bp_ui_test_spin ();
  _bp_canvas_fill_state (f->canvas, &state);
  boxes = bp_diagram_get_boxes (f->canvas->diagram, _bp_canvas_trace (f->canvas), &state);
  for (guint i = 0; i < boxes->len; i++)
    {
      const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, i);
      BpTensor *t = NULL;
      g_autofree char *markup = NULL;
      double wx, wy;

      if (b->kind == BP_DIAGRAM_BOX_VALUE && b->slot != G_MAXUINT)
        t = bp_node_get_value (b->node);
      else if (b->kind == BP_DIAGRAM_BOX_GRADIENT && b->slot != G_MAXUINT)
        t = bp_node_get_grad (bp_node_get_input (b->node, b->slot));
      if (t == NULL || bp_tensor_is_scalar (t) || t->rows > 8 || t->cols > 8)
        continue;
      bp_canvas_diagram_to_widget (f->canvas, b->rect.x + b->rect.width / 2,
                                   b->rect.y + b->rect.height / 2, &wx, &wy);
      markup = _bp_canvas_tooltip_markup (f->canvas, wx, wy);
      g_assert_nonnull (markup);
      g_assert_true (pango_parse_markup (markup, -1, 0, NULL, NULL, NULL, NULL));
      for (gsize k = 0; k < bp_tensor_n_elements (t); k++)
        {
          g_autofree char *num = bp_format_number (t->data[k], 4);

          g_assert_nonnull (strstr (markup, num));
        }
      if (b->kind == BP_DIAGRAM_BOX_VALUE)
        n_value++;
      else
        n_grad++;
    }
  g_assert_cmpuint (n_value, >, 3);
  g_assert_cmpuint (n_grad, >, 3);
  /* Nowhere near a label: no tooltip. */
  g_assert_null (_bp_canvas_tooltip_markup (f->canvas, 2, 2));
}

/* Copy: the graph's text and its picture go on the clipboard; while the
 * quiz hides a copied leaf's value, only the picture (with its blank). */
static void
test_canvas_copy_quiz (Fixture       *f,
                       gconstpointer  data)
{
  BpSession *session = bp_canvas_get_session (f->canvas);
  BpQuiz *quiz = bp_session_get_quiz (session);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->canvas));

  bp_session_select_node (session, node (f, "apple"));
  g_assert_true (_bp_canvas_copy_selection (f->canvas));
  g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                        "application/x-backprop-studio"));
  g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                        "image/png"));

  bp_quiz_set_hidden (quiz, node (f, "apple"), BP_QUIZ_VALUE);
  bp_quiz_set_active (quiz, TRUE);
  bp_ui_test_spin ();
  g_assert_true (_bp_canvas_copy_selection (f->canvas));
  g_assert_false (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                         "application/x-backprop-studio"));
  g_assert_false (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                         "text/plain;charset=utf-8"));
  g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                        "image/svg+xml"));
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL || g_getenv ("DISPLAY")[0] == '\0')
    return 77;

  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/canvas/value-popover", test_value_popover);
  g_test_add_func ("/canvas/palette", test_palette);
  g_test_add_func ("/canvas/search-list", test_search_list);
  g_test_add ("/canvas/move", Fixture, NULL, fixture_setup, test_canvas_move, fixture_teardown);
  g_test_add ("/canvas/connect", Fixture, NULL, fixture_setup, test_canvas_connect, fixture_teardown);
  g_test_add ("/canvas/value", Fixture, NULL, fixture_setup, test_canvas_value, fixture_teardown);
  g_test_add ("/canvas/delete", Fixture, NULL, fixture_setup, test_canvas_delete, fixture_teardown);
  g_test_add ("/canvas/rename-arrange", Fixture, NULL, fixture_setup, test_canvas_rename_arrange, fixture_teardown);
  g_test_add ("/canvas/value-popover-grows", Fixture, NULL, fixture_setup, test_canvas_value_popover_grows, fixture_teardown);
  g_test_add ("/canvas/broken-node", Fixture, NULL, fixture_setup, test_canvas_broken_node, fixture_teardown);
  g_test_add ("/canvas/rename-quiz", Fixture, NULL, fixture_setup, test_canvas_rename_quiz, fixture_teardown);
  g_test_add ("/canvas/view", Fixture, NULL, fixture_setup, test_canvas_view, fixture_teardown);
  g_test_add ("/canvas/partial-redraw", Fixture, NULL, fixture_setup, test_canvas_partial_redraw, fixture_teardown);
  g_test_add ("/canvas/partial-redraw-presenting", Fixture, NULL, fixture_setup,
              test_canvas_partial_redraw_presenting, fixture_teardown);
  g_test_add ("/canvas/png", Fixture, NULL, fixture_setup, test_canvas_png, fixture_teardown);
  g_test_add ("/canvas/copy-quiz", Fixture, NULL, fixture_setup, test_canvas_copy_quiz,
              fixture_teardown);
  g_test_add ("/canvas/chip-tooltip", Fixture, "two-layer-net", fixture_setup,
              test_canvas_chip_tooltip, fixture_teardown);

  return g_test_run ();
}
