/* SPDX-License-Identifier: MIT */
/* The canvas's context menu and its clipboard: cut, copy, paste and
 * duplicate nodes (the clipboard carries them as a .bpgraph document,
 * and their picture as PNG and SVG), copy the whole picture, make the
 * output, expand and collapse a layer. Each is a canvas action that sends
 * the session a command. */
#include <glib/gi18n.h>

#include "bp-canvas-private.h"
#include "bp-export.h"

/* What the clipboard calls a copied graph. */
#define BP_CLIPBOARD_MIME "application/x-backprop-studio"

/* Pasted and duplicated nodes land this far from where they were. */
#define PASTE_OFFSET 30.0

static void
add_bytes (GPtrArray  *providers,
           const char *mime,
           GBytes     *bytes)
{
  if (bytes != NULL)
    g_ptr_array_add (providers, gdk_content_provider_new_for_bytes (mime, bytes));
}

/* The nodes of `graph` (a copy) whose namesakes in `blanks` (the
 * canvas's quiz blanks) are blanks. */
static GHashTable *
blanks_by_id (GHashTable *blanks,
              BpGraph    *graph)
{
  GHashTable *set = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  if (blanks == NULL)
    return set;
  g_hash_table_iter_init (&iter, blanks);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BpNode *copy = bp_graph_lookup (graph, bp_node_get_id (key));

      if (copy != NULL)
        g_hash_table_add (set, copy);
    }
  return set;
}

/* Whether `copy` (the copied selection) holds a value the quiz hides. */
static gboolean
copies_hidden_value (BpCanvas *self,
                     BpGraph  *copy)
{
  g_autoptr(GHashTable) hidden = blanks_by_id (self->hidden_values, copy);

  return g_hash_table_size (hidden) > 0;
}

/* The picture of `document`'s graph (the copied selection), its forward
 * pass computed, in `format`, with the quiz's blanks as on the canvas;
 * NULL when it cannot be drawn. */
static GBytes *
picture_of (BpCanvas       *self,
            BpDocument     *document,
            BpExportFormat  format)
{
  BpGraph *graph = bp_document_get_graph (document);
  g_autoptr(BpDiagram) diagram = bp_diagram_new (graph);
  g_autoptr(GHashTable) values = blanks_by_id (self->hidden_values, graph);
  BpDiagramState state = BP_DIAGRAM_STATE_INIT;
  BpTrace *trace;

  bp_graph_forward (graph, NULL);
  trace = bp_graph_get_trace (graph);
  if (trace != NULL)
    bp_diagram_state_set_position (&state, trace, bp_trace_get_n_forward (trace));
  state.hidden_values = values;
  return bp_export_to_bytes (diagram, trace, &state, format, NULL, NULL);
}

static void
set_clipboard (BpCanvas  *self,
               GPtrArray *providers)
{
  g_autoptr(GdkContentProvider) union_provider = NULL;

  union_provider = gdk_content_provider_new_union ((GdkContentProvider **) providers->pdata,
                                                   providers->len);
  gdk_clipboard_set_content (gtk_widget_get_clipboard (GTK_WIDGET (self)), union_provider);
}

gboolean
_bp_canvas_copy_selection (BpCanvas *self)
{
  g_autoptr(BpDocument) document = NULL;
  g_autoptr(GPtrArray) providers = g_ptr_array_new ();
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) svg = NULL;
  gsize length = 0;
  char *data;

  if (self->session == NULL || (document = bp_session_dup_selection (self->session)) == NULL)
    return FALSE;

  png = picture_of (self, document, BP_EXPORT_PNG);
  svg = picture_of (self, document, BP_EXPORT_SVG);
  /* Another window of ours takes the graph; other programs its text or
   * its picture. The graph's text holds every leaf's value: while the
   * quiz hides one of them, only the picture (with its blanks) goes. */
  if (!copies_hidden_value (self, bp_document_get_graph (document)))
    {
      data = bp_document_to_data (document, &length);
      json = g_bytes_new_take (data, length);
      add_bytes (providers, BP_CLIPBOARD_MIME, json);
      add_bytes (providers, "text/plain;charset=utf-8", json);
    }
  add_bytes (providers, "image/png", png);
  add_bytes (providers, "image/svg+xml", svg);
  set_clipboard (self, providers);
  return TRUE;
}

gboolean
_bp_canvas_paste_data (BpCanvas    *self,
                       const char  *data,
                       gssize       length,
                       GError     **error)
{
  g_autoptr(BpDocument) document = NULL;

  if (self->session == NULL)
    return FALSE;
  if ((document = bp_document_load_from_data (data, length, error)) == NULL)
    return FALSE;
  self->selecting = TRUE;
  bp_session_paste (self->session, document, PASTE_OFFSET, PASTE_OFFSET, error);
  self->selecting = FALSE;
  self->user_selection = TRUE;
  return TRUE;
}

static void
paste_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BpCanvas) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (text == NULL)
    {
      _bp_canvas_emit_message (self, _("The clipboard holds no graph to paste"));
      return;
    }
  if (!_bp_canvas_paste_data (self, text, -1, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot paste: %s"), error->message);

      _bp_canvas_emit_message (self, message);
    }
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  _bp_canvas_copy_selection (BP_CANVAS (widget));
}

static void
cut_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);

  if (_bp_canvas_copy_selection (self))
    bp_canvas_delete_selection (self);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL,
                                 paste_read_cb, g_object_ref (widget));
}

static void
duplicate_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  g_autoptr(BpDocument) document = bp_session_dup_selection (self->session);
  g_autoptr(GError) error = NULL;

  if (document == NULL)
    return;
  self->selecting = TRUE;
  if (bp_session_paste (self->session, document, PASTE_OFFSET, PASTE_OFFSET, &error) == 0 &&
      error != NULL)
    _bp_canvas_emit_message (self, error->message);
  self->selecting = FALSE;
  self->user_selection = TRUE;
}

/* The whole picture as the canvas shows it, on paper colours, for slides. */
static void
copy_picture_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  g_autoptr(GPtrArray) providers = g_ptr_array_new ();
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) svg = NULL;
  BpDiagramState state;

  if (self->diagram == NULL)
    return;
  _bp_canvas_fill_state (self, &state);
  state.selected = NULL;
  state.hover = NULL;
  state.dark = FALSE;
  state.progress = 1.0;
  png = bp_export_to_bytes (self->diagram, _bp_canvas_trace (self), &state, BP_EXPORT_PNG, NULL, NULL);
  svg = bp_export_to_bytes (self->diagram, _bp_canvas_trace (self), &state, BP_EXPORT_SVG, NULL, NULL);
  add_bytes (providers, "image/png", png);
  add_bytes (providers, "image/svg+xml", svg);
  if (providers->len == 0)
    return;
  set_clipboard (self, providers);
  _bp_canvas_emit_message (self, _("The picture is on the clipboard"));
}

static void
make_output_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  BpNode *node = bp_session_get_selected_node (self->session);

  if (node != NULL)
    bp_history_set_output (self->history, node);
}

static void
expand_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  g_autoptr(GError) error = NULL;

  if (bp_session_expand_layer (self->session, bp_session_get_selected_node (self->session),
                               &error) == NULL)
    _bp_canvas_emit_message (self, error->message);
}

static void
collapse_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  bp_session_collapse_layer (BP_CANVAS (widget)->session);
}

/* Opens the menu at (x, y) of the canvas; a node under it is selected
 * first, unless it is part of the selection already. */
void
_bp_canvas_popup_menu (BpCanvas *self,
                       double    x,
                       double    y)
{
  BpHitPart part;
  guint slot;
  BpNode *node = _bp_canvas_hit (self, x, y, &part, &slot);

  if (self->session == NULL)
    return;
  if (node != NULL && !g_hash_table_contains (_bp_canvas_selection (self), node))
    {
      self->selecting = TRUE;
      bp_session_select_node (self->session, node);
      self->selecting = FALSE;
      self->user_selection = TRUE;
    }
  self->pointer_x = x;
  self->pointer_y = y;
  _bp_canvas_update_actions (self);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
menu_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 BpCanvas        *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  _bp_canvas_popup_menu (self, x, y);
}

/* Shift+F10 and the Menu key: at the selection, else in the middle. */
static void
popup_menu_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  BpCanvas *self = BP_CANVAS (widget);
  BpNode *node = bp_session_get_selected_node (self->session);
  double x = gtk_widget_get_width (widget) / 2.0;
  double y = gtk_widget_get_height (widget) / 2.0;

  if (node != NULL)
    {
      cairo_rectangle_t r;

      bp_diagram_get_node_rect (self->diagram, node, &r);
      bp_canvas_diagram_to_widget (self, r.x + r.width / 2, r.y + r.height, &x, &y);
    }
  _bp_canvas_popup_menu (self, x, y);
}

void
_bp_canvas_update_menu_actions (BpCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_selection = self->session != NULL &&
                           g_hash_table_size (_bp_canvas_selection (self)) > 0;
  BpNode *single = self->session != NULL ? bp_session_get_selected_node (self->session) : NULL;

  gtk_widget_action_set_enabled (widget, "canvas.copy", has_selection);
  gtk_widget_action_set_enabled (widget, "canvas.cut", has_selection);
  gtk_widget_action_set_enabled (widget, "canvas.duplicate", has_selection);
  gtk_widget_action_set_enabled (widget, "canvas.paste", self->graph != NULL);
  gtk_widget_action_set_enabled (widget, "canvas.copy-picture", self->diagram != NULL);
  gtk_widget_action_set_enabled (widget, "canvas.make-output",
                                 single != NULL && bp_graph_get_output (self->graph) != single);
  gtk_widget_action_set_enabled (widget, "canvas.expand",
                                 single != NULL && bp_node_get_op (single)->expandable);
  gtk_widget_action_set_enabled (widget, "canvas.collapse",
                                 self->session != NULL &&
                                 bp_session_get_expanded_id (self->session) != NULL);
}

void
_bp_canvas_init_menu (BpCanvas *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkGesture *press;

  builder = gtk_builder_new_from_resource ("/io/github/BackpropStudio/ui/bp-canvas-menu.ui");
  self->menu = GTK_POPOVER_MENU (gtk_popover_menu_new_from_model (
      G_MENU_MODEL (gtk_builder_get_object (builder, "canvas_menu"))));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->menu), GTK_POS_BOTTOM);
  gtk_widget_set_halign (GTK_WIDGET (self->menu), GTK_ALIGN_START);
  gtk_widget_set_parent (GTK_WIDGET (self->menu), GTK_WIDGET (self));

  press = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (press), GDK_BUTTON_SECONDARY);
  g_signal_connect (press, "pressed", G_CALLBACK (menu_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (press));
}

void
_bp_canvas_class_init_menu (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "canvas.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "canvas.cut", NULL, cut_action);
  gtk_widget_class_install_action (widget_class, "canvas.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "canvas.duplicate", NULL, duplicate_action);
  gtk_widget_class_install_action (widget_class, "canvas.copy-picture", NULL, copy_picture_action);
  gtk_widget_class_install_action (widget_class, "canvas.make-output", NULL, make_output_action);
  gtk_widget_class_install_action (widget_class, "canvas.expand", NULL, expand_action);
  gtk_widget_class_install_action (widget_class, "canvas.collapse", NULL, collapse_action);
  gtk_widget_class_install_action (widget_class, "canvas.popup-menu", NULL, popup_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "canvas.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_x, GDK_CONTROL_MASK, "canvas.cut", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "canvas.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "canvas.duplicate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "canvas.copy-picture", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "canvas.copy-picture", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "canvas.popup-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "canvas.popup-menu", NULL);
}
