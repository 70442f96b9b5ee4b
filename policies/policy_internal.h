/*
 * What a compiled policy holds, shared by the parser, the compiler and the
 * matcher. Nothing here changes after policy_load() returns.
 */
#ifndef UE_POLICY_INTERNAL_H
#define UE_POLICY_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include "common/cidr.h"
#include "policies/literal_index.h"
#include "common/name_map.h"
#include "policies/policy.h"
#include "policies/time_window.h"

enum rule_field {
	FIELD_URL,
	FIELD_HOST,
	FIELD_PATH,
	FIELD_DOMAIN,
	FIELD_DOMAIN_LIST,
	FIELD_TLS_NO_SNI,
	FIELD_TLS_ECH,
	FIELD_QUIC,
	FIELD_SERVICE,              /* the domain lists of named services, one source */
	FIELD_ALL,                  /* every packet of the clients: `block all` */
};
#define REGEX_FIELDS 3          /* FIELD_URL, FIELD_HOST, FIELD_PATH */

struct rule {
	struct rule_info info;
	enum rule_field field;
	char *pattern;              /* as written; NULL for quic */
	pcre2_code *re;             /* url, host, path */
	bool jit;
	bool case_sensitive;
	bool prefiltered;           /* has required literals in the prefilter */
	char *also;                 /* a second literal every match holds, lower case, or NULL */
	unsigned also_len;
	uint32_t source;            /* domain, domain-list, service: its domain_source */
	struct prefix *clients;     /* client=: any of them; none: every client */
	unsigned n_clients;
	char **methods;             /* method= */
	unsigned n_methods;
	uint16_t *ports;            /* port= */
	unsigned n_ports;
	struct time_window *windows; /* time= */
	unsigned n_windows;
};

struct group {
	char *name;
	struct prefix *prefixes;
	unsigned n;
	const char *file;           /* where it was defined */
	unsigned line;
};

struct groups {
	struct group *g;
	unsigned n;
};

/* The names of one `domain` rule or one domain-list file, and the rules
 * (ascending) that use them. */
struct domain_source {
	char *list_path;            /* a domain-list file or the service rule's lists
				     * ("service youtube,tiktok"), NULL for `domain NAME` */
	uint32_t *rules;
	unsigned n_rules;
};

struct policy {
	char *path;
	char **files;               /* every file read, for rule_info.file */
	unsigned n_files;
	struct rule *rules;
	unsigned n_rules;
	enum policy_action default_action;
	struct domain_source *sources;
	unsigned n_sources;
	struct name_map *domains;   /* name -> domain_source indexes */
	struct literal_index *prefilter[REGEX_FIELDS];  /* literal -> rule index */
	uint32_t *always;           /* rules the indexes cannot rule out, ascending */
	unsigned n_always;
	uint32_t *cutoffs;          /* `block all` rules: judged before all others */
	unsigned n_cutoffs;
	struct groups groups;       /* for urlctl pause @GROUP */
	bool has_time;
	char **ech_public_names;    /* ech-public-name, lower case, beyond the built-in */
	unsigned n_ech_public_names;
};

/* Parses PATH into P (rules, files, sources, domains, default); diagnostics
 * to DIAG. Returns the number of errors, or -errno if nothing could be read. */
struct diag;
int rules_parse(struct policy *p, const char *path, struct diag *diag);

/* NAME relative to the folder of FILE (NAME itself if absolute): a new string. */
char *path_beside(const char *file, const char *name);

/* Frees what a rule owns. */
void rule_release(struct rule *r);

/* The indexes the matcher uses beyond the rules: 0 or -errno. */
int policy_index(struct policy *p);

#endif
