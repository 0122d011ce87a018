/* SPDX-License-Identifier: MIT */
/* Decimal digits of an integer, many at a time, for the exact number
 * text (bp_format_exact): a file of a 30,000-node graph has 60,000
 * numbers of 15 to 17 digits, and a digit at a time (a division each)
 * was a third of their cost. */
#pragma once

#include <string.h>
#include <glib.h>

#ifdef __SSE2__
# include <emmintrin.h>
#endif

G_BEGIN_DECLS

/* The eight digits of `n` (below 10^8, leading zeros kept) as ASCII, in
 * the order they are stored: worked out side by side in the lanes of one
 * 64-bit word (two lanes below 10^4, then four below 100, then eight
 * digits), with multiplications that divide exactly in these ranges:
 * ⌊v × 10486 / 2^20⌋ = ⌊v / 100⌋ for v below 10^4, ⌊w × 103 / 2^10⌋ =
 * ⌊w / 10⌋ for w below 100. */
static inline guint64
bp_digits_8_swar (guint32 n)
{
  guint64 x = (n / 10000) | ((guint64) (n % 10000) << 32);
  guint64 q;

  q = ((x * 10486) >> 20) & G_GUINT64_CONSTANT (0x0000007f0000007f);
  x = q | ((x - q * 100) << 16);
  q = ((x * 103) >> 10) & G_GUINT64_CONSTANT (0x000f000f000f000f);
  x = q | ((x - q * 10) << 8);
  x += G_GUINT64_CONSTANT (0x3030303030303030);
  /* The first digit is the lowest byte. */
  return GUINT64_TO_LE (x);
}

/* Writes the 16 digits of high × 10^8 + low (each below 10^8, leading
 * zeros kept) at `p`. */
static inline void
bp_digits_16_swar (char    *p,
                   guint32  high,
                   guint32  low)
{
  guint64 words[2] = { bp_digits_8_swar (high), bp_digits_8_swar (low) };

  memcpy (p, words, 16);
}

#ifdef __SSE2__
/* Four 16-bit lanes of 4 × v each (v below 10^4) to the digits of v, one
 * per lane, first digit in the lowest: ⌊v / 1000⌋, ⌊v / 100⌋, ⌊v / 10⌋,
 * v by multiplications that keep the high half, then each less ten times
 * the one before. */
static inline __m128i
bp_digits_4x2_sse2 (__m128i v)
{
  const __m128i div_powers = _mm_setr_epi16 (8389, 5243, 13108, (short) 32768,
                                             8389, 5243, 13108, (short) 32768);
  const __m128i shift_powers = _mm_setr_epi16 (1 << 7, 1 << 11, 1 << 13, (short) (1 << 15),
                                               1 << 7, 1 << 11, 1 << 13, (short) (1 << 15));
  __m128i quotients = _mm_mulhi_epu16 (_mm_mulhi_epu16 (v, div_powers), shift_powers);
  __m128i tens = _mm_slli_epi64 (_mm_mullo_epi16 (quotients, _mm_set1_epi16 (10)), 16);

  return _mm_sub_epi16 (quotients, tens);
}

/* As bp_digits_16_swar, in the lanes of SSE2 registers: both halves at
 * once, about half the instructions. */
static inline void
bp_digits_16_sse2 (char    *p,
                   guint32  high,
                   guint32  low)
{
  __m128i v = _mm_set_epi64x (low, high);
  /* ⌊v / 10^4⌋ = v × ⌈2^45 / 10^4⌉ / 2^45 for v below 10^8. */
  __m128i upper = _mm_srli_epi64 (_mm_mul_epu32 (v, _mm_set1_epi32 ((int) 0xd1b71759)), 45);
  __m128i lower = _mm_sub_epi32 (v, _mm_mul_epu32 (upper, _mm_set1_epi32 (10000)));
  /* 32-bit lanes: high's upper and lower four digits, then low's; as
   * 16-bit lanes, times 4 (below 2^16), each four times. */
  __m128i quads = _mm_or_si128 (upper, _mm_slli_epi64 (lower, 32));
  __m128i pairs;

  quads = _mm_slli_epi16 (_mm_packs_epi32 (quads, quads), 2);
  pairs = _mm_unpacklo_epi16 (quads, quads);
  _mm_storeu_si128 ((__m128i *) p,
                    _mm_add_epi8 (_mm_packus_epi16 (bp_digits_4x2_sse2 (_mm_unpacklo_epi32 (pairs, pairs)),
                                                    bp_digits_4x2_sse2 (_mm_unpackhi_epi32 (pairs, pairs))),
                                  _mm_set1_epi8 ('0')));
}
#endif

/* The fastest of the two this machine has. */
static inline void
bp_digits_16 (char    *p,
              guint32  high,
              guint32  low)
{
#ifdef __SSE2__
  bp_digits_16_sse2 (p, high, low);
#else
  bp_digits_16_swar (p, high, low);
#endif
}

G_END_DECLS
