// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs (hyper_dmabuf_xen/): what the channels are doing, and knobs for
 * tests.
 *
 *   channels        one line per peer: role, state, counters
 *   fault_bad_len   next N messages sent carry an oversized payload_len
 *   fault_bad_prod  next N sends publish an absurd producer index
 *   storm           write "PEER COUNT": send COUNT HELLO requests to PEER
 *                   back to back (their replies are unmatched by the core)
 *   inject          write "PEER OPCODE HANDLE": send PEER a HELLO, then a
 *                   buffer message for HANDLE as a hostile domain would
 *                   (tests of the peer's checks); read: the status of the
 *                   peer's answer to the last one
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "hdmabuf_wire.h"
#include "xen_chan.h"

atomic_t xch_fault_bad_len = ATOMIC_INIT(0);
atomic_t xch_fault_bad_prod = ATOMIC_INIT(0);
static struct dentry *xch_debugfs;

/* Request ids of injected messages: above the core's and the storm's. */
#define XCH_INJECT_ID	(3ULL << 62)
/*
 * The last injected message and the answer to it: opcode, and the status
 * of the peer's reply or ERROR, or -1 while none arrived.
 */
static DEFINE_SPINLOCK(xch_inject_lock);
static unsigned int xch_inject_op;
static long xch_inject_status = -1;
static u64 xch_inject_seq;

static const char *const xch_state_names[] = {
	[XCH_IDLE] = "idle",
	[XCH_PUBLISHED] = "published",
	[XCH_CLOSING] = "closing",
	[XCH_READY] = "ready",
	[XCH_CONNECTED] = "connected",
};

static void xch_show_one(struct xch *ch, void *arg)
{
	struct seq_file *m = arg;
	const struct xch_counters *c = &ch->cnt;

	/* Racy snapshot of the state: good enough for a status file. */
	seq_printf(m, "%u %s %s %u tx_msgs=%lld tx_bytes=%lld tx_waits=%lld tx_timeouts=%lld tx_deferred=%lld rx_msgs=%lld rx_bytes=%lld rx_bad=%lld connects=%lld resets=%lld setups=%lld throttled=%lld rx_spurious=%lld\n",
		   ch->peer, ch->hi ? "hi" : "lo",
		   xch_state_names[READ_ONCE(ch->state)], READ_ONCE(ch->instance),
		   atomic64_read(&c->tx_msgs), atomic64_read(&c->tx_bytes),
		   atomic64_read(&c->tx_waits), atomic64_read(&c->tx_timeouts),
		   atomic64_read(&c->tx_deferred),
		   atomic64_read(&c->rx_msgs), atomic64_read(&c->rx_bytes),
		   atomic64_read(&c->rx_bad), atomic64_read(&c->connects),
		   atomic64_read(&c->resets), atomic64_read(&c->setups),
		   atomic64_read(&c->throttled), atomic64_read(&c->rx_spurious));
}

static int xch_channels_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "# own domid %u\n", hdmabuf_xen_own);
	seq_puts(m, "# peer role state instance counters\n");
	xch_for_each(xch_show_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xch_channels);

static int xch_storm(domid_t peer, unsigned int count)
{
	struct {
		struct hdmabuf_msg_hdr hdr;
		struct hdmabuf_msg_hello hello;
	} msg = { };
	unsigned int i;
	struct xch *ch;
	int ret = 0;

	ch = xch_get(peer);
	if (!ch)
		return -ENOTCONN;
	msg.hello.version_min = cpu_to_le16(HDMABUF_PROTO_VERSION_MIN);
	msg.hello.version_max = cpu_to_le16(HDMABUF_PROTO_VERSION_MAX);
	msg.hello.sender_id = cpu_to_le64(hdmabuf_xen_own);
	for (i = 0; i < count && !ret; i++) {
		/* Ids far above the core's counter: the replies match nothing. */
		hdmabuf_msg_init_hdr(&msg.hdr, HDMABUF_OP_HELLO,
				     HDMABUF_MSG_F_NEED_REPLY,
				     sizeof(msg.hello), (1ULL << 62) + i);
		ret = xch_send(ch, &msg, sizeof(msg));
	}
	xch_put(ch);
	return ret;
}

static ssize_t xch_storm_write(struct file *f, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	unsigned int peer, n;
	char buf[32];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%u %u", &peer, &n) != 2 ||
	    peer >= DOMID_FIRST_RESERVED || n > 1000000)
		return -EINVAL;
	ret = xch_storm(peer, n);
	return ret ? ret : count;
}

static const struct file_operations xch_storm_fops = {
	.owner = THIS_MODULE,
	.write = xch_storm_write,
	.llseek = noop_llseek,
};

/**
 * xch_inject_peek() - note the peer's answer to an injected message
 * @ch: the channel it arrived on.
 * @msg: a whole message as received (not validated yet).
 * @len: its length, at least a header.
 */
void xch_inject_peek(struct xch *ch, const void *msg, size_t len)
{
	const struct hdmabuf_msg_hdr *hdr = msg;
	const struct hdmabuf_reply_hdr *rh = (const void *)(hdr + 1);
	u64 id = le64_to_cpu(hdr->req_id);
	u16 op = le16_to_cpu(hdr->opcode);

	if (id != XCH_INJECT_ID + READ_ONCE(xch_inject_seq) ||
	    len < sizeof(*hdr) + sizeof(*rh))
		return;
	/* Replies echo our opcode; an ERROR carries the status too. */
	if (!(le32_to_cpu(hdr->flags) & HDMABUF_MSG_F_REPLY) &&
	    op != HDMABUF_OP_ERROR)
		return;
	spin_lock(&xch_inject_lock);
	xch_inject_status = le32_to_cpu(rh->status);
	spin_unlock(&xch_inject_lock);
}

static int xch_inject(domid_t peer, unsigned int op, const u8 *handle)
{
	struct {
		struct hdmabuf_msg_hdr hdr;
		union {
			struct hdmabuf_msg_hello hello;
			struct {
				struct hdmabuf_wire_handle handle;
				__le32 word[2];
			} buf;
		};
	} msg = { };
	u32 flags = 0, len = sizeof(msg.buf);
	struct xch *ch;
	u64 seq;
	int ret;

	ch = xch_get(peer);
	if (!ch)
		return -ENOTCONN;
	/* The peer accepts buffer messages only after a HELLO. */
	msg.hello.version_min = cpu_to_le16(HDMABUF_PROTO_VERSION_MIN);
	msg.hello.version_max = cpu_to_le16(HDMABUF_PROTO_VERSION_MAX);
	msg.hello.sender_id = cpu_to_le64(hdmabuf_xen_own);
	hdmabuf_msg_init_hdr(&msg.hdr, HDMABUF_OP_HELLO,
			     HDMABUF_MSG_F_NEED_REPLY, sizeof(msg.hello),
			     XCH_INJECT_ID - 1);
	ret = xch_send(ch, &msg, sizeof(msg.hdr) + sizeof(msg.hello));
	if (ret)
		goto out;

	memset(&msg, 0, sizeof(msg));
	memcpy(msg.buf.handle.bytes, handle, sizeof(msg.buf.handle.bytes));
	if (op == HDMABUF_OP_IMPORT || op == HDMABUF_OP_CPU_ACCESS)
		flags = HDMABUF_MSG_F_NEED_REPLY;
	if (op == HDMABUF_OP_CPU_ACCESS)
		msg.buf.word[1] = cpu_to_le32(HDMABUF_DIR_READ);
	spin_lock(&xch_inject_lock);
	seq = ++xch_inject_seq;
	xch_inject_op = op;
	xch_inject_status = -1;
	spin_unlock(&xch_inject_lock);
	hdmabuf_msg_init_hdr(&msg.hdr, op, flags, len, XCH_INJECT_ID + seq);
	ret = xch_send(ch, &msg, sizeof(msg.hdr) + len);
out:
	xch_put(ch);
	return ret;
}

static ssize_t xch_inject_write(struct file *f, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	u8 handle[sizeof(struct hdmabuf_wire_handle)];
	char buf[80], hex[2 * sizeof(handle) + 1];
	unsigned int peer, op;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%u %x %32s", &peer, &op, hex) != 3 ||
	    peer >= DOMID_FIRST_RESERVED || op > 0xffff ||
	    strlen(hex) != 2 * sizeof(handle) ||
	    hex2bin(handle, hex, sizeof(handle)))
		return -EINVAL;
	ret = xch_inject(peer, op, handle);
	return ret ? ret : count;
}

static int xch_inject_show(struct seq_file *m, void *unused)
{
	unsigned int op;
	long status;

	spin_lock(&xch_inject_lock);
	op = xch_inject_op;
	status = xch_inject_status;
	spin_unlock(&xch_inject_lock);
	seq_printf(m, "opcode 0x%04x status %ld\n", op, status);
	return 0;
}

static int xch_inject_open(struct inode *inode, struct file *f)
{
	return single_open(f, xch_inject_show, NULL);
}

static const struct file_operations xch_inject_fops = {
	.owner = THIS_MODULE,
	.open = xch_inject_open,
	.read = seq_read,
	.write = xch_inject_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void xch_debugfs_init(void)
{
	xch_debugfs = debugfs_create_dir("hyper_dmabuf_xen", NULL);
	debugfs_create_file("channels", 0444, xch_debugfs, NULL,
			    &xch_channels_fops);
	debugfs_create_atomic_t("fault_bad_len", 0600, xch_debugfs,
				&xch_fault_bad_len);
	debugfs_create_atomic_t("fault_bad_prod", 0600, xch_debugfs,
				&xch_fault_bad_prod);
	debugfs_create_file("storm", 0200, xch_debugfs, NULL, &xch_storm_fops);
	debugfs_create_file("inject", 0600, xch_debugfs, NULL,
			    &xch_inject_fops);
}

void xch_debugfs_exit(void)
{
	debugfs_remove_recursive(xch_debugfs);
	xch_debugfs = NULL;
}
