/* SPDX-License-Identifier: MIT */
/* The .bpx expression language (DESIGN.md, "Expression language").
 *
 *   program    := { statement ( NEWLINE | ";" ) }
 *   statement  := NAME "=" expr | NAME augassign expr | expr
 *                                               (a bare expression: last only)
 *   augassign  := "+=" | "-=" | "*=" | "/=" | "@="
 *               | "**=" constant
 *   expr       := term { ("+" | "-") term }
 *   term       := unary { ("*" | "/" | "@") unary }
 *   unary      := "-" unary | "+" unary | power
 *   power      := postfix [ ("^" | "**") constant ]
 *   postfix    := primary { "." NAME "(" [ args ] ")" }   (x.relu() is relu(x))
 *   constant   := ( ["-" | "+"] constant | NUMBER | "(" csum ")" ) [ ("^" | "**") constant ]
 *   csum       := constant { ("+" | "-" | "*" | "/") constant }   (usual precedence)
 *   primary    := NUMBER | matrix | NAME | NAME "(" args ")" | "(" expr ")"
 *   matrix     := "[" number { "," number } "]"
 *               | "[" "[" row "]" { "," "[" row "]" } "]"
 *
 * As in Python and numpy, -x^2 is -(x^2) and ^ groups to the right.
 * Newlines inside brackets and parentheses are ignored. A literal that is
 * the whole right side of an assignment becomes an input leaf with that
 * name; other literals become const leaves. `1 / x` is the book's
 * reciprocal node, `x ^ 2` its square node. Functions are the op names of
 * the catalog; sum(x[, axis]), repeat(x, n[, axis]) and pow(x, k) take
 * constant attributes after their inputs (an axis as numpy counts it:
 * -1 is the last); input(…), const(…) and param(…) make a leaf of that
 * kind from a literal.
 *
 * A name may be assigned again, as in Python: `c = c + 1` and `c += 1`
 * make a new node labelled "c" (id "c_2", "c_3", … after the first), and
 * later lines see the newest. So micrograd's tests read as written. */

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "bp-document.h"
#include "bp-expr.h"
#include "bp-graph-private.h"
#include "bp-interner.h"
#include "bp-op-private.h"

typedef enum
{
  T_EOF,
  T_NEWLINE,
  T_NAME,
  T_NUMBER,
  T_PLUS,
  T_MINUS,
  T_STAR,
  T_SLASH,
  T_POWER,
  T_AT,
  T_LPAREN,
  T_RPAREN,
  T_LBRACKET,
  T_RBRACKET,
  T_COMMA,
  T_EQUALS,
  T_DOT,
  /* Python's augmented assignments: c += x is c = c + (x). */
  T_PLUS_EQUALS,
  T_MINUS_EQUALS,
  T_STAR_EQUALS,
  T_SLASH_EQUALS,
  T_AT_EQUALS,
  T_POWER_EQUALS,
} TokenKind;

/* Where a node was written (its operator, or its name). */
typedef struct
{
  guint line;
  guint col;
  guint statement_line;   /* where its statement starts */
} Where;

/* A name's longest text, and its terminator. */
#define BP_EXPR_NAME_SIZE 257

/* 32 bytes: a long expression has a few of these per node. */
typedef struct
{
  const char *start;
  union
  {
    double    number;   /* a T_NUMBER's value */
    guint     hash;     /* a T_NAME's bp_interner_hash(), found as it is read */
  };
  guint       len;
  guint       line;
  guint       col;
  TokenKind   kind;
} Token;

/* One statement's tokens, appended to in place: a GArray call per
 * token, or per few, was a tenth of a long text's parsing. */
typedef struct
{
  Token *data;
  guint  len;
  guint  size;
} Tokens;

/* Where the lexer is in the text. The parser asks for one statement's
 * tokens at a time, so that a long text never has all of its tokens in
 * memory at once. */
typedef struct
{
  const char *p;
  guint       line;
  int         nesting;     /* ( and [ : newlines inside are not statement ends */
  const char *line_start;  /* where column 1 is (see lex_statement) */
} Lexer;

/* An operand while parsing: a node, or a literal not yet made a node (so
 * that `a = 3` can become the input leaf "a" and `-3` stays a literal). */
typedef struct
{
  BpNode     *node;
  BpTensor   *literal;
  const BpOp *leaf_op;   /* for a literal: input unless input()/const()/param() */
  gboolean    fresh;     /* created by this expression, not a name reference */
} Operand;

typedef struct
{
  const char *base;   /* the op's name, as the catalog holds it */
  guint       base_len;
  guint       n;
} OpCounter;

/* The size of the parser's cache of names assigned lately, a power of
 * two. */
#define RECENT_NAMES 256

/* The catalog's ops, at most. */
#define MAX_OPS 64

/* How many names ahead the tables' slots are fetched (see
 * bp_interner_prefetch()): enough statements to cover a miss to memory. */
#define PREFETCH_AHEAD 16

/* A generated id's longest text, and its terminator: an op's name and
 * ten digits. */
#define GENERATED_ID_SIZE 64

/* An assignment the first pass found (see scan_assignments): the
 * name that starts at `start`, and its number in the parser's names. */
typedef struct
{
  const char *start;
  guint       len;
  guint       hash;       /* bp_interner_hash() of the name */
  guint       name_id;
} Assignment;

/* What the parser knows of an assigned name. */
typedef struct
{
  BpNode *node;         /* its newest node; NULL before its first assignment */
  guint   reassigned;   /* the last n of the "name_n" ids it was given */
  int     is_function;  /* an op's name: -1 not asked yet, then FALSE or TRUE */
} NameInfo;

typedef struct
{
  Tokens       *tokens;     /* the current statement's (see lex_statement) */
  guint         pos;
  Lexer        *lexer;
  guint         depth;
  BpGraph      *graph;
  /* Every name assigned anywhere (generated ids avoid them), interned
   * in the first pass over the text; what the parser knows of each is
   * in `name_info` (NameInfo), by the name's number. */
  BpInterner   *names;
  GArray       *name_info;
  Where        *where;      /* by node index: n_nodes of where_size */
  guint         where_size;
  /* The last number of each op's generated ids ("mul7"), the ops the
   * text uses in the order it first uses them: a few, searched by the
   * address of the op's name. */
  OpCounter     counters[MAX_OPS];
  guint         n_counters;
  /* No assigned name is an op's name followed by digits ("mul3"): then
   * a generated id can collide with nothing (see generate_id). */
  gboolean      ids_free;
  guint         n_nodes;

  /* The names assigned lately (number + 1, 0 for none), by the low bits
   * of their hash: most names a statement reads were assigned a few
   * lines before, and are found here without a look at the interner's
   * table, which a long text has out of the cache (see find_name). */
  guint         recent_names[RECENT_NAMES];

  /* The assignments in the order they come: the statement that starts
   * at the next one's name need not look its name up. */
  const Assignment *assignments;
  guint         n_assignments;
  guint         next_assignment;

  /* The statement's name, given at once to the node that looks like its
   * last one (so that it needs no rename): `named` is that node, and
   * the id it would otherwise have had is named_base's named_n-th. */
  const char   *statement_name;
  gsize         statement_name_len;
  guint         statement_name_hash;
  const char   *statement_label;   /* the name as written: "c" of c_2 */
  guint         statement_label_id;
  guint         statement_line;
  BpNode       *named;
  const OpCounter *named_base;
  guint         named_n;
} Parser;

static void
parser_clear (Parser *parser)
{
  g_clear_pointer (&parser->where, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parser, parser_clear)

static void
operand_clear (Operand *operand)
{
  g_clear_pointer (&operand->literal, bp_tensor_unref);
}

/* ---------------------------------------------------------------- */
/* Errors                                                            */

static char *
describe_token (const Token *token)
{
  switch (token->kind)
    {
    /* Translators: what the parser found, put into "expected %s but found %s" */
    case T_EOF: return g_strdup (_("the end of the text"));
    case T_NEWLINE: return g_strdup (_("the end of the line"));
    /* Translators: %.*s is a name as typed, e.g. "the name “apple”" */
    case T_NAME: return g_strdup_printf (_("the name “%.*s”"), (int) token->len, token->start);
    /* Translators: %.*s is a number as typed, e.g. "the number 2.5" */
    case T_NUMBER: return g_strdup_printf (_("the number %.*s"), (int) token->len, token->start);
    case T_PLUS: case T_MINUS: case T_STAR: case T_SLASH: case T_POWER: case T_AT:
    case T_LPAREN: case T_RPAREN: case T_LBRACKET: case T_RBRACKET: case T_COMMA:
    case T_EQUALS: case T_DOT: case T_PLUS_EQUALS: case T_MINUS_EQUALS:
    case T_STAR_EQUALS: case T_SLASH_EQUALS: case T_AT_EQUALS: case T_POWER_EQUALS:
    default:
      return g_strdup_printf ("“%.*s”", (int) token->len, token->start);
    }
}

G_GNUC_PRINTF (4, 5)
static void
error_at (GError    **error,
          int         code,
          const Token *token,
          const char *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: a line number, a column number (both from 1), then the message */
  g_set_error (error, BP_ERROR, code, _("line %u, column %u: %s"),
               token->line, token->col, message);
}

static void
expected (GError    **error,
          const Token *token,
          const char *what)
{
  g_autofree char *found = describe_token (token);

  /* Translators: what the parser needs ("a number"), then what it found
   * ("the end of the line", "the name “x”") */
  error_at (error, BP_ERROR_PARSE, token, _("expected %s but found %s"), what, found);
}

/* ---------------------------------------------------------------- */
/* Lexer                                                             */

static void
tokens_clear (Tokens *tokens)
{
  g_clear_pointer (&tokens->data, g_free);
  tokens->len = tokens->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Tokens, tokens_clear)

static void
tokens_grow (Tokens *tokens)
{
  tokens->size = MAX (16, 2 * tokens->size);
  tokens->data = g_renew (Token, tokens->data, tokens->size);
}

/* What a byte can be at the start of a token: one table look-up each. */
enum
{
  CH_OTHER,     /* nothing outside a comment: an error */
  CH_BLANK,
  CH_NEWLINE,
  CH_NAME,      /* a letter or "_" */
  CH_DIGIT,
  CH_DOT,
  CH_HASH,
  CH_END,       /* the text's terminating NUL */
  CH_PUNCT,     /* an operator, a bracket, "," or ";" */
};

static const guint8 char_class[256] = {
  ['\0'] = CH_END,
  [' '] = CH_BLANK, ['\t'] = CH_BLANK, ['\r'] = CH_BLANK, ['\f'] = CH_BLANK, ['\v'] = CH_BLANK,
  ['\n'] = CH_NEWLINE,
  ['a' ... 'z'] = CH_NAME, ['A' ... 'Z'] = CH_NAME, ['_'] = CH_NAME,
  ['0' ... '9'] = CH_DIGIT,
  ['.'] = CH_DOT,
  ['#'] = CH_HASH,
  ['+'] = CH_PUNCT, ['-'] = CH_PUNCT, ['*'] = CH_PUNCT, ['/'] = CH_PUNCT, ['^'] = CH_PUNCT,
  ['@'] = CH_PUNCT, [','] = CH_PUNCT, ['='] = CH_PUNCT, [';'] = CH_PUNCT,
  ['('] = CH_PUNCT, [')'] = CH_PUNCT, ['['] = CH_PUNCT, [']'] = CH_PUNCT,
};

/* The bytes of a name after its first. */
static const guint8 name_byte[256] = {
  ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['_'] = 1, ['0' ... '9'] = 1,
};

/* Replaces `tokens` with the next statement's: up to and including the
 * NEWLINE (a line end or ";" outside brackets) that ends it, or EOF.
 * Blank lines before it are skipped. Tokens are written in place. */
static gboolean
lex_statement (Lexer    *lexer,
               Tokens   *tokens,
               GError  **error)
{
  const char *p = lexer->p;
  /* A column is the bytes since line_start, plus one. */
  const char *line_start = lexer->line_start;
  guint line = lexer->line;
  int nesting = lexer->nesting;
  /* The array's fields in locals: the compiler cannot tell that writing
   * a token leaves them as they were. */
  Token *data = tokens->data;
  guint n = 0, size = tokens->size;
  Token *token;

  tokens->len = 0;

  while (TRUE)
    {
      guint kind;

      while ((kind = char_class[(guchar) *p]) == CH_BLANK)
        p++;
      if (kind == CH_HASH)
        {
          const char *q = p;

          while (*q != '\0' && *q != '\n')
            q++;
          /* A comment takes no columns: a token after it on the line
           * cannot be, but the end of the text can. */
          line_start += q - p;
          p = q;
          continue;
        }

      if (G_UNLIKELY (n == size))
        {
          tokens_grow (tokens);
          data = tokens->data;
          size = tokens->size;
        }
      token = &data[n];
      token->start = p;
      token->len = 1;
      token->line = line;
      token->col = (guint) (p - line_start) + 1;

      switch (kind)
        {
        case CH_NAME:
          {
            const char *q = p + 1;
            guint hash = bp_interner_hash_byte (BP_INTERNER_HASH_INIT, *p);

            while (name_byte[(guchar) *q])
              hash = bp_interner_hash_byte (hash, *q++);
            token->kind = T_NAME;
            token->hash = hash;
            token->len = q - p;
            if (token->len >= BP_EXPR_NAME_SIZE)
              {
                error_at (error, BP_ERROR_PARSE, token, "%s",
                          _("a name is longer than 256 characters"));
                return FALSE;
              }
            /* A name never joins a following "=". */
            p = q;
            n++;
            continue;
          }

        case CH_NEWLINE:
          p++;
          line++;
          line_start = p;
          if (nesting == 0 && n > 0)
            {
              token->kind = T_NEWLINE;
              n++;
              goto done;
            }
          continue;

        case CH_END:
          token->kind = T_EOF;
          token->len = 0;
          n++;
          goto done;

        case CH_DOT:
          if (!g_ascii_isdigit (p[1]))
            {
              token->kind = T_DOT;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case CH_DIGIT:
          {
            const char *q = p;

            while (g_ascii_isdigit (*q))
              q++;
            if (*q == '.')
              {
                q++;
                while (g_ascii_isdigit (*q))
                  q++;
              }
            if ((*q == 'e' || *q == 'E')
                && (g_ascii_isdigit (q[1])
                    || ((q[1] == '+' || q[1] == '-') && g_ascii_isdigit (q[2]))))
              {
                q += 2;
                while (g_ascii_isdigit (*q))
                  q++;
              }
            token->kind = T_NUMBER;
            token->len = q - p;
            token->number = g_ascii_strtod (p, NULL);
            /* Not ∞ by accident: 1e400 is a typing mistake. */
            if (isinf (token->number))
              {
                error_at (error, BP_ERROR_PARSE, token,
                          /* Translators: the number as typed */
                          _("the number %.*s is beyond ±1.8e308, the range of a double"),
                          (int) token->len, token->start);
                return FALSE;
              }
            break;
          }

        case CH_PUNCT:
          switch (*p)
            {
            case '+': token->kind = T_PLUS; break;
            case '-': token->kind = T_MINUS; break;
            case '/': token->kind = T_SLASH; break;
            case '^': token->kind = T_POWER; break;
            case '@': token->kind = T_AT; break;
            case ',': token->kind = T_COMMA; break;
            case '=': token->kind = T_EQUALS; break;
            case '*':
              token->kind = T_STAR;
              if (p[1] == '*')
                {
                  token->kind = T_POWER;
                  token->len = 2;
                }
              break;
            case '(': token->kind = T_LPAREN; nesting++; break;
            case '[': token->kind = T_LBRACKET; nesting++; break;
            case ')': case ']':
              token->kind = *p == ')' ? T_RPAREN : T_RBRACKET;
              if (nesting > 0)
                nesting--;
              break;
            case ';':
              /* A ";" inside brackets is a mistake; report it as what it is. */
              if (nesting > 0)
                {
                  token->kind = T_COMMA;
                  error_at (error, BP_ERROR_PARSE, token,
                            "%s", _("expected “,” or a closing bracket but found “;”"));
                  return FALSE;
                }
              p++;
              if (n == 0)
                continue;   /* ";" on a line of its own */
              token->kind = T_NEWLINE;
              n++;
              goto done;
            default:
              g_assert_not_reached ();
            }
          break;

        case CH_OTHER:
        default:
          {
            gunichar c = (guchar) *p;
            char buf[8] = { 0 };

            /* Text is mostly ASCII: decode UTF-8 only past it. */
            if (c >= 0x80)
              c = g_utf8_get_char (p);
            g_unichar_to_utf8 (c, buf);
            token->len = strlen (buf);
            error_at (error, BP_ERROR_PARSE, token, _("unexpected character “%s”"),
                      g_unichar_isprint (c) ? buf : "?");
            return FALSE;
          }
        }

      /* "+=" and its kin: one token. */
      if (p[token->len] == '=')
        {
          switch (token->kind)
            {
            case T_PLUS: token->kind = T_PLUS_EQUALS; token->len++; break;
            case T_MINUS: token->kind = T_MINUS_EQUALS; token->len++; break;
            case T_STAR: token->kind = T_STAR_EQUALS; token->len++; break;
            case T_SLASH: token->kind = T_SLASH_EQUALS; token->len++; break;
            case T_AT: token->kind = T_AT_EQUALS; token->len++; break;
            case T_POWER:
              if (p[0] == '*')
                {
                  token->kind = T_POWER_EQUALS;
                  token->len++;
                }
              break;
            default: break;
            }
        }
      p += token->len;
      n++;
    }

done:
  tokens->len = n;
  lexer->p = p;
  lexer->line = line;
  lexer->line_start = line_start;
  lexer->nesting = nesting;
  return TRUE;
}

/* ---------------------------------------------------------------- */
/* Parser helpers                                                    */

static const Token *
peek (Parser *parser)
{
  /* The statement's last token (NEWLINE or EOF) stands for all after. */
  guint i = MIN (parser->pos, parser->tokens->len - 1);

  return &parser->tokens->data[i];
}

static const Token *
peek_at (Parser *parser,
         guint   ahead)
{
  guint i = MIN (parser->pos + ahead, parser->tokens->len - 1);

  return &parser->tokens->data[i];
}

static const Token *
next (Parser *parser)
{
  const Token *token = peek (parser);

  if (token->kind != T_EOF)
    parser->pos++;
  return token;
}

static gboolean
accept (Parser    *parser,
        TokenKind  kind)
{
  if (peek (parser)->kind != kind)
    return FALSE;
  next (parser);
  return TRUE;
}

static gboolean
expect (Parser      *parser,
        TokenKind    kind,
        const char  *what,
        GError     **error)
{
  if (accept (parser, kind))
    return TRUE;
  expected (error, peek (parser), what);
  return FALSE;
}

static gboolean
enter (Parser       *parser,
       const Token  *token,
       GError      **error)
{
  if (++parser->depth > BP_EXPR_MAX_DEPTH)
    {
      error_at (error, BP_ERROR_PARSE, token,
                _("the expression nests more than %u levels deep"), BP_EXPR_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

/* The catalog's ops by name, found by the bytes of the name where it
 * is written: bp_op_lookup() would need a copy with a terminator. The
 * table is made once, numbered as bp_op_get_all() lists the ops. */
static const BpOp *
lookup_op_hashed (const char *name,
                  gsize       len,
                  guint       hash)
{
  static BpInterner *table;
  static const BpOp *const *ops;
  guint n;

  if (g_once_init_enter (&table))
    {
      BpInterner *names = bp_interner_new ();
      guint n_ops;

      ops = bp_op_get_all (&n_ops);
      for (guint i = 0; i < n_ops; i++)
        {
          gboolean added;

          /* Every op has a name of its own. */
          n = bp_interner_intern (names, ops[i]->name, strlen (ops[i]->name), &added);
          g_assert (added && n == i);
        }
      g_once_init_leave (&table, names);
    }
  n = bp_interner_lookup_hashed (table, name, len, hash);
  return n != BP_INTERNER_NONE ? ops[n] : NULL;
}

static const BpOp *
lookup_op (const char *name,
           gsize       len)
{
  return lookup_op_hashed (name, len, bp_interner_hash (name, len));
}

/* The op a name token names, or NULL. */
static const BpOp *
lookup_op_token (const Token *name)
{
  return lookup_op_hashed (name->start, name->len, name->hash);
}

/* The number of the name a token holds, or BP_INTERNER_NONE: first
 * among the names assigned lately. */
static guint
find_name (Parser      *parser,
           const Token *token)
{
  guint recent = parser->recent_names[token->hash & (RECENT_NAMES - 1)];

  if (recent != 0)
    {
      guint len, hash;
      const char *text = bp_interner_get_full (parser->names, recent - 1, &len, &hash);

      if (hash == token->hash && len == token->len && memcmp (text, token->start, len) == 0)
        return recent - 1;
    }
  return bp_interner_lookup_hashed (parser->names, token->start, token->len, token->hash);
}

/* The counter of generated ids for the op named `base` (as the catalog
 * holds it). */
static OpCounter *
op_counter (Parser     *parser,
            const char *base)
{
  OpCounter first = { base, 0, 0 };

  for (guint i = 0; i < parser->n_counters; i++)
    if (parser->counters[i].base == base)
      return &parser->counters[i];
  first.base_len = strlen (base);
  g_assert (first.base_len + 11 < GENERATED_ID_SIZE);
  g_assert (parser->n_counters < MAX_OPS);
  parser->counters[parser->n_counters] = first;
  return &parser->counters[parser->n_counters++];
}

/* Writes the counter's op name and then `n` into `id`: "mul7". Written
 * by hand, not with printf: one per node. Returns the length. */
static gsize
format_generated_id (const OpCounter *counter,
                     guint            n,
                     char             id[GENERATED_ID_SIZE])
{
  char digits[10];
  guint k = 0;

  for (guint v = n; v > 0 || k == 0; v /= 10)
    digits[k++] = '0' + v % 10;
  memcpy (id, counter->base, counter->base_len);
  for (guint i = 0; i < k; i++)
    id[counter->base_len + i] = digits[k - 1 - i];
  id[counter->base_len + k] = '\0';
  return counter->base_len + k;
}

/* "mul7": the op's next number not taken by a node or an assigned name,
 * written into `id` with its length in `*len`. Without `id`, the number
 * only, when that needs no lookup (see `ids_free`); the id is then
 * format_generated_id()'s. Returns the number. */
static guint
generate_id (Parser     *parser,
             OpCounter  *counter,
             char       *id,
             gsize      *len)
{
  char scratch[GENERATED_ID_SIZE];
  guint n = counter->n;

  if (id == NULL && parser->ids_free)
    return ++counter->n;
  if (id == NULL)
    id = scratch;

  while (TRUE)
    {
      gsize k = format_generated_id (counter, ++n, id);

      /* The graph's ids are assigned names, "name_2" forms (a digit after
       * "_", never after an op's last letter) and ids generated here with
       * lower numbers: with no name of the form "mul3", the next number
       * is free, and the two lookups by string are saved. */
      if (parser->ids_free
          || (bp_interner_lookup (parser->names, id, k) == BP_INTERNER_NONE
              && bp_graph_lookup (parser->graph, id) == NULL))
        {
          counter->n = n;
          if (len != NULL)
            *len = k;
          return n;
        }
    }
}

/* Gives the node named after its statement (see add_node) back the id
 * it would have had. */
static gboolean
unname (Parser  *parser,
        GError **error)
{
  char id[GENERATED_ID_SIZE];

  format_generated_id (parser->named_base, parser->named_n, id);
  if (!bp_graph_rename_node (parser->graph, parser->named, id, error))
    return FALSE;
  parser->named = NULL;
  return TRUE;
}

/* Whether `name` (of `len` bytes) is an op's name followed by digits,
 * such as "mul3": a name that generate_id() could make. Every op's name
 * ends in a letter. `base` holds the last name's part before its digits
 * (of *base_len bytes) and `*last` the answer for it: names numbered in turn ("n1", "n2", …)
 * ask the catalog once. */
static gboolean
looks_generated (const char *name,
                 gsize       len,
                 char        base[BP_EXPR_NAME_SIZE],
                 gsize      *base_len,
                 gboolean   *last)
{
  gsize prefix = len;

  while (prefix > 0 && (guchar) (name[prefix - 1] - '0') < 10)
    prefix--;
  if (prefix == len || prefix == 0 || prefix >= BP_EXPR_NAME_SIZE)
    return FALSE;
  if (prefix != *base_len || memcmp (base, name, prefix) != 0)
    {
      memcpy (base, name, prefix);
      base[prefix] = '\0';
      *base_len = prefix;
      *last = lookup_op (base, prefix) != NULL;
    }
  return *last;
}

/* Whether `name` is an op's name. No op's name has a digit (see
 * bp_expr_parse): "n7" needs no lookup. */
static gboolean
is_op_name (const char *name,
            gsize       len,
            guint       hash)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) (name[i] - '0') < 10)
      return FALSE;
  return lookup_op_hashed (name, len, hash) != NULL;
}

/* A node of `op` with the id of `len` bytes at `id` and its `hash`
 * (bp_interner_hash()), or with a generated id when `id` is NULL. */
static BpNode *
add_node (Parser      *parser,
          const char  *id,
          gsize        len,
          guint        hash,
          const BpOp  *op,
          const Token *where,
          GError     **error)
{
  char generated[GENERATED_ID_SIZE];
  BpNode *node;
  OpCounter *counter = NULL;
  guint n = 0;

  if (parser->n_nodes >= BP_EXPR_MAX_NODES)
    {
      error_at (error, BP_ERROR_TOO_LARGE, where,
                _("the expressions make more than %u nodes"), BP_EXPR_MAX_NODES);
      return NULL;
    }
  if (id == NULL)
    {
      counter = op_counter (parser, op->name);
      /* The end of the statement: this node is most likely its value. A
       * node named so before it turns out not to be (-tanh(x)) gets back
       * the id it would have had. The id is generated even for the
       * statement's node, so that the numbers of the others stay as
       * they were. */
      if (parser->statement_name != NULL && op->arity > 0 &&
          (peek (parser)->kind == T_NEWLINE || peek (parser)->kind == T_EOF))
        {
          n = generate_id (parser, counter, NULL, NULL);
          if (parser->named != NULL && !unname (parser, error))
            return NULL;
          id = parser->statement_name;
          len = parser->statement_name_len;
          hash = parser->statement_name_hash;
        }
      else
        {
          generate_id (parser, counter, generated, &len);
          id = generated;
          hash = bp_interner_hash (id, len);
          counter = NULL;
        }
    }
  node = _bp_graph_add_node_hashed (parser->graph, id, len, hash, op, error);
  if (node == NULL)
    return NULL;
  if (counter != NULL)
    {
      parser->named = node;
      parser->named_base = counter;
      parser->named_n = n;
    }
  /* The parser's graph only grows: a node's index is its rank here. */
  if (G_UNLIKELY (parser->n_nodes == parser->where_size))
    {
      parser->where_size = MAX (64, 2 * parser->where_size);
      parser->where = g_renew (Where, parser->where, parser->where_size);
    }
  parser->where[parser->n_nodes++] = (Where) { where->line, where->col, parser->statement_line };
  return node;
}

/* Makes a pending literal a leaf node (a const unless named otherwise);
 * `named`: with the statement's id (see parse_statement). */
static gboolean
materialize (Parser       *parser,
             Operand      *operand,
             gboolean      named,
             const Token  *where,
             GError      **error)
{
  const BpOp *op;
  BpNode *node;

  if (operand->node != NULL)
    return TRUE;
  op = operand->leaf_op;
  if (op == NULL)
    op = named ? &bp_op_input : &bp_op_const;
  /* Named: after the statement's name. */
  node = named ? add_node (parser, parser->statement_name, parser->statement_name_len,
                           parser->statement_name_hash, op, where, error)
               : add_node (parser, NULL, 0, 0, op, where, error);
  if (node == NULL)
    return FALSE;
  bp_node_set_value (node, operand->literal);
  g_clear_pointer (&operand->literal, bp_tensor_unref);
  operand->node = node;
  operand->fresh = TRUE;
  return TRUE;
}

/* One node of `op` on the operands, which it consumes. */
static gboolean
apply (Parser       *parser,
       const BpOp   *op,
       Operand      *operands,
       guint         n_operands,
       const BpAttrs *attrs,
       const Token  *where,
       Operand      *result,
       GError      **error)
{
  BpNode *node;

  g_assert (op != NULL && op->arity == n_operands);

  for (guint i = 0; i < n_operands; i++)
    if (!materialize (parser, &operands[i], FALSE, where, error))
      return FALSE;
  node = add_node (parser, NULL, 0, 0, op, where, error);
  if (node == NULL)
    return FALSE;
  if (attrs != NULL && !bp_node_set_attrs (node, attrs, error))
    return FALSE;
  /* Edges into a node made just now close no cycle. */
  for (guint i = 0; i < n_operands; i++)
    _bp_graph_connect_new (parser->graph, operands[i].node, node, i);
  result->node = node;
  result->literal = NULL;
  result->leaf_op = NULL;
  result->fresh = TRUE;
  return TRUE;
}

/* ---------------------------------------------------------------- */
/* Grammar                                                           */

static gboolean parse_expr (Parser *parser, Operand *result, GError **error);

static gboolean
parse_signed_number (Parser  *parser,
                     double  *value,
                     GError **error)
{
  gboolean negative = FALSE;

  while (peek (parser)->kind == T_MINUS || peek (parser)->kind == T_PLUS)
    negative ^= next (parser)->kind == T_MINUS;
  if (peek (parser)->kind != T_NUMBER)
    {
      /* Translators: what the parser needs, put into "expected %s but found %s" */
      expected (error, peek (parser), _("a number"));
      return FALSE;
    }
  *value = next (parser)->number;
  if (negative)
    *value = -*value;
  return TRUE;
}

static gboolean parse_constant (Parser *parser, double *value, GError **error);

/* Inside parentheses a constant may use + - * / as well:  x ^ (1 / 2). */
static gboolean
parse_constant_sum (Parser  *parser,
                    double  *value,
                    GError **error)
{
  if (!parse_constant (parser, value, error))
    return FALSE;
  while (TRUE)
    {
      TokenKind kind = peek (parser)->kind;
      double rhs;

      if (kind != T_PLUS && kind != T_MINUS && kind != T_STAR && kind != T_SLASH)
        return TRUE;
      next (parser);
      if (!parse_constant (parser, &rhs, error))
        return FALSE;
      /* The usual precedence: fold * and / into the last addend. */
      if (kind == T_STAR || kind == T_SLASH)
        *value = kind == T_STAR ? *value * rhs : *value / rhs;
      else
        {
          double addend = rhs;

          while (peek (parser)->kind == T_STAR || peek (parser)->kind == T_SLASH)
            {
              TokenKind op = next (parser)->kind;
              double factor;

              if (!parse_constant (parser, &factor, error))
                return FALSE;
              addend = op == T_STAR ? addend * factor : addend / factor;
            }
          *value = kind == T_PLUS ? *value + addend : *value - addend;
        }
    }
}

/* A constant (exponents and attributes): no nodes, just a number:
 * a signed number, a power of constants, or a parenthesized sum. */
static gboolean
parse_constant (Parser  *parser,
                double  *value,
                GError **error)
{
  const Token *start = peek (parser);
  gboolean ok;

  if (!enter (parser, start, error))
    return FALSE;

  if (accept (parser, T_LPAREN))
    ok = parse_constant_sum (parser, value, error)
         && expect (parser, T_RPAREN, "“)”", error);
  else if (start->kind == T_MINUS || start->kind == T_PLUS)
    {
      gboolean negative = next (parser)->kind == T_MINUS;

      ok = parse_constant (parser, value, error);
      if (negative)
        *value = -*value;
      parser->depth--;
      return ok;
    }
  else if (start->kind == T_NUMBER)
    {
      *value = next (parser)->number;
      ok = TRUE;
    }
  else
    {
      /* Translators: what the parser needs, put into "expected %s but found %s" */
      expected (error, start, _("a constant number"));
      ok = FALSE;
    }

  if (ok && accept (parser, T_POWER))
    {
      double exponent;

      ok = parse_constant (parser, &exponent, error);
      *value = pow (*value, exponent);
    }
  parser->depth--;
  return ok;
}

static gboolean
parse_integer (Parser     *parser,
               const char *what,
               gint64      min,
               gint64      max,
               gint64     *value,
               GError    **error)
{
  const Token *start = peek (parser);
  double d;

  if (!parse_constant (parser, &d, error))
    return FALSE;
  if (!(d == floor (d)) || d < min || d > max)
    {
      if (max == G_MAXINT64 || max > 1000)
        error_at (error, BP_ERROR_PARSE, start,
                  /* Translators: what is asked ("the axis"), then the smallest value */
                  _("%s must be a whole number from %d"), what, (int) min);
      else   /* min and max are small here: -1, 0 or 1 and at most 1000 */
        error_at (error, BP_ERROR_PARSE, start,
                  /* Translators: what is asked ("the axis"), the smallest and the
                   * largest value */
                  _("%s must be a whole number from %d to %d"),
                  what, (int) min, (int) max);
      return FALSE;
    }
  *value = (gint64) d;
  return TRUE;
}

static gboolean
parse_matrix (Parser   *parser,
              Operand  *result,
              GError  **error)
{
  const Token *open = next (parser);   /* [ */
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  guint rows = 0, cols = 0;

  if (peek (parser)->kind == T_LBRACKET)
    {
      do
        {
          const Token *row_start = peek (parser);
          guint n = 0;

          /* Translators: what the parser needs, put into "expected %s but found %s" */
          if (!expect (parser, T_LBRACKET, _("“[” to start a row"), error))
            return FALSE;
          do
            {
              double v;

              if (!parse_signed_number (parser, &v, error))
                return FALSE;
              if (values->len >= BP_DOCUMENT_MAX_ELEMENTS)
                {
                  error_at (error, BP_ERROR_TOO_LARGE, open,
                            _("the matrix has more than %u elements"), BP_DOCUMENT_MAX_ELEMENTS);
                  return FALSE;
                }
              g_array_append_val (values, v);
              n++;
            }
          while (accept (parser, T_COMMA));
          if (!expect (parser, T_RBRACKET, "“,” or “]”", error))
            return FALSE;
          if (rows > 0 && n != cols)
            {
              error_at (error, BP_ERROR_SHAPE, row_start,
                        /* Translators: a row number, its length, the first row's length */
                        _("row %u of the matrix has %u elements but row 1 has %u"),
                        rows + 1, n, cols);
              return FALSE;
            }
          cols = n;
          rows++;
        }
      while (accept (parser, T_COMMA));
      if (!expect (parser, T_RBRACKET, "“,” or “]”", error))
        return FALSE;
    }
  else
    {
      do
        {
          double v;

          if (!parse_signed_number (parser, &v, error))
            return FALSE;
          if (values->len >= BP_DOCUMENT_MAX_ELEMENTS)
            {
              error_at (error, BP_ERROR_TOO_LARGE, open,
                        _("the matrix has more than %u elements"), BP_DOCUMENT_MAX_ELEMENTS);
              return FALSE;
            }
          g_array_append_val (values, v);
        }
      while (accept (parser, T_COMMA));
      if (!expect (parser, T_RBRACKET, "“,” or “]”", error))
        return FALSE;
      rows = 1;
      cols = values->len;
    }

  result->literal = bp_tensor_new_from_data (rows, cols, (const double *) values->data);
  return TRUE;
}

/* The axis of sum and repeat, as numpy counts it: 0 or -2 the rows, 1 or
 * -1 the columns. */
static gboolean
parse_axis (Parser   *parser,
            int      *axis,
            GError  **error)
{
  const Token *start = peek (parser);
  double d;

  if (!parse_constant (parser, &d, error))
    return FALSE;
  if (!(d == floor (d)) || d < -2 || d > 1)
    {
      error_at (error, BP_ERROR_PARSE, start, "%s",
                _("the axis must be 0 or -2 (down the rows), 1 or -1 (along each row)"));
      return FALSE;
    }
  bp_axis_resolve ((int) d, axis);
  return TRUE;
}

/* NAME "(" args ")", or with a receiver, the method form x.NAME(args):
 * the receiver is the first input. */
static gboolean
parse_call (Parser   *parser,
            Operand  *receiver,
            Operand  *result,
            GError  **error)
{
  const Token *name = next (parser);
  char op_name[BP_EXPR_NAME_SIZE];
  const BpOp *op;
  Operand args[BP_OP_MAX_INPUTS] = { { 0 } };
  BpAttrs attrs = BP_ATTRS_INIT;
  guint n_args = 0;
  gboolean ok = FALSE;
  /* Whether something was written inside the parentheses yet: what
   * follows it needs a comma first. */
  gboolean written = FALSE;

  /* The lexer keeps names short enough. */
  g_assert (name->len < sizeof op_name);
  memcpy (op_name, name->start, name->len);
  op_name[name->len] = '\0';
  op = lookup_op_token (name);
  next (parser);   /* ( */
  if (receiver != NULL)
    {
      args[0] = *receiver;
      memset (receiver, 0, sizeof *receiver);
      n_args = 1;
    }
  if (op == NULL)
    {
      error_at (error, BP_ERROR_PARSE, name, _("unknown function “%s”"), op_name);
      goto out;
    }

  if (bp_op_is_leaf (op))
    {
      /* input(3), const([1, 2]), param([[…]]): a leaf of that kind. */
      const Token *arg = peek (parser);

      if (receiver != NULL)
        {
          error_at (error, BP_ERROR_PARSE, name,
                    /* Translators: %s is a leaf's name: input, const or param */
                    _("%1$s is not a method: write %1$s(…) around a number or a matrix"),
                    op_name);
          goto out;
        }
      if (!parse_expr (parser, &args[0], error))
        goto out;
      if (args[0].literal == NULL)
        {
          error_at (error, BP_ERROR_PARSE, arg,
                    /* Translators: %s is a leaf's name: input, const or param */
                    _("%s() takes a number or a matrix"), op_name);
          goto out;
        }
      if (!expect (parser, T_RPAREN, "“)”", error))
        goto out;
      *result = args[0];
      result->leaf_op = op;
      args[0].literal = NULL;
      ok = TRUE;
      goto out;
    }

  for (; n_args < op->arity; n_args++)
    {
      if (written && !expect (parser, T_COMMA, _("“,” and another argument"), error))
        goto out;
      if (!parse_expr (parser, &args[n_args], error))
        {
          n_args++;
          goto out;
        }
      written = TRUE;
    }

  /* Constant attributes after the inputs: times, then axis; power. */
  if (op->attrs & BP_ATTR_TIMES)
    {
      gint64 times;

      /* Translators: what the parser needs, put into "expected %s but found %s" */
      if ((written && !expect (parser, T_COMMA, _("“,” and the number of copies"), error))
          /* Translators: put into "%s must be a whole number from %d" */
          || !parse_integer (parser, _("the number of copies"), 1, BP_TENSOR_MAX_ELEMENTS,
                             &times, error))
        goto out;
      attrs.times = (guint) times;
      attrs.axis = 0;
      written = TRUE;
    }
  if (op->attrs & BP_ATTR_POWER)
    {
      const Token *at = peek (parser);

      /* Translators: what the parser needs, put into "expected %s but found %s" */
      if ((written && !expect (parser, T_COMMA, _("“,” and the exponent"), error))
          || !parse_constant (parser, &attrs.power, error))
        goto out;
      if (!isfinite (attrs.power))
        {
          error_at (error, BP_ERROR_PARSE, at, "%s", _("the exponent must be a finite number"));
          goto out;
        }
      written = TRUE;
    }
  if ((op->attrs & BP_ATTR_AXIS) &&
      (written ? accept (parser, T_COMMA) : peek (parser)->kind != T_RPAREN))
    {
      if (!parse_axis (parser, &attrs.axis, error))
        goto out;
    }
  /* Translators: what the parser needs, put into "expected %s but found %s" */
  if (!expect (parser, T_RPAREN, op->attrs & BP_ATTR_AXIS ? _("“,” and an axis, or “)”") : "“)”",
               error))
    goto out;

  ok = apply (parser, op, args, op->arity,
              op->attrs != BP_ATTR_NONE ? &attrs : NULL, name, result, error);

out:
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    operand_clear (&args[i]);
  return ok;
}

static gboolean
parse_primary (Parser   *parser,
               Operand  *result,
               GError  **error)
{
  const Token *token = peek (parser);

  switch (token->kind)
    {
    case T_NUMBER:
      next (parser);
      result->literal = bp_tensor_new_scalar (token->number);
      return TRUE;

    case T_LBRACKET:
      return parse_matrix (parser, result, error);

    case T_LPAREN:
      {
        gboolean ok;

        next (parser);
        if (!enter (parser, token, error))
          return FALSE;
        ok = parse_expr (parser, result, error)
             /* Translators: what the parser needs, put into "expected %s but found %s" */
             && expect (parser, T_RPAREN, _("an operator or “)”"), error);
        parser->depth--;
        return ok;
      }

    case T_NAME:
      {
        g_autofree char *name = NULL;
        guint name_id;
        BpNode *node = NULL;

        if (peek_at (parser, 1)->kind == T_LPAREN)
          {
            gboolean ok;

            if (!enter (parser, token, error))
              return FALSE;
            ok = parse_call (parser, NULL, result, error);
            parser->depth--;
            return ok;
          }
        next (parser);
        /* Found by the token's own bytes: no copy. */
        name_id = find_name (parser, token);
        if (name_id != BP_INTERNER_NONE)
          node = g_array_index (parser->name_info, NameInfo, name_id).node;
        if (node == NULL)
          {
            name = g_strndup (token->start, token->len);
            if (name_id != BP_INTERNER_NONE)
              error_at (error, BP_ERROR_PARSE, token,
                        _("“%s” is used before it is assigned"), name);
            else if (bp_op_lookup (name) != NULL)
              error_at (error, BP_ERROR_PARSE, token,
                        /* Translators: the same function name twice */
                        _("“%1$s” is a function: write %1$s(…)"), name);
            else
              error_at (error, BP_ERROR_PARSE, token, _("unknown name “%s”"), name);
            return FALSE;
          }
        result->node = node;
        result->fresh = FALSE;
        return TRUE;
      }

    case T_EOF: case T_NEWLINE: case T_PLUS: case T_MINUS: case T_STAR: case T_SLASH:
    case T_POWER: case T_AT: case T_RPAREN: case T_RBRACKET: case T_COMMA: case T_EQUALS:
    case T_DOT: case T_PLUS_EQUALS: case T_MINUS_EQUALS: case T_STAR_EQUALS:
    case T_SLASH_EQUALS: case T_AT_EQUALS: case T_POWER_EQUALS:
    default:
      /* Translators: what the parser needs, put into "expected %s but found %s" */
      expected (error, token, _("a number, a name, “(” or “[”"));
      return FALSE;
    }
}

/* x.relu(), (b + a).relu(), x.sum(0): methods as micrograd and numpy
 * write them, the same nodes as the functions. */
static gboolean
parse_postfix (Parser   *parser,
               Operand  *result,
               GError  **error)
{
  if (!parse_primary (parser, result, error))
    return FALSE;

  while (peek (parser)->kind == T_DOT)
    {
      const Token *dot = next (parser);
      Operand receiver = *result;
      gboolean ok;

      if (peek (parser)->kind != T_NAME || peek_at (parser, 1)->kind != T_LPAREN)
        {
          operand_clear (&receiver);
          memset (result, 0, sizeof *result);
          /* Translators: what the parser needs, put into "expected %s but found %s" */
          expected (error, peek (parser), _("a method such as relu() after “.”"));
          return FALSE;
        }
      memset (result, 0, sizeof *result);
      if (!enter (parser, dot, error))
        {
          operand_clear (&receiver);
          return FALSE;
        }
      ok = parse_call (parser, &receiver, result, error);
      operand_clear (&receiver);
      parser->depth--;
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Applies x ^ k, k a constant (already checked finite), to `operand`. */
static gboolean
apply_power (Parser       *parser,
             Operand      *operand,
             double        k,
             const Token  *op_token,
             Operand      *result,
             GError      **error)
{
  BpAttrs attrs = BP_ATTRS_INIT;

  if (k == 2)
    return apply (parser, &bp_op_square, operand, 1, NULL, op_token, result, error);
  attrs.power = k;
  return apply (parser, &bp_op_pow, operand, 1, &attrs, op_token, result, error);
}

static gboolean
parse_power (Parser   *parser,
             Operand  *result,
             GError  **error)
{
  const Token *op_token;
  double k;

  if (!parse_postfix (parser, result, error))
    return FALSE;
  if (peek (parser)->kind != T_POWER)
    return TRUE;

  op_token = next (parser);
  if (peek (parser)->kind == T_NAME || peek (parser)->kind == T_LBRACKET)
    {
      g_autofree char *found = describe_token (peek (parser));

      error_at (error, BP_ERROR_PARSE, peek (parser),
                /* Translators: what was found ("the name “x”") */
                _("expected a constant exponent but found %s (x ^ k needs a number k)"),
                found);
      return FALSE;
    }
  if (!parse_constant (parser, &k, error))
    return FALSE;
  if (!isfinite (k))
    {
      error_at (error, BP_ERROR_PARSE, op_token, "%s", _("the exponent must be a finite number"));
      return FALSE;
    }
  return apply_power (parser, result, k, op_token, result, error);
}

static gboolean
parse_unary (Parser   *parser,
             Operand  *result,
             GError  **error)
{
  const Token *token = peek (parser);
  gboolean ok;

  if (token->kind != T_MINUS && token->kind != T_PLUS)
    return parse_power (parser, result, error);

  next (parser);
  if (!enter (parser, token, error))
    return FALSE;
  ok = parse_unary (parser, result, error);
  parser->depth--;
  if (!ok || token->kind == T_PLUS)
    return ok;

  /* -3 stays a literal; -x is the neg node. */
  if (result->literal != NULL)
    {
      for (gsize i = 0; i < bp_tensor_n_elements (result->literal); i++)
        result->literal->data[i] = -result->literal->data[i];
      return TRUE;
    }
  return apply (parser, &bp_op_neg, result, 1, NULL, token, result, error);
}

static gboolean
is_literal_one (const Operand *operand)
{
  return operand->literal != NULL && operand->leaf_op == NULL
         && bp_tensor_is_scalar (operand->literal) && operand->literal->data[0] == 1.0;
}

static gboolean
parse_term (Parser   *parser,
            Operand  *result,
            GError  **error)
{
  if (!parse_unary (parser, result, error))
    return FALSE;

  while (TRUE)
    {
      const Token *token = peek (parser);
      Operand operands[2] = { *result, { 0 } };
      const BpOp *op;
      gboolean ok;

      switch (token->kind)
        {
        case T_STAR: op = &bp_op_mul; break;
        case T_SLASH: op = &bp_op_div; break;
        case T_AT: op = &bp_op_matmul; break;
        default:
          return TRUE;
        }
      next (parser);
      memset (result, 0, sizeof *result);
      if (!parse_unary (parser, &operands[1], error))
        {
          operand_clear (&operands[0]);
          operand_clear (&operands[1]);
          return FALSE;
        }
      if (token->kind == T_SLASH && is_literal_one (&operands[0]))
        {
          /* The book's 1/x node. */
          operand_clear (&operands[0]);
          ok = apply (parser, &bp_op_reciprocal, &operands[1], 1, NULL, token, result, error);
        }
      else
        ok = apply (parser, op, operands, 2, NULL, token, result, error);
      operand_clear (&operands[0]);
      operand_clear (&operands[1]);
      if (!ok)
        return FALSE;
    }
}

static gboolean
parse_expr (Parser   *parser,
            Operand  *result,
            GError  **error)
{
  if (!parse_term (parser, result, error))
    return FALSE;

  while (peek (parser)->kind == T_PLUS || peek (parser)->kind == T_MINUS)
    {
      const Token *token = next (parser);
      Operand operands[2] = { *result, { 0 } };
      gboolean ok;

      memset (result, 0, sizeof *result);
      ok = parse_term (parser, &operands[1], error)
           && apply (parser, token->kind == T_PLUS ? &bp_op_add : &bp_op_sub, operands, 2, NULL,
                     token, result, error);
      operand_clear (&operands[0]);
      operand_clear (&operands[1]);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* The node a name stands for, or NULL (not assigned yet, unknown). */
static BpNode *
lookup_name (Parser      *parser,
             const Token *token)
{
  guint name_id = find_name (parser, token);

  if (name_id == BP_INTERNER_NONE)
    return NULL;
  return g_array_index (parser->name_info, NameInfo, name_id).node;
}

/* The right sides most statements have, `a * b` (or + - / @) and `f(a)`
 * with names of nodes and an op without attributes, straight to their
 * node: what parse_expr() makes of them, without going down every level
 * of the grammar. FALSE, having read nothing, for any other right side
 * (and for a name that is not a node's: parse_expr() says why). */
static gboolean
parse_simple (Parser   *parser,
              Operand  *result,
              gboolean *ok,
              GError  **error)
{
  const Token *t = &parser->tokens->data[parser->pos];
  guint left = parser->tokens->len - parser->pos;
  Operand operands[2] = { { 0 } };
  const Token *where;
  const BpOp *op;
  guint n;

  if (left == 4 && t[0].kind == T_NAME && t[2].kind == T_NAME &&
      (t[3].kind == T_NEWLINE || t[3].kind == T_EOF))
    {
      switch (t[1].kind)
        {
        case T_PLUS: op = &bp_op_add; break;
        case T_MINUS: op = &bp_op_sub; break;
        case T_STAR: op = &bp_op_mul; break;
        case T_SLASH: op = &bp_op_div; break;
        case T_AT: op = &bp_op_matmul; break;
        default: return FALSE;
        }
      where = &t[1];
      n = 2;
      operands[0].node = lookup_name (parser, &t[0]);
      operands[1].node = lookup_name (parser, &t[2]);
    }
  else if (left == 5 && t[0].kind == T_NAME && t[1].kind == T_LPAREN && t[2].kind == T_NAME &&
           t[3].kind == T_RPAREN && (t[4].kind == T_NEWLINE || t[4].kind == T_EOF))
    {
      op = lookup_op_token (&t[0]);
      if (op == NULL || bp_op_is_leaf (op) || op->arity != 1 || op->attrs != BP_ATTR_NONE)
        return FALSE;
      where = &t[0];
      n = 1;
      operands[0].node = lookup_name (parser, &t[2]);
      operands[1].node = operands[0].node;
    }
  else
    return FALSE;

  if (operands[0].node == NULL || operands[1].node == NULL)
    return FALSE;

  /* At the statement's end, as parse_expr() would be when it makes the
   * node (see add_node). */
  parser->pos += left - 1;
  *ok = apply (parser, op, operands, n, NULL, where, result, error);
  return TRUE;
}

static gboolean
is_assignment (TokenKind kind)
{
  switch (kind)
    {
    case T_EQUALS: case T_PLUS_EQUALS: case T_MINUS_EQUALS: case T_STAR_EQUALS:
    case T_SLASH_EQUALS: case T_AT_EQUALS: case T_POWER_EQUALS:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The id of the node an assignment to `name` makes: the name itself the
 * first time, then "name_2", "name_3", … skipping ids taken or assigned
 * anywhere. Made the statement's name; a new one is written into `id`
 * (of `size` bytes). */
static void
assignment_id (Parser     *parser,
               NameInfo   *info,
               const char *name,
               guint       name_len,
               guint       name_hash,
               char       *id,
               gsize       size)
{
  guint n;

  /* Not defined yet: the name itself. */
  if (info->node == NULL)
    {
      parser->statement_name = name;
      parser->statement_name_len = name_len;
      parser->statement_name_hash = name_hash;
      return;
    }
  n = info->reassigned;
  do
    {
      n = MAX (n + 1, 2);
      g_snprintf (id, size, "%s_%u", name, n);
    }
  while (bp_interner_lookup (parser->names, id, strlen (id)) != BP_INTERNER_NONE
         || bp_graph_lookup (parser->graph, id) != NULL);
  info->reassigned = n;
  parser->statement_name = id;
  parser->statement_name_len = strlen (id);
  parser->statement_name_hash = bp_interner_hash (id, parser->statement_name_len);
}

/* The number of the name an assignment starts with, the next one the
 * first pass found unless the texts disagree (see scan_assignments). */
static guint
assigned_name_id (Parser      *parser,
                  const Token *name)
{
  while (parser->next_assignment < parser->n_assignments &&
         parser->assignments[parser->next_assignment].start < name->start)
    parser->next_assignment++;
  if (parser->next_assignment < parser->n_assignments &&
      parser->assignments[parser->next_assignment].start == name->start)
    return parser->assignments[parser->next_assignment++].name_id;
  return bp_interner_lookup_hashed (parser->names, name->start, name->len, name->hash);
}

/* The right side of an augmented assignment, c op= rhs: the node
 * c op (rhs), with c's newest value. */
static gboolean
parse_augmented (Parser       *parser,
                 const Token  *target,
                 const Token  *op_token,
                 Operand      *result,
                 GError      **error)
{
  Operand operands[2] = { { 0 } };
  const BpOp *op = NULL;
  gboolean ok;

  operands[0].node = g_array_index (parser->name_info, NameInfo,
                                    parser->statement_label_id).node;
  if (operands[0].node == NULL)
    {
      error_at (error, BP_ERROR_PARSE, target,
                /* Translators: a name, then the operator as typed ("+=") */
                _("“%s” has no value yet for “%.*s” to change; assign it first with “=”"),
                parser->statement_label, (int) op_token->len, op_token->start);
      return FALSE;
    }

  if (op_token->kind == T_POWER_EQUALS)
    {
      double k;

      if (!parse_constant (parser, &k, error))
        return FALSE;
      if (!isfinite (k))
        {
          error_at (error, BP_ERROR_PARSE, op_token, "%s", _("the exponent must be a finite number"));
          return FALSE;
        }
      return apply_power (parser, &operands[0], k, op_token, result, error);
    }

  switch (op_token->kind)
    {
    case T_PLUS_EQUALS: op = &bp_op_add; break;
    case T_MINUS_EQUALS: op = &bp_op_sub; break;
    case T_STAR_EQUALS: op = &bp_op_mul; break;
    case T_SLASH_EQUALS: op = &bp_op_div; break;
    case T_AT_EQUALS: op = &bp_op_matmul; break;
    default: g_assert_not_reached ();
    }
  ok = parse_expr (parser, &operands[1], error)
       && apply (parser, op, operands, 2, NULL, op_token, result, error);
  operand_clear (&operands[1]);
  return ok;
}

/* NAME "=" expr, NAME "+=" expr (and the other augmented assignments),
 * or a bare expression (the last statement only). */
static gboolean
parse_statement (Parser   *parser,
                 BpNode  **output,
                 GError  **error)
{
  const Token *start = peek (parser);
  const Token *op_token = NULL;
  Operand value = { 0 };
  const char *name = NULL;
  guint name_id = BP_INTERNER_NONE;
  guint statement_hash = 0;   /* the name's */
  char id[300];
  gboolean ok = FALSE;

  parser->statement_line = start->line;
  if (start->kind == T_NAME && is_assignment (peek_at (parser, 1)->kind))
    {
      NameInfo *info;
      guint name_len, name_hash;

      /* Every assigned name was interned by the first pass. */
      name_id = assigned_name_id (parser, start);
      g_assert (name_id != BP_INTERNER_NONE);
      name = bp_interner_get_full (parser->names, name_id, &name_len, &name_hash);
      statement_hash = name_hash;
      info = &g_array_index (parser->name_info, NameInfo, name_id);
      if (info->is_function < 0)
        info->is_function = is_op_name (name, name_len, name_hash);
      if (info->is_function)
        {
          error_at (error, BP_ERROR_PARSE, start,
                    /* Translators: a name the user chose, such as “exp” */
                    _("“%s” is the name of a function; choose another name"), name);
          return FALSE;
        }
      next (parser);
      op_token = next (parser);
      /* Assigned again, as Python allows: a new node with the same label. */
      assignment_id (parser, info, name, name_len, name_hash, id, sizeof id);
    }

  if (name == NULL)
    parser->statement_name = NULL;
  parser->statement_label = name;
  parser->statement_label_id = name_id;
  parser->named = NULL;
  if (op_token != NULL && op_token->kind != T_EQUALS)
    ok = parse_augmented (parser, start, op_token, &value, error);
  else if (op_token == NULL || !parse_simple (parser, &value, &ok, error))
    ok = parse_expr (parser, &value, error);
  parser->statement_label = NULL;
  if (!ok)
    goto out;
  ok = FALSE;
  if (parser->named != NULL && parser->named != value.node && !unname (parser, error))
    goto out;
  if (peek (parser)->kind != T_NEWLINE && peek (parser)->kind != T_EOF)
    {
      /* Translators: what the parser needs, put into "expected %s but found %s" */
      expected (error, peek (parser), _("an operator or the end of the line"));
      goto out;
    }

  if (name == NULL)
    {
      /* A bare expression names nothing: it must be the output, so
       * nothing may follow. */
      Lexer ahead = *parser->lexer;
      g_auto(Tokens) rest = { 0 };

      if (peek (parser)->kind != T_EOF &&
          (!lex_statement (&ahead, &rest, NULL) ||
           rest.data[0].kind != T_EOF))
        {
          error_at (error, BP_ERROR_PARSE, start,
                    "%s", _("expected an assignment such as “y = …” (only the last line may "
                            "be a bare expression)"));
          goto out;
        }
      if (!materialize (parser, &value, FALSE, start, error))
        goto out;
    }
  else if (value.literal != NULL)
    {
      if (!materialize (parser, &value, TRUE, start, error))
        goto out;
    }
  else if (!value.fresh)
    {
      error_at (error, BP_ERROR_PARSE, start,
                /* Translators: “y = x”: a new name, then the node it would name */
                _("“%s = %s” only gives a node a second name; compute something new"),
                name, bp_node_get_label (value.node));
      goto out;
    }
  else if (value.node != parser->named)
    {
      /* (The node named when it was made has that id already.) */
      if (!bp_graph_rename_node (parser->graph, value.node, parser->statement_name, error))
        goto out;
    }

  if (name != NULL)
    {
      /* The first assignment's id is the name itself. */
      if (parser->statement_name == name)
        _bp_node_set_label_to_id (value.node);
      else
        bp_node_set_label (value.node, name);
      /* A name assigned again now stands for the new node. */
      g_array_index (parser->name_info, NameInfo, name_id).node = value.node;
      parser->recent_names[statement_hash & (RECENT_NAMES - 1)] = name_id + 1;
    }
  *output = value.node;
  ok = TRUE;

out:
  parser->statement_name = NULL;
  operand_clear (&value);
  return ok;
}

/* Whether the `length` bytes at `text` are all ASCII (and so valid
 * UTF-8), eight at a time: most texts are. */
static gboolean
is_ascii (const char *text,
          gsize       length)
{
  guint64 bits = 0;
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, sizeof word);
      bits |= word;
    }
  for (; i < length; i++)
    bits |= (guchar) text[i];
  return (bits & G_GUINT64_CONSTANT (0x8080808080808080)) == 0;
}

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The assignments a text makes, found in order. */
typedef struct
{
  Assignment *data;
  guint       len;
  guint       size;
  gsize       n_bytes;   /* of their names, each with a terminator */
} Assignments;

static void
assignments_clear (Assignments *assignments)
{
  g_clear_pointer (&assignments->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Assignments, assignments_clear)

/* Every assignment in the text, so that generated ids never take a name
 * assigned anywhere, found without lexing it all: statements end where
 * the lexer ends them (a line end or ";" outside brackets; comments,
 * blank lines and a lone ";" come before any), and one that starts with
 * a name and an assignment operator assigns that name. In a text with a
 * lexical error the names may differ, but then that error is all the
 * parse reports (see bp_expr_parse); the parser checks that it finds an
 * assignment where this found it (see assigned_name_id). */
static void
scan_assignments (const char  *p,
                  Assignments *found)
{
  while (TRUE)
    {
      int nesting = 0;

      while (is_blank (*p) || *p == '\n' || *p == ';' || *p == '#')
        {
          if (*p == '#')
            while (*p != '\0' && *p != '\n')
              p++;
          else
            p++;
        }
      if (*p == '\0')
        return;

      if (char_class[(guchar) *p] == CH_NAME)
        {
          const char *start = p, *q;
          guint hash = bp_interner_hash_byte (BP_INTERNER_HASH_INIT, *p++);

          while (name_byte[(guchar) *p])
            hash = bp_interner_hash_byte (hash, *p++);
          for (q = p; is_blank (*q); q++)
            ;
          /* "=" (also the first of "=="), "+=" "-=" "*=" "/=" "@=", "**=";
           * not "^=". */
          if ((q[0] == '='
               || ((q[0] == '+' || q[0] == '-' || q[0] == '*' || q[0] == '/' || q[0] == '@')
                   && q[1] == '=')
               || (q[0] == '*' && q[1] == '*' && q[2] == '='))
              && p - start < BP_EXPR_NAME_SIZE)
            {
              if (G_UNLIKELY (found->len == found->size))
                {
                  found->size = MAX (256, 2 * found->size);
                  found->data = g_renew (Assignment, found->data, found->size);
                }
              found->data[found->len++] = (Assignment) { start, p - start, hash, 0 };
              found->n_bytes += p - start + 1;
            }
        }

      /* On to the statement's end, skipping the bytes that cannot end
       * it (most of them) one table look-up each. */
      for (; *p != '\0'; p++)
        {
          static const guint8 stops[256] = {
            ['\0'] = 1, ['#'] = 1, ['('] = 1, ['['] = 1, [')'] = 1, [']'] = 1,
            ['\n'] = 1, [';'] = 1,
          };
          char c;

          while (!stops[(guchar) *p])
            p++;
          c = *p;
          if (c == '\0')
            break;

          if (c == '#')
            {
              while (p[1] != '\0' && p[1] != '\n')
                p++;
            }
          else if (c == '(' || c == '[')
            nesting++;
          else if (c == ')' || c == ']')
            nesting = MAX (nesting - 1, 0);
          else if ((c == '\n' || c == ';') && nesting == 0)
            {
              p++;
              break;
            }
        }
    }
}

/* Lexes the rest of the text: FALSE with its first lexical error. */
static gboolean
lex_to_end (Lexer   *lexer,
            Tokens  *tokens,
            GError **error)
{
  do
    {
      if (!lex_statement (lexer, tokens, error))
        return FALSE;
    }
  while (tokens->data[tokens->len - 1].kind != T_EOF);
  return TRUE;
}

/* Shape errors carry the line and column of the node's operator. */
static gboolean
check_shapes (Parser  *parser,
              GError **error)
{
  g_autoptr(GError) local_error = NULL;
  guint n = bp_graph_get_n_nodes (parser->graph);

  if (bp_graph_validate (parser->graph, &local_error))
    return TRUE;

  for (guint i = 0; i < n; i++)
    {
      BpNode *node = bp_graph_get_node (parser->graph, i);
      const char *message = bp_node_get_error (node);
      Where w;

      if (message == NULL)
        continue;
      w = i < parser->n_nodes ? parser->where[i] : (Where) { 0, 0, 0 };
      /* Translators: a line number, a column number (both from 1), then the message */
      g_set_error (error, BP_ERROR, local_error->code, _("line %u, column %u: %s"),
                   w.line, w.col, message);
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

BpGraph *
bp_expr_parse (const char  *text,
               GError     **error)
{
  g_autoptr(BpGraph) graph = NULL;
  g_auto(Tokens) tokens = { 0 };
  g_autoptr(BpInterner) names = NULL;
  g_auto(Assignments) assignments = { 0 };
  g_autoptr(GArray) name_info = NULL;
  g_auto(Parser) parser = { 0 };
  Lexer lexer;
  g_autoptr(GError) local_error = NULL;
  BpNode *output = NULL;
  const char *end;
  gsize length;

  g_return_val_if_fail (text != NULL, NULL);

  length = strlen (text);
  if (length > BP_EXPR_MAX_BYTES)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, length);

      g_set_error (error, BP_ERROR, BP_ERROR_TOO_LARGE,
                   /* Translators: the text's size, then the largest size accepted */
                   _("The expressions are %s bytes long; at most %u are accepted"),
                   size, BP_EXPR_MAX_BYTES);
      return NULL;
    }
  if (!is_ascii (text, length) && !g_utf8_validate_len (text, length, &end))
    {
      g_set_error (error, BP_ERROR, BP_ERROR_PARSE,
                   /* Translators: the offset of the first bad byte (0 = the first) */
                   _("The text is not valid UTF-8 (byte %u)"),
                   (guint) (end - text));   /* below BP_EXPR_MAX_BYTES */
      return NULL;
    }

  names = bp_interner_new ();

  /* The text is lexed once, statement by statement, as it is parsed;
   * the names it assigns are found first by a quicker scan. */
  scan_assignments (text, &assignments);

  /* Generated ids need no lookups unless a name could be one of them
   * (and every op's name ends in a letter, as looks_generated() needs). */
  parser.ids_free = TRUE;
  {
    guint n_ops;
    const BpOp *const *ops = bp_op_get_all (&n_ops);
    char base[BP_EXPR_NAME_SIZE] = "";
    gsize base_len = 0;
    gboolean last = FALSE;

    g_assert (n_ops <= MAX_OPS);
    for (guint i = 0; i < n_ops; i++)
      {
        /* What looks_generated() and is_op_name() take for granted. */
        g_assert (strpbrk (ops[i]->name, "0123456789") == NULL);
        if (!g_ascii_isalpha (ops[i]->name[strlen (ops[i]->name) - 1]))
          parser.ids_free = FALSE;
      }
    /* Numbered in the order they first come. */
    bp_interner_reserve (names, assignments.len, assignments.n_bytes);
    for (guint i = 0; i < assignments.len; i++)
      {
        Assignment *a = &assignments.data[i];
        gboolean added;

        if (i + PREFETCH_AHEAD < assignments.len)
          bp_interner_prefetch (names, assignments.data[i + PREFETCH_AHEAD].hash);
        a->name_id = bp_interner_intern_hashed (names, a->start, a->len, a->hash, &added);
        if (added && parser.ids_free &&
            looks_generated (a->start, a->len, base, &base_len, &last))
          parser.ids_free = FALSE;
      }
  }

  graph = bp_graph_new ();
  /* Each assignment makes a node at least. */
  _bp_graph_reserve (graph, MIN (assignments.len, BP_EXPR_MAX_NODES));
  /* Nobody watches the new graph yet. */
  bp_graph_freeze_changed (graph);
  name_info = g_array_sized_new (FALSE, FALSE, sizeof (NameInfo), bp_interner_size (names));
  g_array_set_size (name_info, bp_interner_size (names));
  for (guint i = 0; i < name_info->len; i++)
    g_array_index (name_info, NameInfo, i) = (NameInfo) { NULL, 0, -1 };

  lexer = (Lexer) { text, 1, 0, text };
  parser.tokens = &tokens;
  parser.lexer = &lexer;
  parser.graph = graph;
  parser.names = names;
  parser.name_info = name_info;
  parser.assignments = assignments.data;
  parser.n_assignments = assignments.len;

  while (TRUE)
    {
      /* The node of an assignment a few statements on, that is. */
      if (parser.next_assignment + PREFETCH_AHEAD < assignments.len)
        _bp_graph_prefetch_id (graph, assignments.data[parser.next_assignment + PREFETCH_AHEAD].hash);
      if (!lex_statement (&lexer, &tokens, error))
        return NULL;
      parser.pos = 0;
      if (peek (&parser)->kind == T_EOF)
        break;
      if (!parse_statement (&parser, &output, &local_error))
        {
          /* A lexical error anywhere comes before any other: the rest of
           * the text is lexed for one. */
          if (lex_to_end (&lexer, &tokens, error))
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  if (output == NULL)
    {
      g_set_error_literal (error, BP_ERROR, BP_ERROR_PARSE,
                           _("line 1, column 1: expected an assignment such as “y = x * 2” "
                             "but found no expression"));
      return NULL;
    }
  bp_graph_set_output (graph, output);

  if (!check_shapes (&parser, error))
    return NULL;
  bp_graph_thaw_changed (graph);
  return g_steal_pointer (&graph);
}
