/* Where named services' lists are found, and the listing `urlctl services` shows. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/array.h"
#include "policies/domain_list.h"
#include "policies/policy_internal.h"
#include "policies/services.h"

#ifndef SERVICES_DIR
#define SERVICES_DIR "/usr/local/share/url-enforcer/services"
#endif

#define LIST_SUFFIX ".list"

const char *services_dir(void)
{
	const char *env = getenv("URL_ENFORCER_SERVICES");

	return env && *env ? env : SERVICES_DIR;
}

bool service_name_valid(const char *name, size_t len)
{
	if (!len || len > SERVICE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

char *service_list_path(const char *rule_file, const char *name)
{
	char rel[SERVICE_NAME_MAX + 32], *path;

	snprintf(rel, sizeof(rel), "services/%s" LIST_SUFFIX, name);
	path = rule_file ? path_beside(rule_file, rel) : NULL;
	if (rule_file && !path)
		return NULL;
	if (path && is_file(path))
		return path;
	free(path);
	if (asprintf(&path, "%s/%s" LIST_SUFFIX, services_dir(), name) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	if (is_file(path))
		return path;
	free(path);
	errno = ENOENT;
	return NULL;
}

struct service_entry {
	char *name;
	char *path;
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct service_entry *)a)->name,
		      ((const struct service_entry *)b)->name);
}

static bool entry_find(const struct service_entry *e, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return true;
	return false;
}

/* Adds the services in DIR that *E does not hold yet (the first folder wins). */
static int collect(const char *dir, struct service_entry **e, unsigned *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		size_t len = strlen(de->d_name), sl = strlen(LIST_SUFFIX);
		struct service_entry add = { 0 };

		if (len <= sl || strcmp(de->d_name + len - sl, LIST_SUFFIX) ||
		    !service_name_valid(de->d_name, len - sl))
			continue;
		add.name = strndup(de->d_name, len - sl);
		if (!add.name || asprintf(&add.path, "%s/%s", dir, de->d_name) < 0) {
			free(add.name);
			err = -ENOMEM;
			break;
		}
		if (!is_file(add.path) || entry_find(*e, *n, add.name)) {
			free(add.name);
			free(add.path);
		} else if (array_append(e, n, &add, sizeof(add))) {
			free(add.name);
			free(add.path);
			err = -ENOMEM;
		}
	}
	closedir(d);
	return err;
}

static int count_name(const char *name, size_t len, void *arg)
{
	(void)name, (void)len;
	++*(unsigned long *)arg;
	return 0;
}

int policy_services(const char *policy_file, policy_service_fn fn, void *arg)
{
	struct service_entry *e = NULL;
	unsigned n = 0;
	char *local = policy_file ? path_beside(policy_file, "services") : NULL;
	int err = policy_file && !local ? -ENOMEM : 0;

	if (!err && local)
		err = collect(local, &e, &n);
	if (!err)
		err = collect(services_dir(), &e, &n);
	qsort(e, n, sizeof(*e), entry_cmp);
	for (unsigned i = 0; i < n && !err; i++) {
		struct domain_list_report rep;
		unsigned long names = 0;

		if (domain_list_read(e[i].path, count_name, &names, &rep) == 0)
			err = fn(e[i].name, e[i].path, names, arg);
	}
	for (unsigned i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].path);
	}
	free(e);
	free(local);
	return err;
}
