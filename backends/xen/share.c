// SPDX-License-Identifier: GPL-2.0
/*
 * Exporter side of Xen page sharing.  Placeholder until the page-sharing
 * code lands: sharing is refused, so no page is ever granted.
 */
#include <linux/errno.h>

#include "xen_pages.h"

int hdmabuf_xen_pages_init(void)
{
	return 0;
}

void hdmabuf_xen_pages_exit(void)
{
}

int hdmabuf_xen_share(domid_t peer, struct page **pages,
		      unsigned long nr_pages, bool rw,
		      struct hdmabuf_share_info *info, void **cookie)
{
	return -EOPNOTSUPP;
}

void hdmabuf_xen_unshare(void *cookie)
{
}
