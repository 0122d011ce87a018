/* SPDX-License-Identifier: MIT */
#include <float.h>
#include <math.h>
#include <string.h>

#include "bp-engine.h"
#include "bp-digits-private.h"

static void
test_new (void)
{
  const double data[] = { 1, 2, 3, 4, 5, 6 };
  g_autoptr(BpTensor) zeros = bp_tensor_new (2, 3);
  g_autoptr(BpTensor) scalar = bp_tensor_new_scalar (2.5);
  g_autoptr(BpTensor) filled = bp_tensor_new_filled (3, 1, 7);
  g_autoptr(BpTensor) m = bp_tensor_new_from_data (2, 3, data);
  g_autoptr(BpTensor) copy = NULL;

  g_assert_cmpuint (zeros->rows, ==, 2);
  g_assert_cmpuint (zeros->cols, ==, 3);
  g_assert_cmpuint (bp_tensor_n_elements (zeros), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat (zeros->data[i], ==, 0);

  g_assert_true (bp_tensor_is_scalar (scalar));
  g_assert_false (bp_tensor_is_scalar (zeros));
  g_assert_cmpfloat (scalar->data[0], ==, 2.5);
  g_assert_cmpfloat (bp_tensor_get (filled, 2, 0), ==, 7);

  /* row-major */
  g_assert_cmpfloat (bp_tensor_get (m, 0, 2), ==, 3);
  g_assert_cmpfloat (bp_tensor_get (m, 1, 0), ==, 4);
  bp_tensor_set (m, 1, 2, -1);
  g_assert_cmpfloat (m->data[5], ==, -1);

  copy = bp_tensor_copy (m);
  g_assert_true (copy->data != m->data);
  g_assert_true (bp_tensor_equal (copy, m, 0, 0));
  copy->data[0] = 100;
  g_assert_cmpfloat (m->data[0], ==, 1);
  g_assert_false (bp_tensor_equal (copy, m, 0, 0));

  g_assert_true (bp_tensor_same_shape (zeros, m));
  g_assert_false (bp_tensor_same_shape (zeros, filled));

  bp_tensor_fill (zeros, 3);
  g_assert_cmpfloat (zeros->data[5], ==, 3);
}

static void
test_ref (void)
{
  BpTensor *t = bp_tensor_new (1, 2);
  GType type = bp_tensor_get_type ();
  BpTensor *boxed;

  g_assert_true (G_TYPE_IS_BOXED (type));
  g_assert_true (type == BP_TYPE_TENSOR);
  boxed = g_boxed_copy (type, t);
  g_assert_true (boxed == t);  /* a ref, not a copy */
  g_boxed_free (type, boxed);
  g_assert_true (bp_tensor_ref (t) == t);
  bp_tensor_unref (t);
  bp_tensor_unref (t);
}

static void
test_equal (void)
{
  const double a_data[] = { 1, NAN, INFINITY, -INFINITY };
  const double b_data[] = { 1 + 1e-10, NAN, INFINITY, -INFINITY };
  g_autoptr(BpTensor) a = bp_tensor_new_from_data (1, 4, a_data);
  g_autoptr(BpTensor) b = bp_tensor_new_from_data (1, 4, b_data);
  g_autoptr(BpTensor) c = bp_tensor_new_from_data (4, 1, a_data);
  g_autoptr(BpTensor) big = bp_tensor_new_scalar (1000);
  g_autoptr(BpTensor) big2 = bp_tensor_new_scalar (1001);
  g_autoptr(BpTensor) one = bp_tensor_new_scalar (1);

  g_assert_true (bp_tensor_equal (a, b, 1e-9, 0));
  g_assert_false (bp_tensor_equal (a, b, 0, 0));
  g_assert_false (bp_tensor_equal (a, c, 1, 1));          /* shapes */
  g_assert_true (bp_tensor_equal (big, big2, 0, 1e-3));   /* relative */
  g_assert_false (bp_tensor_equal (big, big2, 0.5, 1e-4));
  b->data[1] = 0;
  g_assert_false (bp_tensor_equal (a, b, 1, 1));          /* NaN only equals NaN */
  b->data[1] = NAN;
  b->data[2] = -INFINITY;
  g_assert_false (bp_tensor_equal (a, b, 1, 1));
  one->data[0] = NAN;
  g_assert_false (bp_tensor_equal (one, big, 1e9, 1e9));
}

static void
check_format (double      v,
              int         digits,
              const char *expected)
{
  g_autofree char *s = bp_format_number (v, digits);

  g_assert_cmpstr (s, ==, expected);
}

static void
test_format (void)
{
  check_format (220, 6, "220");
  check_format (100 * 2 * 1.1, 6, "220");
  check_format (2.2, 6, "2.2");
  check_format (1.1 * 2, 6, "2.2");
  check_format (110, 6, "110");
  check_format (715, 6, "715");
  check_format (0.000123, 6, "0.000123");
  check_format (1.5e12, 6, "1.5e+12");
  check_format (-2.5, 6, "−2.5");
  check_format (-0.0, 6, "0");
  check_format (0, 6, "0");
  check_format (NAN, 6, "NaN");
  check_format (INFINITY, 6, "∞");
  check_format (-INFINITY, 6, "−∞");
  check_format (3.14159265, 3, "3.14");
  check_format (1.0 / 3.0, 6, "0.333333");
}

static void
test_to_string (void)
{
  const double data[] = { 1, 2.5, -3, 4 };
  g_autoptr(BpTensor) m = bp_tensor_new_from_data (2, 2, data);
  g_autoptr(BpTensor) row = bp_tensor_new_from_data (1, 3, data);
  g_autoptr(BpTensor) s = bp_tensor_new_scalar (220);
  g_autofree char *ms = bp_tensor_to_string (m, 6);
  g_autofree char *rs = bp_tensor_to_string (row, 6);
  g_autofree char *ss = bp_tensor_to_string (s, 6);
  g_autofree char *shape = bp_tensor_shape_string (2, 3);

  g_assert_cmpstr (ms, ==, "[[1, 2.5], [−3, 4]]");
  g_assert_cmpstr (rs, ==, "[[1, 2.5, −3]]");
  g_assert_cmpstr (ss, ==, "220");
  g_assert_cmpstr (shape, ==, "2×3");
}

static void
check_parse (const char *text,
             guint       rows,
             guint       cols,
             const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) t = bp_tensor_parse (text, &error);
  g_autofree char *s = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (t);
  g_assert_cmpuint (t->rows, ==, rows);
  g_assert_cmpuint (t->cols, ==, cols);
  s = bp_tensor_to_string (t, 6);
  g_assert_cmpstr (s, ==, expected);
}

static void
check_parse_error (const char *text,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) t = bp_tensor_parse (text, &error);

  g_assert_null (t);
  g_assert_error (error, BP_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_parse (void)
{
  check_parse ("220", 1, 1, "220");
  check_parse ("  -2.5 ", 1, 1, "−2.5");
  check_parse ("−2.5", 1, 1, "−2.5");
  check_parse ("1e3", 1, 1, "1000");
  check_parse ("[1, 2]", 1, 2, "[[1, 2]]");
  check_parse ("[[1, 2], [3, 4]]", 2, 2, "[[1, 2], [3, 4]]");
  check_parse ("[ [1,2,3] ,[4, 5,6] ]", 2, 3, "[[1, 2, 3], [4, 5, 6]]");
  check_parse ("[[1], [2], [3]]", 3, 1, "[[1], [2], [3]]");
  check_parse ("[7]", 1, 1, "7");
  check_parse ("nan", 1, 1, "NaN");
  check_parse ("-inf", 1, 1, "−∞");
  check_parse ("∞", 1, 1, "∞");
  check_parse ("[.5, +2]", 1, 2, "[[0.5, 2]]");

  check_parse_error ("", BP_ERROR_INVALID);
  check_parse_error ("abc", BP_ERROR_INVALID);
  check_parse_error ("1 2", BP_ERROR_INVALID);
  check_parse_error ("[]", BP_ERROR_INVALID);
  check_parse_error ("[1, 2", BP_ERROR_INVALID);
  check_parse_error ("[1, , 2]", BP_ERROR_INVALID);
  check_parse_error ("[[1, 2], [3]]", BP_ERROR_INVALID);
  check_parse_error ("[[1, 2], 3]", BP_ERROR_INVALID);
  check_parse_error ("[[1, 2]] x", BP_ERROR_INVALID);
  check_parse_error ("0x10", BP_ERROR_INVALID);
  check_parse_error ("--1", BP_ERROR_INVALID);
  check_parse_error ("[[[1]]]", BP_ERROR_INVALID);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BpTensor) t = bp_tensor_parse ("[[1, 2], [3]]", &error);

    g_assert_cmpstr (error->message, ==, "Row 2 has 1 number but row 1 has 2");
  }

  /* Beyond the range of a double: a mistake, not ∞ (which "inf" types). */
  check_parse ("inf", 1, 1, "∞");
  check_parse ("Infinity", 1, 1, "∞");
  check_parse ("1.7976931348623157e308", 1, 1, "1.79769e+308");
  check_parse ("1e-400", 1, 1, "0");
  check_parse_error ("1e309", BP_ERROR_INVALID);
  check_parse_error ("[1, -1e400]", BP_ERROR_INVALID);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BpTensor) t = bp_tensor_parse ("[[1, 2], [3, 1e400]]", &error);

    g_assert_null (t);
    g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
    g_assert_cmpstr (error->message, ==, "The number 1e400 at position 14 of “[[1, 2], [3, 1e400]]” "
                                         "is beyond ±1.8e308, the range of a double (type “inf” for ∞)");
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BpTensor) t = bp_tensor_parse ("−1e400", &error);

    g_assert_null (t);
    g_assert_error (error, BP_ERROR, BP_ERROR_INVALID);
    g_assert_true (g_str_has_prefix (error->message, "The number 1e400 at position 1 of"));
  }
}

static void
test_parse_too_large (void)
{
  GString *s = g_string_new ("[");
  g_autoptr(GError) error = NULL;
  g_autoptr(BpTensor) t = NULL;

  for (guint i = 0; i <= BP_TENSOR_MAX_ELEMENTS; i++)
    g_string_append (s, i ? ",0" : "0");
  g_string_append_c (s, ']');

  t = bp_tensor_parse (s->str, &error);
  g_assert_null (t);
  g_assert_error (error, BP_ERROR, BP_ERROR_TOO_LARGE);
  g_string_free (s, TRUE);
}

/* The definition the files were written with: the first of %.15g,
 * %.16g, %.17g that reads back exactly. */
static void
reference_exact (double  value,
                 char   *buf)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };

  if (isnan (value))
    {
      strcpy (buf, "NaN");
      return;
    }
  if (isinf (value))
    {
      strcpy (buf, value > 0 ? "Infinity" : "-Infinity");
      return;
    }
  if (value == 0)
    {
      strcpy (buf, "0");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, BP_FORMAT_EXACT_SIZE, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        return;
    }
}

static guint n_exact_checked;

static void
check_exact (double value)
{
  char expected[BP_FORMAT_EXACT_SIZE];
  char got[BP_FORMAT_EXACT_SIZE];
  gsize len;

  reference_exact (value, expected);
  len = bp_format_exact (value, got);
  if (strcmp (expected, got) != 0)
    g_error ("bp_format_exact (%a) gave “%s”, expected “%s”", value, got, expected);
  g_assert_cmpuint (len, ==, strlen (got));
  n_exact_checked++;
}

/* The fast exact form gives byte for byte what printf and strtod gave,
 * so that documents stay the same. */
static void
test_format_exact_same (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261130);
  const double special[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1.1, 2.2, 220, 1e-4, 1e-5, 9.999e-5,
    123456789012345.0, 1234567890123456.0, 12345678901234567.0, 1e15, 1e16, 1e17,
    1e21, 1e22, 1e23, 5e-324, 1e-323, 2.96439387504748e-323, DBL_MIN,
    DBL_MIN * 3.5, DBL_MAX, -DBL_MAX, DBL_EPSILON, 1.0 / 3, 2.0 / 3,
    9007199254740992.0, 9007199254740993.0, 0.30000000000000004, 1e100, 1e-100,
    NAN, INFINITY, -INFINITY,
  };
  double x = 0.3, y = 0.7;

  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    {
      check_exact (special[i]);
      check_exact (nextafter (special[i], INFINITY));
      check_exact (nextafter (special[i], -INFINITY));
    }

  /* Every power of two (a lopsided rounding interval) and its neighbours. */
  for (int e = -1074; e <= 1023; e++)
    {
      double p = ldexp (1.0, e);

      check_exact (p);
      check_exact (-p);
      check_exact (nextafter (p, 0));
      check_exact (nextafter (p, INFINITY));
    }

  for (guint i = 0; i < 300000; i++)
    {
      guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      double v;

      /* Any bit pattern. */
      memcpy (&v, &bits, sizeof v);
      check_exact (v);
      /* Numbers people type: a few digits and a power of ten. */
      v = g_rand_int_range (rand, -99999, 100000) *
          pow (10, g_rand_int_range (rand, -30, 30));
      check_exact (v);
      /* Uniform in [0, 1), as values and gradients often are. */
      check_exact (g_rand_double (rand));
      check_exact (g_rand_double_range (rand, -1e6, 1e6));
    }

  /* Subnormals, where the shortest digits are not the text: small
   * multiples of the smallest one (gradients that underflow) and any. */
  for (guint64 m = 1; m < 20000; m++)
    {
      double v;

      memcpy (&v, &m, sizeof v);
      check_exact (v);
    }
  for (guint i = 0; i < 50000; i++)
    {
      guint64 m = (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand)) & G_GUINT64_CONSTANT (0x800fffffffffffff);
      double v;

      memcpy (&v, &m, sizeof v);
      check_exact (v);
    }

  /* The numbers of a mul, add, tanh chain. */
  for (guint i = 0; i < 100000; i++)
    {
      double z = i % 3 == 0 ? x + y : i % 3 == 1 ? x * 0.9 : tanh (x);

      y = x;
      x = z;
      check_exact (z);
    }

  /* Every power of ten the doubles reach, and its neighbours: where the
   * digits carry over and the exponent changes. */
  for (int e = -323; e <= 308; e++)
    {
      char text[32];
      double p, up, down;

      g_snprintf (text, sizeof text, "1e%d", e);
      p = up = down = g_ascii_strtod (text, NULL);
      check_exact (p);
      check_exact (-p);
      for (int k = 0; k < 3; k++)
        {
          check_exact (up = nextafter (up, INFINITY));
          check_exact (down = nextafter (down, 0));
        }
      /* 9.99…9e(e-1): 15, 16, 17 nines round to the power or stay. */
      for (int nines = 14; nines <= 18; nines++)
        {
          g_snprintf (text, sizeof text, "0.%.*se%d", nines, "999999999999999999", e);
          check_exact (g_ascii_strtod (text, NULL));
        }
    }

  /* Near a halfway case: 15 and 16 digits, then a 5, at any exponent,
   * so that rounding to 15 or 16 digits decides between two texts. */
  for (guint i = 0; i < 200000; i++)
    {
      char text[64];
      guint64 head = ((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) %
                     G_GUINT64_CONSTANT (9000000000000000) + G_GUINT64_CONSTANT (1000000000000000);
      int digits = g_rand_int_range (rand, 15, 17);
      int e = g_rand_int_range (rand, -320, 300);
      double v;

      if (digits == 15)
        head /= 10;
      g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT "5e%d", head, e);
      v = g_ascii_strtod (text, NULL);
      check_exact (v);
      check_exact (nextafter (v, INFINITY));
      check_exact (nextafter (v, -INFINITY));
    }

  /* Any exponent, evenly: a random significand scaled by 2^e. */
  for (int e = -1074; e <= 1023; e++)
    for (guint i = 0; i < 40; i++)
      check_exact (ldexp (1 + g_rand_double (rand), e));

  /* Subnormals of every length of significand, and those above 1e-310
   * whose 15 digits may not read back. */
  for (guint i = 0; i < 100000; i++)
    {
      guint64 m = ((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) &
                  G_GUINT64_CONSTANT (0xfffffffffffff);
      double v;

      m >>= g_rand_int_range (rand, 0, 52);
      memcpy (&v, &m, sizeof v);
      check_exact (v);
      check_exact (g_rand_double_range (rand, 1e-310, DBL_MIN));
    }

  g_test_message ("%u numbers checked", n_exact_checked);
  g_assert_cmpuint (n_exact_checked, >, 1000000);

  /* bp_format_number agrees with the buffer form. */
  {
    g_autofree char *text = bp_format_number (-2.2, BP_FORMAT_EXACT);

    g_assert_cmpstr (text, ==, "-2.2");
  }
}

/* The digits written many at a time, by each way this machine has,
 * against printf's. */
static void
check_digits_16 (guint32 high,
                 guint32 low)
{
  char expected[24];
  char got[24];

  g_snprintf (expected, sizeof expected, "%08u%08u", high, low);
  memset (got, 0, sizeof got);
  bp_digits_16_swar (got, high, low);
  if (memcmp (got, expected, 16) != 0)
    g_error ("bp_digits_16_swar (%u, %u) gave “%s”", high, low, got);
#ifdef __SSE2__
  memset (got, 0, sizeof got);
  bp_digits_16_sse2 (got, high, low);
  if (memcmp (got, expected, 16) != 0)
    g_error ("bp_digits_16_sse2 (%u, %u) gave “%s”", high, low, got);
#endif
  memset (got, 0, sizeof got);
  bp_digits_16 (got, high, low);
  g_assert_cmpmem (got, 16, expected, 16);
}

static void
test_digits (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1130);

  /* Every group of four digits in every place. */
  for (guint32 v = 0; v < 10000; v++)
    {
      check_digits_16 (v, v * 10000);
      check_digits_16 (v * 10000, v);
      check_digits_16 (v * 10000 + 9999 - v, 99999999 - v);
    }
  check_digits_16 (0, 0);
  check_digits_16 (99999999, 99999999);
  for (guint i = 0; i < 1000000; i++)
    check_digits_16 (g_rand_int_range (rand, 0, 100000000),
                     g_rand_int_range (rand, 0, 100000000));
}

/* Writes a distinct value into each of `n` live scalars, then reads them
 * all back: two tensors sharing memory would show. */
static void
assert_scalars_apart (BpTensor **t,
                      guint      n,
                      double     base)
{
  for (guint i = 0; i < n; i++)
    t[i]->data[0] = base + i;
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (t[i]->rows, ==, 1);
      g_assert_cmpuint (t[i]->cols, ==, 1);
      g_assert_cmpfloat (t[i]->data[0], ==, base + i);
    }
}

#define MANY_SCALARS 20000

static gpointer
make_scalars_thread (gpointer data)
{
  BpTensor **t = g_new (BpTensor *, MANY_SCALARS);

  for (guint i = 0; i < MANY_SCALARS; i++)
    t[i] = bp_tensor_new_scalar (i);
  assert_scalars_apart (t, MANY_SCALARS, 1e6);
  return t;
}

static gpointer
free_scalars_thread (gpointer data)
{
  BpTensor **t = data;

  for (guint i = 0; i < MANY_SCALARS; i++)
    bp_tensor_unref (t[i]);
  return NULL;
}

/* Scalars come from slabs and go back to free lists, per thread and
 * shared: made, freed and made again, on one thread and across several,
 * no two live ones overlap and a kept one is never reused. */
static void
test_scalars_many (void)
{
  g_autofree BpTensor **mine = g_new (BpTensor *, MANY_SCALARS);
  g_autofree BpTensor **kept = g_new (BpTensor *, MANY_SCALARS / 2);
  BpTensor **theirs;
  GThread *thread;

  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < MANY_SCALARS; i++)
        mine[i] = bp_tensor_new_scalar (-1);
      assert_scalars_apart (mine, MANY_SCALARS, round * 1e5);
      /* Free every other one, keep the rest alive across the rounds' reuse. */
      for (guint i = 0; i < MANY_SCALARS; i++)
        {
          if (round == 0 && i % 2 == 0)
            kept[i / 2] = bp_tensor_ref (mine[i]);
          bp_tensor_unref (mine[i]);
        }
    }
  assert_scalars_apart (kept, MANY_SCALARS / 2, -5e5);

  /* Made on one thread, freed on this one, made again on a third while
   * this one holds its own. */
  thread = g_thread_new ("make", make_scalars_thread, NULL);
  theirs = g_thread_join (thread);
  for (guint i = 0; i < MANY_SCALARS; i++)
    bp_tensor_unref (theirs[i]);
  g_free (theirs);
  for (guint i = 0; i < MANY_SCALARS; i++)
    mine[i] = bp_tensor_new_scalar (i);
  thread = g_thread_new ("make", make_scalars_thread, NULL);
  theirs = g_thread_join (thread);
  assert_scalars_apart (mine, MANY_SCALARS, 2e6);
  assert_scalars_apart (theirs, MANY_SCALARS, 3e6);
  assert_scalars_apart (kept, MANY_SCALARS / 2, 4e6);
  /* Freed on a thread that then exits: its free ones are shared. */
  thread = g_thread_new ("free", free_scalars_thread, theirs);
  g_thread_join (thread);
  g_free (theirs);
  theirs = g_new (BpTensor *, MANY_SCALARS);
  for (guint i = 0; i < MANY_SCALARS; i++)
    theirs[i] = bp_tensor_new_scalar (i);
  assert_scalars_apart (theirs, MANY_SCALARS, 5e6);
  assert_scalars_apart (mine, MANY_SCALARS, 6e6);
  assert_scalars_apart (kept, MANY_SCALARS / 2, 7e6);

  for (guint i = 0; i < MANY_SCALARS; i++)
    {
      bp_tensor_unref (theirs[i]);
      bp_tensor_unref (mine[i]);
    }
  for (guint i = 0; i < MANY_SCALARS / 2; i++)
    bp_tensor_unref (kept[i]);
  g_free (theirs);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tensor/new", test_new);
  g_test_add_func ("/tensor/ref", test_ref);
  g_test_add_func ("/tensor/scalars-many", test_scalars_many);
  g_test_add_func ("/tensor/equal", test_equal);
  g_test_add_func ("/tensor/format", test_format);
  g_test_add_func ("/tensor/format-exact-same", test_format_exact_same);
  g_test_add_func ("/tensor/digits", test_digits);
  g_test_add_func ("/tensor/to-string", test_to_string);
  g_test_add_func ("/tensor/parse", test_parse);
  g_test_add_func ("/tensor/parse-too-large", test_parse_too_large);

  return g_test_run ();
}
