// SPDX-License-Identifier: GPL-2.0
/*
 * Fences: FENCE_ATTACH of a buffer's pending work for the peer, and the
 * sync_file plumbing around it (EXPORT_SYNC_FILE, the status of a
 * sync_file).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "hyperdmabuf.h"

int hdmabuf_fence_attach(int fd, const struct hyper_dmabuf_handle *h,
			 int sync_fd, uint32_t flags, uint64_t *seqno)
{
	struct hyper_dmabuf_fence_attach a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.handle = *h;
	a.fd = sync_fd;
	a.flags = flags;
	ret = hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_FENCE_ATTACH, &a);
	if (!ret && seqno)
		*seqno = a.seqno;
	return ret;
}

int hdmabuf_fence_get_seqno(int fd, const struct hyper_dmabuf_handle *h,
			    uint64_t seqno)
{
	struct hyper_dmabuf_fence_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.handle = *h;
	g.flags = HYPER_DMABUF_FENCE_SEQNO;
	g.seqno = seqno;
	ret = hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_FENCE_GET, &g);
	return ret ? ret : g.fd;
}

int hdmabuf_dmabuf_export_sync_file(int dmabuf_fd, uint32_t flags)
{
	struct dma_buf_export_sync_file es;
	int ret;

	memset(&es, 0, sizeof(es));
	es.flags = flags;
	es.fd = -1;
	ret = hdmabuf_ioctl(dmabuf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es);
	return ret ? ret : es.fd;
}

int hdmabuf_sync_file_status(int sync_fd)
{
	struct sync_file_info info;
	int ret;

	memset(&info, 0, sizeof(info));
	ret = hdmabuf_ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info);
	if (ret)
		return ret;
	/* 1 signalled, 0 active, < 0 the first error (a -errno) */
	return info.status;
}
