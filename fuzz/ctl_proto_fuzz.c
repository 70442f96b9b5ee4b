/*
 * libFuzzer: the control protocol as the daemon and urlctl read it
 * (common/ctl_proto.c): any bytes as a message, then its arguments and
 * fields walked to the end. Nothing may be read outside the buffer, and a
 * message that passes the checks must walk to its end or report -EPROTO.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end, *pos;
	uint8_t *copy;
	const char *why, *arg;
	struct ctl_field f;
	int type, rc;

	/* an exact-size heap copy, so ASan sees any read past the message */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	type = ctl_msg_check(copy, size, &why);
	if (type < 0) {
		if (type != -EPROTO || !why)
			abort();
		free(copy);
		return 0;
	}
	end = copy + size;
	pos = copy + sizeof(struct ctl_hdr);
	while ((rc = ctl_arg_next(&pos, end, &arg)) == 1)
		if (strlen(arg) >= (size_t)(end - (const uint8_t *)arg))
			abort();
	if (rc != 0 && rc != -EPROTO)
		abort();
	pos = copy + sizeof(struct ctl_hdr);
	while ((rc = ctl_field_next(&pos, end, &f)) == 1)
		if (pos > end)
			abort();
	if (rc != 0 && rc != -EPROTO)
		abort();
	free(copy);
	return 0;
}
