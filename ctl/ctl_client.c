/* urlctl's side of the control protocol (ctl_client.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl_client.h"

static int connect_daemon(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int end_status(const uint8_t *p, const uint8_t *end)
{
	struct ctl_field f;

	if (ctl_field_next(&p, end, &f) == 1 && f.kind == CTL_F_U64 && f.u64 <= CTL_UNREACHABLE)
		return (int)f.u64;
	return CTL_FAILED;
}

static void print_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

int ctl_request(const char *socket_path, struct ctl_msg *req, ctl_row_fn on_row, void *arg)
{
	return ctl_request_msgs(socket_path, req, on_row, print_line, arg);
}

int ctl_request_msgs(const char *socket_path, struct ctl_msg *req, ctl_row_fn on_row,
		     ctl_line_fn on_line, void *arg)
{
	static uint8_t buf[CTL_MSG_MAX];
	int fd = connect_daemon(socket_path), status = CTL_FAILED;

	if (fd < 0) {
		char line[256];

		snprintf(line, sizeof(line), "urlctl: no daemon at %s: %s", socket_path, strerror(errno));
		on_line(arg, line);
		return CTL_UNREACHABLE;
	}
	if (ctl_msg_send(fd, req)) {
		fprintf(stderr, "urlctl: send to %s: %s\n", socket_path, strerror(errno));
		close(fd);
		return CTL_UNREACHABLE;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		const char *why = "connection closed before the end of the reply";
		const uint8_t *body = buf + sizeof(struct ctl_hdr), *arg_pos = body;
		const char *line;
		int type = n > 0 && (size_t)n <= sizeof(buf) ? ctl_msg_check(buf, n, &why) : -EPROTO;

		if (type == CTL_REC_ROW) {
			on_row(arg, body, buf + n);
		} else if (type == CTL_REC_MSG) {
			if (ctl_arg_next(&arg_pos, buf + n, &line) == 1)
				on_line(arg, line);
		} else if (type == CTL_REC_END) {
			status = end_status(body, buf + n);
			break;
		} else {
			fprintf(stderr, "urlctl: bad reply from the daemon: %s\n", why);
			break;
		}
	}
	close(fd);
	return status;
}
