/*
 * Files in --state-dir, what outlives a restart (pauses, report counters):
 * written whole to a temporary file beside the real one, synced, then
 * renamed over it, so a crash leaves the old file or the new one, never
 * half of either.
 */
#ifndef UE_STATE_FILE_H
#define UE_STATE_FILE_H

#include <stddef.h>

/* Creates DIR (mode 0700) if it is missing; 0 or -errno. */
int state_dir_prepare(const char *dir);

/* Replaces DIR/NAME with LEN bytes of DATA; 0 or -errno (the old file stays). */
int state_file_write(const char *dir, const char *name, const void *data, size_t len);

/*
 * Reads DIR/NAME whole into *DATA (malloc'ed, NUL-terminated) and *LEN;
 * 0, -ENOENT when there is none, or another -errno. At most MAX bytes.
 */
int state_file_read(const char *dir, const char *name, size_t max, char **data, size_t *len);

#endif
