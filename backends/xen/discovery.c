// SPDX-License-Identifier: GPL-2.0
/*
 * Which peers we keep a channel with, driven by xenstore watches only.
 *
 * dom0 talks to every domain: it watches @introduceDomain and
 * @releaseDomain and, on each event, lists /local/domain once; it also
 * withdraws what a dead domain was allowed.  A domU
 * talks to dom0 and to the domains dom0 allowed (`hyperdmabuf-ctl
 * xen-allow`), listed as keys of its own .../hyper_dmabuf/allow directory,
 * which it watches.  Each channel then watches its own pair directory.
 */
#include <linux/slab.h>
#include <linux/xarray.h>

#include "xen_chan.h"

/* domid -> struct xch; the table holds one reference; xa_lock for lookups. */
static DEFINE_XARRAY(xch_table);
/* Serialises rescans with each other and with stop. */
static DEFINE_MUTEX(xch_scan_lock);
static bool xch_stopping;
/* dom0: the domains of the last scan, under xch_scan_lock. */
static unsigned long *xch_known;

static struct xenbus_watch xch_watch_intro, xch_watch_release, xch_watch_allow;
static char xch_allow_path[64];
static void xch_scan_work_fn(struct work_struct *work);
static DECLARE_WORK(xch_scan_work, xch_scan_work_fn);

/**
 * xch_get() - find the channel with @peer and take a reference
 * @peer: domid.
 *
 * Return: the channel, or NULL if we do not talk to @peer.
 */
struct xch *xch_get(domid_t peer)
{
	struct xch *ch;

	xa_lock(&xch_table);
	ch = xa_load(&xch_table, peer);
	if (ch)
		kref_get(&ch->ref);
	xa_unlock(&xch_table);
	return ch;
}

/* Calls @fn on every channel (with a reference held across the call). */
void xch_for_each(void (*fn)(struct xch *ch, void *arg), void *arg)
{
	unsigned long id = 0;
	struct xch *ch;

	for (;;) {
		xa_lock(&xch_table);
		ch = xa_find(&xch_table, &id, ULONG_MAX, XA_PRESENT);
		if (ch)
			kref_get(&ch->ref);
		xa_unlock(&xch_table);
		if (!ch)
			return;
		fn(ch, arg);
		xch_put(ch);
		id++;
	}
}

/* Parses a decimal domid; anything else (or a reserved id) is not one. */
static bool xch_parse_domid(const char *s, domid_t *domid)
{
	u16 v;

	if (kstrtou16(s, 10, &v) || v >= DOMID_FIRST_RESERVED)
		return false;
	*domid = v;
	return true;
}

/* Makes the channel set equal to @want (a bitmap of domids). */
static void xch_sync(const unsigned long *want)
{
	unsigned long id;
	struct xch *ch;
	domid_t d;
	int ret;

	xa_for_each(&xch_table, id, ch) {
		if (test_bit(id, want))
			continue;
		xa_erase(&xch_table, id);
		xch_remove(ch);
	}
	for_each_set_bit(id, want, DOMID_FIRST_RESERVED) {
		d = id;
		if (d == hdmabuf_xen_own || xa_load(&xch_table, id))
			continue;
		ch = xch_create(d);
		if (IS_ERR(ch))
			continue;
		ret = xa_insert(&xch_table, id, ch, GFP_KERNEL);
		if (ret) {
			xch_remove(ch);
			continue;
		}
	}
}

/* Fills @want from the keys of @path; 0 or a negative errno. */
static int xch_list(const char *path, unsigned long *want)
{
	unsigned int i, n;
	char **keys;
	domid_t d;

	keys = xenbus_directory(XBT_NIL, path, "", &n);
	if (IS_ERR(keys))
		return PTR_ERR(keys);
	for (i = 0; i < n; i++)
		if (xch_parse_domid(keys[i], &d))
			__set_bit(d, want);
	kfree(keys);
	return 0;
}

/*
 * dom0: a domain that died loses what dom0 allowed it, as `xen-allow
 * --remove` would do: its allow key in every other domain and the pair
 * directories in their areas where it was lo (those where it was hi went
 * with its own area).  The survivors then drop their channel with it (the
 * one where it was lo would otherwise stay up, as nothing of the dead
 * domain that they can read disappears), and a later domain reusing its
 * domid inherits nothing.
 */
static void xch_forget_dead(unsigned long dead, const unsigned long *alive)
{
	unsigned long d;
	char path[80];

	for_each_set_bit(d, alive, DOMID_FIRST_RESERVED) {
		if (!d)
			continue;
		snprintf(path, sizeof(path),
			 "/local/domain/%lu/data/hyper_dmabuf/allow/%lu", d, dead);
		xenbus_rm(XBT_NIL, path, "");
		if (d < dead)
			continue;
		snprintf(path, sizeof(path),
			 "/local/domain/%lu/data/hyper_dmabuf/%lu", d, dead);
		xenbus_rm(XBT_NIL, path, "");
	}
}

static void xch_scan_work_fn(struct work_struct *work)
{
	unsigned long *want;
	unsigned long d;
	int ret;

	want = bitmap_zalloc(DOMID_FIRST_RESERVED, GFP_KERNEL);
	if (!want)
		return;
	mutex_lock(&xch_scan_lock);
	if (xch_stopping)
		goto out;
	if (hdmabuf_xen_own == 0) {
		ret = xch_list("/local/domain", want);
		if (ret) {
			pr_warn("cannot list /local/domain (%d)\n", ret);
			goto out;
		}
		for_each_set_bit(d, xch_known, DOMID_FIRST_RESERVED)
			if (!test_bit(d, want))
				xch_forget_dead(d, want);
		bitmap_copy(xch_known, want, DOMID_FIRST_RESERVED);
	} else {
		/* A missing allow directory just means: dom0 only. */
		xch_list(xch_allow_path, want);
		__set_bit(0, want);
	}
	xch_sync(want);
out:
	mutex_unlock(&xch_scan_lock);
	bitmap_free(want);
}

static void xch_scan_cb(struct xenbus_watch *watch, const char *path,
			const char *token)
{
	queue_work(hdmabuf_xen_wq, &xch_scan_work);
}

/**
 * xch_discovery_start() - start finding peers
 *
 * Return: 0 or a negative errno.
 */
int xch_discovery_start(void)
{
	int ret;

	if (hdmabuf_xen_own == 0) {
		xch_known = bitmap_zalloc(DOMID_FIRST_RESERVED, GFP_KERNEL);
		if (!xch_known)
			return -ENOMEM;
		xch_watch_intro.node = "@introduceDomain";
		xch_watch_intro.callback = xch_scan_cb;
		ret = register_xenbus_watch(&xch_watch_intro);
		if (ret)
			goto err_free;
		xch_watch_release.node = "@releaseDomain";
		xch_watch_release.callback = xch_scan_cb;
		ret = register_xenbus_watch(&xch_watch_release);
		if (ret) {
			unregister_xenbus_watch(&xch_watch_intro);
			goto err_free;
		}
	} else {
		snprintf(xch_allow_path, sizeof(xch_allow_path),
			 "/local/domain/%u/data/hyper_dmabuf/allow",
			 hdmabuf_xen_own);
		xch_watch_allow.node = xch_allow_path;
		xch_watch_allow.callback = xch_scan_cb;
		ret = register_xenbus_watch(&xch_watch_allow);
		if (ret)
			return ret;
	}
	queue_work(hdmabuf_xen_wq, &xch_scan_work);
	return 0;

err_free:
	bitmap_free(xch_known);
	xch_known = NULL;
	return ret;
}

/**
 * xch_discovery_stop() - forget every peer
 *
 * Every channel is dropped (peers reported down) and left Closed.
 */
void xch_discovery_stop(void)
{
	unsigned long id;
	struct xch *ch;

	if (hdmabuf_xen_own == 0) {
		unregister_xenbus_watch(&xch_watch_release);
		unregister_xenbus_watch(&xch_watch_intro);
	} else {
		unregister_xenbus_watch(&xch_watch_allow);
	}
	mutex_lock(&xch_scan_lock);
	xch_stopping = true;
	mutex_unlock(&xch_scan_lock);
	cancel_work_sync(&xch_scan_work);

	xa_for_each(&xch_table, id, ch) {
		xa_erase(&xch_table, id);
		xch_remove(ch);
	}
	bitmap_free(xch_known);
	xch_known = NULL;
}
