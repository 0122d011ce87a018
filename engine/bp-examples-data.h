/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The text of each resources/examples/<name>.bpgraph, compiled into the
 * engine as a C string (engine/meson.build writes bp-examples-data.c):
 * plain data, so that a program using the examples needs neither GIO's
 * resources nor any installed file. */
typedef struct
{
  const char *name;     /* "apples" */
  const char *text;     /* the JSON text, NUL-terminated */
  gsize       length;   /* bytes in text */
} BpExampleData;

extern const BpExampleData bp_examples_data[];
extern const guint         bp_examples_n_data;

G_END_DECLS
