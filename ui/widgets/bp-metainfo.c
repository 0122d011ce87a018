/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "bp-metainfo"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "bp-metainfo.h"

/* The merged file is small: it is read into a little tree first, because
 * a translation (xml:lang="ko") follows the element it translates, so the
 * choice between them can only be made once both are read. */
typedef struct _Node Node;
struct _Node
{
  char      *name;   /* NULL for a text node */
  char      *text;   /* a text node's text */
  char      *lang;   /* xml:lang, or NULL when untranslated */
  char      *type;
  char      *version;
  char      *date;
  GPtrArray *children;
};

struct _BpMetainfo
{
  char       *name;
  char       *summary;
  char       *developer_name;
  char       *version;
  char       *release_date;
  char       *release_notes;
  GHashTable *urls;
};

/* Elements whose text is kept as markup in release notes. */
static const char *const notes_elements[] = { "p", "ul", "ol", "li", "em", "code", NULL };

/* --- the tree --- */

static void
node_free (gpointer data)
{
  Node *node = data;

  g_free (node->name);
  g_free (node->text);
  g_free (node->lang);
  g_free (node->type);
  g_free (node->version);
  g_free (node->date);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node);
}

static Node *
node_new (const char *name)
{
  Node *node = g_new0 (Node, 1);

  node->name = g_strdup (name);
  node->children = g_ptr_array_new_with_free_func (node_free);

  return node;
}

static void
replace_str (char       **field,
             const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

typedef struct
{
  Node      *root;
  GPtrArray *stack;   /* borrowed: the open elements */
} ParseData;

static void
start_element (GMarkupParseContext  *context,
               const char           *element_name,
               const char          **attribute_names,
               const char          **attribute_values,
               gpointer              user_data,
               GError              **error)
{
  ParseData *data = user_data;
  Node *node = node_new (element_name);

  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      if (g_str_equal (attribute_names[i], "xml:lang"))
        replace_str (&node->lang, attribute_values[i]);
      else if (g_str_equal (attribute_names[i], "type"))
        replace_str (&node->type, attribute_values[i]);
      else if (g_str_equal (attribute_names[i], "version"))
        replace_str (&node->version, attribute_values[i]);
      else if (g_str_equal (attribute_names[i], "date"))
        replace_str (&node->date, attribute_values[i]);
    }

  if (data->stack->len == 0)
    {
      if (data->root != NULL)
        node_free (data->root);
      data->root = node;
    }
  else
    {
      Node *parent = g_ptr_array_index (data->stack, data->stack->len - 1);

      g_ptr_array_add (parent->children, node);
    }
  g_ptr_array_add (data->stack, node);
}

static void
end_element (GMarkupParseContext  *context,
             const char           *element_name,
             gpointer              user_data,
             GError              **error)
{
  ParseData *data = user_data;

  g_ptr_array_set_size (data->stack, data->stack->len - 1);
}

static void
text (GMarkupParseContext  *context,
      const char           *text_value,
      gsize                 text_len,
      gpointer              user_data,
      GError              **error)
{
  ParseData *data = user_data;
  Node *parent;
  Node *node;

  if (data->stack->len == 0)
    return;

  parent = g_ptr_array_index (data->stack, data->stack->len - 1);
  node = node_new (NULL);
  node->text = g_strndup (text_value, text_len);
  g_ptr_array_add (parent->children, node);
}

/* --- choosing a language --- */

/* The position of `lang` in `languages` (lower is better); untranslated
 * text ranks as "C" does, and a language the user does not read never
 * wins. */
static guint
language_rank (const char         *lang,
               const char * const *languages)
{
  const char *wanted = lang != NULL ? lang : "C";
  guint i;

  for (i = 0; languages != NULL && languages[i] != NULL; i++)
    if (g_str_equal (languages[i], wanted))
      return i;

  return lang == NULL ? i : G_MAXUINT;
}

/* Of the element children of `parent`, the ones to show: an untranslated
 * element or the translation that follows it in the best language. */
static GPtrArray *
choose_children (Node               *parent,
                 const char * const *languages)
{
  GPtrArray *chosen = g_ptr_array_new ();
  Node *best = NULL;
  Node *group = NULL;

  for (guint i = 0; i <= parent->children->len; i++)
    {
      Node *child = i < parent->children->len ? g_ptr_array_index (parent->children, i) : NULL;

      if (child != NULL && child->name == NULL)
        continue;

      if (child != NULL && child->lang != NULL && group != NULL
          && g_str_equal (child->name, group->name))
        {
          if (language_rank (child->lang, languages) < language_rank (best->lang, languages))
            best = child;
          continue;
        }

      if (best != NULL)
        g_ptr_array_add (chosen, best);
      group = best = NULL;
      if (child != NULL && child->lang == NULL)
        group = best = child;
    }

  return chosen;
}

static Node *
choose_child (Node               *parent,
              const char         *name,
              const char * const *languages)
{
  g_autoptr(GPtrArray) chosen = choose_children (parent, languages);

  for (guint i = 0; i < chosen->len; i++)
    {
      Node *child = g_ptr_array_index (chosen, i);

      if (g_str_equal (child->name, name))
        return child;
    }

  return NULL;
}

/* --- text out of the tree --- */

static void
append_text (Node    *node,
             GString *out)
{
  if (node->name == NULL)
    {
      g_string_append (out, node->text);
      return;
    }
  for (guint i = 0; i < node->children->len; i++)
    append_text (g_ptr_array_index (node->children, i), out);
}

/* The text of an element with its runs of white space made single, as
 * AppStream reads it. */
static char *
node_get_text (Node *node)
{
  g_autoptr(GString) raw = g_string_new (NULL);
  g_auto(GStrv) words = NULL;

  if (node == NULL)
    return NULL;

  append_text (node, raw);
  words = g_strsplit_set (raw->str, " \t\r\n", -1);

  {
    g_autoptr(GString) out = g_string_new (NULL);

    for (guint i = 0; words[i] != NULL; i++)
      {
        if (*words[i] == '\0')
          continue;
        if (out->len > 0)
          g_string_append_c (out, ' ');
        g_string_append (out, words[i]);
      }
    return g_string_free (g_steal_pointer (&out), FALSE);
  }
}

/* Runs of white space made single, as AppStream reads text. */
static void
append_collapsed (GString    *out,
                  const char *text_value)
{
  for (const char *p = text_value; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          if (out->len == 0 || out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_c (out, *p);
    }
}

/* Release notes as AdwAboutWindow takes them: the description's p, ul,
 * ol, li, em and code, in the chosen language, the text escaped again. */
static void
append_notes (Node               *node,
              const char * const *languages,
              GString            *out)
{
  g_autoptr(GPtrArray) chosen = choose_children (node, languages);

  for (guint i = 0; i < chosen->len; i++)
    {
      Node *child = g_ptr_array_index (chosen, i);

      if (!g_strv_contains (notes_elements, child->name))
        continue;

      g_string_append_printf (out, "<%s>", child->name);
      if (g_str_equal (child->name, "ul") || g_str_equal (child->name, "ol"))
        append_notes (child, languages, out);
      else
        {
          g_autoptr(GString) inner = g_string_new (NULL);

          for (guint j = 0; j < child->children->len; j++)
            {
              Node *run = g_ptr_array_index (child->children, j);
              g_autofree char *plain = NULL;
              g_autofree char *escaped = NULL;

              if (run->name != NULL && !g_str_equal (run->name, "em") && !g_str_equal (run->name, "code"))
                continue;
              plain = run->name == NULL ? g_strdup (run->text) : node_get_text (run);
              escaped = g_markup_escape_text (plain, -1);
              if (run->name != NULL)
                g_string_append_printf (inner, "<%s>", run->name);
              append_collapsed (inner, escaped);
              if (run->name != NULL)
                g_string_append_printf (inner, "</%s>", run->name);
            }
          g_string_append (out, g_strstrip (inner->str));
        }
      g_string_append_printf (out, "</%s>", child->name);
    }
}

/* --- public API --- */

BpMetainfo *
bp_metainfo_new_from_data (const char         *data,
                           gssize              length,
                           const char * const *languages,
                           GError            **error)
{
  static const GMarkupParser parser = { start_element, end_element, text, NULL, NULL };
  g_autoptr(BpMetainfo) self = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  ParseData parse = { NULL, stack };
  Node *component;
  Node *releases;
  Node *release = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL, NULL);

  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &parse, NULL);
  ok = g_markup_parse_context_parse (context, data, length, error)
       && g_markup_parse_context_end_parse (context, error);
  component = parse.root;
  if (!ok)
    {
      g_clear_pointer (&component, node_free);
      g_prefix_error (error, _("The application’s metainfo cannot be read: "));
      return NULL;
    }
  if (component == NULL || !g_str_equal (component->name, "component"))
    {
      g_clear_pointer (&component, node_free);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The application’s metainfo has no <component> element"));
      return NULL;
    }

  self = g_new0 (BpMetainfo, 1);
  self->urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->name = node_get_text (choose_child (component, "name", languages));
  self->summary = node_get_text (choose_child (component, "summary", languages));
  self->developer_name = node_get_text (choose_child (component, "developer_name", languages));

  for (guint i = 0; i < component->children->len; i++)
    {
      Node *child = g_ptr_array_index (component->children, i);

      if (child->name != NULL && g_str_equal (child->name, "url") && child->type != NULL)
        g_hash_table_insert (self->urls, g_strdup (child->type), node_get_text (child));
    }

  /* AppStream lists the newest release first. */
  releases = choose_child (component, "releases", NULL);
  if (releases != NULL)
    release = choose_child (releases, "release", NULL);
  if (release != NULL && release->version != NULL)
    {
      Node *description = choose_child (release, "description", languages);

      self->version = g_strdup (release->version);
      self->release_date = g_strdup (release->date);
      if (description != NULL)
        {
          g_autoptr(GString) notes = g_string_new (NULL);

          append_notes (description, languages, notes);
          self->release_notes = g_string_free (g_steal_pointer (&notes), FALSE);
        }
    }

  node_free (component);

  if (self->version == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The application’s metainfo lists no release with a version"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

BpMetainfo *
bp_metainfo_new_from_resource (const char  *path,
                               GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const char *data;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &length);

  return bp_metainfo_new_from_data (data, length, g_get_language_names (), error);
}

void
bp_metainfo_free (BpMetainfo *self)
{
  if (self == NULL)
    return;

  g_free (self->name);
  g_free (self->summary);
  g_free (self->developer_name);
  g_free (self->version);
  g_free (self->release_date);
  g_free (self->release_notes);
  g_clear_pointer (&self->urls, g_hash_table_unref);
  g_free (self);
}

const char *
bp_metainfo_get_name (BpMetainfo *self)
{
  return self->name;
}

const char *
bp_metainfo_get_summary (BpMetainfo *self)
{
  return self->summary;
}

const char *
bp_metainfo_get_developer_name (BpMetainfo *self)
{
  return self->developer_name;
}

const char *
bp_metainfo_get_url (BpMetainfo *self,
                     const char *type)
{
  return g_hash_table_lookup (self->urls, type);
}

const char *
bp_metainfo_get_version (BpMetainfo *self)
{
  return self->version;
}

const char *
bp_metainfo_get_release_date (BpMetainfo *self)
{
  return self->release_date;
}

const char *
bp_metainfo_get_release_notes (BpMetainfo *self)
{
  return self->release_notes;
}
