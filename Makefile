# SPDX-License-Identifier: GPL-2.0
#
# ktstr top-level build.
#
#   make             build kmod/ktstr.ko, user/ (libktstr, ktstr CLI), guest/
#   make deps        install the Debian packages the build and tests need
#   make checkpatch  scripts/checkpatch.pl --strict over kmod/ and uapi/
#   make clean       remove everything the build made
#
# KDIR selects the kernel to build ktstr.ko for (default: the running
# kernel's build directory, otherwise the newest installed headers).
# WERROR=0 turns compiler warnings back into warnings.

KDIR ?= $(shell scripts/kdir.sh)
WERROR ?= 1
export WERROR

all: kmod user guest

kmod:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { \
		echo "no kernel build directory: run 'make deps' or pass KDIR=" >&2; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(filter 1,$(WERROR)),KTSTR_WERROR=1) modules

user guest:
	$(MAKE) -C $@

deps:
	scripts/deps.sh

checkpatch:
	scripts/checkpatch.sh

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C user clean
	$(MAKE) -C guest clean
	$(MAKE) -C selftests clean

.PHONY: all kmod user guest deps checkpatch clean
