// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include "hdmabuf_compat.h"
#include <linux/hyper_dmabuf.h>

static const struct file_operations hdmabuf_fops = {
	.owner = THIS_MODULE,
};

static struct miscdevice hdmabuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hyper_dmabuf",
	.fops = &hdmabuf_fops,
};

static int __init hdmabuf_init(void)
{
	return misc_register(&hdmabuf_misc);
}

static void __exit hdmabuf_exit(void)
{
	misc_deregister(&hdmabuf_misc);
}

module_init(hdmabuf_init);
module_exit(hdmabuf_exit);
MODULE_LICENSE("GPL");
