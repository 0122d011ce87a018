/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BP_ERROR (bp_error_quark ())

/* Every fallible engine call reports one of these, with a message a
 * student can act on that names the node and the problem. */
typedef enum
{
  BP_ERROR_INVALID,       /* malformed input: wrong JSON type, bad syntax, bad value */
  BP_ERROR_UNKNOWN_OP,    /* an op name the catalog does not have */
  BP_ERROR_UNKNOWN_NODE,  /* a reference to an id that does not exist */
  BP_ERROR_DUPLICATE,     /* an id used twice */
  BP_ERROR_ARITY,         /* wrong number of inputs, or an input left unconnected */
  BP_ERROR_CYCLE,         /* an edge that would close a cycle */
  BP_ERROR_SHAPE,         /* shapes that do not fit the op */
  BP_ERROR_TOO_LARGE,     /* above a documented limit */
  BP_ERROR_PARSE,         /* expression language syntax error (line:column in the message) */
  BP_ERROR_IO,            /* reading or writing a file */
  BP_ERROR_NOT_FOUND,     /* a data set that is not installed */
} BpError;

GQuark bp_error_quark (void);

G_END_DECLS
