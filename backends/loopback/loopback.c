// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
static int __init lo_init(void) { return 0; }
static void __exit lo_exit(void) { }
module_init(lo_init);
module_exit(lo_exit);
MODULE_LICENSE("GPL");
