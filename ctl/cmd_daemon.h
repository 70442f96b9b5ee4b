/*
 * What the offline commands ask of the running daemon (the daemon's own
 * commands are rows of the command table, urlctl.h).
 */
#ifndef UE_CMD_DAEMON_H
#define UE_CMD_DAEMON_H

/* `urlctl test URL` without -p: the daemon's policy decides. */
int cmd_test_daemon(const char *sock, const char *url, const char *client, const char *method);

#endif
