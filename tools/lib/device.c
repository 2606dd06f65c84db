// SPDX-License-Identifier: GPL-2.0
/*
 * libhyperdmabuf: /dev/hyper_dmabuf ioctl wrappers and the event reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "hyperdmabuf.h"

int hdmabuf_open(int extra_flags)
{
	int fd = open(HDMABUF_DEV, O_RDWR | O_CLOEXEC | extra_flags);

	return fd < 0 ? -errno : fd;
}

int hdmabuf_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

int hdmabuf_get_info(int fd, struct hyper_dmabuf_info *info)
{
	memset(info, 0, sizeof(*info));
	return hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_GET_INFO, info);
}

int hdmabuf_export(int fd, struct hyper_dmabuf_export *e)
{
	return hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_EXPORT, e);
}

int hdmabuf_import(int fd, const struct hyper_dmabuf_handle *h,
		   uint32_t flags, uint64_t *size)
{
	struct hyper_dmabuf_import imp;
	int ret;

	memset(&imp, 0, sizeof(imp));
	imp.handle = *h;
	imp.flags = flags;
	ret = hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_IMPORT, &imp);
	if (ret)
		return ret;
	if (size)
		*size = imp.size;
	return imp.fd;
}

int hdmabuf_unexport(int fd, const struct hyper_dmabuf_handle *h,
		     uint32_t flags, uint32_t timeout_ms)
{
	struct hyper_dmabuf_unexport u;

	memset(&u, 0, sizeof(u));
	u.handle = *h;
	u.flags = flags;
	u.timeout_ms = timeout_ms;
	return hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_UNEXPORT, &u);
}

int hdmabuf_query(int fd, const struct hyper_dmabuf_handle *h,
		  struct hyper_dmabuf_query *q, void *opaque, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	q->handle = *h;
	if (opaque && cap) {
		q->opaque_ptr = (uintptr_t)opaque;
		q->opaque_cap = cap;
	}
	return hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_QUERY, q);
}

int hdmabuf_list(int fd, struct hyper_dmabuf_handle **handles)
{
	struct hyper_dmabuf_handle *arr = NULL;
	struct hyper_dmabuf_list l;
	uint32_t cap = 0;
	int ret, tries;

	*handles = NULL;
	/* Buffers may appear between two calls: grow and retry a few times. */
	for (tries = 0; tries < 8; tries++) {
		memset(&l, 0, sizeof(l));
		l.handles_ptr = (uintptr_t)arr;
		l.capacity = cap;
		ret = hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_LIST, &l);
		if (ret) {
			free(arr);
			return ret;
		}
		if (l.count <= cap) {
			*handles = arr;
			return (int)l.count;
		}
		free(arr);
		cap = l.count + 16;
		arr = calloc(cap, sizeof(*arr));
		if (!arr)
			return -ENOMEM;
	}
	free(arr);
	return -EAGAIN;
}

int hdmabuf_read_event(int fd, struct hyper_dmabuf_event *ev, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return 0;
		n = read(fd, ev, sizeof(*ev));
		if (n == (ssize_t)sizeof(*ev))
			return 1;
		if (n < 0 && errno == EAGAIN)
			continue;	/* another reader took it */
		if (n < 0)
			return -errno;
		return -EIO;		/* short record: not our ABI */
	}
}

int hdmabuf_event_mask(int fd, uint64_t mask, uint64_t *old)
{
	struct hyper_dmabuf_event_mask m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.mask = mask;
	ret = hdmabuf_ioctl(fd, HYPER_DMABUF_IOCTL_EVENT_MASK, &m);
	if (!ret && old)
		*old = m.old_mask;
	return ret;
}
