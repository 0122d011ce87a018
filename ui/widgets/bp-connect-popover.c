/* SPDX-License-Identifier: MIT */
/* "Connect to…": every input a node's output may feed, by name, with a
 * search; the pointer-free way to draw an edge. */
#include <glib/gi18n.h>
#include <string.h>

#include "bp-connect-popover.h"
#include "bp-search-list.h"

struct _BpConnectPopover
{
  GtkPopover      parent_instance;

  /* Template Widgets */
  GtkLabel       *heading;
  BpSearchList   *search_list;
};

G_DEFINE_FINAL_TYPE (BpConnectPopover, bp_connect_popover, GTK_TYPE_POPOVER)

enum {
  TARGET_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Each row keeps its target node (borrowed: the list is rebuilt for
 * every popup, and the popover closes when the graph changes), its slot,
 * the text it answers to and the name it shows. */
#define ROW_NODE   "bp-connect-node"
#define ROW_SLOT   "bp-connect-slot"
#define ROW_SEARCH "bp-connect-search"
#define ROW_NAME   "bp-connect-name"

/* Every word of the search is in the row's text. */
static gboolean
filter_func (GtkListBoxRow *row,
             const char    *needle,
             gpointer       user_data)
{
  const char *haystack = g_object_get_data (G_OBJECT (row), ROW_SEARCH);
  g_auto(GStrv) words = g_strsplit_set (needle, " \t", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && strstr (haystack, words[i]) == NULL)
      return FALSE;
  return TRUE;
}

static void
stop_search_cb (BpConnectPopover *self,
                BpSearchList     *search_list)
{
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
row_activated_cb (BpConnectPopover *self,
                  GtkListBoxRow    *row,
                  BpSearchList     *search_list)
{
  BpNode *node = g_object_get_data (G_OBJECT (row), ROW_NODE);
  guint slot = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), ROW_SLOT));

  if (node != NULL)
    g_signal_emit (self, signals[TARGET_CHOSEN], 0, node, slot);
}

static GtkWidget *
create_row (BpNode *source,
            BpNode *target,
            guint   slot)
{
  const BpOp *op = bp_node_get_op (target);
  const char *input = op->input_names != NULL && op->input_names[slot] != NULL
                      ? op->input_names[slot] : "?";
  BpNode *current = bp_node_get_input (target, slot);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autofree char *name = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *search = NULL;
  g_autofree char *spoken = NULL;
  GtkWidget *title, *subtitle;

  /* Translators: a target of "Connect to…": a node and one of its
   * inputs, e.g. "price — input y" */
  name = g_strdup_printf (_("%s — input %s"), bp_node_get_label (target), input);
  if (current == source)
    detail = g_strdup_printf (_("%s node; already connected"), _(op->title));
  else if (current != NULL)
    /* Translators: the input is taken: "Multiply node; now from tax" */
    detail = g_strdup_printf (_("%s node; now from %s"), _(op->title), bp_node_get_label (current));
  else
    detail = g_strdup_printf (_("%s node; free"), _(op->title));

  title = gtk_label_new (name);
  subtitle = gtk_label_new (detail);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  spoken = g_strdup_printf ("%s, %s", name, detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                  -1);
  search = g_strdup_printf ("%s %s %s", bp_node_get_label (target), bp_node_get_id (target), input);
  g_object_set_data_full (G_OBJECT (row), ROW_SEARCH, g_utf8_casefold (search, -1), g_free);
  g_object_set_data_full (G_OBJECT (row), ROW_NAME, g_steal_pointer (&name), g_free);
  g_object_set_data (G_OBJECT (row), ROW_NODE, target);
  g_object_set_data (G_OBJECT (row), ROW_SLOT, GUINT_TO_POINTER (slot));
  return row;
}

/* The search takes the keyboard as soon as the popover shows. */
static void
bp_connect_popover_map (GtkWidget *widget)
{
  BpConnectPopover *self = BP_CONNECT_POPOVER (widget);

  GTK_WIDGET_CLASS (bp_connect_popover_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_list));
}

static void
bp_connect_popover_class_init (BpConnectPopoverClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->map = bp_connect_popover_map;

  signals[TARGET_CHOSEN] =
    g_signal_new ("target-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);

  g_type_ensure (BP_TYPE_SEARCH_LIST);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/BackpropStudio/ui/bp-connect-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, BpConnectPopover, heading);
  gtk_widget_class_bind_template_child (widget_class, BpConnectPopover, search_list);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
bp_connect_popover_init (BpConnectPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  bp_search_list_set_filter_func (self->search_list, filter_func, NULL, NULL);

  gtk_popover_set_default_widget (GTK_POPOVER (self), NULL);
}

BpConnectPopover *
bp_connect_popover_new (void)
{
  return g_object_new (BP_TYPE_CONNECT_POPOVER, NULL);
}

void
bp_connect_popover_set_source (BpConnectPopover *self,
                               BpGraph          *graph,
                               BpNode           *source)
{
  g_autofree char *heading = NULL;
  guint n;

  g_return_if_fail (BP_IS_CONNECT_POPOVER (self));
  g_return_if_fail (graph != NULL && source != NULL);

  bp_search_list_remove_all (self->search_list);

  n = bp_graph_get_n_nodes (graph);
  for (guint i = 0; i < n; i++)
    {
      BpNode *target = bp_graph_get_node (graph, i);

      if (target == source || bp_node_get_n_inputs (target) == 0 ||
          bp_graph_would_cycle (graph, source, target))
        continue;
      for (guint slot = 0; slot < bp_node_get_n_inputs (target); slot++)
        bp_search_list_append (self->search_list, create_row (source, target, slot));
    }

  /* Translators: the heading of "Connect to…": "Connect apple’s output to:" */
  heading = g_strdup_printf (_("Connect %s’s output to:"), bp_node_get_label (source));
  gtk_label_set_label (self->heading, heading);
  bp_connect_popover_set_search (self, "");
}

void
bp_connect_popover_set_search (BpConnectPopover *self,
                               const char       *text)
{
  g_return_if_fail (BP_IS_CONNECT_POPOVER (self));

  bp_search_list_set_search (self->search_list, text);
}

char **
bp_connect_popover_dup_visible (BpConnectPopover *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (BP_IS_CONNECT_POPOVER (self), NULL);

  rows = bp_search_list_get_visible (self->search_list);
  for (guint i = 0; i < rows->len; i++)
    g_strv_builder_add (names, g_object_get_data (rows->pdata[i], ROW_NAME));
  return g_strv_builder_end (names);
}

gboolean
bp_connect_popover_choose (BpConnectPopover *self)
{
  g_return_val_if_fail (BP_IS_CONNECT_POPOVER (self), FALSE);

  return bp_search_list_choose (self->search_list);
}
