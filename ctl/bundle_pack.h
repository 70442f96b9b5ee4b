/* urlctl publish's packer: a policy and every file it was compiled from, as one bundle. */
#ifndef UE_BUNDLE_PACK_H
#define UE_BUNDLE_PACK_H

#include <stdio.h>

#include "common/bundle.h"

/*
 * Compiles the policy at PATH (every diagnostic to DIAG, as `urlctl check`
 * prints them; DIAG may be NULL) and packs every file it was compiled from,
 * each once, the policy first. A file outside the policy's folder cannot
 * travel: reported to DIAG (-EXDEV). Returns 0 or -errno.
 */
int bundle_pack(const char *path, struct bundle *b, FILE *diag);

#endif
