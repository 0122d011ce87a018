/* SPDX-License-Identifier: MIT */
/* Loss and accuracy curves and the decision boundary, with Cairo and
 * Pango only. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <pango/pangocairo.h>

#include "bp-plot.h"

#define FONT_FAMILY "Cantarell, Noto Sans, DejaVu Sans, Noto Sans CJK KR, sans-serif"
#define FONT_SIZE   11.0
#define MAX_TICKS   6

typedef struct { double r, g, b; } Rgb;

/* The diagram's two colours: values (blue) and gradients (orange), so
 * that the loss, what backward starts from, has the gradients' colour. */
static const Rgb train_light = { 0.11, 0.39, 0.75 };
static const Rgb test_light  = { 0.85, 0.40, 0.05 };
static const Rgb train_dark  = { 0.45, 0.66, 0.98 };
static const Rgb test_dark   = { 1.00, 0.64, 0.30 };

typedef struct
{
  cairo_t           *cr;
  const BpPlotStyle *style;
  double             left, top, right, bottom;   /* the plot area */
  double             x0, x1, y0, y1;             /* data ranges */
} Frame;

static void
set_rgb (cairo_t   *cr,
         const Rgb *c,
         double     alpha)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, alpha);
}

static void
set_ink (const Frame *f,
         double       alpha)
{
  if (f->style->dark)
    cairo_set_source_rgba (f->cr, 1, 1, 1, alpha);
  else
    cairo_set_source_rgba (f->cr, 0, 0, 0, alpha);
}

static const Rgb *
series_colour (const BpPlotStyle *style,
               guint              series)
{
  if (series == 0)
    return style->dark ? &train_dark : &train_light;
  return style->dark ? &test_dark : &test_light;
}

/* Text with its anchor: ax, ay in 0 … 1 of the text's box. */
static void
draw_text (const Frame *f,
           const char  *text,
           double       x,
           double       y,
           double       ax,
           double       ay,
           gboolean     vertical)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (f->cr);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);
  int w, h;

  pango_font_description_set_absolute_size (font, FONT_SIZE * f->style->text_scale * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);

  cairo_save (f->cr);
  cairo_translate (f->cr, x, y);
  if (vertical)
    cairo_rotate (f->cr, -G_PI / 2);
  cairo_move_to (f->cr, -ax * w, -ay * h);
  pango_cairo_show_layout (f->cr, layout);
  cairo_restore (f->cr);
}

/* A step of 1, 2 or 5 × 10ⁿ giving at most MAX_TICKS ticks. */
static double
nice_step (double span)
{
  double raw = span / MAX_TICKS, p, m;

  if (!(raw > 0) || !isfinite (raw))
    return 1;
  p = pow (10, floor (log10 (raw)));
  m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static double
px (const Frame *f,
    double       x)
{
  return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left);
}

static double
py (const Frame *f,
    double       y)
{
  return f->bottom - (y - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top);
}

static void
format_tick (char   *buffer,
             gsize   size,
             double  value,
             double  step,
             gboolean percent)
{
  int decimals = step >= 1 ? 0 : (int) ceil (-log10 (step) - 1e-9);

  if (percent)
    g_snprintf (buffer, size, "%.*f %%", MAX (decimals - 2, 0), 100 * value);
  else
    g_snprintf (buffer, size, "%.*f", decimals, value);
}

/* Margins, background, grid, ticks and axis titles. */
static void
draw_axes (Frame      *f,
           double      width,
           double      height,
           const char *x_title,
           const char *y_title,
           gboolean    percent)
{
  double s = f->style->text_scale;
  double step;
  char label[64];

  f->left = 58 * s;
  f->right = width - 14 * s;
  f->top = 12 * s;
  f->bottom = height - 40 * s;

  cairo_save (f->cr);
  cairo_set_line_width (f->cr, 1);

  /* Grid and y ticks. */
  step = nice_step (f->y1 - f->y0);
  for (double y = ceil (f->y0 / step) * step; y <= f->y1 + step * 1e-9; y += step)
    {
      double yy = round (py (f, y)) + 0.5;

      set_ink (f, 0.12);
      cairo_move_to (f->cr, f->left, yy);
      cairo_line_to (f->cr, f->right, yy);
      cairo_stroke (f->cr);
      set_ink (f, 0.75);
      format_tick (label, sizeof label, y, step, percent);
      draw_text (f, label, f->left - 6 * s, yy, 1, 0.5, FALSE);
    }

  step = nice_step (f->x1 - f->x0);
  step = MAX (step, 1);
  for (double x = ceil (f->x0 / step) * step; x <= f->x1 + step * 1e-9; x += step)
    {
      double xx = round (px (f, x)) + 0.5;

      set_ink (f, 0.12);
      cairo_move_to (f->cr, xx, f->top);
      cairo_line_to (f->cr, xx, f->bottom);
      cairo_stroke (f->cr);
      set_ink (f, 0.75);
      format_tick (label, sizeof label, x, step, FALSE);
      draw_text (f, label, xx, f->bottom + 4 * s, 0.5, 0, FALSE);
    }

  /* The axes themselves. */
  set_ink (f, 0.8);
  cairo_move_to (f->cr, f->left + 0.5, f->top);
  cairo_line_to (f->cr, f->left + 0.5, f->bottom + 0.5);
  cairo_line_to (f->cr, f->right, f->bottom + 0.5);
  cairo_stroke (f->cr);

  draw_text (f, x_title, (f->left + f->right) / 2, height - 2 * s, 0.5, 1, FALSE);
  draw_text (f, y_title, 2 * s, (f->top + f->bottom) / 2, 0.5, 0, TRUE);
  cairo_restore (f->cr);
}

/* A legend box in a corner of the plot area (top or bottom right). */
static void
draw_legend (const Frame       *f,
             const char *const *names,
             const Rgb *const  *colours,
             const double      *alphas,
             guint              n,
             gboolean           bottom)
{
  double s = f->style->text_scale;
  double line = 18 * s, swatch = 22 * s, pad = 8 * s;
  double text_w = 0, box_w, box_h, x, y;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PangoLayout) layout = pango_cairo_create_layout (f->cr);
      PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);
      int w, h;

      pango_font_description_set_absolute_size (font, FONT_SIZE * s * PANGO_SCALE);
      pango_layout_set_font_description (layout, font);
      pango_font_description_free (font);
      pango_layout_set_text (layout, names[i], -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      text_w = MAX (text_w, w);
    }
  box_w = pad + swatch + 6 * s + text_w + pad;
  box_h = n * line + pad;
  x = f->right - 8 * s - box_w;
  y = bottom ? f->bottom - 8 * s - box_h : f->top + 8 * s;

  cairo_save (f->cr);
  if (f->style->dark)
    cairo_set_source_rgba (f->cr, 0.1, 0.1, 0.1, 0.85);
  else
    cairo_set_source_rgba (f->cr, 1, 1, 1, 0.85);
  cairo_rectangle (f->cr, x, y, box_w, box_h);
  cairo_fill (f->cr);
  for (guint i = 0; i < n; i++)
    {
      double cy = y + pad / 2 + (i + 0.5) * line;

      set_rgb (f->cr, colours[i], alphas[i]);
      cairo_set_line_width (f->cr, 2.5 * s);
      cairo_move_to (f->cr, x + pad, cy);
      cairo_line_to (f->cr, x + pad + swatch, cy);
      cairo_stroke (f->cr);
      set_ink (f, 0.85);
      draw_text (f, names[i], x + pad + swatch + 6 * s, cy, 0, 0.5, FALSE);
    }
  cairo_restore (f->cr);
}

static void
draw_message (cairo_t           *cr,
              double             width,
              double             height,
              const BpPlotStyle *style,
              const char        *text)
{
  Frame f = { .cr = cr, .style = style };

  set_ink (&f, 0.55);
  draw_text (&f, text, width / 2, height / 2, 0.5, 0.5, FALSE);
}

void
bp_plot_smooth (const double *values,
                guint         n,
                guint         span,
                double       *out)
{
  double alpha = 2.0 / (MAX (span, 1) + 1.0), avg = 0;

  for (guint i = 0; i < n; i++)
    {
      /* Non-finite losses (a diverged run) do not poison the average. */
      double v = isfinite (values[i]) ? values[i] : avg;

      avg = i == 0 ? v : avg + alpha * (v - avg);
      out[i] = avg;
    }
}

void
bp_plot_draw_loss (cairo_t           *cr,
                   double             width,
                   double             height,
                   const double      *losses,
                   guint              n_losses,
                   guint64            first_iteration,
                   const BpPlotStyle *style)
{
  static const BpPlotStyle default_style = BP_PLOT_STYLE_INIT;
  Frame f = { .cr = cr };
  g_autofree double *smooth = NULL;
  const char *names[2];
  const Rgb *colours[2];
  const double alphas[2] = { 0.3, 1.0 };
  double top = 0;
  guint stride, buckets;

  f.style = style != NULL ? style : &default_style;
  if (n_losses == 0)
    {
      draw_message (cr, width, height, f.style, _("The loss appears here while the network trains"));
      return;
    }

  smooth = g_new (double, n_losses);
  bp_plot_smooth (losses, n_losses, MAX (n_losses / 50, 10u), smooth);
  for (guint i = 0; i < n_losses; i++)
    if (isfinite (losses[i]) && losses[i] > top)
      top = losses[i];

  f.x0 = first_iteration;
  f.x1 = first_iteration + MAX (n_losses, 2u);
  f.y0 = 0;
  f.y1 = top > 0 ? top * 1.05 : 1;
  draw_axes (&f, width, height, _("Iteration"), _("Loss"), FALSE);

  cairo_save (cr);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  /* Redrawn many times a second while a net trains, over as many as a
   * million iterations: the iterations go into buckets of about two
   * pixels, each drawn as the range of its losses (a pale band, one
   * filled path), and the smoothed curve has a point per bucket. */
  buckets = MAX (1u, (guint) ((f.right - f.left) / 2));
  stride = MAX (1u, (n_losses + buckets - 1) / buckets);
  set_rgb (cr, series_colour (f.style, 0), alphas[0]);
  cairo_set_line_width (cr, 1);
  if (stride == 1)
    {
      for (guint i = 0; i < n_losses; i++)
        if (isfinite (losses[i]))
          cairo_line_to (cr, px (&f, first_iteration + i + 1), py (&f, losses[i]));
      cairo_stroke (cr);
    }
  else
    {
      guint n_buckets = (n_losses + stride - 1) / stride;
      g_autofree double *lo = g_new (double, n_buckets);
      g_autofree double *hi = g_new (double, n_buckets);
      g_autofree double *mid = g_new (double, n_buckets);

      for (guint b = 0; b < n_buckets; b++)
        {
          guint end = MIN ((b + 1) * stride, n_losses);

          lo[b] = INFINITY;
          hi[b] = -INFINITY;
          for (guint k = b * stride; k < end; k++)
            if (isfinite (losses[k]))
              {
                lo[b] = MIN (lo[b], losses[k]);
                hi[b] = MAX (hi[b], losses[k]);
              }
          mid[b] = first_iteration + (b * stride + end) / 2.0 + 0.5;
        }
      for (guint b = 0; b < n_buckets; b++)
        if (isfinite (hi[b]))
          cairo_line_to (cr, px (&f, mid[b]), py (&f, hi[b]));
      for (guint b = n_buckets; b-- > 0;)
        if (isfinite (lo[b]))
          cairo_line_to (cr, px (&f, mid[b]), py (&f, lo[b]));
      cairo_close_path (cr);
      cairo_fill_preserve (cr);
      cairo_stroke (cr);
    }

  set_rgb (cr, series_colour (f.style, 0), alphas[1]);
  cairo_set_line_width (cr, 2.5 * f.style->text_scale);
  for (guint i = 0; i < n_losses; i += stride)
    cairo_line_to (cr, px (&f, first_iteration + i + 1), py (&f, smooth[i]));
  cairo_line_to (cr, px (&f, first_iteration + n_losses), py (&f, smooth[n_losses - 1]));
  cairo_stroke (cr);
  cairo_restore (cr);

  names[0] = _("per iteration");
  names[1] = _("smoothed");
  colours[0] = colours[1] = series_colour (f.style, 0);
  draw_legend (&f, names, colours, alphas, 2, FALSE);
}

/* Every stride-th index, and the last one. */
static guint
next_index (guint i,
            guint stride,
            guint n)
{
  if (i + 1 >= n)
    return n;
  return MIN (i + stride, n - 1);
}

void
bp_plot_draw_accuracy (cairo_t            *cr,
                       double              width,
                       double              height,
                       const BpTrainEpoch *epochs,
                       guint               n_epochs,
                       guint               iterations_per_epoch,
                       const BpPlotStyle  *style)
{
  static const BpPlotStyle default_style = BP_PLOT_STYLE_INIT;
  Frame f = { .cr = cr };
  const char *names[2];
  const Rgb *colours[2];
  const double alphas[2] = { 1.0, 1.0 };
  double low = 1, plot_w;
  guint stride;
  gboolean markers;

  f.style = style != NULL ? style : &default_style;
  if (n_epochs == 0)
    {
      draw_message (cr, width, height, f.style, _("Accuracy appears here after each epoch"));
      return;
    }

  for (guint i = 0; i < n_epochs; i++)
    low = MIN (low, MIN (epochs[i].train_accuracy, epochs[i].test_accuracy));
  /* From a round tenth under the lowest value up to 100 %. */
  f.y0 = MAX (0, floor (low * 10 - 0.5) / 10);
  f.y1 = 1;
  f.x0 = 0;
  f.x1 = MAX (n_epochs, 1u);
  draw_axes (&f, width, height, _("Epoch"), _("Accuracy"), TRUE);

  /* A small set's epochs come by the thousand: a path of a point every
   * two pixels or so (the last always), and a marker per epoch
   * only while they stand apart, so that a frame stays cheap. */
  plot_w = MAX (f.right - f.left, 1);
  stride = MAX (1u, (guint) (n_epochs / (plot_w / 2)));
  markers = n_epochs * 8.0 * f.style->text_scale <= plot_w;

  cairo_save (cr);
  for (guint series = 0; series < 2; series++)
    {
      set_rgb (cr, series_colour (f.style, series), alphas[series]);
      cairo_set_line_width (cr, 2.5 * f.style->text_scale);
      cairo_new_path (cr);
      for (guint i = 0; i < n_epochs; i = next_index (i, stride, n_epochs))
        {
          double a = series == 0 ? epochs[i].train_accuracy : epochs[i].test_accuracy;
          double e = iterations_per_epoch > 0 ? (double) epochs[i].iteration / iterations_per_epoch : i + 1;

          cairo_line_to (cr, px (&f, e), py (&f, a));
        }
      cairo_stroke (cr);
      for (guint i = 0; markers && i < n_epochs; i++)
        {
          double a = series == 0 ? epochs[i].train_accuracy : epochs[i].test_accuracy;
          double e = iterations_per_epoch > 0 ? (double) epochs[i].iteration / iterations_per_epoch : i + 1;

          cairo_new_sub_path (cr);
          cairo_arc (cr, px (&f, e), py (&f, a), 3 * f.style->text_scale, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);

  names[0] = _("train");
  names[1] = _("test");
  colours[0] = series_colour (f.style, 0);
  colours[1] = series_colour (f.style, 1);
  /* Accuracy climbs to the top right: the legend goes below. */
  draw_legend (&f, names, colours, alphas, 2, TRUE);
}

/* --- decision boundary --- */

struct _BpPlotBoundary
{
  guint   resolution;
  double  x0, x1, y0, y1;
  double *p1;          /* resolution² values, row 0 at the top */
  guint   n_points;
  double *points;      /* x, y pairs */
  guint8 *labels;
};

BpPlotBoundary *
bp_plot_boundary_new (BpTrainer  *trainer,
                      guint       resolution,
                      GError    **error)
{
  BpDataset *data = bp_trainer_get_dataset (trainer);
  g_autoptr(BpPlotBoundary) self = NULL;
  g_autoptr(BpTensor) grid = NULL;
  g_autofree guint *classes = NULL;
  guint n;

  g_return_val_if_fail (resolution >= 2 && resolution <= 512, NULL);

  if (bp_dataset_get_n_features (data) != 2)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: a data set's name */
                   _("A decision boundary needs a 2-D data set; “%s” is not one"),
                   bp_dataset_get_name (data));
      return NULL;
    }

  self = g_new0 (BpPlotBoundary, 1);
  self->resolution = resolution;
  n = bp_dataset_get_n_examples (data, BP_DATASET_TRAIN);
  self->n_points = n;
  self->points = g_new (double, 2 * n);
  self->labels = g_new (guint8, n);
  self->x0 = self->y0 = -1;
  self->x1 = self->y1 = 1;
  for (guint i = 0; i < n; i++)
    {
      double x = bp_dataset_get_feature (data, BP_DATASET_TRAIN, i, 0);
      double y = bp_dataset_get_feature (data, BP_DATASET_TRAIN, i, 1);

      self->points[2 * i] = x;
      self->points[2 * i + 1] = y;
      self->labels[i] = bp_dataset_get_label (data, BP_DATASET_TRAIN, i);
      self->x0 = MIN (self->x0, x);
      self->x1 = MAX (self->x1, x);
      self->y0 = MIN (self->y0, y);
      self->y1 = MAX (self->y1, y);
    }

  /* Cell centres, top row first. */
  grid = bp_tensor_new (resolution * resolution, 2);
  for (guint r = 0; r < resolution; r++)
    for (guint c = 0; c < resolution; c++)
      {
        gsize k = (gsize) r * resolution + c;

        grid->data[2 * k] = self->x0 + (c + 0.5) / resolution * (self->x1 - self->x0);
        grid->data[2 * k + 1] = self->y1 - (r + 0.5) / resolution * (self->y1 - self->y0);
      }
  self->p1 = g_new (double, (gsize) resolution * resolution);
  classes = g_new (guint, (gsize) resolution * resolution);
  if (!bp_trainer_predict (trainer, grid, classes, self->p1, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
bp_plot_boundary_free (BpPlotBoundary *self)
{
  if (self == NULL)
    return;
  g_free (self->p1);
  g_free (self->points);
  g_free (self->labels);
  g_free (self);
}

double
bp_plot_boundary_get_class1_share (const BpPlotBoundary *self)
{
  gsize n = (gsize) self->resolution * self->resolution, ones = 0;

  for (gsize i = 0; i < n; i++)
    ones += self->p1[i] > 0.5;
  return (double) ones / n;
}

void
bp_plot_draw_boundary (cairo_t              *cr,
                       double                width,
                       double                height,
                       const BpPlotBoundary *b,
                       const BpPlotStyle    *style)
{
  static const BpPlotStyle default_style = BP_PLOT_STYLE_INIT;
  Frame f = { .cr = cr };
  const Rgb *c0, *c1;
  cairo_surface_t *image;
  guint res;
  int stride;
  guint8 *pixels;

  f.style = style != NULL ? style : &default_style;
  c0 = series_colour (f.style, 0);
  c1 = series_colour (f.style, 1);
  f.x0 = b->x0;
  f.x1 = b->x1;
  f.y0 = b->y0;
  f.y1 = b->y1;
  draw_axes (&f, width, height, "x₁", "x₂", FALSE);

  /* The predicted probability as a tint between the two class colours,
   * one pixel per cell, scaled up smoothly. */
  res = b->resolution;
  image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, res, res);
  stride = cairo_image_surface_get_stride (image);
  cairo_surface_flush (image);
  pixels = cairo_image_surface_get_data (image);
  for (guint r = 0; r < res; r++)
    for (guint c = 0; c < res; c++)
      {
        double p = b->p1[(gsize) r * res + c];
        double bg = f.style->dark ? 0.15 : 1.0;
        double k = 0.35 * fabs (p - 0.5) * 2;   /* pale where unsure */
        const Rgb *col = p > 0.5 ? c1 : c0;
        guint32 *px32 = (guint32 *) (gpointer) (pixels + (gsize) r * stride) + c;
        guint8 rr = (guint8) (255 * (bg + k * (col->r - bg)));
        guint8 gg = (guint8) (255 * (bg + k * (col->g - bg)));
        guint8 bb = (guint8) (255 * (bg + k * (col->b - bg)));

        *px32 = ((guint32) rr << 16) | ((guint32) gg << 8) | bb;
      }
  cairo_surface_mark_dirty (image);

  cairo_save (cr);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_clip (cr);
  cairo_translate (cr, f.left, f.top);
  cairo_scale (cr, (f.right - f.left) / res, (f.bottom - f.top) / res);
  cairo_set_source_surface (cr, image, 0, 0);
  /* Bilinear: as smooth at these few times, and several times cheaper
   * than GOOD's convolution for a picture redrawn while a net trains. */
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (image);

  /* The training points, in their class colour with a light rim: one
   * path per class (hundreds of points, redrawn while a net trains). */
  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  for (guint label = 0; label < 2; label++)
    {
      cairo_new_path (cr);
      for (guint i = 0; i < b->n_points; i++)
        if ((b->labels[i] != 0) == (label != 0))
          {
            double x = px (&f, b->points[2 * i]), y = py (&f, b->points[2 * i + 1]);
            double r = 3 * f.style->text_scale;

            cairo_new_sub_path (cr);
            cairo_arc (cr, x, y, r, 0, 2 * G_PI);
          }
      set_rgb (cr, label ? c1 : c0, 1);
      cairo_fill_preserve (cr);
      if (f.style->dark)
        cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
      else
        cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}
