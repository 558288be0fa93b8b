// SPDX-License-Identifier: GPL-2.0
/*
 * A user of the installed library (tests/structure/install.sh): the public
 * header alone, the README's calls, and the numeric queries of a task.
 */
#include <stdio.h>
#include <string.h>

#include <foliage/foliage.h>

/*
 * foliage has an internal function of this name; a sealed library keeps
 * it local, so the user's own links without a clash.
 */
int validate_mm(void)
{
	return 7;
}

#define CHECK(call) do {						\
	int __r = (call);						\
	if (__r) {							\
		fprintf(stderr, "%s: %d\n", #call, __r);		\
		return 1;						\
	}								\
} while (0)

int main(void)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	struct foliage_task *t;
	struct foliage_mm_counters mc;
	struct foliage_vma v[4];
	unsigned long pfn, addr;
	unsigned int nr;
	char buf[3 * 4096];

	foliage_config_init(&cfg);
	CHECK(foliage_machine_create(&cfg, &m));
	CHECK(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL | FOLIAGE_GFP_ZERO, 0,
				  -1, &pfn));
	CHECK(foliage_free_pages(m, pfn, 0, 0));
	CHECK(foliage_task_create(m, "user", &t));
	CHECK(foliage_mmap(t, 0, 16 * 4096, FOLIAGE_PROT_READ |
			   FOLIAGE_PROT_WRITE, FOLIAGE_MAP_PRIVATE |
			   FOLIAGE_MAP_ANONYMOUS, NULL, 0, &addr));
	memset(buf, 0x5a, sizeof(buf));
	CHECK(foliage_access(t, addr, buf, sizeof(buf), true, NULL));
	CHECK(foliage_task_vmas(t, v, 4, &nr));
	CHECK(foliage_task_mm_counters(t, &mc));
	if (nr != 1 || v[0].start != addr || v[0].end != addr + 16 * 4096 ||
	    !v[0].anon || mc.rss_anon != 3 || mc.total_vm != 16) {
		fprintf(stderr, "unexpected: %u vmas, rss_anon %lu\n", nr,
			mc.rss_anon);
		return 1;
	}
	CHECK(foliage_exit(t));
	foliage_machine_destroy(m);
	return validate_mm() == 7 ? 0 : 1;
}
