/* SPDX-License-Identifier: MIT */
#include <glib/gi18n-lib.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "bp-error.h"
#include "bp-tensor.h"
#include "bp-digits-private.h"
#include "bp-dtoa.h"
#include "bp-tensor-private.h"

G_DEFINE_BOXED_TYPE (BpTensor, bp_tensor, bp_tensor_ref, bp_tensor_unref)

/* --- scalars --- */

/* Most tensors of a graph in the book's style are scalars, and the first
 * pass over a large graph makes two per node, its value and its
 * gradient. One malloc each, cut from the top of a growing heap, was a
 * tenth of `bpgraph eval`, and 48 bytes for 32. Scalars come from slabs
 * instead, and a freed scalar goes on its thread's free list for the
 * next one. A thread holding many free scalars hands a batch to a shared
 * depot, where a thread out of scalars takes it, so that scalars freed on
 * another thread than the one that made them are used again. Slabs, like
 * malloc's heap, stay for the next graph; they are listed in `slabs`,
 * so that leak checkers see them reachable. AddressSanitizer builds use
 * malloc, to keep its reports of use after free. */
#ifndef BP_TENSOR_ARENA_ASAN
# define SCALAR_SLABS 1
#endif

#ifdef SCALAR_SLABS
#define SCALAR_SIZE  (sizeof (BpTensor) + sizeof (double))
#define SLAB_SIZE    ((gsize) 64 << 10)
#define DEPOT_BATCH  4096u

typedef union _FreeScalar FreeScalar;
union _FreeScalar
{
  BpTensor tensor;
  struct
  {
    FreeScalar *next;
    FreeScalar *next_batch;   /* in the depot: the batch after this one */
    gsize       batch_size;   /* in the depot: scalars in this batch */
  } link;
};

G_STATIC_ASSERT (sizeof (FreeScalar) <= SCALAR_SIZE);
G_STATIC_ASSERT (SLAB_SIZE % SCALAR_SIZE == 0);

typedef struct
{
  FreeScalar *free;
  gsize       n_free;
  char       *pos;      /* the unused end of this thread's slab */
  char       *end;
  gboolean    registered;
} ScalarCache;

static _Thread_local ScalarCache scalar_cache;

static GMutex      depot_lock;
static FreeScalar *depot;
static gpointer    slabs;   /* each slab's first slot holds the one before */

static void
depot_push (FreeScalar *first,
            gsize       n)
{
  first->link.batch_size = n;
  g_mutex_lock (&depot_lock);
  first->link.next_batch = depot;
  depot = first;
  g_mutex_unlock (&depot_lock);
}

/* At a thread's exit: its free scalars and the rest of its slab go to
 * the depot. */
static void
scalar_cache_release (gpointer data)
{
  ScalarCache *cache = data;

  for (; cache->pos < cache->end; cache->pos += SCALAR_SIZE)
    {
      FreeScalar *s = (FreeScalar *) (gpointer) cache->pos;

      s->link.next = cache->free;
      cache->free = s;
      cache->n_free++;
    }
  if (cache->free != NULL)
    depot_push (cache->free, cache->n_free);
  cache->free = NULL;
  cache->n_free = 0;
}

static GPrivate scalar_cache_exit = G_PRIVATE_INIT (scalar_cache_release);

static BpTensor *
scalar_alloc_slow (ScalarCache *cache)
{
  FreeScalar *batch;
  char *slab;

  if (!cache->registered)
    {
      g_private_set (&scalar_cache_exit, cache);
      cache->registered = TRUE;
    }

  g_mutex_lock (&depot_lock);
  batch = depot;
  if (batch != NULL)
    depot = batch->link.next_batch;
  g_mutex_unlock (&depot_lock);
  if (batch != NULL)
    {
      cache->free = batch->link.next;
      cache->n_free = batch->link.batch_size - 1;
      return &batch->tensor;
    }

  slab = g_malloc (SLAB_SIZE);
  g_mutex_lock (&depot_lock);
  *(gpointer *) (gpointer) slab = slabs;
  slabs = slab;
  g_mutex_unlock (&depot_lock);
  cache->pos = slab + 2 * SCALAR_SIZE;
  cache->end = slab + SLAB_SIZE;
  return (BpTensor *) (gpointer) (slab + SCALAR_SIZE);
}

static inline BpTensor *
scalar_alloc (void)
{
  ScalarCache *cache = &scalar_cache;
  FreeScalar *s = cache->free;

  if (G_LIKELY (s != NULL))
    {
      cache->free = s->link.next;
      cache->n_free--;
      return &s->tensor;
    }
  if (G_LIKELY (cache->pos < cache->end))
    {
      s = (FreeScalar *) (gpointer) cache->pos;
      cache->pos += SCALAR_SIZE;
      return &s->tensor;
    }
  return scalar_alloc_slow (cache);
}

/* Hands the first DEPOT_BATCH free scalars to the depot. */
static void
scalar_share (ScalarCache *cache)
{
  FreeScalar *first = cache->free;
  FreeScalar *last = first;

  for (guint i = 1; i < DEPOT_BATCH; i++)
    last = last->link.next;
  cache->free = last->link.next;
  cache->n_free -= DEPOT_BATCH;
  last->link.next = NULL;
  depot_push (first, DEPOT_BATCH);
}

static inline void
scalar_free (BpTensor *tensor)
{
  ScalarCache *cache = &scalar_cache;
  FreeScalar *s = (FreeScalar *) tensor;

  s->link.next = cache->free;
  cache->free = s;
  if (G_UNLIKELY (++cache->n_free >= 2 * DEPOT_BATCH))
    scalar_share (cache);
}
#endif

/* --- tensors --- */

/* The header and the numbers live in one allocation: a scalar graph of a
 * million nodes allocates a million tensors. */
BpTensor *
bp_tensor_new_uninit (guint rows,
                      guint cols)
{
  gsize n = (gsize) rows * cols;
  BpTensor *self;

  g_return_val_if_fail (rows > 0 && cols > 0, NULL);
  g_return_val_if_fail (n <= BP_TENSOR_MAX_ELEMENTS, NULL);

#ifdef SCALAR_SLABS
  if (n == 1)
    self = scalar_alloc ();
  else
#endif
    self = g_malloc (sizeof (BpTensor) + n * sizeof (double));
  self->ref_count = 1;
  self->rows = rows;
  self->cols = cols;
  self->data = (double *) (self + 1);

  return self;
}

BpTensor *
bp_tensor_new (guint rows,
               guint cols)
{
  BpTensor *self = bp_tensor_new_uninit (rows, cols);

  memset (self->data, 0, bp_tensor_n_elements (self) * sizeof (double));
  return self;
}

BpTensor *
bp_tensor_new_scalar (double value)
{
  BpTensor *self = bp_tensor_new_uninit (1, 1);

  self->data[0] = value;
  return self;
}

BpTensor *
bp_tensor_new_from_data (guint         rows,
                         guint         cols,
                         const double *data)
{
  BpTensor *self = bp_tensor_new_uninit (rows, cols);

  memcpy (self->data, data, bp_tensor_n_elements (self) * sizeof (double));
  return self;
}

BpTensor *
bp_tensor_new_filled (guint  rows,
                      guint  cols,
                      double value)
{
  BpTensor *self = bp_tensor_new_uninit (rows, cols);

  bp_tensor_fill (self, value);
  return self;
}

BpTensor *
bp_tensor_ref (BpTensor *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->ref_count != 0, NULL);

  if (G_UNLIKELY (self->ref_count == BP_TENSOR_ARENA_REF_COUNT))
    bp_tensor_arena_ref (bp_tensor_get_arena (self));
  else
    self->ref_count++;
  return self;
}

void
bp_tensor_unref (BpTensor *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->ref_count != 0);

  if (G_UNLIKELY (self->ref_count == BP_TENSOR_ARENA_REF_COUNT))
    bp_tensor_arena_unref (bp_tensor_get_arena (self));
  else if (--self->ref_count == 0)
    {
#ifdef SCALAR_SLABS
      if (self->rows == 1 && self->cols == 1)
        scalar_free (self);
      else
#endif
        g_free (self);
    }
}

/* --- arenas --- */

/* Blocks are aligned to their size, so a tensor finds its block, and the
 * block its arena, by masking the tensor's address: arena tensors need no
 * field the public struct does not have. */
#define BLOCK_SIZE ((gsize) 1 << 20)

typedef struct _Block Block;
struct _Block
{
  BpTensorArena *arena;
  Block         *next;
};

#define BLOCK_HEADER_SIZE (((sizeof (Block) + 15) / 16) * 16)

G_STATIC_ASSERT (BLOCK_HEADER_SIZE + sizeof (BpTensor) + BP_TENSOR_ARENA_RED_ZONE +
                 BP_TENSOR_ARENA_MAX_ELEMENTS * sizeof (double) <= BLOCK_SIZE);

static inline void
poison_block (Block *block)
{
  ASAN_POISON_MEMORY_REGION ((char *) block + BLOCK_HEADER_SIZE, BLOCK_SIZE - BLOCK_HEADER_SIZE);
}

static void
arena_enter (BpTensorArena *self,
             Block         *block)
{
  self->current = block;
  self->pos = (char *) block + BLOCK_HEADER_SIZE;
  self->end = (char *) block + BLOCK_SIZE;
}

BpTensorArena *
bp_tensor_arena_new (void)
{
  BpTensorArena *self = g_new0 (BpTensorArena, 1);

  /* No block yet: the first allocation takes the slow path. */
  self->ref_count = 1;
  return self;
}

BpTensorArena *
bp_tensor_arena_ref (BpTensorArena *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->ref_count > 0, NULL);

  self->ref_count++;
  return self;
}

void
bp_tensor_arena_unref (BpTensorArena *self)
{
  Block *block;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->ref_count > 0);

  if (--self->ref_count > 0)
    return;

  block = self->first;
  while (block != NULL)
    {
      Block *next = block->next;

      ASAN_UNPOISON_MEMORY_REGION (block, BLOCK_SIZE);
      g_aligned_free (block);
      block = next;
    }
  g_free (self);
}

void
bp_tensor_arena_rewind (BpTensorArena *self)
{
  g_return_if_fail (self->ref_count == 1);

#ifdef BP_TENSOR_ARENA_ASAN
  for (Block *block = self->first; block != NULL; block = block->next)
    poison_block (block);
#endif
  if (self->first != NULL)
    arena_enter (self, self->first);
}

BpTensor *
bp_tensor_arena_alloc_slow (BpTensorArena *self,
                            guint          rows,
                            guint          cols)
{
  Block *current = self->current;

  g_return_val_if_fail (rows > 0 && cols > 0, NULL);
  g_return_val_if_fail (bp_tensor_fits_arena (rows, cols), NULL);

  /* The blocks of earlier recordings come first, then new ones. */
  if (current != NULL && current->next != NULL)
    arena_enter (self, current->next);
  else
    {
      Block *block = g_aligned_alloc (1, BLOCK_SIZE, BLOCK_SIZE);

      block->arena = self;
      block->next = NULL;
      poison_block (block);
      if (current != NULL)
        current->next = block;
      else
        self->first = block;
      arena_enter (self, block);
    }

  return bp_tensor_arena_alloc (self, rows, cols);
}

BpTensorArena *
bp_tensor_get_arena (const BpTensor *tensor)
{
  Block *block;

  if (tensor->ref_count != BP_TENSOR_ARENA_REF_COUNT)
    return NULL;

  block = (Block *) ((guintptr) tensor & ~(guintptr) (BLOCK_SIZE - 1));
  return block->arena;
}

BpTensor *
bp_tensor_copy (const BpTensor *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return bp_tensor_new_from_data (self->rows, self->cols, self->data);
}

gboolean
bp_tensor_is_scalar (const BpTensor *self)
{
  return self->rows == 1 && self->cols == 1;
}

gboolean
bp_tensor_same_shape (const BpTensor *a,
                      const BpTensor *b)
{
  return a->rows == b->rows && a->cols == b->cols;
}

void
bp_tensor_fill (BpTensor *self,
                double    value)
{
  gsize n = bp_tensor_n_elements (self);

  for (gsize i = 0; i < n; i++)
    self->data[i] = value;
}

gboolean
bp_tensor_equal (const BpTensor *a,
                 const BpTensor *b,
                 double          abs_tol,
                 double          rel_tol)
{
  gsize n;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (!bp_tensor_same_shape (a, b))
    return FALSE;

  n = bp_tensor_n_elements (a);
  for (gsize i = 0; i < n; i++)
    {
      double x = a->data[i];
      double y = b->data[i];
      double diff;

      if (isnan (x) || isnan (y))
        {
          if (isnan (x) && isnan (y))
            continue;
          return FALSE;
        }
      if (x == y) /* also equal infinities */
        continue;
      if (isinf (x) || isinf (y))
        return FALSE;

      diff = fabs (x - y);
      if (diff <= abs_tol)
        continue;
      if (diff <= rel_tol * MAX (fabs (x), fabs (y)))
        continue;
      return FALSE;
    }

  return TRUE;
}

char *
bp_tensor_shape_string (guint rows,
                        guint cols)
{
  return g_strdup_printf ("%u×%u", rows, cols);
}

/* The definition, with printf and strtod: slow. */
static gsize
format_exact_printf (double  value,
                     char   *buf)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, BP_FORMAT_EXACT_SIZE, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  return strlen (buf);
}

static const guint64 powers_of_10[] = {
  G_GUINT64_CONSTANT (1), G_GUINT64_CONSTANT (10), G_GUINT64_CONSTANT (100),
  G_GUINT64_CONSTANT (1000), G_GUINT64_CONSTANT (10000), G_GUINT64_CONSTANT (100000),
  G_GUINT64_CONSTANT (1000000), G_GUINT64_CONSTANT (10000000),
  G_GUINT64_CONSTANT (100000000), G_GUINT64_CONSTANT (1000000000),
  G_GUINT64_CONSTANT (10000000000), G_GUINT64_CONSTANT (100000000000),
  G_GUINT64_CONSTANT (1000000000000), G_GUINT64_CONSTANT (10000000000000),
  G_GUINT64_CONSTANT (100000000000000), G_GUINT64_CONSTANT (1000000000000000),
  G_GUINT64_CONSTANT (10000000000000000), G_GUINT64_CONSTANT (100000000000000000),
  G_GUINT64_CONSTANT (1000000000000000000),
};

/* How many decimal digits `n` (not zero, below 10^19) has. */
static inline int
count_digits (guint64 n)
{
  int bits = 64 - __builtin_clzll (n);
  int t = (bits * 1233) >> 12;   /* ⌊bits × log10 2⌋ */

  return t + 1 - (n < powers_of_10[t]);
}

/* Writes the 17 digits of `normal` (below 10^17, leading zeros kept) at
 * `p`: the first, then two words of eight. */
static inline void
put_17_digits (char    *p,
               guint64  normal)
{
  guint64 first = normal / G_GUINT64_CONSTANT (10000000000000000);
  guint64 rest = normal - first * G_GUINT64_CONSTANT (10000000000000000);
  guint32 high = (guint32) (rest / 100000000);
  guint32 low = (guint32) (rest - (guint64) high * 100000000);

  p[0] = (char) ('0' + first);
  bp_digits_16 (p + 1, high, low);
}

static const char digit_pairs[] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

/* Writes significand × 10^exponent (`n` digits, no trailing zeros, at
 * most 17) as %.<precision>g would: scientific when the decimal exponent
 * is below -4 or at least the precision. The digits are written 17 at a
 * time, padded with zeros on the right (what follows them is written
 * over, or is past the end), so no digit is copied twice but those after
 * a point. Every write stays within BP_FORMAT_EXACT_SIZE bytes of `buf`. */
static inline G_ALWAYS_INLINE gsize
write_g (char     *buf,
         gboolean  negative,
         guint64   significand,
         int       exponent,
         int       n,
         int       precision)
{
  guint64 normal = significand * powers_of_10[17 - n];
  int e = exponent + n - 1;   /* value = d.ddd × 10^e */
  char *p = buf;

  G_STATIC_ASSERT (BP_FORMAT_EXACT_SIZE >= 32);

  *p = '-';
  p += negative;

  if (e < -4 || e >= precision)
    {
      unsigned magnitude = (unsigned) ABS (e);

      /* d.ddd from buf + 1, 18 bytes at most. */
      put_17_digits (p + 1, normal);
      p[0] = p[1];
      p[1] = '.';
      p += n > 1 ? n + 1 : 1;
      p[0] = 'e';
      p[1] = e < 0 ? '-' : '+';
      p += 2;
      if (magnitude >= 100)
        {
          *p++ = (char) ('0' + magnitude / 100);
          magnitude %= 100;
        }
      memcpy (p, digit_pairs + 2 * magnitude, 2);
      p += 2;
    }
  else if (e >= 0)
    {
      int whole = e + 1;   /* at most the precision */

      /* 17 digits from buf + 1: the zeros of an integer are there. */
      put_17_digits (p, normal);
      if (n <= whole)
        p += whole;
      else
        {
          /* The fraction's digits move one place for the point: at most
           * 16 (at most 2 when whole is 15 or 16), to buf + 18 at most. */
          char moved[16];

          if (whole <= 14)
            {
              memcpy (moved, p + whole, 16);
              memcpy (p + whole + 1, moved, 16);
            }
          else
            {
              memcpy (moved, p + whole, 2);
              memcpy (p + whole + 1, moved, 2);
            }
          p[whole] = '.';
          p += n + 1;
        }
    }
  else
    {
      /* "0." and up to three zeros, then 17 digits from buf + 6. */
      memcpy (p, "0.000000", 8);
      p += 1 - e;
      put_17_digits (p, normal);
      p += n;
    }
  *p = '\0';

  return p - buf;
}

/* The `precision` digits of a subnormal, correctly rounded. */
static BpDecimal
subnormal_digits (double value,
                  int    precision)
{
  BpDecimal decimal = bp_dtoa_subnormal (value, precision);
  char digits[24];
  int n_digits, point;

  if (G_LIKELY (decimal.significand != 0))
    return decimal;
  n_digits = bp_dtoa_precision (value, precision, digits, &point);
  decimal.significand = 0;
  for (int i = 0; i < n_digits; i++)
    decimal.significand = decimal.significand * 10 + (digits[i] - '0');
  decimal.exponent = point - n_digits;
  return decimal;
}

static gboolean
reads_back (BpDecimal decimal,
            double    magnitude)
{
  char digits[24];
  int n = count_digits (decimal.significand);

  put_17_digits (digits, decimal.significand * powers_of_10[17 - n]);
  return bp_dtoa_read (digits, n, decimal.exponent + n) == magnitude;
}

/* A subnormal: its rounding interval is wide, so the 15 digits %.15g
 * gives are often more than the shortest. No tie is possible (its exact
 * decimal value has hundreds of digits), so correct rounding is what
 * printf gives. Below 1e-310 the 15 digits are finer than half the
 * spacing of subnormals (4.9e-324), so they read back without trying:
 * the tiny gradients at the start of a long chain. */
static G_NO_INLINE gsize
format_subnormal (double  value,
                  char   *buf)
{
  BpDecimal decimal;
  int precision;

  for (precision = 15; ; precision++)
    {
      decimal = subnormal_digits (value, precision);
      if (precision == 17 || fabs (value) < 1e-310 || reads_back (decimal, fabs (value)))
        break;
    }
  while (decimal.significand % 10 == 0)
    {
      decimal.significand /= 10;
      decimal.exponent++;
    }
  return write_g (buf, value < 0, decimal.significand, decimal.exponent,
                  count_digits (decimal.significand), precision);
}

/* The text files were always written with: the first of %.15g, %.16g,
 * %.17g that reads back exactly (%.17g always does). */
gsize
bp_format_exact (double  value,
                 char   *buf)
{
  guint64 bits, mantissa;
  guint biased;
  BpDecimal decimal;
  int n, precision;

  memcpy (&bits, &value, sizeof bits);
  mantissa = bits & G_GUINT64_CONSTANT (0xfffffffffffff);
  biased = (bits >> 52) & 0x7ff;

  /* Usually the shortest digits are that text: when they are at most 15,
   * %.15g gives them (a normal double's rounding interval is narrower
   * than half a unit of the 15th digit); 16 digits are what %.16g gives
   * unless the interval is lopsided (a power of two); 17 are what %.17g
   * gives. */
  if (G_LIKELY (biased - 1 < 0x7fe))
    {
      decimal = bp_dtoa_shortest (value);
      n = count_digits (decimal.significand);
      precision = MAX (n, 15);
      if (G_UNLIKELY (n == 16 && mantissa == 0))
        /* A power of two: its exact value may lie halfway between two
         * 16-digit numbers, and printf rounds such ties to even. */
        return format_exact_printf (value, buf);
      return write_g (buf, value < 0, decimal.significand, decimal.exponent, n, precision);
    }

  if (biased == 0x7ff)
    {
      if (mantissa != 0)
        return g_strlcpy (buf, "NaN", BP_FORMAT_EXACT_SIZE);
      return g_strlcpy (buf, value > 0 ? "Infinity" : "-Infinity", BP_FORMAT_EXACT_SIZE);
    }
  if (mantissa == 0)
    return g_strlcpy (buf, "0", BP_FORMAT_EXACT_SIZE);
  return format_subnormal (value, buf);
}

static char *
format_exact (double value)
{
  char buf[BP_FORMAT_EXACT_SIZE];

  bp_format_exact (value, buf);
  return g_strdup (buf);
}

char *
bp_format_number (double value,
                  int    digits)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean negative;

  if (digits == BP_FORMAT_EXACT)
    return format_exact (value);
  if (isnan (value))
    return g_strdup ("NaN");
  if (isinf (value))
    return g_strdup (value > 0 ? "∞" : "−∞");

  digits = CLAMP (digits, 1, 17);
  negative = value < 0;
  g_snprintf (buf, sizeof buf, "%.*g", digits, fabs (value));
  /* %g never uses a locale here: digits and '.' only, but be safe. */
  for (char *p = buf; *p; p++)
    if (*p == ',')
      *p = '.';

  if (negative && strcmp (buf, "0") != 0)
    return g_strconcat ("−", buf, NULL);
  return g_strdup (buf);
}

char *
bp_tensor_to_string (const BpTensor *self,
                     int             digits)
{
  GString *s;

  g_return_val_if_fail (self != NULL, NULL);

  if (bp_tensor_is_scalar (self))
    return bp_format_number (self->data[0], digits);

  s = g_string_new ("[");
  for (guint r = 0; r < self->rows; r++)
    {
      if (r > 0)
        g_string_append (s, ", ");
      g_string_append_c (s, '[');
      for (guint c = 0; c < self->cols; c++)
        {
          g_autofree char *num = bp_format_number (bp_tensor_get (self, r, c), digits);

          if (c > 0)
            g_string_append (s, ", ");
          g_string_append (s, num);
        }
      g_string_append_c (s, ']');
    }
  g_string_append_c (s, ']');

  return g_string_free (s, FALSE);
}

/* --- parsing --- */

typedef struct
{
  const char *text;
  const char *p;
} Parser;

static void
skip_space (Parser *parser)
{
  while (g_ascii_isspace (*parser->p))
    parser->p++;
}

static gboolean
parse_number (Parser  *parser,
              double  *value,
              GError **error)
{
  gboolean negative = FALSE;
  const char *start;
  char *end = NULL;

  skip_space (parser);
  start = parser->p;

  if (g_str_has_prefix (parser->p, "−"))
    {
      negative = TRUE;
      parser->p += strlen ("−");
    }
  else if (*parser->p == '-')
    {
      negative = TRUE;
      parser->p++;
    }
  else if (*parser->p == '+')
    parser->p++;

  if (g_str_has_prefix (parser->p, "∞"))
    {
      parser->p += strlen ("∞");
      *value = negative ? -INFINITY : INFINITY;
      return TRUE;
    }

  /* Only what a number can start with: g_ascii_strtod would also take
   * hexadecimal and a second sign. */
  if (!g_ascii_isdigit (*parser->p) && *parser->p != '.' &&
      g_ascii_strncasecmp (parser->p, "nan", 3) != 0 &&
      g_ascii_strncasecmp (parser->p, "inf", 3) != 0)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: a character position (1 = the first), then the text typed */
                   _("Expected a number at position %d of “%s”"),
                   (int) (start - parser->text) + 1, parser->text);
      return FALSE;
    }
  if (parser->p[0] == '0' && (parser->p[1] == 'x' || parser->p[1] == 'X'))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: a character position (1 = the first), then the text typed */
                   _("Expected a decimal number at position %d of “%s”"),
                   (int) (start - parser->text) + 1, parser->text);
      return FALSE;
    }

  *value = g_ascii_strtod (parser->p, &end);
  if (end == parser->p)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: a character position (1 = the first), then the text typed */
                   _("Expected a number at position %d of “%s”"),
                   (int) (start - parser->text) + 1, parser->text);
      return FALSE;
    }
  /* Only "inf" means ∞: a number too large for a double is a mistake. */
  if (isinf (*value) && g_ascii_strncasecmp (parser->p, "inf", 3) != 0)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the number as typed, a character position (1 = the
                    * first), then the whole text; keep “inf” as it is */
                   _("The number %.*s at position %d of “%s” is beyond ±1.8e308, the range of a double (type “inf” for ∞)"),
                   (int) (end - parser->p), parser->p,
                   (int) (start - parser->text) + 1, parser->text);
      return FALSE;
    }
  parser->p = end;
  if (negative)
    *value = -*value;

  return TRUE;
}

/* "[1, 2, 3]" into `values`; returns the count. */
static gboolean
parse_row (Parser  *parser,
           GArray  *values,
           guint   *n_cols,
           GError **error)
{
  guint n = 0;

  skip_space (parser);
  if (*parser->p != '[')
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: a character position (1 = the first), then the text typed */
                   _("Expected “[” at position %d of “%s”"),
                   (int) (parser->p - parser->text) + 1, parser->text);
      return FALSE;
    }
  parser->p++;

  for (;;)
    {
      double v;

      if (!parse_number (parser, &v, error))
        return FALSE;
      if (values->len >= BP_TENSOR_MAX_ELEMENTS)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                       _("A matrix may have at most %u numbers"), BP_TENSOR_MAX_ELEMENTS);
          return FALSE;
        }
      g_array_append_val (values, v);
      n++;

      skip_space (parser);
      if (*parser->p == ',')
        {
          parser->p++;
          continue;
        }
      if (*parser->p == ']')
        {
          parser->p++;
          break;
        }
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: a character position (1 = the first), then the text typed */
                   _("Expected “,” or “]” at position %d of “%s”"),
                   (int) (parser->p - parser->text) + 1, parser->text);
      return FALSE;
    }

  *n_cols = n;
  return TRUE;
}

BpTensor *
bp_tensor_parse (const char  *text,
                 GError     **error)
{
  Parser parser = { text, text };
  g_autoptr(GArray) values = NULL;
  guint rows = 0, cols = 0;

  g_return_val_if_fail (text != NULL, NULL);

  values = g_array_new (FALSE, FALSE, sizeof (double));
  skip_space (&parser);

  if (*parser.p != '[')
    {
      double v;

      if (!parse_number (&parser, &v, error))
        return NULL;
      skip_space (&parser);
      if (*parser.p != '\0')
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       /* Translators: the unexpected rest, then the whole text typed */
                       _("Unexpected “%s” after the number in “%s”"), parser.p, text);
          return NULL;
        }
      return bp_tensor_new_scalar (v);
    }

  /* "[[" is a matrix, "[" a single row. */
  {
    const char *q = parser.p + 1;

    while (g_ascii_isspace (*q))
      q++;

    if (*q != '[')
      {
        if (!parse_row (&parser, values, &cols, error))
          return NULL;
        rows = 1;
      }
    else
      {
        parser.p = q;
        for (;;)
          {
            guint n_cols = 0;

            if (!parse_row (&parser, values, &n_cols, error))
              return NULL;
            if (rows > 0 && n_cols != cols)
              {
                g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                             /* Translators: a row number, how many numbers it has,
                              * how many the first row has */
                             g_dngettext (GETTEXT_PACKAGE,
                                          "Row %u has %u number but row 1 has %u",
                                          "Row %u has %u numbers but row 1 has %u",
                                          n_cols),
                             rows + 1, n_cols, cols);
                return NULL;
              }
            cols = n_cols;
            rows++;

            skip_space (&parser);
            if (*parser.p == ',')
              {
                parser.p++;
                continue;
              }
            if (*parser.p == ']')
              {
                parser.p++;
                break;
              }
            g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                         /* Translators: a character position (1 = the first), then the text typed */
                         _("Expected “,” or “]” at position %d of “%s”"),
                         (int) (parser.p - text) + 1, text);
            return NULL;
          }
      }
  }

  skip_space (&parser);
  if (*parser.p != '\0')
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the unexpected rest, then the whole text typed */
                   _("Unexpected “%s” after the matrix in “%s”"), parser.p, text);
      return NULL;
    }

  return bp_tensor_new_from_data (rows, cols, (const double *) (gpointer) values->data);
}
