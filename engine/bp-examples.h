/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-document.h"

G_BEGIN_DECLS

/* The book's examples, compiled in (also shipped in resources/examples/). */
typedef struct
{
  const char *name;      /* "apples" — the file is <name>.bpgraph */
  const char *data;      /* the .bpgraph JSON text */
} BpExample;

const BpExample *bp_examples_get_all (guint *n_examples);
BpDocument      *bp_examples_load    (const char *name, GError **error);

G_END_DECLS
