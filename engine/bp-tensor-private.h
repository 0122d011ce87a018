/* SPDX-License-Identifier: MIT */
#pragma once

#include <string.h>

#include "bp-tensor.h"

/* Under AddressSanitizer, arena tensors get red zones between them and a
 * rewound arena is poisoned, so overruns and reads of a forgotten
 * snapshot are reported as they would be for malloc'd tensors. */
#if defined (__SANITIZE_ADDRESS__)
# define BP_TENSOR_ARENA_ASAN 1
#elif defined (__has_feature)
# if __has_feature (address_sanitizer)
#  define BP_TENSOR_ARENA_ASAN 1
# endif
#endif
#ifdef BP_TENSOR_ARENA_ASAN
# include <sanitizer/asan_interface.h>
# define BP_TENSOR_ARENA_RED_ZONE 16
#else
# define ASAN_POISON_MEMORY_REGION(addr, size) ((void) (addr), (void) (size))
# define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void) (addr), (void) (size))
# define BP_TENSOR_ARENA_RED_ZONE 0
#endif

G_BEGIN_DECLS

/* For kernels that overwrite every element anyway. */
BpTensor *bp_tensor_new_uninit (guint rows, guint cols);

/* -1 for a tensor that lives in an arena (see below). */
static inline int
bp_tensor_get_ref_count (const BpTensor *self) { return self->ref_count; }

/* An arena: many small tensors bump-allocated in big blocks and freed all
 * at once. A trace keeps its snapshots in one, so that recording a pass of
 * a million scalar nodes costs no malloc, no free and no refcount traffic
 * per tensor. An arena tensor's ref_count field is
 * BP_TENSOR_ARENA_REF_COUNT; bp_tensor_ref()/unref() on it take and drop
 * a reference on the whole arena instead, so a tensor somebody keeps
 * stays valid (and unchanged) after its trace is gone. */
typedef struct _BpTensorArena BpTensorArena;

#define BP_TENSOR_ARENA_REF_COUNT (-1)
/* Larger tensors are not worth copying: the trace shares them by reference. */
#define BP_TENSOR_ARENA_MAX_ELEMENTS 4096

struct _BpTensorArena
{
  /*< private >*/
  int   ref_count;
  char *pos;       /* free space of the current block */
  char *end;
  /* blocks, see bp-tensor.c */
  gpointer first;
  gpointer current;
};

BpTensorArena *bp_tensor_arena_new        (void);
BpTensorArena *bp_tensor_arena_ref        (BpTensorArena *self);
void           bp_tensor_arena_unref      (BpTensorArena *self);
/* Forgets every tensor, keeping the blocks. Only for an arena nobody else
 * holds (ref_count 1). */
void           bp_tensor_arena_rewind     (BpTensorArena *self);
/* The arena `tensor` lives in, or NULL for an ordinary tensor. */
BpTensorArena *bp_tensor_get_arena        (const BpTensor *tensor);
BpTensor      *bp_tensor_arena_alloc_slow (BpTensorArena *self, guint rows, guint cols);

static inline gboolean
bp_tensor_arena_is_shared (const BpTensorArena *self) { return self->ref_count > 1; }

static inline gboolean
bp_tensor_fits_arena (guint rows, guint cols)
{
  return (gsize) rows * cols <= BP_TENSOR_ARENA_MAX_ELEMENTS;
}

/* An uninitialised tensor valid while the arena is (not rewound);
 * rows × cols must be at most BP_TENSOR_ARENA_MAX_ELEMENTS. */
static inline BpTensor *
bp_tensor_arena_alloc (BpTensorArena *self,
                       guint          rows,
                       guint          cols)
{
  gsize size = sizeof (BpTensor) + (gsize) rows * cols * sizeof (double);
  BpTensor *t;

  if (G_UNLIKELY (size + BP_TENSOR_ARENA_RED_ZONE > (gsize) (self->end - self->pos)))
    return bp_tensor_arena_alloc_slow (self, rows, cols);

  t = (BpTensor *) (gpointer) self->pos;
  self->pos += size + BP_TENSOR_ARENA_RED_ZONE;
  ASAN_UNPOISON_MEMORY_REGION (t, size);
  t->ref_count = BP_TENSOR_ARENA_REF_COUNT;
  t->rows = rows;
  t->cols = cols;
  t->data = (double *) (t + 1);
  return t;
}

/* A copy of `t` in the arena. */
static inline BpTensor *
bp_tensor_arena_copy (BpTensorArena  *self,
                      const BpTensor *t)
{
  BpTensor *copy = bp_tensor_arena_alloc (self, t->rows, t->cols);
  gsize n = bp_tensor_n_elements (t);

  if (n == 1)
    copy->data[0] = t->data[0];
  else
    memcpy (copy->data, t->data, n * sizeof (double));
  return copy;
}

G_END_DECLS
