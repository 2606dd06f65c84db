// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf loopback backend: several pseudo-domains inside one kernel.
 *
 * Each pseudo-domain registers with the core as a backend instance with
 * its own domain id (0 .. nr_domains - 1); instance 0 is the one this VM
 * exports through, the others play the peers.  Messages are copied and
 * delivered in order on a per-domain workqueue, like a ring would.  Pages
 * are shared through a small grant table that checks, as Xen does, who
 * granted a page to whom and whether writing is allowed, and through the
 * same page-directory format the real backends use, so the core's and the
 * protocol's hostile-input paths are exercised without a hypervisor.
 *
 * debugfs (hyper_dmabuf_loopback/) has fault knobs: drop_next,
 * duplicate_next and corrupt_next (count of messages to affect), delay_ms
 * (added to every delivery), inject ("FROM TO OPCODE HANDLEHEX": deliver a
 * crafted buffer message, or a BYE, as if FROM had sent it), and
 * domain_down / domain_up ("N": pseudo-domain N dies, as a crashed guest
 * would, or comes back; the core then hears hdmabuf_peer_down/up()), and
 * unregister ("N": N's backend instance unregisters while buffers may
 * live, as a removed virtio device does; late_calls counts the ops the
 * core calls on it afterwards that the contract forbids).
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "hdmabuf_compat.h"
#include "hdmabuf_backend.h"
#include "hdmabuf_pgdir.h"
#include "hdmabuf_wire.h"
#include <linux/hyper_dmabuf.h>

#define LO_MAX_DOMAINS	8

static unsigned int nr_domains = 3;
module_param(nr_domains, uint, 0444);
MODULE_PARM_DESC(nr_domains, "Pseudo-domains to create (2..8). Default 3.");

/**
 * struct lo_domain - one pseudo-domain
 * @be: its backend instance.
 * @wq: ordered workqueue delivering messages to it.
 * @msgs: messages queued to it (struct lo_msg), under lo_lock.
 * @gone: not registered (yet, or any more): nothing is delivered to it.
 * @down: dead, per the domain_down knob: it neither sends nor receives.
 * @gen: incremented when it dies; messages from an earlier life are
 *	dropped on delivery.
 * @unregistered: hdmabuf_backend_unregister() returned for @be (the
 *	unregister knob); under lo_updown_lock, read locklessly by the ops.
 *
 * @gone, @down and @gen are protected by lo_lock.
 */
struct lo_domain {
	struct hdmabuf_backend be;
	struct workqueue_struct *wq;
	struct list_head msgs;
	bool gone;
	bool down;
	unsigned int gen;
	bool unregistered;
};

static struct lo_domain lo_domains[LO_MAX_DOMAINS];
static DEFINE_SPINLOCK(lo_lock);
/* Serialises domain_down/domain_up against each other. */
static DEFINE_MUTEX(lo_updown_lock);

static atomic_t lo_drop_next = ATOMIC_INIT(0);
static atomic_t lo_duplicate_next = ATOMIC_INIT(0);
static atomic_t lo_corrupt_next = ATOMIC_INIT(0);
static atomic_t lo_late_calls = ATOMIC_INIT(0);
static unsigned int lo_delay_ms;
static struct dentry *lo_debugfs;

/**
 * struct lo_grant - one page made visible by one domain to another
 * @granter: the domain whose page it is.
 * @grantee: the only domain that may map it.
 * @ro: the grantee may not write.
 * @page: the page.
 */
struct lo_grant {
	u64 granter;
	u64 grantee;
	bool ro;
	struct page *page;
};

/* The grant table, ids 1..U32_MAX; its own lock protects it. */
static DEFINE_XARRAY_ALLOC1(lo_grants);

/* -------------------------------------------------------- messages */

/**
 * struct lo_msg - one message in flight
 * @node: entry in @to->msgs, under lo_lock.
 * @work: delivers it.
 * @to: the receiving domain.
 * @from: the sending domain's id.
 * @to_gen: @to->gen when sent.
 * @from_gen: the sender's gen when sent.
 * @len: bytes of @data.
 * @data: the message.
 */
struct lo_msg {
	struct list_head node;
	struct delayed_work work;
	struct lo_domain *to;
	u64 from;
	unsigned int to_gen;
	unsigned int from_gen;
	size_t len;
	u8 data[];
};

/* Whether @from can reach @to now; under lo_lock. */
static bool lo_link_up(const struct lo_domain *from, const struct lo_domain *to)
{
	lockdep_assert_held(&lo_lock);
	return !to->gone && !to->down && !from->down;
}

static void lo_deliver_work(struct work_struct *work)
{
	struct lo_msg *m = container_of(to_delayed_work(work), struct lo_msg,
					work);
	struct lo_domain *from = &lo_domains[m->from];
	bool deliver;

	spin_lock(&lo_lock);
	list_del(&m->node);
	/* What a dead domain sent, or was sent, is lost with it. */
	deliver = lo_link_up(from, m->to) && m->to_gen == m->to->gen &&
		  m->from_gen == from->gen;
	spin_unlock(&lo_lock);
	if (deliver)
		hdmabuf_receive(&m->to->be, m->from, m->data, m->len);
	kfree(m);
}

static int lo_queue(struct lo_domain *to, u64 from, const void *msg,
		    size_t len)
{
	struct lo_domain *sender = &lo_domains[from];
	struct lo_msg *m;
	int ret = 0;

	m = kmalloc(struct_size(m, data, len), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	INIT_DELAYED_WORK(&m->work, lo_deliver_work);
	m->to = to;
	m->from = from;
	m->len = len;
	memcpy(m->data, msg, len);

	spin_lock(&lo_lock);
	if (lo_link_up(sender, to)) {
		m->to_gen = to->gen;
		m->from_gen = sender->gen;
		list_add_tail(&m->node, &to->msgs);
		queue_delayed_work(to->wq, &m->work,
				   msecs_to_jiffies(READ_ONCE(lo_delay_ms)));
	} else {
		ret = -ENOTCONN;
	}
	spin_unlock(&lo_lock);
	if (ret)
		kfree(m);
	return ret;
}

/* Delivers (or drops) at once every message queued to @d, and waits. */
static void lo_domain_drain(struct lo_domain *d)
{
	struct lo_msg *m;

	spin_lock(&lo_lock);
	list_for_each_entry(m, &d->msgs, node) {
		/* Only a work we took off the timer can be queued again. */
		if (cancel_delayed_work(&m->work))
			queue_delayed_work(d->wq, &m->work, 0);
	}
	spin_unlock(&lo_lock);
	flush_workqueue(d->wq);
}

/*
 * Stops deliveries to @d: what is in flight arrives first (a BYE from a
 * domain unregistered before it, say), then nothing is queued to it or
 * runs any more.
 */
static void lo_domain_quiesce(struct lo_domain *d)
{
	lo_domain_drain(d);
	spin_lock(&lo_lock);
	d->gone = true;
	spin_unlock(&lo_lock);
	lo_domain_drain(d);
}

/*
 * After unregistering, the core may only unmap what it mapped: any other
 * op is a bug in the core (the @be of a removed device would be gone).
 */
static bool lo_late(struct hdmabuf_backend *be, const char *op)
{
	struct lo_domain *d = container_of(be, struct lo_domain, be);

	if (!READ_ONCE(d->unregistered))
		return false;
	atomic_inc(&lo_late_calls);
	pr_warn_ratelimited("hyper_dmabuf_loopback: %s on unregistered domain %llu\n",
			    op, be->own_domid);
	return true;
}

static bool lo_take(atomic_t *knob)
{
	return atomic_add_unless(knob, -1, 0);
}

static struct lo_domain *lo_domain_get(u64 id)
{
	return id < nr_domains ? &lo_domains[id] : NULL;
}

static int lo_send(struct hdmabuf_backend *be, u64 peer, const void *msg,
		   size_t len)
{
	struct lo_domain *to = lo_domain_get(peer);
	u8 *copy;
	int ret;

	if (!to || peer == be->own_domid || lo_late(be, "send"))
		return -ENOTCONN;
	if (lo_take(&lo_drop_next))
		return 0;
	if (lo_take(&lo_corrupt_next) && len) {
		copy = kmemdup(msg, len, GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
		copy[0] ^= 0xff;	/* the magic: rejected on arrival */
		ret = lo_queue(to, be->own_domid, copy, len);
		kfree(copy);
		return ret;
	}
	ret = lo_queue(to, be->own_domid, msg, len);
	if (!ret && lo_take(&lo_duplicate_next))
		ret = lo_queue(to, be->own_domid, msg, len);
	return ret;
}

/* ----------------------------------------------------------- grants */

static int lo_grant(u64 granter, u64 grantee, struct page *page, bool ro,
		    u64 *ref)
{
	struct lo_grant *g;
	u32 id;
	int ret;

	g = kmalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->granter = granter;
	g->grantee = grantee;
	g->ro = ro;
	g->page = page;
	ret = xa_alloc(&lo_grants, &id, g, xa_limit_32b, GFP_KERNEL);
	if (ret) {
		kfree(g);
		return ret;
	}
	*ref = id;
	return 0;
}

static void lo_ungrant(u64 ref)
{
	kfree(xa_erase(&lo_grants, ref));
}

/*
 * Returns the page behind @ref with a reference, if @granter granted it
 * to @grantee (writable if @rw); this is where a hostile ref is caught.
 */
static struct page *lo_grant_map(u64 ref, u64 granter, u64 grantee, bool rw)
{
	struct page *page = NULL;
	struct lo_grant *g;

	if (ref > U32_MAX)
		return NULL;
	xa_lock(&lo_grants);
	g = xa_load(&lo_grants, ref);
	if (g && g->granter == granter && g->grantee == grantee &&
	    !(rw && g->ro)) {
		page = g->page;
		get_page(page);
	}
	xa_unlock(&lo_grants);
	return page;
}

/* ------------------------------------------------------------ share */

/**
 * struct lo_share - exporter-side state of one shared buffer
 * @nr_refs: used entries of @refs (data then directory).
 * @refs: every grant made.
 * @dir: directory pages.
 * @nr_dir: entries of @dir.
 */
struct lo_share {
	unsigned long nr_refs;
	u64 *refs;
	struct page **dir;
	unsigned long nr_dir;
};

static void lo_unshare(struct hdmabuf_backend *be, void *cookie)
{
	struct lo_share *s = cookie;
	unsigned long i;

	lo_late(be, "unshare");	/* still undone, or the grants would leak */
	/* Importers keep their page references: nothing is freed under them. */
	for (i = 0; i < s->nr_refs; i++)
		lo_ungrant(s->refs[i]);
	for (i = 0; i < s->nr_dir; i++)
		if (s->dir[i])
			__free_page(s->dir[i]);
	kvfree(s->refs);
	kvfree(s->dir);
	kfree(s);
}

static int lo_share_pages(struct hdmabuf_backend *be, u64 peer,
			  struct page **pages, unsigned long nr_pages, bool rw,
			  struct hdmabuf_share_info *info, void **cookie)
{
	struct hdmabuf_pgdir_geom g;
	struct lo_share *s;
	void **dir_va = NULL;
	unsigned long i;
	int ret;

	if (lo_late(be, "share"))
		return -ENOTCONN;
	ret = hdmabuf_pgdir_geom_init(&g, nr_pages, 4, PAGE_SIZE);
	if (ret)
		return ret;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->nr_dir = g.total_pages;
	s->refs = kvcalloc(nr_pages + g.total_pages, sizeof(*s->refs),
			   GFP_KERNEL);
	s->dir = kvcalloc(g.total_pages, sizeof(*s->dir), GFP_KERNEL);
	dir_va = kvcalloc(g.total_pages, sizeof(*dir_va), GFP_KERNEL);
	if (!s->refs || !s->dir || !dir_va) {
		ret = -ENOMEM;
		goto err_unshare;
	}

	for (i = 0; i < nr_pages; i++) {
		ret = lo_grant(be->own_domid, peer, pages[i], !rw,
			       &s->refs[s->nr_refs]);
		if (ret)
			goto err_unshare;
		s->nr_refs++;
	}
	for (i = 0; i < g.total_pages; i++) {
		s->dir[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!s->dir[i]) {
			ret = -ENOMEM;
			goto err_unshare;
		}
		dir_va[i] = page_address(s->dir[i]);
		/* Directory pages are always read-only for the peer. */
		ret = lo_grant(be->own_domid, peer, s->dir[i], true,
			       &s->refs[s->nr_refs]);
		if (ret)
			goto err_unshare;
		s->nr_refs++;
	}
	ret = hdmabuf_pgdir_build(&g, dir_va, s->refs + nr_pages, s->refs);
	if (ret)
		goto err_unshare;

	info->dir_root = s->refs[nr_pages];
	info->dir_pages = g.total_pages;
	info->dir_levels = g.levels;
	info->ref_size = 4;
	*cookie = s;
	kvfree(dir_va);
	return 0;

err_unshare:
	kvfree(dir_va);
	lo_unshare(be, s);
	return ret;
}

/* ------------------------------------------------------------- map */

struct lo_map {
	struct page **pages;
	unsigned long nr_pages;
};

struct lo_walk_ctx {
	u64 granter;
	u64 grantee;
};

static int lo_walk_map(void *ctx, u64 ref, const void **page)
{
	struct lo_walk_ctx *c = ctx;
	struct page *p = lo_grant_map(ref, c->granter, c->grantee, false);

	if (!p)
		return -EPERM;
	*page = page_address(p);
	return 0;
}

static void lo_walk_unmap(void *ctx, u64 ref, const void *page)
{
	put_page(virt_to_page(page));
}

static const struct hdmabuf_pgdir_walk_ops lo_walk_ops = {
	.map = lo_walk_map,
	.unmap = lo_walk_unmap,
};

static void lo_unmap(struct hdmabuf_backend *be, void *cookie)
{
	struct lo_map *m = cookie;
	unsigned long i;

	for (i = 0; i < m->nr_pages; i++)
		if (m->pages[i])
			put_page(m->pages[i]);
	kvfree(m->pages);
	kfree(m);
}

static int lo_map_pages(struct hdmabuf_backend *be, u64 peer,
			const struct hdmabuf_share_info *info,
			unsigned long nr_pages, bool rw, struct page ***pages,
			void **cookie)
{
	struct lo_walk_ctx ctx = { .granter = peer, .grantee = be->own_domid };
	u64 *dir_refs = NULL, *data_refs = NULL, *scratch = NULL;
	struct hdmabuf_pgdir_geom g;
	struct lo_map *m;
	unsigned long i;
	int ret;

	if (lo_late(be, "map"))
		return -ENOTCONN;
	ret = hdmabuf_pgdir_geom_init(&g, nr_pages, info->ref_size, PAGE_SIZE);
	if (ret)
		return ret;
	ret = hdmabuf_pgdir_geom_check(&g, info->dir_levels, info->dir_pages);
	if (ret)
		return ret;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->pages = kvcalloc(nr_pages, sizeof(*m->pages), GFP_KERNEL);
	dir_refs = kvcalloc(g.total_pages, sizeof(u64), GFP_KERNEL);
	scratch = kvcalloc(g.total_pages, sizeof(u64), GFP_KERNEL);
	data_refs = kvcalloc(nr_pages, sizeof(u64), GFP_KERNEL);
	if (!m->pages || !dir_refs || !scratch || !data_refs) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	m->nr_pages = nr_pages;

	ret = hdmabuf_pgdir_walk(&g, info->dir_root, &lo_walk_ops, &ctx,
				 HDMABUF_PGDIR_WALK_NO_ZERO_REFS, dir_refs,
				 data_refs, scratch);
	if (ret)
		goto err_unmap;
	for (i = 0; i < nr_pages; i++) {
		m->pages[i] = lo_grant_map(data_refs[i], peer, be->own_domid,
					   rw);
		if (!m->pages[i]) {
			ret = -EPERM;
			goto err_unmap;
		}
	}
	*pages = m->pages;
	*cookie = m;
	goto out_free;

err_unmap:
	lo_unmap(be, m);
out_free:
	kvfree(dir_refs);
	kvfree(scratch);
	kvfree(data_refs);
	return ret;
}

static const struct hdmabuf_backend_ops lo_ops = {
	.send = lo_send,
	.share = lo_share_pages,
	.unshare = lo_unshare,
	.map = lo_map_pages,
	.unmap = lo_unmap,
};

/* ----------------------------------------------------------- debugfs */

static int lo_inject_hello(unsigned int from, unsigned int to)
{
	struct {
		struct hdmabuf_msg_hdr hdr;
		struct hdmabuf_msg_hello hello;
	} msg = { };

	hdmabuf_msg_init_hdr(&msg.hdr, HDMABUF_OP_HELLO,
			     HDMABUF_MSG_F_NEED_REPLY, sizeof(msg.hello),
			     0xfeedULL);
	msg.hello.version_min = cpu_to_le16(HDMABUF_PROTO_VERSION_MIN);
	msg.hello.version_max = cpu_to_le16(HDMABUF_PROTO_VERSION_MAX);
	msg.hello.features = cpu_to_le64(HDMABUF_FEAT_SUPPORTED);
	msg.hello.sender_id = cpu_to_le64(from);
	return lo_queue(&lo_domains[to], from, &msg, sizeof(msg));
}

static ssize_t lo_inject_write(struct file *f, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct {
		struct hdmabuf_msg_hdr hdr;
		union {
			struct {
				struct hdmabuf_wire_handle handle;
				__le32 word[2];
			} buf;
			struct hdmabuf_msg_bye bye;
		};
	} msg = { };
	char buf[96], hex[2 * HDMABUF_HANDLE_SIZE + 1];
	unsigned int from, to, op;
	size_t len = sizeof(msg.buf);
	u32 flags = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%u %u %x %32s", &from, &to, &op, hex) != 4 ||
	    strlen(hex) != 2 * HDMABUF_HANDLE_SIZE ||
	    hex2bin(msg.buf.handle.bytes, hex, HDMABUF_HANDLE_SIZE) ||
	    from >= nr_domains || to >= nr_domains || from == to)
		return -EINVAL;
	/* Every buffer message is a handle plus two words; zero is valid. */
	if (op == HDMABUF_OP_IMPORT || op == HDMABUF_OP_CPU_ACCESS) {
		flags = HDMABUF_MSG_F_NEED_REPLY;
		if (op == HDMABUF_OP_CPU_ACCESS)
			msg.buf.word[1] = cpu_to_le32(HDMABUF_DIR_READ);
	}
	/* BYE (SHUTDOWN) has its own body; the handle is not sent. */
	if (op == HDMABUF_OP_BYE) {
		memset(&msg.buf, 0, sizeof(msg.buf));
		msg.bye.reason = cpu_to_le32(HDMABUF_BYE_SHUTDOWN);
		len = sizeof(msg.bye);
	}
	hdmabuf_msg_init_hdr(&msg.hdr, op, flags, len,
			     flags ? 0xdeadbeefULL : 0);
	/*
	 * Introduce FROM first, as its core would before any buffer message:
	 * the receiver then judges the injected message on its merits.
	 */
	if (op != HDMABUF_OP_HELLO && lo_inject_hello(from, to))
		return -ENOMEM;
	return lo_queue(&lo_domains[to], from, &msg, sizeof(msg.hdr) + len) ?:
	       count;
}

static const struct file_operations lo_inject_fops = {
	.owner = THIS_MODULE,
	.write = lo_inject_write,
};

static int lo_atomic_get(void *data, u64 *val)
{
	*val = atomic_read(data);
	return 0;
}

static int lo_atomic_set(void *data, u64 val)
{
	atomic_set(data, (int)min_t(u64, val, INT_MAX));
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(lo_atomic_fops, lo_atomic_get, lo_atomic_set,
			 "%llu\n");

/* Parses "N" for the domain_down/domain_up knobs. */
static int lo_parse_domain(const char __user *ubuf, size_t count,
			   unsigned int *id)
{
	int ret = kstrtouint_from_user(ubuf, count, 0, id);

	if (ret)
		return ret;
	return *id < nr_domains ? 0 : -EINVAL;
}

/*
 * Domain N dies: every other domain sees it go down, and N itself (whose
 * kernel a real crash would take along) forgets every peer.  Messages in
 * flight to or from it are lost.
 */
static ssize_t lo_domain_down_write(struct file *f, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	unsigned int n, i;
	bool was_down;
	int ret;

	ret = lo_parse_domain(ubuf, count, &n);
	if (ret)
		return ret;
	mutex_lock(&lo_updown_lock);
	spin_lock(&lo_lock);
	was_down = lo_domains[n].down;
	if (!was_down) {
		lo_domains[n].down = true;
		lo_domains[n].gen++;
	}
	spin_unlock(&lo_lock);
	for (i = 0; i < nr_domains && !was_down; i++) {
		if (i == n)
			continue;
		if (!lo_domains[i].unregistered)
			hdmabuf_peer_down(&lo_domains[i].be, n);
		if (!lo_domains[n].unregistered)
			hdmabuf_peer_down(&lo_domains[n].be, i);
	}
	mutex_unlock(&lo_updown_lock);
	return count;
}

/* Domain N is back, with no memory of its earlier life. */
static ssize_t lo_domain_up_write(struct file *f, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	unsigned int n, i;
	bool was_down;
	int ret;

	ret = lo_parse_domain(ubuf, count, &n);
	if (ret)
		return ret;
	mutex_lock(&lo_updown_lock);
	spin_lock(&lo_lock);
	was_down = lo_domains[n].down;
	lo_domains[n].down = false;
	spin_unlock(&lo_lock);
	for (i = 0; i < nr_domains && was_down; i++) {
		/* A pair comes up when both ends are alive. */
		if (i == n || READ_ONCE(lo_domains[i].down))
			continue;
		if (!lo_domains[i].unregistered)
			hdmabuf_peer_up(&lo_domains[i].be, n);
		if (!lo_domains[n].unregistered)
			hdmabuf_peer_up(&lo_domains[n].be, i);
	}
	mutex_unlock(&lo_updown_lock);
	return count;
}

/*
 * Domain N's backend instance goes away for good while buffers may still
 * use it, as a removed virtio device's does; the module stays loaded.
 * Only unloading brings the domain back.
 */
static ssize_t lo_unregister_write(struct file *f, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct lo_domain *d;
	unsigned int n;
	int ret;

	ret = lo_parse_domain(ubuf, count, &n);
	if (ret)
		return ret;
	d = &lo_domains[n];
	mutex_lock(&lo_updown_lock);
	if (!d->unregistered) {
		lo_domain_quiesce(d);
		hdmabuf_backend_unregister(&d->be);
		WRITE_ONCE(d->unregistered, true);
	}
	mutex_unlock(&lo_updown_lock);
	return count;
}

static const struct file_operations lo_unregister_fops = {
	.owner = THIS_MODULE,
	.write = lo_unregister_write,
};

static const struct file_operations lo_domain_down_fops = {
	.owner = THIS_MODULE,
	.write = lo_domain_down_write,
};

static const struct file_operations lo_domain_up_fops = {
	.owner = THIS_MODULE,
	.write = lo_domain_up_write,
};

static void lo_debugfs_init(void)
{
	lo_debugfs = debugfs_create_dir("hyper_dmabuf_loopback", NULL);
	debugfs_create_file("drop_next", 0600, lo_debugfs, &lo_drop_next,
			    &lo_atomic_fops);
	debugfs_create_file("duplicate_next", 0600, lo_debugfs,
			    &lo_duplicate_next, &lo_atomic_fops);
	debugfs_create_file("corrupt_next", 0600, lo_debugfs, &lo_corrupt_next,
			    &lo_atomic_fops);
	debugfs_create_u32("delay_ms", 0600, lo_debugfs, &lo_delay_ms);
	debugfs_create_file("inject", 0200, lo_debugfs, NULL, &lo_inject_fops);
	debugfs_create_file("domain_down", 0200, lo_debugfs, NULL,
			    &lo_domain_down_fops);
	debugfs_create_file("domain_up", 0200, lo_debugfs, NULL,
			    &lo_domain_up_fops);
	debugfs_create_file("unregister", 0200, lo_debugfs, NULL,
			    &lo_unregister_fops);
	debugfs_create_file("late_calls", 0400, lo_debugfs, &lo_late_calls,
			    &lo_atomic_fops);
}

/* ------------------------------------------------------------- init */

/*
 * Unregisters domains 0..n-1 in order.  Each one first stops receiving;
 * its core then says BYE to the peers still registered, which handle it
 * before their own turn comes.
 */
static void lo_teardown(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (lo_domains[i].unregistered)
			continue;
		lo_domain_quiesce(&lo_domains[i]);
		hdmabuf_backend_unregister(&lo_domains[i].be);
	}
	for (i = 0; i < n; i++)
		destroy_workqueue(lo_domains[i].wq);
}

static int __init lo_init(void)
{
	unsigned int i, j;
	int ret;

	if (nr_domains < 2 || nr_domains > LO_MAX_DOMAINS)
		return -EINVAL;
	for (i = 0; i < LO_MAX_DOMAINS; i++) {
		INIT_LIST_HEAD(&lo_domains[i].msgs);
		lo_domains[i].gone = true;
	}
	for (i = 0; i < nr_domains; i++) {
		struct lo_domain *d = &lo_domains[i];

		d->wq = alloc_ordered_workqueue("hdmabuf_lo%u", 0, i);
		if (!d->wq) {
			ret = -ENOMEM;
			goto err_teardown;
		}
		d->be.ops = &lo_ops;
		d->be.owner = THIS_MODULE;
		d->be.type = HYPER_DMABUF_BACKEND_LOOPBACK;
		strscpy(d->be.name, "loopback", sizeof(d->be.name));
		d->be.own_domid = i;
		ret = hdmabuf_backend_register(&d->be);
		if (ret) {
			destroy_workqueue(d->wq);
			goto err_teardown;
		}
		spin_lock(&lo_lock);
		d->gone = false;
		spin_unlock(&lo_lock);
	}
	for (i = 0; i < nr_domains; i++)
		for (j = 0; j < nr_domains; j++)
			if (i != j)
				hdmabuf_peer_up(&lo_domains[i].be, j);
	lo_debugfs_init();
	return 0;

err_teardown:
	lo_teardown(i);
	return ret;
}

static void __exit lo_exit(void)
{
	debugfs_remove_recursive(lo_debugfs);
	lo_teardown(nr_domains);
	WARN_ON(!xa_empty(&lo_grants));
}

module_init(lo_init);
module_exit(lo_exit);

MODULE_DESCRIPTION("hyper_dmabuf loopback backend (pseudo-domains for tests)");
MODULE_LICENSE("GPL");
HDMABUF_IMPORT_NS(HYPER_DMABUF);
