/* Dropping what the daemon no longer needs (privileges.h), with libcap-ng. */
#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>

#include "common/log.h"
#include "enforcer/privileges.h"

int privileges_drop(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_BPF, CAP_NET_ADMIN,
			  -1) ||
	    capng_apply(CAPNG_SELECT_BOTH)) {
		log_warnx("could not drop capabilities; going on with those we have");
		return -EPERM;
	}
	log_info("capabilities kept: bpf, net_admin; all others dropped");
	return 0;
}
