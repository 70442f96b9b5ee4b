/* The control protocol's encoding and the control socket's server side. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "enforcer/control/control.h"
#include "tests/harness.h"

void test_ctl_row_fields_round_trip(void)
{
	static struct ctl_msg m;
	struct ctl_field f;
	const uint8_t *p, *end;

	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "mode", "enforce");
	ctl_msg_add_u64(&m, "drops", 1ULL << 40);
	ctl_msg_add_bool(&m, "enforced", true);
	ctl_msg_add_null(&m, "rule");
	ASSERT_TRUE(!m.overflow);
	p = m.buf + sizeof(struct ctl_hdr);
	end = m.buf + m.len;
	ASSERT_EQ(ctl_field_next(&p, end, &f), 1);
	ASSERT_STREQ(f.name, "mode");
	ASSERT_STREQ(f.str, "enforce");
	ASSERT_EQ(ctl_field_next(&p, end, &f), 1);
	ASSERT_EQ(f.kind, CTL_F_U64);
	ASSERT_EQ(f.u64, 1ULL << 40);
	ASSERT_EQ(ctl_field_next(&p, end, &f), 1);
	ASSERT_TRUE(f.kind == CTL_F_BOOL && f.b);
	ASSERT_EQ(ctl_field_next(&p, end, &f), 1);
	ASSERT_EQ(f.kind, CTL_F_NULL);
	ASSERT_EQ(ctl_field_next(&p, end, &f), 0);
}

void test_ctl_truncated_fields_rejected(void)
{
	static struct ctl_msg m;
	struct ctl_field f;

	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_u64(&m, "n", 7);
	/* Every cut inside the field must be refused, never read past the end. */
	for (size_t cut = sizeof(struct ctl_hdr) + 1; cut < m.len; cut++) {
		uint8_t *copy = malloc(cut);
		const uint8_t *p = copy + sizeof(struct ctl_hdr);

		memcpy(copy, m.buf, cut);
		ASSERT_EQ(ctl_field_next(&p, copy + cut, &f), -EPROTO);
		free(copy);
	}
}

void test_ctl_overflow_refuses_to_send(void)
{
	static struct ctl_msg m;
	static char big[CTL_MSG_MAX];

	memset(big, 'a', sizeof(big) - 1);
	ctl_msg_init(&m, CTL_REC_MSG);
	ctl_msg_add_arg(&m, big);
	ASSERT_TRUE(m.overflow);
	ASSERT_EQ(ctl_msg_send(-1, &m), -EMSGSIZE);
}

void test_ctl_header_checks(void)
{
	struct ctl_hdr h = { .version = CTL_VERSION, .type = CTL_REQ_STATUS, .len = 0 };
	const char *why;

	ASSERT_EQ(ctl_msg_check((uint8_t *)&h, sizeof(h), &why), CTL_REQ_STATUS);
	ASSERT_EQ(ctl_msg_check((uint8_t *)&h, 3, &why), -EPROTO);
	h.version = 99;
	ASSERT_EQ(ctl_msg_check((uint8_t *)&h, sizeof(h), &why), -EPROTO);
	h.version = CTL_VERSION;
	h.len = 5;
	ASSERT_EQ(ctl_msg_check((uint8_t *)&h, sizeof(h), &why), -EPROTO);
	h.len = 0;
	h.type = 77;
	ASSERT_EQ(ctl_msg_check((uint8_t *)&h, sizeof(h), &why), -EPROTO);
}

static int echo_handler(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct ctl_msg row;
	const char *a;

	(*(int *)arg)++;
	ctl_msg_init(&row, CTL_REC_ROW);
	while (ctl_arg_next(&args, end, &a) == 1)
		ctl_msg_add_str(&row, "arg", a);
	ctl_msg_send(fd, &row);
	return CTL_FAILED;
}

/* Sends RAW to the server, lets it serve, returns the reply's END status. */
static int round_trip(struct control *c, const void *raw, size_t len, char *row_arg)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static uint8_t buf[CTL_MSG_MAX];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), status = -1;
	const char *why;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", c->path);
	ASSERT_OK(connect(fd, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(send(fd, raw, len, 0), (ssize_t)len);
	control_serve(c);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int type = ctl_msg_check(buf, n, &why);
		const uint8_t *p = buf + sizeof(struct ctl_hdr);
		struct ctl_field f;

		ASSERT_TRUE(type > 0);
		if (type == CTL_REC_ROW && row_arg && ctl_field_next(&p, buf + n, &f) == 1)
			strcpy(row_arg, f.str);
		if (type == CTL_REC_END) {
			ASSERT_EQ(ctl_field_next(&p, buf + n, &f), 1);
			status = (int)f.u64;
			break;
		}
	}
	close(fd);
	return status;
}

void test_control_serves_and_rejects(void)
{
	char dir[] = "/tmp/ue-ctl-XXXXXX", path[128], got[64] = "";
	static struct ctl_msg req;
	struct control c = { 0 };
	struct stat st;
	int calls = 0;

	ASSERT_NONNULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run/control.sock", dir);
	c.handlers[CTL_REQ_STATUS] = echo_handler;
	c.arg = &calls;
	ASSERT_OK(control_open(&c, path));
	ASSERT_OK(stat(path, &st));
	ASSERT_EQ(st.st_mode & 0777, 0660);
	/* A second daemon must not take the socket over. */
	struct control other = { 0 };
	ASSERT_EQ(control_open(&other, path), -EADDRINUSE);

	ctl_msg_init(&req, CTL_REQ_STATUS);
	ctl_msg_add_arg(&req, "hello");
	((struct ctl_hdr *)req.buf)->len = req.len - sizeof(struct ctl_hdr);
	ASSERT_EQ(round_trip(&c, req.buf, req.len, got), CTL_FAILED);
	ASSERT_STREQ(got, "hello");
	ASSERT_EQ(calls, 1);

	/* No handler for this type, a lying length, garbage: usage error, counted. */
	ctl_msg_init(&req, CTL_REQ_MODE);
	ASSERT_EQ(round_trip(&c, req.buf, req.len, NULL), CTL_USAGE);
	((struct ctl_hdr *)req.buf)->len = 1000;
	ASSERT_EQ(round_trip(&c, req.buf, req.len, NULL), CTL_USAGE);
	ASSERT_EQ(round_trip(&c, "\xff\xff", 2, NULL), CTL_USAGE);
	ASSERT_EQ(c.rejected, 3);
	ASSERT_EQ(calls, 1);

	control_close(&c);
	ASSERT_TRUE(access(path, F_OK) != 0);
	snprintf(path, sizeof(path), "%s/run", dir);
	rmdir(path);
	rmdir(dir);
}
