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
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "hdmabuf_wire.h"
#include "xen_chan.h"

atomic_t xch_fault_bad_len = ATOMIC_INIT(0);
atomic_t xch_fault_bad_prod = ATOMIC_INIT(0);
static struct dentry *xch_debugfs;

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
	seq_printf(m, "%u %s %s %u tx_msgs=%lld tx_bytes=%lld tx_waits=%lld tx_timeouts=%lld tx_deferred=%lld rx_msgs=%lld rx_bytes=%lld rx_bad=%lld connects=%lld resets=%lld\n",
		   ch->peer, ch->hi ? "hi" : "lo",
		   xch_state_names[READ_ONCE(ch->state)], READ_ONCE(ch->instance),
		   atomic64_read(&c->tx_msgs), atomic64_read(&c->tx_bytes),
		   atomic64_read(&c->tx_waits), atomic64_read(&c->tx_timeouts),
		   atomic64_read(&c->tx_deferred),
		   atomic64_read(&c->rx_msgs), atomic64_read(&c->rx_bytes),
		   atomic64_read(&c->rx_bad), atomic64_read(&c->connects),
		   atomic64_read(&c->resets));
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
}

void xch_debugfs_exit(void)
{
	debugfs_remove_recursive(xch_debugfs);
	xch_debugfs = NULL;
}
