/* Packing a policy into a bundle (bundle_pack.h); the format is common/bundle.h's. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bundle_pack.h"
#include "policies/policy.h"

struct packer {
	FILE *out;
	FILE *diag;
	char dir[BUNDLE_PATH_MAX];  /* the policy's folder: "" when named without one */
	char **names;               /* relative paths already packed */
	unsigned n_names;
	struct bundle *b;
};

static void __attribute__((format(printf, 2, 3))) say(FILE *diag, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	va_start(ap, fmt);
	vfprintf(diag, fmt, ap);
	va_end(ap);
}

static bool packed(struct packer *pk, const char *rel)
{
	for (unsigned i = 0; i < pk->n_names; i++)
		if (!strcmp(pk->names[i], rel))
			return true;
	return false;
}

/* PATH as the bundle's BESIDE: an installed service list travels as services/NAME.list. */
static int pack_file(const char *path, const char *beside, void *arg)
{
	struct packer *pk = arg;
	char rel[BUNDLE_PATH_MAX], *copy, **names;
	int err = bundle_relative(pk->dir, beside, rel, sizeof(rel));

	if (err) {
		say(pk->diag, "%s: outside the policy's folder%s%s: a bundle carries only what "
		    "lies under it\n", path, *pk->dir ? " " : "", pk->dir);
		return err;
	}
	if (packed(pk, rel))
		return 0;               /* included twice: packed once */
	err = bundle_append(pk->out, rel, path);
	if (err) {
		say(pk->diag, "%s: %s\n", path, err == -EIO ? "changed while it was read" :
		    strerror(-err));
		return err;
	}
	copy = strdup(rel);
	names = realloc(pk->names, (pk->n_names + 1) * sizeof(*names));
	if (names)
		pk->names = names;
	if (!copy || !names) {
		free(copy);
		return -ENOMEM;
	}
	pk->names[pk->n_names++] = copy;
	if (pk->b->n_files++ == 0)
		snprintf(pk->b->policy, sizeof(pk->b->policy), "%s", rel);
	return 0;
}

int bundle_pack(const char *path, struct bundle *b, FILE *diag)
{
	struct packer pk = { .diag = diag, .b = b };
	struct policy *p = policy_load(path, diag);
	const char *slash = strrchr(path, '/');
	int err;

	memset(b, 0, sizeof(*b));
	if (!p)
		return -EINVAL;
	if (slash)
		snprintf(pk.dir, sizeof(pk.dir), "%.*s", slash == path ? 1 : (int)(slash - path),
			 path);
	pk.out = open_memstream((char **)&b->data, &b->size);
	if (!pk.out) {
		policy_free(p);
		return -errno;
	}
	fputs(BUNDLE_MAGIC, pk.out);
	err = policy_files(p, pack_file, &pk);
	if (fclose(pk.out) && !err)
		err = -ENOMEM;
	policy_free(p);
	for (unsigned i = 0; i < pk.n_names; i++)
		free(pk.names[i]);
	free(pk.names);
	if (err) {
		bundle_release(b);
		return err;
	}
	bundle_digest(b->data, b->size, b->digest);
	return 0;
}
