/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hdmabuf_pgdir.h - multi-level page directory of the hyper_dmabuf protocol.
 *
 * DOC: page directory
 *
 * An exported buffer of nr_pages data pages is described to the importer by
 * a tree of directory pages.  Every directory page is an array of
 * little-endian references ("refs"): 4-byte Xen grant references or 8-byte
 * guest frame numbers, chosen per buffer by the exporter's backend.
 *
 *   rpp     = page_size / ref_size           refs per directory page
 *   levels  = smallest k >= 1 with rpp^k >= nr_pages
 *   P[0]    = nr_pages                       (the data pages themselves)
 *   P[i]    = ceil(P[i-1] / rpp)             pages at level i, 1 <= i <= levels
 *   P[levels] = 1                            the root
 *   total   = P[1] + ... + P[levels]
 *
 * Level 1 pages ("leaves") hold the refs of the data pages; a level i > 1
 * page holds refs of level i-1 pages.  Page j of level i holds the refs of
 * children j*rpp ... min((j+1)*rpp, P[i-1]) - 1 of level i-1, in order, so
 * only the last page of each level can be partially filled.  Every slot after
 * the last used one must be zero: a receiver rejects a page with a non-zero
 * tail, so a hostile peer cannot hide data in directory pages.
 *
 * Since ceil(ceil(a / b) / c) == ceil(a / (b * c)), P[i] = ceil(n / rpp^i)
 * and therefore
 *
 *   total = sum_{i=1..levels} ceil(n / rpp^i)
 *        <= sum_{i=1..levels} (n / rpp^i + 1)
 *         < n / (rpp - 1) + levels
 *
 * i.e. (total - levels) * (rpp - 1) <= n: the directory costs at most one
 * page per rpp - 1 data pages plus one page per level.  For levels <= 2 the
 * sharper "total <= ceil(n / rpp) + levels" holds too, but not beyond: with
 * n = rpp^3 there are rpp^2 + rpp + 1 directory pages.
 *
 * Canonical flat order.  Whenever the directory pages are listed as one
 * array (hdmabuf_pgdir_build(), hdmabuf_pgdir_walk(), the dir_pages count of
 * the export descriptor), the order is: the root first, then the pages of
 * level levels-1 in index order, and so on down to the level 1 leaves, which
 * come last.  hdmabuf_pgdir_flat_index() maps (level, index) into that order.
 *
 * Termination.  The walker never follows a ref into a level it chooses: the
 * level of every page is fixed by its position in the tree, computed from
 * nr_pages alone, and exactly P[i] pages are read at level i.  A ref that
 * points "back up" at the root or at another directory page is therefore
 * only ever interpreted as a page of the level below, so cycles cannot make
 * the walk loop; the walk maps exactly total pages.  Duplicate directory
 * refs are still rejected by hdmabuf_pgdir_walk() because a well-formed
 * directory never has them and a receiver should not pin the same page twice.
 *
 * Limits: page_size is a power of two in [1024, 65536] (4096 on the wire for
 * now; tests use smaller pages), nr_pages <= HDMABUF_PGDIR_MAX_PAGES (2^24,
 * i.e. 64 GiB of 4 KiB pages), which needs at most 3 levels at 4 KiB and at
 * most 4 (HDMABUF_PGDIR_MAX_LEVELS) at 1 KiB.
 *
 * Pages passed to the accessors must be aligned to ref_size.
 */
#ifndef _HDMABUF_PGDIR_H
#define _HDMABUF_PGDIR_H

#include "hdmabuf_types.h"

#define HDMABUF_PGDIR_MAX_LEVELS	4
#define HDMABUF_PGDIR_MAX_PAGES		(1ULL << 24)
#define HDMABUF_PGDIR_MIN_PAGE_SIZE	1024U
#define HDMABUF_PGDIR_MAX_PAGE_SIZE	65536U

/**
 * struct hdmabuf_pgdir_geom - shape of one page directory
 * @nr_pages:      number of data pages (>= 1)
 * @page_size:     directory page size in bytes
 * @ref_size:      bytes per ref, 4 or 8
 * @refs_per_page: page_size / ref_size
 * @levels:        number of directory levels, 1..HDMABUF_PGDIR_MAX_LEVELS
 * @rpp_shift:     log2(refs_per_page)
 * @level_pages:   [0] = nr_pages, [i] = pages at level i (1..levels),
 *                 [levels] == 1 (the root); unused entries are 0
 * @level_first:   canonical flat index of the first page of level i
 *                 (so level_first[levels] == 0); [0] is unused (0)
 * @total_pages:   number of directory pages, sum of level_pages[1..levels]
 */
struct hdmabuf_pgdir_geom {
	__u64 nr_pages;
	__u32 page_size;
	__u32 ref_size;
	__u32 refs_per_page;
	__u32 levels;
	__u32 rpp_shift;
	__u32 pad;
	__u64 level_pages[HDMABUF_PGDIR_MAX_LEVELS + 1];
	__u64 level_first[HDMABUF_PGDIR_MAX_LEVELS + 1];
	__u64 total_pages;
};

/**
 * hdmabuf_pgdir_geom_init() - compute the directory shape for a buffer
 * @g:         output; zeroed on error
 * @nr_pages:  number of data pages
 * @ref_size:  4 or 8
 * @page_size: power of two in [HDMABUF_PGDIR_MIN_PAGE_SIZE,
 *             HDMABUF_PGDIR_MAX_PAGE_SIZE]
 *
 * Uses only shifts (refs_per_page is a power of two), so no 64-bit
 * division helper is needed on 32-bit kernels.
 *
 * Return: 0, -EINVAL for a bad parameter or nr_pages == 0, -ERANGE for
 * nr_pages > HDMABUF_PGDIR_MAX_PAGES.
 */
static inline int hdmabuf_pgdir_geom_init(struct hdmabuf_pgdir_geom *g,
					  __u64 nr_pages, __u32 ref_size,
					  __u32 page_size)
{
	__u32 rpp, shift, i, levels;
	__u64 n;

	memset(g, 0, sizeof(*g));
	if (ref_size != 4 && ref_size != 8)
		return -EINVAL;
	if (page_size < HDMABUF_PGDIR_MIN_PAGE_SIZE ||
	    page_size > HDMABUF_PGDIR_MAX_PAGE_SIZE ||
	    (page_size & (page_size - 1)))
		return -EINVAL;
	if (!nr_pages)
		return -EINVAL;
	if (nr_pages > HDMABUF_PGDIR_MAX_PAGES)
		return -ERANGE;

	rpp = page_size / ref_size;
	for (shift = 0; (1U << shift) < rpp; shift++)
		;

	g->level_pages[0] = nr_pages;
	n = nr_pages;
	levels = 0;
	do {
		/*
		 * Cannot trigger with the limits above (rpp >= 128 and
		 * 128^4 > 2^24), but keeps the array index provably in range.
		 */
		if (levels == HDMABUF_PGDIR_MAX_LEVELS) {
			memset(g, 0, sizeof(*g));
			return -ERANGE;
		}
		levels++;
		/* n <= 2^24, so n + rpp - 1 cannot overflow. */
		n = (n + rpp - 1) >> shift;
		g->level_pages[levels] = n;
		g->total_pages += n;
	} while (n > 1);

	g->level_first[levels] = 0;
	for (i = levels - 1; i >= 1; i--)
		g->level_first[i] = g->level_first[i + 1] +
				    g->level_pages[i + 1];

	g->nr_pages = nr_pages;
	g->page_size = page_size;
	g->ref_size = ref_size;
	g->refs_per_page = rpp;
	g->rpp_shift = shift;
	g->levels = levels;
	return 0;
}

/**
 * hdmabuf_pgdir_geom_check() - compare a peer's claim with the geometry
 * @g:                 geometry computed locally from nr_pages
 * @levels_claimed:    dir_levels from the export descriptor
 * @dir_pages_claimed: dir_pages from the export descriptor
 *
 * Return: 0 if both match, -EINVAL otherwise.
 */
static inline int hdmabuf_pgdir_geom_check(const struct hdmabuf_pgdir_geom *g,
					   __u32 levels_claimed,
					   __u64 dir_pages_claimed)
{
	if (!g->levels || levels_claimed != g->levels ||
	    dir_pages_claimed != g->total_pages)
		return -EINVAL;
	return 0;
}

/**
 * hdmabuf_pgdir_flat_index() - canonical position of a directory page
 * @g:     geometry
 * @level: 1..levels
 * @index: 0..level_pages[level]-1
 *
 * The caller must pass a valid (level, index); see
 * hdmabuf_pgdir_page_entries() for a checked variant.
 */
static inline __u64 hdmabuf_pgdir_flat_index(const struct hdmabuf_pgdir_geom *g,
					     __u32 level, __u64 index)
{
	return g->level_first[level] + index;
}

/**
 * hdmabuf_pgdir_page_entries() - which children a directory page lists
 * @g:           geometry
 * @level:       1..levels (1 = leaves, whose children are data pages)
 * @index:       page index within the level
 * @first_child: index (within level - 1, or the data page number for
 *               level 1) of the first child; may be NULL
 * @count:       number of used slots, 1..refs_per_page; may be NULL
 *
 * Return: 0, or -EINVAL if (level, index) does not exist.
 */
static inline int hdmabuf_pgdir_page_entries(const struct hdmabuf_pgdir_geom *g,
					     __u32 level, __u64 index,
					     __u64 *first_child, __u32 *count)
{
	__u64 first, left;

	if (level < 1 || level > g->levels || index >= g->level_pages[level])
		return -EINVAL;
	/* index < 2^24 and rpp_shift <= 14: no overflow. */
	first = index << g->rpp_shift;
	left = g->level_pages[level - 1] - first;
	if (first_child)
		*first_child = first;
	if (count)
		*count = left < g->refs_per_page ? (__u32)left :
						   g->refs_per_page;
	return 0;
}

/* Read slot @idx of a directory page; 4-byte refs are zero-extended. */
static inline __u64 hdmabuf_pgdir_get_ref(const void *page, __u32 idx,
					  __u32 ref_size)
{
	if (ref_size == 4)
		return le32_to_cpu(((const __le32 *)page)[idx]);
	return le64_to_cpu(((const __le64 *)page)[idx]);
}

/* Write slot @idx; for 4-byte refs the caller checks that @ref fits. */
static inline void hdmabuf_pgdir_set_ref(void *page, __u32 idx,
					 __u32 ref_size, __u64 ref)
{
	if (ref_size == 4)
		((__le32 *)page)[idx] = cpu_to_le32((__u32)ref);
	else
		((__le64 *)page)[idx] = cpu_to_le64(ref);
}

/* Tail check on bytes [from, page_size): 0 if all zero, else -EBADMSG. */
static inline int __hdmabuf_pgdir_tail_zero(const struct hdmabuf_pgdir_geom *g,
					    const void *page, __u32 from)
{
	/* from is a multiple of ref_size >= 4, the page is 4-byte aligned. */
	const __u32 *w = (const __u32 *)page;
	__u32 i, acc = 0;

	for (i = from / 4; i < g->page_size / 4; i++)
		acc |= w[i];
	return acc ? -EBADMSG : 0;
}

/**
 * hdmabuf_pgdir_check_page() - validate the unused tail of a directory page
 * @g:     geometry
 * @level: 1..levels
 * @index: page index within the level
 * @page:  the mapped page (page_size bytes)
 *
 * Return: 0, -EINVAL for a bad (level, index), -EBADMSG if any slot after
 * the used ones is non-zero.
 */
static inline int hdmabuf_pgdir_check_page(const struct hdmabuf_pgdir_geom *g,
					   __u32 level, __u64 index,
					   const void *page)
{
	__u32 count;
	int ret;

	ret = hdmabuf_pgdir_page_entries(g, level, index, NULL, &count);
	if (ret)
		return ret;
	return __hdmabuf_pgdir_tail_zero(g, page, count * g->ref_size);
}

/**
 * hdmabuf_pgdir_read_refs() - copy the refs out of one directory page
 * @g:     geometry
 * @level: 1..levels
 * @index: page index within the level
 * @page:  the mapped page; may be shared with (and changed by) the peer
 * @out:   receives the used refs, at least refs_per_page entries of room
 *
 * Every ref is read exactly once, so callers that only use @out are safe
 * against a peer rewriting the page concurrently.  The tail is checked
 * after the copy.
 *
 * Return: number of refs copied (>= 1), -EINVAL for a bad (level, index),
 * -EBADMSG for a non-zero tail.
 */
static inline int hdmabuf_pgdir_read_refs(const struct hdmabuf_pgdir_geom *g,
					  __u32 level, __u64 index,
					  const void *page, __u64 *out)
{
	__u32 i, count;
	int ret;

	ret = hdmabuf_pgdir_page_entries(g, level, index, NULL, &count);
	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		out[i] = hdmabuf_pgdir_get_ref(page, i, g->ref_size);
	ret = __hdmabuf_pgdir_tail_zero(g, page, count * g->ref_size);
	if (ret)
		return ret;
	return (int)count;
}

/**
 * hdmabuf_pgdir_fill_page() - write one directory page
 * @g:          geometry
 * @level:      1..levels
 * @index:      page index within the level
 * @page:       page_size bytes to fill
 * @child_refs: the refs of this page's children (count from
 *              hdmabuf_pgdir_page_entries())
 *
 * Fills the used slots and zeroes the rest.  Nothing is written on error.
 *
 * Return: 0, -EINVAL for a bad (level, index), -ERANGE if a ref does not
 * fit in ref_size bytes.
 */
static inline int hdmabuf_pgdir_fill_page(const struct hdmabuf_pgdir_geom *g,
					  __u32 level, __u64 index, void *page,
					  const __u64 *child_refs)
{
	__u32 i, count;
	int ret;

	ret = hdmabuf_pgdir_page_entries(g, level, index, NULL, &count);
	if (ret)
		return ret;
	if (g->ref_size == 4)
		for (i = 0; i < count; i++)
			if (child_refs[i] > HDMABUF_U32_MAX)
				return -ERANGE;
	for (i = 0; i < count; i++)
		hdmabuf_pgdir_set_ref(page, i, g->ref_size, child_refs[i]);
	memset((char *)page + (size_t)count * g->ref_size, 0,
	       g->page_size - (size_t)count * g->ref_size);
	return 0;
}

/**
 * hdmabuf_pgdir_build() - fill a whole directory (exporter side)
 * @g:         geometry
 * @dir_pages: total_pages page pointers, canonical flat order
 * @dir_refs:  the ref under which each of those pages is shared, same order
 * @data_refs: nr_pages refs of the data pages
 *
 * The root's ref (dir_refs[0]) goes into the export descriptor.  On error
 * the page contents are unspecified.
 *
 * Return: 0 or -ERANGE if a ref does not fit in ref_size bytes.
 */
static inline int hdmabuf_pgdir_build(const struct hdmabuf_pgdir_geom *g,
				      void *const *dir_pages,
				      const __u64 *dir_refs,
				      const __u64 *data_refs)
{
	__u64 idx, first;
	const __u64 *children;
	__u32 level;
	int ret;

	for (level = 1; level <= g->levels; level++) {
		for (idx = 0; idx < g->level_pages[level]; idx++) {
			first = idx << g->rpp_shift;
			if (level == 1)
				children = data_refs + first;
			else
				children = dir_refs +
					   g->level_first[level - 1] + first;
			ret = hdmabuf_pgdir_fill_page(g, level, idx,
				dir_pages[hdmabuf_pgdir_flat_index(g, level,
								   idx)],
				children);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* In-place heapsort of @n refs; no allocation, O(n log n). */
static inline void __hdmabuf_pgdir_sift(__u64 *a, __u64 root, __u64 n)
{
	__u64 child, tmp;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		tmp = a[root];
		a[root] = a[child];
		a[child] = tmp;
		root = child;
	}
}

/**
 * hdmabuf_pgdir_refs_unique() - check that @n refs are pairwise distinct
 * @refs: array, sorted in place as a side effect
 * @n:    number of entries
 *
 * Return: 0 or -EBADMSG if a value occurs twice.
 */
static inline int hdmabuf_pgdir_refs_unique(__u64 *refs, __u64 n)
{
	__u64 i, tmp;

	if (n < 2)
		return 0;
	for (i = n >> 1; i > 0; i--)
		__hdmabuf_pgdir_sift(refs, i - 1, n);
	for (i = n - 1; i > 0; i--) {
		tmp = refs[0];
		refs[0] = refs[i];
		refs[i] = tmp;
		__hdmabuf_pgdir_sift(refs, 0, i);
	}
	for (i = 1; i < n; i++)
		if (refs[i] == refs[i - 1])
			return -EBADMSG;
	return 0;
}

/**
 * struct hdmabuf_pgdir_walk_ops - page access for hdmabuf_pgdir_walk()
 * @map:   make the directory page shared under @ref readable at *@page;
 *         return 0 or a negative errno, which the walk returns as is
 * @unmap: optional; called once for every page @map succeeded on
 */
struct hdmabuf_pgdir_walk_ops {
	int (*map)(void *ctx, __u64 ref, const void **page);
	void (*unmap)(void *ctx, __u64 ref, const void *page);
};

/* Reject a zero ref anywhere (root, directory or data). */
#define HDMABUF_PGDIR_WALK_NO_ZERO_REFS		(1U << 0)
#define HDMABUF_PGDIR_WALK_VALID_FLAGS		HDMABUF_PGDIR_WALK_NO_ZERO_REFS

/**
 * hdmabuf_pgdir_walk() - read a whole directory (userspace, tests)
 * @g:         geometry computed from the validated export descriptor
 * @root_ref:  dir_root from the export descriptor
 * @ops:       page mapping callbacks
 * @ctx:       passed to @ops
 * @flags:     HDMABUF_PGDIR_WALK_*
 * @dir_refs:  out, total_pages entries: refs of all directory pages in
 *             canonical flat order (needed later to unmap them)
 * @data_refs: out, nr_pages entries: refs of the data pages
 * @scratch:   total_pages entries of scratch space for the duplicate check
 *
 * The kernel importer, which keeps at most a few directory pages mapped at
 * a time, uses hdmabuf_pgdir_page_entries() and hdmabuf_pgdir_read_refs()
 * directly; this is the same loop with all of the checks in one place.
 * Each page is mapped once, its refs copied, its tail checked, and it is
 * unmapped before the next page is mapped.
 *
 * Return: 0; -EINVAL for bad flags; -EBADMSG for a non-zero tail, a
 * duplicate directory ref or (with HDMABUF_PGDIR_WALK_NO_ZERO_REFS) a zero
 * ref; or the error of @ops->map.
 */
static inline int hdmabuf_pgdir_walk(const struct hdmabuf_pgdir_geom *g,
				     __u64 root_ref,
				     const struct hdmabuf_pgdir_walk_ops *ops,
				     void *ctx, __u32 flags, __u64 *dir_refs,
				     __u64 *data_refs, __u64 *scratch)
{
	__u32 level;
	__u64 idx, first, ref, i;
	const void *page;
	__u64 *out;
	int ret;

	if (flags & ~HDMABUF_PGDIR_WALK_VALID_FLAGS)
		return -EINVAL;
	if (!g->levels)
		return -EINVAL;

	dir_refs[0] = root_ref;
	for (level = g->levels; level >= 1; level--) {
		for (idx = 0; idx < g->level_pages[level]; idx++) {
			ref = dir_refs[hdmabuf_pgdir_flat_index(g, level, idx)];
			if (!ref && (flags & HDMABUF_PGDIR_WALK_NO_ZERO_REFS))
				return -EBADMSG;
			first = idx << g->rpp_shift;
			if (level == 1)
				out = data_refs + first;
			else
				out = dir_refs + g->level_first[level - 1] +
				      first;
			ret = ops->map(ctx, ref, &page);
			if (ret)
				return ret;
			ret = hdmabuf_pgdir_read_refs(g, level, idx, page, out);
			if (ops->unmap)
				ops->unmap(ctx, ref, page);
			if (ret < 0)
				return ret;
		}
	}

	if (flags & HDMABUF_PGDIR_WALK_NO_ZERO_REFS)
		for (i = 0; i < g->nr_pages; i++)
			if (!data_refs[i])
				return -EBADMSG;

	for (i = 0; i < g->total_pages; i++)
		scratch[i] = dir_refs[i];
	return hdmabuf_pgdir_refs_unique(scratch, g->total_pages);
}

#endif /* _HDMABUF_PGDIR_H */
