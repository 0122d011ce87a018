/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "bp-canvas.h"
#include "bp-connect-popover.h"
#include "bp-palette.h"
#include "bp-value-popover.h"

G_BEGIN_DECLS

/* The canvas is one widget in several files, one concept each: the
 * widget and its session (bp-canvas.c), the kept scene and its damage
 * (bp-canvas-scene.c), the view transform (bp-canvas-view.c), the
 * gestures (bp-canvas-drag.c) and the actions (bp-canvas-actions.c). */

typedef enum
{
  DRAG_NONE,
  DRAG_MOVE,      /* moving the selected nodes */
  DRAG_PAN,       /* middle button, or Space + drag */
  DRAG_RUBBER,    /* rubber-band selection */
  DRAG_CONNECT,   /* from an output port (or a picked-up edge) to an input port */
  DRAG_CONNECT_REVERSE, /* from a free input port to a node's output */
} DragMode;

struct _BpCanvas
{
  GtkWidget       parent_instance;

  /* Owned References */
  BpSession      *session;
  BpPlayer       *player;          /* the animation's progress, or NULL */
  BpDiagram      *diagram;
  GHashTable     *drawn_selected;  /* the selection the kept scene shows */
  GHashTable     *hidden_values;   /* quiz blanks, while the quiz is on */
  GHashTable     *hidden_grads;
  cairo_surface_t *scene;          /* the diagram rasterized at widget size × scale */
  cairo_region_t *damage;          /* widget pixels of the scene to draw again */
  GPtrArray      *drag_edges;      /* DRAG_MOVE: consumers of edges touching moved nodes… */
  GArray         *drag_edge_slots; /* …and their slots (guint) */
  BpPalette      *palette;         /* parented popovers */
  BpValuePopover *value_popover;
  BpConnectPopover *connect_popover;
  GtkGesture     *click;           /* borrowed: the double-click gesture */
  GtkPopoverMenu *menu;            /* the context menu, parented here */

  /* Borrowed References */
  BpGraph        *graph;           /* the session's */
  BpHistory      *history;         /* the session's */
  BpNode         *hover;
  BpNode         *edited_node;     /* the value popover's node */
  BpNode         *connect_source;  /* the connect popover's node */
  BpNode         *focus_blank;     /* the quiz blank being answered (a ring) */
  BpQuizFlags     focus_blank_what;

  /* what the kept scene shows of the session's position */
  guint           position;
  double          progress;
  gboolean        dark;
  double          text_scale;

  /* view: widget = diagram * zoom + offset */
  double          zoom;
  double          offset_x;
  double          offset_y;
  gboolean        need_fit;
  gboolean        auto_fit;        /* fitted, and kept so until the user zooms or pans */
  char           *fitted_expansion;/* the expanded layer the fit was made for */
  AdwAnimation   *follow;          /* scrolling to keep the current step in view */
  double          follow_from_x;
  double          follow_from_y;
  double          follow_to_x;
  double          follow_to_y;
  int             scene_width;     /* what the scene was drawn for */
  int             scene_height;
  int             scene_scale;
  gboolean        scene_valid;
  gboolean        in_snapshot;

  /* pointer */
  double          pointer_x;
  double          pointer_y;
  gboolean        space_down;
  gboolean        space_used;      /* a drag happened while Space was held */
  const char     *cursor_name;

  /* keys */
  gboolean        user_selection;  /* the selection was made on the canvas */
  gboolean        selecting;       /* the canvas is changing the selection */
  gboolean        presenting;
  BpNode         *focus_node;      /* the keyboard focus among the nodes, or NULL */
  gboolean        keynav;          /* it moved by keys: the ring shows, arrows move it */
  gboolean        high_contrast;
  double          desktop_text_scale; /* the desktop's text scaling (gtk-xft-dpi / 96) */

  /* drag */
  DragMode        drag_mode;
  double          drag_start_x;    /* widget coordinates */
  double          drag_start_y;
  double          drag_x;          /* current, widget coordinates */
  double          drag_y;
  double          pan_start_x;
  double          pan_start_y;
  GPtrArray      *drag_nodes;      /* BpNode*, the nodes being moved */
  GArray         *drag_old;        /* double pairs: their positions before */
  BpNode         *connect_src;     /* DRAG_CONNECT: the source; REVERSE: the consumer */
  guint           connect_slot;    /* REVERSE: the slot of connect_src */
  BpNode         *detach_dst;      /* an edge picked up from this input port… */
  guint           detach_slot;
  BpNode         *connect_target;  /* the node under the pointer that would connect */
  guint           connect_target_slot;
  gboolean        rubber_extend;

  /* pinch */
  double          pinch_zoom;

  gboolean        palette_by_pointer; /* opened where the pointer is, not by keys */
  /* palette position, diagram units */
  double          palette_x;
  double          palette_y;
};

#define ZOOM_MIN     0.1
#define ZOOM_MAX     8.0
#define ZOOM_STEP    1.2
#define FIT_MARGIN   24.0
#define NUDGE        10.0
#define NUDGE_BIG    50.0

/* bp-canvas.c */
GHashTable *_bp_canvas_dup_selection (BpCanvas *self);
void        _bp_canvas_emit_blank_activated (BpCanvas    *self,
                                             BpNode      *node,
                                             BpQuizFlags  what);
void        _bp_canvas_emit_message (BpCanvas *self,
                                     const char *message);
void        _bp_canvas_fill_state (BpCanvas *self,
                                   BpDiagramState *state);
void        _bp_canvas_select (BpCanvas *self,
                               GHashTable *set);
GHashTable *_bp_canvas_selection (BpCanvas *self);
BpTrace *   _bp_canvas_trace (BpCanvas *self);

/* bp-canvas-scene.c */
void        _bp_canvas_damage_dragged (BpCanvas *self);
void        _bp_canvas_damage_node (BpCanvas *self,
                                    BpNode *node);
void        _bp_canvas_damage_step (BpCanvas *self,
                                    int index);
void        _bp_canvas_invalidate_scene (BpCanvas *self);
void        _bp_canvas_snapshot (GtkWidget *widget,
                                 GtkSnapshot *snapshot);

/* bp-canvas-view.c */
double      _bp_canvas_get_spread (BpCanvas *self);
void        _bp_canvas_pan_by (BpCanvas *self,
                               double dx,
                               double dy);
void        _bp_canvas_zoom_at (BpCanvas *self,
                                double zoom,
                                double wx,
                                double wy);

/* bp-canvas-drag.c */
void        _bp_canvas_cancel_drag (BpCanvas *self);

/* bp-canvas-actions.c */
void        _bp_canvas_update_actions (BpCanvas *self);

/* bp-canvas-drag.c */
BpNode     *_bp_canvas_hit               (BpCanvas  *self,
                                          double     wx,
                                          double     wy,
                                          BpHitPart *part,
                                          guint     *slot);
void        _bp_canvas_init_gestures (BpCanvas *self);

/* bp-canvas-tooltip.c */
void        _bp_canvas_init_tooltip (BpCanvas *self);
/* The tooltip at (x, y) in widget coordinates (Pango markup), or NULL. */
char       *_bp_canvas_tooltip_markup (BpCanvas *self,
                                       double    x,
                                       double    y);

/* bp-canvas-actions.c */
void        _bp_canvas_class_init_actions (GtkWidgetClass *widget_class);
/* Shows `position` of the session's trace at `progress` of its step's
 * animation (what the session and the player drive; tests call it to
 * look at a frame in the middle of a step). */
void        _bp_canvas_show_position (BpCanvas *self,
                                      guint     position,
                                      double    progress);

/* bp-canvas-view.c: keeps the current step in view while a pass plays,
 * scrolling smoothly. */
void        _bp_canvas_follow_step        (BpCanvas       *self);

/* bp-canvas-keys.c: the keyboard focus among the nodes, and what the
 * canvas tells a screen reader */
void        _bp_canvas_init_keys          (BpCanvas       *self);
void        _bp_canvas_class_init_keys    (GtkWidgetClass *widget_class);
gboolean    _bp_canvas_focus              (GtkWidget        *widget,
                                           GtkDirectionType  direction);
BpNode     *_bp_canvas_focus_ring_node    (BpCanvas       *self);
void        _bp_canvas_set_focus_node     (BpCanvas       *self,
                                           BpNode         *node,
                                           gboolean        keynav);
/* The node focused has left the graph: none is. */
void        _bp_canvas_forget_focus_node  (BpCanvas       *self);
BpNode     *_bp_canvas_neighbour          (BpCanvas       *self,
                                           BpNode         *from,
                                           double          dx,
                                           double          dy);
gboolean    _bp_canvas_move_focus_by_arrow (BpCanvas      *self,
                                            double         dx,
                                            double         dy);
void        _bp_canvas_update_accessible  (BpCanvas       *self);
/* Pans so that `node` is in view (nothing when it is). */
void        _bp_canvas_scroll_to_node     (BpCanvas       *self,
                                           BpNode         *node);
/* The text scale drawn: the canvas's own × the desktop's. */
double      _bp_canvas_get_effective_text_scale (BpCanvas *self);

/* bp-canvas-menu.c */
void        _bp_canvas_init_menu          (BpCanvas       *self);
void        _bp_canvas_class_init_menu    (GtkWidgetClass *widget_class);
void        _bp_canvas_update_menu_actions (BpCanvas      *self);
void        _bp_canvas_popup_menu         (BpCanvas       *self,
                                           double          x,
                                           double          y);
/* Copies the selected nodes (as a document, and their picture). */
gboolean    _bp_canvas_copy_selection     (BpCanvas       *self);
/* Pastes a document's text as new nodes, moved a little. */
gboolean    _bp_canvas_paste_data         (BpCanvas       *self,
                                           const char     *data,
                                           gssize          length,
                                           GError        **error);

G_END_DECLS
