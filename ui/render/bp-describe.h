/* SPDX-License-Identifier: MIT */
#pragma once

#include "bp-diagram.h"

G_BEGIN_DECLS

/* The diagram in words, for those who cannot see it: what a screen
 * reader says of the canvas's focused node and of each player step, and
 * the text transcript export. A state of the diagram (its pass, step
 * and quiz blanks) says which numbers are known, by the same rule the
 * picture follows (bp_trace_is_revealed(), then the blanks): a number
 * the picture leaves out is left out in words too. No GTK; translated. */

/* "apple price, Multiply node: value 200, gradient 1.1; inputs apple,
 * apple count; output to price". `trace` may be NULL (no numbers). */
char    *bp_describe_node        (BpGraph              *graph,
                                  BpTrace              *trace,
                                  const BpDiagramState *state,
                                  BpNode               *node);

/* The step taken at `position` (1 … n_steps) of `trace`, told as the
 * book tells it: "Forward step 2 of 2: price, Multiply node, computes
 * 200 × 1.1 = 220" or "Backward step 2 of 5: price, Multiply node,
 * receives the gradient 1; sends 1 × 1.1 = 1.1 to apple price and
 * 1 × 200 = 200 to tax". The numbers `state` hides are blanks.
 * Past the trace, a training iteration's param update of `state`
 * ("Update step 1 of 2: W1, W ← W − η·∂L/∂W with η = 0.1: from 0.5
 * with the gradient 0.2 to 0.48"). Position 0: "Ready, nothing computed
 * yet". */
char    *bp_describe_step        (BpTrace              *trace,
                                  const BpDiagramState *state,
                                  guint                 position);

/* The whole graph and both passes as plain text: the title, every node
 * (in graph order, as at the end of the passes), every edge, and each
 * step of the forward and the backward pass in words. `state` gives the
 * quiz blanks (its pass and step are not used; may be NULL). */
char    *bp_describe_transcript  (BpGraph              *graph,
                                  BpTrace              *trace,
                                  const BpDiagramState *state,
                                  const char           *title);

G_END_DECLS
