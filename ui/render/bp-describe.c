/* SPDX-License-Identifier: MIT */
/* The diagram in words: one sentence per node and per step, built from
 * the same trace and the same rule of what is shown as the picture, so
 * the screen reader, the transcript and the canvas never disagree. */

#include <glib/gi18n-lib.h>

#include "bp-describe.h"

#define DIGITS 6
/* Larger matrices are told by their shape: a list of hundreds of numbers
 * helps no listener. */
#define MAX_SPOKEN_ELEMENTS 16

typedef enum
{
  KNOWN_VALUE,
  KNOWN_GRAD,
} Known;

static guint
position_of (BpTrace *trace, const BpDiagramState *state)
{
  return trace != NULL ? bp_diagram_state_get_position (state, trace) : 0;
}

static gboolean
trace_is_valid (BpGraph *graph, BpTrace *trace)
{
  return trace != NULL && (graph == NULL || bp_trace_get_stamp (trace) == bp_graph_get_stamp (graph));
}

static gboolean
is_hidden (const BpDiagramState *state, BpNode *node, Known what)
{
  GHashTable *set = what == KNOWN_VALUE ? state->hidden_values : state->hidden_grads;

  return set != NULL && g_hash_table_contains (set, node);
}

/* Whether the picture at `position` shows this number of `node`, quiz
 * blanks aside: a leaf's value always, the others once their step is
 * taken. */
static gboolean
is_reached (BpTrace *trace, guint position, BpNode *node, Known what)
{
  if (what == KNOWN_VALUE && bp_op_is_leaf (bp_node_get_op (node)))
    return bp_node_get_value (node) != NULL;
  if (trace == NULL)
    return FALSE;
  return bp_trace_is_revealed (trace, position, node,
                               what == KNOWN_VALUE ? BP_STEP_FORWARD : BP_STEP_BACKWARD);
}

static char *
tensor_words (const BpTensor *tensor)
{
  if (tensor == NULL)
    return g_strdup ("?");
  if ((gsize) tensor->rows * tensor->cols > MAX_SPOKEN_ELEMENTS)
    {
      g_autofree char *shape = bp_tensor_shape_string (tensor->rows, tensor->cols);

      /* Translators: a matrix too large to read out, e.g. "a 100×10 matrix" */
      return g_strdup_printf (_("a %s matrix"), shape);
    }
  return bp_tensor_to_string (tensor, DIGITS);
}

static char *
blank_words (void)
{
  /* Translators: a number the quiz hides, in words for a screen reader */
  return g_strdup (_("a blank"));
}

static const char *
op_title (BpNode *node)
{
  return _(bp_node_get_op (node)->title);
}

/* "apple price, Multiply node" */
static char *
node_name (BpNode *node)
{
  /* Translators: a node for a screen reader: its name, then its
   * operation ("apple price, Multiply node") */
  return g_strdup_printf (_("%s, %s node"), bp_node_get_label (node), op_title (node));
}

static void
append_list_item (GString *out, guint i, guint n)
{
  if (i == 0)
    return;
  /* Translators: between the items of a spoken list, and before its last */
  g_string_append (out, i + 1 < n ? _(", ") : _(" and "));
}

char *
bp_describe_node (BpGraph              *graph,
                  BpTrace              *trace,
                  const BpDiagramState *state,
                  BpNode               *node)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) consumers = g_ptr_array_new ();
  g_autofree char *name = NULL;
  guint position, n_inputs, n;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);

  if (graph == NULL)
    graph = bp_node_get_graph (node);
  if (!trace_is_valid (graph, trace))
    trace = NULL;
  position = position_of (trace, state);

  name = node_name (node);
  g_string_append (out, name);

  /* The value: shown, a blank, or not computed yet. */
  if (is_reached (trace, position, node, KNOWN_VALUE))
    {
      g_autofree char *value = is_hidden (state, node, KNOWN_VALUE) ? blank_words ()
                                : tensor_words (bp_node_get_value (node));

      /* Translators: after a node's name, e.g. ": value 220" */
      g_string_append_printf (out, _(": value %s"), value);
    }
  else
    g_string_append (out, _(": not computed yet"));
  if (is_reached (trace, position, node, KNOWN_GRAD))
    {
      g_autofree char *grad = is_hidden (state, node, KNOWN_GRAD) ? blank_words ()
                               : tensor_words (bp_node_get_grad (node));

      /* Translators: after a node's value, e.g. ", gradient 1.1" */
      g_string_append_printf (out, _(", gradient %s"), grad);
    }

  /* Where its inputs come from… */
  n_inputs = bp_node_get_n_inputs (node);
  if (n_inputs > 0)
    {
      const char *const *names = bp_node_get_op (node)->input_names;

      g_string_append (out, _("; inputs "));
      for (guint i = 0; i < n_inputs; i++)
        {
          BpNode *input = bp_node_get_input (node, i);

          append_list_item (out, i, n_inputs);
          if (input != NULL)
            g_string_append (out, bp_node_get_label (input));
          else
            /* Translators: an input slot with nothing connected, e.g. "y not connected" */
            g_string_append_printf (out, _("%s not connected"),
                                    names != NULL && names[i] != NULL ? names[i] : "?");
        }
    }

  /* …and where its output goes. */
  n = bp_graph_get_n_nodes (graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *consumer = bp_graph_get_node (graph, i);

      for (guint k = 0; k < bp_node_get_n_inputs (consumer); k++)
        if (bp_node_get_input (consumer, k) == node)
          {
            g_ptr_array_add (consumers, consumer);
            break;
          }
    }
  if (consumers->len > 0)
    {
      g_string_append (out, _("; output to "));
      for (guint i = 0; i < consumers->len; i++)
        {
          append_list_item (out, i, consumers->len);
          g_string_append (out, bp_node_get_label (consumers->pdata[i]));
        }
    }
  if (bp_graph_get_output (graph) == node)
    g_string_append (out, _("; the graph’s output"));
  if (bp_node_get_error (node) != NULL)
    /* Translators: a node's error, e.g. "; error: y is not connected" */
    g_string_append_printf (out, _("; error: %s"), bp_node_get_error (node));

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A number of the step: its words, or a blank. */
static char *
step_number (const BpDiagramState *state,
             BpNode               *node,
             Known                 what,
             const BpTensor       *tensor)
{
  if (node != NULL && is_hidden (state, node, what))
    return blank_words ();
  return tensor_words (tensor);
}

static void
describe_forward (GString              *out,
                  const BpStep         *step,
                  const BpDiagramState *state)
{
  BpNode *node = step->node;
  const BpOp *op = bp_node_get_op (node);
  g_autofree char *value = step_number (state, node, KNOWN_VALUE, step->value);
  g_autoptr(GString) from = g_string_new (NULL);
  guint n_inputs = bp_node_get_n_inputs (node);

  for (guint i = 0; i < n_inputs; i++)
    {
      BpNode *input = bp_node_get_input (node, i);
      g_autofree char *number = input != NULL
          ? step_number (state, input, KNOWN_VALUE, bp_node_get_value (input)) : g_strdup ("?");

      append_list_item (from, i, n_inputs);
      g_string_append_printf (from, "%s %s",
                              input != NULL ? bp_node_get_label (input) : "?", number);
    }
  if (n_inputs == 0)
    /* Translators: a forward step of a leaf: "apple, Input node, holds 100" */
    g_string_append_printf (out, _("%s, %s node, holds %s"), bp_node_get_label (node),
                            _(op->title), value);
  else
    /* Translators: a forward step: "price, Multiply node, computes 220
     * from apple price 200 and tax 1.1" */
    g_string_append_printf (out, _("%s, %s node, computes %s from %s"), bp_node_get_label (node),
                            _(op->title), value, from->str);
}

static void
describe_backward (GString              *out,
                   const BpStep         *step,
                   const BpDiagramState *state)
{
  BpNode *node = step->node;
  g_autofree char *name = node_name (node);
  g_autofree char *upstream = step_number (state, node, KNOWN_GRAD, step->upstream);
  g_autoptr(GString) sends = g_string_new (NULL);
  guint n_sent = 0, k = 0;

  for (guint i = 0; i < step->n_inputs; i++)
    if (step->downstream[i] != NULL)
      n_sent++;

  for (guint i = 0; i < step->n_inputs; i++)
    {
      BpNode *input = bp_node_get_input (node, i);
      const char *input_name = input != NULL ? bp_node_get_label (input) : "?";
      g_autofree char *down = NULL;

      if (step->downstream[i] == NULL)
        continue;
      down = step_number (state, input, KNOWN_GRAD, step->downstream[i]);
      append_list_item (sends, k++, n_sent);
      if (step->local[i] != NULL)
        {
          g_autofree char *local = tensor_words (step->local[i]);

          /* Translators: what a backward step sends one input, upstream
           * × local = downstream gradient: "1 × 1.1 = 1.1 to apple price" */
          g_string_append_printf (sends, _("%s × %s = %s to %s"), upstream, local, down,
                                  input_name);
        }
      else
        /* Translators: what a backward step sends one input: "2.2 to apple" */
        g_string_append_printf (sends, _("%s to %s"), down, input_name);
    }

  if (n_sent == 0)
    /* Translators: a backward step of a leaf: "apple, Input node, receives the gradient 2.2" */
    g_string_append_printf (out, _("%s, receives the gradient %s"), name, upstream);
  else
    /* Translators: a backward step: "price, Multiply node, receives the
     * gradient 1; sends 1 × 1.1 = 1.1 to apple price and 1 × 200 = 200 to tax" */
    g_string_append_printf (out, _("%s, receives the gradient %s; sends %s"), name, upstream,
                            sends->str);
}

char *
bp_describe_step (BpTrace              *trace,
                  const BpDiagramState *state,
                  guint                 position)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const BpStep *step;
  guint n_forward;

  g_return_val_if_fail (state != NULL, NULL);

  if (trace != NULL && position > bp_trace_get_n_steps (trace) &&
      position - bp_trace_get_n_steps (trace) <= state->n_updates && state->updates != NULL)
    {
      guint k = position - bp_trace_get_n_steps (trace);
      const BpUpdateStep *update = &state->updates[k - 1];
      g_autofree char *before = tensor_words (update->before);
      g_autofree char *grad = tensor_words (update->grad);
      g_autofree char *after = tensor_words (update->after);
      g_autofree char *rate = bp_format_number (update->learning_rate, DIGITS);

      /* Translators: a training iteration's update of one param, after
       * the backward pass: "Update step 1 of 2: W1, W ← W − η·∂L/∂W with
       * η = 0.1: from 0.5 with the gradient 0.2 to 0.48" */
      return g_strdup_printf (_("Update step %u of %u: %s, %s with η = %s: from %s with the gradient %s to %s"),
                              k, state->n_updates, bp_node_get_label (update->param),
                              update->formula != NULL ? update->formula : "W ← W − η·∂L/∂W",
                              rate, before, grad, after);
    }
  if (trace == NULL || position == 0 || position > bp_trace_get_n_steps (trace))
    return g_strdup (_("Ready, nothing computed yet"));

  step = bp_trace_get_step (trace, position - 1);
  n_forward = bp_trace_get_n_forward (trace);
  if (step->kind == BP_STEP_FORWARD)
    {
      /* Translators: the start of a spoken step, e.g. "Forward step 2 of 5: " */
      g_string_append_printf (out, _("Forward step %u of %u: "), position, n_forward);
      describe_forward (out, step, state);
    }
  else
    {
      g_string_append_printf (out, _("Backward step %u of %u: "), position - n_forward,
                              bp_trace_get_n_backward (trace));
      describe_backward (out, step, state);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
bp_describe_transcript (BpGraph              *graph,
                        BpTrace              *trace,
                        const BpDiagramState *state,
                        const char           *title)
{
  BpDiagramState end = BP_DIAGRAM_STATE_INIT;
  g_autoptr(GString) out = g_string_new (NULL);
  BpNode *const *order;
  guint n = 0, n_steps;

  g_return_val_if_fail (graph != NULL, NULL);

  if (!trace_is_valid (graph, trace))
    trace = NULL;
  if (state != NULL)
    {
      end.hidden_values = state->hidden_values;
      end.hidden_grads = state->hidden_grads;
    }
  n_steps = trace != NULL ? bp_trace_get_n_steps (trace) : 0;
  if (trace != NULL)
    bp_diagram_state_set_position (&end, trace, n_steps);

  g_string_append_printf (out, "%s\n\n", title != NULL && title[0] != '\0' ? title
                                                                          : _("A computational graph"));

  g_string_append_printf (out, "%s\n", _("Nodes, inputs first:"));
  order = bp_graph_get_order (graph, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sentence = bp_describe_node (graph, trace, &end, order[i]);

      g_string_append_printf (out, "- %s\n", sentence);
    }

  g_string_append_printf (out, "\n%s\n", _("Edges:"));
  for (guint i = 0; i < n; i++)
    {
      const char *const *names = bp_node_get_op (order[i])->input_names;

      for (guint k = 0; k < bp_node_get_n_inputs (order[i]); k++)
        {
          BpNode *input = bp_node_get_input (order[i], k);

          if (input == NULL)
            continue;
          /* Translators: an edge: "apple → apple price (input x)" */
          g_string_append_printf (out, _("- %s → %s (input %s)\n"), bp_node_get_label (input),
                                  bp_node_get_label (order[i]),
                                  names != NULL && names[k] != NULL ? names[k] : "?");
        }
    }

  if (trace == NULL || n_steps == 0)
    {
      g_string_append_printf (out, "\n%s\n", _("The passes could not be computed."));
      return g_string_free (g_steal_pointer (&out), FALSE);
    }
  for (guint position = 1; position <= n_steps; position++)
    {
      BpDiagramState at = end;
      g_autofree char *sentence = NULL;

      if (position == 1)
        g_string_append_printf (out, "\n%s\n", _("Forward pass:"));
      if (position == bp_trace_get_n_forward (trace) + 1)
        g_string_append_printf (out, "\n%s\n", _("Backward pass:"));
      bp_diagram_state_set_position (&at, trace, position);
      sentence = bp_describe_step (trace, &at, position);
      g_string_append_printf (out, "- %s\n", sentence);
    }
  if (bp_trace_get_n_backward (trace) == 0)
    g_string_append_printf (out, "\n%s\n",
                            _("No backward pass: the graph needs a single output."));
  return g_string_free (g_steal_pointer (&out), FALSE);
}
