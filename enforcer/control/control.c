/* The daemon's control socket (control.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "enforcer/control/control.h"
#include "common/log.h"

static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Is a live daemon listening at ADDR? Then we must not steal its socket. */
static bool socket_in_use(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	return used;
}

int control_open(struct control *c, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int err;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->listen_fd = -1;
	if ((err = make_parent_dir(path)))
		return err;
	if (socket_in_use(&addr))
		return -EADDRINUSE;
	unlink(path);   /* stale, from a daemon that died */
	c->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		return -errno;
	/* 0660 from the start: no window in which anyone else can connect. */
	mode_t old = umask(0117);
	err = bind(c->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (err || listen(c->listen_fd, 16)) {
		err = -errno;
		close(c->listen_fd);
		c->listen_fd = -1;
		return err;
	}
	return 0;
}

/* Root, or the socket file's group (the admin's choice of who may steer us). */
static bool peer_allowed(const struct control *c, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	if (cred.uid == 0)
		return true;
	return stat(c->path, &st) == 0 && cred.gid == st.st_gid;
}

static void send_end(int fd, int status)
{
	static struct ctl_msg m;

	ctl_msg_init(&m, CTL_REC_END);
	ctl_msg_add_u64(&m, "status", status);
	ctl_msg_send(fd, &m);
}

int control_send_msg(int fd, const char *fmt, ...)
{
	static struct ctl_msg m;   /* only the main loop serves the socket */
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctl_msg_init(&m, CTL_REC_MSG);
	ctl_msg_add_arg(&m, line);
	return ctl_msg_send(fd, &m);
}

static void serve_one(struct control *c, int fd)
{
	static uint8_t buf[CTL_MSG_MAX];
	struct timeval tv = { .tv_sec = 1 };
	const char *why = NULL;
	ssize_t n;
	int type;

	/* A client that stalls must not stall the daemon. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!peer_allowed(c, fd)) {
		c->rejected++;
		log_warnx("control: peer refused (not root nor the socket's group)");
		return;
	}
	n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	if (n == 0)
		return;   /* closed without asking: a liveness probe */
	if (n < 0) {
		c->rejected++;
		log_warn("control: receive");
		return;
	}
	if ((size_t)n > sizeof(buf)) {
		why = "message too long";
		type = -EPROTO;
	} else {
		type = ctl_msg_check(buf, n, &why);
		if (type >= CTL_REQ_MAX_ || (type > 0 && !c->handlers[type])) {
			why = "not a request this daemon serves";
			type = -EPROTO;
		}
	}
	if (type < 0) {
		c->rejected++;
		log_warnx("control: request rejected: %s", why);
		control_send_msg(fd, "request rejected: %s", why);
		send_end(fd, CTL_USAGE);
		return;
	}
	c->served++;
	send_end(fd, c->handlers[type](c->arg, fd, buf + sizeof(struct ctl_hdr), buf + n));
}

void control_serve(struct control *c)
{
	int fd;

	while ((fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		serve_one(c, fd);
		close(fd);
	}
}

void control_close(struct control *c)
{
	if (c->listen_fd < 0)
		return;
	close(c->listen_fd);
	c->listen_fd = -1;
	unlink(c->path);
}
