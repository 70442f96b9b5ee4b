/*
 * The daemon's command line (url-enforcer(8)), parsed once by main.c and read
 * by the mode that runs: offline (--pcap) or live (-i).
 */
#ifndef UE_OPTIONS_H
#define UE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "enforcer/capture/port_set.h"

#define OPTIONS_MAX_INTERFACES 16

/* How the workers get the tapped frames (--capture). */
enum capture_mode {
	CAPTURE_BPF_RING,                 /* the tap's ring buffer a worker (default) */
	CAPTURE_TPACKET,                  /* a TPACKET_V3 ring a socket, 1 ms block timer */
	CAPTURE_FRAME,                    /* one recvmsg a frame */
};

#define OPTIONS_RING_SIZE_DEFAULT (8u << 20)

/* Which TCP checksums count (--checksums). */
enum checksums_mode {
	CHECKSUMS_AUTO,     /* verify, but trust a sender whose capture shows offload (default) */
	CHECKSUMS_VERIFY,   /* a segment with a wrong checksum never counts */
	CHECKSUMS_NONE,     /* every segment counts */
};

struct options {
	const char *interfaces[OPTIONS_MAX_INTERFACES];
	unsigned n_interfaces;
	const char *policy_path;
	bool audit;                       /* -m audit */
	const char *socket_path;
	const char *log_path;             /* "-": stdout */
	bool log_all;
	struct port_set http_ports;
	struct port_set tls_ports;
	const char *pcap_path;
	unsigned workers;                 /* 0: online CPUs */
	uint32_t blocklist_size;
	uint32_t idle_timeout;            /* seconds */
	uint32_t max_flows;               /* per worker */
	bool hold;
	bool fail_closed;
	bool overflow_block;              /* --on-overflow block */
	enum checksums_mode checksums;
	enum capture_mode capture;
	uint32_t ring_size;               /* bytes, each worker's BPF ring */
	const char *state_dir;            /* what outlives a restart */
	const char *nats_servers;         /* --nats URL[,URL...]: join a fleet; NULL: none */
	const char *nats_creds;           /* --nats-creds FILE */
	const char *nats_ca;              /* --nats-ca FILE */
	const char *name;                 /* --name: this gateway in the fleet */
	uint64_t nats_spool;              /* --nats-spool: bytes */
};

/* --pcap: replay the file, print decisions; returns the exit status. */
int offline_run(const struct options *o);

#endif
