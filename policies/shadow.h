/*
 * Warnings for rules that can never decide anything: an exact duplicate of an
 * earlier rule, or a rule an earlier allow/block rule with the same field and
 * pattern (caseless where the later one is case-sensitive; for `domain`, a
 * parent domain or a domain list holding the name or a parent) and no
 * narrower options always matches first.
 */
#ifndef UE_SHADOW_H
#define UE_SHADOW_H

#include <stdint.h>

#include "policies/diag.h"
#include "policies/policy_internal.h"

struct shadow_index;

struct shadow_index *shadow_new(void);
void shadow_free(struct shadow_index *s);
/* Warns (at column COL of its line) if rule IDX of P is a duplicate or is
 * shadowed, then remembers it. 0 or -ENOMEM. */
int shadow_check(struct shadow_index *s, const struct policy *p, uint32_t idx,
		 unsigned col, struct diag *d);

#endif
