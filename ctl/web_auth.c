/* The dashboard's users and its CSRF token (web_auth.h). */
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ctl/web_auth.h"

#define AUTH_MAX_USERS 64
#define AUTH_LINE_MAX 512

struct web_user {
	char *name;
	char *hash;
};

struct web_auth {
	struct web_user users[AUTH_MAX_USERS];
	size_t n;
};

void web_auth_free(struct web_auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->users[i].name);
		free(a->users[i].hash);
	}
	free(a);
}

/* A hash crypt(3) can check starts with '$' (or is an old DES one): refuse
 * a plain password written where a hash belongs. */
static bool looks_hashed(const char *h)
{
	return h[0] == '$' || strlen(h) == 13;
}

static int add_line(struct web_auth *a, char *line, const char *path, unsigned lineno, FILE *err)
{
	char *colon = strchr(line, ':');

	if (!colon || colon == line || !colon[1]) {
		fprintf(err, "%s:%u: error: expected USER:HASH\n", path, lineno);
		return -1;
	}
	*colon = '\0';
	if (!looks_hashed(colon + 1)) {
		fprintf(err, "%s:%u: error: not a crypt(3) hash (make one with mkpasswd)\n",
			path, lineno);
		return -1;
	}
	if (a->n == AUTH_MAX_USERS) {
		fprintf(err, "%s:%u: error: more than %d users\n", path, lineno, AUTH_MAX_USERS);
		return -1;
	}
	a->users[a->n].name = strdup(line);
	a->users[a->n].hash = strdup(colon + 1);
	if (!a->users[a->n].name || !a->users[a->n].hash) {
		free(a->users[a->n].name);
		free(a->users[a->n].hash);
		fprintf(err, "%s:%u: error: out of memory\n", path, lineno);
		return -1;
	}
	a->n++;
	return 0;
}

struct web_auth *web_auth_load(const char *path, FILE *err)
{
	struct web_auth *a = calloc(1, sizeof(*a));
	char line[AUTH_LINE_MAX];
	unsigned lineno = 0;
	int errors = 0;
	FILE *f;

	if (!a)
		return NULL;
	f = fopen(path, "re");
	if (!f) {
		fprintf(err, "%s: %s\n", path, strerror(errno));
		free(a);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\r\n");

		lineno++;
		if (!line[n] && !feof(f)) {
			fprintf(err, "%s:%u: error: line too long\n", path, lineno);
			errors++;
			while (fgets(line, sizeof(line), f) && !strchr(line, '\n'))
				;
			continue;
		}
		line[n] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		errors += add_line(a, line, path, lineno, err) != 0;
	}
	fclose(f);
	if (!errors && !a->n) {
		fprintf(err, "%s: error: no users\n", path);
		errors++;
	}
	if (errors) {
		web_auth_free(a);
		return NULL;
	}
	return a;
}

bool web_auth_check(const struct web_auth *a, const char *user, const char *password)
{
	/* An unknown user costs a hash too, so timing does not tell names apart. */
	const char *hash = "$y$j9T$dashboard$kY8m5dQwWn0l8rUqWm8lQW0k3m5z2cVbY0yWm9sQ6p5";
	bool known = false;
	struct crypt_data *cd;
	const char *out;
	bool ok;

	for (size_t i = 0; i < a->n; i++) {
		if (!strcmp(a->users[i].name, user)) {
			hash = a->users[i].hash;
			known = true;
			break;
		}
	}
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	out = crypt_r(password, hash, cd);
	ok = known && out && out[0] != '*' && strlen(out) == strlen(hash) &&
	     web_token_equal(out, hash);
	free(cd);
	return ok;
}

int web_token_new(char token[WEB_TOKEN_LEN + 1])
{
	unsigned char raw[WEB_TOKEN_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

bool web_token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}
