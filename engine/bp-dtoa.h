/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The shortest decimal digits that read back as `value` (finite, not
 * zero; the sign is ignored), the closest to it when several are as
 * short: value = 0.DIGITS × 10^point. Writes at most 17 digits, no
 * terminator, and returns how many. Dragonbox, from {fmt}'s headers. */
int     bp_dtoa_shortest   (double      value,
                            char       *digits,
                            int        *point);
/* The `precision` (at most 17) significant digits of `value`, correctly
 * rounded, trailing zeros dropped; as bp_dtoa_shortest otherwise.
 * Debian's libdouble-conversion (Grisu3, with an exact bignum fallback),
 * as bp_dtoa_read is. */
int     bp_dtoa_precision  (double      value,
                            int         precision,
                            char       *digits,
                            int        *point);
/* As bp_dtoa_precision for a subnormal `value` and a precision of 15 to
 * 17, faster; -1 when it cannot tell the rounding (rarely) or `value`
 * is not a subnormal: then ask bp_dtoa_precision. */
int     bp_dtoa_subnormal  (double      value,
                            int         precision,
                            char       *digits,
                            int        *point);
/* The double closest to 0.DIGITS × 10^point (digits without sign). */
double  bp_dtoa_read       (const char *digits,
                            int         n_digits,
                            int         point);

G_END_DECLS
