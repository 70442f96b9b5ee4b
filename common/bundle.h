/*
 * A policy bundle (url-enforcer(8), FLEET): a rule file with its includes
 * and domain lists as one byte string that every gateway unpacks and
 * compiles exactly as it was published. Paths are relative to the policy's
 * folder, so the rule files' own include and domain-list lines find their
 * files again wherever the bundle is unpacked.
 *
 *   "url-enforcer-bundle 1\n"
 *   for each file: "file SIZE PATH\n", then SIZE bytes
 *
 * The first file is the policy itself (urlctl packs it: ctl/bundle_pack.c).
 * A bundle comes off the network on the gateways: bundle_unpack trusts
 * nothing in it (paths that climb out, absolute paths, repeated paths,
 * sizes past the end are refused).
 */
#ifndef UE_BUNDLE_H
#define UE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BUNDLE_MAGIC "url-enforcer-bundle 1\n"
#define BUNDLE_DIGEST_LEN 72        /* "sha256:" and 64 hex digits, NUL */
#define BUNDLE_PATH_MAX 1024

struct bundle {
	uint8_t *data;
	size_t size;
	char digest[BUNDLE_DIGEST_LEN];
	char policy[BUNDLE_PATH_MAX];   /* the first file's relative path */
	unsigned n_files;
};

void bundle_release(struct bundle *b);

/*
 * PATH (as a rule file names it) relative to DIR, the policy's folder (""
 * when the policy was named without one), "." and ".." steps resolved by
 * their text: 0, or -EXDEV when it lies outside DIR or is no path a bundle
 * may carry.
 */
int bundle_relative(const char *dir, const char *path, char *out, size_t len);

/* Appends the file at PATH to a bundle being written to OUT, as REL: 0 or -errno. */
int bundle_append(FILE *out, const char *rel, const char *path);

/* "sha256:" and the hex SHA-256 of DATA. */
void bundle_digest(const uint8_t *data, size_t size, char out[BUNDLE_DIGEST_LEN]);

/*
 * Writes the files of the bundle DATA into DIR, which it creates (mode
 * 0750; it must not exist). On success *POLICY is the unpacked policy's
 * path (malloc'd). On failure returns -errno, says why in WHY and leaves
 * DIR half-written for the caller to remove.
 */
int bundle_unpack(const uint8_t *data, size_t size, const char *dir, char **policy,
		  char *why, size_t why_len);

/* Removes DIR and everything in it (an unpacked bundle); 0 or -errno. */
int bundle_remove_dir(const char *dir);

#endif
