/*
 * Makes the next unique PACKET_FANOUT group id the kernel hands out 0, as on
 * the first start after boot, for tests/e2e/exactly_once.sh:
 *   ip netns exec NS fanout_id_zero
 * run in the namespace the daemon starts in next (one without fanout
 * groups). Exit 0, or 1 with the reason on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/fanout_id.h"

int main(void)
{
	int err = fanout_next_unique_id_zero();

	if (err) {
		fprintf(stderr, "fanout_id_zero: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
