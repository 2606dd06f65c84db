/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vu_parse.h - payload checks of vhost-user front-end messages and of
 * the device's tx requests.  Pure functions (no I/O, no state), so the
 * unit tests feed them hostile input directly.  Each returns 0 or
 * -EINVAL and fills its output only on success.
 */
#ifndef HDMABUFD_VU_PARSE_H
#define HDMABUFD_VU_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "vu_proto.h"

int vu_parse_u64(const void *pl, size_t size, uint64_t *v);
int vu_parse_vring_state(const void *pl, size_t size, struct vu_vring_state *s);
int vu_parse_vring_addr(const void *pl, size_t size, struct vu_vring_addr *a);
/* GET_CONFIG request: header + size bytes, offset + size <= 256 */
int vu_parse_config_req(const void *pl, size_t size, struct vu_config *c);
/* queue size: power of two in [1, 32768] */
int vu_check_vring_num(uint32_t num);
/* back-end channel reply: a REPLY to @request with a u64 payload */
int vu_parse_backend_ack(const struct vu_hdr *h, uint32_t request);

/*
 * Device request header + payload (buf = readable part of a tx chain,
 * len bytes): header reserved == 0, header len == len - 16 and within the
 * type's bounds.  Returns the type or -EINVAL.
 */
int vdev_parse_req(const void *buf, size_t len, struct virtio_dmabuf_hdr *h);
/* MAP payload: ref_size 8, rw 0/1, pad 0, nr_pages in [1, max_pages] */
int vdev_parse_map(const void *pl, size_t len, uint64_t max_pages,
		   struct virtio_dmabuf_map *m);
int vdev_parse_unmap(const void *pl, size_t len, struct virtio_dmabuf_unmap *u);

#endif /* HDMABUFD_VU_PARSE_H */
