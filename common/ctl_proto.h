/*
 * The control protocol between url-enforcer and urlctl, over a Unix
 * SOCK_SEQPACKET socket (message boundaries for free). Every message is a
 * struct ctl_hdr and LEN payload bytes. urlctl sends one request; the daemon
 * answers with zero or more CTL_REC_ROW / CTL_REC_MSG records and exactly one
 * CTL_REC_END carrying the status that becomes urlctl's exit code.
 *
 * Request payload: the command's arguments, each NUL-terminated.
 * Row payload: typed fields, each [u8 kind][name NUL][value]: a NUL-terminated
 * string, a u64 in host order (both ends run on one host), one byte for a
 * bool, nothing for null. Only urlctl renders rows (text, JSON, Prometheus).
 */
#ifndef UE_CTL_PROTO_H
#define UE_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_VERSION 1
#define CTL_MSG_MAX 65536
#define CTL_SOCKET_DEFAULT "/run/url-enforcer/control.sock"

enum ctl_type {
	CTL_REQ_STATUS = 1,
	CTL_REQ_STATS,
	CTL_REQ_BLOCKS,
	CTL_REQ_UNBLOCK,      /* "all" | IP [client port] */
	CTL_REQ_MODE,         /* "enforce" | "audit" */
	CTL_REQ_APPLY,        /* absolute path of the rule file */
	CTL_REQ_TEST,         /* URL, client IP or "", method or "" */
	CTL_REQ_PAUSE,        /* IP|CIDR|@GROUP, end (seconds since the epoch, "0": none) */
	CTL_REQ_RESUME,       /* IP|CIDR|@GROUP|"all" */
	CTL_REQ_PAUSED,       /* rows: the pauses and open `block all` rules */
	CTL_REQ_REPORT,       /* IP|CIDR|@GROUP or "", since (seconds ago, "0": all):
			       * rows of kind "client", "site" and "hour" (urlctl(8)) */
	CTL_REQ_MAX_,

	CTL_REC_ROW = 100,
	CTL_REC_MSG,          /* one line for the user, e.g. a rule-file error */
	CTL_REC_END,          /* one u64 field "status": urlctl's exit code */
};

/* urlctl's exit codes, carried by CTL_REC_END (urlctl(8) EXIT STATUS). */
enum ctl_status { CTL_OK = 0, CTL_FAILED = 1, CTL_USAGE = 2, CTL_UNREACHABLE = 3 };

struct ctl_hdr {
	uint16_t version;
	uint16_t type;
	uint32_t len;
};

enum ctl_field_kind { CTL_F_STR = 1, CTL_F_U64, CTL_F_BOOL, CTL_F_NULL };

/* A message under construction; fixed buffer, no allocation. */
struct ctl_msg {
	uint8_t buf[CTL_MSG_MAX];
	size_t len;           /* header included */
	bool overflow;        /* a field did not fit: the message is invalid */
};

void ctl_msg_init(struct ctl_msg *m, enum ctl_type type);
void ctl_msg_add_arg(struct ctl_msg *m, const char *arg);
void ctl_msg_add_str(struct ctl_msg *m, const char *name, const char *value);
void ctl_msg_add_u64(struct ctl_msg *m, const char *name, uint64_t value);
void ctl_msg_add_bool(struct ctl_msg *m, const char *name, bool value);
void ctl_msg_add_null(struct ctl_msg *m, const char *name);
/* Sends M on FD (header length filled in). 0 or -errno; -EMSGSIZE on overflow. */
int ctl_msg_send(int fd, struct ctl_msg *m);

/*
 * Validates a received message of LEN bytes: version, type, length. Returns
 * its type, or -EPROTO with *why set.
 */
int ctl_msg_check(const uint8_t *buf, size_t len, const char **why);

struct ctl_field {
	enum ctl_field_kind kind;
	const char *name;
	const char *str;
	uint64_t u64;
	bool b;
};

/* Walks a row's fields: 1 and *F filled, 0 at the end, -EPROTO if malformed. */
int ctl_field_next(const uint8_t **pos, const uint8_t *end, struct ctl_field *f);
/* Walks a request's arguments the same way: 1, 0 at the end, -EPROTO. */
int ctl_arg_next(const uint8_t **pos, const uint8_t *end, const char **arg);

#endif
