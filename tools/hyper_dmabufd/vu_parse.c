// SPDX-License-Identifier: GPL-2.0
/* vu_parse.c - message payload checks (see vu_parse.h). */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "vu_parse.h"

int vu_parse_u64(const void *pl, size_t size, uint64_t *v)
{
	if (size != sizeof(*v))
		return -EINVAL;
	memcpy(v, pl, sizeof(*v));
	return 0;
}

int vu_parse_vring_state(const void *pl, size_t size, struct vu_vring_state *s)
{
	if (size != sizeof(*s))
		return -EINVAL;
	memcpy(s, pl, sizeof(*s));
	return 0;
}

int vu_parse_vring_addr(const void *pl, size_t size, struct vu_vring_addr *a)
{
	if (size != sizeof(*a))
		return -EINVAL;
	memcpy(a, pl, sizeof(*a));
	return 0;
}

int vu_parse_config_req(const void *pl, size_t size, struct vu_config *c)
{
	struct vu_config tmp;

	if (size < VU_CONFIG_HDR_SIZE || size > sizeof(tmp))
		return -EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	memcpy(&tmp, pl, size);
	if (tmp.size > VU_MAX_CONFIG || tmp.size != size - VU_CONFIG_HDR_SIZE ||
	    tmp.offset > VU_MAX_CONFIG - tmp.size)
		return -EINVAL;
	*c = tmp;
	return 0;
}

int vu_check_vring_num(uint32_t num)
{
	if (!num || num > VRING_MAX_SIZE || (num & (num - 1)))
		return -EINVAL;
	return 0;
}

int vu_parse_backend_ack(const struct vu_hdr *h, uint32_t request)
{
	if (h->request != request || (h->flags & VU_VERSION_MASK) != VU_VERSION ||
	    !(h->flags & VU_FLAG_REPLY) || h->size != sizeof(uint64_t))
		return -EINVAL;
	return 0;
}

int vdev_parse_req(const void *buf, size_t len, struct virtio_dmabuf_hdr *h)
{
	struct virtio_dmabuf_hdr t;

	if (len < sizeof(t) || len > VIRTIO_DMABUF_MAX_CHAIN_IN)
		return -EINVAL;
	memcpy(&t, buf, sizeof(t));
	t.type = le32toh(t.type);
	t.peer = le32toh(t.peer);
	t.len = le32toh(t.len);
	t.reserved = le32toh(t.reserved);
	if (t.reserved || t.len != len - sizeof(t))
		return -EINVAL;
	switch (t.type) {
	case VIRTIO_DMABUF_T_MSG:
		if (!t.len || t.len > VIRTIO_DMABUF_MAX_PAYLOAD)
			return -EINVAL;
		break;
	case VIRTIO_DMABUF_T_MAP:
		if (t.len != sizeof(struct virtio_dmabuf_map))
			return -EINVAL;
		break;
	case VIRTIO_DMABUF_T_UNMAP:
		if (t.len != sizeof(struct virtio_dmabuf_unmap) || t.peer)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	*h = t;
	return (int)t.type;
}

int vdev_parse_map(const void *pl, size_t len, uint64_t max_pages,
		   struct virtio_dmabuf_map *m)
{
	struct virtio_dmabuf_map t;

	if (len != sizeof(t))
		return -EINVAL;
	memcpy(&t, pl, sizeof(t));
	t.dir_root = le64toh(t.dir_root);
	t.dir_pages = le32toh(t.dir_pages);
	t.nr_pages = le64toh(t.nr_pages);
	if (t.ref_size != 8 || t.rw > 1 || t.pad || !t.nr_pages ||
	    t.nr_pages > max_pages)
		return -EINVAL;
	*m = t;
	return 0;
}

int vdev_parse_unmap(const void *pl, size_t len, struct virtio_dmabuf_unmap *u)
{
	struct virtio_dmabuf_unmap t;

	if (len != sizeof(t))
		return -EINVAL;
	memcpy(&t, pl, sizeof(t));
	t.shm_offset = le64toh(t.shm_offset);
	t.nr_pages = le64toh(t.nr_pages);
	if (!t.nr_pages || (t.shm_offset & (VIRTIO_DMABUF_PAGE_SIZE - 1)))
		return -EINVAL;
	*u = t;
	return 0;
}
