/* The decision spool; see spool.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "enforcer/fleet/spool.h"

#define PEEK_BYTES (1u << 20)

static void pos_save(struct spool *s)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%lld\n", (long long)s->head);

	if (pwrite(s->pos_fd, text, (size_t)n, 0) == n)
		(void)!ftruncate(s->pos_fd, n);
}

int spool_open(struct spool *s, const char *dir, size_t max)
{
	char path[4096], text[32] = "";
	struct stat st;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	s->max = max;
	s->pos_fd = -1;
	snprintf(path, sizeof(path), "%s/spool", dir);
	s->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	snprintf(path, sizeof(path), "%s/spool.pos", dir);
	if (s->fd >= 0)
		s->pos_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	s->buf = malloc(PEEK_BYTES + 1);
	if (s->fd < 0 || s->pos_fd < 0 || !s->buf || fstat(s->fd, &st)) {
		int err = errno ? -errno : -ENOMEM;

		spool_close(s);
		return err;
	}
	s->size = st.st_size;
	n = pread(s->pos_fd, text, sizeof(text) - 1, 0);
	if (n > 0) {
		text[n] = 0;
		s->head = strtoll(text, NULL, 10);
	}
	if (s->head < 0 || s->head > s->size)
		s->head = 0;            /* damaged: everything again (ids make repeats harmless) */
	return 0;
}

void spool_close(struct spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->pos_fd >= 0)
		close(s->pos_fd);
	free(s->buf);
	s->fd = s->pos_fd = -1;
	s->buf = NULL;
}

int spool_append(struct spool *s, const char *id, const char *line, size_t len)
{
	struct iovec v[4] = {
		{ (void *)id, strlen(id) }, { " ", 1 }, { (void *)line, len }, { "\n", 1 },
	};
	size_t need = v[0].iov_len + len + 2;
	ssize_t w;

	if ((size_t)s->size + need > s->max)
		return -ENOSPC;
	w = writev(s->fd, v, 4);
	if (w < 0)
		return -errno;
	s->size += w;
	if ((size_t)w != need)
		return -EIO;            /* a torn line: the reader skips it */
	return 0;
}

int spool_peek(struct spool *s, struct spool_batch *b)
{
	ssize_t n = pread(s->fd, s->buf, PEEK_BYTES, s->head);
	char *p = s->buf, *end;

	b->n = 0;
	b->bytes = 0;
	if (n < 0)
		return -errno;
	end = s->buf + n;
	while (b->n < SPOOL_BATCH_LINES && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;

		if (!nl)
			break;
		*nl = 0;
		sp = strchr(p, ' ');
		if (sp) {               /* else torn: skipped, its bytes consumed */
			*sp = 0;
			b->id[b->n] = p;
			b->line[b->n] = sp + 1;
			b->line_len[b->n] = (size_t)(nl - sp - 1);
			b->n++;
		}
		b->bytes += (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (!b->bytes && n > 0 && n < (ssize_t)PEEK_BYTES)
		b->bytes = (size_t)n;   /* a torn last line (the disk filled): skipped */
	return 0;
}

void spool_consume(struct spool *s, const struct spool_batch *b)
{
	s->head += (off_t)b->bytes;
	if (s->head >= s->size && !ftruncate(s->fd, 0))
		s->head = s->size = 0;
	pos_save(s);
}
