/*
 * Pauses (urlctl pause): clients whose internet is off until a time or
 * until resumed. The main thread changes the table (control requests, the
 * tick that ends pauses on time) and saves it to --state-dir after every
 * change, so a pause outlives a restart; workers look clients up under a
 * read lock for every request they judge.
 */
#ifndef UE_PAUSES_H
#define UE_PAUSES_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "common/cidr.h"

#define PAUSES_MAX 256
#define PAUSE_PREFIXES_MAX 32
#define PAUSE_TARGET_MAX 80
#define PAUSES_FILE "pauses"

struct pause {
	char target[PAUSE_TARGET_MAX];      /* as given: an address, a prefix, @GROUP */
	struct prefix prefixes[PAUSE_PREFIXES_MAX];
	unsigned n;
	time_t since;
	time_t until;                       /* 0: until resumed */
};

struct pauses {
	pthread_rwlock_t lock;
	struct pause p[PAUSES_MAX];
	unsigned n;
	const char *state_dir;              /* NULL: nothing saved */
};

/* Empty, then the pauses saved in STATE_DIR that have not ended by NOW.
 * 0, or -errno for a file that cannot be read (the table stays empty). */
int pauses_init(struct pauses *ps, const char *state_dir, time_t now);
void pauses_release(struct pauses *ps);

/* Pauses TARGET (its N prefixes) from NOW until UNTIL (0: until resumed),
 * replacing a pause of the same target. 0, -ENOSPC, or the save's -errno
 * (the pause holds all the same). */
int pauses_add(struct pauses *ps, const char *target, const struct prefix *pf, unsigned n,
	       time_t now, time_t until);

/* Ends the pauses of TARGET ("all": every one; an address: those covering
 * it); *REMOVED counts them. 0 or the save's -errno. */
int pauses_remove(struct pauses *ps, const char *target, unsigned *removed);

/* Ends the pauses whose time is up at NOW; the number ended (saved if any). */
unsigned pauses_expire(struct pauses *ps, time_t now);

/* CLIENT is paused at NOW: true, and *UNTIL the latest end among its pauses (0: none). */
bool pauses_lookup(struct pauses *ps, const struct in6_addr *client, time_t now,
		   time_t *until);

/* The earliest end of a pause, 0 if none ends by itself. */
time_t pauses_next_end(struct pauses *ps);

/* A copy of the table (the main thread's listings). */
void pauses_snapshot(struct pauses *ps, struct pause *out, unsigned *n);

#endif
