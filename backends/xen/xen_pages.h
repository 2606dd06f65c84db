/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page sharing of the Xen backend: grants and the grant-ref directory on
 * the exporting side, batched grant maps on the importing side.  The
 * channel code (main.c) calls these from the backend ops.
 */
#ifndef HDMABUF_XEN_PAGES_H
#define HDMABUF_XEN_PAGES_H

#include <linux/types.h>
#include <xen/interface/xen.h>

#include "hdmabuf_backend.h"

struct page;

int hdmabuf_xen_pages_init(void);
void hdmabuf_xen_pages_exit(void);
int hdmabuf_xen_share(domid_t peer, struct page **pages,
		      unsigned long nr_pages, bool rw,
		      struct hdmabuf_share_info *info, void **cookie);
void hdmabuf_xen_unshare(void *cookie);
int hdmabuf_xen_map(domid_t peer, const struct hdmabuf_share_info *info,
		    unsigned long nr_pages, bool rw, struct page ***pages,
		    void **cookie);
void hdmabuf_xen_unmap(void *cookie);

#endif /* HDMABUF_XEN_PAGES_H */
