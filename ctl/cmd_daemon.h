/*
 * urlctl commands that ask the running daemon (SPEC section 6). Each takes
 * the control socket path and the command's argv (argv[0] = command name)
 * and returns urlctl's exit status (enum ctl_status).
 */
#ifndef UE_CMD_DAEMON_H
#define UE_CMD_DAEMON_H

int cmd_status(const char *sock, int argc, char **argv);
int cmd_stats(const char *sock, int argc, char **argv);
int cmd_blocks(const char *sock, int argc, char **argv);
int cmd_unblock(const char *sock, int argc, char **argv);
int cmd_mode(const char *sock, int argc, char **argv);
int cmd_apply(const char *sock, int argc, char **argv);
/* `urlctl test URL` without -p: the daemon's policy decides. */
int cmd_test_daemon(const char *sock, const char *url, const char *client, const char *method);

#endif
