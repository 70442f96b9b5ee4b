/*
 * Sends a block response into a live TCP session, for tests/e2e/inject.sh:
 *   inject_tool reset|page CLIENT CPORT SERVER SPORT SEQ LEN ACK [RULE_ID] [withheld]
 * SEQ, LEN, ACK: the latest client->server segment's sequence number,
 * payload length and acknowledgment number (tcpdump -S shows them).
 * Exit 0 when every packet went out, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "enforcer/inject.h"

static int usage(void)
{
	fprintf(stderr, "usage: inject_tool reset|page CLIENT CPORT SERVER SPORT SEQ LEN ACK "
		"[RULE_ID] [withheld]\n");
	return 2;
}

/* IPv4 stored v4-mapped, as struct flow_tuple wants it. */
static int parse_addr(const char *s, struct in6_addr *a)
{
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &v4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, s, a) == 1 ? 0 : -EINVAL;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct flow_tuple t;
	struct session_position pos = { 0 };
	struct injector inj;
	uint32_t cport, sport;
	const char *rule_id = NULL;
	int err;

	if (argc < 9 || argc > 11 || (strcmp(argv[1], "reset") && strcmp(argv[1], "page")))
		return usage();
	if (parse_addr(argv[2], &t.client) || parse_u32(argv[3], 65535, &cport) ||
	    parse_addr(argv[4], &t.server) || parse_u32(argv[5], 65535, &sport) ||
	    parse_u32(argv[6], UINT32_MAX, &pos.seq) || parse_u32(argv[7], UINT32_MAX, &pos.len) ||
	    parse_u32(argv[8], UINT32_MAX, &pos.ack))
		return usage();
	t.client_port = cport;
	t.server_port = sport;
	for (int i = 9; i < argc; i++) {
		if (!strcmp(argv[i], "withheld"))
			pos.withheld = true;
		else
			rule_id = argv[i];
	}

	err = injector_open(&inj);
	if (err) {
		fprintf(stderr, "inject_tool: opening raw sockets: %s\n", strerror(-err));
		return 1;
	}
	if (!strcmp(argv[1], "reset"))
		err = injector_reset(&inj, &t, &pos);
	else
		err = injector_page(&inj, &t, &pos, rule_id);
	injector_close(&inj);
	if (err) {
		fprintf(stderr, "inject_tool: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	return 0;
}
