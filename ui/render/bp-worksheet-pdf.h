/* SPDX-License-Identifier: MIT */
#pragma once

#include <cairo.h>
#include "bp-worksheet.h"

G_BEGIN_DECLS

/* A worksheet on paper: one page per variant, its diagram drawn by the
 * diagram renderer with the blanks empty and numbered, and the answer
 * lines below; then one answer key page per variant, the same diagram
 * with every number and the numbered answers. A4 landscape. */

#define BP_WORKSHEET_PAGE_WIDTH  841.89  /* points: A4 landscape */
#define BP_WORKSHEET_PAGE_HEIGHT 595.28

/* 2 × the number of variants: the sheets, then the keys. */
guint     bp_worksheet_pdf_get_n_pages (BpWorksheet *worksheet);
/* TRUE for the pages of the answer key. */
gboolean  bp_worksheet_pdf_is_key_page (BpWorksheet *worksheet, guint page);
/* Draws one page onto `cr` (its origin at the page's top left, in
 * points); a print operation can call it page by page. Lays out the
 * nodes that have no position first. */
void      bp_worksheet_pdf_draw_page   (BpWorksheet *worksheet,
                                        cairo_t     *cr,
                                        guint        page,
                                        double       width,
                                        double       height);
/* Writes every page to a PDF, atomically; `n_pages` (may be NULL) gets
 * the number of pages written. */
gboolean  bp_worksheet_pdf_write       (BpWorksheet  *worksheet,
                                        const char   *path,
                                        guint        *n_pages,
                                        GError      **error);

/* By the file name: “.pdf” writes the pages above, “.xml” the Moodle XML
 * (bp_worksheet_save_moodle_xml()); any other name is a BP_ERROR_IO
 * error saying so. For the application's Worksheet… dialog. */
gboolean  bp_worksheet_write_file      (BpWorksheet  *worksheet,
                                        const char   *path,
                                        GError      **error);

G_END_DECLS
