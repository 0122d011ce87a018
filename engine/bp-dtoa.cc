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
extern "C" int
bp_dtoa_shortest (double  value,
                  char   *digits,
                  int    *point)
{
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  auto decimal = fmt::detail::dragonbox::to_decimal (std::fabs (value));
  unsigned long long significand = decimal.significand;
  int exponent = decimal.exponent;
  char text[24];
  char *end = text + sizeof text, *p = end;

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
  /* Written from the end, two digits at a time. */
  while (significand >= 100)
    {
      unsigned r = (unsigned) (significand % 100);

      significand /= 100;
      p -= 2;
      p[0] = pairs[2 * r];
      p[1] = pairs[2 * r + 1];
    }
  if (significand >= 10)
    {
      p -= 2;
      p[0] = pairs[2 * significand];
      p[1] = pairs[2 * significand + 1];
    }
  else
    *--p = (char) ('0' + significand);
  memcpy (digits, p, end - p);
  /* value = DIGITS × 10^exponent = 0.DIGITS × 10^(exponent + length) */
  *point = exponent + (int) (end - p);
  return (int) (end - p);
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
