/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page sharing of the Xen backend: grants and the grant-ref directory on
 * the exporting side (share.c), grant mappings on the importing side
 * (map.c), and the CPU mappings a PV domain can only make through grant
 * mappings of each PTE (mmap.c).  The channel code (main.c and friends)
 * calls these from its struct hdmabuf_backend_ops.
 */
#ifndef HDMABUF_XEN_PAGES_H
#define HDMABUF_XEN_PAGES_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <xen/grant_table.h>

#include "hdmabuf_backend.h"

struct page;
struct vm_area_struct;
struct dentry;

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

/*
 * The optional CPU-mapping ops, with the signatures of struct
 * hdmabuf_backend_ops; the channel code lists them in its ops table with
 * HDMABUF_XEN_PAGES_CPU_OPS.  They decline (-EOPNOTSUPP) in auto-translated
 * guests (HVM, PVH), where the core's plain page mappings work.
 */
int hdmabuf_xen_mmap(struct hdmabuf_backend *be, void *cookie,
		     struct vm_area_struct *vma);
int hdmabuf_xen_vmap(struct hdmabuf_backend *be, void *cookie,
		     void **vaddr);
void hdmabuf_xen_vunmap(struct hdmabuf_backend *be, void *cookie,
			void *vaddr);
void hdmabuf_xen_revoke(struct hdmabuf_backend *be, void *cookie);

#define HDMABUF_XEN_PAGES_CPU_OPS		\
	.mmap = hdmabuf_xen_mmap,		\
	.vmap = hdmabuf_xen_vmap,		\
	.vunmap = hdmabuf_xen_vunmap,		\
	.revoke = hdmabuf_xen_revoke

/* ------------------------------------------------- private to pages */

/**
 * struct xen_pg_map - importer side of one buffer (the map cookie)
 * @peer: the exporting domain.
 * @rw: the data pages are mapped writable.
 * @nr_pages: data pages.
 * @pages: nr_pages pages from gnttab_alloc_pages(), each mapped at its
 *	kernel address (which also sets the PV p2m entry, so DMA works).
 * @refs: the peer's grant ref of each data page (user and vmap mappings
 *	map them again).
 * @handles: handle of each kernel mapping.
 * @lock: protects @umaps, @vmaps and @revoked.
 * @umaps: struct xen_pg_umap list: live user mappings (PV only).
 * @vmaps: struct xen_pg_vmap list: live kernel vmaps (PV only).
 * @revoked: the core revoked the buffer: no new CPU mappings.
 */
struct xen_pg_map {
	domid_t peer;
	bool rw;
	unsigned long nr_pages;
	struct page **pages;
	grant_ref_t *refs;
	grant_handle_t *handles;
	struct mutex lock;
	struct list_head umaps;
	struct list_head vmaps;
	bool revoked;
};

/**
 * struct xen_pg_stats - counters in debugfs (pages/stats)
 * Gauges (live_*, deferred) must return to 0 once everything is released.
 */
struct xen_pg_stats {
	atomic64_t live_grants;		/* exporter: grants held */
	atomic64_t deferred;		/* exporter: grants still mapped by a peer after unshare */
	atomic64_t deferred_total;
	atomic64_t reclaimed_total;	/* deferred grants ended later */
	atomic64_t handed_to_gnttab;	/* left to gnttab's own deferral */
	atomic64_t live_map_pages;	/* importer: data pages mapped in the kernel */
	atomic64_t live_umap_pages;	/* importer: grant PTEs in user page tables */
	atomic64_t live_vmap_pages;	/* importer: grant PTEs in vmalloc space */
	atomic64_t map_ok;
	atomic64_t map_fail;
	atomic64_t last_map_pages;
	atomic64_t last_map_dir_ns;	/* directory walk of the last import */
	atomic64_t last_map_data_ns;	/* data mapping of the last import */
	/* cumulative, for "grants and hypercalls per import" (make bench) */
	atomic64_t share_data_grants;	/* exporter: data pages granted */
	atomic64_t share_dir_pages;	/* exporter: directory pages granted */
	atomic64_t map_dir_pages;	/* importer: directory pages read */
	atomic64_t map_hypercalls;	/* importer: kernel grant map calls */
	atomic64_t unmap_hypercalls;	/* importer: kernel grant unmap calls */
	atomic64_t pte_map_hypercalls;	/* importer: grant PTE map calls */
	atomic64_t pte_unmap_hypercalls; /* importer: grant PTE unmap calls */
};

extern struct xen_pg_stats xen_pg_stats;
extern struct dentry *xen_pg_debugfs;

/* Grant-op status to errno, for every caller that maps. */
int xen_pg_gntst_errno(int16_t status);

/* mmap.c */
void xen_pg_cpu_unmap_all(struct xen_pg_map *m);
void xen_pg_debugfs_vmap_init(struct dentry *dir);

/* share.c */
int xen_pg_share_init(struct dentry *dir);
void xen_pg_share_exit(void);

#endif /* HDMABUF_XEN_PAGES_H */
