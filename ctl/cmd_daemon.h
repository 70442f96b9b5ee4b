/*
 * What the offline commands ask of the running daemon (the daemon's own
 * commands are rows of the command table, urlctl.h).
 */
#ifndef UE_CMD_DAEMON_H
#define UE_CMD_DAEMON_H

#include <stdbool.h>

#include "common/ctl_proto.h"
#include "ctl/render.h"

/* Parses [--json], and [--prometheus] where PROMETHEUS_OK; -1: usage error. */
int parse_format(int argc, char **argv, bool prometheus_ok, enum out_format *fmt);

/* Sends request TYPE with the N ARGS, renders the rows it gets back in
 * SHAPE and FMT on stdout; urlctl's exit status. */
int query_args(const char *sock, enum ctl_type type, enum out_shape shape,
	       enum out_format fmt, const char *const *args, unsigned n);

/* `urlctl test URL` without -p: the daemon's policy decides. */
int cmd_test_daemon(const char *sock, const char *url, const char *client, const char *method);

#endif
