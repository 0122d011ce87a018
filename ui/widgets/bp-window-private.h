/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "bp-canvas.h"
#include "bp-window.h"

G_BEGIN_DECLS

struct _BpWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template Widgets */
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  AdwSplitButton       *open_button;
  GtkMenuButton        *examples_button;
  GtkMenuButton        *primary_menu_button;
  GtkToggleButton      *side_panel_button;
  AdwToastOverlay      *toast_overlay;
  GtkPaned             *paned;
  GtkBox               *content_box;
  GtkBox               *canvas_box;
  GtkScrolledWindow    *side_scroller;
  GtkBox               *side_panel;      /* other panels append themselves here */
  GtkLabel             *node_title;
  GtkLabel             *node_subtitle;
  GtkGrid              *node_grid;
  GtkLabel             *value_label;
  GtkLabel             *grad_label;
  GtkBox               *value_editor;
  GtkEntry             *value_entry;
  GtkLabel             *value_error;
  GMenu                *recent_section;
  GMenu                *examples_section;

  /* Borrowed References */
  BpCanvas             *canvas;
  BpHistory            *history;
  AdwMessageDialog     *error_dialog;    /* weak pointer: the last load error shown */

  /* Owned References */
  BpDocument           *document;
  GFile                *file;            /* NULL: not saved anywhere yet */
  GSettings            *settings;
  GtkFileChooserNative *chooser;         /* GTK does not keep it alive */
  GFile                *autosave_file;
  char                 *last_message;    /* the last toast or error shown */

  guint                 autosave_source;
  guint                 autosave_interval_ms;   /* BP_AUTOSAVE_INTERVAL s; tests shorten it */
  guint                 change_serial;   /* bumped on every history change */
  guint                 autosaved_serial;
  guint                 restored_dirty : 1;   /* a restored copy is unsaved */
  guint                 quiz_dirty : 1;       /* quiz blanks changed (not in the history) */
  guint                 close_confirmed : 1;
  guint                 close_after_save : 1;
  guint                 bench_startup : 1;
  guint                 is_example : 1;
};

void      _bp_window_class_actions_init (BpWindowClass *klass);
void      _bp_window_actions_update     (BpWindow      *self);
void      _bp_window_update_recent      (BpWindow      *self);

/* Opens `file` here when this window has no unsaved changes, else in a
 * new window; a broken file shows its message and changes nothing. */
gboolean  _bp_window_open_anywhere      (BpWindow      *self,
                                         GFile         *file);
/* Shows `message` as a toast and remembers it (tests read it back). */
void      _bp_window_toast              (BpWindow      *self,
                                         const char    *message);
const char *_bp_window_get_last_message (BpWindow      *self);
/* Saves to `file` (atomically); on success it becomes the document's
 * file, the history is marked clean and the autosave copy removed. */
gboolean  _bp_window_save_to_file       (BpWindow      *self,
                                         GFile         *file,
                                         GError       **error);
/* Shows a file chooser for Save As; closes the window after saving when
 * `then_close`. */
void      _bp_window_save_as            (BpWindow      *self,
                                         gboolean       then_close);
/* Exports the current pass state to `path` (.svg, .png or .pdf). */
gboolean  _bp_window_export_to_path     (BpWindow      *self,
                                         const char    *path,
                                         GError       **error);
/* Writes the autosave copy now if there are unsaved changes; returns the
 * copy written, or NULL. */
GFile    *_bp_window_autosave_now       (BpWindow      *self);
/* For tests: the autosave period (the timer restarts with it). */
void      _bp_window_set_autosave_interval (BpWindow   *self,
                                            guint       interval_ms);
/* Offers to restore crash copies (newest first); returns the dialog. */
AdwMessageDialog *_bp_window_offer_restore (BpWindow   *self,
                                            GList      *copies);
/* Loads a crash copy as an unsaved document of this window. */
gboolean  _bp_window_restore_copy       (BpWindow      *self,
                                         GFile         *copy,
                                         GError       **error);

G_END_DECLS
