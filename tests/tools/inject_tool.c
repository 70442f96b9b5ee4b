/*
 * Sends a block response into a live TCP session, for tests/e2e/inject.sh:
 *   inject_tool reset|page CLIENT CPORT SERVER SPORT SEQ LEN ACK
 *               [RULE_ID] [withheld] [block=IFACE]
 * SEQ, LEN, ACK: the latest client->server segment's sequence number,
 * payload length and acknowledgment number (tcpdump -S shows them).
 * block=IFACE first does what the daemon does on a block: attaches the
 * blocklist TC programs to IFACE and blocks the session. The tool then
 * prints "sent" once the packets are out and keeps the session blocked until
 * SIGTERM or SIGINT, then prints "injected N" (packets the TC programs let
 * through for their mark) and detaches.
 * Exit 0 when every packet went out, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "enforcer/enforce/blocklist.h"
#include "enforcer/enforce/inject.h"
#include "common/ip_text.h"
#include "common/request_text.h"

static int usage(void)
{
	fprintf(stderr, "usage: inject_tool reset|page CLIENT CPORT SERVER SPORT SEQ LEN ACK "
		"[RULE_ID] [withheld] [block=IFACE]\n");
	return 2;
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

/* The blocklist on IFACE with T in it, as the daemon has it after a block. */
static struct blocklist *block_session(const char *iface, const struct flow_tuple *t)
{
	struct blocklist_config cfg = { 0 };
	struct blocklist *bl = blocklist_open(&cfg);
	int ifindex = if_nametoindex(iface), err;

	if (!bl) {
		fprintf(stderr, "inject_tool: blocklist: %s\n", strerror(errno));
		return NULL;
	}
	err = ifindex ? blocklist_attach(bl, ifindex) : -ENODEV;
	if (!err)
		err = blocklist_add(bl, t, 0, 0);
	if (err) {
		fprintf(stderr, "inject_tool: blocking on %s: %s\n", iface, strerror(-err));
		blocklist_close(bl);
		return NULL;
	}
	return bl;
}

/* Until a signal of STOP; then how many marked packets TC let through. */
static int hold_block(struct blocklist *bl, const sigset_t *stop)
{
	uint64_t counters[UE_BLK_COUNTER_MAX];
	int sig, err;

	printf("sent\n");
	fflush(stdout);
	sigwait(stop, &sig);
	err = blocklist_counters(bl, counters);
	if (!err)
		printf("injected %llu\n", (unsigned long long)counters[UE_BLK_INJECTED]);
	blocklist_close(bl);
	return err;
}

int main(int argc, char **argv)
{
	struct flow_tuple t;
	struct session_position pos = { 0 };
	struct injector inj;
	struct blocklist *bl = NULL;
	uint32_t cport, sport;
	const char *rule_id = NULL, *block_iface = NULL;
	sigset_t stop;
	int err;

	if (argc < 9 || argc > 12 || (strcmp(argv[1], "reset") && strcmp(argv[1], "page")))
		return usage();
	if (ip_parse_mapped(argv[2], &t.client) || parse_u32(argv[3], 65535, &cport) ||
	    ip_parse_mapped(argv[4], &t.server) || parse_u32(argv[5], 65535, &sport) ||
	    parse_u32(argv[6], UINT32_MAX, &pos.seq) || parse_u32(argv[7], UINT32_MAX, &pos.len) ||
	    parse_u32(argv[8], UINT32_MAX, &pos.ack))
		return usage();
	t.client_port = cport;
	t.server_port = sport;
	for (int i = 9; i < argc; i++) {
		if (!strcmp(argv[i], "withheld"))
			pos.withheld = true;
		else if (!strncmp(argv[i], "block=", 6))
			block_iface = argv[i] + 6;
		else
			rule_id = argv[i];
	}

	/* Blocked before anything can arrive, so sigwait() gets them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	err = injector_open(&inj);
	if (err) {
		fprintf(stderr, "inject_tool: opening raw sockets: %s\n", strerror(-err));
		return 1;
	}
	if (block_iface && !(bl = block_session(block_iface, &t))) {
		injector_close(&inj);
		return 1;
	}
	if (!strcmp(argv[1], "reset"))
		err = injector_reset(&inj, &t, &pos);
	else
		err = injector_page(&inj, &t, &pos, rule_id, NULL);
	injector_close(&inj);
	if (err) {
		fprintf(stderr, "inject_tool: %s: %s\n", argv[1], strerror(-err));
		blocklist_close(bl);
		return 1;
	}
	return bl && hold_block(bl, &stop) ? 1 : 0;
}
