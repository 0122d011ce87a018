/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>
#include <locale.h>

#include "bp-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BpApplication) app = NULL;

  const char *localedir;

  setlocale (LC_ALL, "");
  /* the "C" locale ignores LANGUAGE; C.UTF-8 honours it,
   * so `LANGUAGE=ko` works where LANG is unset. BP_LOCALEDIR points at
   * the build's po/ to run uninstalled (build-aux/run sets it). */
  if (g_getenv ("LANGUAGE") != NULL && g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0)
    {
      /* Through the environment: GTK calls setlocale (LC_ALL, "") again. */
      g_setenv ("LC_MESSAGES", "C.UTF-8", TRUE);
      setlocale (LC_ALL, "");
    }
  localedir = g_getenv ("BP_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = bp_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
