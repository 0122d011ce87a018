/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "bp-canvas.h"
#include "bp-example-gallery.h"
#include "bp-node-inspector.h"
#include "bp-player-bar.h"
#include "bp-teach-panel.h"
#include "bp-window.h"
#include "bp-worksheet.h"

G_BEGIN_DECLS

struct _BpWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template Widgets */
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  AdwSplitButton       *open_button;
  GtkButton            *examples_button;
  GtkMenuButton        *primary_menu_button;
  GtkToggleButton      *side_panel_button;
  AdwToastOverlay      *toast_overlay;
  GtkPaned             *paned;
  GtkBox               *content_box;
  GtkBox               *canvas_box;
  GtkRevealer          *changed_revealer;
  GtkRevealer          *output_revealer;
  GtkLabel             *output_label;
  GMenu                *output_section;
  BpCanvas             *canvas;
  GtkScrolledWindow    *side_scroller;
  GtkBox               *side_panel;
  BpNodeInspector      *inspector;
  BpTeachPanel         *teach_panel;
  BpPlayerBar          *player_bar;
  GMenu                *recent_section;

  /* Borrowed References */
  AdwMessageDialog     *error_dialog;    /* weak pointer: the last load error shown */
  GtkPopover           *answer_popover;  /* weak pointer: parented to the player bar */
  GtkLabel             *answer_title;
  GtkEntry             *answer_entry;
  GtkLabel             *answer_result;
  BpExampleGallery     *gallery;         /* weak pointer: made when first shown */

  /* Owned References */
  BpSession            *session;
  BpPlayer             *player;
  GSettings            *settings;
  GtkFileChooserNative *chooser;         /* GTK does not keep it alive */
  GFile                *autosave_file;
  char                 *last_message;    /* the last toast or error shown */
  char                 *answer_node_id;  /* the blank the answer popover asks */
  GFileMonitor         *file_monitor;    /* the open file, for changes by others */
  GCancellable         *open_cancellable;/* files being read for this window */
  char                 *file_stamp;      /* its time and size when read or written */

  BpQuizFlags           answer_what;
  guint                 autosave_source;
  guint                 autosave_interval_ms;   /* BP_AUTOSAVE_INTERVAL s; tests shorten it */
  guint                 change_serial;   /* bumped on every edit */
  guint                 autosaved_serial;
  guint                 fit_source;
  guint                 panel_layout_source; /* moves the panel after a resize */
  guint                 shake_source;    /* a wrong answer's shake ends */
  guint                 worksheet_variants; /* the Worksheet… dialog's choices */
  guint64               worksheet_seed;
  BpWorksheetHide       worksheet_hide;
  guint                 n_opening;       /* files being read in a worker */
  guint                 last_position;   /* the session's, as last followed */
  guint                 selecting : 1;        /* the player moves the selection */
  guint                 close_confirmed : 1;
  guint                 close_after_save : 1;
  guint                 bench_startup : 1;
  guint                 is_example : 1;
  guint                 restored : 1;         /* a crash copy, not saved yet */
  guint                 presenting : 1;
  guint                 side_was_visible : 1;
  guint                 panel_below : 1;      /* under the canvas: a narrow window */
  guint                 panel_position_pending : 1;
  guint                 space_held : 1;       /* Space pressed, not yet released */
};

void      _bp_window_class_actions_init (BpWindowClass *klass);
void      _bp_window_actions_update     (BpWindow      *self);
void      _bp_window_update_recent      (BpWindow      *self);

/* Opens `file` here when this window has no unsaved changes, else in a
 * new window; a broken file shows its message and changes nothing. The
 * file is read in a worker: this returns at once. */
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

/* Print (bp-window-print.c). */
void      _bp_window_class_init_print   (GtkWidgetClass *widget_class);
/* What Print does, into a PDF without the dialog (tests). */
gboolean  _bp_window_print_to_pdf       (BpWindow      *self,
                                         const char    *path,
                                         gboolean       every_step,
                                         GError       **error);

/* The open file changed by another program (bp-window-watch.c). */
void      _bp_window_class_init_watch   (GtkWidgetClass *widget_class);
/* Watches the session's file from now on (after open and save). */
void      _bp_window_watch_file         (BpWindow      *self);
void      _bp_window_watch_dispose      (BpWindow      *self);
/* Shows the banner when the file on disk is no longer what was read. */
void      _bp_window_check_disk         (BpWindow      *self);
gboolean  _bp_window_file_changed_on_disk (BpWindow    *self);

/* Worksheet… (bp-window-worksheet.c). */
void      _bp_window_class_init_worksheet (GtkWidgetClass *widget_class);
/* The dialog the action shows (tests answer it). */
AdwMessageDialog *_bp_window_show_worksheet_dialog (BpWindow *self);
/* Writes the session's document as a worksheet to `path` (.pdf or
 * .xml), atomically. */
gboolean  _bp_window_export_worksheet   (BpWindow        *self,
                                         const char      *path,
                                         guint            n_variants,
                                         guint64          seed,
                                         BpWorksheetHide  hide,
                                         GError         **error);

/* The player's keys on the window (bp-window-keys.c). */
void      _bp_window_add_player_keys    (BpWindow      *self);

/* The teaching side (bp-window-teach.c): presentation mode, the answer
 * popover on the canvas, exporting every step of a pass. */
void      _bp_window_teach_class_init   (GtkWidgetClass *widget_class);
void      _bp_window_teach_init         (BpWindow      *self);
/* win.answer (Enter on a node with a quiz blank) on or off. */
void      _bp_window_teach_update_actions (BpWindow    *self);
void      _bp_window_teach_dispose      (BpWindow      *self);
gboolean  _bp_window_get_presenting     (BpWindow      *self);
void      _bp_window_set_presenting     (BpWindow      *self,
                                         gboolean       presenting);
/* Opens the answer popover on `node`'s first quiz blank (what a click on
 * the node does while the quiz is on); with `text`, answers it and sets
 * `result` to the popover's verdict. FALSE when the node has no blank. */
gboolean  _bp_window_answer_on_canvas   (BpWindow      *self,
                                         BpNode        *node,
                                         const char    *text,
                                         const char   **result);
/* Opens the answer popover at `node`'s blank `what` (node NULL: the one
 * open) and, with `text`, answers it as Enter does; `result` gets the
 * verdict. FALSE when that is no blank. */
gboolean  _bp_window_answer_blank       (BpWindow      *self,
                                         BpNode        *node,
                                         BpQuizFlags    what,
                                         const char    *text,
                                         const char   **result);
/* The answer popover (NULL before the first question) and the blank it
 * asks (tests). */
GtkPopover *_bp_window_get_answer_popover (BpWindow    *self,
                                           BpNode     **node,
                                           BpQuizFlags *what);
/* What the window's quiz keys do with a key press (Tab, Shift+Tab);
 * TRUE when it moved to a blank. Tests call it: GTK cannot make events. */
gboolean  _bp_window_quiz_key           (BpWindow        *self,
                                         guint            keyval,
                                         GdkModifierType  state);
/* Writes every step of both passes in one fixed frame: `path` ending in
 * .pdf as one handout, else a folder of numbered SVG files; returns how
 * many steps. */
guint     _bp_window_export_steps       (BpWindow      *self,
                                         const char    *path,
                                         GError       **error);

G_END_DECLS
