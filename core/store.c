/* SPDX-License-Identifier: ISC */
/*
 * Atomic JSON files in the state directory. See core/store.h.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/log.h"
#include "core/store.h"

#define STORE_MAX_BYTES	(8 * 1024 * 1024)

int
store_init(const char *dir)
{
	char	 path[PATH_MAX];
	char	*p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	return chmod(path, 0700);
}

static int
fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
store_write(const char *dir, const char *name, const json_t *obj)
{
	char	 path[PATH_MAX], tmp[PATH_MAX];
	char	*text;
	size_t	 len, off = 0;
	int	 fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		log_warn("store: %s/%s", dir, name);
		return -1;
	}
	if ((text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		log_warnx("store: %s: cannot encode", path);
		return -1;
	}
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0)
		goto fail_text;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail_fd;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0600) < 0 || fsync(fd) < 0)
		goto fail_fd;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path) < 0)
		goto fail_tmp;
	OPENSSL_cleanse(text, len);
	free(text);
	(void)fsync_dir(dir);
	return 0;
fail_fd:
	if (fd >= 0)
		close(fd);
fail_tmp:
	log_warn("store: %s", path);
	(void)unlink(tmp);
fail_text:
	OPENSSL_cleanse(text, len);
	free(text);
	return -1;
}

json_t *
store_read(const char *dir, const char *name)
{
	char		 path[PATH_MAX];
	char		*buf = NULL;
	struct stat	 st;
	json_t		*obj = NULL;
	json_error_t	 jerr;
	size_t		 off = 0;
	int		 fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size > STORE_MAX_BYTES ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto done;
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	obj = json_loadb(buf, off, 0, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		log_warnx("store: %s: not a JSON object (%s); ignoring it",
		    path, obj == NULL ? jerr.text : "wrong type");
		json_decref(obj);
		obj = NULL;
		errno = EINVAL;
	}
	OPENSSL_cleanse(buf, off);
done:
	free(buf);
	close(fd);
	return obj;
}

int
store_remove(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
