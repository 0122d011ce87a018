/* SPDX-License-Identifier: MIT */
/* Print (Ctrl+P): the picture as the canvas shows it, one page, or every
 * step of both passes as a handout, four steps a page, each in the same
 * fixed frame, through the same renderer as the screen and the exports. */
#include <glib/gi18n.h>

#include "bp-window-private.h"

#define STEPS_PER_PAGE 4

typedef struct
{
  BpWindow          *window;    /* borrowed: the operation is modal */
  GtkCheckButton    *all_steps;
  gboolean           print_steps;
  guint              n_steps;
  cairo_rectangle_t  frame;     /* the steps' fixed frame, diagram units */
} PrintJob;

static void
print_job_free (gpointer data)
{
  g_free (data);
}

static BpDiagramState
paper_state (BpWindow *self)
{
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpQuiz *quiz = bp_session_get_quiz (self->session);

  state.pass = bp_session_get_pass (self->session);
  state.step = bp_session_get_pass_step (self->session);
  state.updates = bp_session_get_updates (self->session);
  state.n_updates = bp_session_get_n_updates (self->session);
  state.progress = 1.0;
  state.dark = FALSE;
  state.text_scale = bp_canvas_get_text_scale (self->canvas);
  if (bp_quiz_get_active (quiz))
    {
      state.hidden_values = bp_quiz_dup_blanks (quiz, BP_QUIZ_VALUE);
      state.hidden_grads = bp_quiz_dup_blanks (quiz, BP_QUIZ_GRAD);
    }
  return state;
}

static void
state_clear (BpDiagramState *state)
{
  g_clear_pointer (&state->hidden_values, g_hash_table_unref);
  g_clear_pointer (&state->hidden_grads, g_hash_table_unref);
}

/* Draws `bounds` of the diagram scaled into the cell (x, y, w, h). */
static void
draw_in_cell (BpWindow                *self,
              cairo_t                 *cr,
              const BpDiagramState    *state,
              const cairo_rectangle_t *bounds,
              double                   x,
              double                   y,
              double                   w,
              double                   h)
{
  double scale = MIN (w / MAX (bounds->width, 1), h / MAX (bounds->height, 1));

  scale = MIN (scale, 1.5);
  cairo_save (cr);
  cairo_translate (cr, x + (w - bounds->width * scale) / 2, y + (h - bounds->height * scale) / 2);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, -bounds->x, -bounds->y);
  bp_diagram_draw (bp_canvas_get_diagram (self->canvas), cr,
                   bp_session_get_trace (self->session), state);
  cairo_restore (cr);
}

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                PrintJob          *job)
{
  BpWindow *self = job->window;
  BpTrace *trace = bp_session_get_trace (self->session);
  BpDiagramState state = paper_state (self);

  job->print_steps = job->all_steps != NULL && gtk_check_button_get_active (job->all_steps) &&
                     trace != NULL && bp_trace_get_n_steps (trace) > 0;
  job->n_steps = trace != NULL ? bp_trace_get_n_steps (trace) + state.n_updates : 0;
  if (job->print_steps)
    {
      bp_diagram_get_steps_bounds (bp_canvas_get_diagram (self->canvas), trace, &state, &job->frame);
      gtk_print_operation_set_n_pages (operation,
                                       (job->n_steps + STEPS_PER_PAGE - 1) / STEPS_PER_PAGE);
    }
  else
    gtk_print_operation_set_n_pages (operation, 1);
  state_clear (&state);
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              PrintJob          *job)
{
  BpWindow *self = job->window;
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);
  BpDiagramState state = paper_state (self);
  BpTrace *trace = bp_session_get_trace (self->session);

  if (!job->print_steps)
    {
      cairo_rectangle_t bounds;

      bp_diagram_get_trace_bounds (bp_canvas_get_diagram (self->canvas), trace, &state, &bounds);
      draw_in_cell (self, cr, &state, &bounds, 0, 0, width, height);
      state_clear (&state);
      return;
    }

  /* Four cells a page, top to bottom, each step numbered. */
  for (guint k = 0; k < STEPS_PER_PAGE; k++)
    {
      guint position = page * STEPS_PER_PAGE + k + 1;
      double cell_h = height / STEPS_PER_PAGE;
      g_autofree char *heading = NULL;
      double text_w, text_h;

      if (position > job->n_steps)
        break;
      bp_diagram_state_set_position (&state, trace, position);
      state.highlight_last = TRUE;
      /* Translators: a printed handout's caption, "Step 3 of 10" */
      heading = g_strdup_printf (_("Step %u of %u"), position, job->n_steps);
      bp_diagram_measure_heading (bp_canvas_get_diagram (self->canvas), heading, &text_w, &text_h);
      {
        g_autoptr(BpPainter) painter = bp_painter_new_cairo (cr);

        bp_diagram_paint_heading (bp_canvas_get_diagram (self->canvas), painter, heading,
                                  0, k * cell_h, state.pass, FALSE);
      }
      draw_in_cell (self, cr, &state, &job->frame, 0, k * cell_h + text_h,
                    width, cell_h - text_h - 6);
    }
  state_clear (&state);
}

static GObject *
create_custom_widget_cb (GtkPrintOperation *operation,
                         PrintJob          *job)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *current = gtk_check_button_new_with_mnemonic (_("The _picture as shown"));
  GtkWidget *steps = gtk_check_button_new_with_mnemonic (_("_Every step of both passes, four to a page"));

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (steps), GTK_CHECK_BUTTON (current));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (current), TRUE);
  gtk_box_append (GTK_BOX (box), current);
  gtk_box_append (GTK_BOX (box), steps);
  job->all_steps = GTK_CHECK_BUTTON (steps);
  return G_OBJECT (box);
}

static GtkPrintOperation *
new_operation (BpWindow  *self,
               PrintJob **job_out)
{
  GtkPrintOperation *operation = gtk_print_operation_new ();
  PrintJob *job = g_new0 (PrintJob, 1);

  job->window = self;
  g_object_set_data_full (G_OBJECT (operation), "bp-print-job", job, print_job_free);
  gtk_print_operation_set_job_name (operation, bp_session_get_title (self->session)
                                               ? bp_session_get_title (self->session)
                                               : _("Backprop Studio"));
  gtk_print_operation_set_custom_tab_label (operation, _("Backprop Studio"));
  g_signal_connect (operation, "create-custom-widget", G_CALLBACK (create_custom_widget_cb), job);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), job);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), job);
  *job_out = job;
  return operation;
}

gboolean
_bp_window_print_to_pdf (BpWindow    *self,
                         const char  *path,
                         gboolean     every_step,
                         GError     **error)
{
  PrintJob *job;
  g_autoptr(GtkPrintOperation) operation = new_operation (self, &job);
  g_autoptr(GtkCheckButton) steps = GTK_CHECK_BUTTON (g_object_ref_sink (gtk_check_button_new ()));

  gtk_check_button_set_active (steps, every_step);
  job->all_steps = steps;
  gtk_print_operation_set_export_filename (operation, path);
  return gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT,
                                  GTK_WINDOW (self), error) != GTK_PRINT_OPERATION_RESULT_ERROR;
}

static void
bp_window_print_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  BpWindow *self = BP_WINDOW (widget);
  PrintJob *job;
  g_autoptr(GtkPrintOperation) operation = new_operation (self, &job);
  g_autoptr(GError) error = NULL;

  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_WINDOW (self), &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    _bp_window_toast (self, error->message);
}

void
_bp_window_class_init_print (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.print", NULL, bp_window_print_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print", NULL);
}
