/*
 * Prints every TCP session end that conntrack reports, for
 * tests/e2e/conntrack.sh:
 *   conntrack_tool [COUNT]
 * prints "ready" once subscribed, then one line "CLIENT CPORT SERVER SPORT"
 * an ended session; exits 0 after COUNT of them (default: never), 3 with
 * "unavailable: REASON" when conntrack cannot report, 1 on errors.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/ip_text.h"
#include "enforcer/enforce/conntrack.h"

static void print_addr(const struct in6_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	fputs(ip_format_mapped(a, s, sizeof(s)), stdout);
}

static void print_end(void *arg, const struct flow_tuple *t)
{
	unsigned *seen = arg;

	print_addr(&t->client);
	printf(" %u ", t->client_port);
	print_addr(&t->server);
	printf(" %u\n", t->server_port);
	(*seen)++;
}

int main(int argc, char **argv)
{
	static struct conntrack_watch w;
	unsigned seen = 0, want = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = conntrack_watch_open(&w, print_end, &seen);
	if (err) {
		printf("unavailable: %s\n", strerror(-err));
		return 3;
	}
	printf("ready\n");
	while (!want || seen < want) {
		struct pollfd pfd = { .fd = conntrack_watch_fd(&w), .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			perror("conntrack_tool: poll");
			break;
		}
		err = conntrack_watch_read(&w);
		if (err) {
			fprintf(stderr, "conntrack_tool: %s\n", strerror(-err));
			break;
		}
	}
	if (w.lost || w.malformed)
		fprintf(stderr, "conntrack_tool: %llu overflows, %llu malformed\n",
			(unsigned long long)w.lost, (unsigned long long)w.malformed);
	conntrack_watch_close(&w);
	return !want || seen < want;
}
