/* SPDX-License-Identifier: MIT */
/* The built-in examples, read from the GResource compiled into the
 * library from resources/examples/. */

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bp-examples.h"
#include "bp-examples-resources.h"

/* Teaching order: the order of the book's chapter. */
static const char *const example_names[] = {
  "apples",
  "apples-oranges",
  "square-of-sum",
  "sigmoid",
  "sigmoid-by-hand",
  "affine-batch",
  "repeat-sum",
  "matmul",
  "softmax-with-loss",
  "two-layer-net",
  "xor-hidden-layer",
  "fashion-two-layer-net",
};

static BpExample examples[G_N_ELEMENTS (example_names)];

static gpointer
init_examples (gpointer data)
{
  GResource *resource = bp_examples_get_resource ();

  for (guint i = 0; i < G_N_ELEMENTS (example_names); i++)
    {
      g_autofree char *path = g_strconcat (BP_EXAMPLES_RESOURCE_PATH, example_names[i],
                                           ".bpgraph", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(BpDocument) document = NULL;
      gsize length;

      /* Resource data is static and NUL-terminated; the GBytes only wraps it. */
      bytes = g_resource_lookup_data (resource, path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        g_error ("Built-in example %s is missing: %s", example_names[i], error->message);
      examples[i].name = example_names[i];
      examples[i].data = g_bytes_get_data (bytes, &length);
      examples[i].length = length;

      document = bp_document_load_from_data (examples[i].data, (gssize) length, &error);
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

BpDocument *
bp_examples_load (const char  *name,
                  GError     **error)
{
  const BpExample *example;

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
  return bp_document_load_from_data (example->data, (gssize) example->length, error);
}
