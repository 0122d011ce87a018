/* SPDX-License-Identifier: MIT */
/* The session model without a display: one pass per edit and none for a
 * move, the position kept within its pass, the one reveal rule, the
 * selection following edits, expand and collapse as one undoable
 * command, quiz blanks following renames, unsaved state and saving, a
 * training iteration's updates as positions after the trace's. */
#include <string.h>
#include <glib/gstdio.h>

#include "bp-examples.h"
#include "bp-expand.h"
#include "bp-expr.h"
#include "bp-session.h"

static BpSession *
new_session (const char *example)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load (example, &error);
  BpSession *session;

  g_assert_no_error (error);
  session = bp_session_new ();
  bp_session_set_document (session, doc, NULL);
  return session;
}

static BpNode *
node (BpSession  *session,
      const char *id)
{
  BpNode *n = bp_graph_lookup (bp_session_get_graph (session), id);

  g_assert_nonnull (n);
  return n;
}

typedef struct
{
  guint    changed;
  guint    last_change;
  guint    selection;
  guint    position;
  guint    document;
  BpTrace *trace_at_change;   /* borrowed, compared by address only */
} Counts;

static void
changed_cb (BpSession *session,
            guint      change,
            Counts    *counts)
{
  counts->changed++;
  counts->last_change = change;
  counts->trace_at_change = bp_session_get_trace (session);
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static void
connect_counts (BpSession *session,
                Counts    *counts)
{
  g_signal_connect (session, "changed", G_CALLBACK (changed_cb), counts);
  g_signal_connect_swapped (session, "selection-changed", G_CALLBACK (count_cb), &counts->selection);
  g_signal_connect_swapped (session, "position-changed", G_CALLBACK (count_cb), &counts->position);
  g_signal_connect_swapped (session, "document-changed", G_CALLBACK (count_cb), &counts->document);
}

static void
test_one_pass_per_edit (void)
{
  g_autoptr(BpSession) session = new_session ("apples");
  BpHistory *history = bp_session_get_history (session);
  BpGraph *graph = bp_session_get_graph (session);
  g_autoptr(GError) error = NULL;
  BpTrace *before;
  BpNode *apple = node (session, "apple");
  Counts counts = { 0 };

  connect_counts (session, &counts);
  g_assert_nonnull (bp_session_get_trace (session));
  g_assert_null (bp_session_get_error (session));
  g_assert_cmpuint (bp_session_get_n_forward (session), ==, 5);
  g_assert_cmpuint (bp_session_get_n_steps (session), ==, 10);

  /* A move runs no pass: the trace stays the same object, still current. */
  before = bp_session_get_trace (session);
  bp_history_move_nodes (history, &apple, 1, 10, 0);
  g_assert_cmpuint (counts.changed, ==, 1);
  g_assert_cmpuint (counts.last_change, ==, BP_SESSION_CHANGE_POSITIONS);
  g_assert_true (bp_session_get_trace (session) == before);
  g_assert_cmpuint (bp_trace_get_stamp (before), ==, bp_graph_get_stamp (graph));

  /* A value edit runs the passes once, before "changed": the trace the
   * observers see is the newest the graph has. */
  g_assert_true (bp_history_set_value_text (history, apple, "150", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.changed, ==, 2);
  g_assert_cmpuint (counts.last_change, ==, BP_SESSION_CHANGE_VALUES);
  g_assert_true (counts.trace_at_change == bp_graph_get_trace (graph));
  g_assert_cmpuint (bp_trace_get_stamp (counts.trace_at_change), ==, bp_graph_get_stamp (graph));
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (node (session, "price"))->data[0],
                                  330.0, 1e-9);
  /* ∂price/∂apple = apple_num × tax */
  g_assert_cmpfloat_with_epsilon (bp_node_get_grad (apple)->data[0], 2.2, 1e-12);

  /* Undo is an edit too. */
  g_assert_true (bp_history_undo (history));
  g_assert_cmpuint (counts.changed, ==, 3);
  g_assert_cmpfloat_with_epsilon (bp_node_get_value (node (session, "price"))->data[0],
                                  220.0, 1e-9);
}

static void
test_position (void)
{
  g_autoptr(BpSession) session = new_session ("apples");
  BpHistory *history = bp_session_get_history (session);
  g_autoptr(GError) error = NULL;
  guint n_forward = bp_session_get_n_forward (session);
  guint n_steps = bp_session_get_n_steps (session);
  Counts counts = { 0 };

  connect_counts (session, &counts);
  g_assert_cmpuint (bp_session_get_position (session), ==, 0);
  g_assert_cmpint (bp_session_get_pass (session), ==, BP_PASS_NONE);
  g_assert_null (bp_session_get_current_step (session));

  bp_session_set_position (session, 1000);
  g_assert_cmpuint (bp_session_get_position (session), ==, n_steps);
  g_assert_cmpuint (counts.position, ==, 1);
  bp_session_set_position (session, n_steps);
  g_assert_cmpuint (counts.position, ==, 1);     /* no change, no signal */
  g_assert_cmpint (bp_session_get_pass (session), ==, BP_PASS_BACKWARD);
  g_assert_cmpuint (bp_session_get_pass_step (session), ==, n_steps - n_forward);
  g_assert_cmpuint (bp_session_position_for (session, BP_PASS_BACKWARD, 2), ==, n_forward + 2);
  g_assert_cmpuint (bp_session_position_for (session, BP_PASS_FORWARD, 99), ==, n_forward);

  /* At the end of the backward pass, a new node keeps it at the end. */
  {
    BpNode *extra = bp_history_add_node (history, "neg", 0, 0, &error);

    g_assert_no_error (error);
    g_assert_true (bp_history_connect (history, node (session, "apple"), extra, 0, &error));
    g_assert_cmpuint (bp_session_get_position (session), ==, bp_session_get_n_steps (session));
    bp_history_delete_nodes (history, &extra, 1);
    g_assert_cmpuint (bp_session_get_position (session), ==, n_steps);
  }

  /* Within a pass the step stays. */
  bp_session_set_position (session, n_forward + 2);
  g_assert_true (bp_history_set_value_text (history, node (session, "tax"), "1.5", &error));
  g_assert_cmpuint (bp_session_get_position (session), ==, n_forward + 2);
  {
    g_autofree char *text = bp_session_describe_position (session);

    g_assert_cmpstr (text, ==, "Backward: step 2 of 5");
  }
}

/* One rule for every view: reached by the pass, and not a quiz blank. */
static void
test_is_revealed (void)
{
  g_autoptr(BpSession) session = new_session ("apples");
  BpQuiz *quiz = bp_session_get_quiz (session);
  BpNode *apple = node (session, "apple");
  BpNode *apple_price = node (session, "apple_price");
  guint n_forward = bp_session_get_n_forward (session);

  /* A leaf's value is always known; nothing else before the pass. */
  g_assert_true (bp_session_is_revealed (session, apple, BP_QUIZ_VALUE));
  g_assert_false (bp_session_is_revealed (session, apple_price, BP_QUIZ_VALUE));
  g_assert_false (bp_session_is_revealed (session, apple, BP_QUIZ_GRAD));

  bp_session_set_position (session, n_forward);
  g_assert_true (bp_session_is_revealed (session, apple_price, BP_QUIZ_VALUE));
  g_assert_false (bp_session_is_revealed (session, apple_price, BP_QUIZ_GRAD));

  bp_session_set_position (session, bp_session_get_n_steps (session));
  g_assert_true (bp_session_is_revealed (session, apple, BP_QUIZ_GRAD));

  /* The example hides the leaves' gradients: while the quiz is on they
   * are blanks, reached or not, until answered. */
  bp_quiz_set_active (quiz, TRUE);
  g_assert_false (bp_session_is_revealed (session, apple, BP_QUIZ_GRAD));
  g_assert_true (bp_session_is_reached (session, apple, BP_QUIZ_GRAD));
  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, "2.2", NULL), ==,
                   BP_QUIZ_ANSWER_RIGHT);
  g_assert_true (bp_session_is_revealed (session, apple, BP_QUIZ_GRAD));
}

static void
test_selection (void)
{
  g_autoptr(BpSession) session = new_session ("apples");
  BpHistory *history = bp_session_get_history (session);
  BpNode *tax = node (session, "tax");
  Counts counts = { 0 };

  connect_counts (session, &counts);
  bp_session_select_node (session, tax);
  g_assert_true (bp_session_get_selected_node (session) == tax);
  g_assert_cmpuint (counts.selection, ==, 1);
  bp_session_select_node (session, tax);
  g_assert_cmpuint (counts.selection, ==, 1);

  bp_session_select_all (session);
  g_assert_null (bp_session_get_selected_node (session));
  g_assert_cmpuint (g_hash_table_size (bp_session_get_selection (session)), ==, 5);

  /* A deleted node leaves the selection (its pointer is freed). */
  bp_session_select_node (session, tax);
  bp_history_delete_nodes (history, &tax, 1);
  g_assert_cmpuint (g_hash_table_size (bp_session_get_selection (session)), ==, 0);
  g_assert_cmpuint (counts.selection, ==, 4);
}

static void
test_expand_collapse (void)
{
  g_autoptr(BpSession) session = new_session ("sigmoid");
  g_autoptr(GError) error = NULL;
  BpGraph *graph = bp_session_get_graph (session);
  BpHistory *history = bp_session_get_history (session);
  g_autofree char *before = bp_document_to_data (bp_session_get_document (session), NULL);
  BpNode *layer = NULL;
  g_autoptr(BpTensor) grad_before = NULL;
  BpNode *input = NULL;
  BpNode *result;
  guint n_before = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n_before; i++)
    if (bp_expand_can_expand (bp_graph_get_node (graph, i)))
      layer = bp_graph_get_node (graph, i);
  g_assert_nonnull (layer);
  input = bp_node_get_input (layer, 0);
  grad_before = bp_tensor_copy (bp_node_get_grad (input));

  result = bp_session_expand_layer (session, layer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), >, n_before);
  g_assert_nonnull (bp_session_get_expanded_id (session));
  g_assert_true (bp_session_get_selected_node (session) == result);
  /* The same gradients after: the layer is just these nodes. */
  input = bp_graph_lookup (graph, bp_node_get_id (input));
  g_assert_true (bp_tensor_equal (grad_before, bp_node_get_grad (input), 1e-9, 1e-9));
  /* One undoable edit. */
  g_assert_cmpstr (bp_history_get_undo_label (history), ==, "Expand Layer");

  g_assert_true (bp_session_collapse_layer (session));
  g_assert_null (bp_session_get_expanded_id (session));
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, n_before);
  {
    g_autofree char *after = bp_document_to_data (bp_session_get_document (session), NULL);

    g_assert_cmpstr (after, ==, before);
  }
  g_assert_false (bp_session_collapse_layer (session));

  /* Only layers expand. */
  g_assert_null (bp_session_expand_layer (session, bp_graph_lookup (graph, bp_node_get_id (input)),
                                          &error));
  g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
}

/* A broadcasting node expands through the session too: its hidden
 * Repeat nodes become real ones in one undoable edit, with the same
 * gradients, and collapse back. */
static void
test_expand_broadcast (void)
{
  g_autoptr(BpGraph) parsed = NULL;
  g_autoptr(BpDocument) doc = NULL;
  g_autoptr(BpSession) session = bp_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) grad_b = NULL;
  g_autoptr(BpTensor) grad_s = NULL;
  g_autofree char *before = NULL;
  BpGraph *graph;
  BpNode *h;
  guint n_before, n_repeats = 0;

  parsed = bp_expr_parse ("X = [[1, 2, 3], [4, 5, 6]]\nb = [0.5, -1, 2]\ns = 3\n"
                          "h = X + b\ny = sum(h * s)", &error);
  g_assert_no_error (error);
  doc = bp_document_new_for_graph (parsed);
  bp_session_set_document (session, doc, NULL);
  graph = bp_session_get_graph (session);
  before = bp_document_to_data (bp_session_get_document (session), NULL);
  n_before = bp_graph_get_n_nodes (graph);
  grad_b = bp_tensor_copy (bp_node_get_grad (bp_graph_lookup (graph, "b")));
  grad_s = bp_tensor_copy (bp_node_get_grad (bp_graph_lookup (graph, "s")));
  g_assert_cmpfloat (grad_b->data[0], ==, 6);   /* 2 rows × s */
  g_assert_cmpfloat (grad_s->data[0], ==, 21 + 0.5 * 2 - 2 + 4);

  h = bp_graph_lookup (graph, "h");
  g_assert_true (bp_expand_can_expand (h));
  g_assert_nonnull (bp_session_expand_layer (session, h, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    if (g_str_equal (bp_node_get_op (bp_graph_get_node (graph, i))->name, "repeat"))
      n_repeats++;
  g_assert_cmpuint (n_repeats, ==, 1);
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, n_before + 1);
  g_assert_true (bp_tensor_equal (grad_b, bp_node_get_grad (bp_graph_lookup (graph, "b")), 0, 0));

  /* The other broadcast (s copied to 2×3) expands into two: columns, rows. */
  g_assert_nonnull (bp_session_expand_layer (session, bp_node_get_input (bp_graph_lookup (graph, "y"), 0),
                                             &error));
  g_assert_no_error (error);
  g_assert_true (bp_tensor_equal (grad_s, bp_node_get_grad (bp_graph_lookup (graph, "s")), 0, 0));
  g_assert_cmpuint (bp_graph_get_n_nodes (graph), ==, n_before + 3);

  g_assert_true (bp_history_undo (bp_session_get_history (session)));
  g_assert_true (bp_history_undo (bp_session_get_history (session)));
  {
    g_autofree char *after = bp_document_to_data (bp_session_get_document (session), NULL);

    g_assert_cmpstr (after, ==, before);
  }
}

/* Quiz blanks are kept by id: a rename carries them, its undo too. */
static void
test_quiz_follows_rename (void)
{
  g_autoptr(BpSession) session = new_session ("apples");
  BpHistory *history = bp_session_get_history (session);
  BpDocument *doc = bp_session_get_document (session);
  BpQuiz *quiz = bp_session_get_quiz (session);
  g_autoptr(GError) error = NULL;
  BpNode *tax = node (session, "tax");

  bp_quiz_set_hidden (quiz, tax, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_true (bp_session_get_modified (session));
  g_assert_true (bp_history_rename_node (history, tax, "vat", &error));
  g_assert_no_error (error);
  g_assert_cmpint (bp_document_get_quiz (doc, "vat"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_cmpint (bp_document_get_quiz (doc, "tax"), ==, 0);
  g_assert_true (bp_history_undo (history));
  g_assert_cmpint (bp_document_get_quiz (doc, "tax"), ==, BP_QUIZ_VALUE | BP_QUIZ_GRAD);
  g_assert_cmpint (bp_document_get_quiz (doc, "vat"), ==, 0);
}

static void
test_modified_and_save (void)
{
  g_autoptr(BpSession) session = new_session ("apples");
  BpHistory *history = bp_session_get_history (session);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bp-session-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "apples.bpgraph", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(BpDocument) reloaded = NULL;
  guint modified_notifies = 0;

  g_signal_connect_swapped (session, "notify::modified", G_CALLBACK (count_cb), &modified_notifies);
  g_assert_false (bp_session_get_modified (session));
  g_assert_true (bp_history_set_value_text (history, node (session, "apple"), "120", &error));
  g_assert_true (bp_session_get_modified (session));
  g_assert_cmpuint (modified_notifies, ==, 1);

  g_assert_true (bp_session_save (session, file, &error));
  g_assert_no_error (error);
  g_assert_false (bp_session_get_modified (session));
  g_assert_true (g_file_equal (bp_session_get_file (session), file));
  reloaded = bp_document_load_from_path (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (bp_node_get_value (bp_graph_lookup (bp_document_get_graph (reloaded),
                                                         "apple"))->data[0], ==, 120);

  /* The title is the document's, saved, and an unsaved change. */
  bp_session_set_title (session, "Äpfel");
  g_assert_true (bp_session_get_modified (session));
  g_assert_cmpstr (bp_document_get_title (bp_session_get_document (session)), ==, "Äpfel");

  /* A restored copy is unsaved until saved. */
  bp_session_set_modified (session, FALSE);
  bp_session_set_modified (session, TRUE);
  g_assert_true (bp_session_get_modified (session));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_empty_document (void)
{
  g_autoptr(BpSession) session = bp_session_new ();
  Counts counts = { 0 };

  connect_counts (session, &counts);
  bp_session_set_document (session, NULL, NULL);
  g_assert_cmpuint (counts.document, ==, 1);
  g_assert_nonnull (bp_session_get_document (session));
  g_assert_cmpuint (bp_graph_get_n_nodes (bp_session_get_graph (session)), ==, 0);
  g_assert_null (bp_session_get_trace (session));
  g_assert_null (bp_session_get_error (session));
  g_assert_cmpuint (bp_session_get_n_steps (session), ==, 0);
  g_assert_false (bp_session_get_modified (session));
}

/* A training iteration's updates are positions after the trace's, one
 * per param; only an update that starts from the param's value is kept,
 * and an edit of values drops them. */
static void
test_updates (void)
{
  g_autoptr(BpSession) session = new_session ("xor-hidden-layer");
  BpGraph *graph = bp_session_get_graph (session);
  BpTrace *trace = bp_session_get_trace (session);
  g_autoptr(GArray) updates = g_array_new (FALSE, TRUE, sizeof (BpUpdateStep));
  guint n_trace, n_params = 0;
  BpNode *w1 = bp_graph_lookup (graph, "W1");

  g_array_set_clear_func (updates, (GDestroyNotify) bp_update_step_clear);
  g_assert_nonnull (trace);
  n_trace = bp_trace_get_n_steps (trace);
  for (guint i = 0; i < bp_graph_get_n_nodes (graph); i++)
    {
      BpNode *param = bp_graph_get_node (graph, i);
      BpUpdateStep u = { 0, };

      if (!g_str_equal (bp_node_get_op (param)->name, "param"))
        continue;
      u.param = param;
      u.before = bp_tensor_copy (bp_node_get_value (param));
      u.grad = bp_tensor_copy (bp_node_get_grad (param));
      u.after = bp_tensor_copy (u.before);
      for (gsize k = 0; k < bp_tensor_n_elements (u.after); k++)
        u.after->data[k] -= 0.5 * u.grad->data[k];
      u.learning_rate = 0.5;
      u.formula = "W ← W − η·∂L/∂W";
      u.kind = BP_OPTIMIZER_SGD;
      g_array_append_val (updates, u);
      n_params++;
    }
  g_assert_cmpuint (n_params, ==, 4);

  /* One whose value is not the param's is left out. */
  g_array_index (updates, BpUpdateStep, 0).before->data[0] += 1;
  g_assert_cmpuint (bp_session_set_updates (session, (BpUpdateStep *) updates->data, updates->len),
                    ==, n_params - 1);
  g_array_index (updates, BpUpdateStep, 0).before->data[0] -= 1;
  g_assert_cmpuint (bp_session_set_updates (session, (BpUpdateStep *) updates->data, updates->len),
                    ==, n_params);
  g_assert_cmpuint (bp_session_get_n_steps (session), ==, n_trace + n_params);

  bp_session_set_position (session, n_trace);
  g_assert_cmpint (bp_session_get_pass (session), ==, BP_PASS_BACKWARD);
  g_assert_null (bp_session_get_current_update (session));
  g_assert_null (bp_session_get_revealed_update (session, w1));
  bp_session_set_position (session, G_MAXUINT);
  g_assert_cmpuint (bp_session_get_position (session), ==, n_trace + n_params);
  g_assert_cmpint (bp_session_get_pass (session), ==, BP_PASS_UPDATE);
  g_assert_cmpuint (bp_session_get_pass_step (session), ==, n_params);
  g_assert_null (bp_session_get_current_step (session));
  g_assert_nonnull (bp_session_get_revealed_update (session, w1));
  g_assert_true (bp_session_get_revealed_update (session, w1)->param == w1);
  g_assert_cmpuint (bp_session_position_for (session, BP_PASS_UPDATE, 1), ==, n_trace + 1);
  g_assert_cmpuint (bp_session_position_for (session, BP_PASS_BACKWARD, G_MAXUINT), ==, n_trace);
  {
    g_autofree char *text = bp_session_describe_position (session);

    g_assert_nonnull (strstr (text, "4"));
  }

  /* An edit of a value: they no longer follow from what is shown. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (bp_history_set_value_text (bp_session_get_history (session), w1,
                                              "[[1, 2, 3, 4], [5, 6, 7, 8]]", &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (bp_session_get_n_updates (session), ==, 0);
  g_assert_cmpuint (bp_session_get_position (session), ==, bp_session_get_n_steps (session));
  g_assert_cmpint (bp_session_get_pass (session), ==, BP_PASS_BACKWARD);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/one-pass-per-edit", test_one_pass_per_edit);
  g_test_add_func ("/session/position", test_position);
  g_test_add_func ("/session/updates", test_updates);
  g_test_add_func ("/session/is-revealed", test_is_revealed);
  g_test_add_func ("/session/selection", test_selection);
  g_test_add_func ("/session/expand-collapse", test_expand_collapse);
  g_test_add_func ("/session/expand-broadcast", test_expand_broadcast);
  g_test_add_func ("/session/quiz-follows-rename", test_quiz_follows_rename);
  g_test_add_func ("/session/modified-and-save", test_modified_and_save);
  g_test_add_func ("/session/empty-document", test_empty_document);

  return g_test_run ();
}
