/*
 * urlctl's commands. Each is a row of the table in urlctl.c: its name, its
 * arguments for the usage text, a line of help and the function that runs
 * it. A command returns urlctl's exit status (enum ctl_status: 0 ok,
 * 1 failure or invalid policy, 2 usage, 3 daemon not reachable).
 */
#ifndef UE_URLCTL_H
#define UE_URLCTL_H

#include <stdio.h>

struct ctl_env {
	const char *socket;         /* -s SOCKET, or the default */
};

struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(const struct ctl_env *env, int argc, char **argv);  /* argv[0]: the name */
};

/* Offline, from a rule file (cmd_policy.c). */
int cmd_check(const struct ctl_env *env, int argc, char **argv);
int cmd_test(const struct ctl_env *env, int argc, char **argv);
int cmd_services(const struct ctl_env *env, int argc, char **argv);   /* cmd_services.c */
/* Internet off (cmd_pause.c). */
int cmd_pause(const struct ctl_env *env, int argc, char **argv);
int cmd_resume(const struct ctl_env *env, int argc, char **argv);
int cmd_paused(const struct ctl_env *env, int argc, char **argv);
/* Asking the running daemon (cmd_daemon.c, urlctl(8)). */
int cmd_status(const struct ctl_env *env, int argc, char **argv);
int cmd_stats(const struct ctl_env *env, int argc, char **argv);
int cmd_blocks(const struct ctl_env *env, int argc, char **argv);
int cmd_unblock(const struct ctl_env *env, int argc, char **argv);
int cmd_mode(const struct ctl_env *env, int argc, char **argv);
int cmd_apply(const struct ctl_env *env, int argc, char **argv);

/* A fleet on NATS JetStream (cmd_fleet.c). */
int cmd_publish(const struct ctl_env *env, int argc, char **argv);
int cmd_fleet(const struct ctl_env *env, int argc, char **argv);

/* Prints the usage to F. */
void urlctl_usage(FILE *f);

#endif
