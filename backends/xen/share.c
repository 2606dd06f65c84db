// SPDX-License-Identifier: GPL-2.0
/*
 * Exporter side of the Xen page sharing: every data page is granted to
 * exactly the importing domain (read-only unless the export is read-write),
 * and a page directory (protocol/hdmabuf_pgdir.h, 4-byte grant refs) of
 * pages granted read-only tells the importer where they are.
 *
 * Unsharing ends every grant.  Xen cannot revoke a grant the peer still
 * has mapped, so such a grant is parked on a deferred list with a page
 * reference and retried every second: neither the core's page nor our
 * directory page goes back to the allocator before the peer unmapped it.
 * At module unload whatever is left is handed to gnttab_end_foreign_access(),
 * which keeps retrying in the kernel for us.  (gnttab_end_foreign_access()
 * and gnttab_try_end_foreign_access() behave the same in 6.1 and 6.12: the
 * former consumes a page reference once the grant really ended.)
 *
 * debugfs fault_next injects one hostile directory into the next share, so
 * the importer's validation can be tested against a real hypervisor.
 */
#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "hdmabuf_pgdir.h"
#include "xen_pages.h"

/**
 * struct xen_pg_share - exporter side of one buffer (the share cookie)
 * @peer: the only domain the pages are granted to.
 * @nr_pages: data pages.
 * @nr_dir: directory pages.
 * @pages: the data pages; the core's, pinned until after unshare.
 * @dir: our directory pages; NULL once handed to the deferred list.
 * @refs: @nr_pages data refs then @nr_dir directory refs, canonical
 *	directory order; INVALID_GRANT_REF where nothing was granted.
 * @spare: fault injection only: a ref we own but never granted.
 */
struct xen_pg_share {
	domid_t peer;
	unsigned long nr_pages;
	unsigned long nr_dir;
	struct page **pages;
	struct page **dir;
	grant_ref_t *refs;
	grant_ref_t spare;
};

/* ------------------------------------------------- deferred reclaim */

/**
 * struct xen_pg_deferred - a grant the peer still maps after unshare
 * @node: entry in xen_pg_deferred_list.
 * @ref: the grant.
 * @page: a reference we hold until the grant has ended.
 */
struct xen_pg_deferred {
	struct list_head node;
	grant_ref_t ref;
	struct page *page;
};

static LIST_HEAD(xen_pg_deferred_list);	/* under xen_pg_deferred_lock */
static DEFINE_SPINLOCK(xen_pg_deferred_lock);
static void xen_pg_reclaim_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(xen_pg_reclaim, xen_pg_reclaim_work);
static bool xen_pg_exiting;		/* under xen_pg_deferred_lock */

#define XEN_PG_RECLAIM_INTERVAL		HZ

static void xen_pg_reclaim_work(struct work_struct *work)
{
	struct xen_pg_deferred *d, *tmp;
	LIST_HEAD(batch);
	LIST_HEAD(still);

	spin_lock(&xen_pg_deferred_lock);
	list_splice_init(&xen_pg_deferred_list, &batch);
	spin_unlock(&xen_pg_deferred_lock);

	list_for_each_entry_safe(d, tmp, &batch, node) {
		if (!gnttab_try_end_foreign_access(d->ref)) {
			list_move_tail(&d->node, &still);
			continue;
		}
		list_del(&d->node);
		put_page(d->page);
		kfree(d);
		atomic64_dec(&xen_pg_stats.deferred);
		atomic64_dec(&xen_pg_stats.live_grants);
		atomic64_inc(&xen_pg_stats.reclaimed_total);
	}

	spin_lock(&xen_pg_deferred_lock);
	list_splice_tail(&still, &xen_pg_deferred_list);
	if (!list_empty(&xen_pg_deferred_list) && !xen_pg_exiting)
		schedule_delayed_work(&xen_pg_reclaim, XEN_PG_RECLAIM_INTERVAL);
	spin_unlock(&xen_pg_deferred_lock);
}

/*
 * Ends @ref now or later; consumes one reference on @page either way
 * (the caller takes one for pages it does not own).
 */
static void xen_pg_end_grant(grant_ref_t ref, struct page *page)
{
	struct xen_pg_deferred *d;

	if (gnttab_try_end_foreign_access(ref)) {
		put_page(page);
		atomic64_dec(&xen_pg_stats.live_grants);
		return;
	}
	atomic64_inc(&xen_pg_stats.deferred_total);
	d = kmalloc(sizeof(*d), GFP_KERNEL);
	spin_lock(&xen_pg_deferred_lock);
	if (!d || xen_pg_exiting) {
		spin_unlock(&xen_pg_deferred_lock);
		kfree(d);
		/* The kernel's own deferral keeps the page until it ends. */
		gnttab_end_foreign_access(ref, page);
		atomic64_dec(&xen_pg_stats.live_grants);
		atomic64_inc(&xen_pg_stats.handed_to_gnttab);
		return;
	}
	d->ref = ref;
	d->page = page;
	list_add_tail(&d->node, &xen_pg_deferred_list);
	atomic64_inc(&xen_pg_stats.deferred);
	schedule_delayed_work(&xen_pg_reclaim, XEN_PG_RECLAIM_INTERVAL);
	spin_unlock(&xen_pg_deferred_lock);
	pr_debug("grant %u still mapped by the peer: deferred\n", ref);
}

/* ------------------------------------------------------ fault knob */

enum xen_pg_fault {
	XEN_PG_FAULT_NONE,
	XEN_PG_FAULT_ZERO_REF,		/* a data ref of 0 */
	XEN_PG_FAULT_RESERVED_REF,	/* a data ref in the reserved range */
	XEN_PG_FAULT_UNGRANTED_REF,	/* a data ref we never granted */
	XEN_PG_FAULT_UNGRANTED_ROOT,	/* a root ref we never granted */
	XEN_PG_FAULT_DIR_TAIL,		/* garbage after the used slots */
	XEN_PG_FAULT_DUP_DIR,		/* one directory page listed twice */
	XEN_PG_FAULT_RO_GRANTS,		/* data granted read-only, announced rw */
	XEN_PG_FAULT_COUNT
};

static const char * const xen_pg_fault_names[XEN_PG_FAULT_COUNT] = {
	[XEN_PG_FAULT_NONE] = "none",
	[XEN_PG_FAULT_ZERO_REF] = "zero_ref",
	[XEN_PG_FAULT_RESERVED_REF] = "reserved_ref",
	[XEN_PG_FAULT_UNGRANTED_REF] = "ungranted_ref",
	[XEN_PG_FAULT_UNGRANTED_ROOT] = "ungranted_root",
	[XEN_PG_FAULT_DIR_TAIL] = "dir_tail",
	[XEN_PG_FAULT_DUP_DIR] = "dup_dir",
	[XEN_PG_FAULT_RO_GRANTS] = "ro_grants",
};

static atomic_t xen_pg_fault_next = ATOMIC_INIT(XEN_PG_FAULT_NONE);

static ssize_t xen_pg_fault_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%s\n",
			 xen_pg_fault_names[atomic_read(&xen_pg_fault_next)]);

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static ssize_t xen_pg_fault_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[32];
	int i;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	i = sysfs_match_string(xen_pg_fault_names, strim(buf));
	if (i < 0)
		return i;
	atomic_set(&xen_pg_fault_next, i);
	return count;
}

static const struct file_operations xen_pg_fault_fops = {
	.owner = THIS_MODULE,
	.read = xen_pg_fault_read,
	.write = xen_pg_fault_write,
	.llseek = default_llseek,
};

/* Corrupts the freshly built directory of @s as the knob says. */
static int xen_pg_inject(struct xen_pg_share *s,
			 const struct hdmabuf_pgdir_geom *g,
			 enum xen_pg_fault fault,
			 struct hdmabuf_share_info *info)
{
	void *leaf0 = page_address(s->dir[g->level_first[1]]);
	/* In canonical order the leaves come last. */
	void *last = page_address(s->dir[s->nr_dir - 1]);
	grant_ref_t head;
	u32 used;
	int ret;

	ret = hdmabuf_pgdir_page_entries(g, 1, g->level_pages[1] - 1, NULL,
					 &used);
	if (ret)
		return ret;

	switch (fault) {
	case XEN_PG_FAULT_ZERO_REF:
		hdmabuf_pgdir_set_ref(leaf0, 0, 4, 0);
		break;
	case XEN_PG_FAULT_RESERVED_REF:
		hdmabuf_pgdir_set_ref(leaf0, 0, 4, 1);
		break;
	case XEN_PG_FAULT_UNGRANTED_REF:
	case XEN_PG_FAULT_UNGRANTED_ROOT:
		ret = gnttab_alloc_grant_references(1, &head);
		if (ret)
			return ret;
		s->spare = gnttab_claim_grant_reference(&head);
		gnttab_free_grant_references(head);
		if (fault == XEN_PG_FAULT_UNGRANTED_ROOT)
			info->dir_root = s->spare;
		else
			hdmabuf_pgdir_set_ref(leaf0, 0, 4, s->spare);
		break;
	case XEN_PG_FAULT_DIR_TAIL:
		if (used < g->refs_per_page)
			hdmabuf_pgdir_set_ref(last, used, 4, 0xdead);
		break;
	case XEN_PG_FAULT_DUP_DIR:
		/* The root lists its second child twice (needs 2 levels). */
		if (g->levels > 1 && g->level_pages[g->levels - 1] > 1)
			hdmabuf_pgdir_set_ref(page_address(s->dir[0]), 1, 4,
					      hdmabuf_pgdir_get_ref(
						page_address(s->dir[0]), 0, 4));
		break;
	default:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------ share */

void hdmabuf_xen_unshare(void *cookie)
{
	struct xen_pg_share *s = cookie;
	unsigned long i;

	/* Also undoes a partial hdmabuf_xen_share(): unused refs are invalid. */
	for (i = 0; s->refs && i < s->nr_pages + s->nr_dir; i++) {
		struct page *page;

		if (s->refs[i] == INVALID_GRANT_REF)
			continue;
		if (i < s->nr_pages) {
			page = s->pages[i];
			get_page(page);	/* the core's page: ours to drop */
		} else {
			page = s->dir[i - s->nr_pages];
			s->dir[i - s->nr_pages] = NULL;	/* owned by the grant */
		}
		xen_pg_end_grant(s->refs[i], page);
	}
	for (i = 0; s->dir && i < s->nr_dir; i++)
		if (s->dir[i])
			__free_page(s->dir[i]);
	if (s->spare != INVALID_GRANT_REF)
		gnttab_free_grant_reference(s->spare);
	kvfree(s->refs);
	kvfree(s->dir);
	kfree(s);
}

/* Grants @page to @s->peer; stores the ref in @s->refs[@idx]. */
static int xen_pg_grant(struct xen_pg_share *s, unsigned long idx,
			struct page *page, bool readonly)
{
	int ref = gnttab_grant_foreign_access(s->peer, xen_page_to_gfn(page),
					      readonly);

	if (ref < 0)
		return ref;
	s->refs[idx] = ref;
	atomic64_inc(&xen_pg_stats.live_grants);
	return 0;
}

int hdmabuf_xen_share(domid_t peer, struct page **pages,
		      unsigned long nr_pages, bool rw,
		      struct hdmabuf_share_info *info, void **cookie)
{
	enum xen_pg_fault fault = atomic_xchg(&xen_pg_fault_next,
					      XEN_PG_FAULT_NONE);
	struct hdmabuf_pgdir_geom g;
	struct xen_pg_share *s;
	void **dir_va = NULL;
	u64 *refs64 = NULL;
	unsigned long i, n;
	int ret;

	if (peer >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	ret = hdmabuf_pgdir_geom_init(&g, nr_pages, 4, PAGE_SIZE);
	if (ret)
		return ret;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->peer = peer;
	s->spare = INVALID_GRANT_REF;
	s->pages = pages;
	s->nr_pages = nr_pages;
	s->nr_dir = g.total_pages;
	n = nr_pages + g.total_pages;
	s->refs = kvmalloc_array(n, sizeof(*s->refs), GFP_KERNEL);
	if (s->refs)
		for (i = 0; i < n; i++)
			s->refs[i] = INVALID_GRANT_REF;
	s->dir = kvcalloc(s->nr_dir, sizeof(*s->dir), GFP_KERNEL);
	dir_va = kvcalloc(s->nr_dir, sizeof(*dir_va), GFP_KERNEL);
	refs64 = kvmalloc_array(n, sizeof(*refs64), GFP_KERNEL);
	if (!s->refs || !s->dir || !dir_va || !refs64) {
		ret = -ENOMEM;
		goto err_unshare;
	}

	for (i = 0; i < nr_pages; i++) {
		ret = xen_pg_grant(s, i, pages[i],
				   !rw || fault == XEN_PG_FAULT_RO_GRANTS);
		if (ret)
			goto err_unshare;
	}
	for (i = 0; i < s->nr_dir; i++) {
		s->dir[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!s->dir[i]) {
			ret = -ENOMEM;
			goto err_unshare;
		}
		dir_va[i] = page_address(s->dir[i]);
		/* Directory pages are read-only for the peer. */
		ret = xen_pg_grant(s, nr_pages + i, s->dir[i], true);
		if (ret)
			goto err_unshare;
	}
	for (i = 0; i < n; i++)
		refs64[i] = s->refs[i];
	ret = hdmabuf_pgdir_build(&g, dir_va, refs64 + nr_pages, refs64);
	if (ret)
		goto err_unshare;

	atomic64_add(nr_pages, &xen_pg_stats.share_data_grants);
	atomic64_add(g.total_pages, &xen_pg_stats.share_dir_pages);
	info->dir_root = s->refs[nr_pages];
	info->dir_pages = g.total_pages;
	info->dir_levels = g.levels;
	info->ref_size = 4;
	if (fault != XEN_PG_FAULT_NONE) {
		pr_info("injecting fault '%s' into a %lu-page share\n",
			xen_pg_fault_names[fault], nr_pages);
		ret = xen_pg_inject(s, &g, fault, info);
		if (ret)
			goto err_unshare;
	}
	*cookie = s;
	kvfree(refs64);
	kvfree(dir_va);
	return 0;

err_unshare:
	kvfree(refs64);
	kvfree(dir_va);
	hdmabuf_xen_unshare(s);
	return ret;
}

int xen_pg_share_init(struct dentry *dir)
{
	debugfs_create_file("fault_next", 0600, dir, NULL, &xen_pg_fault_fops);
	return 0;
}

void xen_pg_share_exit(void)
{
	struct xen_pg_deferred *d, *tmp;
	LIST_HEAD(left);

	spin_lock(&xen_pg_deferred_lock);
	xen_pg_exiting = true;
	spin_unlock(&xen_pg_deferred_lock);
	cancel_delayed_work_sync(&xen_pg_reclaim);

	spin_lock(&xen_pg_deferred_lock);
	list_splice_init(&xen_pg_deferred_list, &left);
	spin_unlock(&xen_pg_deferred_lock);
	list_for_each_entry_safe(d, tmp, &left, node) {
		/* Keeps retrying (and holds the page) after we are gone. */
		gnttab_end_foreign_access(d->ref, d->page);
		atomic64_dec(&xen_pg_stats.deferred);
		atomic64_dec(&xen_pg_stats.live_grants);
		atomic64_inc(&xen_pg_stats.handed_to_gnttab);
		kfree(d);
	}
}
