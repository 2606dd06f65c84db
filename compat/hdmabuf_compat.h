/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shims over kernel API differences, keyed on the HDMABUF_HAVE_* macros
 * that compat/conftest.sh generates from compile probes.
 */
#ifndef HDMABUF_COMPAT_H
#define HDMABUF_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include "hdmabuf_compat_gen.h"

#ifndef HDMABUF_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* A reference to @f unless its last one is already gone. */
static inline bool hdmabuf_get_file_unless_zero(struct file *f)
{
#ifdef HDMABUF_HAVE_FILE_REF
	return file_ref_get(&f->f_ref);
#else
	return atomic_long_inc_not_zero(&f->f_count);
#endif
}

/*
 * The core's symbols live in the HYPER_DMABUF namespace; the backends import
 * it.  Namespaces are bare tokens before 6.13 and string literals after.
 */
#define HDMABUF_NS_EXPORT	EXPORT_SYMBOL_NS_GPL
#ifdef HDMABUF_HAVE_MODULE_IMPORT_NS_TOKEN
#define HDMABUF_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#define HDMABUF_EXPORT(sym)	HDMABUF_NS_EXPORT(sym, HYPER_DMABUF)
#else
#define HDMABUF_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#define HDMABUF_EXPORT(sym)	HDMABUF_NS_EXPORT(sym, "HYPER_DMABUF")
#endif

#endif /* HDMABUF_COMPAT_H */
