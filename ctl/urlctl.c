/*
 * urlctl: checks and tests rule files offline and (through the daemon's
 * control socket) inspects and steers a running url-enforcer. The command
 * table below is the one place that knows every command (urlctl.h says what
 * a row holds); a command's code lives in its own file (cmd_policy.c for
 * the rule files, cmd_daemon.c for the daemon).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl/urlctl.h"

static int cmd_help(const struct ctl_command *c, const struct ctl_env *env,
		    const struct ctl_args *a);

/* publish and fleet: where the fleet's NATS servers are */
#define FLEET_OPTIONS \
	{ "nats", 0, "URL", NULL, "the NATS servers, URL[,URL...]", .required = true }, \
	{ "nats-creds", 0, "FILE", NULL, "NATS credentials" }, \
	{ "nats-ca", 0, "FILE", NULL, "the CA of the NATS servers' certificates" }
#define JSON (1u << OUT_JSON)
#define PROMETHEUS (1u << OUT_PROMETHEUS)

const struct ctl_command ctl_commands[] = {
	{ "check", "FILE", 1, 1, "validate; no daemon needed", .run = cmd_check },
	{ "test", "URL", 1, 1, "the decision and the deciding rule\n"
	  "(offline with -p, else the daemon's policy)", .options = {
		{ "policy", 'p', "FILE", NULL, "judge by the rules in FILE, here, not the daemon's" },
		{ "verbose", 'v', NULL, NULL, "with -p: first the rules whose regex ran" },
		{ "client", 0, "IP", NULL, "the client's address (default ::)" },
		{ "method", 0, "M", "GET HEAD POST PUT DELETE PATCH OPTIONS CONNECT",
		  "the HTTP method (default GET; http:// only)" },
		{ "time", 0, "'YYYY-MM-DD HH:MM'", NULL, "judge at this local time, not now" },
		{ "quic", 0, NULL, NULL, "an https:// URL as a QUIC connection's ClientHello" },
		{ "ech", 0, NULL, NULL, "an https:// URL as a ClientHello with Encrypted\n"
		  "Client Hello, the host its outer (public) name" },
	  }, .run = cmd_test },
	{ "apply", "FILE", 1, 1, "validate, then atomically replace the\n"
	  "daemon's policy; invalid: the old one stays", .request = CTL_REQ_APPLY,
	  .shape = SHAPE_RECORD, .run = cmd_apply },
	{ "status", "", 0, 0, "mode, interfaces, policy, rule count, uptime", .formats = JSON,
	  .request = CTL_REQ_STATUS, .shape = SHAPE_RECORD, .run = ctl_query },
	{ "stats", "", 0, 0, "counters (packets tapped, requests parsed,\n"
	  "decisions by action, drops in kernel, ...)", .formats = JSON | PROMETHEUS,
	  .request = CTL_REQ_STATS, .shape = SHAPE_METRICS, .run = ctl_query },
	{ "blocks", "", 0, 0, "active blocked sessions", .formats = JSON,
	  .request = CTL_REQ_BLOCKS, .shape = SHAPE_TABLE, .run = ctl_query },
	{ "unblock", "all|IP", 1, 1, "remove blocklist entries",
	  .request = CTL_REQ_UNBLOCK, .shape = SHAPE_RECORD, .run = ctl_query },
	{ "mode", "enforce|audit", 1, 1, "switch at run time",
	  .request = CTL_REQ_MODE, .shape = SHAPE_RECORD, .run = ctl_query },
	{ "pause", "CLIENT|@GROUP", 1, 1, "internet off for those clients", .options = {
		{ "for", 0, "DUR", NULL, "for so long: 90s, 30m, 1h30m, 2d" },
		{ "until", 0, "HH:MM", NULL, "until the next HH:MM, local time" },
	  }, .request = CTL_REQ_PAUSE, .shape = SHAPE_RECORD, .run = cmd_pause },
	{ "resume", "CLIENT|@GROUP|all", 1, 1, "end pauses",
	  .request = CTL_REQ_RESUME, .shape = SHAPE_RECORD, .run = ctl_query },
	{ "paused", "", 0, 0, "current pauses and when they end", .formats = JSON,
	  .request = CTL_REQ_PAUSED, .shape = SHAPE_TABLE, .run = ctl_query },
	{ "report", "", 0, 0, "per client: requests, blocks, top sites\n"
	  "allowed and blocked, first and last seen", .formats = JSON, .options = {
		{ "client", 0, "IP|@GROUP", NULL, "only these clients (an address, a prefix, a group)" },
		{ "since", 0, "DUR", NULL, "requests and blocks of the last DUR only (24h, 7d)" },
	  }, .request = CTL_REQ_REPORT, .run = cmd_report },
	{ "services", "", 0, 0, "the service names `service` rules know\n"
	  "(beside FILE, then installed) and their domains", .formats = JSON, .options = {
		{ "policy", 'p', "FILE", NULL, "the services beside FILE first" },
	  }, .shape = SHAPE_TABLE, .run = cmd_services },
	{ "publish", "FILE", 1, 1, "send a policy to a fleet", .options = { FLEET_OPTIONS },
	  .run = cmd_publish },
	{ "fleet", "", 0, 0, "gateways, their policy and last contact", .formats = JSON,
	  .options = { FLEET_OPTIONS }, .run = cmd_fleet },
	{ "web", "", 0, 0, "the dashboard (default 127.0.0.1:8380)", .options = {
		{ "listen", 0, "ADDR:PORT", NULL, "where to listen; beyond loopback needs --auth" },
		{ "auth", 0, "FILE", NULL, "user:crypt(3) hash lines; a login for every request" },
	  }, .run = cmd_web },
	{ "help", "COMMAND", 0, 1, "this text, or COMMAND's options", .options = {
		{ "words", 0, NULL, NULL, "for shell completion: the options and\n"
		  "arguments, one a line (of COMMAND, or urlctl's)" },
	  }, .run = cmd_help },
};

const unsigned ctl_n_commands = sizeof(ctl_commands) / sizeof(ctl_commands[0]);

static int cmd_help(const struct ctl_command *c, const struct ctl_env *env,
		    const struct ctl_args *a)
{
	const struct ctl_command *about = NULL;

	(void)env;
	if (a->argc && !(about = ctl_command_find(a->argv[0])))
		return ctl_usage_error(c, "no command \"%s\"", a->argv[0]);
	if (ctl_value(c, a, "words"))
		ctl_words(stdout, about);
	else if (about)
		ctl_command_help(stdout, about);
	else
		ctl_usage(stdout);
	return CTL_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct ctl_env env = { .socket = CTL_SOCKET_DEFAULT };
	const struct ctl_command *c;
	struct ctl_args a;
	int opt, status;

	/* '+': stop at the command, whose own options follow it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:s:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			env.socket = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return CTL_OK;
		case 'V':
			puts("urlctl " UE_VERSION);
			return CTL_OK;
		case ':':
			fprintf(stderr, "urlctl: %s needs a value (see urlctl --help)\n",
				argv[optind - 1]);
			return CTL_USAGE;
		default:
			fprintf(stderr, "urlctl: unknown option %s (see urlctl --help)\n",
				optopt ? (char[]){ '-', (char)optopt, 0 } : argv[optind - 1]);
			return CTL_USAGE;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "urlctl: no command (see urlctl --help)\n");
		return CTL_USAGE;
	}
	c = ctl_command_find(argv[optind]);
	if (!c) {
		fprintf(stderr, "urlctl: unknown command \"%s\" (see urlctl --help)\n", argv[optind]);
		return CTL_USAGE;
	}
	if (ctl_parse(c, argc - optind, argv + optind, &a, &status))
		return status;
	return c->run(c, &env, &a);
}
