/*
 * Offline input: every frame of a pcap (or pcapng) file handed to a
 * callback (a pipeline's, offline.c), in file order, with the file's
 * timestamps. Frames ask for their checksums to be verified: a file holds
 * packets as they were on the wire, except captures taken on the sending
 * host, whose offloaded checksums were never filled in (offline.c warns).
 */
#ifndef UE_PCAP_SOURCE_H
#define UE_PCAP_SOURCE_H

#include <pcap/pcap.h>

#include "enforcer/capture/frame.h"

/*
 * PATH opened for reading with nanosecond timestamps, through a 1 MiB stdio
 * buffer (libpcap's default 4 KiB one costs a read() every few frames).
 * Returns NULL with the reason on stderr.
 */
pcap_t *pcap_source_open(const char *path);

/*
 * Returns 0 at the end of the file; -ENOENT/-EACCES/-EINVAL (not a capture,
 * an unsupported link type, a damaged file) with the reason on stderr.
 */
int pcap_source_run(const char *path, frame_fn fn, void *arg);

#endif
