/* SPDX-License-Identifier: MIT */
#include "bp-error.h"

G_DEFINE_QUARK (bp-error-quark, bp_error)
