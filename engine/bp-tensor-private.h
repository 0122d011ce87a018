/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-tensor.h"

G_BEGIN_DECLS

/* For kernels that overwrite every element anyway. */
BpTensor *bp_tensor_new_uninit (guint rows, guint cols);

static inline int
bp_tensor_get_ref_count (const BpTensor *self) { return self->ref_count; }

G_END_DECLS
