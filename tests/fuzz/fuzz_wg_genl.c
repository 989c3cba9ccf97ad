/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the kernel WireGuard GET_DEVICE reply parser: the input is a
 * sequence of netlink messages, parsed into one status as a dump would be.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "core/log.h"
#include "net/wg_genl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 inited;
	struct wg_device_status	 st;
	const struct nlmsghdr	*nlh;
	void			*copy;
	int			 len;

	if (!inited) {
		log_init(LOG_LVL_ERR, "fuzz_wg_genl");
		inited = 1;
	}
	if (size > 1 << 20)
		return 0;
	/* Aligned copy: netlink parsing assumes 4-byte alignment. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	memset(&st, 0, sizeof(st));
	nlh = copy;
	len = (int)size;
	while (mnl_nlmsg_ok(nlh, len)) {
		if (wg_genl_parse_device(nlh, &st) < 0)
			break;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	wg_device_status_free(&st);
	free(copy);
	return 0;
}
