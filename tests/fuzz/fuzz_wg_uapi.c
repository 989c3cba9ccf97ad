/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the userspace WireGuard UAPI "get" reply parser (what a program on
 * /var/run/wireguard/IFNAME.sock answers).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "net/wg_uapi.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		inited;
	struct wg_device_status	st;

	if (!inited) {
		log_init(LOG_LVL_ERR, "fuzz_wg_uapi");
		inited = 1;
	}
	wg_uapi_parse_get((const char *)data, size, &st);
	wg_device_status_free(&st);
	wg_uapi_parse_errno((const char *)data, size);
	return 0;
}
