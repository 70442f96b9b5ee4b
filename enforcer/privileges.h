/*
 * After set-up the daemon keeps only the capabilities it still uses:
 * CAP_BPF (every bpf() call on this kernel: blocklist entries, heartbeat,
 * QUIC clients, counters) and CAP_NET_ADMIN (detaching TC at exit). Sockets,
 * maps and programs opened before keep working. Capabilities are per
 * thread: call before starting the workers, which inherit the reduced set.
 */
#ifndef UE_PRIVILEGES_H
#define UE_PRIVILEGES_H

/* 0, or -EPERM when the kernel refused (the daemon then goes on as it is). */
int privileges_drop(void);

#endif
