/*
 * urlctl commands that ask the running daemon (SPEC section 6), rows of
 * the command table (urlctl.h): each returns urlctl's exit status.
 */
#ifndef UE_CMD_DAEMON_H
#define UE_CMD_DAEMON_H

#include "ctl/urlctl.h"

int cmd_status(const struct ctl_env *env, int argc, char **argv);
int cmd_stats(const struct ctl_env *env, int argc, char **argv);
int cmd_blocks(const struct ctl_env *env, int argc, char **argv);
int cmd_unblock(const struct ctl_env *env, int argc, char **argv);
int cmd_mode(const struct ctl_env *env, int argc, char **argv);
int cmd_apply(const struct ctl_env *env, int argc, char **argv);
/* `urlctl test URL` without -p: the daemon's policy decides. */
int cmd_test_daemon(const char *sock, const char *url, const char *client, const char *method);

#endif
