/* urlctl's side of the control protocol (common/ctl_proto.h). */
#ifndef UE_CTL_CLIENT_H
#define UE_CTL_CLIENT_H

#include <stdint.h>

#include "common/ctl_proto.h"

/* Called for each CTL_REC_ROW; BEGIN..END are the row's encoded fields. */
typedef void (*ctl_row_fn)(void *arg, const uint8_t *begin, const uint8_t *end);

/*
 * Sends REQ to the daemon at SOCKET_PATH, hands each row to ON_ROW, prints
 * each message line on stderr. Returns the daemon's status, or CTL_UNREACHABLE
 * (with a message) when no daemon answers, CTL_FAILED on a broken reply.
 */
int ctl_request(const char *socket_path, struct ctl_msg *req, ctl_row_fn on_row, void *arg);

/* Called for each CTL_REC_MSG line. */
typedef void (*ctl_line_fn)(void *arg, const char *line);

/* ctl_request, with each message line handed to ON_LINE instead of stderr. */
int ctl_request_msgs(const char *socket_path, struct ctl_msg *req, ctl_row_fn on_row,
		     ctl_line_fn on_line, void *arg);

#endif
