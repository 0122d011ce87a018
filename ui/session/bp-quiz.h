/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>
#include "bp-document.h"

G_BEGIN_DECLS

/* Quiz mode. The teacher hides chosen values or gradients of a document
 * (saved with it through bp_document_set_quiz()); while the quiz runs those
 * show as blanks, and students type the numbers. An answer is right when
 * it is within BP_QUIZ_REL_TOLERANCE (relative) of the engine's number;
 * a right answer uncovers its blank, a wrong one offers the node's
 * local-derivative formula as a hint.
 *
 * The answers are the document's (bp_document_get_answer()): how many
 * numbers were tried on each blank and the right one, so that a
 * student's work and score are saved with the file. A typing slip (not a
 * number, a wrong shape) costs no try.
 *
 * Signals: "changed" (blanks, answers or the active state changed; redraw)
 * and "edited" (the teacher's choices or the answers changed, so the
 * document has unsaved changes). */

#define BP_QUIZ_REL_TOLERANCE 1e-6
#define BP_QUIZ_ABS_TOLERANCE 1e-9

typedef enum
{
  BP_QUIZ_ANSWER_RIGHT,
  BP_QUIZ_ANSWER_WRONG,
  BP_QUIZ_ANSWER_INVALID,    /* not a number or a matrix of the right shape */
  BP_QUIZ_ANSWER_UNKNOWN,    /* nothing computed yet for that blank */
} BpQuizAnswer;

#define BP_TYPE_QUIZ (bp_quiz_get_type ())
G_DECLARE_FINAL_TYPE (BpQuiz, bp_quiz, BP, QUIZ, GObject)

BpQuiz       *bp_quiz_new              (void);
/* The document whose blanks are edited and asked; clears the answers. */
void          bp_quiz_set_document     (BpQuiz *self, BpDocument *document);
BpDocument   *bp_quiz_get_document     (BpQuiz *self);

/* While active, hidden numbers show as blanks (until answered right). */
gboolean      bp_quiz_get_active       (BpQuiz *self);
void          bp_quiz_set_active       (BpQuiz *self, gboolean active);

/* The teacher's choices, stored in the document. */
BpQuizFlags   bp_quiz_get_hidden       (BpQuiz *self, BpNode *node);
void          bp_quiz_set_hidden       (BpQuiz *self, BpNode *node, BpQuizFlags flags);
/* Hides the gradient of every node (except the output, whose gradient is
 * the given 1). */
void          bp_quiz_hide_all_grads   (BpQuiz *self);
void          bp_quiz_clear            (BpQuiz *self);
guint         bp_quiz_get_n_blanks     (BpQuiz *self);
/* Blanks answered right so far. */
guint         bp_quiz_get_n_solved     (BpQuiz *self);
/* Blanks whose first answer was right (the score). */
guint         bp_quiz_get_n_first_try  (BpQuiz *self);
/* "3 of 5 right at the first try, 1 still open", translated. */
char         *bp_quiz_describe_score   (BpQuiz *self);
/* Numbers tried on a blank so far (typing slips not counted). */
guint         bp_quiz_get_tries        (BpQuiz *self, BpNode *node, BpQuizFlags what);
/* Forgets the answers (blanks show again; the score starts afresh). */
void          bp_quiz_restart          (BpQuiz *self);
/* Checks the answers a file brought against the numbers the passes
 * computed (call after they ran): a saved "right" that is not is
 * forgotten (its tries stay), so the file cannot fill a blank. */
void          bp_quiz_check_saved      (BpQuiz *self);

/* TRUE when `what` (BP_QUIZ_VALUE or BP_QUIZ_GRAD) of node is a blank
 * now: active, hidden and not yet solved. */
gboolean      bp_quiz_is_blank         (BpQuiz *self, BpNode *node, BpQuizFlags what);
gboolean      bp_quiz_is_solved        (BpQuiz *self, BpNode *node, BpQuizFlags what);
/* New sets of BpNode* for BpDiagramState / bp_canvas_set_hidden(). */
GHashTable   *bp_quiz_dup_blanks       (BpQuiz *self, BpQuizFlags what);

/* Checks a typed answer against the node's value or gradient. A right
 * answer is remembered. `hint` (may be NULL) receives, after a wrong
 * answer, what to think about (the op's formula), else NULL. */
BpQuizAnswer  bp_quiz_answer           (BpQuiz      *self,
                                        BpNode      *node,
                                        BpQuizFlags  what,
                                        const char  *text,
                                        char       **hint);
/* `text` (prose: an explanation, a report) with every number that a
 * blank hides written as "?" (rounded as people write it, either sign);
 * while the quiz is off, a copy of `text`. */
char         *bp_quiz_mask_text        (BpQuiz *self, const char *text);
/* The number the blank stands for, or NULL. */
BpTensor     *bp_quiz_get_expected     (BpQuiz *self, BpNode *node, BpQuizFlags what);

G_END_DECLS
