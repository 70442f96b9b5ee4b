/*
 * Rule labels (FILE:LINE ID) by number, as blocklist entries carry them
 * (ue_block_value.rule_hash) for `urlctl blocks`. Interned once per rule at
 * policy load, so a block costs the worker no look-up (rule_info.label).
 * Labels are only appended: the kernel's entries keep their number across
 * reloads. Used by one thread (the daemon's main thread).
 */
#ifndef UE_RULE_LABELS_H
#define UE_RULE_LABELS_H

#include <stdint.h>

#include "policies/policy.h"

#define RULE_LABELS_MAX (1u << 20)   /* distinct rule labels over all reloads */

struct rule_labels;

/* NULL with errno set. */
struct rule_labels *rule_labels_new(void);
void rule_labels_free(struct rule_labels *l);
/*
 * RULE's label number (1 and up), added if new; 0 when it cannot be kept.
 * The signature of policy_label_rules' callback, LABELS its argument.
 */
uint32_t rule_labels_intern(const struct rule_info *rule, void *labels);
/* The label numbered N, or NULL (0, unknown). */
const char *rule_labels_get(const struct rule_labels *l, uint32_t n);

#endif
