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
	size_t			 off;

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
	/*
	 * Split messages the way a careful receiver does. Not with
	 * mnl_nlmsg_ok(): it casts nlmsg_len to int, so a length above 2 GiB
	 * passes as negative. The parser's contract is a message whose
	 * nlmsg_len fits the buffer.
	 */
	off = 0;
	while (size - off >= sizeof(struct nlmsghdr)) {
		nlh = (const struct nlmsghdr *)((const char *)copy + off);
		if (nlh->nlmsg_len < sizeof(struct nlmsghdr) ||
		    nlh->nlmsg_len > size - off)
			break;
		if (wg_genl_parse_device(nlh, &st) < 0)
			break;
		if (MNL_ALIGN(nlh->nlmsg_len) >= size - off)
			break;
		off += MNL_ALIGN(nlh->nlmsg_len);
	}
	wg_device_status_free(&st);
	free(copy);
	return 0;
}
