/* urlctl services: the names `service` rules know, read here, no daemon. */
#include <stdio.h>

#include "ctl/urlctl.h"
#include "policies/policy.h"

static int service_row(const char *name, const char *path, unsigned long domains, void *arg)
{
	json_t *row = json_pack("{s:s, s:I, s:s}", "service", name, "domains",
				(json_int_t)domains, "list", path);

	return row ? json_array_append_new(arg, row) : -1;
}

int cmd_services(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	json_t *rows = json_array();
	int err = rows ? policy_services(ctl_value(c, a, "policy"), service_row, rows) : -1;

	(void)env;
	if (!err)
		render(stdout, c->shape, a->format, rows);
	json_decref(rows);
	if (err)
		fprintf(stderr, "urlctl services: out of memory\n");
	return err ? CTL_FAILED : CTL_OK;
}
