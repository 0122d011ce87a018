/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-document.h"

G_BEGIN_DECLS

/* The book's examples, shipped as resources/examples/<name>.bpgraph and
 * compiled into the engine library as C strings (so the CLI, the tests
 * and the application find them without any installed file). */
typedef struct
{
  const char *name;      /* "apples" — the file is <name>.bpgraph */
  const char *data;      /* the .bpgraph JSON text, NUL-terminated, static */
  gsize       length;    /* bytes in data */
  const char *title;     /* the document's title (English), for listings */
  const char *summary;   /* what it teaches, one line (English), for the gallery */
} BpExample;

/* Every example in teaching order (apples first). Static, never NULL. */
const BpExample *bp_examples_get_all    (guint *n_examples);
const BpExample *bp_examples_lookup     (const char *name);
/* The title in the language of the messages (gettext), for the gallery. */
const char      *bp_example_get_title   (const BpExample *example);
/* What it teaches in one line, in the language of the messages. */
const char      *bp_example_get_summary (const BpExample *example);
/* A new document, its title and node labels in the language of the
 * messages (the files are English; ko.po translates them), so that the
 * apples show 사과, 사과 개수, 소비세 in a Korean session. `data` stays
 * the English file. BP_ERROR_INVALID naming the known examples for an
 * unknown name. */
BpDocument      *bp_examples_load       (const char *name, GError **error);

G_END_DECLS
