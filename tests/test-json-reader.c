/* SPDX-License-Identifier: MIT */
/* The engine's JSON reader: the tree, numbers, texts, and where its
 * errors point. */

#include <math.h>
#include <string.h>

#include "bp-json-reader.h"

static BpJsonDocument *
parse (const char  *text,
       GError     **error)
{
  return bp_json_document_parse (text, strlen (text), 64, error);
}

static void
test_tree (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpJsonDocument) doc = parse (" {\"b\": [1, 2.5, -3e2, true, false, null],"
                                         " \"a\": {\"x\": \"y\"}, \"c\": []}\n", &error);
  BpJsonNode *root, *array;
  BpJsonIter iter;
  const char *name;
  BpJsonNode *value;
  const char *order[3] = { NULL };
  guint n = 0;

  g_assert_no_error (error);
  root = bp_json_document_get_root (doc);
  g_assert_cmpint (root->type, ==, BP_JSON_OBJECT);
  g_assert_cmpuint (bp_json_node_get_length (root), ==, 3);

  /* Members in the order written. */
  bp_json_iter_init (&iter, root);
  while (bp_json_iter_next (&iter, &name, &value))
    order[n++] = name;
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (order[0], ==, "b");
  g_assert_cmpstr (order[1], ==, "a");
  g_assert_cmpstr (order[2], ==, "c");

  array = bp_json_node_get_member (root, "b");
  g_assert_nonnull (array);
  g_assert_cmpuint (bp_json_node_get_length (array), ==, 6);
  g_assert_cmpint (bp_json_node_get_element (array, 0)->type, ==, BP_JSON_INT);
  g_assert_cmpint (bp_json_node_get_element (array, 0)->v.integer, ==, 1);
  g_assert_cmpint (bp_json_node_get_element (array, 1)->type, ==, BP_JSON_DOUBLE);
  g_assert_cmpfloat (bp_json_node_get_double (bp_json_node_get_element (array, 1)), ==, 2.5);
  g_assert_cmpint (bp_json_node_get_element (array, 2)->type, ==, BP_JSON_DOUBLE);
  g_assert_cmpfloat (bp_json_node_get_double (bp_json_node_get_element (array, 2)), ==, -300);
  g_assert_cmpint (bp_json_node_get_element (array, 3)->type, ==, BP_JSON_BOOLEAN);
  g_assert_true (bp_json_node_get_element (array, 3)->v.boolean);
  g_assert_false (bp_json_node_get_element (array, 4)->v.boolean);
  g_assert_cmpint (bp_json_node_get_element (array, 5)->type, ==, BP_JSON_NULL);

  g_assert_cmpstr (bp_json_node_get_string (bp_json_node_get_member (bp_json_node_get_member (root, "a"), "x")),
                   ==, "y");
  g_assert_cmpuint (bp_json_node_get_length (bp_json_node_get_member (root, "c")), ==, 0);
  g_assert_null (bp_json_node_get_member (root, "d"));
  g_assert_null (bp_json_node_get_member (array, "b"));
}

/* A name written twice keeps its first place and its last value, in a
 * small object and in a large one (which finds repeats by hashing). */
static void
test_duplicates (void)
{
  g_autoptr(GString) large = g_string_new ("{\"k\": 0");
  const char *texts[2];

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (large, ", \"m%u\": %u", i, i);
  g_string_append (large, ", \"k\": 9, \"m3\": 33}");
  texts[0] = "{\"k\": 0, \"m0\": 0, \"k\": 9}";
  texts[1] = large->str;

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpJsonDocument) doc = parse (texts[t], &error);
      BpJsonNode *root;

      g_assert_no_error (error);
      root = bp_json_document_get_root (doc);
      g_assert_cmpuint (bp_json_node_get_length (root), ==, t == 0 ? 2 : 41);
      g_assert_cmpstr (bp_json_node_get_member_at (root, 0)->name, ==, "k");
      g_assert_cmpint (bp_json_node_get_member_at (root, 0)->value->v.integer, ==, 9);
      g_assert_cmpstr (bp_json_node_get_member_at (root, 1)->name, ==, "m0");
      if (t == 1)
        g_assert_cmpint (bp_json_node_get_member (root, "m3")->v.integer, ==, 33);
    }
}

static void
test_numbers (void)
{
  static const struct { const char *text; BpJsonType type; double value; } cases[] = {
    { "0", BP_JSON_INT, 0 },
    { "-0", BP_JSON_INT, 0 },
    { "-0.0", BP_JSON_DOUBLE, -0.0 },
    { "9007199254740993", BP_JSON_INT, 9007199254740992.0 },
    { "9223372036854775807", BP_JSON_INT, 9223372036854775807.0 },
    /* Beyond 64 bits: a double, not a wrapped integer. */
    { "18446744073709551617", BP_JSON_DOUBLE, 18446744073709551617.0 },
    { "0.1", BP_JSON_DOUBLE, 0.1 },
    { "1E+2", BP_JSON_DOUBLE, 100 },
    { "1e400", BP_JSON_DOUBLE, INFINITY },
    { "-1e400", BP_JSON_DOUBLE, -INFINITY },
    { "0.30000000000000004", BP_JSON_DOUBLE, 0.30000000000000004 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpJsonDocument) doc = parse (cases[i].text, &error);
      BpJsonNode *root;

      g_assert_no_error (error);
      root = bp_json_document_get_root (doc);
      g_assert_cmpint (root->type, ==, cases[i].type);
      g_assert_cmpfloat (bp_json_node_get_double (root), ==, cases[i].value);
      g_assert_cmpint (signbit (bp_json_node_get_double (root)), ==, signbit (cases[i].value));
    }
}

static void
test_strings (void)
{
  static const struct { const char *text; const char *value; } cases[] = {
    { "\"plain\"", "plain" },
    { "\"\"", "" },
    { "\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", "a\"b\\c/d\be\ff\ng\rh\ti" },
    { "\"\\u00e9t\\u00C9\"", "ét\xc3\x89" },
    { "\"caf\xc3\xa9\"", "caf\xc3\xa9" },
    { "\"\\ud83d\\ude00!\"", "\xf0\x9f\x98\x80!" },
    { "\"tab\there\"", "tab\there" },   /* as json-glib took it */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpJsonDocument) doc = parse (cases[i].text, &error);
      BpJsonNode *root;

      g_assert_no_error (error);
      root = bp_json_document_get_root (doc);
      g_assert_cmpstr (bp_json_node_get_string (root), ==, cases[i].value);
      g_assert_cmpuint (root->length, ==, strlen (cases[i].value));
    }
}

/* A byte order mark is skipped; the text need not end with NUL. */
static void
test_bom_and_length (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpJsonDocument) doc = NULL;
  g_autoptr(BpJsonDocument) cut = NULL;

  doc = parse ("\xef\xbb\xbf[1]", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bp_json_node_get_length (bp_json_document_get_root (doc)), ==, 1);

  cut = bp_json_document_parse ("[12]345", 4, 64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bp_json_node_get_element (bp_json_document_get_root (cut), 0)->v.integer,
                   ==, 12);
}

typedef struct
{
  const char *text;
  int         code;
  const char *message;   /* the whole message */
} BadCase;

static const BadCase bad_cases[] = {
  { "", BP_JSON_ERROR_SYNTAX, "line 1, column 1: the text ends before the JSON value is complete" },
  { "{\"a\": 1,\n \"b\": }", BP_JSON_ERROR_SYNTAX,
    "line 2, column 7: expected a value (a number, a string, an array, an object, true, "
    "false or null), found “}”" },
  { "[1, 2,]", BP_JSON_ERROR_SYNTAX,
    "line 1, column 7: expected a value (a number, a string, an array, an object, true, "
    "false or null), found “]”" },
  { "[1 2]", BP_JSON_ERROR_SYNTAX,
    "line 1, column 4: expected “,” or “]” after an element of an array, found “2”" },
  { "{\"a\" 1}", BP_JSON_ERROR_SYNTAX,
    "line 1, column 6: expected “:” after a member name, found “1”" },
  { "{\"a\": 1 \"b\": 2}", BP_JSON_ERROR_SYNTAX,
    "line 1, column 9: expected “,” or “}” after a member of an object, found “\"”" },
  { "{a: 1}", BP_JSON_ERROR_SYNTAX,
    "line 1, column 2: expected a member name in double quotes, found “a”" },
  { "nodes", BP_JSON_ERROR_SYNTAX,
    "line 1, column 1: expected a value (a number, a string, an array, an object, true, "
    "false or null), found “nodes”" },
  { "[\"é\", 010]", BP_JSON_ERROR_SYNTAX,
    "line 1, column 7: “010” is not a number as JSON writes them (no leading zeros, “+”, "
    "“.5”, “5.” nor hexadecimal)" },
  { "0x1f", BP_JSON_ERROR_SYNTAX,
    "line 1, column 1: “0x1f” is not a number as JSON writes them (no leading zeros, “+”, "
    "“.5”, “5.” nor hexadecimal)" },
  { "[.5]", BP_JSON_ERROR_SYNTAX,
    "line 1, column 2: “.5” is not a number as JSON writes them (no leading zeros, “+”, "
    "“.5”, “5.” nor hexadecimal)" },
  { "[1.]", BP_JSON_ERROR_SYNTAX,
    "line 1, column 2: “1.” is not a number as JSON writes them (no leading zeros, “+”, "
    "“.5”, “5.” nor hexadecimal)" },
  { "[1,\n  \"abc", BP_JSON_ERROR_SYNTAX,
    "line 2, column 3: the text ends inside the string that starts here" },
  { "\"ab\\", BP_JSON_ERROR_SYNTAX,
    "line 1, column 1: the text ends inside the string that starts here" },
  { "\"a\\qb\"", BP_JSON_ERROR_SYNTAX,
    "line 1, column 3: unknown escape “\\q” in a string (JSON has \\\" \\\\ \\/ \\b \\f \\n "
    "\\r \\t and \\u)" },
  { "\"\\u12\"", BP_JSON_ERROR_SYNTAX,
    "line 1, column 2: “\\u” in a string must be followed by four hexadecimal digits" },
  { "{\"label\": [\"x\\ud800 y\"]}", BP_JSON_ERROR_SURROGATE,
    "A text in “label” is not valid UTF-8: it has an escape of half a surrogate pair "
    "(\\ud800 to \\udfff) alone (line 1, column 14)" },
  { "{\"t\": {\"\\udc00\": 1}}", BP_JSON_ERROR_SURROGATE,
    "A text in “t” is not valid UTF-8: it has an escape of half a surrogate pair "
    "(\\ud800 to \\udfff) alone (line 1, column 9)" },
  { "\"\xff\"", BP_JSON_ERROR_SYNTAX,
    "line 1, column 2: a string holds bytes that are not UTF-8 text" },
  { "{} {}", BP_JSON_ERROR_SYNTAX, "line 1, column 4: the text goes on after the JSON value: “{”" },
  { "truex", BP_JSON_ERROR_SYNTAX,
    "line 1, column 1: expected a value (a number, a string, an array, an object, true, "
    "false or null), found “truex”" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BpJsonDocument) doc = parse (bad_cases[i].text, &error);

      g_test_message ("case %u: %s", i, bad_cases[i].text);
      g_assert_null (doc);
      g_assert_error (error, BP_JSON_ERROR, bad_cases[i].code);
      g_assert_cmpstr (error->message, ==, bad_cases[i].message);
    }
}

/* The depth limit holds without recursing further. */
static void
test_depth (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpJsonDocument) ok = NULL;
  g_autoptr(BpJsonDocument) doc = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  doc = bp_json_document_parse (deep->str, deep->len, 64, &error);
  g_assert_null (doc);
  g_assert_error (error, BP_JSON_ERROR, BP_JSON_ERROR_DEPTH);
  g_assert_cmpstr (error->message, ==,
                   "line 1, column 65: arrays and objects nest more than 64 levels deep");
  g_clear_error (&error);

  ok = bp_json_document_parse ("[[[]]]", 6, 3, &error);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-reader/tree", test_tree);
  g_test_add_func ("/json-reader/duplicates", test_duplicates);
  g_test_add_func ("/json-reader/numbers", test_numbers);
  g_test_add_func ("/json-reader/strings", test_strings);
  g_test_add_func ("/json-reader/bom-and-length", test_bom_and_length);
  g_test_add_func ("/json-reader/errors", test_errors);
  g_test_add_func ("/json-reader/depth", test_depth);

  return g_test_run ();
}
