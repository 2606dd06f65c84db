// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the size and field offsets of every uapi structure.  The test
 * builds it for x86_64 and i386 and requires identical output: the ABI
 * must not depend on the word size (no compat_ioctl).
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/hyper_dmabuf.h>

#define SZ(t) printf("sizeof(struct %s) = %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("offsetof(struct %s, %s) = %zu\n", #t, #f, \
			 offsetof(struct t, f))

int main(void)
{
	SZ(hyper_dmabuf_handle);
	SZ(hyper_dmabuf_backend_info);
	OFF(hyper_dmabuf_backend_info, own_domid);
	OFF(hyper_dmabuf_backend_info, name);
	SZ(hyper_dmabuf_info);
	OFF(hyper_dmabuf_info, features);
	OFF(hyper_dmabuf_info, max_size);
	OFF(hyper_dmabuf_info, reserved);
	OFF(hyper_dmabuf_info, backends);
	SZ(hyper_dmabuf_plane);
	SZ(hyper_dmabuf_meta);
	OFF(hyper_dmabuf_meta, modifier);
	OFF(hyper_dmabuf_meta, planes);
	SZ(hyper_dmabuf_export);
	OFF(hyper_dmabuf_export, peer);
	OFF(hyper_dmabuf_export, opaque_ptr);
	OFF(hyper_dmabuf_export, meta);
	OFF(hyper_dmabuf_export, handle);
	OFF(hyper_dmabuf_export, reserved);
	SZ(hyper_dmabuf_import);
	OFF(hyper_dmabuf_import, flags);
	OFF(hyper_dmabuf_import, fd);
	OFF(hyper_dmabuf_import, size);
	SZ(hyper_dmabuf_unexport);
	OFF(hyper_dmabuf_unexport, timeout_ms);
	SZ(hyper_dmabuf_query);
	OFF(hyper_dmabuf_query, opaque_ptr);
	OFF(hyper_dmabuf_query, size);
	OFF(hyper_dmabuf_query, meta);
	OFF(hyper_dmabuf_query, reserved);
	SZ(hyper_dmabuf_list);
	OFF(hyper_dmabuf_list, count);
	SZ(hyper_dmabuf_fence_attach);
	OFF(hyper_dmabuf_fence_attach, fd);
	OFF(hyper_dmabuf_fence_attach, seqno);
	OFF(hyper_dmabuf_fence_attach, reserved);
	SZ(hyper_dmabuf_fence_get);
	OFF(hyper_dmabuf_fence_get, fd);
	OFF(hyper_dmabuf_fence_get, seqno);
	OFF(hyper_dmabuf_fence_get, reserved);
	SZ(hyper_dmabuf_event_mask);
	OFF(hyper_dmabuf_event_mask, old_mask);
	OFF(hyper_dmabuf_event_mask, reserved);
	SZ(hyper_dmabuf_event);
	OFF(hyper_dmabuf_event, peer);
	OFF(hyper_dmabuf_event, seq);
	printf("GET_INFO = %#lx\n", (unsigned long)HYPER_DMABUF_IOCTL_GET_INFO);
	printf("EXPORT = %#lx\n", (unsigned long)HYPER_DMABUF_IOCTL_EXPORT);
	printf("IMPORT = %#lx\n", (unsigned long)HYPER_DMABUF_IOCTL_IMPORT);
	printf("UNEXPORT = %#lx\n", (unsigned long)HYPER_DMABUF_IOCTL_UNEXPORT);
	printf("QUERY = %#lx\n", (unsigned long)HYPER_DMABUF_IOCTL_QUERY);
	printf("LIST = %#lx\n", (unsigned long)HYPER_DMABUF_IOCTL_LIST);
	printf("FENCE_ATTACH = %#lx\n",
	       (unsigned long)HYPER_DMABUF_IOCTL_FENCE_ATTACH);
	printf("FENCE_GET = %#lx\n", (unsigned long)HYPER_DMABUF_IOCTL_FENCE_GET);
	printf("EVENT_MASK = %#lx\n",
	       (unsigned long)HYPER_DMABUF_IOCTL_EVENT_MASK);
	printf("EVENT_MASK_DEFAULT = %#llx\n",
	       (unsigned long long)HYPER_DMABUF_EVENT_MASK_DEFAULT);
	return 0;
}
