/* SPDX-License-Identifier: MIT */
/* The one C++ file: a C face for libdouble-conversion. */
#include <double-conversion/double-to-string.h>
#include <double-conversion/strtod.h>

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

extern "C" int
bp_dtoa_shortest (double  value,
                  char   *digits,
                  int    *point)
{
  return to_ascii (value, DoubleToStringConverter::SHORTEST, 0, digits, point);
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
