/* SPDX-License-Identifier: ISC */
/*
 * Contract only (the config helper fills in struct piad_config and the
 * implementation): parse, validate, diff.
 */
#ifndef PIAD_CORE_CONFIG_H
#define PIAD_CORE_CONFIG_H

#include <stddef.h>

struct piad_config;

/*
 * Parse and validate PATH. On success returns a new config the caller owns
 * (config_free). On failure returns NULL and writes one or more lines,
 * each "key.path: message", to err (never secrets).
 */
struct piad_config *config_load(const char *path, char *err, size_t errlen);
void	config_free(struct piad_config *);

#endif
