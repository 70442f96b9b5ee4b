/*
 * Drives the kernel blocklist through enforcer/enforce/blocklist.c, for
 * tests/e2e/blocklist.sh and tests/e2e/fail_closed_quic.sh:
 *   blk_tool [-s SIZE] [-H HTTP_PORTS] [-T TLS_PORTS] [-f TIMEOUT_MS] IFACE...
 * clears stale filters, attaches at ingress and egress of each IFACE, prints
 * "ready", then answers one line per command read from stdin:
 *   block CLIENT CPORT SERVER SPORT     -> ok | error: ...
 *   unblock CLIENT CPORT SERVER SPORT   -> ok | error: ...
 *   quic [CIDR...]                      -> ok | error: ...  (the `block quic` clients)
 *   list                                -> one "CLIENT CPORT SERVER SPORT drops=N" a
 *                                          session, then "end"
 *   counters                            -> "name=value ..." on one line
 *   quit (or end of input, SIGTERM)     -> detaches everything, exits 0
 * -f: fail closed, heartbeat timeout TIMEOUT_MS; the tool renews the heartbeat
 * while it runs, so killing it is the daemon dying.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enforcer/enforce/blocklist.h"
#include "enforcer/libbpf_log.h"
#include "enforcer/enforce/tc_attach.h"
#include "common/ip_text.h"
#include "common/request_text.h"

static const char *const counter_names[UE_BLK_COUNTER_MAX] = {
	[UE_BLK_SEEN_INGRESS] = "seen_ingress",
	[UE_BLK_SEEN_EGRESS] = "seen_egress",
	[UE_BLK_DROP_INGRESS] = "drop_ingress",
	[UE_BLK_DROP_EGRESS] = "drop_egress",
	[UE_BLK_INJECTED] = "injected",
	[UE_BLK_QUIC_DROP] = "quic_drop",
	[UE_BLK_FAIL_CLOSED_DROP] = "fail_closed_drop",
	[UE_BLK_FRAGMENT_DROP] = "fragment_drop",
	[UE_BLK_PORT_REUSED] = "port_reused",
	[UE_BLK_HOLD_HELD] = "hold_held",
	[UE_BLK_HOLD_RELEASED] = "hold_released",
	[UE_BLK_HOLD_TURNED] = "hold_turned",
	[UE_BLK_HOLD_UNJUDGED] = "hold_unjudged",
	[UE_BLK_PAUSE_DROP] = "pause_drop",
	[UE_BLK_UNRECORDED_DROP] = "unrecorded_drop",
};
/* A counter added to kern_user.h must be named here too. */
_Static_assert(UE_BLK_COUNTER_MAX == 15, "name every blocklist counter above");

/* "10.0.0.0/8" (stored v4-mapped, len 96 + 8) or "fd00::/16" */
static int parse_prefix(const char *s, struct client_prefix *p)
{
	char addr[64];
	unsigned len;

	if (sscanf(s, "%63[^/]/%u", addr, &len) != 2 || ip_parse_mapped(addr, &p->addr))
		return -EINVAL;
	if (IN6_IS_ADDR_V4MAPPED(&p->addr))
		len += 96;
	if (len > 128)
		return -EINVAL;
	p->len = len;
	return 0;
}

static int set_quic(struct blocklist *bl, char *args)
{
	struct client_prefix p[16];
	size_t n = 0;
	int err;

	for (char *tok = strtok(args, " "); tok; tok = strtok(NULL, " ")) {
		if (n == sizeof(p) / sizeof(p[0]))
			return -E2BIG;
		err = parse_prefix(tok, &p[n++]);
		if (err)
			return err;
	}
	return blocklist_quic_clients_set(bl, p, n);
}

static int parse_tuple(char *args, struct flow_tuple *t)
{
	char client[64], server[64];
	unsigned cport, sport;

	if (sscanf(args, "%63s %u %63s %u", client, &cport, server, &sport) != 4 ||
	    cport > 65535 || sport > 65535 ||
	    ip_parse_mapped(client, &t->client) || ip_parse_mapped(server, &t->server))
		return -EINVAL;
	t->client_port = cport;
	t->server_port = sport;
	return 0;
}

static void print_addr(const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	fputs(ip_format_mapped(a, buf, sizeof(buf)), stdout);
}

static int list_cb(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	(void)arg;
	print_addr(&t->client);
	printf(" %u ", t->client_port);
	print_addr(&t->server);
	printf(" %u drops=%llu\n", t->server_port, (unsigned long long)v->drops);
	return 0;
}

static void reply(int err)
{
	if (err)
		printf("error: %s\n", strerror(-err));
	else
		puts("ok");
}

static void run(struct blocklist *bl, char *line)
{
	struct flow_tuple t;
	uint64_t c[UE_BLK_COUNTER_MAX];
	int err;

	line[strcspn(line, "\n")] = 0;
	if (!strncmp(line, "block ", 6)) {
		err = parse_tuple(line + 6, &t);
		reply(err ? err : blocklist_add(bl, &t, 0, 0));
	} else if (!strncmp(line, "unblock ", 8)) {
		err = parse_tuple(line + 8, &t);
		reply(err ? err : blocklist_remove(bl, &t, IPPROTO_TCP));
	} else if (!strncmp(line, "quic", 4) && (line[4] == ' ' || !line[4])) {
		reply(set_quic(bl, line + 4));
	} else if (!strcmp(line, "list")) {
		err = blocklist_foreach(bl, list_cb, NULL);
		puts(err ? "error: listing failed" : "end");
	} else if (!strcmp(line, "counters")) {
		err = blocklist_counters(bl, c);
		if (err) {
			reply(err);
			return;
		}
		for (int i = 0; i < UE_BLK_COUNTER_MAX; i++)
			printf("%s%s=%llu", i ? " " : "", counter_names[i], (unsigned long long)c[i]);
		putchar('\n');
	} else {
		puts("error: unknown command");
	}
}

static void on_signal(int sig)
{
	(void)sig;   /* interrupts the read; main then detaches */
}

int main(int argc, char **argv)
{
	struct blocklist_config cfg = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct blocklist *bl;
	char line[512];
	int opt, err;

	while ((opt = getopt(argc, argv, "s:H:T:f:")) != -1) {
		if (opt == 's')
			cfg.max_entries = strtoul(optarg, NULL, 10);
		else if (opt == 'H' && !port_set_parse(&cfg.http_ports, optarg))
			continue;
		else if (opt == 'T' && !port_set_parse(&cfg.tls_ports, optarg))
			continue;
		else if (opt == 'f' && (cfg.heartbeat_timeout_ms = strtoul(optarg, NULL, 10)))
			cfg.fail_closed = true;
		else
			goto usage;
	}
	if (optind == argc)
		goto usage;
	libbpf_log_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	err = tc_remove_stale();
	if (err < 0) {
		fprintf(stderr, "blk_tool: removing stale filters: %s\n", strerror(-err));
		return 1;
	}
	if (err > 0)
		fprintf(stderr, "blk_tool: removed %d stale filters\n", err);
	bl = blocklist_open(&cfg);
	if (!bl) {
		fprintf(stderr, "blk_tool: loading: %s\n", strerror(errno));
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		int ifindex = if_nametoindex(argv[i]);

		err = ifindex ? blocklist_attach(bl, ifindex) : -errno;
		if (err) {
			fprintf(stderr, "blk_tool: %s: %s\n", argv[i], strerror(-err));
			blocklist_close(bl);
			return 1;
		}
	}
	puts("ready");
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int beat_ms = cfg.fail_closed ? (int)cfg.heartbeat_timeout_ms / 4 : -1;

		/* commands come one at a time, each awaiting its reply: nothing
		 * waits in stdio's buffer while we poll */
		if (poll(&pfd, 1, beat_ms) < 0)
			break;
		if (cfg.fail_closed)
			blocklist_heartbeat_renew(bl);
		if (!pfd.revents)
			continue;
		if (!fgets(line, sizeof(line), stdin) || !strcmp(line, "quit\n"))
			break;
		run(bl, line);
	}
	blocklist_close(bl);
	return 0;
usage:
	fprintf(stderr, "usage: blk_tool [-s SIZE] [-H HTTP_PORTS] [-T TLS_PORTS] "
		"[-f TIMEOUT_MS] IFACE...\n");
	return 2;
}
