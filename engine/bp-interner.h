/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Names interned once: every distinct string gets a number (0, 1, … in
 * the order they came) and one NUL-terminated copy. Lookups take the
 * text by pointer and length, so a name in the source text is found
 * without copying it first. For the expression parser, which asks for
 * a name several times per node. */
typedef struct _BpInterner BpInterner;

#define BP_INTERNER_NONE G_MAXUINT

/* FNV-1a: names and ids are short, and it takes few instructions per
 * byte. The interner's hash, and the graph's id table's. A caller that
 * reads the bytes anyway (a lexer) may hash them as it goes: start from
 * BP_INTERNER_HASH_INIT and take each byte with bp_interner_hash_byte(). */
#define BP_INTERNER_HASH_INIT 2166136261u

static inline guint
bp_interner_hash_byte (guint hash,
                       char  byte)
{
  return (guint) (((guint32) hash ^ (guchar) byte) * 16777619u);
}

static inline guint
bp_interner_hash (const char *text,
                  gsize       len)
{
  guint h = BP_INTERNER_HASH_INIT;

  for (gsize i = 0; i < len; i++)
    h = bp_interner_hash_byte (h, text[i]);
  return h;
}

BpInterner *bp_interner_new     (void);
void        bp_interner_free    (BpInterner *self);
/* The number of the `len` bytes at `text`, or BP_INTERNER_NONE. */
guint       bp_interner_lookup  (const BpInterner *self, const char *text, gsize len);
/* The same, adding the text when it is new (then *added is TRUE). */
guint       bp_interner_intern  (BpInterner *self, const char *text, gsize len,
                                 gboolean *added);
/* Both with the text's bp_interner_hash() known. */
guint       bp_interner_lookup_hashed (const BpInterner *self, const char *text, gsize len,
                                       guint hash);
guint       bp_interner_intern_hashed (BpInterner *self, const char *text, gsize len,
                                       guint hash, gboolean *added);
/* The interned copy of number `id`, valid while the interner is, with
 * its length and its bp_interner_hash(). */
const char *bp_interner_get_full (const BpInterner *self, guint id, guint *len, guint *hash);
/* Room for `n_names` more names of `n_bytes` in all (each counted with
 * its terminator) without growing: a caller that knows how many are
 * coming saves the copies and rehashes of growing step by step. */
void        bp_interner_reserve (BpInterner *self, guint n_names, gsize n_bytes);
guint       bp_interner_size    (const BpInterner *self);
/* A hint that a name with this hash is coming soon: its slot of the
 * table is fetched meanwhile. For a caller going through many names. */
void        bp_interner_prefetch (const BpInterner *self, guint hash);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpInterner, bp_interner_free)

G_END_DECLS
