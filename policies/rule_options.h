/*
 * The NAME=VALUE options of a rule (client=, method=, port=, time=,
 * response=, id=, case=) and the client groups they refer to.
 */
#ifndef UE_RULE_OPTIONS_H
#define UE_RULE_OPTIONS_H

#include "policies/diag.h"
#include "policies/policy_internal.h"
#include "policies/rules_lex.h"

/* Where a diagnostic about the line being parsed goes. */
struct site {
	struct diag *diag;
	const char *file;
	unsigned line;
};

enum option_kind {
	OPT_CLIENT, OPT_METHOD, OPT_PORT, OPT_TIME, OPT_RESPONSE, OPT_ID, OPT_CASE,
	OPT_COUNT
};

/* Columns of the options given (0: absent), so later checks can point at them. */
struct option_cols {
	unsigned col[OPT_COUNT];
};

const char *option_name(enum option_kind k);

/*
 * "CIDR|@GROUP[,...]" (TOK's value starts at VALUE) into a new array *OUT.
 * Reports the first error at its column and returns -EINVAL.
 */
int prefix_list_parse(const struct site *at, const struct token *tok, const char *value,
		      const struct groups *groups, struct prefix **out, unsigned *n);

/* The options TOK[0..N) into R. Reports the first error and returns -EINVAL. */
int rule_options_parse(const struct site *at, struct rule *r, const struct token *tok,
		       unsigned n, const struct groups *groups, struct option_cols *cols);

const struct group *groups_find(const struct groups *g, const char *name, size_t len);
void groups_release(struct groups *g);

#endif
