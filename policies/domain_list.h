/*
 * Domain names: the check every `domain` rule and list entry goes through,
 * and the reader of `domain-list` files: one name a line, '#' and '!'
 * comments, hosts-file lines ("0.0.0.0 name ...", also 127.0.0.1, ::, ::1)
 * and adblock domain lines ("||name^"). Anything else (other adblock syntax,
 * wildcards, hosts lines mapping to real addresses) is skipped and counted.
 */
#ifndef UE_DOMAIN_LIST_H
#define UE_DOMAIN_LIST_H

#include <stddef.h>

#define DOMAIN_NAME_MAX 253

/*
 * Writes NAME lower-cased, without a trailing dot, to OUT (DOMAIN_NAME_MAX + 1
 * bytes) and returns its length; or returns -EINVAL with *BAD the offset of
 * the offending byte and *WHY the reason. Labels: letters, digits, '-', '_'.
 */
int domain_name_normalize(const char *name, size_t len, char *out, size_t *bad,
			  const char **why);

struct domain_list_report {
	unsigned long names;          /* handed to the callback */
	unsigned long skipped;        /* lines with something else */
	unsigned first_skipped;       /* line number of the first of those */
};

typedef int (*domain_list_fn)(const char *name, size_t len, void *arg);

/*
 * Reads the list at PATH and calls FN with each normalized name. Returns 0,
 * -errno if the file cannot be read, or FN's first non-zero return.
 */
int domain_list_read(const char *path, domain_list_fn fn, void *arg,
		     struct domain_list_report *rep);

#endif
