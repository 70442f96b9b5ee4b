/*
 * A TCP session's position as the stream layer reads it (pipeline.h keeps
 * it per flow); what a RST or block page must carry (inject.h).
 */
#ifndef UE_SESSION_POSITION_H
#define UE_SESSION_POSITION_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Where the session stands, read from its latest client->server segment.
 * WITHHELD: that segment never reached the server (--hold dropped it), so the
 * server still expects SEQ, not SEQ + LEN, and its RST must carry that.
 */
struct session_position {
	uint32_t seq;         /* the segment's sequence number */
	uint32_t len;         /* its payload length */
	uint32_t ack;         /* its acknowledgment number: the server's next sequence number */
	bool withheld;
};

#endif
