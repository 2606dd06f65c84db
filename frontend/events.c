// SPDX-License-Identifier: GPL-2.0
/*
 * Events: a bounded ring of fixed-size records per open file, read with
 * read() and waited for with poll(), plus a KOBJ_CHANGE uevent for every
 * buffer offered to this VM so that udev rules can start importers.
 *
 * A full ring never drops silently: further events are counted, and the
 * count is queued as one OVERFLOW record as soon as there is room.
 */
#include <linux/kobject.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

LIST_HEAD(hdmabuf_files);	/* under hdmabuf_lock */

int hdmabuf_events_init(struct hdmabuf_file *file)
{
	spin_lock_init(&file->ev_lock);
	init_waitqueue_head(&file->ev_wait);
	/* At least two slots: one event and a pending OVERFLOW record. */
	file->ev_depth = max(READ_ONCE(hdmabuf_event_queue_depth), 2U);
	file->ev_mask = HYPER_DMABUF_EVENT_MASK_DEFAULT;
	file->ev = kvcalloc(file->ev_depth, sizeof(*file->ev), GFP_KERNEL);
	return file->ev ? 0 : -ENOMEM;
}

void hdmabuf_events_free(struct hdmabuf_file *file)
{
	kvfree(file->ev);
}

static void hdmabuf_event_push_locked(struct hdmabuf_file *file,
				      const struct hyper_dmabuf_event *ev)
{
	struct hyper_dmabuf_event *slot;

	lockdep_assert_held(&file->ev_lock);
	slot = &file->ev[(file->ev_head + file->ev_count) % file->ev_depth];
	*slot = *ev;
	slot->seq = file->ev_seq++;
	file->ev_count++;
}

void hdmabuf_event_post(struct hdmabuf_file *file,
			const struct hyper_dmabuf_event *ev)
{
	spin_lock(&file->ev_lock);
	if (!(file->ev_mask & HYPER_DMABUF_EVENT_BIT(ev->type))) {
		spin_unlock(&file->ev_lock);
		return;
	}
	/* The last free slot is kept for the OVERFLOW record. */
	if (file->ev_lost || file->ev_count >= file->ev_depth - 1)
		file->ev_lost++;
	else
		hdmabuf_event_push_locked(file, ev);
	spin_unlock(&file->ev_lock);
	wake_up_interruptible(&file->ev_wait);
}

/* The types @file receives from now on; returns the previous mask. */
u64 hdmabuf_events_set_mask(struct hdmabuf_file *file, u64 mask)
{
	u64 old;

	spin_lock(&file->ev_lock);
	old = file->ev_mask;
	file->ev_mask = mask;
	spin_unlock(&file->ev_lock);
	return old;
}

void hdmabuf_event_broadcast(const struct hyper_dmabuf_event *ev)
{
	struct hdmabuf_file *file;

	mutex_lock(&hdmabuf_lock);
	list_for_each_entry(file, &hdmabuf_files, node)
		hdmabuf_event_post(file, ev);
	mutex_unlock(&hdmabuf_lock);
}

void hdmabuf_uevent_offer(const struct hdmabuf_offer *offer)
{
	char handle[sizeof("HYPER_DMABUF_HANDLE=") + 2 * HDMABUF_HANDLE_SIZE];
	char backend[sizeof("HYPER_DMABUF_BACKEND=") + 16];
	char peer[sizeof("HYPER_DMABUF_PEER=") + 20];
	char size[sizeof("HYPER_DMABUF_SIZE=") + 20];
	char fourcc[sizeof("HYPER_DMABUF_FOURCC=") + 10];
	char *envp[7];

	snprintf(handle, sizeof(handle), "HYPER_DMABUF_HANDLE=%*phN",
		 HDMABUF_HANDLE_SIZE, offer->handle.bytes);
	snprintf(backend, sizeof(backend), "HYPER_DMABUF_BACKEND=%s",
		 offer->peer->be->name);
	snprintf(peer, sizeof(peer), "HYPER_DMABUF_PEER=%llu",
		 offer->peer->domid);
	snprintf(size, sizeof(size), "HYPER_DMABUF_SIZE=%llu", offer->size);
	snprintf(fourcc, sizeof(fourcc), "HYPER_DMABUF_FOURCC=%u",
		 offer->md.meta.fourcc);
	envp[0] = "HYPER_DMABUF_EVENT=offer";
	envp[1] = handle;
	envp[2] = backend;
	envp[3] = peer;
	envp[4] = size;
	envp[5] = fourcc;
	envp[6] = NULL;
	kobject_uevent_env(&hdmabuf_misc.this_device->kobj, KOBJ_CHANGE, envp);
}

/* Pops one record into @ev; returns false when the ring is empty. */
static bool hdmabuf_event_pop(struct hdmabuf_file *file,
			      struct hyper_dmabuf_event *ev)
{
	bool got = false;

	spin_lock(&file->ev_lock);
	if (file->ev_count) {
		*ev = file->ev[file->ev_head];
		file->ev_head = (file->ev_head + 1) % file->ev_depth;
		file->ev_count--;
		got = true;
	}
	/* Room again: report what was lost, in order. */
	if (file->ev_lost && file->ev_count < file->ev_depth) {
		struct hyper_dmabuf_event of = {
			.type = HYPER_DMABUF_EVENT_OVERFLOW,
			.size = file->ev_lost,
		};

		hdmabuf_event_push_locked(file, &of);
		file->ev_lost = 0;
	}
	spin_unlock(&file->ev_lock);
	return got;
}

static bool hdmabuf_events_pending(struct hdmabuf_file *file)
{
	bool pending;

	spin_lock(&file->ev_lock);
	pending = file->ev_count || file->ev_lost;
	spin_unlock(&file->ev_lock);
	return pending;
}

ssize_t hdmabuf_events_read(struct hdmabuf_file *file, char __user *buf,
			    size_t count, bool nonblock)
{
	struct hyper_dmabuf_event ev;
	size_t done = 0;
	int ret;

	if (count < sizeof(ev))
		return -EINVAL;

	while (done + sizeof(ev) <= count) {
		if (!hdmabuf_event_pop(file, &ev)) {
			if (done)
				break;
			if (nonblock)
				return -EAGAIN;
			ret = wait_event_interruptible(file->ev_wait,
					hdmabuf_events_pending(file));
			if (ret)
				return ret;
			continue;
		}
		/* A record popped but not copied is lost: say so. */
		if (copy_to_user(buf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;
}

__poll_t hdmabuf_events_poll(struct hdmabuf_file *file, struct file *filp,
			     poll_table *wait)
{
	poll_wait(filp, &file->ev_wait, wait);
	return hdmabuf_events_pending(file) ? EPOLLIN | EPOLLRDNORM : 0;
}
