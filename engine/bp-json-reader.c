/* SPDX-License-Identifier: MIT */
/* Reading JSON text into a tree (see bp-json-reader.h): one pass over
 * the bytes, recursive descent bounded by the depth limit, every node and
 * text in a few large blocks freed at once. */

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>

#include "bp-json-reader.h"

#define BLOCK_SIZE (64 * 1024)

/* Blocks of memory handed out in order and freed together. */
typedef struct _Block Block;
struct _Block
{
  Block *next;
  gsize  used;
  gsize  size;
  char   data[];
};

struct _BpJsonDocument
{
  Block      *blocks;
  BpJsonNode *root;
};

typedef struct
{
  BpJsonDocument *doc;
  const char     *start;
  const char     *p;
  const char     *end;
  guint           depth;
  guint           max_depth;
  GPtrArray      *elements;   /* the open arrays' elements, innermost last */
  GArray         *members;    /* the open objects' members, innermost last */
  GString        *scratch;    /* a string with escapes, while it is read */
  GError        **error;
} Parser;

G_DEFINE_QUARK (bp-json-error-quark, bp_json_error)

static gpointer
arena_alloc (BpJsonDocument *doc,
             gsize           size)
{
  Block *block = doc->blocks;
  gpointer result;

  size = (size + 7) & ~(gsize) 7;
  if (block == NULL || block->size - block->used < size)
    {
      gsize capacity = MAX (BLOCK_SIZE, size);

      block = g_malloc (sizeof (Block) + capacity);
      block->used = 0;
      block->size = capacity;
      block->next = doc->blocks;
      doc->blocks = block;
    }
  result = block->data + block->used;
  block->used += size;
  return result;
}

static const char *
arena_strndup (BpJsonDocument *doc,
               const char     *text,
               gsize           len)
{
  char *copy = arena_alloc (doc, len + 1);

  memcpy (copy, text, len);
  copy[len] = '\0';
  return copy;
}

/* Line and column (in characters, from 1) of `at`. */
static void
locate (Parser     *parser,
        const char *at,
        guint      *line,
        guint      *column)
{
  const char *line_start = parser->start;

  *line = 1;
  for (const char *q = parser->start; q < at; q++)
    if (*q == '\n')
      {
        (*line)++;
        line_start = q + 1;
      }
  *column = 1;
  for (const char *q = line_start; q < at; q++)
    if (((guchar) *q & 0xc0) != 0x80)
      (*column)++;
}

G_GNUC_PRINTF (4, 5)
static gboolean
fail (Parser     *parser,
      int         code,
      const char *at,
      const char *format,
      ...)
{
  g_autofree char *what = NULL;
  guint line, column;
  va_list args;

  if (parser->error == NULL || *parser->error != NULL)
    return FALSE;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  locate (parser, at, &line, &column);
  g_set_error (parser->error, BP_JSON_ERROR, code,
               /* Translators: where the JSON text is wrong, then what is wrong */
               _("line %u, column %u: %s"), line, column, what);
  return FALSE;
}

/* What stands at `at`, for a message: a word whole, another character
 * alone, a control character by its code. */
static char *
describe_found (Parser     *parser,
                const char *at)
{
  const char *q = at;
  gunichar c;

  if (g_ascii_isalnum (*q) || *q == '_' || *q == '-' || *q == '+' || *q == '.')
    {
      while (q < parser->end && q - at < 40
             && (g_ascii_isalnum (*q) || *q == '_' || *q == '-' || *q == '+' || *q == '.'))
        q++;
      return g_strdup_printf ("“%.*s”", (int) (q - at), at);
    }
  c = g_utf8_get_char_validated (at, parser->end - at);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup_printf ("byte 0x%02x", (guchar) *at);
  if (c < 0x20 || c == 0x7f || !g_unichar_isprint (c))
    return g_strdup_printf ("U+%04X", c);
  return g_strdup_printf ("“%.*s”", (int) (g_utf8_next_char (at) - at), at);
}

/* "expected …, found …", or that the text ended. */
static gboolean
fail_expected (Parser     *parser,
               const char *expected_format)
{
  g_autofree char *found = NULL;

  if (parser->p >= parser->end)
    return fail (parser, BP_JSON_ERROR_SYNTAX, parser->p, "%s",
                 _("the text ends before the JSON value is complete"));
  found = describe_found (parser, parser->p);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return fail (parser, BP_JSON_ERROR_SYNTAX, parser->p, expected_format, found);
#pragma GCC diagnostic pop
}

static inline void
skip_space (Parser *parser)
{
  const char *p = parser->p;

  while (p < parser->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  parser->p = p;
}

static BpJsonNode *
new_node (Parser     *parser,
          BpJsonType  type)
{
  BpJsonNode *node = arena_alloc (parser->doc, sizeof (BpJsonNode));

  node->type = type;
  node->length = 0;
  return node;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits after "\u" at `p`, or -1. */
static int
read_hex4 (Parser     *parser,
           const char *p)
{
  int code = 0;

  if (parser->end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int d = hex_digit (p[i]);

      if (d < 0)
        return -1;
      code = code * 16 + d;
    }
  return code;
}

/* Reads a string whose opening quote is at parser->p; `where` is the
 * member it belongs to (for the message on a lone surrogate). */
static const char *
read_string (Parser     *parser,
             const char *where,
             guint      *length)
{
  const char *p = parser->p + 1;
  const char *run = p;
  gboolean high = FALSE;
  gboolean escaped = FALSE;
  GString *s = parser->scratch;

  for (;;)
    {
      guchar c;

      /* Plain bytes in one run. */
      while (p < parser->end && (c = (guchar) *p) != '"' && c != '\\' && c != '\0')
        {
          high |= c >= 0x80;
          p++;
        }
      if (p >= parser->end)
        {
          /* Where the string opened says more than where the text ends. */
          fail (parser, BP_JSON_ERROR_SYNTAX, parser->p, "%s",
                _("the text ends inside the string that starts here"));
          return NULL;
        }
      if (high && !g_utf8_validate_len (run, p - run, NULL))
        {
          const char *bad;

          g_utf8_validate_len (run, p - run, &bad);
          fail (parser, BP_JSON_ERROR_SYNTAX, bad, "%s",
                _("a string holds bytes that are not UTF-8 text"));
          return NULL;
        }
      high = FALSE;
      if (*p == '\0')
        {
          g_autofree char *found = describe_found (parser, p);

          fail (parser, BP_JSON_ERROR_SYNTAX, p,
                /* Translators: %s is a character's code, U+0000 */
                _("a string holds the character %s"), found);
          return NULL;
        }
      if (*p == '"')
        {
          const char *text;

          if (!escaped)
            {
              *length = p - run;
              text = arena_strndup (parser->doc, run, p - run);
            }
          else
            {
              g_string_append_len (s, run, p - run);
              *length = s->len;
              text = arena_strndup (parser->doc, s->str, s->len);
            }
          parser->p = p + 1;
          return text;
        }

      /* An escape. */
      if (!escaped)
        {
          g_string_truncate (s, 0);
          escaped = TRUE;
        }
      g_string_append_len (s, run, p - run);
      if (p + 1 >= parser->end)
        {
          fail (parser, BP_JSON_ERROR_SYNTAX, parser->p, "%s",
                _("the text ends inside the string that starts here"));
          return NULL;
        }
      switch (p[1])
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          {
            int code = read_hex4 (parser, p + 2);
            gunichar ch;

            if (code < 0)
              {
                fail (parser, BP_JSON_ERROR_SYNTAX, p, "%s",
                      _("“\\u” in a string must be followed by four hexadecimal digits"));
                return NULL;
              }
            ch = code;
            if (code >= 0xd800 && code <= 0xdbff && parser->end - p >= 12
                && p[6] == '\\' && p[7] == 'u')
              {
                int low = read_hex4 (parser, p + 8);

                if (low >= 0xdc00 && low <= 0xdfff)
                  {
                    ch = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    p += 6;
                  }
              }
            if (ch >= 0xd800 && ch <= 0xdfff)
              {
                guint line, column;

                locate (parser, p, &line, &column);
                g_set_error (parser->error, BP_JSON_ERROR, BP_JSON_ERROR_SURROGATE,
                             /* Translators: a member's name ("label"), then the line
                              * and column; keep \\ud800 and \\udfff */
                             _("A text in “%s” is not valid UTF-8: it has an escape of half "
                               "a surrogate pair (\\ud800 to \\udfff) alone (line %u, "
                               "column %u)"), where != NULL ? where : "", line, column);
                return NULL;
              }
            g_string_append_unichar (s, ch);
            p += 4;
          }
          break;
        default:
          {
            const char *after = p + 1;
            gunichar c2 = g_utf8_get_char_validated (after, parser->end - after);
            g_autofree char *shown = NULL;

            if (c2 == (gunichar) -1 || c2 == (gunichar) -2 || c2 < 0x20)
              shown = g_strdup_printf ("U+%04X", c2 < 0x20 ? c2 : (guchar) *after);
            else
              shown = g_strndup (after, g_utf8_next_char (after) - after);
            fail (parser, BP_JSON_ERROR_SYNTAX, p,
                  /* Translators: %s is the character after the backslash */
                  _("unknown escape “\\%s” in a string (JSON has \\\" \\\\ \\/ \\b \\f \\n "
                    "\\r \\t and \\u)"), shown);
            return NULL;
          }
        }
      p += 2;
      run = p;
    }
}

static gboolean
read_number (Parser     *parser,
             BpJsonNode *node)
{
  const char *start = parser->p;
  const char *p = start;
  const char *end = parser->end;
  gboolean integer = TRUE;
  char stack_buffer[64];
  g_autofree char *heap_buffer = NULL;
  char *buffer = stack_buffer;
  gsize len;

  if (p < end && *p == '-')
    p++;
  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    while (p < end && g_ascii_isdigit (*p))
      p++;
  else
    goto bad;
  if (p < end && *p == '.')
    {
      integer = FALSE;
      p++;
      if (!(p < end && g_ascii_isdigit (*p)))
        goto bad;
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (!(p < end && g_ascii_isdigit (*p)))
        goto bad;
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  /* "01", "1x", "0x1f": not a number that ends where JSON's would. */
  if (p < end && (g_ascii_isalnum (*p) || *p == '.' || *p == '_'))
    goto bad;

  len = p - start;
  if (len >= sizeof stack_buffer)
    buffer = heap_buffer = g_malloc (len + 1);
  memcpy (buffer, start, len);
  buffer[len] = '\0';
  parser->p = p;

  if (integer)
    {
      char *endptr;
      gint64 v;

      errno = 0;
      v = g_ascii_strtoll (buffer, &endptr, 10);
      if (errno == 0)
        {
          node->type = BP_JSON_INT;
          node->v.integer = v;
          return TRUE;
        }
    }
  /* Beyond a double's range it is ±∞, as strtod makes it. */
  node->type = BP_JSON_DOUBLE;
  node->v.number = g_ascii_strtod (buffer, NULL);
  return TRUE;

bad:
  {
    const char *q = start;
    g_autofree char *word = NULL;

    while (q < end && q - start < 40
           && (g_ascii_isalnum (*q) || *q == '.' || *q == '_' || *q == '-' || *q == '+'))
      q++;
    if (q == start)
      q++;
    word = g_strndup (start, q - start);
    return fail (parser, BP_JSON_ERROR_SYNTAX, start,
                 /* Translators: %s is the text read as a number */
                 _("“%s” is not a number as JSON writes them (no leading zeros, “+”, “.5”, "
                   "“5.” nor hexadecimal)"), word);
  }
}

static gboolean
read_word (Parser     *parser,
           const char *word,
           gsize       len)
{
  if ((gsize) (parser->end - parser->p) >= len && memcmp (parser->p, word, len) == 0
      && !(parser->p + len < parser->end
           && (g_ascii_isalnum (parser->p[len]) || parser->p[len] == '_')))
    {
      parser->p += len;
      return TRUE;
    }
  return FALSE;
}

static BpJsonNode *read_value (Parser *parser, const char *where);

/* Moves the members read since `first` into the object, a name written
 * twice keeping its first place and its last value. */
static void
close_object (Parser     *parser,
              BpJsonNode *node,
              guint       first)
{
  BpJsonMember *members = &g_array_index (parser->members, BpJsonMember, first);
  guint n = parser->members->len - first;
  guint kept = n;

  if (n > 1)
    {
      g_autoptr(GHashTable) seen = n > 16 ? g_hash_table_new (g_str_hash, g_str_equal) : NULL;

      kept = 0;
      for (guint i = 0; i < n; i++)
        {
          gpointer at = NULL;
          gboolean found = FALSE;

          if (seen != NULL)
            found = g_hash_table_lookup_extended (seen, members[i].name, NULL, &at);
          else
            for (guint j = 0; j < kept; j++)
              if (strcmp (members[j].name, members[i].name) == 0)
                {
                  found = TRUE;
                  at = GUINT_TO_POINTER (j);
                  break;
                }
          if (found)
            members[GPOINTER_TO_UINT (at)].value = members[i].value;
          else
            {
              if (seen != NULL)
                g_hash_table_insert (seen, (gpointer) members[i].name, GUINT_TO_POINTER (kept));
              members[kept++] = members[i];
            }
        }
    }
  node->length = kept;
  node->v.members = arena_alloc (parser->doc, MAX (kept, 1) * sizeof (BpJsonMember));
  if (kept > 0)   /* an empty array's data may be NULL */
    memcpy (node->v.members, members, kept * sizeof (BpJsonMember));
  g_array_set_size (parser->members, first);
}

static BpJsonNode *
read_object (Parser     *parser,
             const char *where)
{
  BpJsonNode *node = new_node (parser, BP_JSON_OBJECT);
  guint first = parser->members->len;

  parser->p++;
  skip_space (parser);
  if (parser->p < parser->end && *parser->p == '}')
    {
      parser->p++;
      close_object (parser, node, first);
      return node;
    }
  for (;;)
    {
      BpJsonMember member;
      guint length;

      skip_space (parser);
      if (parser->p >= parser->end || *parser->p != '"')
        {
          fail_expected (parser, _("expected a member name in double quotes, found %s"));
          return NULL;
        }
      member.name = read_string (parser, where, &length);
      if (member.name == NULL)
        return NULL;
      skip_space (parser);
      if (parser->p >= parser->end || *parser->p != ':')
        {
          fail_expected (parser, _("expected “:” after a member name, found %s"));
          return NULL;
        }
      parser->p++;
      member.value = read_value (parser, member.name);
      if (member.value == NULL)
        return NULL;
      g_array_append_val (parser->members, member);
      skip_space (parser);
      if (parser->p < parser->end && *parser->p == ',')
        {
          parser->p++;
          continue;
        }
      if (parser->p < parser->end && *parser->p == '}')
        {
          parser->p++;
          close_object (parser, node, first);
          return node;
        }
      fail_expected (parser, _("expected “,” or “}” after a member of an object, found %s"));
      return NULL;
    }
}

static BpJsonNode *
read_array (Parser     *parser,
            const char *where)
{
  BpJsonNode *node = new_node (parser, BP_JSON_ARRAY);
  guint first = parser->elements->len;
  guint n;

  parser->p++;
  skip_space (parser);
  if (!(parser->p < parser->end && *parser->p == ']'))
    for (;;)
      {
        BpJsonNode *element = read_value (parser, where);

        if (element == NULL)
          return NULL;
        g_ptr_array_add (parser->elements, element);
        skip_space (parser);
        if (parser->p < parser->end && *parser->p == ',')
          {
            parser->p++;
            continue;
          }
        if (parser->p < parser->end && *parser->p == ']')
          break;
        fail_expected (parser, _("expected “,” or “]” after an element of an array, found %s"));
        return NULL;
      }
  parser->p++;
  n = parser->elements->len - first;
  node->length = n;
  node->v.elements = arena_alloc (parser->doc, MAX (n, 1) * sizeof (BpJsonNode *));
  if (n > 0)   /* an empty array's data may be NULL */
    memcpy (node->v.elements, parser->elements->pdata + first, n * sizeof (BpJsonNode *));
  g_ptr_array_set_size (parser->elements, first);
  return node;
}

static BpJsonNode *
read_value (Parser     *parser,
            const char *where)
{
  BpJsonNode *node;

  skip_space (parser);
  if (parser->p >= parser->end)
    {
      fail_expected (parser, NULL);
      return NULL;
    }
  switch (*parser->p)
    {
    case '{':
    case '[':
      if (parser->depth >= parser->max_depth)
        {
          fail (parser, BP_JSON_ERROR_DEPTH, parser->p,
                _("arrays and objects nest more than %u levels deep"), parser->max_depth);
          return NULL;
        }
      parser->depth++;
      node = *parser->p == '{' ? read_object (parser, where) : read_array (parser, where);
      parser->depth--;
      return node;
    case '"':
      {
        guint length;
        const char *text;

        text = read_string (parser, where, &length);
        if (text == NULL)
          return NULL;
        node = new_node (parser, BP_JSON_STRING);
        node->v.string = text;
        node->length = length;
        return node;
      }
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      node = new_node (parser, BP_JSON_INT);
      return read_number (parser, node) ? node : NULL;
    case '+':
    case '.':
      node = new_node (parser, BP_JSON_INT);
      read_number (parser, node);
      return NULL;
    default:
      break;
    }
  if (read_word (parser, "true", 4) || read_word (parser, "false", 5))
    {
      node = new_node (parser, BP_JSON_BOOLEAN);
      node->v.boolean = parser->p[-1] == 'e' && parser->p[-2] == 'u';
      return node;
    }
  if (read_word (parser, "null", 4))
    return new_node (parser, BP_JSON_NULL);
  fail_expected (parser, _("expected a value (a number, a string, an array, an object, "
                           "true, false or null), found %s"));
  return NULL;
}

BpJsonDocument *
bp_json_document_parse (const char  *data,
                        gsize        length,
                        guint        max_depth,
                        GError     **error)
{
  g_autoptr(BpJsonDocument) doc = g_new0 (BpJsonDocument, 1);
  g_autoptr(GPtrArray) elements = g_ptr_array_new ();
  g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (BpJsonMember));
  g_autoptr(GString) scratch = g_string_new (NULL);
  GError *local_error = NULL;
  Parser parser = {
    .doc = doc,
    .start = data,
    .p = data,
    .end = data + length,
    .max_depth = max_depth,
    .elements = elements,
    .members = members,
    .scratch = scratch,
    .error = &local_error,
  };

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  /* A byte order mark is no content. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    parser.p += 3;

  doc->root = read_value (&parser, NULL);
  if (doc->root != NULL)
    {
      skip_space (&parser);
      if (parser.p < parser.end)
        {
          g_autofree char *found = describe_found (&parser, parser.p);

          fail (&parser, BP_JSON_ERROR_SYNTAX, parser.p,
                /* Translators: %s is what follows (“x”) */
                _("the text goes on after the JSON value: %s"), found);
          doc->root = NULL;
        }
    }
  if (doc->root == NULL)
    {
      if (local_error == NULL)   /* every failure sets one; be safe */
        fail (&parser, BP_JSON_ERROR_SYNTAX, parser.p, "%s",
              _("the text ends before the JSON value is complete"));
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&doc);
}

BpJsonNode *
bp_json_document_get_root (BpJsonDocument *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->root;
}

void
bp_json_document_free (BpJsonDocument *self)
{
  if (self == NULL)
    return;
  while (self->blocks != NULL)
    {
      Block *next = self->blocks->next;

      g_free (self->blocks);
      self->blocks = next;
    }
  g_free (self);
}

BpJsonNode *
bp_json_node_get_member (const BpJsonNode *node,
                         const char       *name)
{
  g_return_val_if_fail (node != NULL && name != NULL, NULL);

  if (node->type != BP_JSON_OBJECT)
    return NULL;
  for (guint i = 0; i < node->length; i++)
    if (strcmp (node->v.members[i].name, name) == 0)
      return node->v.members[i].value;
  return NULL;
}
