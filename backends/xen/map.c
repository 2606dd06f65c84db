// SPDX-License-Identifier: GPL-2.0
/*
 * Importer side of Xen page sharing.  Placeholder until the page-sharing
 * code lands: mapping is refused.
 */
#include <linux/errno.h>

#include "xen_pages.h"

int hdmabuf_xen_map(domid_t peer, const struct hdmabuf_share_info *info,
		    unsigned long nr_pages, bool rw, struct page ***pages,
		    void **cookie)
{
	return -EOPNOTSUPP;
}

void hdmabuf_xen_unmap(void *cookie)
{
}
