/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of cross-VM fences (fence.c creates them): with
 *   echo 1 > /sys/kernel/tracing/events/hyper_dmabuf/enable
 * the trace shows every fence crossing to or from a peer, its signal, and
 * the proxies failed by a timeout or by the peer going down.  @peer is the
 * peer's timeline name, "backend:domid"; seqnos are the wire's (one
 * timeline per direction and connection); a status is 0 or a -errno.
 *
 * TRACE_INCLUDE_PATH is this directory, relative to the include path:
 * Kbuild.include adds -I for frontend/ in and out of the kernel tree.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hyper_dmabuf

#if !defined(_HDMABUF_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HDMABUF_TRACE_H

#include <linux/dma-fence.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#define HDMABUF_TRACE_PEER_LEN	24	/* HDMABUF_FENCE_NAME_LEN */

/* The peer attached a fence: we made a proxy (context, seqno). */
TRACE_EVENT(hdmabuf_fence_rx_attach,
	TP_PROTO(const char *peer, u64 context, u64 seqno, bool write,
		 unsigned int pending),
	TP_ARGS(peer, context, seqno, write, pending),
	TP_STRUCT__entry(
		__array(char, peer, HDMABUF_TRACE_PEER_LEN)
		__field(u64, context)
		__field(u64, seqno)
		__field(bool, write)
		__field(unsigned int, pending)
	),
	TP_fast_assign(
		strscpy(__entry->peer, peer, HDMABUF_TRACE_PEER_LEN);
		__entry->context = context;
		__entry->seqno = seqno;
		__entry->write = write;
		__entry->pending = pending;
	),
	TP_printk("peer=%s context=%llu seqno=%llu %s pending=%u",
		  __entry->peer, __entry->context, __entry->seqno,
		  __entry->write ? "write" : "read", __entry->pending)
);

/* We attached one of our fences (@fence) for the peer as @seqno. */
TRACE_EVENT(hdmabuf_fence_tx_attach,
	TP_PROTO(const char *peer, u64 seqno, bool write,
		 struct dma_fence *fence),
	TP_ARGS(peer, seqno, write, fence),
	TP_STRUCT__entry(
		__array(char, peer, HDMABUF_TRACE_PEER_LEN)
		__field(u64, seqno)
		__field(bool, write)
		__field(u64, fence_context)
		__field(u64, fence_seqno)
	),
	TP_fast_assign(
		strscpy(__entry->peer, peer, HDMABUF_TRACE_PEER_LEN);
		__entry->seqno = seqno;
		__entry->write = write;
		__entry->fence_context = fence->context;
		__entry->fence_seqno = fence->seqno;
	),
	TP_printk("peer=%s seqno=%llu %s fence=%llu:%llu",
		  __entry->peer, __entry->seqno,
		  __entry->write ? "write" : "read",
		  __entry->fence_context, __entry->fence_seqno)
);

DECLARE_EVENT_CLASS(hdmabuf_fence_done,
	TP_PROTO(const char *peer, u64 seqno, int status),
	TP_ARGS(peer, seqno, status),
	TP_STRUCT__entry(
		__array(char, peer, HDMABUF_TRACE_PEER_LEN)
		__field(u64, seqno)
		__field(int, status)
	),
	TP_fast_assign(
		strscpy(__entry->peer, peer, HDMABUF_TRACE_PEER_LEN);
		__entry->seqno = seqno;
		__entry->status = status;
	),
	TP_printk("peer=%s seqno=%llu status=%d",
		  __entry->peer, __entry->seqno, __entry->status)
);

/* The peer signalled: our proxy @seqno completes with @status. */
DEFINE_EVENT(hdmabuf_fence_done, hdmabuf_fence_rx_signal,
	TP_PROTO(const char *peer, u64 seqno, int status),
	TP_ARGS(peer, seqno, status)
);

/* Our fence @seqno signalled: SIGNAL sent to the peer with @status. */
DEFINE_EVENT(hdmabuf_fence_done, hdmabuf_fence_tx_signal,
	TP_PROTO(const char *peer, u64 seqno, int status),
	TP_ARGS(peer, seqno, status)
);

/* Proxy @seqno waited fence_timeout_ms: it fails with -ETIMEDOUT. */
DEFINE_EVENT(hdmabuf_fence_done, hdmabuf_fence_timeout,
	TP_PROTO(const char *peer, u64 seqno, int status),
	TP_ARGS(peer, seqno, status)
);

/*
 * The peer went down: @rx_failed proxies failed with @err, @tx_dropped of
 * our fences it was waiting for were forgotten.
 */
TRACE_EVENT(hdmabuf_fence_peer_down,
	TP_PROTO(const char *peer, int err, unsigned int rx_failed,
		 unsigned int tx_dropped),
	TP_ARGS(peer, err, rx_failed, tx_dropped),
	TP_STRUCT__entry(
		__array(char, peer, HDMABUF_TRACE_PEER_LEN)
		__field(int, err)
		__field(unsigned int, rx_failed)
		__field(unsigned int, tx_dropped)
	),
	TP_fast_assign(
		strscpy(__entry->peer, peer, HDMABUF_TRACE_PEER_LEN);
		__entry->err = err;
		__entry->rx_failed = rx_failed;
		__entry->tx_dropped = tx_dropped;
	),
	TP_printk("peer=%s err=%d rx_failed=%u tx_dropped=%u",
		  __entry->peer, __entry->err, __entry->rx_failed,
		  __entry->tx_dropped)
);

#endif /* _HDMABUF_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
