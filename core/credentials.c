/* SPDX-License-Identifier: ISC */
/*
 * Read the PIA username and password. The mode is checked with fstat on
 * the open file, so what is checked is what is read; any permission for
 * group or others is refused. The content goes through a stack buffer
 * that is wiped before returning. Messages name the file and
 * say what is wrong with it; they never quote its content.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/config.h"
#include "core/credentials.h"

/* Two lines of at most 255 bytes, their line ends, and some slack. */
#define CREDENTIALS_FILE_MAX	1024

int
credentials_path(const struct piad_config *cfg, char *buf, size_t len,
    char *err, size_t errlen)
{
	const char	*file = cfg->credentials_file, *dir;
	int		 n;

	if (file == NULL || *file == '\0') {
		snprintf(err, errlen, "credentials_file: not set");
		return -1;
	}
	if (*file == '/') {
		n = snprintf(buf, len, "%s", file);
	} else {
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (dir == NULL || *dir == '\0') {
			snprintf(err, errlen, "credentials_file: relative path "
			    "\"%s\" needs $CREDENTIALS_DIRECTORY (systemd "
			    "LoadCredential=); use an absolute path otherwise",
			    file);
			return -1;
		}
		n = snprintf(buf, len, "%s/%s", dir, file);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "credentials_file: path too long");
		return -1;
	}
	return 0;
}

/* Copy line LINE (1-based) of BUF into OUT; -1 if missing or too long. */
static int
take_line(const char *buf, size_t n, int line, char *out, size_t outlen,
    const char **why)
{
	size_t	 start = 0, end, i;
	int	 l;

	for (l = 1; l < line; l++) {
		while (start < n && buf[start] != '\n')
			start++;
		if (start == n) {
			*why = "is missing";
			return -1;
		}
		start++;
	}
	for (end = start; end < n && buf[end] != '\n'; end++)
		;
	i = end;
	if (i > start && buf[i - 1] == '\r')
		i--;
	if (i == start) {
		*why = "is empty";
		return -1;
	}
	if (i - start >= outlen) {
		*why = "is too long";
		return -1;
	}
	if (memchr(buf + start, '\0', i - start) != NULL) {
		*why = "contains a NUL byte";
		return -1;
	}
	memcpy(out, buf + start, i - start);
	out[i - start] = '\0';
	return 0;
}

int
credentials_load(const struct piad_config *cfg, struct credentials *out,
    char *err, size_t errlen)
{
	char		 path[4096], buf[CREDENTIALS_FILE_MAX + 1];
	const char	*why;
	struct stat	 st;
	ssize_t		 r;
	size_t		 n = 0;
	int		 fd, ret = -1;

	memset(out, 0, sizeof(*out));
	if (credentials_path(cfg, path, sizeof(path), err, errlen) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto close;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto close;
	}
	/* Checked on what was opened, so a swap after the check is moot. */
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "%s: mode %04o lets group or others "
		    "access the PIA password; chmod 600 it", path,
		    (unsigned int)(st.st_mode & 07777));
		goto close;
	}
	while (n < sizeof(buf)) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto wipe;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > CREDENTIALS_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes; expected the "
		    "username on line 1 and the password on line 2", path,
		    CREDENTIALS_FILE_MAX);
		goto wipe;
	}
	if (take_line(buf, n, 1, out->username, sizeof(out->username),
	    &why) == -1) {
		snprintf(err, errlen, "%s: line 1 (username) %s", path, why);
		goto wipe;
	}
	if (take_line(buf, n, 2, out->password, sizeof(out->password),
	    &why) == -1) {
		snprintf(err, errlen, "%s: line 2 (password) %s", path, why);
		goto wipe;
	}
	ret = 0;
wipe:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (ret == -1)
		credentials_wipe(out);
close:
	close(fd);
	return ret;
}

void
credentials_wipe(struct credentials *c)
{
	OPENSSL_cleanse(c->username, sizeof(c->username));
	OPENSSL_cleanse(c->password, sizeof(c->password));
}
