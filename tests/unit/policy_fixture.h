/*
 * Helpers for the policy tests: rule files written into a fresh temporary
 * folder, loaded with their diagnostics captured (the folder's name taken
 * out, so expected messages read "t.rules:3:7: error: ..."), and requests
 * built the way the parsers build them.
 */
#ifndef UE_POLICY_FIXTURE_H
#define UE_POLICY_FIXTURE_H

#include <time.h>

#include "policies/policy.h"

/* A new empty folder for this test (the previous test's is removed). */
const char *fixture_dir(void);
/* Writes NAME (may contain '/') in the folder; returns its path (static buffer). */
const char *fixture_write(const char *name, const char *text);
const char *fixture_write_n(const char *name, const char *bytes, size_t len);
/* Writes TEXT as NAME and loads it; *DIAG (malloc'ed, may be NULL to drop)
 * gets the diagnostics with the folder prefix removed. */
struct policy *fixture_load(const char *name, const char *text, char **diag);

struct test_request {
	struct request r;
	char url[512];
	char path[400];
	char host[256];
};

/* An HTTP request for http://HOST[:PORT]PATH; CLIENT an IPv4/IPv6 literal or NULL. */
void req_http(struct test_request *t, const char *method, const char *host,
	      unsigned port, const char *path, const char *client);
/* A TLS ClientHello with SNI HOST (NULL: none, the host is the server's IP). */
void req_tls(struct test_request *t, const char *sni, const char *client, unsigned flags);

/* Local time (TZ as set) of a date and clock. */
time_t local_time(int year, int mon, int mday, int hour, int min);

#endif
