/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A decimal: value ≈ significand × 10^exponent. */
typedef struct
{
  guint64 significand;
  int     exponent;
} BpDecimal;

/* The shortest decimal that reads back as `value` (finite, not zero;
 * the sign is ignored), the closest to it when several are as short,
 * with no trailing zeros: at most 17 digits. Dragonbox, from {fmt}'s
 * headers. */
BpDecimal bp_dtoa_shortest  (double      value);
/* The `precision` (at most 17) significant digits of `value` (finite,
 * not zero; the sign is ignored), correctly rounded, trailing zeros
 * dropped: value ≈ 0.DIGITS × 10^point. Writes the digits without a
 * terminator and returns how many. Debian's libdouble-conversion (Grisu3, with an exact bignum fallback),
 * as bp_dtoa_read is. */
int     bp_dtoa_precision  (double      value,
                            int         precision,
                            char       *digits,
                            int        *point);
/* The `precision` (15 to 17) significant digits of a subnormal
 * `value`, correctly rounded, as an integer of exactly that many digits
 * (trailing zeros kept); faster than bp_dtoa_precision. A significand
 * of 0 when it cannot tell the rounding (rarely) or `value` is not a
 * subnormal: then ask bp_dtoa_precision. */
BpDecimal bp_dtoa_subnormal (double      value,
                             int         precision);
/* The double closest to 0.DIGITS × 10^point (digits without sign). */
double  bp_dtoa_read       (const char *digits,
                            int         n_digits,
                            int         point);

G_END_DECLS
