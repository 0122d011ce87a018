/* SPDX-License-Identifier: MIT */
/* The quiz's logic, without a display: blanks, answers within the
 * tolerance, hints, the teacher's choices saved with the document. */
#include <string.h>

#include "bp-examples.h"
#include "bp-quiz.h"

static BpDocument *
load_apples (void)
{
  g_autoptr(GError) error = NULL;
  BpDocument *doc = bp_examples_load ("apples", &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return doc;
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static void
test_quiz (void)
{
  g_autoptr(BpDocument) doc = load_apples ();
  BpGraph *graph = bp_document_get_graph (doc);
  g_autoptr(BpQuiz) quiz = bp_quiz_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) blanks = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(BpDocument) reloaded = NULL;
  BpNode *apple = bp_graph_lookup (graph, "apple");
  BpNode *apple_price = bp_graph_lookup (graph, "apple_price");
  guint n_edited = 0;

  g_assert_true (bp_graph_backward (graph, &error));
  bp_quiz_set_document (quiz, doc);

  /* The example hides the three leaves' gradients. */
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 3);
  g_assert_false (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));   /* not active */
  bp_quiz_set_active (quiz, TRUE);
  g_assert_true (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));
  g_assert_false (bp_quiz_is_blank (quiz, apple, BP_QUIZ_VALUE));
  blanks = bp_quiz_dup_blanks (quiz, BP_QUIZ_GRAD);
  g_assert_cmpuint (g_hash_table_size (blanks), ==, 3);
  g_assert_true (g_hash_table_contains (blanks, apple));

  /* Wrong: a hint with the consumer's formula; invalid: no hint. */
  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, "2", &hint), ==, BP_QUIZ_ANSWER_WRONG);
  g_assert_nonnull (hint);
  g_assert_nonnull (strstr (hint, bp_node_get_op (apple_price)->formula));
  g_clear_pointer (&hint, g_free);
  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, "two", &hint), ==, BP_QUIZ_ANSWER_INVALID);
  g_assert_null (hint);
  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, "[1, 2]", NULL), ==, BP_QUIZ_ANSWER_INVALID);
  /* Right within the tolerance (2.2 is not exact in binary). */
  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, " 2.2 ", &hint), ==, BP_QUIZ_ANSWER_RIGHT);
  g_assert_null (hint);
  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, "2.2000001", NULL), ==, BP_QUIZ_ANSWER_RIGHT);
  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, "2.21", NULL), ==, BP_QUIZ_ANSWER_WRONG);
  g_assert_false (bp_quiz_is_blank (quiz, apple, BP_QUIZ_GRAD));
  g_assert_cmpuint (bp_quiz_get_n_solved (quiz), ==, 1);

  /* The teacher's choices save with the document, and say so. */
  g_signal_connect_swapped (quiz, "edited", G_CALLBACK (count_cb), &n_edited);
  bp_quiz_set_hidden (quiz, apple_price, BP_QUIZ_VALUE);
  g_assert_cmpuint (n_edited, ==, 1);
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 4);
  g_assert_cmpint (bp_quiz_answer (quiz, apple_price, BP_QUIZ_VALUE, "200", NULL), ==, BP_QUIZ_ANSWER_RIGHT);
  g_assert_cmpuint (n_edited, ==, 2);   /* answers are saved with the document */
  saved = bp_document_to_data (doc, NULL);
  reloaded = bp_document_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bp_document_get_quiz (reloaded, "apple_price"), ==, BP_QUIZ_VALUE);
  g_assert_cmpint (bp_document_get_quiz (reloaded, "tax"), ==, BP_QUIZ_GRAD);

  /* Restart forgets the answers; hide all gradients skips the output. */
  bp_quiz_restart (quiz);
  g_assert_cmpuint (bp_quiz_get_n_solved (quiz), ==, 0);
  g_assert_cmpuint (n_edited, ==, 3);
  bp_quiz_hide_all_grads (quiz);
  g_assert_cmpuint (n_edited, ==, 4);
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 5);
  g_assert_false (bp_quiz_get_hidden (quiz, bp_graph_lookup (graph, "price")) & BP_QUIZ_GRAD);
  bp_quiz_clear (quiz);
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 0);
}

/* The score counts a blank right at the first try only when no wrong
 * number came before (typing slips do not count); it survives saving,
 * and a file cannot fill a blank with a number that is not right. */
static void
test_score (void)
{
  g_autoptr(BpDocument) doc = load_apples ();
  BpGraph *graph = bp_document_get_graph (doc);
  g_autoptr(BpQuiz) quiz = bp_quiz_new ();
  g_autoptr(BpQuiz) again = bp_quiz_new ();
  g_autoptr(BpDocument) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *score = NULL;
  g_autofree char *forged = NULL;
  BpNode *apple = bp_graph_lookup (graph, "apple");
  BpNode *apple_num = bp_graph_lookup (graph, "apple_num");
  BpNode *tax = bp_graph_lookup (graph, "tax");

  g_assert_true (bp_graph_backward (graph, &error));
  bp_quiz_set_document (quiz, doc);
  bp_quiz_set_active (quiz, TRUE);

  g_assert_cmpint (bp_quiz_answer (quiz, apple, BP_QUIZ_GRAD, "2.2", NULL), ==, BP_QUIZ_ANSWER_RIGHT);
  g_assert_cmpint (bp_quiz_answer (quiz, apple_num, BP_QUIZ_GRAD, "oops", NULL), ==, BP_QUIZ_ANSWER_INVALID);
  g_assert_cmpuint (bp_quiz_get_tries (quiz, apple_num, BP_QUIZ_GRAD), ==, 0);
  g_assert_cmpint (bp_quiz_answer (quiz, apple_num, BP_QUIZ_GRAD, "100", NULL), ==, BP_QUIZ_ANSWER_WRONG);
  g_assert_cmpint (bp_quiz_answer (quiz, apple_num, BP_QUIZ_GRAD, "110", NULL), ==, BP_QUIZ_ANSWER_RIGHT);
  g_assert_cmpuint (bp_quiz_get_tries (quiz, apple_num, BP_QUIZ_GRAD), ==, 2);
  g_assert_cmpuint (bp_quiz_get_n_solved (quiz), ==, 2);
  g_assert_cmpuint (bp_quiz_get_n_first_try (quiz), ==, 1);
  score = bp_quiz_describe_score (quiz);
  g_assert_cmpstr (score, ==, "1 of 3 right at the first try, 1 still open");

  /* Saved and opened again: the same score, the same blanks. */
  saved = bp_document_to_data (doc, NULL);
  reloaded = bp_document_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_backward (bp_document_get_graph (reloaded), &error));
  bp_quiz_set_document (again, reloaded);
  bp_quiz_check_saved (again);
  bp_quiz_set_active (again, TRUE);
  g_assert_cmpuint (bp_quiz_get_n_solved (again), ==, 2);
  g_assert_cmpuint (bp_quiz_get_n_first_try (again), ==, 1);
  g_assert_true (bp_quiz_is_blank (again, bp_graph_lookup (bp_document_get_graph (reloaded), "tax"),
                                   BP_QUIZ_GRAD));

  /* A file that claims a wrong number is right: the blank stays open. */
  bp_document_set_answer (doc, "tax", BP_QUIZ_GRAD, 1, "999");
  g_clear_object (&reloaded);
  g_clear_pointer (&saved, g_free);
  saved = bp_document_to_data (doc, NULL);
  reloaded = bp_document_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_true (bp_graph_backward (bp_document_get_graph (reloaded), &error));
  bp_quiz_set_document (again, reloaded);
  bp_quiz_check_saved (again);
  g_assert_cmpuint (bp_quiz_get_n_solved (again), ==, 2);
  g_assert_cmpuint (bp_quiz_get_tries (again, bp_graph_lookup (bp_document_get_graph (reloaded), "tax"),
                                       BP_QUIZ_GRAD), ==, 1);

  /* Reset: every blank open again, the score from nothing. */
  bp_quiz_restart (quiz);
  g_assert_cmpuint (bp_quiz_get_n_solved (quiz), ==, 0);
  g_assert_cmpuint (bp_quiz_get_n_first_try (quiz), ==, 0);
  g_assert_cmpuint (bp_quiz_get_tries (quiz, tax, BP_QUIZ_GRAD), ==, 0);
  forged = bp_document_to_data (doc, NULL);
  g_assert_null (strstr (forged, "answers"));
}

/* Prose keeps its words and loses the numbers a blank hides, as people
 * round them; names with digits and other numbers stay. */
static void
test_mask_text (void)
{
  g_autoptr(BpDocument) doc = load_apples ();
  BpGraph *graph = bp_document_get_graph (doc);
  g_autoptr(BpQuiz) quiz = bp_quiz_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *off = NULL;
  g_autofree char *on = NULL;
  g_autofree char *solved = NULL;
  const char *text = "Raise apple by 1 and the price grows by 2.2; x2 = 110, −200 and 1e2 stay? 3.";

  g_assert_true (bp_graph_backward (graph, &error));
  bp_quiz_set_document (quiz, doc);
  off = bp_quiz_mask_text (quiz, text);
  g_assert_cmpstr (off, ==, text);
  bp_quiz_set_active (quiz, TRUE);
  on = bp_quiz_mask_text (quiz, text);
  /* Hidden: apple's 2.2, apple_num's 110, tax's 200. */
  g_assert_cmpstr (on, ==, "Raise apple by 1 and the price grows by ?; x2 = ?, −? and 1e2 stay? 3.");
  g_assert_cmpint (bp_quiz_answer (quiz, bp_graph_lookup (graph, "apple"), BP_QUIZ_GRAD, "2.2", NULL),
                   ==, BP_QUIZ_ANSWER_RIGHT);
  solved = bp_quiz_mask_text (quiz, text);
  g_assert_nonnull (strstr (solved, "grows by 2.2;"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/quiz/answers", test_quiz);
  g_test_add_func ("/quiz/score", test_score);
  g_test_add_func ("/quiz/mask-text", test_mask_text);

  return g_test_run ();
}
