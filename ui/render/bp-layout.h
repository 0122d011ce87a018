/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-diagram.h"

G_BEGIN_DECLS

/* Left-to-right layered layout with Graphviz dot. Sets every node's
 * position (or only the missing ones when `only_missing`). The node sizes
 * come from the diagram so that nothing overlaps. */
gboolean bp_layout_arrange (BpDiagram *diagram, gboolean only_missing, GError **error);

G_END_DECLS
