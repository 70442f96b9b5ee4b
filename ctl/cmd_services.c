/* urlctl services: the names `service` rules know, read here, no daemon. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl/render.h"
#include "ctl/urlctl.h"
#include "common/ctl_proto.h"
#include "policies/policy.h"

static int service_row(const char *name, const char *path, unsigned long domains, void *arg)
{
	json_t *row = json_pack("{s:s, s:I, s:s}", "service", name, "domains",
				(json_int_t)domains, "list", path);

	return row ? json_array_append_new(arg, row) : -1;
}

int cmd_services(const struct ctl_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	enum out_format fmt = OUT_TEXT;
	const char *policy = NULL;
	json_t *rows;
	int opt, err;

	(void)env;
	while ((opt = getopt_long(argc, argv, "p:", longopts, NULL)) != -1) {
		if (opt == 'p')
			policy = optarg;
		else if (opt == 'j')
			fmt = OUT_JSON;
		else
			return CTL_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr, "urlctl services: unexpected \"%s\"\n", argv[optind]);
		return CTL_USAGE;
	}
	rows = json_array();
	err = rows ? policy_services(policy, service_row, rows) : -1;
	if (!err)
		render(stdout, SHAPE_TABLE, fmt, rows);
	json_decref(rows);
	if (err)
		fprintf(stderr, "urlctl services: out of memory\n");
	return err ? CTL_FAILED : CTL_OK;
}
