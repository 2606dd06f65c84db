// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer pool of --sync fences (pool.h).  Our read fences are vgem
 * software fences on a scratch buffer, passed to FENCE_ATTACH as a
 * sync_file: the peer's buffer itself may be read-only here, and a
 * read-only import cannot be PRIME-imported into vgem.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "pool.h"

int pool_init(struct pool *p)
{
	unsigned int i;
	int ret;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < POOL_MAX; i++)
		p->buf[i].fd = -1;
	p->scratch.dmabuf = -1;
	p->card = hdmabuf_vgem_open();
	if (p->card < 0)
		return p->card;
	ret = hdmabuf_vgem_alloc_size(p->card, 4096, &p->scratch);
	if (ret) {
		close(p->card);
		p->card = -1;
	}
	return ret;
}

void pool_fini(struct pool *p)
{
	while (p->nr)
		pool_remove(p, &p->buf[0]);
	hdmabuf_vgem_free(&p->scratch);
	if (p->card >= 0)
		close(p->card);
	p->card = -1;
}

int pool_add(struct pool *p, const struct hyper_dmabuf_handle *h, int fd,
	     uint64_t size, const struct frame_layout *l, uint32_t backend,
	     uint64_t peer)
{
	struct pool_buf *b;
	void *map;
	int ret;

	if (p->nr == POOL_MAX || size > SIZE_MAX) {
		close(fd);
		return p->nr == POOL_MAX ? -ENOSPC : -EFBIG;
	}
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}
	b = &p->buf[p->nr++];
	b->handle = *h;
	b->fd = fd;
	b->map = map;
	b->size = size;
	b->layout = *l;
	b->backend = backend;
	b->peer = peer;
	return 0;
}

struct pool_buf *pool_find(struct pool *p,
			   const struct hyper_dmabuf_handle *h)
{
	unsigned int i;

	for (i = 0; i < p->nr; i++)
		if (hdmabuf_handle_eq(&p->buf[i].handle, h))
			return &p->buf[i];
	return NULL;
}

void pool_remove(struct pool *p, struct pool_buf *b)
{
	munmap(b->map, (size_t)b->size);
	close(b->fd);
	*b = p->buf[--p->nr];
	p->buf[p->nr].fd = -1;
	p->buf[p->nr].map = NULL;
}

int pool_read_begin(struct pool *p, int dev, const struct pool_buf *b,
		    uint32_t *fence)
{
	uint64_t seqno = 0;
	int sync_fd, ret;

	ret = hdmabuf_vgem_fence_attach(p->card, p->scratch.gem, 0, fence);
	if (ret)
		return ret;
	/* WRITE: every fence on the scratch buffer, i.e. this one */
	sync_fd = hdmabuf_dmabuf_export_sync_file(p->scratch.dmabuf,
						  DMA_BUF_SYNC_WRITE);
	if (sync_fd < 0) {
		ret = sync_fd;
		goto signal;
	}
	ret = hdmabuf_fence_attach(dev, &b->handle, sync_fd, 0, &seqno);
	close(sync_fd);
	if (!ret && !seqno)
		ret = -EPROTO;	/* our fence was pending: it must be sent */
	if (!ret)
		return 0;
signal:
	hdmabuf_vgem_fence_signal(p->card, *fence);
	return ret;
}

void pool_read_end(struct pool *p, uint32_t fence)
{
	hdmabuf_vgem_fence_signal(p->card, fence);
}

int pool_wait_written(int dev, const struct pool_buf *b, uint64_t seqno,
		      int timeout_ms)
{
	struct pollfd pfd = { .events = POLLIN };
	int ret, status;

	/*
	 * That fence itself, not the import's EXPORT_SYNC_FILE: that leaves
	 * out signalled fences, and with them how they ended.
	 */
	pfd.fd = hdmabuf_fence_get_seqno(dev, &b->handle, seqno);
	if (pfd.fd < 0)
		return pfd.fd;
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		ret = ret ? -errno : -ETIMEDOUT;
		close(pfd.fd);
		return ret;
	}
	status = hdmabuf_sync_file_status(pfd.fd);
	close(pfd.fd);
	return status < 0 ? status : 0;
}
