/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-document.h"
#include "bp-trace.h"

G_BEGIN_DECLS

/* Worksheets for homework and exams: from any graph, N variants with new
 * leaf values, the same blanks in each, and the answers from the
 * engine's own passes. The values stay friendly (small integers or one
 * decimal, no huge or long results) as far as the graph allows: each
 * variant is drawn from a seeded generator until its every value and
 * gradient is a short number, else the shortest of many draws is kept
 * (exp, log and the like are rarely short). The same seed gives the
 * same worksheet on every machine. Constants (op "const": the 1 of
 * 1 + exp(−x)) and the labels t of a loss keep their values.
 *
 * The blanks are what the book's figures write on the arrows:
 *  - values: above each arrow leaving a computed node (and the output's
 *    final value); the leaves' values are given;
 *  - gradients: below each arrow, the gradient DG that the node at its
 *    head sends down to the node at its tail (a node feeding two others
 *    gets two gradients, one per arrow: the branch rule asks for their
 *    sum only when the student adds them). The output's 1 is given. */

typedef enum
{
  BP_WORKSHEET_HIDE_VALUES    = 1 << 0,
  BP_WORKSHEET_HIDE_GRADIENTS = 1 << 1,
  BP_WORKSHEET_HIDE_BOTH      = BP_WORKSHEET_HIDE_VALUES | BP_WORKSHEET_HIDE_GRADIENTS,
} BpWorksheetHide;

#define BP_WORKSHEET_MAX_VARIANTS 500

/* A blank the student fills in. */
typedef struct
{
  guint        number;    /* 1, 2, … within its variant */
  BpQuizFlags  kind;      /* BP_QUIZ_VALUE or BP_QUIZ_GRAD */
  BpNode      *node;      /* whose value; for a gradient, the tail of the arrow */
  BpNode      *consumer;  /* gradient: the head of the arrow, which sends it */
  guint        slot;      /* gradient: the consumer's input slot */
  BpTensor    *answer;    /* from the variant's passes */
} BpWorksheetBlank;

typedef struct _BpWorksheet BpWorksheet;

/* "values", "gradients" or "both". */
gboolean         bp_worksheet_hide_from_string   (const char       *text,
                                                  BpWorksheetHide  *hide,
                                                  GError          **error);

/* Builds `n_variants` (1 … BP_WORKSHEET_MAX_VARIANTS) variants of the
 * document's graph. Fails (BP_ERROR_*) when the graph cannot be computed,
 * has no single output, or has no blank of the kind asked for. The
 * document is only read. */
BpWorksheet     *bp_worksheet_new                (BpDocument       *document,
                                                  guint             n_variants,
                                                  guint64           seed,
                                                  BpWorksheetHide   hide,
                                                  GError          **error);
void             bp_worksheet_free               (BpWorksheet      *self);

const char      *bp_worksheet_get_title          (BpWorksheet *self);  /* never NULL */
guint64          bp_worksheet_get_seed           (BpWorksheet *self);
BpWorksheetHide  bp_worksheet_get_hide           (BpWorksheet *self);
guint            bp_worksheet_get_n_variants     (BpWorksheet *self);
/* The variant's graph with its values, after forward and backward; its
 * trace holds both passes. Owned by the worksheet. */
BpGraph         *bp_worksheet_get_graph          (BpWorksheet *self, guint variant);
BpTrace         *bp_worksheet_get_trace          (BpWorksheet *self, guint variant);
guint            bp_worksheet_get_n_blanks       (BpWorksheet *self, guint variant);
const BpWorksheetBlank *bp_worksheet_get_blank   (BpWorksheet *self, guint variant, guint index);
/* Sets of BpNode* of the variant's graph whose values / gradients show
 * as blanks (for BpDiagramState.hidden_values / hidden_grads); owned by
 * the worksheet, NULL when that kind is not hidden. */
GHashTable      *bp_worksheet_get_hidden_values  (BpWorksheet *self, guint variant);
GHashTable      *bp_worksheet_get_hidden_grads   (BpWorksheet *self, guint variant);
/* A new document of the variant (its graph copied, the title "Title —
 * variant k"): what `bpgraph eval` of the variant reads. */
BpDocument      *bp_worksheet_get_document       (BpWorksheet *self, guint variant);

/* "the value of “apple price”", "the gradient “price” sends to “tax”"
 * (translated; labels as the diagram shows them). */
char            *bp_worksheet_describe_blank     (const BpWorksheetBlank *blank);
/* "apple = 120, apple count = 3, tax = 1.2": the given leaf values. */
char            *bp_worksheet_describe_givens    (BpWorksheet *self, guint variant);

/* The tolerance a numerical answer gets: half a percent of the answer,
 * at least 0.005 (answers rounded to two decimals are right). */
double           bp_worksheet_tolerance          (double answer);

/* Moodle XML: a <quiz> with one category per worksheet and one
 * "numerical" question per element of every blank, variant by variant;
 * each question states the variant's given values and the graph's
 * nodes (for a graph too big to repeat in every question, it refers to
 * the variant of the printed worksheet instead), and asks for one number with bp_worksheet_tolerance() (an
 * element that is NaN or infinite gets no question). */
char            *bp_worksheet_to_moodle_xml      (BpWorksheet *self, gsize *length);
/* Atomic (g_file_set_contents). */
gboolean         bp_worksheet_save_moodle_xml    (BpWorksheet  *self,
                                                  const char   *path,
                                                  GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpWorksheet, bp_worksheet_free)

G_END_DECLS
