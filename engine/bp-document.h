/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include "bp-graph.h"
#include "bp-json.h"

G_BEGIN_DECLS

/* The .bpgraph format (JSON, UTF-8):
 *
 *   {
 *     "format": "backprop-studio",          required
 *     "version": 1,                          required, must be 1
 *     "title": "Apple shopping",             optional
 *     "description": {"en": "…", "ko": "…"}, optional, language → paragraph
 *     "output": "price",                     optional, default: the single
 *                                            node nothing consumes
 *     "nodes": [                             required, may be empty
 *       {"id": "apple", "op": "input", "label": "apple price",
 *        "value": 100, "pos": [40, 60]},
 *       {"id": "price", "op": "mul", "inputs": ["apple", "tax"]},
 *       {"id": "s", "op": "sum", "inputs": ["x"], "axis": 0}, …
 *     ],
 *     "quiz": {"apple": ["grad"], "price": ["value", "grad"]}  optional
 *     "answers": {"apple": {"grad": {"tries": 2, "right": "2.2"}}} optional
 *     "training": {…}                        optional, see bp-train-settings.h
 *   }
 *
 * Nodes: "id" (non-empty string, unique) and "op" (a catalog name) are
 * required. "inputs" has exactly the op's arity (absent or [] for leaves);
 * an entry may be null for an input slot left unconnected, so that any
 * graph the editor holds can be saved and loaded again. Inputs may refer
 * to nodes listed later; the edges must not form a cycle. "value" (leaves
 * only; default 0) is a number (1×1), a flat array (1×n) or an array of
 * equally long non-empty rows. JSON has no NaN or infinities, and they are
 * legal values, so the three strings "NaN", "Infinity" and "-Infinity"
 * stand for them wherever a value element is expected; any other string
 * there is an error, and so is a number beyond the range of a double
 * (1e400). "axis" (sum, repeat: 0 or -2 down the rows, 1 or -1 along each
 * row, as numpy counts; absent: sum adds every element, repeat stacks
 * rows; saved as 0 or 1), "times" (repeat: an integer ≥ 1) and "power"
 * (pow: a finite number) are accepted only by the ops that have them.
 * "label" is a string, "pos" [x, y] finite numbers. Any other member is
 * an error (it is most likely a typo). Every text, once its escapes are
 * read, must be UTF-8 (an escaped lone surrogate, "\ud800", is refused),
 * and nothing but white space may follow the document's object (two
 * documents back to back are refused).
 *
 * The loader trusts nothing: every problem is a GError in the BP_ERROR
 * domain naming the node ("node \"apple\": …" or "node 3: …"), and no
 * document is returned. Shapes are not checked at load time (the editor
 * opens graphs with shape errors and shows them on the nodes);
 * bp_graph_validate() reports them.
 *
 * Limits a loaded file must stay within (BP_ERROR_TOO_LARGE above them):
 * the file size, the number of nodes, the nesting depth of arrays and
 * objects (checked on the raw bytes before they are parsed: the reader,
 * bp-json-reader.c, recurses once per level), the length of ids, labels
 * and texts, and the elements of one value (far below
 * BP_TENSOR_MAX_ELEMENTS), and the JSON values of the whole document
 * (numbers, texts, arrays, objects; which bounds the parsed tree's memory
 * at about 32 bytes a value whatever the file holds).
 *
 * The file size allows a graph at the node limit written by
 * bp_document_to_data(): a 200,000-node chain with short ids, labels and
 * positions takes about 21 MB (about 105 bytes a node). */
#define BP_DOCUMENT_MAX_BYTES   (32u * 1024 * 1024)
#define BP_DOCUMENT_MAX_VALUES  (8u * 1024 * 1024)
#define BP_DOCUMENT_MAX_NODES   200000u
#define BP_DOCUMENT_MAX_DEPTH   64u
#define BP_DOCUMENT_MAX_ID      256u      /* bytes in an id */
#define BP_DOCUMENT_MAX_TEXT    65536u    /* bytes in a title, label or description */
#define BP_DOCUMENT_MAX_COORD   1e7       /* |x|, |y| of a position */
#define BP_DOCUMENT_MAX_ELEMENTS (1u << 20) /* elements in one value */
#define BP_DOCUMENT_MAX_TRIES   1000000u  /* answers tried on one blank */
#define BP_DOCUMENT_MAX_ANSWER  4096u     /* bytes in one saved answer */

#define BP_TYPE_DOCUMENT (bp_document_get_type ())
G_DECLARE_FINAL_TYPE (BpDocument, bp_document, BP, DOCUMENT, GObject)

/* What the quiz hides on a node. */
typedef enum
{
  BP_QUIZ_VALUE = 1 << 0,
  BP_QUIZ_GRAD  = 1 << 1,
} BpQuizFlags;

/* A .bpgraph document: a graph plus a title, the explanation in English
 * and Korean, and the quiz blanks. */
BpDocument  *bp_document_new               (void);
BpDocument  *bp_document_new_for_graph     (BpGraph *graph);
BpDocument  *bp_document_load_from_data    (const char *data, gssize length, GError **error);
BpDocument  *bp_document_load_from_file    (GFile *file, GError **error);
/* Chooses by extension: .bpx is the expression language, else JSON. */
BpDocument  *bp_document_load_from_path    (const char *path, GError **error);
/* bp_document_load_from_path() for a GFile (a .bpx name is read as the
 * expression language), in a worker thread so that the window never waits
 * on a slow disk; `cancellable` stops the read. Files are read with
 * bp_file_read_contents(): folders, pipes, sockets and devices are refused
 * at once, and the size limit holds for the bytes actually read. The
 * callback runs in the caller's thread-default main context; the document
 * returned by _finish() belongs to the caller. */
void         bp_document_load_async        (GFile *file, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
BpDocument  *bp_document_load_finish       (GAsyncResult *result, GError **error);
/* Canonical JSON (two-space indent, stable member order, trailing newline):
 * save → load → save is byte-identical. */
char        *bp_document_to_data           (BpDocument *self, gsize *length);
/* Safe: bp_file_replace_contents() (a hidden temporary file in the same
 * folder, fsync, rename; symbolic links followed; read-only files and
 * devices refused; on failure the old file is left as it was). A document
 * whose text would exceed a limit of the loader (BP_DOCUMENT_MAX_BYTES,
 * BP_DOCUMENT_MAX_VALUES) is refused (BP_ERROR_TOO_LARGE) rather than
 * written as a file that would not open.
 * Only local files (GFiles with a path) can be saved. */
gboolean     bp_document_save_to_file      (BpDocument *self, GFile *file, GError **error);
gboolean     bp_document_save_to_path      (BpDocument *self, const char *path, GError **error);

BpGraph     *bp_document_get_graph         (BpDocument *self);
void         bp_document_set_graph         (BpDocument *self, BpGraph *graph);
const char  *bp_document_get_title         (BpDocument *self);
void         bp_document_set_title         (BpDocument *self, const char *title);
/* lang "en" or "ko"; falls back to English. */
const char  *bp_document_get_description   (BpDocument *self, const char *lang);
void         bp_document_set_description   (BpDocument *self, const char *lang, const char *text);
BpQuizFlags  bp_document_get_quiz          (BpDocument *self, const char *node_id);
void         bp_document_set_quiz          (BpDocument *self, const char *node_id, BpQuizFlags flags);
/* Node ids with quiz blanks, sorted. */
GStrv        bp_document_get_quiz_nodes    (BpDocument *self);
/* A student's answers, saved with the document ("answers": for each
 * blank tried, how many answers were given and, once one was right, its
 * text). `what` is BP_QUIZ_VALUE or BP_QUIZ_GRAD. Returns the tries (0:
 * never answered); `right` (may be NULL) receives the right answer's
 * text or NULL while the blank is open. Setting tries 0 forgets it. The
 * loader only checks the shape: the quiz checks the answers again
 * against the numbers when the document opens. */
guint        bp_document_get_answer        (BpDocument  *self,
                                            const char  *node_id,
                                            BpQuizFlags  what,
                                            const char **right);
void         bp_document_set_answer        (BpDocument  *self,
                                            const char  *node_id,
                                            BpQuizFlags  what,
                                            guint        tries,
                                            const char  *right);
/* Node ids with answers, sorted. */
GStrv        bp_document_get_answer_nodes  (BpDocument *self);
void         bp_document_clear_answers     (BpDocument *self);
/* The "training" member (bp-train-settings.h): how the graph is trained
 * and how far its params are; NULL when the document has none. The
 * setter copies. The trained params are the param leaves' values. */
typedef struct _BpTrainSettings BpTrainSettings;
BpTrainSettings *bp_document_get_training  (BpDocument *self);
void         bp_document_set_training      (BpDocument *self, const BpTrainSettings *settings);

G_END_DECLS
