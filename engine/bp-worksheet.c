/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "bp-worksheet.h"

/* Draws per variant before settling for the shortest numbers found; a
 * big graph gets fewer, so that a worksheet stays a matter of seconds
 * (about DRAW_BUDGET node evaluations per variant). */
#define MAX_DRAWS 200
#define MIN_DRAWS 5
#define DRAW_BUDGET 200000
/* Bytes of graph description a Moodle question may repeat. */
#define MAX_CONTEXT 4096
/* A value this large is no homework. */
#define MAX_FRIENDLY 1e5

typedef struct
{
  BpGraph    *graph;
  GPtrArray  *blanks;         /* BpWorksheetBlank* */
  GHashTable *hidden_values;  /* BpNode* set, or NULL */
  GHashTable *hidden_grads;
} Variant;

struct _BpWorksheet
{
  char            *title;
  guint64          seed;
  BpWorksheetHide  hide;
  GPtrArray       *variants;  /* Variant* */
};

static void
blank_free (gpointer data)
{
  BpWorksheetBlank *blank = data;

  g_clear_pointer (&blank->answer, bp_tensor_unref);
  g_free (blank);
}

static void
variant_free (gpointer data)
{
  Variant *v = data;

  g_clear_pointer (&v->blanks, g_ptr_array_unref);
  g_clear_pointer (&v->hidden_values, g_hash_table_unref);
  g_clear_pointer (&v->hidden_grads, g_hash_table_unref);
  g_clear_object (&v->graph);
  g_free (v);
}

void
bp_worksheet_free (BpWorksheet *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->variants, g_ptr_array_unref);
  g_free (self->title);
  g_free (self);
}

gboolean
bp_worksheet_hide_from_string (const char       *text,
                               BpWorksheetHide  *hide,
                               GError          **error)
{
  g_return_val_if_fail (hide != NULL, FALSE);

  if (g_strcmp0 (text, "values") == 0)
    *hide = BP_WORKSHEET_HIDE_VALUES;
  else if (g_strcmp0 (text, "gradients") == 0)
    *hide = BP_WORKSHEET_HIDE_GRADIENTS;
  else if (g_strcmp0 (text, "both") == 0)
    *hide = BP_WORKSHEET_HIDE_BOTH;
  else
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: keep values, gradients and both in English:
                    * they are what the command line accepts */
                   _("The blanks must be values, gradients or both, not “%s”"),
                   text != NULL ? text : "");
      return FALSE;
    }
  return TRUE;
}

/* --- friendly numbers --- */

static gboolean
is_integer (double v)
{
  return fabs (v - round (v)) < 1e-9;
}

/* A new number like `v`: an integer for an integer (in steps that keep
 * 100 a round number), one decimal otherwise; about the same size and
 * the same sign, so that the graph keeps its meaning (a ReLU still sees
 * negatives, a log still positives, a tax of 1.1 is still 1.something). */
static double
friendly_like (GRand  *rand,
               double  v)
{
  double mag = fabs (v);
  double sign = v < 0 ? -1.0 : 1.0;

  if (!isfinite (v))
    return v;
  if (mag == 0.0)
    return g_rand_int_range (rand, 0, 4);
  if (is_integer (v))
    {
      double step, lo, hi;

      if (mag < 10)
        return sign * g_rand_int_range (rand, 1, 10);
      /* 100 → steps of 10 between 50 and 200; 2500 → steps of 100 */
      step = pow (10, floor (log10 (mag)) - 1);
      lo = MAX (1, floor (mag / 2 / step));
      hi = MAX (lo + 1, ceil (mag * 2 / step));
      return sign * step * g_rand_int_range (rand, (gint32) lo, (gint32) hi + 1);
    }
  else
    {
      /* One decimal with the same whole part: a tax of 1.1 stays 1.x. */
      return sign * (floor (mag) + g_rand_int_range (rand, 1, 10) / 10.0);
    }
}

/* How unfriendly a number is: 0 for a short one (at most 3 decimals and
 * 6 digits), more the longer it gets; non-finite is worst. */
static double
number_cost (double v)
{
  double scaled;

  if (!isfinite (v))
    return 1e6;
  if (fabs (v) > MAX_FRIENDLY)
    return 100;
  scaled = v * 1000;
  if (fabs (scaled - round (scaled)) <= 1e-6 * MAX (1.0, fabs (scaled)))
    return 0;
  return 1;
}

static double
tensor_cost (const BpTensor *t)
{
  double cost = 0;

  if (t == NULL)
    return 0;
  for (gsize i = 0; i < bp_tensor_n_elements (t); i++)
    cost += number_cost (t->data[i]);
  return cost;
}

/* Labels t of a loss stay one-hot (or class numbers): new numbers there
 * would be no labels at all. */
static gboolean
is_label (BpNode *node)
{
  BpGraph *graph = bp_node_get_graph (node);
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    {
      BpNode *other = bp_graph_get_node (graph, i);
      const char *name = bp_node_get_op (other)->name;

      if ((g_str_equal (name, "cross_entropy") || g_str_equal (name, "softmax_with_loss"))
          && bp_node_get_input (other, 1) == node)
        return TRUE;
    }
  return FALSE;
}

static gboolean
varies (BpNode *node)
{
  const BpOp *op = bp_node_get_op (node);

  return bp_op_is_leaf (op) && !g_str_equal (op->name, "const") && !is_label (node);
}

/* New values for every varying leaf of `graph`. */
static void
draw_values (BpGraph *graph,
             GRand   *rand)
{
  guint n = bp_graph_get_n_nodes (graph);

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      g_autoptr(BpTensor) value = NULL;

      if (!varies (node))
        continue;
      value = bp_tensor_copy (bp_node_get_value (node));
      for (gsize k = 0; k < bp_tensor_n_elements (value); k++)
        value->data[k] = friendly_like (rand, value->data[k]);
      bp_node_set_value (node, value);
    }
}

static double
graph_cost (BpGraph *graph)
{
  guint n = bp_graph_get_n_nodes (graph);
  double cost = 0;

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);

      cost += tensor_cost (bp_node_get_value (node));
      cost += tensor_cost (bp_node_get_grad (node));
    }
  return cost;
}

static gboolean
same_leaf_values (BpGraph *a,
                  BpGraph *b)
{
  guint n = bp_graph_get_n_nodes (a);

  for (guint i = 0; i < n; i++)
    {
      BpNode *na = bp_graph_get_node (a, i);
      BpNode *nb = bp_graph_get_node (b, i);

      if (varies (na) && !bp_tensor_equal (bp_node_get_value (na), bp_node_get_value (nb), 0, 0))
        return FALSE;
    }
  return TRUE;
}

/* --- blanks --- */

static void
add_blank (Variant        *v,
           BpQuizFlags     kind,
           BpNode         *node,
           BpNode         *consumer,
           guint           slot,
           const BpTensor *answer)
{
  BpWorksheetBlank *blank = g_new0 (BpWorksheetBlank, 1);

  blank->number = v->blanks->len + 1;
  blank->kind = kind;
  blank->node = node;
  blank->consumer = consumer;
  blank->slot = slot;
  blank->answer = bp_tensor_copy (answer);
  g_ptr_array_add (v->blanks, blank);
}

/* The blanks in the order a student meets them: values as the forward
 * pass computes them, then gradients as the backward pass sends them. */
static void
collect_blanks (Variant         *v,
                BpWorksheetHide  hide)
{
  BpTrace *trace = bp_graph_get_trace (v->graph);
  BpNode *output = bp_graph_get_output (v->graph);
  guint n_steps = bp_trace_get_n_steps (trace);

  v->blanks = g_ptr_array_new_with_free_func (blank_free);

  if (hide & BP_WORKSHEET_HIDE_VALUES)
    {
      v->hidden_values = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < bp_trace_get_n_forward (trace); i++)
        {
          const BpStep *step = bp_trace_get_step (trace, i);

          /* A value is written on the arrows leaving its node. */
          if (bp_op_is_leaf (bp_node_get_op (step->node))
              || (step->node != output && bp_graph_get_n_consumers (v->graph, step->node) == 0))
            continue;
          g_hash_table_add (v->hidden_values, step->node);
          add_blank (v, BP_QUIZ_VALUE, step->node, NULL, 0, step->value);
        }
    }

  if (hide & BP_WORKSHEET_HIDE_GRADIENTS)
    {
      v->hidden_grads = g_hash_table_new (NULL, NULL);
      for (guint i = bp_trace_get_n_forward (trace); i < n_steps; i++)
        {
          const BpStep *step = bp_trace_get_step (trace, i);

          for (guint s = 0; s < step->n_inputs; s++)
            {
              BpNode *input = bp_node_get_input (step->node, s);

              if (input == NULL || step->downstream[s] == NULL)
                continue;
              g_hash_table_add (v->hidden_grads, input);
              add_blank (v, BP_QUIZ_GRAD, input, step->node, s, step->downstream[s]);
            }
        }
    }
}

static gboolean
run_passes (BpGraph  *graph,
            GError  **error)
{
  if (!bp_graph_validate (graph, error))
    return FALSE;
  if (bp_graph_get_output (graph) == NULL)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   _("The graph has no single output to make a worksheet of"));
      return FALSE;
    }
  return bp_graph_backward (graph, error);
}

BpWorksheet *
bp_worksheet_new (BpDocument       *document,
                  guint             n_variants,
                  guint64           seed,
                  BpWorksheetHide   hide,
                  GError          **error)
{
  g_autoptr(BpWorksheet) self = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autoptr(BpGraph) source = NULL;
  guint32 seed_words[2] = { (guint32) (seed & 0xffffffffu), (guint32) (seed >> 32) };
  const char *title;
  guint max_draws;

  g_return_val_if_fail (BP_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail ((hide & BP_WORKSHEET_HIDE_BOTH) != 0, NULL);

  if (n_variants < 1 || n_variants > BP_WORKSHEET_MAX_VARIANTS)
    {
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the number asked for, then the largest */
                   _("A worksheet has 1 to %2$u variants, not %1$u"),
                   n_variants, BP_WORKSHEET_MAX_VARIANTS);
      return NULL;
    }

  source = bp_graph_copy (bp_document_get_graph (document));
  bp_graph_set_record_trace (source, FALSE);
  if (!run_passes (source, error))
    return NULL;

  self = g_new0 (BpWorksheet, 1);
  title = bp_document_get_title (document);
  self->title = g_strdup (title != NULL && *title != '\0' ? title : _("Backpropagation"));
  self->seed = seed;
  self->hide = hide;
  self->variants = g_ptr_array_new_with_free_func (variant_free);
  rand = g_rand_new_with_seed_array (seed_words, G_N_ELEMENTS (seed_words));
  max_draws = CLAMP (DRAW_BUDGET / MAX (bp_graph_get_n_nodes (source), 1), MIN_DRAWS, MAX_DRAWS);

  for (guint k = 0; k < n_variants; k++)
    {
      g_autoptr(BpGraph) best = NULL;
      double best_cost = INFINITY;
      Variant *v;

      for (guint draw = 0; draw < max_draws && best_cost > 0; draw++)
        {
          g_autoptr(BpGraph) candidate = bp_graph_copy (source);
          gboolean repeated = FALSE;
          double cost;

          bp_graph_set_record_trace (candidate, FALSE);
          draw_values (candidate, rand);
          if (!bp_graph_backward (candidate, NULL))
            continue;
          cost = graph_cost (candidate);
          /* Each variant its own numbers, when the graph has room. */
          for (guint j = 0; j < self->variants->len && !repeated; j++)
            repeated = same_leaf_values (candidate,
                                         ((Variant *) g_ptr_array_index (self->variants, j))->graph);
          if (repeated)
            cost += 1000;
          if (cost < best_cost)
            {
              best_cost = cost;
              g_set_object (&best, candidate);
            }
        }
      if (best == NULL)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       _("No values could be found for which the graph can be computed"));
          return NULL;
        }

      v = g_new0 (Variant, 1);
      v->graph = g_steal_pointer (&best);
      bp_graph_set_record_trace (v->graph, TRUE);
      if (!bp_graph_backward (v->graph, error))
        {
          variant_free (v);
          return NULL;
        }
      collect_blanks (v, hide);
      g_ptr_array_add (self->variants, v);
      if (v->blanks->len == 0)
        {
          g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                       (hide & BP_WORKSHEET_HIDE_GRADIENTS)
                       ? _("The graph has no arrow to put a blank on")
                       : _("The graph computes nothing from its inputs: there is no value to ask for"));
          return NULL;
        }
    }

  return g_steal_pointer (&self);
}

/* --- getters --- */

static Variant *
get_variant (BpWorksheet *self,
             guint        variant)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (variant < self->variants->len, NULL);

  return g_ptr_array_index (self->variants, variant);
}

const char *
bp_worksheet_get_title (BpWorksheet *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->title;
}

guint64
bp_worksheet_get_seed (BpWorksheet *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->seed;
}

BpWorksheetHide
bp_worksheet_get_hide (BpWorksheet *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->hide;
}

guint
bp_worksheet_get_n_variants (BpWorksheet *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->variants->len;
}

BpGraph *
bp_worksheet_get_graph (BpWorksheet *self,
                        guint        variant)
{
  Variant *v = get_variant (self, variant);

  return v != NULL ? v->graph : NULL;
}

BpTrace *
bp_worksheet_get_trace (BpWorksheet *self,
                        guint        variant)
{
  Variant *v = get_variant (self, variant);

  return v != NULL ? bp_graph_get_trace (v->graph) : NULL;
}

guint
bp_worksheet_get_n_blanks (BpWorksheet *self,
                           guint        variant)
{
  Variant *v = get_variant (self, variant);

  return v != NULL ? v->blanks->len : 0;
}

const BpWorksheetBlank *
bp_worksheet_get_blank (BpWorksheet *self,
                        guint        variant,
                        guint        index)
{
  Variant *v = get_variant (self, variant);

  g_return_val_if_fail (v != NULL && index < v->blanks->len, NULL);
  return g_ptr_array_index (v->blanks, index);
}

GHashTable *
bp_worksheet_get_hidden_values (BpWorksheet *self,
                                guint        variant)
{
  Variant *v = get_variant (self, variant);

  return v != NULL ? v->hidden_values : NULL;
}

GHashTable *
bp_worksheet_get_hidden_grads (BpWorksheet *self,
                               guint        variant)
{
  Variant *v = get_variant (self, variant);

  return v != NULL ? v->hidden_grads : NULL;
}

BpDocument *
bp_worksheet_get_document (BpWorksheet *self,
                           guint        variant)
{
  Variant *v = get_variant (self, variant);
  g_autoptr(BpGraph) copy = NULL;
  g_autofree char *title = NULL;
  BpDocument *document;

  if (v == NULL)
    return NULL;
  copy = bp_graph_copy (v->graph);
  document = bp_document_new_for_graph (copy);
  /* Translators: the worksheet's title and the number of a variant */
  title = g_strdup_printf (_("%s — variant %u"), self->title, variant + 1);
  bp_document_set_title (document, title);
  return document;
}

/* --- texts --- */

char *
bp_worksheet_describe_blank (const BpWorksheetBlank *blank)
{
  g_return_val_if_fail (blank != NULL, NULL);

  if (blank->kind == BP_QUIZ_VALUE)
    /* Translators: a blank of a worksheet; %s is a node's name */
    return g_strdup_printf (_("the value of “%s”"), bp_node_get_label (blank->node));
  /* Translators: a blank of a worksheet: the gradient (DG) that the first
   * node sends back along the arrow to the second */
  return g_strdup_printf (_("the gradient “%s” sends to “%s”"),
                          bp_node_get_label (blank->consumer), bp_node_get_label (blank->node));
}

char *
bp_worksheet_describe_givens (BpWorksheet *self,
                              guint        variant)
{
  Variant *v = get_variant (self, variant);
  g_autoptr(GString) out = g_string_new (NULL);
  guint n;

  if (v == NULL)
    return NULL;
  n = bp_graph_get_n_nodes (v->graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (v->graph, i);
      g_autofree char *value = NULL;

      if (!bp_op_is_leaf (bp_node_get_op (node)))
        continue;
      value = bp_tensor_to_string (bp_node_get_value (node), 6);
      /* A constant named by its value ("1") needs no "1 = 1". */
      if (g_strcmp0 (value, bp_node_get_label (node)) == 0)
        continue;
      g_string_append_printf (out, "%s%s = %s", out->len > 0 ? ", " : "",
                              bp_node_get_label (node), value);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

double
bp_worksheet_tolerance (double answer)
{
  return MAX (0.005, fabs (answer) * 0.005);
}

/* --- Moodle XML --- */

/* "price = apple price × tax": the node's computation, for a question
 * that has no picture. */
static void
append_node_formula (GString *out,
                     BpNode  *node)
{
  const BpOp *op = bp_node_get_op (node);
  guint n = bp_node_get_n_inputs (node);

  g_string_append_printf (out, "%s = ", bp_node_get_label (node));
  if (n == 2 && op->kind == BP_OP_KIND_OPERATION)
    {
      BpNode *x = bp_node_get_input (node, 0);
      BpNode *y = bp_node_get_input (node, 1);

      g_string_append_printf (out, "%s %s %s", x ? bp_node_get_label (x) : "?", op->symbol,
                              y ? bp_node_get_label (y) : "?");
      return;
    }
  g_string_append_printf (out, "%s(", op->name);
  for (guint s = 0; s < n; s++)
    {
      BpNode *in = bp_node_get_input (node, s);

      g_string_append_printf (out, "%s%s", s > 0 ? ", " : "", in ? bp_node_get_label (in) : "?");
    }
  g_string_append_c (out, ')');
  if (op->attrs & (BP_ATTR_AXIS | BP_ATTR_TIMES | BP_ATTR_POWER))
    {
      const BpAttrs *attrs = bp_node_get_attrs (node);

      if (op->attrs & BP_ATTR_AXIS && attrs->axis >= 0)
        g_string_append_printf (out, ", axis %d", attrs->axis);
      if (op->attrs & BP_ATTR_TIMES)
        g_string_append_printf (out, ", %u times", attrs->times);
      if (op->attrs & BP_ATTR_POWER)
        {
          g_autofree char *p = bp_format_number (attrs->power, 6);
          g_string_append_printf (out, ", power %s", p);
        }
    }
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (out, escaped);
}

/* Numbers in the file: shortest text that reads back the same. */
static void
append_number (GString *out,
               double   v)
{
  g_autofree char *text = bp_format_number (v, BP_FORMAT_EXACT);

  g_string_append (out, text);
}

char *
bp_worksheet_to_moodle_xml (BpWorksheet *self,
                            gsize       *length)
{
  g_autoptr(GString) out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");

  g_return_val_if_fail (self != NULL, NULL);

  g_string_append (out, "  <question type=\"category\">\n    <category><text>$course$/");
  append_escaped (out, self->title);
  g_string_append (out, "</text></category>\n  </question>\n");

  for (guint k = 0; k < self->variants->len; k++)
    {
      Variant *v = g_ptr_array_index (self->variants, k);
      g_autofree char *givens = bp_worksheet_describe_givens (self, k);
      g_autoptr(GString) context = g_string_new (NULL);
      BpNode *const *order;
      guint n_order;

      /* The graph in words: given values, then each computed node. Every
       * question repeats it, so a big graph refers to the printed sheet
       * instead of growing the file with the square of its size. */
      g_string_append (context, "<p>");
      append_escaped (context, givens);
      g_string_append (context, "</p><p>");
      order = bp_graph_get_order (v->graph, &n_order);
      for (guint i = 0, written = 0; i < n_order; i++)
        {
          g_autoptr(GString) formula = g_string_new (NULL);

          if (bp_op_is_leaf (bp_node_get_op (order[i])))
            continue;
          append_node_formula (formula, order[i]);
          if (written++ > 0)
            g_string_append (context, "<br/>");
          append_escaped (context, formula->str);
        }
      g_string_append (context, "</p>");
      if (context->len > MAX_CONTEXT)
        {
          g_autofree char *see = NULL;

          g_string_truncate (context, 0);
          /* Translators: instead of the whole graph in a question */
          see = g_strdup_printf (_("The graph and its given values are those of variant %u of the printed worksheet."),
                                 k + 1);
          g_string_append (context, "<p>");
          append_escaped (context, see);
          g_string_append (context, "</p>");
        }

      for (guint b = 0; b < v->blanks->len; b++)
        {
          BpWorksheetBlank *blank = g_ptr_array_index (v->blanks, b);
          g_autofree char *what = bp_worksheet_describe_blank (blank);
          gsize n = bp_tensor_n_elements (blank->answer);

          for (gsize e = 0; e < n; e++)
            {
              double answer = blank->answer->data[e];
              g_autofree char *name = NULL;
              g_autofree char *ask = NULL;

              /* NaN or ∞ is no number a student can type. */
              if (!isfinite (answer))
                continue;
              if (n == 1)
                /* Translators: the title of a Moodle question: worksheet
                 * title, variant number, blank number */
                name = g_strdup_printf (_("%s — variant %u, blank %u"), self->title, k + 1,
                                        blank->number);
              else
                /* Translators: as above, then the row and column of a matrix element */
                name = g_strdup_printf (_("%s — variant %u, blank %u [%u, %u]"), self->title, k + 1,
                                        blank->number, (guint) (e / blank->answer->cols) + 1,
                                        (guint) (e % blank->answer->cols) + 1);
              if (n == 1)
                /* Translators: the question; %u the blank's number, %s what it is */
                ask = g_strdup_printf (_("Blank %u: what is %s?"), blank->number, what);
              else
                /* Translators: the question for one element of a matrix */
                ask = g_strdup_printf (_("Blank %u: what is %s, row %u, column %u?"),
                                       blank->number, what, (guint) (e / blank->answer->cols) + 1,
                                       (guint) (e % blank->answer->cols) + 1);

              g_string_append (out, "  <question type=\"numerical\">\n    <name><text>");
              append_escaped (out, name);
              g_string_append (out, "</text></name>\n    <questiontext format=\"html\"><text><![CDATA[");
              g_string_append (out, context->str);
              g_string_append (out, "<p>");
              {
                g_autofree char *escaped = g_markup_escape_text (ask, -1);
                g_string_append (out, escaped);
              }
              g_string_append (out, "</p>]]></text></questiontext>\n"
                                    "    <defaultgrade>1</defaultgrade>\n"
                                    "    <answer fraction=\"100\">\n      <text>");
              append_number (out, answer);
              g_string_append (out, "</text>\n      <tolerance>");
              append_number (out, bp_worksheet_tolerance (answer));
              g_string_append (out, "</tolerance>\n    </answer>\n  </question>\n");
            }
        }
    }
  g_string_append (out, "</quiz>\n");

  if (length != NULL)
    *length = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
bp_worksheet_save_moodle_xml (BpWorksheet  *self,
                              const char   *path,
                              GError      **error)
{
  g_autofree char *xml = NULL;
  gsize length = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  xml = bp_worksheet_to_moodle_xml (self, &length);
  return g_file_set_contents (path, xml, (gssize) length, error);
}
