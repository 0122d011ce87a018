/* SPDX-License-Identifier: MIT */
#pragma once

#include <cairo.h>
#include "bp-train.h"

G_BEGIN_DECLS

/* Training plots on any cairo_t (a widget's snapshot, PNG, PDF): the loss
 * per iteration with its smoothed curve, train and test accuracy per
 * epoch, and the decision boundary of a net trained on a 2-D set. Axes,
 * ticks and labels as in the book's figures; labels are translated. No
 * GTK: the Train view, the CLI and the tests draw the same pictures. */

typedef struct
{
  gboolean dark;         /* light text on a dark background */
  double   text_scale;   /* 1 at normal size */
} BpPlotStyle;

#define BP_PLOT_STYLE_INIT { FALSE, 1.0 }

/* Exponential moving average the smoothed loss uses (α = 2/(span + 1)),
 * written into `out` (n values). */
void  bp_plot_smooth          (const double *values, guint n, guint span, double *out);

/* `losses[0]` is iteration `first_iteration` + 1. */
void  bp_plot_draw_loss       (cairo_t           *cr,
                               double             width,
                               double             height,
                               const double      *losses,
                               guint              n_losses,
                               guint64            first_iteration,
                               const BpPlotStyle *style);
void  bp_plot_draw_accuracy   (cairo_t            *cr,
                               double              width,
                               double              height,
                               const BpTrainEpoch *epochs,
                               guint               n_epochs,
                               guint               iterations_per_epoch,
                               const BpPlotStyle  *style);

/* What the net predicts over the plane of a 2-D set, and the set's
 * points: computed where the trainer lives (it runs the net), drawn
 * anywhere (immutable). */
typedef struct _BpPlotBoundary BpPlotBoundary;

BpPlotBoundary *bp_plot_boundary_new   (BpTrainer *trainer,
                                        guint      resolution,
                                        GError   **error);
void            bp_plot_boundary_free  (BpPlotBoundary *self);
/* Share of the grid predicted as class 1 (for tests). */
double          bp_plot_boundary_get_class1_share (const BpPlotBoundary *self);
void            bp_plot_draw_boundary  (cairo_t              *cr,
                                        double                width,
                                        double                height,
                                        const BpPlotBoundary *boundary,
                                        const BpPlotStyle    *style);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpPlotBoundary, bp_plot_boundary_free)

G_END_DECLS
