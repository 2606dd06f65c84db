/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vu_proto.h - wire formats hyper_dmabufd speaks: the vhost-user protocol
 * (QEMU docs/interop/vhost-user.rst, host byte order) and the
 * VIRTIO_ID_DMABUF device protocol (docs/virtio-device.rst, little-endian).
 * Only the messages and fields the daemon uses are defined.
 */
#ifndef HDMABUFD_VU_PROTO_H
#define HDMABUFD_VU_PROTO_H

#include <stdint.h>

/* ---- vhost-user ------------------------------------------------------- */

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SET_BACKEND_REQ_FD = 21,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_RESET_DEVICE = 34,
	VU_GET_MAX_MEM_SLOTS = 36,
	VU_ADD_MEM_REG = 37,
	VU_REM_MEM_REG = 38,
	VU_GET_SHMEM_CONFIG = 44,
};

/* back-end -> front-end requests on the back-end channel */
enum vu_backend_request {
	VU_BACKEND_SHMEM_MAP = 9,
	VU_BACKEND_SHMEM_UNMAP = 10,
};

#define VU_VERSION		0x1u
#define VU_VERSION_MASK		0x3u
#define VU_FLAG_REPLY		0x4u
#define VU_FLAG_NEED_REPLY	0x8u

#define VU_F_PROTOCOL_FEATURES	30

#define VU_PF_MQ		0
#define VU_PF_REPLY_ACK		3
#define VU_PF_BACKEND_REQ	5
#define VU_PF_CONFIG		9
#define VU_PF_BACKEND_SEND_FD	10
#define VU_PF_RESET_DEVICE	13
#define VU_PF_CONFIGURE_MEM_SLOTS 15
#define VU_PF_SHMEM_MAP		22

#define VU_MAX_REGIONS		8	/* VHOST_MEMORY_BASELINE_NREGIONS */
#define VU_MAX_FDS		8
#define VU_MAX_CONFIG		256
#define VU_VRING_IDX_MASK	0xffu
#define VU_VRING_NOFD_MASK	(1u << 8)
#define VU_SHMEM_MAX_REGIONS	256
#define VU_SHMEM_MAP_RW		1u

struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
};

struct vu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vu_region regions[VU_MAX_REGIONS];
};

/* ADD_MEM_REG / REM_MEM_REG payload */
struct vu_mem_reg {
	uint64_t padding;
	struct vu_region region;
};

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VU_MAX_CONFIG];
};
#define VU_CONFIG_HDR_SIZE	12u

struct vu_mmap {
	uint8_t shmid;
	uint8_t padding[7];
	uint64_t fd_offset;
	uint64_t shm_offset;
	uint64_t len;
	uint64_t flags;
};

struct vu_shmem_config {
	uint32_t nregions;
	uint32_t padding;
	uint64_t sizes[VU_SHMEM_MAX_REGIONS];
};

/* largest payload the daemon accepts from a front-end */
#define VU_MAX_PAYLOAD		sizeof(struct vu_memory)

/* ---- split virtqueues (virtio 1.x, little-endian) ---------------------- */

#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_MAX_SIZE		32768u

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/* ---- VIRTIO_ID_DMABUF (docs/virtio-device.rst) ------------------------- */

#define VIRTIO_ID_DMABUF		37
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_DMABUF_F_SHM_MAP		0

#define VIRTIO_DMABUF_VQ_TX		0
#define VIRTIO_DMABUF_VQ_RX		1
#define VIRTIO_DMABUF_NUM_VQS		2

#define VIRTIO_DMABUF_T_MSG		1
#define VIRTIO_DMABUF_T_MAP		2
#define VIRTIO_DMABUF_T_UNMAP		3
#define VIRTIO_DMABUF_T_PEER_UP		4
#define VIRTIO_DMABUF_T_PEER_DOWN	5

#define VIRTIO_DMABUF_MAX_PAYLOAD	4096u
#define VIRTIO_DMABUF_PAGE_SIZE		4096u
#define VIRTIO_DMABUF_PAGE_SHIFT	12

struct virtio_dmabuf_hdr {
	uint32_t type;
	uint32_t peer;
	uint32_t len;
	uint32_t reserved;
};

struct virtio_dmabuf_reply {
	int32_t status;
	uint32_t reserved;
	uint64_t value;
};

struct virtio_dmabuf_map {
	uint64_t dir_root;
	uint32_t dir_pages;
	uint8_t levels;
	uint8_t ref_size;
	uint8_t rw;
	uint8_t pad;
	uint64_t nr_pages;
};

struct virtio_dmabuf_unmap {
	uint64_t shm_offset;
	uint64_t nr_pages;
};

struct virtio_dmabuf_config {
	uint32_t domid;
	uint32_t max_msg;
	uint64_t shm_size;
};

#define VIRTIO_DMABUF_MAX_CHAIN_IN \
	(sizeof(struct virtio_dmabuf_hdr) + VIRTIO_DMABUF_MAX_PAYLOAD)

_Static_assert(sizeof(struct vu_hdr) == 12, "vu_hdr");
_Static_assert(sizeof(struct vu_region) == 32, "vu_region");
_Static_assert(sizeof(struct vu_memory) == 8 + 8 * 32, "vu_memory");
_Static_assert(sizeof(struct vu_vring_addr) == 40, "vu_vring_addr");
_Static_assert(sizeof(struct vu_mmap) == 40, "vu_mmap");
_Static_assert(sizeof(struct vu_shmem_config) == 8 + 256 * 8, "shmem_config");
_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc");
_Static_assert(sizeof(struct virtio_dmabuf_hdr) == 16, "dmabuf_hdr");
_Static_assert(sizeof(struct virtio_dmabuf_reply) == 16, "dmabuf_reply");
_Static_assert(sizeof(struct virtio_dmabuf_map) == 24, "dmabuf_map");
_Static_assert(sizeof(struct virtio_dmabuf_unmap) == 16, "dmabuf_unmap");
_Static_assert(sizeof(struct virtio_dmabuf_config) == 16, "dmabuf_config");

#endif /* HDMABUFD_VU_PROTO_H */
