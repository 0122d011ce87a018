/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>

#include "bp-op.h"
#include "bp-palette.h"

struct _BpPalette
{
  GtkPopover      parent_instance;

  /* Template Widgets */
  GtkSearchEntry *search_entry;
  GtkListBox     *list;
  GtkLabel       *empty_label;

  /* Owned References */
  char           *needle;   /* casefolded search text, NULL: everything */
};

G_DEFINE_FINAL_TYPE (BpPalette, bp_palette, GTK_TYPE_POPOVER)

enum {
  OP_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
row_get_op (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "bp-op-name");
}

static gboolean
text_matches (const char *text,
              const char *needle)
{
  g_autofree char *folded = NULL;

  if (text == NULL)
    return FALSE;
  folded = g_utf8_casefold (text, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_func (GtkListBoxRow *row,
             gpointer       user_data)
{
  BpPalette *self = user_data;
  const BpOp *op = bp_op_lookup (row_get_op (row));

  if (self->needle == NULL || op == NULL)
    return TRUE;
  return text_matches (op->name, self->needle) ||
         text_matches (op->symbol, self->needle) ||
         text_matches (_(op->title), self->needle);
}

static GtkListBoxRow *
first_visible_row (BpPalette *self)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list, i)) != NULL; i++)
    if (filter_func (row, self))
      return row;
  return NULL;
}

/* Up/Down in the search entry move through the list without leaving it. */
static void
move_selection (BpPalette *self,
                int        direction)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->list);
  int index = selected ? gtk_list_box_row_get_index (selected) : -1;
  GtkListBoxRow *row;

  for (int i = index + direction; i >= 0; i += direction)
    {
      row = gtk_list_box_get_row_at_index (self->list, i);
      if (row == NULL)
        return;
      if (filter_func (row, self))
        {
          gtk_list_box_select_row (self->list, row);
          gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
          return;
        }
    }
}

static void
bp_palette_refilter (BpPalette *self)
{
  GtkListBoxRow *first;

  gtk_list_box_invalidate_filter (self->list);
  first = first_visible_row (self);
  gtk_list_box_select_row (self->list, first);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), first == NULL);
}

static void
search_changed_cb (BpPalette      *self,
                   GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->needle, g_free);
  if (text != NULL && text[0] != '\0')
    self->needle = g_utf8_casefold (text, -1);
  bp_palette_refilter (self);
}

static void
search_activate_cb (BpPalette      *self,
                    GtkSearchEntry *entry)
{
  /* "search-changed" comes 150 ms after the last key: Enter typed sooner
   * must choose from the list the whole text leaves, not the one before. */
  search_changed_cb (self, entry);
  bp_palette_choose (self);
}

static void
stop_search_cb (BpPalette      *self,
                GtkSearchEntry *entry)
{
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
row_activated_cb (BpPalette     *self,
                  GtkListBoxRow *row,
                  GtkListBox    *list)
{
  const char *name = row_get_op (row);

  if (name != NULL)
    g_signal_emit (self, signals[OP_CHOSEN], 0, name);
}

static gboolean
entry_key_pressed_cb (BpPalette             *self,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down)
    {
      move_selection (self, 1);
      return TRUE;
    }
  if (keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up)
    {
      move_selection (self, -1);
      return TRUE;
    }
  return FALSE;
}

static GtkWidget *
create_row (const BpOp *op)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *symbol = gtk_label_new (op->symbol);
  GtkWidget *title = gtk_label_new (_(op->title));
  GtkWidget *name = gtk_label_new (op->name);
  const char *kind = op->kind == BP_OP_KIND_LEAF ? "bp-op-leaf"
                   : op->kind == BP_OP_KIND_LAYER ? "bp-op-layer" : "bp-op-operation";
  g_autofree char *tooltip = NULL;

  gtk_label_set_width_chars (GTK_LABEL (symbol), 4);
  gtk_label_set_xalign (GTK_LABEL (symbol), 0.5);
  gtk_widget_add_css_class (symbol, "title-4");
  gtk_widget_add_css_class (symbol, kind);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "dim-label");
  gtk_widget_add_css_class (name, "caption");
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (box), symbol);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  if (op->forward_text != NULL)
    {
      tooltip = g_strdup (_(op->forward_text));
      gtk_widget_set_tooltip_text (row, tooltip);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(op->title),
                                  -1);
  g_object_set_data (G_OBJECT (row), "bp-op-name", (gpointer) op->name);
  return row;
}

/* The search takes the keyboard as soon as the palette shows. */
static void
bp_palette_map (GtkWidget *widget)
{
  BpPalette *self = BP_PALETTE (widget);

  GTK_WIDGET_CLASS (bp_palette_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
bp_palette_finalize (GObject *object)
{
  BpPalette *self = BP_PALETTE (object);

  g_clear_pointer (&self->needle, g_free);

  G_OBJECT_CLASS (bp_palette_parent_class)->finalize (object);
}

static void
bp_palette_class_init (BpPaletteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_palette_finalize;
  widget_class->map = bp_palette_map;

  signals[OP_CHOSEN] =
    g_signal_new ("op-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/BackpropStudio/ui/bp-palette.ui");
  gtk_widget_class_bind_template_child (widget_class, BpPalette, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BpPalette, list);
  gtk_widget_class_bind_template_child (widget_class, BpPalette, empty_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
bp_palette_init (BpPalette *self)
{
  const BpOp *const *ops;
  GtkEventController *key;
  guint n_ops = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  ops = bp_op_get_all (&n_ops);
  for (guint i = 0; i < n_ops; i++)
    gtk_list_box_append (self->list, create_row (ops[i]));
  gtk_list_box_set_filter_func (self->list, filter_func, self, NULL);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), key);

  gtk_popover_set_default_widget (GTK_POPOVER (self), NULL);
}

BpPalette *
bp_palette_new (void)
{
  return g_object_new (BP_TYPE_PALETTE, NULL);
}

void
bp_palette_reset (BpPalette *self)
{
  g_return_if_fail (BP_IS_PALETTE (self));

  bp_palette_set_search (self, "");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
bp_palette_set_search (BpPalette  *self,
                       const char *text)
{
  g_return_if_fail (BP_IS_PALETTE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  /* "search-changed" is delayed; filter now so that the list is right at once. */
  search_changed_cb (self, self->search_entry);
}

const char **
bp_palette_get_visible (BpPalette *self,
                        guint     *n_ops)
{
  GPtrArray *names;
  GtkListBoxRow *row;

  g_return_val_if_fail (BP_IS_PALETTE (self), NULL);

  names = g_ptr_array_new ();
  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list, i)) != NULL; i++)
    if (filter_func (row, self))
      g_ptr_array_add (names, (gpointer) row_get_op (row));
  if (n_ops)
    *n_ops = names->len;
  g_ptr_array_add (names, NULL);
  return (const char **) g_ptr_array_free (names, FALSE);
}

gboolean
bp_palette_choose (BpPalette *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (BP_IS_PALETTE (self), FALSE);

  row = gtk_list_box_get_selected_row (self->list);
  if (row == NULL || !filter_func (row, self))
    row = first_visible_row (self);
  if (row == NULL)
    return FALSE;
  row_activated_cb (self, row, self->list);
  return TRUE;
}
