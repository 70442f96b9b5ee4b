/*
 * The daemon's control socket: a Unix SOCK_SEQPACKET listener, mode 0660,
 * peers checked with SO_PEERCRED. Served from the daemon's main loop: one
 * request a connection, answered by the handler registered for its type,
 * then CTL_REC_END with the handler's status.
 */
#ifndef UE_CONTROL_H
#define UE_CONTROL_H

#include <stdint.h>
#include <sys/un.h>

#include "common/ctl_proto.h"

/*
 * A handler answers one request: it may send rows and messages on FD
 * (control_send_msg, ctl_msg_send) and returns the enum ctl_status that
 * ends the reply. ARGS..END are the request's NUL-terminated arguments.
 */
typedef int (*control_handler)(void *arg, int fd, const uint8_t *args, const uint8_t *end);

struct control {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_handler handlers[CTL_REQ_MAX_];
	void *arg;
	uint64_t served;
	uint64_t rejected;        /* malformed, oversized or unauthorized */
};

/* Binds PATH (its folder created 0755); -EADDRINUSE if a daemon answers there. */
int control_open(struct control *c, const char *path);
/* Accepts and serves every pending connection; never blocks for long. */
void control_serve(struct control *c);
void control_close(struct control *c);

/* One line for the user, printf-style; urlctl prints it on stderr. */
int control_send_msg(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
