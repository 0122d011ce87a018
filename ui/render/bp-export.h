/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-diagram.h"

G_BEGIN_DECLS

typedef enum
{
  BP_EXPORT_SVG,
  BP_EXPORT_PNG,
  BP_EXPORT_PDF,
} BpExportFormat;

/* From the file name's extension; FALSE with an error otherwise. */
gboolean bp_export_format_from_path (const char *path, BpExportFormat *format, GError **error);
/* Draws the whole diagram (its bounds plus a margin) at `scale` to a file,
 * atomically. SVG is in pixel units. */
gboolean bp_export_to_file          (BpDiagram            *diagram,
                                     BpTrace              *trace,
                                     const BpDiagramState *state,
                                     const char           *path,
                                     double                scale,
                                     GError              **error);

G_END_DECLS
