/* SPDX-License-Identifier: MIT */
/* The render and session layers link no GTK: this program links both
 * (and draws a session's graph with the renderer), then checks what the
 * process actually loaded. */
#include <string.h>
#include <cairo.h>

#include "bp-diagram.h"
#include "bp-examples.h"
#include "bp-session.h"

static void
test_no_gtk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDocument) doc = bp_examples_load ("apples", &error);
  g_autoptr(BpSession) session = bp_session_new ();
  g_autoptr(BpDiagram) diagram = NULL;
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  cairo_surface_t *surface;
  cairo_t *cr;
  g_autofree char *maps = NULL;

  g_assert_no_error (error);
  bp_session_set_document (session, doc, NULL);
  bp_session_set_position (session, bp_session_get_n_steps (session));
  diagram = bp_diagram_new (bp_session_get_graph (session));
  state.pass = bp_session_get_pass (session);
  state.step = bp_session_get_pass_step (session);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cr = cairo_create (surface);
  bp_diagram_draw (diagram, cr, bp_session_get_trace (session), &state);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    {
      g_test_skip ("no /proc/self/maps");
      return;
    }
  g_assert_null (strstr (maps, "libgtk-4"));
  g_assert_null (strstr (maps, "libadwaita"));
  g_assert_null (strstr (maps, "libgdk"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/layers/no-gtk", test_no_gtk);

  return g_test_run ();
}
