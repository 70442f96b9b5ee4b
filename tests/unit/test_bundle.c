/* Fleet bundles: a policy with includes and lists packed and unpacked to the same files; hostile bundles refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/bundle_pack.h"
#include "policies/policy.h"
#include "tests/harness.h"

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ASSERT_NONNULL(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *dir, const char *name)
{
	static char buf[4096];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* A policy in SRC/pol: main.rules includes sub/more.rules, which names ../lists/a.txt. */
static void make_policy(char *src)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/pol", src);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/pol/sub", src);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/pol/lists", src);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/pol", src);
	write_file(path, "main.rules", "include sub/more.rules\ninclude sub/more.rules\n"
		   "block domain a.test\n");
	write_file(path, "sub/more.rules", "block domain-list ../lists/a.txt id=list\n");
	write_file(path, "lists/a.txt", "listed.test\n");
}

void test_bundle_pack_unpack_round_trip(void)
{
	char src[] = "/tmp/ue-bundle-XXXXXX", top[600], out[600], *policy = NULL, why[256];
	struct bundle b, again;
	struct policy *p;
	char digest[BUNDLE_DIGEST_LEN];

	ASSERT_NONNULL(mkdtemp(src));
	make_policy(src);
	snprintf(top, sizeof(top), "%s/pol/main.rules", src);
	ASSERT_OK(bundle_pack(top, &b, NULL));
	ASSERT_EQ(b.n_files, 3);            /* the file included twice is packed once */
	ASSERT_STREQ(b.policy, "main.rules");
	ASSERT_EQ(strncmp(b.digest, "sha256:", 7), 0);
	ASSERT_EQ(strlen(b.digest), 7 + 64);
	bundle_digest(b.data, b.size, digest);
	ASSERT_STREQ(digest, b.digest);
	ASSERT_OK(bundle_pack(top, &again, NULL));
	ASSERT_STREQ(again.digest, b.digest);    /* the same files, the same digest */
	bundle_release(&again);

	snprintf(out, sizeof(out), "%s/unpacked", src);
	ASSERT_OK(bundle_unpack(b.data, b.size, out, &policy, why, sizeof(why)));
	ASSERT_STREQ(read_file(out, "sub/more.rules"), "block domain-list ../lists/a.txt id=list\n");
	ASSERT_STREQ(read_file(out, "lists/a.txt"), "listed.test\n");
	p = policy_load(policy, NULL);
	ASSERT_NONNULL(p);
	policy_free(p);
	free(policy);
	/* unpacking again into the same folder: refused, it exists */
	ASSERT_NE(bundle_unpack(b.data, b.size, out, &policy, why, sizeof(why)), 0);
	bundle_release(&b);
	ASSERT_OK(bundle_remove_dir(src));
	ASSERT_NE(access(src, F_OK), 0);
}

void test_bundle_pack_refuses_files_outside_the_folder(void)
{
	char src[] = "/tmp/ue-bundle-XXXXXX", path[600];
	struct bundle b;
	FILE *diag = tmpfile();
	char text[512] = "";

	ASSERT_NONNULL(mkdtemp(src));
	snprintf(path, sizeof(path), "%s/pol", src);
	mkdir(path, 0755);
	write_file(src, "outside.txt", "x.test\n");
	write_file(path, "main.rules", "block domain-list ../outside.txt\n");
	snprintf(path, sizeof(path), "%s/pol/main.rules", src);
	ASSERT_EQ(bundle_pack(path, &b, diag), -EXDEV);
	rewind(diag);
	ASSERT_NONNULL(fgets(text, sizeof(text), diag));
	ASSERT_NONNULL(strstr(text, "outside.txt: outside the policy's folder"));
	fclose(diag);
	/* an invalid policy is never packed */
	write_file(src, "pol/main.rules", "block nothing\n");
	ASSERT_EQ(bundle_pack(path, &b, NULL), -EINVAL);
	bundle_remove_dir(src);
}

/* Each hostile bundle is refused with its reason, and nothing lands outside DIR. */
void test_bundle_unpack_refuses_hostile_bundles(void)
{
	static const struct {
		const char *bytes;
		const char *why;
	} cases[] = {
		{ "url-enforcer-bundle 2\nfile 1 a\nx", "not a url-enforcer bundle" },
		{ "url-enforcer-bundle 1\n", "an empty bundle" },
		{ "url-enforcer-bundle 1\nfile 1 ../escape\nx", "refused path \"../escape\"" },
		{ "url-enforcer-bundle 1\nfile 1 /etc/escape\nx", "refused path \"/etc/escape\"" },
		{ "url-enforcer-bundle 1\nfile 1 a/./b\nx", "refused path" },
		{ "url-enforcer-bundle 1\nfile 1 a//b\nx", "refused path" },
		{ "url-enforcer-bundle 1\nfile 1 a/\nx", "refused path" },
		{ "url-enforcer-bundle 1\nfile 1 a\x1b[2Jb\nx", "refused path" },
		{ "url-enforcer-bundle 1\nfile 9 a\nx", "a: 9 bytes announced, 1 left" },
		{ "url-enforcer-bundle 1\nfile 1 a\nxfile 1 a\ny", "a: packed twice" },
		{ "url-enforcer-bundle 1\nfile 1 a\nxfile 1 a/b\ny", "a/b: Not a directory" },
		{ "url-enforcer-bundle 1\nfile -1 a\nx", "bad header line" },
		{ "url-enforcer-bundle 1\nfile 99999999999999999999 a\nx", "bad header line" },
		{ "url-enforcer-bundle 1\nfile 1 a", "no header line" },
	};
	char tmp[] = "/tmp/ue-bundle-XXXXXX", dir[600], *policy, why[256];

	ASSERT_NONNULL(mkdtemp(tmp));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/u%zu", tmp, i);
		why[0] = 0;
		ASSERT_NE(bundle_unpack((const uint8_t *)cases[i].bytes, strlen(cases[i].bytes), dir,
					&policy, why, sizeof(why)), 0);
		ASSERT_NULL(policy);
		if (!strstr(why, cases[i].why))
			harness_fail(__FILE__, __LINE__, "case %zu: \"%s\", expected \"%s\"", i, why,
				     cases[i].why);
	}
	snprintf(dir, sizeof(dir), "%s/escape", tmp);
	ASSERT_NE(access(dir, F_OK), 0);
	ASSERT_NE(access("/etc/escape", F_OK), 0);
	bundle_remove_dir(tmp);
}

/* An installed service's list travels as services/NAME.list beside the rule file, where a gateway looks first. */
void test_bundle_pack_carries_installed_service_lists(void)
{
	char src[] = "/tmp/ue-bundle-XXXXXX", dir[600], top[600], out[600], *policy = NULL;
	char why[256];
	const char *old = getenv("URL_ENFORCER_SERVICES");
	char *saved = old ? strdup(old) : NULL;
	struct bundle b;
	struct policy *p;

	ASSERT_NONNULL(mkdtemp(src));
	snprintf(dir, sizeof(dir), "%s/installed", src);
	mkdir(dir, 0755);
	write_file(dir, "tube.list", "tube.test\n");
	snprintf(dir, sizeof(dir), "%s/pol", src);
	mkdir(dir, 0755);
	write_file(dir, "main.rules", "block service tube id=tube\n");
	snprintf(dir, sizeof(dir), "%s/installed", src);
	setenv("URL_ENFORCER_SERVICES", dir, 1);
	snprintf(top, sizeof(top), "%s/pol/main.rules", src);
	ASSERT_OK(bundle_pack(top, &b, NULL));
	ASSERT_EQ(b.n_files, 2);
	/* on the gateway, nothing installed: the bundle's copy serves */
	snprintf(dir, sizeof(dir), "%s/none", src);
	setenv("URL_ENFORCER_SERVICES", dir, 1);
	snprintf(out, sizeof(out), "%s/unpacked", src);
	ASSERT_OK(bundle_unpack(b.data, b.size, out, &policy, why, sizeof(why)));
	ASSERT_STREQ(read_file(out, "services/tube.list"), "tube.test\n");
	p = policy_load(policy, NULL);
	if (saved)
		setenv("URL_ENFORCER_SERVICES", saved, 1);
	else
		unsetenv("URL_ENFORCER_SERVICES");
	free(saved);
	ASSERT_NONNULL(p);
	policy_free(p);
	free(policy);
	bundle_release(&b);
	bundle_remove_dir(src);
}
