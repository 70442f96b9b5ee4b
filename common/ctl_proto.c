/* Encoding and validation of control-protocol messages (ctl_proto.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/ctl_proto.h"

void ctl_msg_init(struct ctl_msg *m, enum ctl_type type)
{
	struct ctl_hdr h = { .version = CTL_VERSION, .type = type };

	memcpy(m->buf, &h, sizeof(h));
	m->len = sizeof(h);
	m->overflow = false;
}

static void put(struct ctl_msg *m, const void *p, size_t n)
{
	if (m->overflow || n > sizeof(m->buf) - m->len) {
		m->overflow = true;
		return;
	}
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

static void put_head(struct ctl_msg *m, enum ctl_field_kind kind, const char *name)
{
	uint8_t k = kind;

	put(m, &k, 1);
	put(m, name, strlen(name) + 1);
}

void ctl_msg_add_arg(struct ctl_msg *m, const char *arg)
{
	put(m, arg, strlen(arg) + 1);
}

void ctl_msg_add_str(struct ctl_msg *m, const char *name, const char *value)
{
	put_head(m, CTL_F_STR, name);
	put(m, value, strlen(value) + 1);
}

void ctl_msg_add_u64(struct ctl_msg *m, const char *name, uint64_t value)
{
	put_head(m, CTL_F_U64, name);
	put(m, &value, sizeof(value));
}

void ctl_msg_add_bool(struct ctl_msg *m, const char *name, bool value)
{
	uint8_t b = value;

	put_head(m, CTL_F_BOOL, name);
	put(m, &b, 1);
}

void ctl_msg_add_null(struct ctl_msg *m, const char *name)
{
	put_head(m, CTL_F_NULL, name);
}

int ctl_msg_send(int fd, struct ctl_msg *m)
{
	struct ctl_hdr h;

	if (m->overflow)
		return -EMSGSIZE;
	memcpy(&h, m->buf, sizeof(h));
	h.len = m->len - sizeof(h);
	memcpy(m->buf, &h, sizeof(h));
	if (send(fd, m->buf, m->len, MSG_NOSIGNAL) != (ssize_t)m->len)
		return -errno;
	return 0;
}

int ctl_msg_check(const uint8_t *buf, size_t len, const char **why)
{
	struct ctl_hdr h;

	if (len < sizeof(h)) {
		*why = "message shorter than its header";
		return -EPROTO;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.version != CTL_VERSION) {
		*why = "unknown protocol version";
		return -EPROTO;
	}
	if (h.len != len - sizeof(h)) {
		*why = "length field does not match the message";
		return -EPROTO;
	}
	if (!(h.type >= CTL_REQ_STATUS && h.type < CTL_REQ_MAX_) &&
	    !(h.type >= CTL_REC_ROW && h.type <= CTL_REC_END)) {
		*why = "unknown message type";
		return -EPROTO;
	}
	return h.type;
}

/* A NUL-terminated string starting at *POS and ending before END. */
static const char *take_str(const uint8_t **pos, const uint8_t *end)
{
	const uint8_t *nul = memchr(*pos, 0, end - *pos);
	const char *s = (const char *)*pos;

	if (!nul)
		return NULL;
	*pos = nul + 1;
	return s;
}

int ctl_arg_next(const uint8_t **pos, const uint8_t *end, const char **arg)
{
	if (*pos >= end)
		return 0;
	*arg = take_str(pos, end);
	return *arg ? 1 : -EPROTO;
}

int ctl_field_next(const uint8_t **pos, const uint8_t *end, struct ctl_field *f)
{
	if (*pos >= end)
		return 0;
	f->kind = *(*pos)++;
	if (!(f->name = take_str(pos, end)))
		return -EPROTO;
	switch (f->kind) {
	case CTL_F_STR:
		return (f->str = take_str(pos, end)) ? 1 : -EPROTO;
	case CTL_F_U64:
		if (end - *pos < (long)sizeof(f->u64))
			return -EPROTO;
		memcpy(&f->u64, *pos, sizeof(f->u64));
		*pos += sizeof(f->u64);
		return 1;
	case CTL_F_BOOL:
		if (*pos >= end)
			return -EPROTO;
		f->b = *(*pos)++ != 0;
		return 1;
	case CTL_F_NULL:
		return 1;
	}
	return -EPROTO;
}
