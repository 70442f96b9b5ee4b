/* Checks domain names and reads domain-list files. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ascii.h"
#include "policies/domain_list.h"

int domain_name_normalize(const char *name, size_t len, char *out, size_t *bad,
			  const char **why)
{
	if (len && name[len - 1] == '.')
		len--;
	if (!len) {
		*bad = 0;
		*why = "empty name";
		return -EINVAL;
	}
	if (len > DOMAIN_NAME_MAX) {
		*bad = DOMAIN_NAME_MAX;
		*why = "longer than 253 bytes";
		return -EINVAL;
	}
	size_t label = 0;

	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (!label) {
				*bad = i;
				*why = "empty label";
				return -EINVAL;
			}
			label = 0;
			out[i] = c;
			continue;
		}
		c = ascii_fold(c);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			*bad = i;
			*why = "only letters, digits, '-', '_' and dots between labels";
			return -EINVAL;
		}
		if (++label > 63) {
			*bad = i;
			*why = "label longer than 63 bytes";
			return -EINVAL;
		}
		out[i] = c;
	}
	out[len] = 0;
	return len;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Addresses that hosts-file block lists point names at. */
static bool is_sink_address(const char *s, size_t len)
{
	static const char *const sinks[] = { "0.0.0.0", "127.0.0.1", "::", "::1" };

	for (size_t i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++)
		if (strlen(sinks[i]) == len && !memcmp(s, sinks[i], len))
			return true;
	return false;
}

static bool is_address(const char *s, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char addr[16];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

/* Names a hosts file carries for the machine itself, not to block. */
static bool is_local_name(const char *s, size_t len)
{
	static const char *const local[] = {
		"localhost", "localhost.localdomain", "local", "broadcasthost",
		"ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
		"ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0",
	};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strlen(local[i]) == len && !memcmp(s, local[i], len))
			return true;
	return false;
}

/* The next blank-separated word of [*P, END) not in a '#' comment, or NULL. */
static const char *next_word(const char **p, const char *end, size_t *len)
{
	const char *s = *p;

	while (s < end && is_blank(*s))
		s++;
	if (s == end || *s == '#')
		return NULL;
	const char *w = s;

	while (s < end && !is_blank(*s))
		s++;
	*len = s - w;
	*p = s;
	return w;
}

struct list_reader {
	domain_list_fn fn;
	void *arg;
	struct domain_list_report *rep;
	int err;              /* the callback's first failure */
};

enum line_kind { LINE_IGNORED, LINE_NAME, LINE_SKIPPED };

/* Hands one word to the callback if it is a domain name. */
static enum line_kind emit_name(struct list_reader *lr, const char *s, size_t len)
{
	char name[DOMAIN_NAME_MAX + 1];
	size_t bad;
	const char *why;
	int n = domain_name_normalize(s, len, name, &bad, &why);

	if (n < 0)
		return LINE_SKIPPED;
	if (!lr->err)
		lr->err = lr->fn(name, n, lr->arg);
	lr->rep->names++;
	return LINE_NAME;
}

static enum line_kind read_line(struct list_reader *lr, const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	if (s == end || *s == '#' || *s == '!' || *s == '[')
		return LINE_IGNORED;  /* blank, comment, adblock header "[Adblock Plus 2.0]" */
	if (end - s > 3 && s[0] == '|' && s[1] == '|') {
		if (end[-1] != '^')
			return LINE_SKIPPED;
		return emit_name(lr, s + 2, end - s - 3);
	}
	size_t len, len2;
	const char *w = next_word(&s, end, &len);

	if (is_address(w, len)) {
		enum line_kind kind = LINE_IGNORED;

		if (!is_sink_address(w, len))
			return LINE_SKIPPED;
		/* the line counts as a name line if any of its words was a name */
		while ((w = next_word(&s, end, &len))) {
			if (is_local_name(w, len))
				continue;
			if (emit_name(lr, w, len) == LINE_NAME)
				kind = LINE_NAME;
			else if (kind == LINE_IGNORED)
				kind = LINE_SKIPPED;
		}
		return kind;
	}
	if (next_word(&s, end, &len2))
		return LINE_SKIPPED;
	return emit_name(lr, w, len);
}

static int slurp(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	*buf = malloc(st.st_size + 1);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	*len = 0;
	while (*len < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + *len, st.st_size - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			free(*buf);
			goto out;
		}
		*len += n;
	}
out:
	close(fd);
	return err;
}

int domain_list_read(const char *path, domain_list_fn fn, void *arg,
		     struct domain_list_report *rep)
{
	struct list_reader lr = { .fn = fn, .arg = arg, .rep = rep };
	char *buf = NULL;
	size_t len = 0;
	int err = slurp(path, &buf, &len);
	unsigned line = 0;

	memset(rep, 0, sizeof(*rep));
	if (err)
		return err;
	for (const char *s = buf, *end = buf + len; s < end && !lr.err;) {
		const char *nl = memchr(s, '\n', end - s);
		const char *eol = nl ? nl : end;

		line++;
		if (read_line(&lr, s, eol) == LINE_SKIPPED && !rep->skipped++)
			rep->first_skipped = line;
		s = eol + 1;
	}
	free(buf);
	return lr.err;
}
