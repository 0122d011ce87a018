/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-diagram.h"

G_BEGIN_DECLS

typedef enum
{
  BP_EXPORT_SVG,
  BP_EXPORT_PNG,
  BP_EXPORT_PDF,
  BP_EXPORT_TIKZ,   /* .tex: a tikzpicture */
  BP_EXPORT_TEXT,   /* .txt: the graph and both passes in words (bp-describe.h) */
} BpExportFormat;

/* How to export; zero-initialise and set what you need. */
typedef struct
{
  double                   scale;      /* zoom, 0 for 1 */
  const char              *title;      /* the picture's title (SVG <title>, PDF
                                          metadata), or NULL */
  const cairo_rectangle_t *frame;      /* a fixed area to show, in diagram units
                                          (a margin is added), or NULL for the
                                          drawing's own bounds */
  gboolean                 fit_png;    /* a PNG over the size limit is scaled
                                          down to fit instead of refused */
  double                   used_scale; /* out: the scale used */
  const char *const       *headings;   /* a line over each picture (one per
                                          state), or NULL; needs `frame` */
} BpExportOptions;

/* The largest PNG side, in pixels. */
#define BP_EXPORT_PNG_MAX_SIDE 16384

/* From the file name's extension (.svg .png .pdf .tex .txt); FALSE with an
 * error otherwise. */
gboolean bp_export_format_from_path (const char *path, BpExportFormat *format, GError **error);
/* Draws the whole diagram (its bounds plus a margin) at `scale` to a file,
 * safely, as Save writes a document (bp_file_replace_contents(): a symbolic
 * link's target is replaced, read-only files and devices are refused, the
 * mode is kept, and the old file survives any failure). SVG is in pixel
 * units. */
gboolean bp_export_to_file          (BpDiagram            *diagram,
                                     BpTrace              *trace,
                                     const BpDiagramState *state,
                                     const char           *path,
                                     double                scale,
                                     GError              **error);

/* One picture per state: a PDF gets one page per state (a handout), the
 * other formats take exactly one state. SVG keeps every label a <text>
 * and each node a <g> with <title> and <desc>; .tex is a tikzpicture;
 * .txt is the text transcript of the whole graph and both passes
 * (bp_describe_transcript(): the state gives only the quiz blanks).
 * `options` may be NULL. Written as bp_export_to_file() writes. */
gboolean bp_export_states           (BpDiagram            *diagram,
                                     BpTrace              *trace,
                                     const BpDiagramState *states,
                                     guint                 n_states,
                                     const char           *path,
                                     BpExportOptions      *options,
                                     GError              **error);

/* The picture in memory, for the clipboard: SVG text (real <text>, as
 * the file), PNG bytes, or TikZ text; `format` BP_EXPORT_PDF is refused.
 * Honours options->scale, title, frame and fit_png like the files. */
GBytes  *bp_export_to_bytes         (BpDiagram            *diagram,
                                     BpTrace              *trace,
                                     const BpDiagramState *state,
                                     BpExportFormat        format,
                                     BpExportOptions      *options,
                                     GError              **error);

/* Every step of both passes, forward then backward (then the updates
 * of `state`, when it has a training iteration's), each in the same
 * fixed frame (the union of the bounds of every step: the same width,
 * height and view box throughout), numbered in a heading, the last step
 * of each pass highlighted. `path` ending in .pdf: one multi-page PDF, a
 * step per page (a handout); anything else is a folder (created when
 * missing) that receives step-01.svg, step-02.svg, … `state` gives the
 * look (dark, text scale, quiz blanks; may be NULL); `n_written` (may be
 * NULL) the number of steps written. */
gboolean bp_export_steps            (BpDiagram            *diagram,
                                     BpTrace              *trace,
                                     const BpDiagramState *state,
                                     const char           *path,
                                     BpExportOptions      *options,
                                     guint                *n_written,
                                     GError              **error);

G_END_DECLS
