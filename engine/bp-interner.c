/* SPDX-License-Identifier: MIT */
/* Names interned once (bp-interner.h): open addressing over a table of
 * numbers, the strings in blocks of their own. A GHashTable keyed by
 * strings needs a NUL-terminated key for every lookup, hashes it with
 * g_str_hash and compares through a function pointer; here a lookup is
 * one hash of the bytes and one memcmp. */
#include <string.h>

#include "bp-interner.h"

typedef struct
{
  const char *text;   /* in `chunk` */
  guint       len;
  guint       hash;
} Entry;

/* The copies of the strings, in blocks that are never moved. */
typedef struct _TextBlock TextBlock;
struct _TextBlock
{
  TextBlock *next;
  char       text[];
};

#define TEXT_BLOCK_MIN 4096

struct _BpInterner
{
  TextBlock    *blocks;
  char         *text_pos;  /* the free part of the newest block */
  char         *text_end;
  Entry        *entries;   /* by number: n_entries of entries_size */
  guint         n_entries;
  guint         entries_size;
  guint        *slots;     /* number + 1; 0 is empty */
  guint         mask;      /* the table's size − 1, a power of two minus one */
};

#define INITIAL_SLOTS 64

BpInterner *
bp_interner_new (void)
{
  BpInterner *self = g_new0 (BpInterner, 1);

  self->slots = g_new0 (guint, INITIAL_SLOTS);
  self->mask = INITIAL_SLOTS - 1;
  return self;
}

void
bp_interner_free (BpInterner *self)
{
  if (self == NULL)
    return;
  while (self->blocks != NULL)
    {
      TextBlock *block = self->blocks;

      self->blocks = block->next;
      g_free (block);
    }
  g_free (self->entries);
  g_free (self->slots);
  g_free (self);
}

/* The slot of `text`, or the empty slot where it would go. */
static inline guint
find_slot (const BpInterner *self,
           const char       *text,
           gsize             len,
           guint             hash)
{
  guint i = hash & self->mask;

  for (;; i = (i + 1) & self->mask)
    {
      guint s = self->slots[i];
      const Entry *e;

      if (s == 0)
        return i;
      e = &self->entries[s - 1];
      if (e->hash == hash && e->len == len && memcmp (e->text, text, len) == 0)
        return i;
    }
}

/* Sets the table's size (a power of two, over twice the entries):
 * at most half full, so probes stay short. */
static void
resize (BpInterner *self,
        guint       size)
{
  g_free (self->slots);
  self->slots = g_new0 (guint, size);
  self->mask = size - 1;
  for (guint n = 0; n < self->n_entries; n++)
    {
      const Entry *e = &self->entries[n];
      guint i = e->hash & self->mask;

      while (self->slots[i] != 0)
        i = (i + 1) & self->mask;
      self->slots[i] = n + 1;
    }
}

/* A new block for at least `len` bytes: the last one's size twice, or
 * more. */
static void
text_block_new (BpInterner *self,
                gsize       len)
{
  gsize size = self->blocks == NULL ? TEXT_BLOCK_MIN
               : 2 * (gsize) (self->text_end - self->blocks->text);
  TextBlock *block;

  size = MAX (size, len);
  block = g_malloc (sizeof (TextBlock) + size);
  block->next = self->blocks;
  self->blocks = block;
  self->text_pos = block->text;
  self->text_end = block->text + size;
}

void
bp_interner_reserve (BpInterner *self,
                     guint       n_names,
                     gsize       n_bytes)
{
  guint n;
  guint size;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n_names < G_MAXUINT / 4 - self->n_entries);

  n = self->n_entries + n_names;
  if (n > self->entries_size)
    {
      self->entries_size = n;
      self->entries = g_renew (Entry, self->entries, self->entries_size);
    }
  for (size = self->mask + 1; 2 * n > size; size *= 2)
    ;
  if (size != self->mask + 1)
    resize (self, size);
  if (n_bytes > (gsize) (self->text_end - self->text_pos))
    text_block_new (self, n_bytes);
}

void
bp_interner_prefetch (const BpInterner *self,
                      guint             hash)
{
  __builtin_prefetch (&self->slots[hash & self->mask]);
}

guint
bp_interner_lookup_hashed (const BpInterner *self,
                           const char       *text,
                           gsize             len,
                           guint             hash)
{
  guint s;

  g_return_val_if_fail (self != NULL, BP_INTERNER_NONE);
  g_return_val_if_fail (text != NULL || len == 0, BP_INTERNER_NONE);

  s = self->slots[find_slot (self, text, len, hash)];
  return s != 0 ? s - 1 : BP_INTERNER_NONE;
}

guint
bp_interner_lookup (const BpInterner *self,
                    const char       *text,
                    gsize             len)
{
  g_return_val_if_fail (text != NULL || len == 0, BP_INTERNER_NONE);

  return bp_interner_lookup_hashed (self, text, len, bp_interner_hash (text, len));
}

guint
bp_interner_intern (BpInterner *self,
                    const char *text,
                    gsize       len,
                    gboolean   *added)
{
  g_return_val_if_fail (text != NULL || len == 0, BP_INTERNER_NONE);

  return bp_interner_intern_hashed (self, text, len, bp_interner_hash (text, len), added);
}

guint
bp_interner_intern_hashed (BpInterner *self,
                           const char *text,
                           gsize       len,
                           guint       hash,
                           gboolean   *added)
{
  guint i;
  Entry e;

  g_return_val_if_fail (self != NULL, BP_INTERNER_NONE);
  g_return_val_if_fail (text != NULL || len == 0, BP_INTERNER_NONE);
  g_return_val_if_fail (len < G_MAXUINT, BP_INTERNER_NONE);

  i = find_slot (self, text, len, hash);
  if (added != NULL)
    *added = self->slots[i] == 0;
  if (self->slots[i] != 0)
    return self->slots[i] - 1;

  if (len + 1 > (gsize) (self->text_end - self->text_pos))
    text_block_new (self, len + 1);
  memcpy (self->text_pos, text, len);
  self->text_pos[len] = '\0';
  e.text = self->text_pos;
  self->text_pos += len + 1;
  e.len = (guint) len;
  e.hash = hash;
  if (self->n_entries == self->entries_size)
    {
      self->entries_size = MAX (64, 2 * self->entries_size);
      self->entries = g_renew (Entry, self->entries, self->entries_size);
    }
  self->entries[self->n_entries++] = e;
  self->slots[i] = self->n_entries;
  if (2 * self->n_entries > self->mask + 1)
    resize (self, 2 * (self->mask + 1));
  return self->n_entries - 1;
}

const char *
bp_interner_get_full (const BpInterner *self,
                      guint             id,
                      guint            *len,
                      guint            *hash)
{
  const Entry *e;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id < self->n_entries, NULL);

  e = &self->entries[id];
  *len = e->len;
  *hash = e->hash;
  return e->text;
}

guint
bp_interner_size (const BpInterner *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_entries;
}
