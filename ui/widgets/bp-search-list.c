/* SPDX-License-Identifier: MIT */
/* The search and the list under it that the palette and Connect To…
 * share, so that both answer the keyboard alike. */
#include "bp-search-list.h"

struct _BpSearchList
{
  GtkWidget               parent_instance;

  /* Template Widgets */
  GtkSearchEntry         *search_entry;
  GtkListBox             *list;
  GtkLabel               *empty_label;

  /* Owned References */
  char                   *needle;     /* casefolded search text, NULL: everything */
  char                   *placeholder_text;
  char                   *list_label;
  BpSearchListFilterFunc  filter;
  gpointer                filter_data;
  GDestroyNotify          filter_destroy;
};

G_DEFINE_FINAL_TYPE (BpSearchList, bp_search_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PLACEHOLDER_TEXT,
  PROP_LIST_LABEL,
  PROP_EMPTY_TEXT,
  N_PROPS
};

enum {
  ROW_ACTIVATED,
  STOP_SEARCH,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
filter_func (GtkListBoxRow *row,
             gpointer       user_data)
{
  BpSearchList *self = user_data;

  if (self->needle == NULL || self->filter == NULL)
    return TRUE;
  return self->filter (row, self->needle, self->filter_data);
}

static GtkListBoxRow *
first_visible_row (BpSearchList *self)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list, i)) != NULL; i++)
    if (filter_func (row, self))
      return row;
  return NULL;
}

/* Up/Down in the search entry move through the list without leaving it. */
static void
move_selection (BpSearchList *self,
                int           direction)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->list);
  int index = selected ? gtk_list_box_row_get_index (selected) : -1;
  GtkListBoxRow *row;

  for (int i = index + direction; i >= 0; i += direction)
    {
      if ((row = gtk_list_box_get_row_at_index (self->list, i)) == NULL)
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
refilter (BpSearchList *self)
{
  GtkListBoxRow *first;

  gtk_list_box_invalidate_filter (self->list);
  first = first_visible_row (self);
  gtk_list_box_select_row (self->list, first);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), first == NULL);
}

static char *
dup_needle (BpSearchList *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  return text != NULL && text[0] != '\0' ? g_utf8_casefold (text, -1) : NULL;
}

static void
search_changed_cb (BpSearchList   *self,
                   GtkSearchEntry *entry)
{
  g_free (self->needle);
  self->needle = dup_needle (self);
  refilter (self);
}

static void
search_activate_cb (BpSearchList   *self,
                    GtkSearchEntry *entry)
{
  g_autofree char *needle = dup_needle (self);

  /* "search-changed" comes 150 ms after the last key: Enter typed sooner
   * must choose from the list the whole text leaves, not the one before;
   * a row chosen since with Up or Down stays chosen. */
  if (g_strcmp0 (needle, self->needle) != 0)
    search_changed_cb (self, entry);
  bp_search_list_choose (self);
}

static void
stop_search_cb (BpSearchList   *self,
                GtkSearchEntry *entry)
{
  g_signal_emit (self, signals[STOP_SEARCH], 0);
}

static void
row_activated_cb (BpSearchList  *self,
                  GtkListBoxRow *row,
                  GtkListBox    *list)
{
  g_signal_emit (self, signals[ROW_ACTIVATED], 0, row);
}

static gboolean
entry_key_pressed_cb (BpSearchList          *self,
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

/* The search takes the keyboard for the whole list. */
static gboolean
bp_search_list_grab_focus (GtkWidget *widget)
{
  BpSearchList *self = BP_SEARCH_LIST (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
bp_search_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BpSearchList *self = BP_SEARCH_LIST (object);

  switch (prop_id)
    {
    case PROP_PLACEHOLDER_TEXT:
      g_value_set_string (value, self->placeholder_text);
      break;
    case PROP_LIST_LABEL:
      g_value_set_string (value, self->list_label);
      break;
    case PROP_EMPTY_TEXT:
      g_value_set_string (value, gtk_label_get_label (self->empty_label));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_search_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BpSearchList *self = BP_SEARCH_LIST (object);
  const char *text = g_value_get_string (value);

  switch (prop_id)
    {
    case PROP_PLACEHOLDER_TEXT:
      g_free (self->placeholder_text);
      self->placeholder_text = g_strdup (text);
      g_object_set (self->search_entry, "placeholder-text", text, NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "",
                                      -1);
      break;
    case PROP_LIST_LABEL:
      g_free (self->list_label);
      self->list_label = g_strdup (text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "",
                                      -1);
      break;
    case PROP_EMPTY_TEXT:
      gtk_label_set_label (self->empty_label, text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_search_list_dispose (GObject *object)
{
  BpSearchList *self = BP_SEARCH_LIST (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_SEARCH_LIST);
  /* A plain widget unparents its children itself, bound or not. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (bp_search_list_parent_class)->dispose (object);
}

static void
bp_search_list_finalize (GObject *object)
{
  BpSearchList *self = BP_SEARCH_LIST (object);

  if (self->filter_destroy != NULL)
    self->filter_destroy (self->filter_data);
  g_clear_pointer (&self->needle, g_free);
  g_clear_pointer (&self->placeholder_text, g_free);
  g_clear_pointer (&self->list_label, g_free);

  G_OBJECT_CLASS (bp_search_list_parent_class)->finalize (object);
}

static void
bp_search_list_class_init (BpSearchListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = bp_search_list_get_property;
  object_class->set_property = bp_search_list_set_property;
  object_class->dispose = bp_search_list_dispose;
  object_class->finalize = bp_search_list_finalize;
  widget_class->grab_focus = bp_search_list_grab_focus;

  properties[PROP_PLACEHOLDER_TEXT] =
    g_param_spec_string ("placeholder-text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIST_LABEL] =
    g_param_spec_string ("list-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMPTY_TEXT] =
    g_param_spec_string ("empty-text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ROW_ACTIVATED] =
    g_signal_new ("row-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, GTK_TYPE_LIST_BOX_ROW);
  signals[STOP_SEARCH] =
    g_signal_new ("stop-search", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/BackpropStudio/ui/bp-search-list.ui");
  gtk_widget_class_bind_template_child (widget_class, BpSearchList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BpSearchList, list);
  gtk_widget_class_bind_template_child (widget_class, BpSearchList, empty_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
bp_search_list_init (BpSearchList *self)
{
  GtkEventController *key;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_filter_func (self->list, filter_func, self, NULL);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), key);
}

BpSearchList *
bp_search_list_new (void)
{
  return g_object_new (BP_TYPE_SEARCH_LIST, NULL);
}

void
bp_search_list_set_filter_func (BpSearchList          *self,
                                BpSearchListFilterFunc func,
                                gpointer               user_data,
                                GDestroyNotify         destroy)
{
  g_return_if_fail (BP_IS_SEARCH_LIST (self));

  if (self->filter_destroy != NULL)
    self->filter_destroy (self->filter_data);
  self->filter = func;
  self->filter_data = user_data;
  self->filter_destroy = destroy;
  refilter (self);
}

void
bp_search_list_append (BpSearchList *self,
                       GtkWidget    *row)
{
  g_return_if_fail (BP_IS_SEARCH_LIST (self));

  gtk_list_box_append (self->list, row);
}

void
bp_search_list_remove_all (BpSearchList *self)
{
  GtkWidget *child;

  g_return_if_fail (BP_IS_SEARCH_LIST (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
}

void
bp_search_list_set_search (BpSearchList *self,
                           const char   *text)
{
  g_return_if_fail (BP_IS_SEARCH_LIST (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  /* "search-changed" is delayed; filter now so that the list is right at once. */
  search_changed_cb (self, self->search_entry);
}

GPtrArray *
bp_search_list_get_visible (BpSearchList *self)
{
  GPtrArray *rows;
  GtkListBoxRow *row;

  g_return_val_if_fail (BP_IS_SEARCH_LIST (self), NULL);

  rows = g_ptr_array_new ();
  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list, i)) != NULL; i++)
    if (filter_func (row, self))
      g_ptr_array_add (rows, row);
  return rows;
}

gboolean
bp_search_list_choose (BpSearchList *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (BP_IS_SEARCH_LIST (self), FALSE);

  row = gtk_list_box_get_selected_row (self->list);
  if (row == NULL || !filter_func (row, self))
    row = first_visible_row (self);
  if (row == NULL)
    return FALSE;
  row_activated_cb (self, row, self->list);
  return TRUE;
}
