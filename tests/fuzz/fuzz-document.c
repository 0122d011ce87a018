/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the .bpgraph loader. Besides "no crash, no leak",
 * it checks the canonical form: whatever loads saves to a text that loads
 * again and saves to the same bytes. */

#include "bp-document.h"

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(BpDocument) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  gsize length;

  if (size > G_MAXSSIZE)
    return 0;
  document = bp_document_load_from_data ((const char *) data, (gssize) size, &error);
  if (document == NULL)
    {
      /* Every refusal is a proper error of the engine's domain. */
      if (error == NULL || error->domain != BP_ERROR || error->message == NULL)
        g_error ("load failed without a BP_ERROR");
      return 0;
    }
  g_assert_no_error (error);

  saved = bp_document_to_data (document, &length);
  again = bp_document_load_from_data (saved, (gssize) length, &error);
  if (again == NULL)
    g_error ("a saved document does not load again: %s\n%s", error->message, saved);
  saved_again = bp_document_to_data (again, NULL);
  if (g_strcmp0 (saved, saved_again) != 0)
    g_error ("save → load → save is not byte-identical:\n%s\n---\n%s", saved, saved_again);
  return 0;
}
