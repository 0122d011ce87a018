/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include "bp-graph.h"

G_BEGIN_DECLS

/* Limits a loaded file must stay within (documented in the README). */
#define BP_DOCUMENT_MAX_BYTES   (64u * 1024 * 1024)
#define BP_DOCUMENT_MAX_NODES   200000u
#define BP_DOCUMENT_MAX_DEPTH   64u

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
/* Canonical JSON (two-space indent, stable member order, trailing newline):
 * save → load → save is byte-identical. */
char        *bp_document_to_data           (BpDocument *self, gsize *length);
/* Atomic: a temporary file in the same folder, then a rename. */
gboolean     bp_document_save_to_file      (BpDocument *self, GFile *file, GError **error);

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

G_END_DECLS
