/* SPDX-License-Identifier: MIT */
/* The undo history on its own, without a display: every edit kind undoes
 * back to the original document and redoes to the final one, groups are
 * one step, the clean point, and what each edit says it touched. */
#include "bp-examples.h"
#include "bp-history.h"

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

static void
count_change_cb (BpHistory *history,
                 guint      change,
                 guint     *counter)
{
  (*counter)++;
}

static void
last_change_cb (BpHistory *history,
                guint      change,
                guint     *last)
{
  *last = change;
}

static void
history_notify_cb (GObject    *history,
                   GParamSpec *pspec,
                   guint      *count)
{
  (*count)++;
}

/* The history alone, on a plain graph: undo/redo of every edit kind. */
static void
test_history_alone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = bp_examples_load ("apples", &error);
  g_autoptr(BpHistory) history = bp_history_new ();
  g_autofree char *original = NULL;
  g_autofree char *final = NULL;
  BpGraph *graph;
  BpNode *n, *apple, *tax;
  BpAttrs attrs = BP_ATTRS_INIT;
  guint can_undo_notifies = 0;
  guint changed = 0;
  guint rows, cols;
  BpNode *pair[2];

  g_assert_no_error (error);
  graph = bp_document_get_graph (document);
  original = bp_document_to_data (document, NULL);
  bp_history_set_graph (history, graph);
  g_signal_connect (history, "notify::can-undo", G_CALLBACK (history_notify_cb), &can_undo_notifies);
  g_signal_connect (history, "changed", G_CALLBACK (count_change_cb), &changed);
  g_assert_false (bp_history_can_undo (history));
  g_assert_true (bp_history_is_clean (history));

  apple = bp_graph_lookup (graph, "apple");
  tax = bp_graph_lookup (graph, "tax");
  pair[0] = apple;
  pair[1] = tax;
  bp_history_move_nodes (history, pair, 2, 5, 7);
  g_assert_cmpuint (can_undo_notifies, ==, 1);
  g_assert_cmpuint (changed, ==, 1);

  n = bp_history_add_node (history, "sum", 10, 10, &error);
  g_assert_no_error (error);
  g_assert_true (bp_history_connect (history, bp_graph_lookup (graph, "price"), n, 0, &error));
  g_assert_no_error (error);
  bp_history_set_output (history, n);
  g_assert_true (bp_graph_get_output (graph) == n);
  attrs.axis = 0;
  g_assert_true (bp_history_set_attrs (history, n, &attrs, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bp_graph_infer_shape (graph, n, &rows, &cols, &error), ==, BP_SHAPE_KNOWN);
  g_assert_cmpuint (rows, ==, 1);
  g_assert_cmpuint (cols, ==, 1);
  bp_history_set_output (history, bp_graph_lookup (graph, "apple_price"));
  bp_history_disconnect (history, bp_graph_lookup (graph, "price"), 1);
  g_assert_true (bp_history_set_value_text (history, apple, "[1, 2, 3]", &error));
  g_assert_no_error (error);
  g_assert_false (bp_history_set_value_text (history, apple, "1,,", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A group is one step. */
  bp_history_begin_group (history, "Two edits");
  bp_history_set_label (history, tax, "VAT");
  g_assert_true (bp_history_rename_node (history, tax, "vat", &error));
  g_assert_no_error (error);
  bp_history_end_group (history);
  g_assert_cmpstr (bp_history_get_undo_label (history), ==, "Two edits");

  bp_history_mark_clean (history);
  g_assert_true (bp_history_is_clean (history));
  {
    BpNode *doomed[2] = { bp_graph_lookup (graph, "apple"), bp_graph_lookup (graph, "apple_price") };

    bp_history_delete_nodes (history, doomed, 2);
  }
  g_assert_false (bp_history_is_clean (history));
  final = bp_document_to_data (document, NULL);

  undo_all (history);
  {
    g_autofree char *now = bp_document_to_data (document, NULL);
    g_assert_cmpstr (now, ==, original);
  }
  g_assert_false (bp_history_is_clean (history));
  redo_all (history);
  {
    g_autofree char *now = bp_document_to_data (document, NULL);
    g_assert_cmpstr (now, ==, final);
  }
  g_assert_false (bp_history_can_redo (history));
  g_assert_true (bp_history_undo (history));
  g_assert_true (bp_history_is_clean (history));

  /* A new edit after undo drops the redo steps and the clean point ahead. */
  g_assert_true (bp_history_undo (history));
  bp_history_set_label (history, bp_graph_lookup (graph, "price"), "total");
  g_assert_false (bp_history_can_redo (history));
  g_assert_false (bp_history_is_clean (history));
}

/* Observers redo only what an edit touched: a move runs no pass. */
static void
test_history_change_flags (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) document = bp_examples_load ("apples", &error);
  g_autoptr(BpHistory) history = bp_history_new ();
  BpGraph *graph = bp_document_get_graph (document);
  BpNode *apple = bp_graph_lookup (graph, "apple");
  guint last = 0;

  bp_history_set_graph (history, graph);
  g_signal_connect (history, "changed", G_CALLBACK (last_change_cb), &last);

  bp_history_move_nodes (history, &apple, 1, 5, 5);
  g_assert_cmpuint (last, ==, BP_HISTORY_CHANGE_POSITIONS);
  bp_history_set_label (history, apple, "Apfel");
  g_assert_cmpuint (last, ==, BP_HISTORY_CHANGE_LABELS);
  g_assert_true (bp_history_set_value_text (history, apple, "3", &error));
  g_assert_cmpuint (last, ==, BP_HISTORY_CHANGE_VALUES);
  g_assert_true (bp_history_undo (history));
  g_assert_cmpuint (last, ==, BP_HISTORY_CHANGE_VALUES);
  bp_history_begin_group (history, "Move and rewire");
  bp_history_move_nodes (history, &apple, 1, 5, 5);
  bp_history_disconnect (history, bp_graph_lookup (graph, "price"), 1);
  bp_history_end_group (history);
  g_assert_cmpuint (last, ==, BP_HISTORY_CHANGE_POSITIONS | BP_HISTORY_CHANGE_STRUCTURE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/history/alone", test_history_alone);
  g_test_add_func ("/history/change-flags", test_history_change_flags);

  return g_test_run ();
}
