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
  saved = bp_document_to_data (doc, NULL);
  reloaded = bp_document_load_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bp_document_get_quiz (reloaded, "apple_price"), ==, BP_QUIZ_VALUE);
  g_assert_cmpint (bp_document_get_quiz (reloaded, "tax"), ==, BP_QUIZ_GRAD);

  /* Restart forgets the answers; hide all gradients skips the output. */
  bp_quiz_restart (quiz);
  g_assert_cmpuint (bp_quiz_get_n_solved (quiz), ==, 0);
  g_assert_cmpuint (n_edited, ==, 1);   /* answers are not edits */
  bp_quiz_hide_all_grads (quiz);
  g_assert_cmpuint (n_edited, ==, 2);
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 5);
  g_assert_false (bp_quiz_get_hidden (quiz, bp_graph_lookup (graph, "price")) & BP_QUIZ_GRAD);
  bp_quiz_clear (quiz);
  g_assert_cmpuint (bp_quiz_get_n_blanks (quiz), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/quiz/answers", test_quiz);

  return g_test_run ();
}
