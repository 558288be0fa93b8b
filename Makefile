# SPDX-License-Identifier: GPL-2.0
#
# Habits of kernel developers on top of CMake + Ninja:
#   make            release build (build/)
#   make demo       build and run the embedded demo scenario
#   make check      ASan+UBSan+CONFIG_DEBUG_VM build (build-check/), all tests,
#                   then the leak check under valgrind (build-vg/), then the
#                   threaded tests under ThreadSanitizer (build-tsan/)
#   make check-tsan the library and the threaded tests (ctest -L threads)
#                   built with TSan and CONFIG_DEBUG_VM, and run
#   make check-full the same with the expensive checks on (content checks)
#   make check-fail-nth  the fail-Nth harness's full sweep (docs/testing.md)
#   make bench      release build, then every benchmark
#   make fuzz       libFuzzer over the scenario reader and runner (clang),
#                   seeded with tests/scenarios, for FUZZ_TIME seconds
#   make clean
BUILD       ?= build
CHECK_BUILD ?= build-check
FULL_BUILD  ?= build-full
VG_BUILD    ?= build-vg
TSAN_BUILD  ?= build-tsan
FUZZ_BUILD  ?= build-fuzz
FUZZ_TIME   ?= 60
FUZZ_FLAGS  ?=
# ON: CONFIG_DEBUG_VM's validators after every operation too (10x slower)
FUZZ_DEBUG_VM ?= OFF
# Test programs that also run under valgrind (no ASan there): the allocator,
# the renderers and the CLI's demo.  valgrind cannot reserve a 64 GiB guest,
# so test_machine stays ASan-only.
VG_TESTS    ?= test_smoke test_page_alloc test_render
VALGRIND    ?= valgrind --quiet --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible
CMAKE       ?= cmake -G Ninja
JOBS        ?= $(shell nproc)

.PHONY: all deps demo check check-asan check-valgrind check-tsan check-full \
	check-fail-nth bench fuzz clean

all: deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)

deps:
	@sh tools/install-deps.sh

demo: deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@ninja -C $(BUILD) -j $(JOBS) foliage-cli
	@./$(BUILD)/tools/foliage/foliage demo

check: check-asan check-valgrind check-tsan

check-asan: deps
	@$(CMAKE) -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_DEBUG_VM=ON -DFOLIAGE_SANITIZE=ON \
		-DFOLIAGE_WERROR=ON >/dev/null
	@ninja -C $(CHECK_BUILD) -j $(JOBS)
	@cd $(CHECK_BUILD) && ctest --output-on-failure -j $(JOBS)

check-valgrind: deps
	@$(CMAKE) -S . -B $(VG_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_DEBUG_VM=ON >/dev/null
	@ninja -C $(VG_BUILD) -j $(JOBS) $(VG_TESTS) foliage-cli
	@set -e; for t in $(VG_TESTS); do \
		echo "valgrind: $$t"; \
		$(VALGRIND) ./$(VG_BUILD)/tests/$$t >/dev/null; \
	done; \
	echo "valgrind: foliage demo"; \
	$(VALGRIND) ./$(VG_BUILD)/tools/foliage/foliage demo --quiet >/dev/null; \
	echo "valgrind: no leaks, no errors"

# Only the library and the tests labelled "threads" are built here.
check-tsan: deps
	@$(CMAKE) -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_DEBUG_VM=ON -DFOLIAGE_TSAN=ON >/dev/null
	@ninja -C $(TSAN_BUILD) -j $(JOBS)
	@cd $(TSAN_BUILD) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
		ctest --output-on-failure -j $(JOBS) -L threads

check-full: deps
	@$(CMAKE) -S . -B $(FULL_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_FULL_DEBUG=ON -DFOLIAGE_SANITIZE=ON >/dev/null
	@ninja -C $(FULL_BUILD) -j $(JOBS)
	@cd $(FULL_BUILD) && ctest --output-on-failure -j $(JOBS)

check-fail-nth: deps
	@$(CMAKE) -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_DEBUG_VM=ON -DFOLIAGE_SANITIZE=ON >/dev/null
	@ninja -C $(CHECK_BUILD) -j $(JOBS) test_fail_nth
	@FOLIAGE_FAIL_NTH_FULL=1 ./$(CHECK_BUILD)/tests/test_fail_nth
	@ninja -C $(CHECK_BUILD) -j $(JOBS) foliage-cli
	@for scn in tests/scenarios/*.scn; do \
		for kind in page slab; do \
			./$(CHECK_BUILD)/tools/foliage/foliage run \
				--fail-nth=$$kind $$scn >/dev/null || exit 1; \
		done; \
	done

bench: deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@ninja -C $(BUILD) -j $(JOBS) foliage-cli
	@./$(BUILD)/tools/foliage/foliage bench all

# The corpus grows in $(FUZZ_BUILD)/corpus across runs; crashes are saved
# as $(FUZZ_BUILD)/crash-* (docs/fuzzing.md).  Exit status non-zero on a
# finding.
fuzz:
	@sh tools/install-deps.sh fuzz
	@CC=clang $(CMAKE) -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_DEBUG_VM=$(FUZZ_DEBUG_VM) -DFOLIAGE_SANITIZE=ON \
		-DFOLIAGE_FUZZ=ON >/dev/null
	@ninja -C $(FUZZ_BUILD) -j $(JOBS) fuzz_scenario
	@mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/seeds
	@cp tests/scenarios/*.scn tests/scenarios/fail/*.scn $(FUZZ_BUILD)/seeds/
	@cd $(FUZZ_BUILD) && ./tests/fuzz/fuzz_scenario -max_total_time=$(FUZZ_TIME) \
		-max_len=4096 -timeout=60 -rss_limit_mb=4096 -close_fd_mask=3 \
		-print_final_stats=1 -dict=../tests/fuzz/scenario.dict \
		$(FUZZ_FLAGS) corpus seeds

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FULL_BUILD) $(VG_BUILD) $(TSAN_BUILD) \
		$(FUZZ_BUILD)
