/* Running the kernel programs once over a test frame (BPF_PROG_TEST_RUN). */
#ifndef UE_TESTS_BPF_TESTRUN_H
#define UE_TESTS_BPF_TESTRUN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runs prog_fd once over frame (Ethernet header first) with skb->mark set
 * to mark; *retval gets the program's return. 0 or -errno.
 */
int bpf_testrun(int prog_fd, const void *frame, size_t len, uint32_t mark,
		uint32_t *retval);

/*
 * After a loader returned NULL with errno = err: fails the test. Kernel
 * tests run as root only (require_root), where every refusal is a fault:
 * EACCES is the verifier rejecting a program, which no skip may hide.
 */
void bpf_load_failed(const char *what, int err) __attribute__((noreturn));

#endif
