/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the hyper_dmabuf core and its backend modules.
 *
 * A backend moves messages and shares pages with peer domains; the core
 * owns every buffer, handle and lifetime.  A backend module registers one
 * struct hdmabuf_backend per local identity (the loopback backend registers
 * several pseudo-domains), reports its peers coming and going, and hands
 * every received message to hdmabuf_receive(), which validates it before
 * anything else looks at it.
 *
 * Context rules: every op may sleep; hdmabuf_receive(), hdmabuf_peer_up()
 * and hdmabuf_peer_down() must be called from process context (a backend
 * defers its interrupt work) and never from inside an op.
 *
 * Unregistering: the backend first stops calling hdmabuf_receive(),
 * hdmabuf_peer_up() and hdmabuf_peer_down() for @be, then calls
 * hdmabuf_backend_unregister() (not from inside an op: it waits for the
 * ops in progress).  That sends BYE to the peers, tears them down as
 * hdmabuf_peer_down() does (imports revoked through @revoke, exports
 * unshared through @unshare) and returns once no op of @be runs.  Buffers
 * may outlive it: afterwards the core calls only @unmap and @vunmap, for
 * the imports whose dma-bufs are still held, and each of those pins
 * @owner.  A backend that frees @be must wait for its last @unmap.
 */
#ifndef HDMABUF_BACKEND_H
#define HDMABUF_BACKEND_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>

struct page;
struct vm_area_struct;
struct hdmabuf_backend;

/**
 * struct hdmabuf_share_info - where an importer finds a shared buffer
 * @dir_root: ref of the root directory page (protocol/hdmabuf_pgdir.h).
 * @dir_pages: number of directory pages.
 * @dir_levels: directory levels.
 * @ref_size: bytes per ref, 4 or 8.
 */
struct hdmabuf_share_info {
	u64 dir_root;
	u32 dir_pages;
	u8 dir_levels;
	u8 ref_size;
};

/**
 * struct hdmabuf_backend_ops - what a backend does for the core
 * @send: queue one message of @len bytes (<= HDMABUF_MSG_MAX_SIZE) to
 *	@peer.  Returns 0 once the message is on its way, -ENOTCONN when the
 *	peer is not reachable.
 * @share: make @nr_pages pages visible to @peer (read-only unless @rw)
 *	behind a page directory; fill @info and return a cookie for @unshare.
 *	The pages stay the caller's; the backend must not free or reuse them
 *	while the peer may still map them (deferred reclaim is its job).
 * @unshare: end the sharing made by @share.
 * @map: map the pages @peer shared under @info into this domain; return
 *	the page array (@nr_pages entries) and a cookie for @unmap.  Every
 *	ref read from the peer is validated by the backend.
 * @unmap: undo @map; the pages must not be used afterwards.
 *
 * Optional CPU-mapping ops, for transports whose pages cannot simply be
 * put into page tables (a Xen PV domain maps a foreign frame only through
 * a grant mapping of the PTE itself).  Each may return -EOPNOTSUPP to let
 * the core map the pages itself.  The core calls them under the import's
 * lock, never for a revoked import, and with @cookie from @map.
 * @mmap: map @vma (which the core checked: shared, within the buffer,
 *	not writable for a read-only import) completely; set its vm_ops.
 *	The mapping must go away before any PTE of it is zapped.
 * @vmap: map the whole buffer into the kernel at *@vaddr.
 * @vunmap: undo a successful @vmap.
 * @revoke: the exporter revoked the buffer and the core has zapped every
 *	VMA it knows of: remove all remaining CPU mappings made by @mmap
 *	(kernel @vmap mappings stay until @vunmap).
 */
struct hdmabuf_backend_ops {
	int (*send)(struct hdmabuf_backend *be, u64 peer, const void *msg,
		    size_t len);
	int (*share)(struct hdmabuf_backend *be, u64 peer, struct page **pages,
		     unsigned long nr_pages, bool rw,
		     struct hdmabuf_share_info *info, void **cookie);
	void (*unshare)(struct hdmabuf_backend *be, void *cookie);
	int (*map)(struct hdmabuf_backend *be, u64 peer,
		   const struct hdmabuf_share_info *info,
		   unsigned long nr_pages, bool rw, struct page ***pages,
		   void **cookie);
	void (*unmap)(struct hdmabuf_backend *be, void *cookie);

	int (*mmap)(struct hdmabuf_backend *be, void *cookie,
		    struct vm_area_struct *vma);
	int (*vmap)(struct hdmabuf_backend *be, void *cookie, void **vaddr);
	void (*vunmap)(struct hdmabuf_backend *be, void *cookie, void *vaddr);
	void (*revoke)(struct hdmabuf_backend *be, void *cookie);
};

/**
 * struct hdmabuf_backend - one local identity on one transport
 * @ops: the backend's operations.
 * @owner: THIS_MODULE of the backend; pinned by every live buffer.
 * @type: HYPER_DMABUF_BACKEND_*.
 * @name: short name shown in GET_INFO and uevents.
 * @own_domid: this identity's domain id as peers see it.
 * @priv: backend data.
 * @node: core-private: entry in the backend list.
 * @peers: core-private: struct hdmabuf_peer list, under hdmabuf_lock.
 */
struct hdmabuf_backend {
	const struct hdmabuf_backend_ops *ops;
	struct module *owner;
	u32 type;
	char name[16];
	u64 own_domid;
	void *priv;

	struct list_head node;
	struct list_head peers;
};

int hdmabuf_backend_register(struct hdmabuf_backend *be);
void hdmabuf_backend_unregister(struct hdmabuf_backend *be);
void hdmabuf_peer_up(struct hdmabuf_backend *be, u64 domid);
void hdmabuf_peer_down(struct hdmabuf_backend *be, u64 domid);
void hdmabuf_receive(struct hdmabuf_backend *be, u64 from, const void *msg,
		     size_t len);

#endif /* HDMABUF_BACKEND_H */
