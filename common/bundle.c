/* The bundle format: writing files into one, unpacking one; see bundle.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bundle.h"

void bundle_digest(const uint8_t *data, size_t size, char out[BUNDLE_DIGEST_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t w = (size_t)snprintf(out, BUNDLE_DIGEST_LEN, "sha256:");

	if (!EVP_Digest(data, size, md, &n, EVP_sha256(), NULL))
		n = 0;
	for (unsigned i = 0; i < n && w + 3 <= BUNDLE_DIGEST_LEN; i++)
		w += (size_t)snprintf(out + w, BUNDLE_DIGEST_LEN - w, "%02x", md[i]);
}

/* A relative path with no empty, "." or ".." step and no control character. */
static bool path_ok(const char *p)
{
	size_t len = strlen(p);

	if (!len || len >= BUNDLE_PATH_MAX || p[0] == '/')
		return false;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");

		if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n + (s[n] == '/');
		if (s[-1] == '/' && !*s)
			return false;       /* a trailing slash */
	}
	return true;
}

int bundle_relative(const char *dir, const char *path, char *out, size_t len)
{
	size_t dir_len = strlen(dir), n = 0;
	const char *s = path;

	if (!strcmp(dir, "/")) {
		if (path[0] != '/')
			return -EXDEV;
		s = path + 1;
	} else if (dir_len) {
		if (strncmp(path, dir, dir_len) || path[dir_len] != '/')
			return -EXDEV;
		s = path + dir_len + 1;
	} else if (path[0] == '/') {
		return -EXDEV;
	}
	while (*s) {
		size_t step = strcspn(s, "/");

		if (step == 2 && s[0] == '.' && s[1] == '.') {
			if (!n)
				return -EXDEV;
			while (n && out[n - 1] != '/')
				n--;
			n -= n > 0;          /* the slash before the step removed */
		} else if (step && !(step == 1 && s[0] == '.')) {
			if (n + !!n + step + 1 > len)
				return -ENAMETOOLONG;
			if (n)
				out[n++] = '/';
			memcpy(out + n, s, step);
			n += step;
		}
		s += step + (s[step] == '/');
	}
	out[n] = 0;
	return n && path_ok(out) ? 0 : -EXDEV;
}

int bundle_append(FILE *out, const char *rel, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	fprintf(out, "file %lld %s\n", (long long)st.st_size, rel);
	for (off_t left = st.st_size; left > 0;) {
		char buf[65536];
		ssize_t r = read(fd, buf, (size_t)left < sizeof(buf) ? (size_t)left : sizeof(buf));

		if (r <= 0) {
			err = r < 0 ? -errno : -EIO;     /* EIO: it shrank while read */
			goto out;
		}
		if (fwrite(buf, 1, (size_t)r, out) != (size_t)r) {
			err = -ENOMEM;
			goto out;
		}
		left -= r;
	}
out:
	if (fd >= 0)
		close(fd);
	return err;
}

void bundle_release(struct bundle *b)
{
	free(b->data);
	b->data = NULL;
	b->size = 0;
}

/* DIR/REL with the folders on its way created. */
static int create_file(const char *dir, const char *rel)
{
	char full[2 * BUNDLE_PATH_MAX + 2];
	size_t base = (size_t)snprintf(full, sizeof(full), "%s/", dir);
	int fd;

	snprintf(full + base, sizeof(full) - base, "%s", rel);
	for (char *s = strchr(full + base, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(full, 0750) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	return fd < 0 ? -errno : fd;
}

#define WHY(...) (snprintf(why, why_len, __VA_ARGS__), -EINVAL)

int bundle_unpack(const uint8_t *data, size_t size, const char *dir, char **policy,
		  char *why, size_t why_len)
{
	size_t pos = strlen(BUNDLE_MAGIC);
	char first[BUNDLE_PATH_MAX] = "";
	unsigned n_files = 0;

	*policy = NULL;
	if (size < pos || memcmp(data, BUNDLE_MAGIC, pos))
		return WHY("not a url-enforcer bundle (format 1)");
	if (mkdir(dir, 0750)) {
		snprintf(why, why_len, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	while (pos < size) {
		char head[BUNDLE_PATH_MAX + 64], rel[BUNDLE_PATH_MAX];
		size_t max = size - pos < sizeof(head) ? size - pos : sizeof(head) - 1;
		const uint8_t *nl = memchr(data + pos, '\n', max);
		unsigned long long len;
		int used = 0, fd, err;
		bool written;
		FILE *f;

		if (!nl)
			return WHY("file %u: no header line", n_files + 1);
		memcpy(head, data + pos, (size_t)(nl - (data + pos)));
		head[nl - (data + pos)] = 0;
		/* "file ", digits only (no sign, no space), one space, the path */
		if (strncmp(head, "file ", 5) || !(used = (int)strspn(head + 5, "0123456789")) ||
		    used > 12 || head[5 + used] != ' ' || strlen(head + 6 + used) >= sizeof(rel))
			return WHY("file %u: bad header line", n_files + 1);
		len = strtoull(head + 5, NULL, 10);
		snprintf(rel, sizeof(rel), "%s", head + 6 + used);
		if (!path_ok(rel))
			return WHY("file %u: refused path \"%s\"", n_files + 1, rel);
		pos = (size_t)(nl - data) + 1;
		if (len > size - pos)
			return WHY("%s: %llu bytes announced, %zu left", rel, len, size - pos);
		fd = create_file(dir, rel);
		if (fd < 0)
			return WHY("%s: %s", rel, fd == -EEXIST ? "packed twice" : strerror(-fd));
		f = fdopen(fd, "w");
		if (!f) {
			err = errno;
			close(fd);
			return WHY("%s: %s", rel, strerror(err));
		}
		written = fwrite(data + pos, 1, (size_t)len, f) == len;
		if (fclose(f) | !written)
			return WHY("%s: %s", rel, strerror(errno ? errno : EIO));
		pos += (size_t)len;
		if (!n_files++)
			snprintf(first, sizeof(first), "%s", rel);
	}
	if (!n_files)
		return WHY("an empty bundle");
	if (asprintf(policy, "%s/%s", dir, first) < 0) {
		*policy = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) ? -errno : 0;
}

int bundle_remove_dir(const char *dir)
{
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
