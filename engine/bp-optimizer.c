/* SPDX-License-Identifier: MIT */
/* SGD, Momentum and Adam as the book writes them (its optimizer.py), and
 * the weight initialisations. */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "bp-optimizer.h"
#include "bp-tensor-private.h"

struct _BpOptimizer
{
  BpOptimizerKind kind;
  double          learning_rate;
  double          momentum;
  double          beta1;
  double          beta2;
  guint64         iteration;
  /* Per param node: its velocity (Momentum) or its m and v (Adam). */
  GHashTable     *state;   /* BpNode* → State* */
};

typedef struct
{
  BpTensor *m;   /* Momentum's v, Adam's m */
  BpTensor *v;   /* Adam's v */
} State;

static void
state_free (gpointer data)
{
  State *state = data;

  g_clear_pointer (&state->m, bp_tensor_unref);
  g_clear_pointer (&state->v, bp_tensor_unref);
  g_free (state);
}

static const char *const optimizer_names[] = { "sgd", "momentum", "adam" };
static const char *const init_names[] = { "gaussian", "he", "xavier" };

const char *
bp_optimizer_kind_to_string (BpOptimizerKind kind)
{
  g_return_val_if_fail (kind <= BP_OPTIMIZER_ADAM, NULL);
  return optimizer_names[kind];
}

gboolean
bp_optimizer_kind_from_string (const char      *name,
                               BpOptimizerKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (optimizer_names); i++)
    if (g_strcmp0 (name, optimizer_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

const char *
bp_init_kind_to_string (BpInitKind kind)
{
  g_return_val_if_fail (kind <= BP_INIT_XAVIER, NULL);
  return init_names[kind];
}

gboolean
bp_init_kind_from_string (const char *name,
                          BpInitKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (init_names); i++)
    if (g_strcmp0 (name, init_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

void
bp_update_step_clear (BpUpdateStep *step)
{
  g_clear_pointer (&step->before, bp_tensor_unref);
  g_clear_pointer (&step->grad, bp_tensor_unref);
  g_clear_pointer (&step->after, bp_tensor_unref);
}

void
bp_update_step_copy (const BpUpdateStep *step,
                     BpNode             *param,
                     BpUpdateStep       *copy)
{
  *copy = *step;
  copy->param = param;
  copy->before = step->before != NULL ? bp_tensor_ref (step->before) : NULL;
  copy->grad = step->grad != NULL ? bp_tensor_ref (step->grad) : NULL;
  copy->after = step->after != NULL ? bp_tensor_ref (step->after) : NULL;
}

gsize
bp_update_step_pick (const BpUpdateStep *step)
{
  gsize best = 0;
  gsize n;

  g_return_val_if_fail (step != NULL && step->grad != NULL, 0);

  n = bp_tensor_n_elements (step->grad);
  for (gsize k = 1; k < n; k++)
    if (fabs (step->grad->data[k]) > fabs (step->grad->data[best]))
      best = k;
  return best;
}

char *
bp_update_step_describe (const BpUpdateStep *step,
                         const char         *name)
{
  g_autofree char *where = NULL;
  g_autofree char *w = NULL;
  g_autofree char *g = NULL;
  g_autofree char *after = NULL;
  g_autofree char *eta = NULL;
  gsize k;

  g_return_val_if_fail (step != NULL && step->before != NULL && step->grad != NULL &&
                        step->after != NULL, NULL);

  k = bp_update_step_pick (step);
  if (bp_tensor_is_scalar (step->before))
    where = g_strdup (name);
  else
    where = g_strdup_printf ("%s[%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT "]", name,
                             k / step->before->cols, k % step->before->cols);
  w = bp_format_number (step->before->data[k], 4);
  g = bp_format_number (step->grad->data[k], 4);
  after = bp_format_number (step->after->data[k], 4);
  eta = bp_format_number (step->learning_rate, 4);
  if (step->kind == BP_OPTIMIZER_SGD)
    /* Translators: W ← W − η·∂L/∂W with one element's numbers:
     * "W1[2,0] = 0.5 − 0.1 × 0.2 = 0.48" */
    return g_strdup_printf (_("%s = %s − %s × %s = %s"), where, w, eta, g, after);
  /* Translators: an update by Momentum or Adam at one element: the
   * element, its old and new value, its gradient and the learning rate */
  return g_strdup_printf (_("%s: %s → %s (∂L/∂W = %s, η = %s)"), where, w, after, g, eta);
}

BpOptimizer *
bp_optimizer_new (BpOptimizerKind kind,
                  double          learning_rate)
{
  BpOptimizer *self;

  g_return_val_if_fail (kind <= BP_OPTIMIZER_ADAM, NULL);

  self = g_new0 (BpOptimizer, 1);
  self->kind = kind;
  self->learning_rate = learning_rate;
  self->momentum = BP_OPTIMIZER_MOMENTUM_DEFAULT;
  self->beta1 = BP_OPTIMIZER_BETA1_DEFAULT;
  self->beta2 = BP_OPTIMIZER_BETA2_DEFAULT;
  self->state = g_hash_table_new_full (NULL, NULL, NULL, state_free);
  return self;
}

void
bp_optimizer_free (BpOptimizer *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->state);
  g_free (self);
}

BpOptimizerKind
bp_optimizer_get_kind (const BpOptimizer *self)
{
  return self->kind;
}

double
bp_optimizer_get_learning_rate (const BpOptimizer *self)
{
  return self->learning_rate;
}

void
bp_optimizer_set_momentum (BpOptimizer *self,
                           double       momentum)
{
  self->momentum = momentum;
}

void
bp_optimizer_set_betas (BpOptimizer *self,
                        double       beta1,
                        double       beta2)
{
  self->beta1 = beta1;
  self->beta2 = beta2;
}

void
bp_optimizer_reset (BpOptimizer *self)
{
  self->iteration = 0;
  g_hash_table_remove_all (self->state);
}

static State *
get_state (BpOptimizer    *self,
           BpNode         *node,
           const BpTensor *like)
{
  State *state = g_hash_table_lookup (self->state, node);

  if (state == NULL || state->m->rows != like->rows || state->m->cols != like->cols)
    {
      state = g_new0 (State, 1);
      state->m = bp_tensor_new (like->rows, like->cols);
      if (self->kind == BP_OPTIMIZER_ADAM)
        state->v = bp_tensor_new (like->rows, like->cols);
      g_hash_table_replace (self->state, node, state);
    }
  return state;
}

typedef double Doubles4 __attribute__ ((vector_size (4 * sizeof (double))));

/* w −= lr · g, four at a time (the same operations: the compiler left
 * the plain loop one number at a time, 4 % of a training iteration). */
static void
sgd_update (double       *w,
            const double *g,
            gsize         n,
            double        lr)
{
  gsize k = 0;

  for (; k + 4 <= n; k += 4)
    {
      Doubles4 wv, gv;

      memcpy (&wv, w + k, sizeof wv);
      memcpy (&gv, g + k, sizeof gv);
      wv -= lr * gv;
      memcpy (w + k, &wv, sizeof wv);
    }
  for (; k < n; k++)
    w[k] -= lr * g[k];
}

void
bp_optimizer_update (BpOptimizer   *self,
                     BpNode *const *params,
                     guint          n_params,
                     GArray        *steps)
{
  double lr = self->learning_rate;
  double adam_lr = 0.0;

  g_return_if_fail (self != NULL);

  self->iteration++;
  if (self->kind == BP_OPTIMIZER_ADAM)
    adam_lr = lr * sqrt (1.0 - pow (self->beta2, (double) self->iteration))
                 / (1.0 - pow (self->beta1, (double) self->iteration));

  for (guint i = 0; i < n_params; i++)
    {
      BpNode *node = params[i];
      BpTensor *grad = bp_node_get_grad (node);
      BpTensor *w = bp_node_get_value (node);
      BpUpdateStep step = { 0, };
      gsize n;
      double *wd;
      const double *gd;

      if (grad == NULL || !bp_tensor_same_shape (grad, w))
        continue;

      if (steps != NULL)
        {
          step.param = node;
          step.before = bp_tensor_copy (w);
          step.grad = bp_tensor_copy (grad);
          step.learning_rate = lr;
          step.kind = self->kind;
        }

      /* In place when the node is the only holder (the trace is off while
       * training); a copy otherwise, so that nobody's snapshot changes. */
      if (bp_tensor_get_ref_count (w) != 1)
        {
          g_autoptr(BpTensor) copy = bp_tensor_copy (w);

          bp_node_set_value (node, copy);
          w = bp_node_get_value (node);
        }

      n = bp_tensor_n_elements (w);
      wd = w->data;
      gd = grad->data;
      switch (self->kind)
        {
        case BP_OPTIMIZER_SGD:
          sgd_update (wd, gd, n, lr);
          step.formula = "W ← W − η·∂L/∂W";
          break;

        case BP_OPTIMIZER_MOMENTUM:
          {
            double *v = get_state (self, node, w)->m->data;
            double a = self->momentum;

            for (gsize k = 0; k < n; k++)
              {
                v[k] = a * v[k] - lr * gd[k];
                wd[k] += v[k];
              }
            step.formula = "v ← α·v − η·∂L/∂W;  W ← W + v";
          }
          break;

        case BP_OPTIMIZER_ADAM:
          {
            State *state = get_state (self, node, w);
            double *m = state->m->data, *v = state->v->data;
            double b1 = self->beta1, b2 = self->beta2;

            for (gsize k = 0; k < n; k++)
              {
                m[k] += (1.0 - b1) * (gd[k] - m[k]);
                v[k] += (1.0 - b2) * (gd[k] * gd[k] - v[k]);
                wd[k] -= adam_lr * m[k] / (sqrt (v[k]) + 1e-7);
              }
            step.formula = "m ← m + (1 − β₁)(∂L/∂W − m);  v ← v + (1 − β₂)((∂L/∂W)² − v);  "
                           "W ← W − η·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m/(√v + 1e-7)";
          }
          break;

        default:
          g_assert_not_reached ();
        }

      /* The values changed: the next pass must recompute. */
      bp_node_set_value (node, w);

      if (steps != NULL)
        {
          step.after = bp_tensor_copy (w);
          g_array_append_val (steps, step);
        }
    }
}

static double
rand_normal (GRand *rand)
{
  double u = g_rand_double (rand), v = g_rand_double (rand);

  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

void
bp_optimizer_init_params (BpNode *const *params,
                          guint          n_params,
                          BpInitKind     init,
                          double         scale,
                          guint64        seed)
{
  guint32 seeds[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seeds, 2);

  for (guint i = 0; i < n_params; i++)
    {
      BpTensor *old = bp_node_get_value (params[i]);
      g_autoptr(BpTensor) value = bp_tensor_new (old->rows, old->cols);
      double std;

      /* A bias (one row) starts at zero, as the book's TwoLayerNet. */
      if (old->rows > 1)
        {
          switch (init)
            {
            case BP_INIT_HE:     std = sqrt (2.0 / old->rows); break;
            case BP_INIT_XAVIER: std = sqrt (1.0 / old->rows); break;
            case BP_INIT_GAUSSIAN:
            default:             std = scale; break;
            }
          for (gsize k = 0; k < bp_tensor_n_elements (value); k++)
            value->data[k] = std * rand_normal (rand);
        }
      bp_node_set_value (params[i], value);
    }
}
