/* SPDX-License-Identifier: MIT */
/* Step frames: every step of both passes in one fixed frame, for slides
 * (numbered SVG files) and handouts (one multi-page PDF). The frame is
 * the union of every step's bounds with a heading above, so that the
 * graph stays in place from slide to slide. */

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "bp-export.h"

#define HEADING_GAP 10.0

static char *
step_heading (BpTrace *trace, const BpDiagramState *state, guint position)
{
  guint n_trace = bp_trace_get_n_steps (trace);
  guint n_steps = n_trace + state->n_updates;
  guint n_forward = bp_trace_get_n_forward (trace);
  const BpStep *step;
  gboolean forward;
  guint k, n;
  const char *name;

  if (position > n_trace)
    {
      k = position - n_trace;
      name = bp_node_get_label (state->updates[k - 1].param);
      return g_strdup_printf ("Step %u of %u · update %u of %u · %s ← %s − η·∂L/∂%s%s",
                              position, n_steps, k, state->n_updates, name, name, name,
                              k == state->n_updates ? " · iteration done" : "");
    }
  step = bp_trace_get_step_before (trace, position);
  forward = position <= n_forward;
  k = forward ? position : position - n_forward;
  n = forward ? n_forward : n_trace - n_forward;
  name = bp_node_get_label (step->node);

  return g_strdup_printf ("Step %u of %u · %s %u of %u · %s%s%s", position, n_steps,
                          forward ? "forward" : "backward", k, n,
                          forward ? "" : "∂out/∂", name,
                          k == n ? (forward ? " · forward pass done" : " · backward pass done")
                                 : "");
}

gboolean
bp_export_steps (BpDiagram            *diagram,
                 BpTrace              *trace,
                 const BpDiagramState *state,
                 const char           *path,
                 BpExportOptions      *options,
                 guint                *n_written,
                 GError              **error)
{
  static const BpDiagramState default_state = BP_DIAGRAM_STATE_INIT;
  BpExportOptions no_options = { 0 };
  BpExportOptions opts;
  BpExportFormat format;
  g_autofree BpDiagramState *states = NULL;
  g_autoptr(GPtrArray) headings = NULL;
  cairo_rectangle_t frame;
  double heading_h = 0;
  guint n_steps;

  g_return_val_if_fail (BP_IS_DIAGRAM (diagram), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_written != NULL)
    *n_written = 0;
  if (state == NULL)
    state = &default_state;
  if (options == NULL)
    options = &no_options;
  if (trace == NULL || bp_trace_get_n_steps (trace) == 0
      || bp_trace_get_stamp (trace) != bp_graph_get_stamp (bp_diagram_get_graph (diagram)))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   "There are no steps to export: run the forward and backward passes first");
      return FALSE;
    }

  /* Positions 1 … n_steps: forward steps, then backward steps, then the
   * state's updates (a training iteration); the last of each pass stays
   * highlighted. */
  n_steps = bp_trace_get_n_steps (trace) + (state->updates != NULL ? state->n_updates : 0);
  states = g_new (BpDiagramState, n_steps);
  headings = g_ptr_array_new_full (n_steps + 1, g_free);
  for (guint i = 0; i < n_steps; i++)
    {
      double hw, hh;

      states[i] = *state;
      bp_diagram_state_set_position (&states[i], trace, i + 1);
      states[i].progress = 1.0;
      states[i].highlight_last = TRUE;
      g_ptr_array_add (headings, step_heading (trace, state, i + 1));
      bp_diagram_measure_heading (diagram, g_ptr_array_index (headings, i), &hw, &hh);
      heading_h = MAX (heading_h, hh);
    }
  g_ptr_array_add (headings, NULL);

  /* One frame for all: the union of the steps' bounds, a heading above. */
  bp_diagram_get_steps_bounds (diagram, trace, state, &frame);
  frame.y -= heading_h + HEADING_GAP;
  frame.height += heading_h + HEADING_GAP;
  {
    double widest = 0;

    for (guint i = 0; i < n_steps; i++)
      {
        double hw;

        bp_diagram_measure_heading (diagram, g_ptr_array_index (headings, i), &hw, NULL);
        widest = MAX (widest, hw);
      }
    frame.width = MAX (frame.width, widest);
  }

  opts = *options;
  opts.frame = &frame;

  if (g_str_has_suffix (path, ".pdf") || g_str_has_suffix (path, ".PDF"))
    {
      opts.headings = (const char *const *) headings->pdata;
      if (!bp_export_states (diagram, trace, states, n_steps, path, &opts, error))
        return FALSE;
      options->used_scale = opts.used_scale;
      if (n_written != NULL)
        *n_written = n_steps;
      return TRUE;
    }

  if (bp_export_format_from_path (path, &format, NULL))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   "Steps go into a folder of SVG files or one PDF, not “%s”", path);
      return FALSE;
    }
  if (g_mkdir_with_parents (path, 0777) != 0)
    {
      int saved = errno;

      g_set_error (error, BP_ERROR, BP_ERROR_IO, "Cannot make the folder “%s”: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  for (guint i = 0; i < n_steps; i++)
    {
      g_autofree char *name = g_strdup_printf ("step-%0*u.svg", n_steps >= 100 ? 3 : 2, i + 1);
      g_autofree char *file = g_build_filename (path, name, NULL);
      const char *one[] = { g_ptr_array_index (headings, i), NULL };

      opts.headings = one;
      if (!bp_export_states (diagram, trace, &states[i], 1, file, &opts, error))
        return FALSE;
      if (n_written != NULL)
        *n_written = i + 1;
    }
  options->used_scale = opts.used_scale;
  return TRUE;
}
