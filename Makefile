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
BTF_SOURCE := /usr/src/linux-headers-$(KVER_6_12)/vmlinux

WARNINGS   := -Wall -Wextra -Werror
CFLAGS     ?= -O2 -g
CFLAGS     += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -I$(BUILD) -Ibpf -Ikmod -Iuserspace
LDLIBS     := -lbpf -lelf -lz -lcrypto
SANITIZE   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELETONS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

USER_SRCS  := $(filter-out userspace/main.c,$(wildcard userspace/*.c))
USER_OBJS  := $(patsubst userspace/%.c,$(BUILD)/obj/%.o,$(USER_SRCS))
ASAN_OBJS  := $(patsubst userspace/%.c,$(BUILD)/asan/%.o,$(USER_SRCS))
USER_HDRS  := $(wildcard userspace/*.h bpf/*.h)

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

.PHONY: all deps bpf userspace kmod unit guest-tools fuzz check check-host check-guest check-behaviour demo clean
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
	@test -r "$(BTF_SOURCE)" || { echo "no BTF at '$(BTF_SOURCE)': run 'make deps' (as root)"; exit 1; }
	$(BPFTOOL) btf dump file $(BTF_SOURCE) format c > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h $(wildcard bpf/*.h) | $(BUILD)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf -Ikmod \
		-Wall -Werror -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# ---- userspace ----------------------------------------------------------

userspace: $(BUILD)/medguard

$(BUILD)/obj/%.o: userspace/%.c $(USER_HDRS) $(SKELETONS) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: userspace/%.c $(USER_HDRS) $(SKELETONS) | $(BUILD)/asan
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

$(BUILD)/medguard: $(BUILD)/obj/main.o $(USER_OBJS)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# ---- tests --------------------------------------------------------------

unit: $(UNIT_BINS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(ASAN_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) $(SANITIZE) -Itests/unit $< $(ASAN_OBJS) -o $@ $(LDLIBS)

# Programs the guest tests run: built on the host, run inside the guest.
guest-tools: $(GUEST_BINS)

$(BUILD)/guest/%: tests/guest/%.c $(USER_HDRS) | $(BUILD)/guest
	$(CC) $(CFLAGS) -static $< -o $@

# The kfunc test driver loads BPF objects and keys: it links medguard's objects.
$(BUILD)/guest/mg_kfunc_test: tests/guest/mg_kfunc_test.c $(USER_OBJS) $(USER_HDRS) $(SKELETONS) | $(BUILD)/guest
	$(CC) $(CFLAGS) $< $(USER_OBJS) -o $@ $(LDLIBS)

$(BUILD)/guest/mg_try_dynamic: tests/guest/mg_try.c | $(BUILD)/guest
	$(CC) $(CFLAGS) $< -o $@

$(BUILD)/guest/libmg_preload.so: tests/guest/preload/mg_preload.c | $(BUILD)/guest
	$(CC) $(CFLAGS) -shared -fPIC $< -o $@

fuzz: $(FUZZ_BINS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(USER_SRCS) $(USER_HDRS) $(SKELETONS) | $(BUILD)/fuzz
	$(CLANG) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -g -O1 -I$(BUILD) -Ibpf -Ikmod -Iuserspace \
		-fsanitize=fuzzer,address,undefined $< $(USER_SRCS) -o $@ $(LDLIBS)

# The README's test command: host tests, then the guest suite on 6.1 and 6.12.
check: deps
	@$(MAKE) --no-print-directory -j2 all unit fuzz
	@bash tests/check

check-host: unit fuzz
	@bash tests/check --host-only

check-guest: all
	@bash tests/check --guest-only

# The ransomware and benign corpora alone, in the 6.12 guest (`make check`
# runs them too); the summary table goes to build/test-results/.
check-behaviour: all
	@mkdir -p $(BUILD)/test-results
	@bash -o pipefail -c 'tests/vm/run --kernel 6.12 --mem 2G -- bash tests/guest/test_behaviour.sh | \
		tee $(BUILD)/test-results/behaviour.tap'
	@grep '^# behaviour|' $(BUILD)/test-results/behaviour.tap >$(BUILD)/test-results/behaviour-summary.txt
	@echo "# summary table: $(BUILD)/test-results/behaviour-summary.txt"

# The README's main job: medguard enforcing in a guest kernel.
demo: deps
	@$(MAKE) --no-print-directory all
	@bash tests/vm/run --kernel 6.12 -- bash tests/demo

# ---- kernel module ------------------------------------------------------

kmod: $(KMODS)

$(BUILD)/kmod/%/medguard_kfuncs.ko: $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild kmod/build | $(BUILD)
	bash kmod/build $* $(BUILD)/kmod/$*

# ---- housekeeping -------------------------------------------------------

$(BUILD) $(BUILD)/obj $(BUILD)/asan $(BUILD)/tests $(BUILD)/guest $(BUILD)/fuzz:
	mkdir -p $@

clean:
	rm -rf $(BUILD)
