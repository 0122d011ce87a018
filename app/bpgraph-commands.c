/* SPDX-License-Identifier: MIT */
/* The commands of bpgraph that need the engine only: eval, check,
 * examples and train. Both bpgraph and bpgraph-render run them (see
 * bpgraph.c for when bpgraph hands one over).
 * Exit codes: 0 ok, 1 bad input (message on stderr), 2 usage. */

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpgraph-cli.h"
#include "bpgraph-commands.h"
#include "bp-document.h"
#include "bp-examples.h"
#include "bp-expr.h"
#include "bp-file.h"
#include "bp-gradcheck.h"
#include "bp-graph.h"
#include "bp-json.h"
#include "bp-tensor.h"
#include "bp-train.h"

/* eval's document, left for the process's exit to free (see there);
 * volatile, so that the compiler keeps the store nobody reads. */
static BpDocument *volatile document_at_exit;

/* The default bound of the check: two forward passes per element. */
#define CHECK_MAX_ELEMENTS  4096

/* ---------------------------------------------------------------- */
/* eval                                                              */

#define EVAL_JSON_CHUNK (64 * 1024)
/* Room past the chunk for one piece: a node with short strings and
 * scalars, or a number with its quotes and comma, or a short string;
 * longer strings go out on their own. */
#define EVAL_JSON_SLACK 512

/* eval --json's text, written straight into one buffer and out in pieces
 * of about EVAL_JSON_CHUNK bytes: a large graph's whole text would be
 * more memory than the graph, and a GString append per piece (several
 * per number) was a tenth of the command. */
typedef struct
{
  gsize len;   /* below EVAL_JSON_CHUNK between calls */
  char  buf[EVAL_JSON_CHUNK + EVAL_JSON_SLACK];
} EvalOut;

static void
eval_out_flush (EvalOut *out)
{
  fwrite (out->buf, 1, out->len, stdout);
  out->len = 0;
}

/* After each piece: the slack keeps room for the next. */
static inline void
eval_out_advance (EvalOut *out,
                  char    *end)
{
  out->len = end - out->buf;
  if (G_UNLIKELY (out->len >= EVAL_JSON_CHUNK))
    eval_out_flush (out);
}

static inline void
eval_out_raw (EvalOut    *out,
              const char *text,
              gsize       len)
{
  if (G_UNLIKELY (len > EVAL_JSON_SLACK))
    {
      eval_out_flush (out);
      fwrite (text, 1, len, stdout);
      return;
    }
  memcpy (out->buf + out->len, text, len);
  eval_out_advance (out, out->buf + out->len + len);
}

#define eval_out_literal(out, literal) \
  eval_out_raw ((out), "" literal, sizeof (literal) - 1)

/* As bp_json_append_string() writes it. */
/* The bytes a JSON string takes as they are: printable ASCII but the
 * quote and the backslash. */
static const guint8 json_plain[256] = {
  [0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
};

static G_NO_INLINE void
eval_out_escaped (EvalOut    *out,
                  const char *text)
{
  g_autoptr(GString) escaped = g_string_new (NULL);

  bp_json_append_string (escaped, text);
  eval_out_raw (out, escaped->str, escaped->len);
}

static inline void
eval_out_string (EvalOut    *out,
                 const char *text)
{
  /* Ids, op names and labels are mostly printable ASCII, copied as they
   * are while they are checked; a short one fits in the slack. */
  char *start = out->buf + out->len;
  char *p = start + 1;
  char *limit = start + EVAL_JSON_SLACK - 1;
  const char *s = text;

  while (json_plain[(guchar) *s] && p < limit)
    *p++ = *s++;
  if (G_LIKELY (*s == '\0'))
    {
      *start = '"';
      *p++ = '"';
      eval_out_advance (out, p);
    }
  else
    eval_out_escaped (out, text);
}

/* Op names as they are written, quoted, by op: a graph has a few kinds
 * of op and many nodes. A small open-addressed table keyed by the op's
 * address; a name that does not fit is written each time. */
#define EVAL_OP_NAMES     32
#define EVAL_OP_NAME_SIZE 32

typedef struct
{
  const BpOp *op;
  gsize       len;
  char        text[EVAL_OP_NAME_SIZE];
} EvalOpName;

/* Writes the name of an op not in the table, and keeps it in `slot` (an
 * empty one, or NULL when the table is full) if it fits. */
static G_NO_INLINE void
eval_out_new_op_name (EvalOut    *out,
                      EvalOpName *slot,
                      const BpOp *op)
{
  g_autoptr(GString) quoted = g_string_new (NULL);

  bp_json_append_string (quoted, op->name);
  if (slot != NULL && quoted->len <= EVAL_OP_NAME_SIZE)
    {
      slot->op = op;
      slot->len = quoted->len;
      memcpy (slot->text, quoted->str, quoted->len);
    }
  eval_out_raw (out, quoted->str, quoted->len);
}

/* As bp_json_append_tensor (…, TRUE) writes it. */
static G_NO_INLINE void
eval_out_matrix (EvalOut        *out,
                 const BpTensor *tensor)
{
  eval_out_literal (out, "[");
  for (guint r = 0; r < tensor->rows; r++)
    {
      if (r > 0)
        eval_out_literal (out, ", [");
      else
        eval_out_literal (out, "[");
      for (guint c = 0; c < tensor->cols; c++)
        {
          double v = bp_tensor_get (tensor, r, c);
          char *p = out->buf + out->len;

          if (c > 0)
            {
              *p++ = ',';
              *p++ = ' ';
            }
          /* Non-finite values are written as strings. */
          if (G_LIKELY (isfinite (v)))
            p += bp_format_exact (v, p);
          else
            {
              *p++ = '"';
              p += bp_format_exact (v, p);
              *p++ = '"';
            }
          eval_out_advance (out, p);
        }
      eval_out_literal (out, "]");
    }
  eval_out_literal (out, "]");
}

static inline void
eval_out_tensor (EvalOut        *out,
                 const BpTensor *tensor)
{
  /* A scalar in one piece: most of a large graph's. */
  if (G_LIKELY (tensor->rows == 1 && tensor->cols == 1 && isfinite (tensor->data[0])))
    {
      char *p = out->buf + out->len;

      memcpy (p, "[[", 2);
      p += 2;
      p += bp_format_exact (tensor->data[0], p);
      memcpy (p, "]]", 2);
      eval_out_advance (out, p + 2);
    }
  else
    eval_out_matrix (out, tensor);
}

/* The slot holding `op`'s name, or the empty one where it would go, or
 * NULL when the table is full. */
static inline EvalOpName *
eval_op_name_slot (EvalOpName *names,
                   const BpOp *op)
{
  guint start = (((guintptr) op * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 32) % EVAL_OP_NAMES;

  for (guint k = 0; k < EVAL_OP_NAMES; k++)
    {
      EvalOpName *slot = &names[(start + k) % EVAL_OP_NAMES];

      if (slot->op == op || slot->op == NULL)
        return slot;
    }
  return NULL;
}

/* A node piece by piece: any strings, any tensors. */
static void
eval_out_node (EvalOut    *out,
               BpNode     *node,
               EvalOpName *op_names,
               gboolean    first)
{
  const char *id = bp_node_get_id (node);
  BpTensor *value = bp_node_get_value (node);
  BpTensor *grad = bp_node_get_grad (node);
  const BpOp *op = bp_node_get_op (node);
  EvalOpName *slot = eval_op_name_slot (op_names, op);

  if (first)
    eval_out_literal (out, "\n  ");
  else
    eval_out_literal (out, ",\n  ");
  eval_out_string (out, id);
  eval_out_literal (out, ": {\"op\": ");
  if (slot != NULL && slot->op == op)
    eval_out_raw (out, slot->text, slot->len);
  else
    eval_out_new_op_name (out, slot, op);
  if (bp_node_has_label (node))
    {
      eval_out_literal (out, ", \"label\": ");
      eval_out_string (out, bp_node_get_label (node));
    }
  eval_out_literal (out, ", \"value\": ");
  if (value != NULL)
    eval_out_tensor (out, value);
  else
    eval_out_literal (out, "null");
  eval_out_literal (out, ", \"grad\": ");
  if (grad != NULL)
    eval_out_tensor (out, grad);
  else
    eval_out_literal (out, "null");
  eval_out_literal (out, "}");
}

/* Writes a string literal at `p` and moves `p` past it. */
#define eval_put_literal(p, literal) \
  ((void) memcpy ((p), "" literal, sizeof (literal) - 1), (p) += sizeof (literal) - 1)

/* The longest id or label that eval_out_node_fast() takes. */
#define EVAL_FAST_STRING 64

/* `text` quoted at `p` when it is plain (see json_plain) and at most
 * EVAL_FAST_STRING bytes: the end; otherwise NULL. */
static inline char *
eval_put_plain (char       *p,
                const char *text)
{
  const guchar *s = (const guchar *) text;
  char *q = p + 1;
  char *limit = q + EVAL_FAST_STRING;

  *p = '"';
  while (json_plain[*s])
    {
      if (G_UNLIKELY (q == limit))
        return NULL;
      *q++ = (char) *s++;
    }
  if (G_UNLIKELY (*s != '\0'))
    return NULL;
  *q++ = '"';
  return q;
}

/* NULL, or a 1×1 tensor of a finite number. */
static inline gboolean
eval_is_plain_scalar (const BpTensor *tensor)
{
  return tensor == NULL ||
         (tensor->rows == 1 && tensor->cols == 1 && isfinite (tensor->data[0]));
}

static inline char *
eval_put_scalar (char           *p,
                 const BpTensor *tensor)
{
  if (tensor == NULL)
    {
      memcpy (p, "null", 4);
      return p + 4;
    }
  memcpy (p, "[[", 2);
  p += 2;
  p += bp_format_exact (tensor->data[0], p);
  memcpy (p, "]]", 2);
  return p + 2;
}

/* The largest node eval_out_node_fast() writes: the separator, the id,
 * the op's fixed-size copy, the label's copy in pieces of 16, two
 * numbers of at most BP_FORMAT_EXACT_SIZE bytes, the punctuation. */
#define EVAL_FAST_NODE_SIZE (4 + (EVAL_FAST_STRING + 2) + 10 + EVAL_OP_NAME_SIZE + \
                             11 + (EVAL_FAST_STRING + 2 + 15) / 16 * 16 + \
                             2 * (11 + 4 + BP_FORMAT_EXACT_SIZE) + 1)
G_STATIC_ASSERT (EVAL_FAST_NODE_SIZE <= EVAL_JSON_SLACK);

/* Most nodes of a large graph: a short plain id and label, an op seen
 * before, scalar values. Written in one piece, with one check of the
 * buffer's room; FALSE, with nothing written, for any other node. */
static inline gboolean
eval_out_node_fast (EvalOut    *out,
                    BpNode     *node,
                    EvalOpName *op_names,
                    gboolean    first)
{
  const char *id = bp_node_get_id (node);
  const BpOp *op = bp_node_get_op (node);
  const EvalOpName *slot = eval_op_name_slot (op_names, op);
  BpTensor *value = bp_node_get_value (node);
  BpTensor *grad = bp_node_get_grad (node);
  char *p = out->buf + out->len;
  char *id_text;
  gsize id_len;

  if (slot == NULL || slot->op != op || !eval_is_plain_scalar (value) ||
      !eval_is_plain_scalar (grad))
    return FALSE;

  if (!first)
    *p++ = ',';
  eval_put_literal (p, "\n  ");
  id_text = p;
  p = eval_put_plain (p, id);
  if (p == NULL)
    return FALSE;
  id_len = p - id_text;
  eval_put_literal (p, ": {\"op\": ");
  /* The whole slot, a fixed size (moves, no call). */
  memcpy (p, slot->text, EVAL_OP_NAME_SIZE);
  p += slot->len;
  if (bp_node_has_label (node))
    {
      const char *label = bp_node_get_label (node);

      eval_put_literal (p, ", \"label\": ");
      /* A label that is the id (its very bytes, as a parsed graph has)
       * is copied from the id's text, 16 bytes at a time: each piece
       * is read before anything is written over it, as the id's text
       * ends more than 16 bytes before `p`. */
      if (label == id)
        {
          for (gsize i = 0; i < id_len; i += 16)
            memcpy (p + i, id_text + i, 16);
          p += id_len;
        }
      else if ((p = eval_put_plain (p, label)) == NULL)
        return FALSE;
    }
  eval_put_literal (p, ", \"value\": ");
  p = eval_put_scalar (p, value);
  eval_put_literal (p, ", \"grad\": ");
  p = eval_put_scalar (p, grad);
  *p++ = '}';
  eval_out_advance (out, p);
  return TRUE;
}

static void
print_eval_json (BpGraph *graph)
{
  BpNode *const *order;
  guint n;
  g_autofree EvalOut *out = g_new (EvalOut, 1);
  EvalOpName op_names[EVAL_OP_NAMES] = { { NULL } };

  order = bp_graph_get_order (graph, &n);
  out->len = 0;
  eval_out_literal (out, "{\"output\": ");
  eval_out_string (out, bp_node_get_id (bp_graph_get_output (graph)));
  eval_out_literal (out, ", \"nodes\": {");
  for (guint i = 0; i < n; i++)
    if (!eval_out_node_fast (out, order[i], op_names, i == 0))
      eval_out_node (out, order[i], op_names, i == 0);
  eval_out_literal (out, "\n}}\n");
  eval_out_flush (out);
}

static void
print_eval_text (BpGraph *graph)
{
  BpNode *const *order;
  guint n, width = 4;
  BpNode *output = bp_graph_get_output (graph);

  order = bp_graph_get_order (graph, &n);
  for (guint i = 0; i < n; i++)
    width = MAX (width, g_utf8_strlen (bp_node_get_id (order[i]), -1));
  width = MIN (width, 24);

  printf ("%-*s  %-17s  %-5s  %-24s  %s\n", width, "node", "op", "shape", "value",
          "grad (d output / d node)");
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = order[i];
      BpTensor *value = bp_node_get_value (node);
      BpTensor *grad = bp_node_get_grad (node);
      g_autofree char *shape = value ? bp_tensor_shape_string (value->rows, value->cols)
                                     : g_strdup ("?");
      g_autofree char *value_text = value ? bp_tensor_to_string (value, 6) : g_strdup ("-");
      g_autofree char *grad_text = grad ? bp_tensor_to_string (grad, 6) : g_strdup ("-");
      const char *id = bp_node_get_id (node);

      /* printf pads bytes; pad by characters for non-ASCII text. */
      printf ("%s%*s  %-17s  %s%*s  %s%*s  %s\n",
              id, (int) (width - MIN (width, g_utf8_strlen (id, -1))), "",
              bp_node_get_op (node)->name,
              shape, (int) (5 - MIN (5, g_utf8_strlen (shape, -1))), "",
              value_text, (int) (24 - MIN (24, g_utf8_strlen (value_text, -1))), "",
              grad_text);
    }
  if (output != NULL && bp_node_get_value (output) != NULL)
    {
      g_autofree char *text = bp_tensor_to_string (bp_node_get_value (output), 17);

      printf ("output: %s = %s\n", bp_node_get_id (output), text);
    }
}

static int
command_eval (int    argc,
              char **argv)
{
  g_autofree char *expression = NULL;
  gboolean json = FALSE;
  g_autoptr(BpDocument) document = NULL;
  BpGraph *graph;
  int status = BP_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    BP_CLI_EXPRESSION_OPTION (expression, N_("Evaluate this expression instead of a file")),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object with full double precision"), NULL },
    { NULL }
  };

  if (!bp_cli_parse_options ("eval", "FILE|-e EXPR",
                      N_("Runs the forward and the backward pass and prints every node's\n"
                      "value and its gradient d(output)/d(node)."),
                      entries, &argc, &argv, &status))
    return status;
  document = bp_cli_load_input ("eval", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);
  bp_graph_set_record_trace (graph, FALSE);
  if (!bp_cli_run_passes (graph, TRUE, &status))
    return status;

  if (json)
    print_eval_json (graph);
  else
    print_eval_text (graph);
  /* The process ends after this: the kernel takes a large graph's memory
   * back at once, where freeing its nodes one by one was a tenth of the
   * command. Held by a static, it stays reachable for leak checkers. */
  document_at_exit = g_steal_pointer (&document);
  return BP_CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* check                                                             */

/* The progress line of a long check, on a terminal only. */
typedef struct
{
  gboolean  tty;
  gboolean  shown;
  GTimer   *timer;
  double    last;
} CheckProgress;

static void
check_progress_cb (guint    done,
                   guint    total,
                   gpointer user_data)
{
  CheckProgress *progress = user_data;
  double t = g_timer_elapsed (progress->timer, NULL);

  /* Ten updates a second, after the first half second. */
  if (t < 0.5 || (t - progress->last < 0.1 && done < total))
    return;
  progress->last = t;
  progress->shown = TRUE;
  g_printerr ("\rchecking: %u of %u elements (%u%%), %.0f s", done, total,
              (guint) (100.0 * done / MAX (total, 1)), t);
}

static int
command_check (int    argc,
               char **argv)
{
  g_autofree char *expression = NULL;
  gboolean json = FALSE;
  double epsilon = 0;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpGradCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  BpGraph *graph;
  gboolean agree;
  gboolean sample = FALSE;
  int max_elements = CHECK_MAX_ELEMENTS;
  int seed = 1;
  guint64 n_elements;
  CheckProgress progress = { 0, };
  int status = BP_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    BP_CLI_EXPRESSION_OPTION (expression, N_("Check this expression instead of a file")),
    { "epsilon", 0, 0, G_OPTION_ARG_DOUBLE, &epsilon,
      N_("Step of the central differences (default: 1e-5 scaled to each value)"), "H" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { "max-elements", 0, 0, G_OPTION_ARG_INT, &max_elements,
      N_("Check at most N leaf elements, two forward passes each (default: 4096; 0: no bound)"), "N" },
    { "sample", 0, 0, G_OPTION_ARG_NONE, &sample,
      N_("Above --max-elements, check N elements chosen at random instead of failing"), NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed,
      N_("Seed of the --sample choice (default: 1)"), "S" },
    { NULL }
  };

  if (!bp_cli_parse_options ("check", "FILE|-e EXPR",
                      N_("Compares the gradients of backpropagation with central differences\n"
                      "for every element of every leaf. Exits with 1 when they disagree."),
                      entries, &argc, &argv, &status))
    return status;
  if (!(epsilon >= 0) || !isfinite (epsilon))
    return bp_cli_usage_error (_("check: --epsilon must be a positive number"));
  if (max_elements < 0)
    return bp_cli_usage_error (_("check: --max-elements must be 0 (no bound) or more"));
  document = bp_cli_load_input ("check", argc, argv, expression, &status);
  if (document == NULL)
    return status;
  graph = bp_document_get_graph (document);
  bp_graph_set_record_trace (graph, FALSE);
  if (!bp_cli_run_passes (graph, FALSE, &status))
    return status;

  n_elements = bp_grad_check_count_elements (graph);
  if (max_elements > 0 && n_elements > (guint64) max_elements && !sample)
    {
      g_printerr ("bpgraph: the leaves have %" G_GUINT64_FORMAT " elements, more than "
                  "--max-elements %d (each costs two forward passes); raise "
                  "--max-elements, or add --sample to check %d of them chosen at "
                  "random (--seed S)\n", n_elements, max_elements, max_elements);
      return BP_CLI_EXIT_INPUT;
    }
  progress.tty = isatty (STDERR_FILENO);
  progress.timer = g_timer_new ();
  check = bp_grad_check_run_full (graph, epsilon, (guint) max_elements,
                                  sample ? BP_GRAD_CHECK_SAMPLE : BP_GRAD_CHECK_DEFAULT,
                                  (guint32) seed, progress.tty ? check_progress_cb : NULL,
                                  &progress, NULL, &error);
  if (progress.shown)
    g_printerr ("\r%*s\r", 60, "");
  g_clear_pointer (&progress.timer, g_timer_destroy);
  if (check == NULL)
    return bp_cli_input_error (NULL, error);
  if (check->n_checked < check->n_elements && !json)
    printf (_("sampled %u of %u leaf elements at random (seed %d)\n"),
            check->n_checked, check->n_elements, seed);
  agree = bp_grad_check_agrees (check);

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\"agree\": ");

      g_string_append (out, agree ? "true" : "false");
      g_string_append (out, ", \"max_abs_error\": ");
      bp_json_append_number (out, check->max_abs_error);
      g_string_append (out, ", \"max_rel_error\": ");
      bp_json_append_number (out, check->max_rel_error);
      g_string_append_printf (out, ", \"numeric_forward_evals\": %u, "
                              "\"backprop_forward_evals\": %u, "
                              "\"backprop_backward_evals\": %u, \"leaf_elements\": %u, "
                              "\"checked_elements\": %u, ",
                              check->numeric_forward_evals, check->backprop_forward_evals,
                              check->backprop_backward_evals, check->n_elements,
                              check->n_checked);
      if (check->has_book_rule)
        {
          g_string_append (out, "\"book_rule_difference\": ");
          bp_json_append_number (out, check->book_rule_difference);
          g_string_append (out, ", \"max_abs_error_exact\": ");
          bp_json_append_number (out, check->max_abs_error_exact);
          g_string_append (out, ", \"max_rel_error_exact\": ");
          bp_json_append_number (out, check->max_rel_error_exact);
          g_string_append (out, ", ");
        }
      g_string_append (out, "\"leaves\": {");
      for (guint i = 0; i < check->leaves->len; i++)
        {
          BpGradCheckLeaf *leaf = g_ptr_array_index (check->leaves, i);

          g_string_append (out, i > 0 ? ",\n  " : "\n  ");
          bp_json_append_string (out, bp_node_get_id (leaf->node));
          g_string_append (out, ": {\"backprop\": ");
          bp_json_append_tensor (out, leaf->backprop, TRUE);
          g_string_append (out, ", \"numeric\": ");
          bp_json_append_tensor (out, leaf->numeric, TRUE);
          g_string_append (out, ", \"max_abs_error\": ");
          bp_json_append_number (out, leaf->max_abs_error);
          g_string_append (out, ", \"max_rel_error\": ");
          bp_json_append_number (out, leaf->max_rel_error);
          if (leaf->exact != NULL)
            {
              g_string_append (out, ", \"exact\": ");
              bp_json_append_tensor (out, leaf->exact, TRUE);
            }
          g_string_append_c (out, '}');
        }
      g_string_append (out, "\n}}\n");
      fwrite (out->str, 1, out->len, stdout);
    }
  else
    {
      printf ("%-16s  %-5s  %-24s  %-24s  %-10s  %s\n", "leaf", "shape", "backprop",
              "numeric", "abs error", "rel error");
      for (guint i = 0; i < check->leaves->len; i++)
        {
          BpGradCheckLeaf *leaf = g_ptr_array_index (check->leaves, i);
          g_autofree char *shape = bp_tensor_shape_string (leaf->backprop->rows,
                                                           leaf->backprop->cols);
          g_autofree char *bp = bp_tensor_to_string (leaf->backprop, 6);
          g_autofree char *num = bp_tensor_to_string (leaf->numeric, 6);
          const char *id = bp_node_get_id (leaf->node);

          printf ("%s%*s  %s%*s  %s%*s  %s%*s  %-10.2e  %.2e\n",
                  id, (int) (16 - MIN (16, g_utf8_strlen (id, -1))), "",
                  shape, (int) (5 - MIN (5, g_utf8_strlen (shape, -1))), "",
                  bp, (int) (24 - MIN (24, g_utf8_strlen (bp, -1))), "",
                  num, (int) (24 - MIN (24, g_utf8_strlen (num, -1))), "",
                  leaf->max_abs_error, leaf->max_rel_error);
        }
      {
        g_autofree char *summary = bp_grad_check_describe (check);

        printf ("max abs error %.3g, max rel error %.3g: %s\n",
                check->max_abs_error, check->max_rel_error,
                !agree ? _("MISMATCH between backprop and numerical differentiation")
                : bp_grad_check_explained_by_delta (check)
                ? _("backprop and numerical differentiation agree but for the 1e-7 (see below)")
                : _("backprop and numerical differentiation agree"));
        printf ("%s\n", summary);
      }
    }

  if (!agree)
    {
      g_printerr ("bpgraph: ");
      g_printerr (_("the gradients disagree (max relative error %.3g)"), check->max_rel_error);
      g_printerr ("\n");
      return BP_CLI_EXIT_INPUT;
    }
  return BP_CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* examples                                                          */

static int
command_examples (int    argc,
                  char **argv)
{
  g_autofree char *output = NULL;
  const BpExample *example;
  g_autoptr(GError) error = NULL;
  int status = BP_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the example NAME to this file (“-” for the standard output)"), "FILE" },
    { NULL }
  };

  if (!bp_cli_parse_options ("examples", "[NAME -o FILE]",
                      N_("Lists the built-in examples of the book, or writes one as a\n"
                      ".bpgraph document."),
                      entries, &argc, &argv, &status))
    return status;

  if (argc == 1)
    {
      const BpExample *all;
      guint n;

      if (output != NULL)
        return bp_cli_usage_error (_("examples: -o needs the NAME of an example"));
      all = bp_examples_get_all (&n);
      for (guint i = 0; i < n; i++)
        printf ("%-26s  %s\n", all[i].name, all[i].title ? bp_example_get_title (&all[i]) : "");
      return BP_CLI_EXIT_OK;
    }
  if (argc > 2)
    return bp_cli_usage_error (_("examples: only one NAME can be given"));
  if (output == NULL)
    return bp_cli_usage_error (_("examples: -o FILE is needed to write the example"));

  example = bp_examples_lookup (argv[1]);
  if (example == NULL)
    {
      g_autoptr(BpDocument) none = bp_examples_load (argv[1], &error);

      return bp_cli_input_error (NULL, error);
    }
  if (g_str_equal (output, "-"))
    {
      fwrite (example->data, 1, example->length, stdout);
      return BP_CLI_EXIT_OK;
    }
  if (!bp_file_replace_contents (output, example->data, example->length, &error))
    return bp_cli_input_error (output, error);
  return BP_CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- */
/* train                                                             */

typedef struct
{
  gboolean json;
  gboolean bar;           /* a progress bar on a terminal */
  GString *epochs_json;
  double   epoch_loss;    /* sum over the epoch so far */
  guint    epoch_n;
  gint64   last_bar;      /* monotonic µs of the last redraw */
} TrainReport;

static void
draw_bar (const BpTrainProgress *p)
{
  int width = 30;
  int done = (int) (width * (double) p->iteration / MAX (p->last_iteration, 1));
  double left = p->iteration > 0
                ? p->seconds * (p->last_iteration - p->iteration) / p->iteration : 0;

  fprintf (stderr, "\r[%.*s%*s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
           "  loss %.4f  %.0f s left ",
           done, "##############################", width - done, "",
           p->iteration, p->last_iteration, p->loss, left);
  fflush (stderr);
}

static void
train_progress_cb (const BpTrainProgress *p,
                   gpointer               user_data)
{
  TrainReport *report = user_data;
  gint64 now;

  report->epoch_loss += p->loss;
  report->epoch_n++;

  if (p->epoch_end)
    {
      double mean = report->epoch_loss / MAX (report->epoch_n, 1);

      if (report->bar)
        fputs ("\r\033[K", stderr);
      if (report->json)
        {
          g_string_append (report->epochs_json, report->epochs_json->len > 0 ? ",\n    " : "\n    ");
          g_string_append_printf (report->epochs_json,
                                  "{\"epoch\": %u, \"iteration\": %" G_GUINT64_FORMAT ", \"loss\": ",
                                  p->epoch, p->iteration);
          bp_json_append_number (report->epochs_json, mean);
          g_string_append (report->epochs_json, ", \"train_accuracy\": ");
          bp_json_append_number (report->epochs_json, p->train_accuracy);
          g_string_append (report->epochs_json, ", \"test_accuracy\": ");
          bp_json_append_number (report->epochs_json, p->test_accuracy);
          g_string_append (report->epochs_json, "}");
        }
      else
        {
          printf ("epoch %3u  iteration %7" G_GUINT64_FORMAT "  loss %.4f  train %.2f %%  test %.2f %%\n",
                  p->epoch, p->iteration, mean, 100 * p->train_accuracy, 100 * p->test_accuracy);
          fflush (stdout);
        }
      report->epoch_loss = 0;
      report->epoch_n = 0;
    }

  now = g_get_monotonic_time ();
  if (report->bar && (now - report->last_bar > 100000 || p->iteration == p->last_iteration))
    {
      report->last_bar = now;
      draw_bar (p);
    }
}

static int
command_train (int    argc,
               char **argv)
{
  g_autofree char *data = NULL;
  g_autofree char *output = NULL;
  g_autofree char *optimizer = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *init = NULL;
  int iterations = -1, batch = -1;
  double lr = -1;
  gboolean json = FALSE;
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpTrainSettings) settings = NULL;
  g_autoptr(BpDataset) dataset = NULL;
  g_autoptr(BpTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = NULL;
  TrainReport report = { 0, };
  double train_acc = 0, test_acc = 0, seconds;
  GArray *losses;
  int status = BP_CLI_EXIT_OK;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_STRING, &data,
      "fashion-mnist, xor, circles, moons, spiral, or a folder of IDX files", "NAME|DIR" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "Iterations (mini-batches)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Examples per mini-batch", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Learning rate", "R" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, "sgd, momentum or adam", "NAME" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init, "Weight initialisation: gaussian, he or xavier", "NAME" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "Seed of the initial weights and the batches", "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write the trained document (params and settings) here", "OUT.bpgraph" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL },
    { NULL }
  };

  if (!bp_cli_parse_options ("train", "FILE",
                      "Trains the graph's param leaves on a data set, as the book's 5.7:\n"
                      "mini-batches, backpropagation, an optimizer; prints the loss and the\n"
                      "accuracy per epoch. Settings not given come from the document's\n"
                      "\"training\" member, else the book's (batch 100, learning rate 0.1, SGD).",
                      entries, &argc, &argv, &status))
    return status;
  document = bp_cli_load_input ("train", argc, argv, NULL, &status);
  if (document == NULL)
    return status;

  settings = bp_document_get_training (document) != NULL
             ? bp_train_settings_copy (bp_document_get_training (document))
             : bp_train_settings_new ();
  /* A run starts from fresh params, so that it repeats. */
  settings->trained_iterations = 0;
  if (data != NULL)
    {
      g_free (settings->data);
      settings->data = g_strdup (data);
    }
  if (iterations != -1)
    {
      if (iterations < 1)
        return bp_cli_usage_error ("train: --iterations must be 1 or more");
      settings->iterations = iterations;
    }
  if (batch != -1)
    {
      if (batch < 1 || (guint) batch > BP_TRAIN_MAX_BATCH)
        return bp_cli_usage_error ("train: --batch must be from 1 to %u", BP_TRAIN_MAX_BATCH);
      settings->batch_size = batch;
    }
  if (lr != -1)
    {
      if (!(lr > 0) || !isfinite (lr))
        return bp_cli_usage_error ("train: --lr must be a number above 0");
      settings->learning_rate = lr;
    }
  if (optimizer != NULL && !bp_optimizer_kind_from_string (optimizer, &settings->optimizer))
    return bp_cli_usage_error ("train: --optimizer must be sgd, momentum or adam, not “%s”", optimizer);
  if (init != NULL && !bp_init_kind_from_string (init, &settings->init))
    return bp_cli_usage_error ("train: --init must be gaussian, he or xavier, not “%s”", init);
  if (seed != NULL)
    {
      guint64 s;

      if (!g_ascii_string_to_unsigned (seed, 10, 0, G_MAXINT64, &s, NULL))
        return bp_cli_usage_error ("train: --seed must be a whole number, not “%s”", seed);
      settings->seed = s;
    }

  dataset = bp_dataset_load (settings->data, settings->seed, &error);
  if (dataset == NULL)
    return bp_cli_input_error (NULL, error);
  trainer = bp_trainer_new (bp_document_get_graph (document), settings, dataset, &error);
  if (trainer == NULL)
    return bp_cli_input_error (argv[1], error);

  report.json = json;
  report.bar = isatty (STDERR_FILENO);
  report.epochs_json = g_string_new (NULL);
  timer = g_timer_new ();
  if (!bp_trainer_run (trainer, settings->iterations, train_progress_cb, &report, NULL, &error))
    {
      g_string_free (report.epochs_json, TRUE);
      return bp_cli_input_error (argv[1], error);
    }
  seconds = g_timer_elapsed (timer, NULL);
  if (report.bar)
    fputs ("\r\033[K", stderr);

  if (!bp_trainer_evaluate (trainer, BP_DATASET_TRAIN, 0, &train_acc, &error) ||
      !bp_trainer_evaluate (trainer, BP_DATASET_TEST, 0, &test_acc, &error))
    {
      g_string_free (report.epochs_json, TRUE);
      return bp_cli_input_error (argv[1], error);
    }
  losses = bp_trainer_get_losses (trainer);

  if (json)
    {
      g_autoptr(GString) out = g_string_new ("{\n  \"data\": ");

      bp_json_append_string (out, bp_dataset_get_name (dataset));
      g_string_append_printf (out, ",\n  \"iterations\": %u,\n  \"batch_size\": %u,\n"
                              "  \"learning_rate\": ", settings->iterations, settings->batch_size);
      bp_json_append_number (out, settings->learning_rate);
      g_string_append_printf (out, ",\n  \"optimizer\": \"%s\",\n  \"seed\": %" G_GUINT64_FORMAT
                              ",\n  \"seconds\": ",
                              bp_optimizer_kind_to_string (settings->optimizer), settings->seed);
      bp_json_append_number (out, seconds);
      g_string_append (out, ",\n  \"final\": {\"loss\": ");
      bp_json_append_number (out, g_array_index (losses, double, losses->len - 1));
      g_string_append (out, ", \"train_accuracy\": ");
      bp_json_append_number (out, train_acc);
      g_string_append (out, ", \"test_accuracy\": ");
      bp_json_append_number (out, test_acc);
      g_string_append_printf (out, "},\n  \"epochs\": [%s%s],\n  \"losses\": [",
                              report.epochs_json->str, report.epochs_json->len > 0 ? "\n  " : "");
      for (guint i = 0; i < losses->len; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          bp_json_append_number (out, g_array_index (losses, double, i));
        }
      g_string_append (out, "]\n}\n");
      fputs (out->str, stdout);
    }
  else
    printf ("done: %u iterations in %.1f s  loss %.4f  train %.2f %%  test %.2f %%\n",
            settings->iterations, seconds, g_array_index (losses, double, losses->len - 1),
            100 * train_acc, 100 * test_acc);
  g_string_free (report.epochs_json, TRUE);

  if (output != NULL)
    {
      g_autofree char *path = bp_file_path_from_arg (output, &error);

      bp_trainer_finish (trainer);
      bp_document_set_training (document, bp_trainer_get_settings (trainer));
      if (path == NULL || !bp_document_save_to_path (document, path, &error))
        return bp_cli_input_error (NULL, error);
    }
  return BP_CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- */

const BpCliCommand bp_cli_engine_commands[] = {
  { "eval", command_eval },
  { "check", command_check },
  { "examples", command_examples },
  { "train", command_train },
};
const guint bp_cli_n_engine_commands = G_N_ELEMENTS (bp_cli_engine_commands);
