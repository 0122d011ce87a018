/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_SEARCH_LIST (bp_search_list_get_type ())
G_DECLARE_FINAL_TYPE (BpSearchList, bp_search_list, BP, SEARCH_LIST, GtkWidget)

/* Whether `row` answers to `needle`, the casefolded search text (never
 * empty: an empty search shows every row). */
typedef gboolean (*BpSearchListFilterFunc) (GtkListBoxRow *row,
                                            const char    *needle,
                                            gpointer       user_data);

/* A search entry over a list of rows, as the palette and Connect To…
 * show them: typing filters the list and selects the first row it
 * leaves, Up and Down move through it without leaving the entry, Enter
 * or a click emits "row-activated" (GtkListBoxRow *row), Escape emits
 * "stop-search"; a label says when nothing matches. Its owner makes the
 * rows and says which answer to a search. The properties
 * "placeholder-text" (also the entry's accessible name), "list-label"
 * (the list's accessible name) and "empty-text" name what is listed. */
BpSearchList *bp_search_list_new              (void);
void          bp_search_list_set_filter_func  (BpSearchList          *self,
                                               BpSearchListFilterFunc func,
                                               gpointer               user_data,
                                               GDestroyNotify         destroy);
void          bp_search_list_append           (BpSearchList          *self,
                                               GtkWidget             *row);
void          bp_search_list_remove_all       (BpSearchList          *self);
/* Sets the search text and filters at once (the entry waits a moment
 * after each key before it says the text changed). */
void          bp_search_list_set_search       (BpSearchList          *self,
                                               const char            *text);
/* The rows the search shows, in order (borrowed; free the array with
 * g_ptr_array_unref()). */
GPtrArray    *bp_search_list_get_visible      (BpSearchList          *self);
/* Emits "row-activated" for the selected (else the first visible) row;
 * FALSE when the search hides everything. */
gboolean      bp_search_list_choose           (BpSearchList          *self);

G_END_DECLS
