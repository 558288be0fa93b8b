/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct scatterlist, as much of it as virtio needs: pieces of guest
 * memory (a page, an offset, a length), kept in arrays whose last entry is
 * marked.  A buffer must be guest RAM (the direct map), since the device
 * reaches it by guest physical address.
 */
#ifndef _FOLIAGE_LINUX_SCATTERLIST_H
#define _FOLIAGE_LINUX_SCATTERLIST_H

#include <string.h>

#include <linux/mm.h>

struct scatterlist {
	struct page *page;		/* first page of the piece */
	unsigned int offset;		/* bytes into it */
	unsigned int length;		/* bytes */
	bool end;			/* last entry of its list */
};

static inline void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, sizeof(*sgl) * nents);
	sgl[nents - 1].end = true;
}

static inline void sg_set_page(struct scatterlist *sg, struct page *page,
			       unsigned int len, unsigned int offset)
{
	sg->page = page;
	sg->offset = offset;
	sg->length = len;
}

/* @buf must lie in the guest's direct map. */
static inline void sg_set_buf(struct scatterlist *sg, const void *buf,
			      unsigned int buflen)
{
	unsigned long off = (const char *)buf - this_machine->direct_map;

	sg_set_page(sg, pfn_to_page(off >> PAGE_SHIFT), buflen,
		    off & (PAGE_SIZE - 1));
}

static inline void sg_init_one(struct scatterlist *sg, const void *buf,
			       unsigned int buflen)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, buflen);
}

static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	return sg->end ? NULL : sg + 1;
}

/* The guest physical address of the piece. */
static inline u64 sg_phys(const struct scatterlist *sg)
{
	return ((u64)page_to_pfn(sg->page) << PAGE_SHIFT) + sg->offset;
}

#endif /* _FOLIAGE_LINUX_SCATTERLIST_H */
