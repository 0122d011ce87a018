/* SPDX-License-Identifier: MIT */
#include <glib/gi18n.h>

#include "bp-op.h"
#include "bp-palette.h"
#include "bp-search-list.h"

struct _BpPalette
{
  GtkPopover    parent_instance;

  /* Template Widgets */
  BpSearchList *search_list;
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
             const char    *needle,
             gpointer       user_data)
{
  const BpOp *op = bp_op_lookup (row_get_op (row));

  if (op == NULL)
    return TRUE;
  return text_matches (op->name, needle) ||
         text_matches (op->symbol, needle) ||
         text_matches (_(op->title), needle);
}

static void
stop_search_cb (BpPalette    *self,
                BpSearchList *search_list)
{
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
row_activated_cb (BpPalette     *self,
                  GtkListBoxRow *row,
                  BpSearchList  *search_list)
{
  const char *name = row_get_op (row);

  if (name != NULL)
    g_signal_emit (self, signals[OP_CHOSEN], 0, name);
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
  gtk_widget_grab_focus (GTK_WIDGET (self->search_list));
}

static void
bp_palette_class_init (BpPaletteClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->map = bp_palette_map;

  signals[OP_CHOSEN] =
    g_signal_new ("op-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (BP_TYPE_SEARCH_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/BackpropStudio/ui/bp-palette.ui");
  gtk_widget_class_bind_template_child (widget_class, BpPalette, search_list);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
bp_palette_init (BpPalette *self)
{
  const BpOp *const *ops;
  guint n_ops = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  ops = bp_op_get_all (&n_ops);
  for (guint i = 0; i < n_ops; i++)
    bp_search_list_append (self->search_list, create_row (ops[i]));
  bp_search_list_set_filter_func (self->search_list, filter_func, NULL, NULL);

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
  gtk_widget_grab_focus (GTK_WIDGET (self->search_list));
}

void
bp_palette_set_search (BpPalette  *self,
                       const char *text)
{
  g_return_if_fail (BP_IS_PALETTE (self));

  bp_search_list_set_search (self->search_list, text);
}

const char **
bp_palette_get_visible (BpPalette *self,
                        guint     *n_ops)
{
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *names;

  g_return_val_if_fail (BP_IS_PALETTE (self), NULL);

  rows = bp_search_list_get_visible (self->search_list);
  names = g_ptr_array_sized_new (rows->len + 1);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (names, (gpointer) row_get_op (rows->pdata[i]));
  if (n_ops)
    *n_ops = names->len;
  g_ptr_array_add (names, NULL);
  return (const char **) g_ptr_array_free (names, FALSE);
}

gboolean
bp_palette_choose (BpPalette *self)
{
  g_return_val_if_fail (BP_IS_PALETTE (self), FALSE);

  return bp_search_list_choose (self->search_list);
}
