// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench gmem: in-place conversion throughput of a 1 GiB
 * guest_memfd (docs/guest-memfd.md), the first measurement of a path the
 * RFC never measured; no target yet.
 *
 * The file is allocated whole (fallocate) and private; then, per run:
 *   sparse_4k	  one page in every 512 to shared and back to private, each
 *		  page its own conversion (1024 conversions; with hugetlb
 *		  backing this is the split and reconstruct cost)
 *   bulk_4k	  the whole file to shared, then back to private (two
 *		  conversions over 262144 pages: the refcount check of every
 *		  folio going private)
 *   memset	  memset() of the file's 1 GiB of guest RAM: the limit
 * in pages converted per second of the thread's CPU time (memset: pages
 * cleared per second), so that a busy host's preemption is not counted.  The
 * memory the metadata costs per GiB is reported beside: the attribute
 * ranges at their most fragmented in the sparse case, the page cache's
 * slots, the struct pages (all present with 4 KiB backing), a memslot's
 * secondary MMU.  The same two conversions run on a 1 GiB file of 2 MiB
 * hugetlb pages: sparse splits and reconstructs every huge page, bulk
 * splits all then reconstructs all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <foliage/foliage.h>

#include "bench.h"

#define GMEM_BYTES	(1ULL << 30)
#define GMEM_PAGES	(GMEM_BYTES / FOLIAGE_PAGE_SIZE)
#define HUGE_PAGES	(GMEM_PAGES / 512)	/* 2 MiB chunks */
/* Two 1 GiB files: one of 4 KiB pages, one of 2 MiB pages (the pool). */
#define RAM_BYTES	(2 * GMEM_BYTES + (256ULL << 20))

struct gmem_bench {
	struct foliage_machine *m;	/* the host */
	struct foliage_file *gmem;	/* the 1 GiB file, 4 KiB pages */
	struct foliage_file *huge;	/* the 1 GiB file, 2 MiB pages */
	void *ram;			/* its memory, for the memset limit */
	unsigned long max_ranges;	/* attribute ranges at their most */
};

static int convert(struct foliage_file *f, uint64_t off, uint64_t len,
		   bool to_private)
{
	uint64_t e = 0;

	return foliage_gmem_convert(f, off, len,
				    to_private ?
				    FOLIAGE_MEMORY_ATTRIBUTE_PRIVATE : 0, 0,
				    &e);
}

/* One page in 512 to shared, then back: pages per second. */
static int sparse(struct gmem_bench *gb, struct foliage_file *f, double *value)
{
	struct foliage_gmem_stat st;
	uint64_t t0, ns, i;
	int ret = 0;

	t0 = bench_thread_cpu_ns();
	for (i = 0; !ret && i < HUGE_PAGES; i++)
		ret = convert(f, i * 512 * FOLIAGE_PAGE_SIZE, FOLIAGE_PAGE_SIZE,
			      false);
	ns = bench_thread_cpu_ns() - t0;
	if (!ret && !foliage_gmem_stat(f, &st) && st.nr_ranges > gb->max_ranges)
		gb->max_ranges = st.nr_ranges;
	t0 = bench_thread_cpu_ns();
	for (i = 0; !ret && i < HUGE_PAGES; i++)
		ret = convert(f, i * 512 * FOLIAGE_PAGE_SIZE, FOLIAGE_PAGE_SIZE,
			      true);
	ns += bench_thread_cpu_ns() - t0;
	*value = 2.0 * HUGE_PAGES * 1e9 / ns;
	return ret;
}

/* The whole file to shared, then back: pages per second. */
static int bulk(struct foliage_file *f, double *value)
{
	uint64_t t0 = bench_thread_cpu_ns();
	int ret;

	ret = convert(f, 0, GMEM_BYTES, false) ?:
	      convert(f, 0, GMEM_BYTES, true);
	*value = 2.0 * GMEM_PAGES * 1e9 / (bench_thread_cpu_ns() - t0);
	return ret;
}

static int run_sparse(void *arg, double *value)
{
	struct gmem_bench *gb = arg;

	return sparse(gb, gb->gmem, value);
}

static int run_sparse_2m(void *arg, double *value)
{
	struct gmem_bench *gb = arg;

	return sparse(gb, gb->huge, value);
}

static int run_bulk(void *arg, double *value)
{
	return bulk(((struct gmem_bench *)arg)->gmem, value);
}

static int run_bulk_2m(void *arg, double *value)
{
	return bulk(((struct gmem_bench *)arg)->huge, value);
}

static int run_memset(void *arg, double *value)
{
	struct gmem_bench *gb = arg;
	uint64_t t0 = bench_thread_cpu_ns();

	memset(gb->ram, 0, GMEM_BYTES);
	*value = (double)GMEM_PAGES * 1e9 / (bench_thread_cpu_ns() - t0);
	return 0;
}

static int gmem_bench_setup(struct gmem_bench *gb, struct bench_report *r)
{
	struct foliage_config cfg;
	int ret;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = RAM_BYTES;
	snprintf(r->config, sizeof(r->config),
		 "1 GiB guest_memfds, 4 KiB and 2 MiB backing, 1 node x %llu "
		 "MiB, %s build", RAM_BYTES >> 20,
		 foliage_debug_vm() ? "CONFIG_DEBUG_VM" : "release");
	ret = foliage_machine_create(&cfg, &gb->m);
	if (ret)
		return ret;
	ret = foliage_gmem_create(gb->m, GMEM_BYTES, 0, 0, &gb->gmem);
	if (ret)
		return ret;
	ret = foliage_fallocate(gb->gmem, FOLIAGE_FALLOC_FL_KEEP_SIZE, 0,
				GMEM_BYTES);
	if (ret)
		return ret;
	ret = foliage_set(gb->m, "vm.nr_hugepages", "512") ?:
	      foliage_gmem_create(gb->m, GMEM_BYTES, 0, 2ULL << 20, &gb->huge) ?:
	      foliage_fallocate(gb->huge, FOLIAGE_FALLOC_FL_KEEP_SIZE, 0,
				GMEM_BYTES);
	if (ret)
		return ret;
	gb->ram = malloc(GMEM_BYTES);
	if (!gb->ram)
		return -ENOMEM;
	memset(gb->ram, 1, GMEM_BYTES);
	return 0;
}

/* Rows of constants: what the metadata of 1 GiB costs, in bytes. */
static int metadata_rows(struct gmem_bench *gb, struct bench_report *r)
{
	const struct {
		const char *key;	/* row key */
		const char *name;	/* row name */
		double bytes;		/* per GiB */
	} rows[] = {
		{ "meta_ranges", "attribute ranges, 1 page in 512 shared",
		  gb->max_ranges * 24.0 },
		{ "meta_i_pages", "page cache slots (8 B a page)",
		  GMEM_PAGES * 8.0 },
		{ "meta_struct_pages", "struct pages (64 B a page, 4 KiB folios)",
		  GMEM_PAGES * 64.0 },
		{ "meta_spte", "a memslot's secondary MMU (8 B a page)",
		  GMEM_PAGES * 8.0 },
	};
	double samples[BENCH_MAX_RUNS];
	unsigned int i, j;
	int ret;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (j = 0; j < r->runs; j++)
			samples[j] = rows[i].bytes;
		ret = bench_add_row(r, rows[i].key, rows[i].name, "B/GiB",
				    samples);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int bench_gmem(struct bench_report *r)
{
	struct gmem_bench gb = { 0 };
	const struct bench_case cases[] = {
		{ "sparse_4k", "1 page in 512 to shared and back, 4 KiB",
		  "pages/s", run_sparse, &gb },
		{ "bulk_4k", "whole file to shared and back, 4 KiB",
		  "pages/s", run_bulk, &gb },
		{ "sparse_2m", "1 page in 512 to shared and back, 2 MiB "
		  "(split + reconstruct)", "pages/s", run_sparse_2m, &gb },
		{ "bulk_2m", "whole file to shared and back, 2 MiB",
		  "pages/s", run_bulk_2m, &gb },
		{ "memset", "memset of 1 GiB (the limit)", "pages/s",
		  run_memset, &gb },
	};
	int ret;

	ret = gmem_bench_setup(&gb, r);
	if (ret)
		goto out;
	ret = bench_run_cases(r, cases, sizeof(cases) / sizeof(cases[0]));
	if (ret < 0)
		goto out;
	ret = metadata_rows(&gb, r) ?:
	      bench_compare(r, "sparse 4K / memset", "sparse_4k", "memset",
			    BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "bulk 4K / memset", "bulk_4k", "memset",
			    BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "sparse 2M / sparse 4K", "sparse_2m",
			    "sparse_4k", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "bulk 2M / bulk 4K", "bulk_2m", "bulk_4k",
			    BENCH_NO_TARGET, 0);
out:
	free(gb.ram);
	if (gb.huge)
		foliage_file_put(gb.huge);
	if (gb.gmem)
		foliage_file_put(gb.gmem);
	if (gb.m)
		foliage_machine_destroy(gb.m);
	return ret;
}
