/* SPDX-License-Identifier: ISC */
/*
 * The state directory (design section 8): what piad must remember across
 * restarts (token, server list, session, port forward, topology record).
 * The directory is 0700, each file 0600 and written atomically (temp file,
 * fsync, rename, fsync of the directory), so a crash leaves either the old
 * or the new file, never half of one. Files hold secrets (token, private
 * key): buffers are wiped after writing and reading.
 */
#ifndef PIAD_CORE_STORE_H
#define PIAD_CORE_STORE_H

#include <jansson.h>

/* Create dir (and parents) 0700, or tighten an existing one. 0 / -1. */
int	store_init(const char *dir);
/* Write obj as dir/name atomically, mode 0600. 0 / -1 (logged). */
int	store_write(const char *dir, const char *name, const json_t *obj);
/*
 * Read dir/name. NULL when it does not exist (errno ENOENT) or is not a
 * JSON object (logged, errno EINVAL): callers then start afresh.
 */
json_t	*store_read(const char *dir, const char *name);
/* Remove dir/name; missing is fine. 0 / -1. */
int	store_remove(const char *dir, const char *name);

#endif
