/*
 * The policy library: rule files (SPEC section 4) compiled to an immutable
 * object that any number of threads may match against at once. Linked by the
 * daemon, by urlctl (check, test -p) and by the tests.
 */
#ifndef UE_POLICY_H
#define UE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "../enforcer/request.h"

enum policy_action { ACTION_ALLOW, ACTION_BLOCK, ACTION_LOG };
enum policy_response { RESPONSE_DROP, RESPONSE_RESET, RESPONSE_PAGE };

/* What a log line says about the rule that decided (or logged). */
struct rule_info {
	const char *file;           /* as named in the include chain, e.g. "parental.rules" */
	unsigned line;
	const char *id;             /* id= option, or NULL */
	enum policy_action action;
	enum policy_response response;
};

#define POLICY_MAX_LOGGED 8

struct decision {
	enum policy_action action;       /* ACTION_ALLOW or ACTION_BLOCK */
	enum policy_response response;   /* meaningful for ACTION_BLOCK */
	const struct rule_info *rule;    /* NULL: the default decided */
	unsigned n_logged;               /* non-terminal `log` rules that matched */
	const struct rule_info *logged[POLICY_MAX_LOGGED];
};

struct policy;
struct match_scratch;         /* per thread: PCRE2 match data, prefilter state */

/*
 * Parse and compile PATH. On any error returns NULL and has written every
 * diagnostic, one a line, as "FILE:LINE:COL: error: MESSAGE" to DIAG;
 * warnings go to DIAG too (as "warning:") and do not fail the load.
 */
struct policy *policy_load(const char *path, FILE *diag);
void policy_free(struct policy *p);

struct match_scratch *match_scratch_new(void);
void match_scratch_free(struct match_scratch *s);

/* NOW is the wall clock for time= windows (local time). */
void policy_match(const struct policy *p, const struct request *r, time_t now,
		  struct match_scratch *s, struct decision *d);

#endif
