/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reading JSON text (RFC 8259) into a tree, with GLib alone: the engine
 * reads documents with it, and `bpgraph` links no JSON library.
 *
 * Objects keep their members in the order written; a name written twice
 * keeps its first place and its last value. Numbers without a fraction
 * or an exponent that fit in 64 bits are integers (BP_JSON_INT), every
 * other number a double (BP_JSON_DOUBLE; beyond the range of a double it
 * reads as ±∞). Texts are unescaped into UTF-8; an escape of half a
 * surrogate pair alone is refused, as is text that is not UTF-8. A byte
 * order mark before the value is skipped, and control characters inside
 * strings are taken as they are (as json-glib did). Every other departure
 * from JSON (comments, single quotes, hexadecimal or octal numbers,
 * leading zeros, "+1", ".5", words other than true, false and null, a
 * comma before a closing bracket, text after the value) is an error in
 * the BP_JSON_ERROR domain naming the line, the column (in characters,
 * both from 1) and what is wrong. */

#define BP_JSON_ERROR (bp_json_error_quark ())

typedef enum
{
  BP_JSON_ERROR_SYNTAX,     /* not JSON */
  BP_JSON_ERROR_SURROGATE,  /* an escape of half a surrogate pair alone */
  BP_JSON_ERROR_DEPTH,      /* nested deeper than the limit */
} BpJsonError;

typedef enum
{
  BP_JSON_NULL,
  BP_JSON_BOOLEAN,
  BP_JSON_INT,
  BP_JSON_DOUBLE,
  BP_JSON_STRING,
  BP_JSON_ARRAY,
  BP_JSON_OBJECT,
} BpJsonType;

typedef struct _BpJsonNode   BpJsonNode;
typedef struct _BpJsonMember BpJsonMember;

struct _BpJsonMember
{
  const char *name;
  BpJsonNode *value;
};

struct _BpJsonNode
{
  BpJsonType type;
  guint      length;   /* a string's bytes, an array's elements, an object's members */
  union
  {
    gboolean      boolean;
    gint64        integer;
    double        number;
    const char   *string;    /* NUL-terminated */
    BpJsonNode  **elements;
    BpJsonMember *members;
  } v;
};

/* The tree and every text in it live as long as the BpJsonDocument. */
typedef struct _BpJsonDocument BpJsonDocument;

GQuark          bp_json_error_quark       (void);

/* Reads `length` bytes of `data` (need not end with NUL) holding one
 * JSON value; arrays and objects may nest `max_depth` levels deep. */
BpJsonDocument *bp_json_document_parse    (const char  *data,
                                           gsize        length,
                                           guint        max_depth,
                                           GError     **error);
BpJsonNode     *bp_json_document_get_root (BpJsonDocument *self);
void            bp_json_document_free     (BpJsonDocument *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpJsonDocument, bp_json_document_free)

/* The member named `name` of an object, or NULL (and NULL for a node
 * that is not an object). */
BpJsonNode     *bp_json_node_get_member   (const BpJsonNode *node,
                                           const char       *name);

static inline gboolean
bp_json_node_is_number (const BpJsonNode *node)
{
  return node->type == BP_JSON_INT || node->type == BP_JSON_DOUBLE;
}

/* A number as a double (an integer converted), else 0. */
static inline double
bp_json_node_get_double (const BpJsonNode *node)
{
  if (node->type == BP_JSON_DOUBLE)
    return node->v.number;
  if (node->type == BP_JSON_INT)
    return (double) node->v.integer;
  return 0;
}

/* A string's text, else NULL. */
static inline const char *
bp_json_node_get_string (const BpJsonNode *node)
{
  return node->type == BP_JSON_STRING ? node->v.string : NULL;
}

/* An array's elements or an object's members, else 0. */
static inline guint
bp_json_node_get_length (const BpJsonNode *node)
{
  return node->type == BP_JSON_ARRAY || node->type == BP_JSON_OBJECT ? node->length : 0;
}

/* Element `i` of an array (i < its length). */
static inline BpJsonNode *
bp_json_node_get_element (const BpJsonNode *node,
                          guint             i)
{
  g_assert (node->type == BP_JSON_ARRAY && i < node->length);
  return node->v.elements[i];
}

/* Member `i` of an object (i < its length), in the order written. */
static inline const BpJsonMember *
bp_json_node_get_member_at (const BpJsonNode *node,
                            guint             i)
{
  g_assert (node->type == BP_JSON_OBJECT && i < node->length);
  return &node->v.members[i];
}

/* Walking an object's members in the order written, as
 * `bp_json_iter_init (&iter, object); while (bp_json_iter_next (&iter,
 * &name, &value)) …`. */
typedef struct
{
  const BpJsonNode *object;
  guint             next;
} BpJsonIter;

static inline void
bp_json_iter_init (BpJsonIter       *iter,
                   const BpJsonNode *object)
{
  g_assert (object->type == BP_JSON_OBJECT);
  iter->object = object;
  iter->next = 0;
}

static inline gboolean
bp_json_iter_next (BpJsonIter  *iter,
                   const char **name,
                   BpJsonNode **value)
{
  const BpJsonMember *member;

  if (iter->next >= iter->object->length)
    return FALSE;
  member = &iter->object->v.members[iter->next++];
  *name = member->name;
  *value = member->value;
  return TRUE;
}

G_END_DECLS
