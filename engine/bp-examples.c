/* SPDX-License-Identifier: MIT */
/* The built-in examples, compiled into the library from
 * resources/examples/ (bp-examples-data.h). */

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bp-examples.h"
#include "bp-examples-data.h"

/* Teaching order: the order of the book's chapter. */
static const char *const example_names[] = {
  "apples",
  "apples-oranges",
  "branch",
  "square-of-sum",
  "relu",
  "sigmoid",
  "sigmoid-by-hand",
  "affine-batch",
  "repeat-sum",
  "matmul",
  "softmax-with-loss",
  "softmax-with-loss-by-hand",
  "two-layer-net",
  "xor-hidden-layer",
  "fashion-two-layer-net",
};

/* What each one teaches, one line for the gallery, in the same order. */
static const char *const example_summaries[] = {
  N_("Forward and backward on a product: a × node swaps its inputs"),
  N_("An addition node passes its gradient unchanged to both branches"),
  N_("A value used twice adds up the gradients of both paths"),
  N_("The chain rule on a composite function: z = t², t = x + y"),
  N_("ReLU lets the gradient through only where the input was positive"),
  N_("The sigmoid's derivative from its output alone: y(1 − y)"),
  N_("The same sigmoid from four simple nodes, one step at a time"),
  N_("The Affine layer on a batch: the bias gradient sums over the rows"),
  N_("Repeat and Sum mirror each other: one copies, the other adds"),
  N_("The shapes give the matrix product's rule: dX = dY · Wᵀ"),
  N_("Softmax with cross-entropy sends back simply (y − t) / N"),
  N_("Softmax-with-Loss from its primitive nodes, as in the appendix"),
  N_("One backward pass gives the gradient of every weight at once"),
  N_("A hidden layer learns what no straight line can separate"),
  N_("The book's 5.7: a two-layer network learns from clothing images"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (example_summaries) == G_N_ELEMENTS (example_names));

static BpExample examples[G_N_ELEMENTS (example_names)];

static const BpExampleData *
find_data (const char *name)
{
  for (guint i = 0; i < bp_examples_n_data; i++)
    if (g_str_equal (bp_examples_data[i].name, name))
      return &bp_examples_data[i];
  return NULL;
}

static gpointer
init_examples (gpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (example_names); i++)
    {
      const BpExampleData *found = find_data (example_names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BpDocument) document = NULL;

      if (found == NULL)
        g_error ("Built-in example %s is missing", example_names[i]);
      examples[i].name = example_names[i];
      examples[i].summary = example_summaries[i];
      examples[i].data = found->text;
      examples[i].length = found->length;

      document = bp_document_load_from_data (examples[i].data, (gssize) examples[i].length,
                                             &error);
      if (document == NULL)
        g_error ("Built-in example %s is broken: %s", example_names[i], error->message);
      examples[i].title = g_intern_string (bp_document_get_title (document));
    }
  return NULL;
}

static void
ensure_examples (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_examples, NULL);
}

const BpExample *
bp_examples_get_all (guint *n_examples)
{
  ensure_examples ();
  if (n_examples != NULL)
    *n_examples = G_N_ELEMENTS (examples);
  return examples;
}

const BpExample *
bp_examples_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  ensure_examples ();
  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    if (strcmp (examples[i].name, name) == 0)
      return &examples[i];
  return NULL;
}

const char *
bp_example_get_title (const BpExample *example)
{
  g_return_val_if_fail (example != NULL, NULL);

  return example->title != NULL && *example->title != '\0'
         ? g_dgettext (GETTEXT_PACKAGE, example->title) : example->title;
}

const char *
bp_example_get_summary (const BpExample *example)
{
  g_return_val_if_fail (example != NULL, NULL);

  return example->summary != NULL ? g_dgettext (GETTEXT_PACKAGE, example->summary) : "";
}

/* The files are written in English; their titles and labels are in the
 * .pot through resources/examples/bp-examples-strings.c. */
static void
translate_document (BpDocument *document)
{
  BpGraph *graph = bp_document_get_graph (document);
  const char *title = bp_document_get_title (document);
  guint n = bp_graph_get_n_nodes (graph);

  if (title != NULL && *title != '\0')
    {
      g_autofree char *copy = g_strdup (g_dgettext (GETTEXT_PACKAGE, title));

      bp_document_set_title (document, copy);
    }
  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (graph, i);
      const char *label = bp_node_get_label (node);

      /* gettext ("") would be the catalogue's header. */
      if (bp_node_has_label (node) && *label != '\0')
        {
          const char *translated = g_dgettext (GETTEXT_PACKAGE, label);

          if (translated != label)
            {
              g_autofree char *copy = g_strdup (translated);

              bp_node_set_label (node, copy);
            }
        }
    }
}

BpDocument *
bp_examples_load (const char  *name,
                  GError     **error)
{
  const BpExample *example;
  BpDocument *document;

  g_return_val_if_fail (name != NULL, NULL);

  example = bp_examples_lookup (name);
  if (example == NULL)
    {
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (example_names); i++)
        g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", example_names[i]);
      g_set_error (error, BP_ERROR, BP_ERROR_INVALID,
                   /* Translators: the name asked for, then the list of examples */
                   _("There is no example “%s”; the examples are: %s"), name, known->str);
      return NULL;
    }
  document = bp_document_load_from_data (example->data, (gssize) example->length, error);
  if (document != NULL)
    translate_document (document);
  return document;
}
