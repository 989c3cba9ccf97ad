/* SPDX-License-Identifier: ISC */
/*
 * The PIA credentials file: username on line 1, password on line 2. It is
 * refused when group or others may read or write it, and a relative
 * credentials_file is looked up in $CREDENTIALS_DIRECTORY (systemd
 * LoadCredential=). The secrets live in fixed buffers so they can be
 * wiped in place; no message ever contains them.
 */
#ifndef PIAD_CORE_CREDENTIALS_H
#define PIAD_CORE_CREDENTIALS_H

#include <stddef.h>

struct piad_config;

#define CREDENTIALS_FIELD_MAX	256	/* per field, NUL included */

struct credentials {
	char	username[CREDENTIALS_FIELD_MAX];
	char	password[CREDENTIALS_FIELD_MAX];
};

/*
 * Where the credentials file of CONFIG is read from: credentials_file as
 * is when absolute, else $CREDENTIALS_DIRECTORY/credentials_file.
 * Returns 0, or -1 with a message in err.
 */
int	credentials_path(const struct piad_config *, char *buf, size_t len,
	    char *err, size_t errlen);

/*
 * Read the credentials into OUT. Returns 0, or -1 with one line in err
 * naming the file (and its mode when that is the problem); OUT is wiped
 * on failure. The caller wipes OUT with credentials_wipe when done.
 */
int	credentials_load(const struct piad_config *, struct credentials *out,
	    char *err, size_t errlen);

/* OPENSSL_cleanse both fields. */
void	credentials_wipe(struct credentials *);

#endif
