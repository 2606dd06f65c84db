/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The virtio dma-buf device (VIRTIO_ID_DMABUF, 37) as the guest driver sees
 * it: device protocol v0 (docs/virtio-device.rst).  All fields are
 * little-endian.
 *
 * vq 0 ("tx", driver to device) carries requests: one chain of an out
 * struct hvio_req_hdr plus hdr.len payload bytes, and an in struct
 * hvio_resp the device fills.  vq 1 ("rx", device to driver) carries
 * events into device-writable buffers of HVIO_RX_BUF_SIZE bytes: a struct
 * hvio_req_hdr plus hdr.len payload bytes.  A chain the device cannot
 * parse comes back with used length 0.
 */
#ifndef HVIO_PROTO_H
#define HVIO_PROTO_H

#include <linux/types.h>

/* Device feature: the device can map peers' pages into shm region 0. */
#define VIRTIO_DMABUF_F_SHM_MAP		0

#define HVIO_VQ_TX			0
#define HVIO_VQ_RX			1
#define HVIO_NR_VQS			2

/* The shared-memory region imports are mapped into. */
#define HVIO_SHM_REGION_ID		0

/**
 * struct hvio_config - device configuration space
 * @domid: this guest's domain id, assigned by the device.
 * @max_msg: largest request (header and payload) the device accepts.
 * @shm_size: size of shm region 0 (informational).
 */
struct hvio_config {
	__le32 domid;
	__le32 max_msg;
	__le64 shm_size;
};

enum hvio_type {
	HVIO_T_MSG = 1,		/* tx and rx: one hyper_dmabuf wire message */
	HVIO_T_MAP = 2,		/* tx: map a peer's pages into region 0 */
	HVIO_T_UNMAP = 3,	/* tx: undo a MAP */
	HVIO_T_PEER_UP = 4,	/* rx: domain @peer is reachable */
	HVIO_T_PEER_DOWN = 5,	/* rx: domain @peer is gone */
};

/**
 * struct hvio_req_hdr - header of a request (tx) or an event (rx)
 * @type: enum hvio_type.
 * @peer: the remote domain: destination (tx MSG), exporter (MAP), 0
 *	(UNMAP), or source (rx).
 * @len: payload bytes following the header.
 * @reserved: zero.
 */
struct hvio_req_hdr {
	__le32 type;
	__le32 peer;
	__le32 len;
	__le32 reserved;
};

/**
 * struct hvio_resp - the device's answer to a request
 * @status: 0 or a negative errno.
 * @reserved: zero.
 * @value: MAP: byte offset in region 0 of the mapped pages.
 */
struct hvio_resp {
	__le32 status;
	__le32 reserved;
	__le64 value;
};

/**
 * struct hvio_map_req - payload of HVIO_T_MAP
 * @dir_root: root directory page of the exporter (@peer), a guest frame
 *	number in the exporter's memory.
 * @dir_pages: directory pages.
 * @levels: directory levels.
 * @ref_size: bytes per ref (8: guest frame numbers).
 * @rw: map writable (the device checks the exporter allowed it).
 * @pad: zero.
 * @nr_pages: data pages.
 */
struct hvio_map_req {
	__le64 dir_root;
	__le32 dir_pages;
	__u8 levels;
	__u8 ref_size;
	__u8 rw;
	__u8 pad;
	__le64 nr_pages;
};

/**
 * struct hvio_unmap_req - payload of HVIO_T_UNMAP
 * @shm_offset: the offset MAP returned.
 * @nr_pages: the pages MAP mapped.
 */
struct hvio_unmap_req {
	__le64 shm_offset;
	__le64 nr_pages;
};

/* Every rx buffer: a header and the largest hyper_dmabuf message. */
#define HVIO_MSG_MAX			4096U
#define HVIO_RX_BUF_SIZE		(sizeof(struct hvio_req_hdr) + HVIO_MSG_MAX)

#endif /* HVIO_PROTO_H */
