// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: hyper_dmabuf/stats, the counters the tests and benchmarks read,
 * and hyper_dmabuf/fences, the cross-VM fences pending per peer.
 * Handles are capabilities and never appear here.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *hdmabuf_debugfs_dir;

static int hdmabuf_stats_show(struct seq_file *m, void *unused)
{
	static const struct {
		const char *name;
		atomic64_t *val;
	} rows[] = {
		{ "tx", &hdmabuf_stats.tx },
		{ "rx", &hdmabuf_stats.rx },
		{ "rx_rejected", &hdmabuf_stats.rx_rejected },
		{ "rx_foreign_peer", &hdmabuf_stats.rx_foreign_peer },
		{ "rx_unmatched", &hdmabuf_stats.rx_unmatched },
		{ "rx_early", &hdmabuf_stats.rx_early },
		{ "timeouts", &hdmabuf_stats.timeouts },
		{ "peer_downs", &hdmabuf_stats.peer_downs },
		{ "tx_bye", &hdmabuf_stats.tx_bye },
		{ "rx_bye", &hdmabuf_stats.rx_bye },
		{ "live_exports", &hdmabuf_stats.live_exports },
		{ "live_imports", &hdmabuf_stats.live_imports },
		{ "live_offers", &hdmabuf_stats.live_offers },
		{ "live_sources", &hdmabuf_stats.live_sources },
		{ "live_fences", &hdmabuf_stats.live_fences },
		{ "live_fence_waits", &hdmabuf_stats.live_fence_waits },
		{ "fence_timeouts", &hdmabuf_stats.fence_timeouts },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		seq_printf(m, "%s %lld\n", rows[i].name,
			   (long long)atomic64_read(rows[i].val));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hdmabuf_stats);

/* Pending cross-VM fences per peer, both directions; no handles. */
static int hdmabuf_fences_show(struct seq_file *m, void *unused)
{
	hdmabuf_peers_show_fences(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hdmabuf_fences);

void hdmabuf_debugfs_init(void)
{
	hdmabuf_debugfs_dir = debugfs_create_dir("hyper_dmabuf", NULL);
	debugfs_create_file("stats", 0444, hdmabuf_debugfs_dir, NULL,
			    &hdmabuf_stats_fops);
	debugfs_create_file("fences", 0444, hdmabuf_debugfs_dir, NULL,
			    &hdmabuf_fences_fops);
}

void hdmabuf_debugfs_exit(void)
{
	debugfs_remove_recursive(hdmabuf_debugfs_dir);
}
