# SPDX-License-Identifier: GPL-2.0
#
# Habits of kernel developers on top of CMake + Ninja:
#   make            release build (build/)
#   make demo       build and run the embedded demo scenario
#   make check      ASan+UBSan+CONFIG_DEBUG_VM build (build-check/), all tests
#   make check-full the same with the expensive checks on (content checks)
#   make bench      release build, then every benchmark
#   make clean
BUILD       ?= build
CHECK_BUILD ?= build-check
FULL_BUILD  ?= build-full
CMAKE       ?= cmake -G Ninja
JOBS        ?= $(shell nproc)

.PHONY: all deps demo check check-full bench clean

all: deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)

deps:
	@sh tools/install-deps.sh

demo: all
	@./$(BUILD)/tools/foliage/foliage demo

check: deps
	@$(CMAKE) -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_DEBUG_VM=ON -DFOLIAGE_SANITIZE=ON >/dev/null
	@ninja -C $(CHECK_BUILD) -j $(JOBS)
	@cd $(CHECK_BUILD) && ctest --output-on-failure -j $(JOBS)

check-full: deps
	@$(CMAKE) -S . -B $(FULL_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DFOLIAGE_FULL_DEBUG=ON -DFOLIAGE_SANITIZE=ON >/dev/null
	@ninja -C $(FULL_BUILD) -j $(JOBS)
	@cd $(FULL_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: all
	@./$(BUILD)/tools/foliage/foliage bench all

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FULL_BUILD)
