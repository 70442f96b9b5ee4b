/*
 * urlctl's commands are rows of one table (urlctl.c): name, arguments,
 * options, output formats, the daemon request it makes and the function
 * that runs it. The command line, the usage errors, each command's --help
 * and the shell completion all come from the rows (command_line.c), so a
 * new command is a row and, unless it is a plain daemon query, a handler.
 * A handler returns urlctl's exit status (enum ctl_status: 0 ok,
 * 1 failure or invalid policy, 2 usage, 3 daemon not reachable).
 */
#ifndef UE_URLCTL_H
#define UE_URLCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "ctl/render.h"
#include "common/ctl_proto.h"
#include "common/request_text.h"

#define CTL_MAX_OPTIONS 8

/*
 * An option besides the ones every command has (--help, and --json or
 * --prometheus where the row's formats allow them).
 */
struct ctl_option {
	const char *name;       /* --NAME */
	char letter;            /* -LETTER too, or 0 */
	const char *arg;        /* its value's name in the usage ("FILE"); NULL: a flag */
	const char *words;      /* values completion offers, space separated; NULL: none */
	const char *help;
	bool required;          /* the command cannot go without it */
};

struct ctl_env {
	const char *socket;     /* -s SOCKET, or the default */
};

/* A command line as its row parsed it. */
struct ctl_args {
	enum out_format format;
	const char *value[CTL_MAX_OPTIONS];  /* options[i]'s value, "" for a flag; NULL: not given */
	int argc;                            /* the positional arguments */
	char **argv;
};

struct ctl_command {
	const char *name;
	/*
	 * The positional arguments as the usage shows them, alternatives
	 * separated by '|': lower-case words are literal ("all"), upper-case
	 * ones placeholders ("IP"; "FILE" completes file names). A first
	 * argument whose alternatives are all literal must be one of them.
	 */
	const char *args;
	int min_args, max_args;
	const char *help;       /* what it does, one or more '\n'-separated lines */
	unsigned formats;       /* bits 1 << OUT_JSON, 1 << OUT_PROMETHEUS beside text */
	struct ctl_option options[CTL_MAX_OPTIONS];   /* up to the first without a name */
	enum ctl_type request;  /* for ctl_query(): what it asks the daemon, */
	enum out_shape shape;   /* and how the answer is shown */
	int (*run)(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
};

/* The table (urlctl.c). */
extern const struct ctl_command ctl_commands[];
extern const unsigned ctl_n_commands;

/* command_line.c */
const struct ctl_command *ctl_command_find(const char *name);
/* Parses ARGC/ARGV (argv[0]: the command's name) by C's row: 0, or an exit status to return. */
int ctl_parse(const struct ctl_command *c, int argc, char **argv, struct ctl_args *a, int *status);
/* The value of C's option NAME in A; NULL when not given ("" for a flag given). */
const char *ctl_value(const struct ctl_command *c, const struct ctl_args *a, const char *name);
/* Prints "urlctl NAME: WHY" (one line) to stderr; returns CTL_USAGE. */
int ctl_usage_error(const struct ctl_command *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* `urlctl --help`: every command with its usage and help. */
void ctl_usage(FILE *f);
/* `urlctl COMMAND --help`. */
void ctl_command_help(FILE *f, const struct ctl_command *c);
/* For shell completion: C's options and argument values, one a line (C NULL: urlctl's own). */
void ctl_words(FILE *f, const struct ctl_command *c);

/* Sends REQ to the daemon, shows the rows that come back as SHAPE in FORMAT (cmd_daemon.c). */
int ctl_ask(const char *sock, struct ctl_msg *req, enum out_shape shape, enum out_format format);
/* The handlers: a daemon query made and shown as the row says (cmd_daemon.c). */
int ctl_query(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
int cmd_apply(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
/* `urlctl test` without -p: the daemon judges T (at WHEN; 0: now). */
int ctl_test_daemon(const struct ctl_env *env, const struct request_text *t, time_t when);
/* Rule files judged here (cmd_policy.c); test without -p asks the daemon. */
int cmd_check(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
int cmd_test(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
int cmd_services(const struct ctl_command *c, const struct ctl_env *env,
		 const struct ctl_args *a);  /* cmd_services.c */
/* urlctl pause: the end time worked out here (cmd_pause.c). */
int cmd_pause(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
/* urlctl report: rows assembled into one object a client (cmd_report.c). */
int cmd_report(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
/* A fleet on NATS JetStream (cmd_fleet.c). */
int cmd_publish(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);
int cmd_fleet(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);

/* The report's rows as `urlctl report --json` prints them: one object a
 * client, its top sites sorted (cmd_report.c). */
json_t *report_clients_json(json_t *rows);
/* The dashboard (web.c). */
int cmd_web(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a);

#endif
