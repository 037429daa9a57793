/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the language's words for operations, signals and actions; the
 * other direction (number to word) is public, in policy.h.
 */
#ifndef MEDGUARD_POLICY_WORDS_H
#define MEDGUARD_POLICY_WORDS_H

#include <stdbool.h>
#include <linux/types.h>

/* The operation bit WORD names, in *OP; false when WORD is not an operation. */
bool mg_op_by_name(const char *word, __u32 *op);
/* The signal or action WORD names, or -1. */
int mg_signal_by_name(const char *word);
int mg_action_by_name(const char *word);

#endif /* MEDGUARD_POLICY_WORDS_H */
