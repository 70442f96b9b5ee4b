/*
 * urlctl: checks and tests rule files offline and (through the daemon's
 * control socket) inspects and steers a running url-enforcer. The command
 * table below is the one place that knows every command; a command's code
 * lives in its own file (cmd_policy.c for the offline ones).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl/urlctl.h"
#include "common/ctl_proto.h"

static int cmd_help(const struct ctl_env *env, int argc, char **argv);

static const struct command commands[] = {
	{ "check", "FILE", "validate; no daemon needed", cmd_check },
	{ "test", "[-p FILE [-v]] [--client IP] [--method M] [--time 'YYYY-MM-DD HH:MM'] URL",
	  "the decision and the deciding rule\n(offline with -p, else the daemon's policy)",
	  cmd_test },
	{ "apply", "FILE", "validate, then atomically replace the\n"
	  "daemon's policy; invalid: the old one stays", cmd_apply },
	{ "status", "[--json]", "mode, interfaces, policy, rule count, uptime", cmd_status },
	{ "stats", "[--json|--prometheus]", "counters (packets tapped, requests parsed,\n"
	  "decisions by action, drops in kernel, ...)", cmd_stats },
	{ "blocks", "[--json]", "active blocked sessions", cmd_blocks },
	{ "unblock", "all|IP", "remove blocklist entries", cmd_unblock },
	{ "mode", "enforce|audit", "switch at run time", cmd_mode },
	{ "pause", "CLIENT|@GROUP [--for DUR|--until HH:MM]",
	  "internet off for those clients", cmd_pause },
	{ "resume", "CLIENT|@GROUP|all", "end pauses", cmd_resume },
	{ "paused", "[--json]", "current pauses and when they end", cmd_paused },
	{ "services", "[-p FILE] [--json]", "the service names `service` rules know\n"
	  "(beside FILE, then installed) and their domains", cmd_services },
	{ "publish", "FILE --nats URL", "send a policy to a fleet", cmd_publish },
	{ "fleet", "[--json] --nats URL", "gateways, their policy and last contact", cmd_fleet },
	{ "help", "", "this text", cmd_help },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))
#define HELP_COL 36

void urlctl_usage(FILE *f)
{
	fprintf(f, "usage: urlctl [-s SOCKET] COMMAND ...\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct command *c = &commands[i];
		int w = fprintf(f, "  %s %s", c->name, c->args);

		/* help lines start in one column; a long synopsis gets its own line */
		for (const char *h = c->help; *h;) {
			size_t n = strcspn(h, "\n");

			if (w >= HELP_COL) {
				fputc('\n', f);
				w = 0;
			}
			fprintf(f, "%*s%.*s", HELP_COL - w, "", (int)n, h);
			w = HELP_COL;
			h += n + (h[n] == '\n');
		}
		fputc('\n', f);
	}
	fprintf(f, "  -s SOCKET%*sthe daemon's control socket\n%*s(default %s)\n"
		"exit status: 0 success, 1 failure or invalid policy, 2 usage error,\n"
		"3 daemon not reachable\n", HELP_COL - 11, "", HELP_COL, "", CTL_SOCKET_DEFAULT);
}

static int cmd_help(const struct ctl_env *env, int argc, char **argv)
{
	(void)env;
	(void)argc;
	(void)argv;
	urlctl_usage(stdout);
	return CTL_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ctl_env env = { .socket = CTL_SOCKET_DEFAULT };
	int opt;

	/* '+': stop at the command, whose own options follow it */
	while ((opt = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			env.socket = optarg;
			break;
		case 'h':
			urlctl_usage(stdout);
			return CTL_OK;
		default:
			urlctl_usage(stderr);
			return CTL_USAGE;
		}
	}
	if (optind == argc) {
		urlctl_usage(stderr);
		return CTL_USAGE;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			int cargc = argc - optind;
			char **cargv = argv + optind;

			optind = 0;         /* the command parses its own options */
			return commands[i].run(&env, cargc, cargv);
		}
	}
	fprintf(stderr, "urlctl: unknown command \"%s\"\n", argv[optind]);
	urlctl_usage(stderr);
	return CTL_USAGE;
}
