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
#define UE_VERSION "0.1.0"

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
	const char *state_dir;            /* --state-dir: pauses, report counters */
};

/* --pcap: replay the file, print decisions; returns the exit status. */
int offline_run(const struct options *o);

#endif
