/* Temporary rule files and requests for the policy tests. */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ip_text.h"
#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

static char dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void dir_remove(void)
{
	if (dir[0])
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = 0;
}

const char *fixture_dir(void)
{
	static bool registered;

	dir_remove();
	if (!registered) {
		atexit(dir_remove);
		registered = true;
	}
	strcpy(dir, "/tmp/ue-policy-XXXXXX");
	if (!mkdtemp(dir))
		harness_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
	return dir;
}

const char *fixture_write(const char *name, const char *text)
{
	return fixture_write_n(name, text, strlen(text));
}

const char *fixture_write_n(const char *name, const char *bytes, size_t len)
{
	static char path[4096];
	char *slash;

	if (!dir[0])
		fixture_dir();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(path, 0755);
		*slash = '/';
	}
	FILE *f = fopen(path, "w");

	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f))
		harness_fail(__FILE__, __LINE__, "writing %s: %s", path, strerror(errno));
	return path;
}

/* Removes every "DIR/" from S in place. */
static void strip_dir(char *s)
{
	char prefix[80];
	size_t n = snprintf(prefix, sizeof(prefix), "%s/", dir);
	char *p;

	while ((p = strstr(s, prefix)))
		memmove(p, p + n, strlen(p + n) + 1);
}

struct policy *fixture_load(const char *name, const char *text, char **diag)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char path[4096];

	snprintf(path, sizeof(path), "%s", fixture_write(name, text));
	struct policy *p = policy_load(path, mem);

	fclose(mem);
	strip_dir(buf);
	if (diag)
		*diag = buf;
	else
		free(buf);
	return p;
}

static void client_set(struct request *r, const char *client)
{
	struct in6_addr *a = &r->tuple.client;

	memset(a, 0, sizeof(*a));
	if (client && ip_parse_mapped(client, a))
		harness_fail(__FILE__, __LINE__, "bad client %s", client);
}

void req_http(struct test_request *t, const char *method, const char *host,
	      unsigned port, const char *path, const char *client)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->path, sizeof(t->path), "%s", path);
	if (port && port != 80)
		snprintf(t->url, sizeof(t->url), "http://%s:%u%s", host, port, path);
	else
		snprintf(t->url, sizeof(t->url), "http://%s%s", host, path);
	t->r.proto = REQUEST_HTTP;
	t->r.method = method;
	t->r.host = t->host;
	t->r.path = t->path;
	t->r.url = t->url;
	t->r.target = t->path;
	t->r.tuple.server_port = port ? port : 80;
	client_set(&t->r, client);
}

void req_tls(struct test_request *t, const char *sni, const char *client, unsigned flags)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->host, sizeof(t->host), "%s", sni ? sni : "192.0.2.1");
	snprintf(t->path, sizeof(t->path), "/");
	snprintf(t->url, sizeof(t->url), "https://%s/", t->host);
	t->r.proto = REQUEST_TLS;
	t->r.flags = flags | (sni ? 0 : REQUEST_TLS_NO_SNI);
	t->r.host = t->host;
	t->r.path = t->path;
	t->r.url = t->url;
	t->r.tuple.server_port = 443;
	client_set(&t->r, client);
}

time_t local_time(int year, int mon, int mday, int hour, int min)
{
	struct tm tm = {
		.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = mday,
		.tm_hour = hour, .tm_min = min, .tm_isdst = -1,
	};

	return mktime(&tm);
}
