/*
 * url-enforcer: the command line (url-enforcer(8)), then one of two modes:
 * offline (--pcap, offline.c) or live (-i, daemon.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fleet_nats.h"
#include "enforcer/fleet/decision_stream.h"
#include "enforcer/stream/flow.h"
#include "enforcer/daemon.h"
#include "common/log.h"
#include "enforcer/options.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: url-enforcer -i IFACE [-i IFACE ...] -p RULES [options]\n"
	"       url-enforcer --pcap FILE -p RULES [options]\n"
	"  -i, --interface IFACE   tap and enforce on IFACE; repeatable\n"
	"  -p, --policy FILE       rule file\n"
	"  -m, --mode MODE         enforce (default) | audit\n"
	"  -s, --socket PATH       control socket (default /run/url-enforcer/control.sock)\n"
	"  -l, --log PATH          decision log, JSON Lines (default - : stdout)\n"
	"      --log-all           log every request, not only rule matches\n"
	"      --http-ports LIST   TCP ports parsed as HTTP (default 80,8000,8080)\n"
	"      --tls-ports LIST    TCP ports parsed as TLS for SNI (default 443)\n"
	"      --pcap FILE         read packets from a pcap file through the same\n"
	"                          pipeline, print decisions, exit 0 at its end\n"
	"      --workers N         packet worker threads (default: online CPUs)\n"
	"      --blocklist-size N  kernel blocklist entries (default 65536)\n"
	"      --idle-timeout S    forget idle flows and blocks after S seconds (default 300)\n"
	"      --max-flows N       flows each worker follows at most (default 262144);\n"
	"                          a new flow then evicts the least recently active\n"
	"      --on-overflow allow|block\n"
	"                          decision for a flow over a reassembly or request-head\n"
	"                          limit (default allow)\n"
	"      --hold              hold each client request segment in the kernel until\n"
	"                          its verdict; gateway ingress\n"
	"      --fail open|closed  what happens to new tapped sessions while no daemon\n"
	"                          runs, and to a session's data the capture could not\n"
	"                          hand to the daemon (default open)\n"
	"      --checksums auto|verify|none\n"
	"                          TCP checksums: verify ignores segments whose checksum\n"
	"                          is wrong (evasion decoys); none trusts every segment;\n"
	"                          auto (default) verifies, except for a sender whose\n"
	"                          capture shows checksum offload (said once on stderr)\n"
	"      --capture bpf-ring|tpacket|frame\n"
	"                          how the workers get tapped frames (default bpf-ring)\n"
	"      --ring-size BYTES   each worker's BPF ring, a power of 2 (default 8388608)\n"
	"      --state-dir DIR     what outlives a restart: pauses, report counters\n"
	"                          (default $STATE_DIRECTORY, else /var/lib/url-enforcer)\n"
	"      --nats URL[,URL...] join a fleet: apply the bundles `urlctl publish` sends,\n"
	"                          publish every decision-log line to JetStream\n"
	"      --name NAME         this gateway in the fleet (default: the host name)\n"
	"      --nats-creds FILE   NATS credentials (user JWT and NKey seed)\n"
	"      --nats-ca FILE      CA certificates that sign the NATS servers' (TLS)\n"
	"      --nats-spool SIZE   decisions kept on disk while NATS is away, bytes or\n"
	"                          with k, M, G (default 256M); more are lost and counted\n"
	"  -v, --verbose           more diagnostics on stderr\n"
	"  -h, --help              this text\n"
	"  -V, --version           the version\n";

enum long_only {
	OPT_LOG_ALL = 256, OPT_HTTP_PORTS, OPT_TLS_PORTS, OPT_PCAP, OPT_WORKERS,
	OPT_BLOCKLIST_SIZE, OPT_IDLE_TIMEOUT, OPT_MAX_FLOWS, OPT_ON_OVERFLOW, OPT_HOLD,
	OPT_FAIL, OPT_CAPTURE, OPT_RING_SIZE, OPT_STATE_DIR, OPT_NATS, OPT_NAME, OPT_NATS_CREDS,
	OPT_NATS_CA, OPT_NATS_SPOOL, OPT_CHECKSUMS,
};

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "policy", required_argument, NULL, 'p' },
	{ "mode", required_argument, NULL, 'm' },
	{ "socket", required_argument, NULL, 's' },
	{ "log", required_argument, NULL, 'l' },
	{ "log-all", no_argument, NULL, OPT_LOG_ALL },
	{ "http-ports", required_argument, NULL, OPT_HTTP_PORTS },
	{ "tls-ports", required_argument, NULL, OPT_TLS_PORTS },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "blocklist-size", required_argument, NULL, OPT_BLOCKLIST_SIZE },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "on-overflow", required_argument, NULL, OPT_ON_OVERFLOW },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "fail", required_argument, NULL, OPT_FAIL },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "checksums", required_argument, NULL, OPT_CHECKSUMS },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "nats", required_argument, NULL, OPT_NATS },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "nats-creds", required_argument, NULL, OPT_NATS_CREDS },
	{ "nats-ca", required_argument, NULL, OPT_NATS_CA },
	{ "nats-spool", required_argument, NULL, OPT_NATS_SPOOL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "url-enforcer: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	exit(EXIT_USAGE);
}

static uint32_t number(const char *opt, const char *text, uint32_t min, uint32_t max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
		fprintf(stderr, "url-enforcer: %s: not a number from %u to %u: %s\n", opt, min,
			max, text);
		exit(EXIT_USAGE);
	}
	return (uint32_t)v;
}

/* Bytes, or with a k, M or G suffix (powers of 1024); 4k to 1T. */
static uint64_t size_arg(const char *opt, const char *text)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (*end && !end[1])
		shift = *end == 'k' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : -1;
	if (errno || end == text || text[0] == '-' || shift < 0 || (*end && end[1]) ||
	    v > (1ull << 40) >> shift || (v << shift) < 4096) {
		fprintf(stderr, "url-enforcer: %s: a size from 4k to 1024G (bytes, or with k, M, G): "
			"%s\n", opt, text);
		exit(EXIT_USAGE);
	}
	return v << shift;
}

static void port_list(const char *opt, const char *text, struct port_set *set)
{
	int rc = port_set_parse(set, text);

	if (rc == -E2BIG)
		usage_error("too many ports (16 at most): %s", text);
	if (rc) {
		fprintf(stderr, "url-enforcer: %s: not a list of ports 1-65535: %s\n", opt, text);
		exit(EXIT_USAGE);
	}
}

static bool choice(const char *opt, const char *text, const char *no, const char *yes)
{
	if (!strcmp(text, yes))
		return true;
	if (strcmp(text, no)) {
		fprintf(stderr, "url-enforcer: %s: %s or %s, not %s\n", opt, no, yes, text);
		exit(EXIT_USAGE);
	}
	return false;
}

/* The index of TEXT among an option's three values A, B, C; else a usage error. */
static int one_of_three(const char *opt, const char *text, const char *a, const char *b,
			const char *c)
{
	if (!strcmp(text, a))
		return 0;
	if (!strcmp(text, b))
		return 1;
	if (!strcmp(text, c))
		return 2;
	fprintf(stderr, "url-enforcer: %s: %s, %s or %s, not %s\n", opt, a, b, c, text);
	exit(EXIT_USAGE);
}

static enum capture_mode capture_mode(const char *text)
{
	static const enum capture_mode modes[] = { CAPTURE_BPF_RING, CAPTURE_TPACKET, CAPTURE_FRAME };

	return modes[one_of_three("--capture", text, "bpf-ring", "tpacket", "frame")];
}

static enum checksums_mode checksums_mode(const char *text)
{
	static const enum checksums_mode modes[] = {
		CHECKSUMS_AUTO, CHECKSUMS_VERIFY, CHECKSUMS_NONE,
	};

	return modes[one_of_three("--checksums", text, "auto", "verify", "none")];
}

/* --nats and the options that only mean something with it; --name defaults to the host name. */
static void fleet_options(struct options *o)
{
	static char host[FLEET_NAME_MAX + 1];

	if (!o->nats_servers) {
		if (o->name || o->nats_creds || o->nats_ca || o->nats_spool != DECISION_SPOOL_DEFAULT)
			usage_error("%s", "--name, --nats-creds, --nats-ca and --nats-spool need --nats");
		return;
	}
	if (o->pcap_path)
		usage_error("%s", "--nats joins a fleet of live gateways, not --pcap");
	if (!o->name) {
		if (gethostname(host, sizeof(host) - 1))
			usage_error("%s", "no host name: name this gateway with --name");
		host[strcspn(host, ".")] = 0;    /* a subject token: the short name */
		o->name = host;
	}
	if (!fleet_name_ok(o->name))
		usage_error("--name: letters, digits, - and _ only (64 at most): %s", o->name);
}

static void parse(int argc, char **argv, struct options *o)
{
	int c;

	*o = (struct options){
		.socket_path = "/run/url-enforcer/control.sock", .log_path = "-",
		.http_ports = { { 80, 8000, 8080 }, 3 }, .tls_ports = { { 443 }, 1 },
		.blocklist_size = 65536, .idle_timeout = FLOW_IDLE_TIMEOUT_DEFAULT,
		.max_flows = FLOW_MAX_DEFAULT, .ring_size = OPTIONS_RING_SIZE_DEFAULT,
		.state_dir = "/var/lib/url-enforcer", .nats_spool = DECISION_SPOOL_DEFAULT,
	};
	/* systemd's StateDirectory= says where; so do the tests, one per run */
	if (getenv("STATE_DIRECTORY") && *getenv("STATE_DIRECTORY"))
		o->state_dir = getenv("STATE_DIRECTORY");
	while ((c = getopt_long(argc, argv, "i:p:m:s:l:vhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->n_interfaces == OPTIONS_MAX_INTERFACES)
				usage_error("too many interfaces (16 at most): %s", optarg);
			o->interfaces[o->n_interfaces++] = optarg;
			break;
		case 'p': o->policy_path = optarg; break;
		case 'm': o->audit = choice("--mode", optarg, "enforce", "audit"); break;
		case 's': o->socket_path = optarg; break;
		case 'l': o->log_path = optarg; break;
		case 'v': log_verbose++; break;
		case OPT_LOG_ALL: o->log_all = true; break;
		case OPT_HTTP_PORTS:
			port_list("--http-ports", optarg, &o->http_ports);
			break;
		case OPT_TLS_PORTS:
			port_list("--tls-ports", optarg, &o->tls_ports);
			break;
		case OPT_PCAP: o->pcap_path = optarg; break;
		case OPT_WORKERS: o->workers = number("--workers", optarg, 1, 1024); break;
		case OPT_BLOCKLIST_SIZE:
			o->blocklist_size = number("--blocklist-size", optarg, 1, 1u << 26);
			break;
		case OPT_IDLE_TIMEOUT:
			o->idle_timeout = number("--idle-timeout", optarg, 1, 7 * 86400);
			break;
		case OPT_MAX_FLOWS:
			o->max_flows = number("--max-flows", optarg, 1, 1u << 26);
			break;
		case OPT_ON_OVERFLOW:
			o->overflow_block = choice("--on-overflow", optarg, "allow", "block");
			break;
		case OPT_HOLD: o->hold = true; break;
		case OPT_STATE_DIR: o->state_dir = optarg; break;
		case OPT_FAIL: o->fail_closed = choice("--fail", optarg, "open", "closed"); break;
		case OPT_CAPTURE: o->capture = capture_mode(optarg); break;
		case OPT_CHECKSUMS: o->checksums = checksums_mode(optarg); break;
		case OPT_RING_SIZE:
			o->ring_size = number("--ring-size", optarg, 4096, 1u << 30);
			if (o->ring_size & (o->ring_size - 1))
				usage_error("--ring-size: not a power of 2: %s", optarg);
			break;
		case OPT_NATS: o->nats_servers = optarg; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_NATS_CREDS: o->nats_creds = optarg; break;
		case OPT_NATS_CA: o->nats_ca = optarg; break;
		case OPT_NATS_SPOOL: o->nats_spool = size_arg("--nats-spool", optarg); break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			puts("url-enforcer " UE_VERSION);
			exit(0);
		default:
			fputs(usage_text, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument: %s", argv[optind]);
	if (!o->policy_path)
		usage_error("%s", "a rule file is needed (-p RULES)");
	if (!o->pcap_path == !o->n_interfaces)
		usage_error("%s", "one of -i IFACE and --pcap FILE is needed, not both");
	fleet_options(o);
	for (unsigned i = 0; i < o->http_ports.n; i++) {
		char port[8];

		snprintf(port, sizeof(port), "%u", o->http_ports.port[i]);
		if (port_set_has(&o->tls_ports, o->http_ports.port[i]))
			usage_error("port %s is in both --http-ports and --tls-ports", port);
	}
}

int main(int argc, char **argv)
{
	struct options o;

	parse(argc, argv, &o);
	if (o.pcap_path)
		return offline_run(&o);
	return daemon_run(&o);
}
