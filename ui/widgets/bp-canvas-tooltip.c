/* SPDX-License-Identifier: MIT */
/* The numbers under the pointer in full. A matrix too big or too small
 * on screen to write out is drawn as a chip ("2×3" and a heat-map); its
 * tooltip shows every number (up to a corner of a big matrix), as do the
 * tooltips of the other values and gradients. A quiz blank stays blank. */

#include <glib/gi18n.h>

#include "bp-canvas-private.h"

#define TOOLTIP_MAX 8   /* rows and columns written out */

/* The matrix as aligned rows in a monospace font (Pango markup). */
static void
append_tensor (GString  *markup,
               BpTensor *t)
{
  guint rows = MIN (t->rows, TOOLTIP_MAX), cols = MIN (t->cols, TOOLTIP_MAX);
  g_autofree guint *width = g_new0 (guint, cols);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  if (bp_tensor_is_scalar (t))
    {
      g_autofree char *num = bp_format_number (t->data[0], 6);

      g_string_append_printf (markup, "<tt>%s</tt>", num);
      return;
    }
  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < cols; c++)
      {
        char *num = bp_format_number (bp_tensor_get (t, r, c), 4);

        width[c] = MAX (width[c], g_utf8_strlen (num, -1));
        g_ptr_array_add (cells, num);
      }
  g_string_append (markup, "<tt>");
  for (guint r = 0; r < rows; r++)
    {
      g_string_append (markup, r == 0 ? "[" : "\n ");
      for (guint c = 0; c < cols; c++)
        {
          const char *num = g_ptr_array_index (cells, r * cols + c);

          for (guint k = g_utf8_strlen (num, -1); k < width[c]; k++)
            g_string_append_c (markup, ' ');
          g_string_append (markup, num);
          if (c + 1 < cols)
            g_string_append (markup, "  ");
        }
      if (cols < t->cols)
        g_string_append (markup, "  …");
    }
  if (rows < t->rows)
    g_string_append (markup, "\n  ⋮");
  g_string_append (markup, "]</tt>");
}

static gboolean
is_hidden (GHashTable *set,
           BpNode     *node)
{
  return set != NULL && g_hash_table_contains (set, node);
}

char *
_bp_canvas_tooltip_markup (BpCanvas *self,
                           double    x,
                           double    y)
{
  BpDiagramState state;
  BpTrace *trace = _bp_canvas_trace (self);
  g_autoptr(GArray) boxes = NULL;
  GString *markup;
  double dx, dy;

  if (trace == NULL || self->diagram == NULL)
    return NULL;

  _bp_canvas_fill_state (self, &state);
  bp_canvas_widget_to_diagram (self, x, y, &dx, &dy);
  boxes = bp_diagram_get_boxes (self->diagram, trace, &state);
  for (guint i = 0; i < boxes->len; i++)
    {
      const BpDiagramBox *b = &g_array_index (boxes, BpDiagramBox, i);
      BpTensor *t = NULL;
      BpNode *owner = b->node;
      g_autofree char *title = NULL;
      g_autofree char *name = NULL;

      if (dx < b->rect.x || dx > b->rect.x + b->rect.width
          || dy < b->rect.y || dy > b->rect.y + b->rect.height)
        continue;

      if (b->kind == BP_DIAGRAM_BOX_VALUE)
        {
          if (is_hidden (self->hidden_values, owner))
            return NULL;
          t = bp_node_get_value (owner);
          name = g_markup_escape_text (bp_node_get_label (owner), -1);
          /* TRANSLATORS: a tooltip's heading; %s is a node's name */
          title = g_strdup_printf (_("Value of %s"), name);
        }
      else if (b->kind == BP_DIAGRAM_BOX_GRADIENT)
        {
          int index = bp_trace_find_step (trace, b->node, BP_STEP_BACKWARD);
          const BpStep *step = index >= 0 ? bp_trace_get_step (trace, index) : NULL;

          if (step == NULL)
            continue;
          /* The gradient on an arrow is that of its source; on the
           * output's own arrow, the seed. */
          if (b->slot == G_MAXUINT)
            t = step->upstream;
          else if (b->slot < step->n_inputs)
            {
              t = step->downstream[b->slot];
              owner = bp_node_get_input (b->node, b->slot);
            }
          if (owner == NULL || is_hidden (self->hidden_grads, owner))
            return NULL;
          name = g_markup_escape_text (bp_node_get_label (owner), -1);
          /* TRANSLATORS: a tooltip's heading: the gradient of the output L
           * with respect to a node; %s is the node's name */
          title = g_strdup_printf (_("Gradient ∂L/∂%s"), name);
        }
      if (t == NULL || title == NULL)
        continue;

      markup = g_string_new (NULL);
      g_string_append_printf (markup, "<b>%s</b>", title);
      if (!bp_tensor_is_scalar (t))
        g_string_append_printf (markup, "  %u×%u", t->rows, t->cols);
      g_string_append_c (markup, '\n');
      append_tensor (markup, t);
      return g_string_free (markup, FALSE);
    }
  return NULL;
}

static gboolean
query_tooltip_cb (BpCanvas   *self,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  g_autofree char *markup = NULL;

  if (keyboard || self->drag_mode != DRAG_NONE
      || !(markup = _bp_canvas_tooltip_markup (self, x, y)))
    return FALSE;
  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

void
_bp_canvas_init_tooltip (BpCanvas *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
}
