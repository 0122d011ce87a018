/* SPDX-License-Identifier: MIT */
/* The one C++ file: a C face for libdouble-conversion, and for the
 * Dragonbox algorithm as {fmt} carries it. */
#include <cmath>
#include <cstring>

#include <double-conversion/double-to-string.h>
#include <double-conversion/strtod.h>
/* Header-only: Dragonbox's code and tables are compiled in here, and no
 * libfmt is loaded at start-up. */
#define FMT_HEADER_ONLY
/* Its whole table of powers of ten (10 KB), not every 27th with the rest
 * rebuilt by multiplying: 84 instead of 134 instructions per number. */
#define FMT_USE_FULL_CACHE_DRAGONBOX 1
#include <fmt/format.h>

#include "bp-dtoa.h"

using double_conversion::DoubleToStringConverter;

static int
to_ascii (double                            value,
          DoubleToStringConverter::DtoaMode mode,
          int                               precision,
          char                             *digits,
          int                              *point)
{
  /* DoubleToAscii writes a terminator after the digits. */
  char buffer[DoubleToStringConverter::kBase10MaximalLength + 2];
  bool sign;
  int length;

  DoubleToStringConverter::DoubleToAscii (value, mode, precision,
                                          buffer, sizeof buffer, &sign, &length, point);
  /* No trailing zeros, as %g shows none. */
  while (length > 1 && buffer[length - 1] == '0')
    length--;
  for (int i = 0; i < length; i++)
    digits[i] = buffer[i];
  return length;
}

/* Dragonbox finds the same digits as libdouble-conversion's shortest
 * mode (checked on tens of millions of doubles: random bits, powers of
 * two, short decimals, a chain's values), in about a fifth of the
 * instructions of Grisu3: a file of a 30,000-node graph has 60,000
 * numbers. It gives them as an integer with its trailing zeros removed
 * (it proves that only one of its steps can leave any, and removes them
 * there), which the caller writes (bp-tensor.c) in one pass. */
extern "C" __attribute__ ((flatten)) BpDecimal
bp_dtoa_shortest (double value)
{
  auto decimal = fmt::detail::dragonbox::to_decimal (std::fabs (value));
  BpDecimal result = { decimal.significand, decimal.exponent };

  return result;
}

/* 10^q × 2^-1074 in fixed point with 64 bits of fraction, rounded down
 * (⌊10^q / 2^1010⌋, as two 64-bit halves), for q from SUBNORMAL_Q_MIN:
 * the scale that brings a subnormal's significand to 15–17 digits. */
#define SUBNORMAL_Q_MIN 320
static const unsigned long long subnormal_scale[][2] = {
  { 0x0000000000000000ull, 0x0020610bca7cb338ull },   /* 320 */
  { 0x0000000000000000ull, 0x0143ca75e8df0038ull },   /* 321 */
  { 0x0000000000000000ull, 0x0ca5e89b18b60236ull },   /* 322 */
  { 0x0000000000000000ull, 0x7e7b160ef71c1621ull },   /* 323 */
  { 0x0000000000000004ull, 0xf0cedc95a718dd4bull },   /* 324 */
  { 0x0000000000000031ull, 0x68149dd886f8a4f1ull },   /* 325 */
  { 0x00000000000001eeull, 0x10ce2a7545b67171ull },   /* 326 */
  { 0x000000000000134cull, 0xa80da894b9206e6full },   /* 327 */
  { 0x000000000000c0feull, 0x908895cf3b44505full },   /* 328 */
  { 0x00000000000789f1ull, 0xa555da1850ab23b9ull },   /* 329 */
  { 0x00000000004b6370ull, 0x755a84f326af653cull },   /* 330 */
  { 0x0000000002f1e264ull, 0x9589317f82d9f459ull },   /* 331 */
  { 0x000000001d72d7edull, 0xd75beefb1c838b7aull },   /* 332 */
  { 0x00000001267c6f4aull, 0x699755cf1d2372c5ull },   /* 333 */
  { 0x0000000b80dc58e8ull, 0x1fe95a1723627bbbull },   /* 334 */
  { 0x00000073089b7911ull, 0x3f1d84e761d8d551ull },   /* 335 */
  { 0x0000047e5612baacull, 0x77273109d278552full },   /* 336 */
  { 0x00002cef5cbb4abcull, 0xa787ea6238b353d8ull },   /* 337 */
  { 0x0001c1599f50eb5eull, 0x8b4f27d637014677ull },   /* 338 */
  { 0x00118d80392931b1ull, 0x71178e5e260cc0a6ull },   /* 339 */
  { 0x00af87023b9bf0eeull, 0x6aeb8fad7c7f8680ull },   /* 340 */
  { 0x06db461654176950ull, 0x2d339cc6dcfb4107ull },   /* 341 */
  { 0x4490bcdf48ea1d21ull, 0xc4041fc4a1d08a46ull },   /* 342 */
};

/* The `precision` (15 to 17) digits of a subnormal, correctly rounded,
 * without libdouble-conversion's bignums: a subnormal is m × 2^-1074,
 * so its digits are m × 10^q × 2^-1074 rounded to an integer, and the
 * product with the table's scale is known within m units of 2^-64 —
 * enough to round, unless the fraction lies that close to ½ (or to a
 * carry): then a significand of 0, and the caller asks
 * bp_dtoa_precision(). No tie is possible: the exact value has hundreds
 * of digits. */
extern "C" BpDecimal
bp_dtoa_subnormal (double value,
                   int    precision)
{
  static const unsigned long long powers[] = {
    100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
  };
  const int n_scales = (int) (sizeof subnormal_scale / sizeof subnormal_scale[0]);
  BpDecimal none = { 0, 0 };
  unsigned long long bits, m, low, high;
  int e;

  memcpy (&bits, &value, sizeof bits);
  m = bits & ((1ull << 52) - 1);
  if (((bits >> 52) & 0x7ff) != 0 || m == 0 || precision < 15 || precision > 17)
    return none;
  low = powers[precision - 15];
  high = powers[precision - 14];
  /* ⌊log10 value⌋ is this or one more: value is at least 2^(bits - 1075)
   * for an m of `bits` bits, and ⌊x × log10 2⌋ is (x × 315653) >> 20 for
   * |x| up to 2620 (as Dragonbox computes it). */
  e = ((64 - __builtin_clzll (m) - 1075) * 315653) >> 20;

  for (int tries = 0; tries < 3; tries++)
    {
      int q = precision - 1 - e;
      unsigned __int128 a, b, whole;
      unsigned long long fraction, n;

      if (q < SUBNORMAL_Q_MIN || q >= SUBNORMAL_Q_MIN + n_scales)
        return none;
      a = (unsigned __int128) m * subnormal_scale[q - SUBNORMAL_Q_MIN][1];
      b = (unsigned __int128) m * subnormal_scale[q - SUBNORMAL_Q_MIN][0];
      whole = b + (a >> 64);
      fraction = (unsigned long long) a;
      if (whole >= high)
        {
          e++;
          continue;
        }
      if (whole < low)
        {
          e--;
          continue;
        }
      /* The exact fraction lies in [fraction, fraction + m) × 2^-64. */
      if (fraction > ~0ull - m)
        return none;
      n = (unsigned long long) whole;
      if (fraction >= 1ull << 63)
        n++;
      else if (fraction + m > 1ull << 63)
        return none;
      if (n == high)
        {
          n = low;
          e++;
        }

      /* value ≈ n × 10^(e - precision + 1), n of `precision` digits */
      BpDecimal result = { n, e - precision + 1 };
      return result;
    }
  return none;
}

extern "C" int
bp_dtoa_precision (double  value,
                   int     precision,
                   char   *digits,
                   int    *point)
{
  return to_ascii (value, DoubleToStringConverter::PRECISION, precision, digits, point);
}

extern "C" double
bp_dtoa_read (const char *digits,
              int         n_digits,
              int         point)
{
  return double_conversion::Strtod (double_conversion::Vector<const char> (digits, n_digits),
                                    point - n_digits);
}
