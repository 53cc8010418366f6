#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM tier: run the VM-tier selftests (vm_tests.list), which need root,
# module loading and /dev/kvm, and relay their KTAP so that every result
# counts in the totals of the run.
#
# KTSTR_VM_TIER=qemu (default) boots the kernel ktstr.ko was built for under
#   qemu-system-x86_64 -accel tcg -cpu max, with an initramfs holding
#   busybox, ktstr-init as PID 1, ktstr.ko, the KVM modules (kvm-amd loaded
#   with nested=1, so the guest has /dev/kvm) and the tests. The guest runs
#   them with the kselftest runner and writes KTAP to its second serial
#   port; the first one carries the kernel console.
# KTSTR_VM_TIER=direct runs the same tree on the running kernel instead
#   (a dedicated test host that may load modules).
#
# KTSTR_VM_KERNEL        kernel image (default /boot/vmlinuz-<ktstr.ko vermagic>)
# KTSTR_VM_TIMEOUT       seconds before the guest counts as hung (1100: the
#                        whole tier took 700 s here; settings gives 1200)
# KTSTR_VM_TEST_TIMEOUT  per-test timeout inside the guest (300)
# KTSTR_VM_CPUS, KTSTR_VM_MEM   QEMU -smp and -m in MiB (2, 2048)
# KTSTR_VM_TCG_THREAD    TCG threading, single (default) or multi. With
#                        multi-threaded TCG the nested KVM guests wedged the
#                        whole QEMU guest in about one run of four here; with
#                        one host thread for both vCPUs they never did, at
#                        the same speed.
# KTSTR_VM_KEEP=1        keep the work directory (initramfs, logs)
# KTSTR_VM_TESTS="a b"   run only these VM-tier tests
# KTSTR_VM_APPEND="..."  more kernel command line (after ktstr's own)
# KTSTR_VM_RUN="prog args"  instead of the tests, run this program (built
#                        beside this script, e.g. doorbell_bench) in the
#                        guest, show its output and exit with its status

set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
# The harness: as make passes it, else from the source tree this script
# sits in, else the installed layout's top directory.
if [ -n "${KSELFTEST_DIR:-}" ]; then
	ksft=$KSELFTEST_DIR
elif [ -x "$here/../scripts/linux-source.sh" ]; then
	ksft=$("$here/../scripts/linux-source.sh" kselftest) || exit 1
else
	ksft=$(dirname "$here")
fi
ksft_skip=4
mode=${KTSTR_VM_TIER:-qemu}
deadline=${KTSTR_VM_TIMEOUT:-1100}
test_timeout=${KTSTR_VM_TEST_TIMEOUT:-300}
cpus=${KTSTR_VM_CPUS:-2}
mem=${KTSTR_VM_MEM:-2048}

say() { echo "vm_tier: $*"; }
skip() { say "SKIP: $*"; exit $ksft_skip; }
die() { say "FAIL: $*"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-vm-tier.XXXXXX") || die "mktemp failed"
cleanup() {
	if [ "${KTSTR_VM_KEEP:-0}" = 1 ]; then
		say "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# stage_kselftest DIR: an installed-style kselftest tree holding only the
# VM-tier collection, runnable with DIR/run_kselftest.sh.
stage_kselftest() {
	local dir=$1 t
	mkdir -p "$dir/kselftest" "$dir/ktstr"
	cp "$ksft/run_kselftest.sh" "$dir/" || return 1
	cp "$ksft/kselftest/runner.sh" "$dir/kselftest/" || return 1
	: > "$dir/kselftest-list.txt"
	for t in ${KTSTR_VM_TESTS:-$(cat "$here/vm_tests.list")}; do
		cp "$here/$t" "$dir/ktstr/" || return 1
		echo "ktstr:$t" >> "$dir/kselftest-list.txt"
	done
	[ -z "$run_prog" ] || cp "$here/$run_prog" "$dir/ktstr/" || return 1
	cp "$here/ktstr.ko" "$here/ktstr" "$dir/ktstr/" || return 1
	# vmm_capture_test builds its nested guest's initramfs from these, and
	# ktstr run finds them beside the CLI.
	cp "$here/ktstr-init" "$here/ktstr-guest" "$dir/ktstr/" || return 1
	echo "timeout=$test_timeout" > "$dir/ktstr/settings"
}

# KTSTR_VM_RUN: a program of this directory, run instead of the tests.
run_cmd=${KTSTR_VM_RUN:-}
run_prog=
if [ -n "$run_cmd" ]; then
	run_prog=$(basename "${run_cmd%% *}")
	[ -x "$here/$run_prog" ] || die "KTSTR_VM_RUN: no program $here/$run_prog (build with 'make -C selftests')"
	KTSTR_VM_TESTS=" "
fi

for f in vm_tests.list ktstr.ko ktstr-init ktstr vm_guest.sh; do
	[ -e "$here/$f" ] || die "$here/$f missing: build with 'make -C selftests'"
done
[ -r "$ksft/kselftest/runner.sh" ] || die "no kselftest runner under $ksft"

if [ "$mode" = direct ]; then
	[ "$(id -u)" = 0 ] || skip "direct mode needs root"
	stage_kselftest "$work/kselftest" || die "cannot stage the tests"
	if [ -n "$run_prog" ]; then
		cd "$work/kselftest/ktstr" && eval "./$run_cmd"
		exit $?
	fi
	cd "$work/kselftest" && ./run_kselftest.sh | tee "$work/ktap"
	! grep -q '^not ok' "$work/ktap"
	exit $?
fi
[ "$mode" = qemu ] || die "KTSTR_VM_TIER=$mode: expected qemu or direct"

qemu=$(command -v qemu-system-x86_64) ||
	skip "qemu-system-x86_64 not found (make deps installs qemu-system-x86)"
busybox=$(command -v busybox) || skip "busybox not found (make deps installs busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && skip "$busybox is not static (install busybox-static)"
for t in cpio gzip modinfo; do
	command -v $t >/dev/null || skip "$t not found (make deps)"
done

kver=$(modinfo -F vermagic "$here/ktstr.ko" | awk '{ print $1 }')
[ -n "$kver" ] || die "cannot read the vermagic of $here/ktstr.ko"
kernel=${KTSTR_VM_KERNEL:-/boot/vmlinuz-$kver}
[ -r "$kernel" ] || skip "no kernel image $kernel for ktstr.ko's $kver (make deps installs linux-image-amd64, or set KTSTR_VM_KERNEL)"
[ -d "/lib/modules/$kver" ] || skip "no /lib/modules/$kver for the guest's KVM modules"

# --- initramfs ---------------------------------------------------------
stage=$work/root
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,ktstr/modules}
cp "$here/ktstr-init" "$stage/init"
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
# The kselftest runner calls coreutils' "timeout --foreground" and expects
# 124 on expiry; busybox's timeout knows neither.
rm -f "$stage/usr/bin/timeout"
cat > "$stage/usr/bin/timeout" <<'EOT'
#!/bin/sh
[ "$1" = --foreground ] && shift
secs=$1
shift
busybox timeout -s TERM "$secs" "$@"
rc=$?
[ $rc -eq 143 ] && exit 124
exit $rc
EOT
chmod +x "$stage/usr/bin/timeout"

# add_module NAME [ARGS]: the module and, first, what it depends on.
loaded=" "
add_module() {
	local name=$1 args=${2:-} file dep base
	case "$loaded" in *" $name "*) return 0 ;; esac
	file=$(modinfo -k "$kver" -F filename "$name" 2>/dev/null) || return 1
	for dep in $(modinfo -k "$kver" -F depends "$name" | tr ',' ' '); do
		add_module "$dep" || return 1
	done
	base=$(basename "$file")
	case "$file" in
	*.ko) cp "$file" "$stage/ktstr/modules/$base" ;;
	*.ko.xz) xz -dc "$file" > "$stage/ktstr/modules/${base%.xz}"; base=${base%.xz} ;;
	*.ko.zst) zstd -qdc "$file" > "$stage/ktstr/modules/${base%.zst}"; base=${base%.zst} ;;
	*.ko.gz) gzip -dc "$file" > "$stage/ktstr/modules/${base%.gz}"; base=${base%.gz} ;;
	*) return 1 ;;
	esac || return 1
	echo "$base $args" >> "$stage/ktstr/modules.load"
	loaded="$loaded$name "
}
: > "$stage/ktstr/modules.load"
add_module kvm-amd nested=1 || die "cannot stage kvm-amd and its dependencies for $kver"

stage_kselftest "$stage/ktstr/kselftest" || die "cannot stage the tests"
cp "$here/vm_guest.sh" "$stage/ktstr/"

# --- VMM boot tests (vmm_boot_test) -------------------------------------
# The VMM boots this same kernel nested, as /ktstr/vmlinuz, with the
# ktstr-init that stage_kselftest puts beside the tests as PID 1 and this
# guest's own static /bin/busybox (KTSTR_VMM_KERNEL and KTSTR_VMM_BUSYBOX
# override them).
cp "$kernel" "$stage/ktstr/vmlinuz" || die "cannot stage $kernel for the VMM tests"
# --- end of the VMM boot tests' block ------------------------------------

# --- boot_bench: QEMU microvm beside the VMM ------------------------------
# Only when KTSTR_VM_RUN runs boot_bench: QEMU, its libraries and the
# microvm firmware (qboot) add about 50 MB to the initramfs.
if [ "$run_prog" = boot_bench ]; then
	mkdir -p "$stage/usr/share/qemu"
	cp "$qemu" "$stage/usr/bin/qemu-system-x86_64" || die "cannot stage $qemu"
	for fw in bios-microvm.bin linuxboot_dma.bin pvh.bin; do
		cp -L "/usr/share/qemu/$fw" "$stage/usr/share/qemu/" ||
			die "cannot stage QEMU's /usr/share/qemu/$fw (qemu-system-data)"
	done
	ldd "$qemu" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
		while read -r lib; do
			cp -L --parents "$lib" "$stage/" || exit 1
		done || die "cannot copy $qemu's shared libraries"
fi
# --- end of boot_bench's block ----------------------------------------------

[ -z "$run_prog" ] || echo "./$run_cmd" > "$stage/ktstr/run.cmd"

# The tests and the CLI are dynamically linked: bring their libraries.
for elf in "$stage"/ktstr/kselftest/ktstr/*; do
	# ldd fails on static binaries and on ktstr.ko: nothing to copy there.
	{ ldd "$elf" 2>/dev/null || true; } | awk '/=> \// { print $3 } /^\t\// { print $1 }'
done | sort -u | while read -r lib; do
	cp -L --parents "$lib" "$stage/" || exit 1
done || die "cannot copy the tests' shared libraries"

(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initramfs.gz" ||
	die "cannot build the initramfs"

# --- boot ----------------------------------------------------------------
say "booting $kernel ($cpus vCPUs, $mem MiB, TCG) with a $(du -k "$work/initramfs.gz" | cut -f1) KiB initramfs"
: > "$work/ktap.raw"
: > "$work/console.log"
start=$(date +%s)
timeout -k 10 "$deadline" "$qemu" -accel tcg,thread=${KTSTR_VM_TCG_THREAD:-single} -cpu max -smp "$cpus" -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0,115200 rdinit=/init panic=-1 oops=panic loglevel=5 ${KTSTR_VM_APPEND:-} -- /bin/sh /ktstr/vm_guest.sh" \
	-serial "file:$work/console.log" -serial stdio < /dev/null |
	awk -v raw="$work/ktap.raw" '
		{ sub(/\r$/, ""); print > raw; fflush(raw) }
		/^KTSTR_VM_TIER_END/ { on = 0 }
		on { print; fflush() }
		/^KTSTR_VM_TIER_BEGIN/ { on = 1 }'
qrc=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - start ))

console_tail() {
	say "last console lines:"
	tail -n 40 "$work/console.log" 2>/dev/null | sed 's/^/  /'
}

if ! grep -q '^KTSTR_VM_TIER_END' "$work/ktap.raw"; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		say "FAIL: the guest did not finish within KTSTR_VM_TIMEOUT=$deadline s"
	elif grep -q 'Kernel panic' "$work/console.log" 2>/dev/null; then
		say "FAIL: the guest kernel panicked"
	elif ! grep -q '^KTSTR_VM_TIER_BEGIN' "$work/ktap.raw"; then
		say "FAIL: the guest never reported (qemu exit $qrc)"
	else
		say "FAIL: the guest stopped before its tests finished (qemu exit $qrc)"
	fi
	console_tail
	exit 1
fi
say "guest finished in $elapsed s (qemu exit $qrc)"
if [ "$qrc" != 0 ]; then
	say "FAIL: qemu exited with $qrc after the tests"
	console_tail
	exit 1
fi
if [ -n "$run_prog" ]; then
	rc=$(sed -n 's/^KTSTR_VM_TIER_END rc=\([0-9]*\).*/\1/p' "$work/ktap.raw")
	exit "${rc:-1}"
fi
# Not "| grep -q": it stops reading at the first match, sed dies of
# SIGPIPE, and with pipefail the pipeline then counts as no match.
if sed -n '/^KTSTR_VM_TIER_BEGIN/,/^KTSTR_VM_TIER_END/p' "$work/ktap.raw" |
	grep '^not ok' > /dev/null; then
	say "FAIL: a test in the guest failed (its not ok line is above)"
	exit 1
fi
exit 0
