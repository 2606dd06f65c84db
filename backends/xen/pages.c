// SPDX-License-Identifier: GPL-2.0
/*
 * Setup of the Xen page sharing: its counters and debugfs directory
 * (hyper_dmabuf_xen_pages/: stats, fault_next, vmap_probe).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "xen_pages.h"

struct xen_pg_stats xen_pg_stats;
struct dentry *xen_pg_debugfs;

static int xen_pg_stats_show(struct seq_file *s, void *unused)
{
#define XEN_PG_STAT(name) \
	seq_printf(s, "%s %lld\n", #name, \
		   (long long)atomic64_read(&xen_pg_stats.name))
	XEN_PG_STAT(live_grants);
	XEN_PG_STAT(deferred);
	XEN_PG_STAT(deferred_total);
	XEN_PG_STAT(reclaimed_total);
	XEN_PG_STAT(handed_to_gnttab);
	XEN_PG_STAT(live_map_pages);
	XEN_PG_STAT(live_umap_pages);
	XEN_PG_STAT(live_vmap_pages);
	XEN_PG_STAT(map_ok);
	XEN_PG_STAT(map_fail);
	XEN_PG_STAT(last_map_pages);
	XEN_PG_STAT(last_map_dir_ns);
	XEN_PG_STAT(last_map_data_ns);
	XEN_PG_STAT(share_data_grants);
	XEN_PG_STAT(share_dir_pages);
	XEN_PG_STAT(map_dir_pages);
	XEN_PG_STAT(map_hypercalls);
	XEN_PG_STAT(unmap_hypercalls);
	XEN_PG_STAT(pte_map_hypercalls);
	XEN_PG_STAT(pte_unmap_hypercalls);
#undef XEN_PG_STAT
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_pg_stats);

int hdmabuf_xen_pages_init(void)
{
	/* Directory pages and grants are one Xen page each. */
	if (PAGE_SIZE != XEN_PAGE_SIZE)
		return -ENODEV;
	xen_pg_debugfs = debugfs_create_dir("hyper_dmabuf_xen_pages", NULL);
	debugfs_create_file("stats", 0444, xen_pg_debugfs, NULL,
			    &xen_pg_stats_fops);
	xen_pg_debugfs_vmap_init(xen_pg_debugfs);
	return xen_pg_share_init(xen_pg_debugfs);
}

void hdmabuf_xen_pages_exit(void)
{
	debugfs_remove_recursive(xen_pg_debugfs);
	xen_pg_share_exit();
}
