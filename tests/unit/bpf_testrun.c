/* BPF_PROG_TEST_RUN for the kernel-program tests. */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "tests/harness.h"
#include "tests/unit/bpf_testrun.h"

int bpf_testrun(int prog_fd, const void *frame, size_t len, uint32_t mark,
		uint32_t *retval)
{
	struct __sk_buff ctx = { .mark = mark };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

void bpf_load_failed(const char *what, int err)
{
	harness_fail(__FILE__, __LINE__, "%s: load refused as root: %s%s", what, strerror(err),
		     err == EACCES ? " (the verifier rejected it)" : "");
}
