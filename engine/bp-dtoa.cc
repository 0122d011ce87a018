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
 * numbers. */
static const char pairs[] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

static inline void
write_pair (char     *p,
            unsigned  r)
{
  memcpy (p, pairs + 2 * r, 2);
}

/* Exactly eight digits of `n` (below 10^8), with 32-bit arithmetic. */
static inline void
write_8 (char     *p,
         unsigned  n)
{
  unsigned a = n / 10000, b = n % 10000;

  write_pair (p, a / 100);
  write_pair (p + 2, a % 100);
  write_pair (p + 4, b / 100);
  write_pair (p + 6, b % 100);
}

/* How many decimal digits `n` (not zero, below 10^19) has. */
static inline int
count_digits (unsigned long long n)
{
  static const unsigned long long powers[] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
    10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull,
  };
  int bits = 64 - __builtin_clzll (n);
  int t = (bits * 1233) >> 12;   /* ⌊bits × log10 2⌋ */

  return t + 1 - (n < powers[t]);
}

/* Dragonbox finds the same digits as libdouble-conversion's shortest
 * mode (checked on tens of millions of doubles: random bits, powers of
 * two, short decimals, a chain's values), in about a fifth of the
 * instructions of Grisu3: a file of a 30,000-node graph has 60,000
 * numbers. The digits are written straight into place, eight at a time
 * with 32-bit arithmetic. */
extern "C" int
bp_dtoa_shortest (double  value,
                  char   *digits,
                  int    *point)
{
  auto decimal = fmt::detail::dragonbox::to_decimal (std::fabs (value));
  unsigned long long significand = decimal.significand;
  int exponent = decimal.exponent;
  int length;
  char *p;

  if (significand == 0)
    {
      digits[0] = '0';
      *point = 1;
      return 1;
    }
  /* No trailing zeros, as %g shows none. */
  while (significand % 10 == 0)
    {
      significand /= 10;
      exponent++;
    }
  length = count_digits (significand);
  p = digits + length;
  /* Written from the end. */
  while (significand >= 100000000)
    {
      p -= 8;
      write_8 (p, (unsigned) (significand % 100000000));
      significand /= 100000000;
    }
  {
    unsigned rest = (unsigned) significand;

    while (rest >= 100)
      {
        p -= 2;
        write_pair (p, rest % 100);
        rest /= 100;
      }
    if (rest >= 10)
      write_pair (p - 2, rest);
    else
      p[-1] = (char) ('0' + rest);
  }
  /* value = DIGITS × 10^exponent = 0.DIGITS × 10^(exponent + length) */
  *point = exponent + length;
  return length;
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
