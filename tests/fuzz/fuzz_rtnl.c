/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target for the RTM_NEWLINK/RTM_DELLINK parser (link_parse) that
 * the link monitor and link_get use on kernel messages. The input is read
 * the way the monitor reads a datagram: a run of netlink messages, each
 * bounded by rtnl_msg_ok before it is parsed. The seeds are real dumps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "net/link.h"
#include "net/rtnl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr	*nlh;
	struct link_info	 li;
	void			*copy;
	int			 len;

	if (size > 1 << 20)
		return 0;
	/* Netlink messages are 4-byte aligned in a real receive buffer. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	len = (int)size;
	for (nlh = copy; rtnl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh,
	    &len)) {
		if (link_parse(nlh, &li) == 0) {
			/* The result must be a usable C string and index. */
			if (strlen(li.name) >= sizeof(li.name) ||
			    strlen(li.kind) >= sizeof(li.kind) ||
			    li.ifindex <= 0)
				abort();
		}
	}
	free(copy);
	return 0;
}
