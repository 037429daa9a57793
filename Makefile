# SPDX-License-Identifier: GPL-2.0-only
# One `make` builds everything: vmlinux.h, BPF objects and skeletons, the
# medguard program and the kernel module for every installed guest kernel.

BUILD      := build
CC         ?= cc
CLANG      ?= clang
BPFTOOL    ?= bpftool
ARCH       := x86

# Guest kernels: the newest installed Debian 6.1 and 6.12 images.
KVER_6_1   := $(patsubst /boot/vmlinuz-%,%,$(lastword $(sort $(wildcard /boot/vmlinuz-6.1.*-amd64))))
KVER_6_12  := $(patsubst /boot/vmlinuz-%,%,$(lastword $(sort $(wildcard /boot/vmlinuz-6.12.*-amd64))))
KVERS      := $(strip $(KVER_6_1) $(KVER_6_12))
# vmlinux.h comes from the newest guest kernel; CO-RE relocates it for older ones.
# Without a 6.12 image (a package build: no /boot), from the newest 6.12
# headers, which ship vmlinux (6.1's do not).
BTF_SOURCE := $(if $(KVER_6_12),/usr/src/linux-headers-$(KVER_6_12)/vmlinux,$(lastword $(sort $(wildcard /usr/src/linux-headers-6.12.*-amd64/vmlinux))))

# The one place the version is written: `medguard --version` and
# `medguard-exec --version` print it, and debian/rules refuses to package a
# debian/changelog that says another.
VERSION    := $(strip $(file <VERSION))

# Quiet by default: one line a step. `make V=1` shows the full commands.
ifeq ($(V),1)
Q          :=
say        := @true
else
Q          := @
say        := @printf '  %-7s %s\n'
MAKEFLAGS  += --no-print-directory
endif

WARNINGS   := -Wall -Wextra -Werror
CFLAGS     ?= -O2 -g
# Userspace includes by folder ("policy/policy.h"); -MMD -MP writes a .d
# file next to each object, so that a changed header rebuilds what uses it.
INCLUDES   := -I$(BUILD) -Ibpf -Ikmod -Iuserspace
CFLAGS     += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE $(INCLUDES)
# Kept apart in build/deps/, so that no .d file sits among the test binaries.
DEPFLAGS    = -MMD -MP -MF $(BUILD)/deps/$(subst /,-,$@).d
LDLIBS     := -lbpf -lelf -lz -lcrypto -lsystemd -lpthread
SANITIZE   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_SAN   := -fsanitize=fuzzer-no-link,address,undefined

# The BPF programs medguard loads; the test-only one lives with its driver.
BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELETONS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
TEST_BPF_SRCS := $(wildcard tests/guest/bpf/*.bpf.c)
TEST_SKELETONS := $(patsubst tests/guest/bpf/%.bpf.c,$(BUILD)/%.skel.h,$(TEST_BPF_SRCS))
# What BPF objects include from outside bpf/: the kfunc ABI shared with the module.
BPF_HDRS   := $(wildcard bpf/*.h) kmod/medguard_kfuncs.h

# userspace/<folder>/*.c; cmd/main.c is the program, the rest is a library
# that the program, the unit tests and the guest test driver link.
USER_DIRS  := lib policy trust kernel daemon cmd
USER_SRCS  := $(filter-out userspace/cmd/main.c,$(foreach d,$(USER_DIRS),$(wildcard userspace/$(d)/*.c)))
USER_OBJS  := $(patsubst userspace/%.c,$(BUILD)/obj/%.o,$(USER_SRCS))
ASAN_OBJS  := $(patsubst userspace/%.c,$(BUILD)/asan/%.o,$(USER_SRCS))
FUZZ_OBJS  := $(patsubst userspace/%.c,$(BUILD)/fuzzobj/%.o,$(USER_SRCS))
# Unit tests see each folder's inner headers too.
TEST_INCLUDES := $(foreach d,$(USER_DIRS),-Iuserspace/$(d))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
GUEST_SRCS := $(wildcard tests/guest/*.c)
# Static, so that a test binary's own trust is all that counts; mg_try also
# comes dynamic, for the tests of what ld.so maps.
GUEST_BINS := $(patsubst tests/guest/%.c,$(BUILD)/guest/%,$(GUEST_SRCS)) $(BUILD)/guest/mg_try_dynamic \
	      $(BUILD)/guest/libmg_preload.so

FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

KMODS      := $(foreach k,$(KVERS),$(BUILD)/kmod/$(k)/medguard_kfuncs.ko)

.PHONY: all deps bpf check-bpf-headers userspace kmod unit guest-tools fuzz check check-host check-guest check-behaviour check-policies check-server demo bench bench-smoke deb check-deb clean
.DELETE_ON_ERROR:
# Objects shared by several test binaries are kept, not rebuilt each run.
.SECONDARY:

all: bpf userspace kmod guest-tools

deps:
	@bash tests/install-deps

# ---- BPF ----------------------------------------------------------------

bpf: $(BPF_OBJS) $(SKELETONS)

# Written only when the kernel's BTF says something new, so that a rebuild
# of vmlinux.h does not rebuild everything that includes it.
$(BUILD)/vmlinux.h: $(BTF_SOURCE) | $(BUILD)
	@test -r "$(BTF_SOURCE)" || { echo "medguard: no BTF at '$(BTF_SOURCE)'; run 'make deps' (as root)" >&2; exit 1; }
	$(say) BTF $@
	$(Q)$(BPFTOOL) btf dump file $(BTF_SOURCE) format c > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf -Ikmod -Wall -Werror

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS) | $(BUILD)
	$(say) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The test-only program (tests/guest/mg_kfunc_test.c drives it).
$(BUILD)/%.bpf.o: tests/guest/bpf/%.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS) $(wildcard tests/guest/bpf/*.h) | $(BUILD)
	$(say) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests/guest/bpf -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(say) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# Each BPF header compiles on its own: it includes what it uses, so that
# the include order of a .bpf.c decides nothing. A function a header
# defines is used by whoever includes it, not by the header alone.
BPF_HEADER_CHECKS := $(patsubst bpf/%,$(BUILD)/bpf-headers/%.ok,$(wildcard bpf/*.bpf.h))

check-bpf-headers: $(BPF_HEADER_CHECKS)

$(BUILD)/bpf-headers/%.ok: bpf/% $(BUILD)/vmlinux.h $(BPF_HDRS)
	$(say) HDR bpf/$*
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Wno-unused-function -fsyntax-only -include $< -x c /dev/null
	@touch $@

# ---- userspace ----------------------------------------------------------

userspace: $(BUILD)/medguard $(BUILD)/medguard-exec

# Skeletons are order-only: a first build makes them before any object;
# after that the .d files say which object includes which skeleton.
# CPPFLAGS and LDFLAGS are empty but for a package build, where
# dpkg-buildflags passes Debian's hardening flags in them.
$(BUILD)/obj/%.o: userspace/%.c | $(SKELETONS)
	$(say) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/cmd/main.o: VERSION
$(BUILD)/obj/cmd/main.o: CPPFLAGS += -DMEDGUARD_VERSION='"$(VERSION)"'

$(BUILD)/asan/%.o: userspace/%.c | $(SKELETONS)
	$(say) CC-ASAN $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SANITIZE) $(DEPFLAGS) -c $< -o $@

# Built by clang with the fuzzer's coverage instrumentation, for the fuzz targets.
$(BUILD)/fuzzobj/%.o: userspace/%.c | $(SKELETONS)
	$(say) CC-FUZZ $@
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -g -O1 $(INCLUDES) $(FUZZ_SAN) $(DEPFLAGS) -c $< -o $@

$(BUILD)/medguard: $(BUILD)/obj/cmd/main.o $(USER_OBJS)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# The launcher: static, so that nothing but its own file decides its trust.
$(BUILD)/medguard-exec: userspace/launcher/medguard_exec.c VERSION | $(BUILD)
	$(say) CC $@
	$(Q)$(CC) $(CPPFLAGS) -DMEDGUARD_VERSION='"$(VERSION)"' $(CFLAGS) $(LDFLAGS) $(DEPFLAGS) -static $< -o $@

# ---- tests --------------------------------------------------------------

unit: $(UNIT_BINS)

$(BUILD)/tests/%: tests/unit/%.c $(ASAN_OBJS) | $(BUILD)/tests $(SKELETONS)
	$(say) TEST $@
	$(Q)$(CC) $(CFLAGS) $(SANITIZE) $(DEPFLAGS) -Itests/unit $(TEST_INCLUDES) $< $(ASAN_OBJS) -o $@ $(LDLIBS)

# Programs the guest tests run: built on the host, run inside the guest.
guest-tools: $(GUEST_BINS)

$(BUILD)/guest/%: tests/guest/%.c | $(BUILD)/guest
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -static $< -o $@

# The kfunc test driver loads BPF objects and keys: it links medguard's
# objects and includes the kernel and trust folders' headers.
$(BUILD)/guest/mg_kfunc_test: tests/guest/mg_kfunc_test.c $(USER_OBJS) | $(BUILD)/guest $(SKELETONS) $(TEST_SKELETONS)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Iuserspace/kernel -Iuserspace/trust -Iuserspace/lib -Itests/guest/bpf $< $(USER_OBJS) -o $@ $(LDLIBS)

$(BUILD)/guest/mg_try_dynamic: tests/guest/mg_try.c | $(BUILD)/guest
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< -o $@

$(BUILD)/guest/libmg_preload.so: tests/guest/preload/mg_preload.c | $(BUILD)/guest
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -shared -fPIC $< -o $@

fuzz: $(FUZZ_BINS)

# A fuzz target links the instrumented objects (build/fuzzobj/), not the sources.
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS) | $(BUILD)/fuzz $(SKELETONS)
	$(say) FUZZ $@
	$(Q)$(CLANG) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -g -O1 $(INCLUDES) $(DEPFLAGS) \
		-fsanitize=fuzzer,address,undefined $< $(FUZZ_OBJS) -o $@ $(LDLIBS)

# The README's test command: host tests, then the guest and server suites on 6.1 and 6.12.
check: deps
	@$(MAKE) --no-print-directory -j2 all check-bpf-headers unit fuzz $(BUILD)/bench/bench_micro
	@$(MAKE) --no-print-directory deb
	@bash tests/check

check-host: check-bpf-headers unit fuzz
	@bash tests/check --host-only

check-guest: all deb $(BUILD)/bench/bench_micro
	@bash tests/check --guest-only

# Every attack, exfiltration and daily job of the corpora, in both guests
# one after the other (make check runs a short set).
check-behaviour: all
	@mkdir -p $(BUILD)/test-results
	@: >$(BUILD)/test-results/behaviour-summary.txt
	@for kernel in 6.1 6.12; do \
		bash -o pipefail -c "tests/vm/run --kernel $$kernel --mem 2G --timeout 4800 -- \
			bash tests/guest/test_behaviour.sh | tee $(BUILD)/test-results/behaviour-$$kernel.tap" || status=1; \
		grep '^# behaviour|' $(BUILD)/test-results/behaviour-$$kernel.tap >>$(BUILD)/test-results/behaviour-summary.txt; \
	done; \
	echo "# summary table: $(BUILD)/test-results/behaviour-summary.txt"; \
	cat $(BUILD)/test-results/behaviour-6.1.tap $(BUILD)/test-results/behaviour-6.12.tap | \
		awk '/^ok/ && !/# SKIP/ { p++ } /^not ok/ { f++ } END { printf "%d passed, %d failed\n", p, f }'; \
	exit $${status:-0}

# Every shipped policy on the kernel path, in both guests one after the
# other (make check runs default.policy and emr-server.policy).
check-policies: all
	@mkdir -p $(BUILD)/test-results
	@for kernel in 6.1 6.12; do \
		bash -o pipefail -c "tests/vm/run --kernel $$kernel --mem 2G --timeout 4800 -- \
			bash -c 'bash tests/guest/minimal-packages && MG_POLICIES_SMOKE=0 bash tests/guest/test_policies.sh' | \
			tee $(BUILD)/test-results/policies-$$kernel.tap" || status=1; \
	done; \
	cat $(BUILD)/test-results/policies-6.1.tap $(BUILD)/test-results/policies-6.12.tap | \
		awk '/^ok/ && !/# SKIP/ { p++ } /^not ok/ { f++ } END { printf "%d passed, %d failed\n", p, f }'; \
	exit $${status:-0}

# The server suite (tests/guest/server/) in the systemd guest on 6.1 and
# 6.12, one after the other; make check runs it after each kernel's guest
# suite.
check-server: all deb
	@mkdir -p $(BUILD)/test-results
	@for kernel in 6.1 6.12; do \
		echo "# server suite on kernel $$kernel"; \
		bash -o pipefail -c "tests/vm/run --systemd --kernel $$kernel --mem 2G --timeout 1800 -- \
			bash tests/guest/server/run-suite | tee $(BUILD)/test-results/server-$$kernel.tap" || { \
			status=1; echo "not ok - server suite on kernel $$kernel: the guest run failed or a test stopped early (see above)" | \
				tee -a $(BUILD)/test-results/server-$$kernel.tap; }; \
	done; \
	cat $(BUILD)/test-results/server-6.1.tap $(BUILD)/test-results/server-6.12.tap | \
		awk '/^ok/ && !/# SKIP/ { p++ } /^not ok/ { f++ } END { printf "%d passed, %d failed\n", p, f }'; \
	exit $${status:-0}

# The README's main job: medguard enforcing in a guest kernel.
demo: deps
	@$(MAKE) --no-print-directory all
	@bash tests/vm/run --kernel 6.12 -- bash tests/demo

# ---- benchmarks -----------------------------------------------------------

# One guest measures every workload with no protection, medguard and
# fapolicyd (fetched from Debian's archive, run only inside the guest);
# tables in build/bench/. Long: not part of `make check`; `bench-smoke`
# (tiny sizes, one repetition) checks that the harness works.
KERNEL     ?= 6.12
BENCH_TOOLS := $(BUILD)/bench/bench_micro

$(BUILD)/bench/bench_micro: tests/bench/bench_micro.c
	$(say) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -static $< -o $@

bench: all $(BENCH_TOOLS)
	@bash tests/bench/run --kernel $(KERNEL)

bench-smoke: all $(BENCH_TOOLS)
	@bash tests/bench/run --smoke --kernel $(KERNEL)

# ---- kernel module ------------------------------------------------------

kmod: $(KMODS)

$(BUILD)/kmod/%/medguard_kfuncs.ko: $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild kmod/build | $(BUILD)
	$(say) KMOD $@
	$(Q)bash kmod/build $* $(BUILD)/kmod/$*

# ---- Debian packages ------------------------------------------------------

# medguard_VERSION_amd64.deb (daemon, CLI, launcher, unit, man pages) and
# medguard-dkms_VERSION_all.deb (the module's source; DKMS builds it on the
# server for each kernel) in build/deb/, by dpkg-buildpackage from debian/.
# It builds in a copy of the tree, build/deb/medguard-VERSION: its clean
# step would otherwise remove this build/, and its results would land in
# the directory above the checkout, which other checkouts may share.
DEB_DIR    := $(BUILD)/deb
DEB_TREE   := $(DEB_DIR)/medguard-$(VERSION)

deb:
	@command -v dh >/dev/null && test -e /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm || \
		{ echo "medguard: make deb needs debhelper and dh-dkms; run 'make deps' (as root)" >&2; exit 1; }
	$(say) DEB $(DEB_DIR)
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_TREE)
	@# The source as git sees it (what .gitignore leaves out stays out), or
	@# without git everything but build/.
	$(Q)if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			tar -c --null --ignore-failed-read -T - -f - 2>/dev/null; \
	else \
		tar -c --exclude=./build --exclude=./.git -f - .; \
	fi | tar -x -C $(DEB_TREE)
	$(Q)cd $(DEB_TREE) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 40 $(DEB_DIR)/build.log >&2; \
		  echo "medguard: dpkg-buildpackage failed; the whole log is $(DEB_DIR)/build.log" >&2; exit 1; }
	$(Q)rm -rf $(DEB_TREE)
	@ls $(DEB_DIR)/*.deb | sed 's/^/          /'

# Builds the packages, then checks them: lintian, their files and conffiles,
# the shipped policy. Ends with "N passed, N failed".
check-deb: deb
	@bash tests/check-deb $(DEB_DIR)

# ---- housekeeping -------------------------------------------------------

$(BUILD) $(BUILD)/tests $(BUILD)/guest $(BUILD)/fuzz $(BUILD)/deps:
	$(Q)mkdir -p $@

clean:
	rm -rf $(BUILD)

# The dependency files -MMD wrote (none before the first build).
$(shell mkdir -p $(BUILD)/deps)
-include $(wildcard $(BUILD)/deps/*.d)
