/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by the document's model, reader and writer. */

#include "bp-document.h"
#include "bp-train-settings.h"

G_BEGIN_DECLS

#define BP_DOCUMENT_FORMAT "backprop-studio"
#define BP_DOCUMENT_VERSION 1

struct _BpDocument
{
  GObject     parent_instance;

  BpGraph    *graph;
  char       *title;
  GHashTable *descriptions;  /* lang → text */
  GHashTable *quiz;          /* node id → BpQuizFlags */
  GHashTable *answers;       /* node id → BpDocumentAnswers */
  BpTrainSettings *training; /* NULL: no "training" member */
};

/* A student's work on a node's blanks: [0] its value, [1] its gradient. */
typedef struct
{
  guint  tries[2];
  char  *right[2];
} BpDocumentAnswers;

/* The table's keys, copied and sorted (a stable order for the writer). */
GStrv _bp_document_sorted_keys (GHashTable *table);

/* The checks on the raw text that come before JSON parsing: size, UTF-8,
 * nesting depth, number of values, nothing after the document. The writer
 * runs them on what it writes, so that a saved file always opens. */
gboolean _bp_document_check_text (const char *data, gsize length, GError **error);
/* A file's bytes (NUL-terminated) as a document: the expression language
 * when `name` ends in ".bpx", a .bpgraph document otherwise. */
BpDocument *_bp_document_load_contents (const char *contents, gsize length, const char *name,
                                        GError **error);

G_END_DECLS
