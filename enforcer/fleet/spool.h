/*
 * The decision spool: where a gateway keeps decision-log lines while NATS
 * cannot take them, on disk so that a restart loses none, bounded so that a
 * long outage cannot fill the disk. One file of text lines "ID LINE\n" (ID:
 * the line's Nats-Msg-Id), read from the front and appended at the back;
 * the read position is kept beside it (spool.pos) and the file is emptied
 * whenever everything in it was sent. Used by one thread only.
 */
#ifndef UE_SPOOL_H
#define UE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SPOOL_BATCH_LINES 2048

struct spool {
	int fd, pos_fd;
	off_t head, size;           /* bytes: sent, and in the file */
	size_t max;                 /* the file's bound */
	char *buf;                  /* spool_peek's lines */
	size_t buf_len;
};

struct spool_batch {
	unsigned n;
	const char *id[SPOOL_BATCH_LINES];
	const char *line[SPOOL_BATCH_LINES];    /* NUL-terminated, no newline */
	size_t line_len[SPOOL_BATCH_LINES];
	size_t bytes;               /* of the file these lines take */
};

/* DIR/spool and DIR/spool.pos, created or taken up where a previous run left off. */
int spool_open(struct spool *s, const char *dir, size_t max);
void spool_close(struct spool *s);

static inline bool spool_pending(const struct spool *s)
{
	return s->head < s->size;
}

/* Appends one line: 0, or -ENOSPC when the spool is full (the line is lost), or -errno. */
int spool_append(struct spool *s, const char *id, const char *line, size_t len);

/* The oldest lines not yet sent (up to SPOOL_BATCH_LINES); valid until the next call. */
int spool_peek(struct spool *s, struct spool_batch *b);

/* The lines of B were sent: forget them. */
void spool_consume(struct spool *s, const struct spool_batch *b);

#endif
