/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-diagram.h"

G_BEGIN_DECLS

/* A small picture of a graph, as the examples gallery shows it: laid
 * out where the file leaves positions out, after a forward pass (the
 * values stand on the arrows; matrices too small to read become chips),
 * fitted and centred in width × height device pixels on the page colour.
 * `device_scale` is device pixels per logical pixel (2 on HiDPI): the
 * text is sized for width / device_scale logical pixels. A graph that
 * cannot be computed is drawn without numbers. The graph's positions
 * may be filled in. Returns an image surface (CAIRO_FORMAT_ARGB32), or
 * NULL with an error when the size is not between 1 and 4096. */
cairo_surface_t *bp_thumbnail_render (BpGraph  *graph,
                                      int       width,
                                      int       height,
                                      double    device_scale,
                                      gboolean  dark,
                                      GError  **error);

G_END_DECLS
