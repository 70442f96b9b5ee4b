/*
 * The policy library: rule files (url-enforcer.rules(5)) compiled to an immutable
 * object that any number of threads may match against at once. Linked by the
 * daemon, by urlctl (check, test -p) and by the tests.
 */
#ifndef UE_POLICY_H
#define UE_POLICY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "common/request.h"
#include "common/cidr.h"

enum policy_action { ACTION_ALLOW, ACTION_BLOCK, ACTION_LOG };
enum policy_response { RESPONSE_DROP, RESPONSE_RESET, RESPONSE_PAGE };

/* What a log line says about the rule that decided (or logged). */
struct rule_info {
	const char *file;           /* as named in the include chain, e.g. "parental.rules" */
	unsigned line;
	const char *id;             /* id= option, or NULL */
	enum policy_action action;
	enum policy_response response;
	/*
	 * Free for the program that loaded the policy (0 after policy_load),
	 * set through policy_label_rules() before the policy is shared: the
	 * daemon keeps the index of the rule's block label here.
	 */
	uint32_t label;
};

#define POLICY_MAX_LOGGED 8

struct decision {
	enum policy_action action;       /* ACTION_ALLOW or ACTION_BLOCK */
	enum policy_response response;   /* meaningful for ACTION_BLOCK */
	const struct rule_info *rule;    /* NULL: the default decided */
	unsigned n_logged;               /* non-terminal `log` rules that matched */
	const struct rule_info *logged[POLICY_MAX_LOGGED];
	unsigned match_errors;           /* regex runs that hit a match limit */
	bool paused;                     /* the client is cut off (a `block all` rule or a pause) */
	time_t paused_until;             /* when that ends; 0: not known (no end) */
};

struct policy;
struct match_scratch;         /* per thread: PCRE2 match data, prefilter state */

/*
 * Parse and compile PATH. On any error returns NULL (errno EINVAL, or the
 * system's error) and has written every diagnostic, one a line, as
 * "FILE:LINE:COL: error: MESSAGE" to DIAG; warnings go to DIAG too (as
 * "warning:") and do not fail the load. DIAG may be NULL.
 */
struct policy *policy_load(const char *path, FILE *diag);
void policy_free(struct policy *p);

struct match_scratch *match_scratch_new(void);
void match_scratch_free(struct match_scratch *s);

/*
 * NOW is the wall clock for time= windows (local time). First match: rules
 * in file order, the first allow or block that matches decides; log rules
 * that match before it are listed in D->logged. A regex run that hits its
 * match limit (URLs are attacker-controlled) counts in D->match_errors and is
 * taken as a match for block and log rules, as no match for allow rules: a
 * crafted URL can never turn a block into an allow.
 */
void policy_match(const struct policy *p, const struct request *r, time_t now,
		  struct match_scratch *s, struct decision *d);

/*
 * The same decision as policy_match, reached the slow way: every rule in
 * order, every regex run, no prefilter, no domain index. The reference the
 * tests and the benchmark compare policy_match with.
 */
void policy_match_naive(const struct policy *p, const struct request *r, time_t now,
			struct match_scratch *s, struct decision *d);

/*
 * Whether the ClientHello R really hides its server name with Encrypted
 * Client Hello: it carries the extension (REQUEST_TLS_ECH_EXT) and its SNI
 * is an ECH public name (built in: cloudflare-ech.com; more with
 * ech-public-name). Browsers send the extension alone as GREASE on nearly
 * every handshake: such a hello is judged by its SNI. What `tls ech` rules
 * match and what the log calls "ech".
 */
bool policy_ech(const struct policy *p, const struct request *r);

/*
 * From now on, matching with S calls FN with each rule whose regex it runs,
 * in the order it runs them (urlctl test -v; the benchmark's counts). FN
 * NULL: no more calls.
 */
typedef void (*policy_rule_fn)(const struct rule_info *rule, void *arg);
void match_scratch_trace(struct match_scratch *s, policy_rule_fn fn, void *arg);

const char *policy_action_name(enum policy_action a);       /* "allow", "block", "log" */
const char *policy_response_name(enum policy_response r);   /* "drop", "reset", "page" */

/* The file policy_load() read. */
const char *policy_path(const struct policy *p);

/*
 * Calls FN with the path of every file the policy was compiled from: the
 * rule files (PATH first, then its includes in the order read), the domain
 * lists and the services' lists, named as the rule files name them
 * (relative to the working folder unless absolute). BESIDE is where the
 * rule file looks first: PATH itself, except for an installed service
 * list, which a copy at BESIDE (services/NAME.list beside the rule file)
 * would stand in for. A file may come more than once. Stops at FN's first
 * non-zero return and returns it. What `urlctl publish` packs into a bundle.
 */
typedef int (*policy_file_fn)(const char *path, const char *beside, void *arg);
int policy_files(const struct policy *p, policy_file_fn fn, void *arg);

struct policy_summary {
	unsigned rules;
	unsigned regexes;              /* url, host and path rules */
	unsigned regexes_jit;          /* of which JIT-compiled */
	unsigned regexes_prefiltered;  /* of which run only when a required literal occurs */
	unsigned regexes_every_url;    /* of which have no selective literal: run on every URL */
	size_t domain_names;           /* distinct names of domain and domain-list rules */
	size_t index_bytes;            /* domain index and prefilter tables */
	enum policy_action default_action;
};

void policy_summarize(const struct policy *p, struct policy_summary *s);

/* Calls FN, in file order, with each regex rule that runs on every URL. */
void policy_each_every_url(const struct policy *p, policy_rule_fn fn, void *arg);

/*
 * Calls FN with the client prefixes of every `block quic` rule whose time=
 * window is open at NOW (::/0 for a rule without client=; IPv4 as
 * v4-mapped, LEN 96 + N). Stops at FN's first non-zero return and returns it.
 */
typedef int (*policy_prefix_fn)(const struct in6_addr *prefix, unsigned len, void *arg);
int policy_quic_clients(const struct policy *p, time_t now, policy_prefix_fn fn, void *arg);
/* The same for `block all` rules: the clients cut off at NOW. */
int policy_cutoff_clients(const struct policy *p, time_t now, policy_prefix_fn fn, void *arg);
/* The same for the prefixes of group NAME; -ENOENT if the policy has none of that name. */
int policy_group(const struct policy *p, const char *name, policy_prefix_fn fn, void *arg);
/* Calls FN for each `block all` rule open at NOW: the rule, its clients and
 * when its window closes (0: never). Stops at FN's first non-zero return. */
typedef int (*policy_cutoff_fn)(const struct rule_info *rule, const struct prefix *clients,
				unsigned n, time_t until, void *arg);
int policy_cutoff_rules(const struct policy *p, time_t now, policy_cutoff_fn fn, void *arg);

/*
 * The first moment after NOW at which a time= window of any rule opens or
 * closes: the daemon re-judges open sessions and QUIC blocks then. 0 if no
 * rule has a time= option.
 */
time_t policy_next_change(const struct policy *p, time_t now);

/*
 * Calls FN, in name order, with every service a `service` rule in a policy
 * at POLICY_FILE can name (services/ beside it first, then the installed
 * ones; POLICY_FILE NULL: the installed ones only), its list's path and
 * domain count. Stops at FN's first non-zero return and returns it.
 */
typedef int (*policy_service_fn)(const char *name, const char *path, unsigned long domains,
				 void *arg);
int policy_services(const char *policy_file, policy_service_fn fn, void *arg);

/* Sets every rule's rule_info.label to FN's answer for it. */
typedef uint32_t (*policy_label_fn)(const struct rule_info *r, void *arg);
void policy_label_rules(struct policy *p, policy_label_fn fn, void *arg);

#endif
