#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ktstr run end to end (VM tier): boot the guest kernel with the CLI and
# check that the command's exit status, its signal, its output, a missing
# command, the deadline, --include and --capture come back as documented
# (Documentation/run.rst). Each boot is a nested one, 11 s or more.
#
# KTSTR_RUN_KERNEL  the kernel to boot (default /ktstr/vmlinuz, where the
#                   VM tier puts it, else /boot/vmlinuz-$(uname -r))

here=$(cd "$(dirname "$0")" && pwd)
ktstr=$here/ktstr
ksft_skip=4

kernel=${KTSTR_RUN_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=/ktstr/vmlinuz
	[ -r "$kernel" ] || kernel=/boot/vmlinuz-$(uname -r)
fi
if [ ! -c /dev/kvm ]; then
	echo "1..0 # SKIP no /dev/kvm: ktstr run needs KVM"
	exit $ksft_skip
fi
if [ ! -r "$kernel" ]; then
	echo "1..0 # SKIP no kernel image $kernel (set KTSTR_RUN_KERNEL)"
	exit $ksft_skip
fi
if [ ! -x "$ktstr" ]; then
	echo "1..0 # SKIP $ktstr not built (make -C selftests)"
	exit $ksft_skip
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-run-cli.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

echo "TAP version 13"
echo "1..13"
n=0
bad=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	bad=1
	echo "# stderr of the last ktstr run:"
	tail -n 15 "$work/err" | sed 's/^/#   /'
	echo "# last lines of its stdout:"
	tail -n 5 "$work/out" | sed 's/^/#   /'
	echo "not ok $n $1"
}

# boot ARGS...: ktstr run with ARGS (after the kernel and CPU options);
# sets rc, and leaves stdout and stderr in $work/out and $work/err.
#
# Nested KVM under TCG now and then stops a guest kernel for good early
# in its boot, or delivers it an interrupt with interrupts off, which it
# dies of in its entry code ("Fatal exception in interrupt"; see
# user/vmm/cpuid.c on PV EOI): such a boot is retried, at most twice,
# and says so. Whatever the command did is never retried.
boot() {
	for try in 1 2 3; do
		(cd "$work" && "$ktstr" run --kernel "$kernel" --cpus 1 --timeout 60 "$@") \
			> "$work/out" 2> "$work/err"
		rc=$?
		if [ "$rc" = 124 ] && ! grep -q "KTSTR_INIT_EXIT\|ktstr-init:" "$work/out"; then
			echo "# boot $try of \"ktstr run $*\" hung before init ran: $(tail -n 1 "$work/out")"
		elif [ "$rc" = 125 ] && grep -q "Fatal exception in interrupt" "$work/err"; then
			echo "# boot $try of \"ktstr run $*\" died of an interrupt taken with interrupts off"
		else
			return
		fi
	done
}

# expect_rc NAME WANT: the last run exited WANT.
expect_rc() {
	if [ "$rc" = "$2" ]; then
		ok "$1"
	else
		echo "# exit status $rc, expected $2"
		not_ok "$1"
	fi
}

boot -- true
expect_rc run_true_exits_0 0

# A capture is made whatever the command's status, into TAG.json by default.
boot --capture run_cli_default -- false
expect_rc run_false_exits_1 1
if [ -s "$work/run_cli_default.json" ]; then
	ok run_capture_after_failure_default_out
else
	echo "# no $work/run_cli_default.json"
	not_ok run_capture_after_failure_default_out
fi

# Files from the host (one, and a tree with a link in it), the command's
# output on stdout, a status of its own.
printf 'included_%s\n' "$$" > "$work/data"
mkdir -p "$work/tree/sub"
echo deep > "$work/tree/sub/f"
ln -s sub/f "$work/tree/link"
boot --include "$work/data:/data/in" --include "$work/tree:/t" -- \
	sh -c 'echo run_cli_marker_$(cat /data/in)_$(cat /t/link)_$(readlink /t/link); exit 7'
expect_rc run_exit_status_7 7
want="run_cli_marker_included_$$_deep_sub/f"
if grep -q "^$want" "$work/out"; then
	ok run_console_line_on_stdout
else
	echo "# no line $want on stdout"
	not_ok run_console_line_on_stdout
fi
if ! grep -q run_cli_marker "$work/err"; then
	ok run_console_not_on_stderr
else
	not_ok run_console_not_on_stderr
fi

boot -- sh -c 'kill -KILL $$'
if [ "$rc" = 137 ] && grep -q "killed by signal 9" "$work/err"; then
	ok run_signal_is_128_plus
else
	echo "# exit status $rc, expected 137 and a message naming signal 9"
	not_ok run_signal_is_128_plus
fi

boot -- /no/such/command
if [ "$rc" = 127 ] && grep -q "exec /no/such/command: No such file" "$work/out"; then
	ok run_missing_command_is_127
else
	echo "# exit status $rc, expected 127 and init's exec error on the console"
	not_ok run_missing_command_is_127
fi

# The deadline passes while the guest is still booting.
(cd "$work" && "$ktstr" run --kernel "$kernel" --cpus 1 --timeout 1 -- sleep 100) \
	> "$work/out" 2> "$work/err"
rc=$?
if [ "$rc" = 124 ] && grep -q -- "--timeout 1 passed" "$work/err"; then
	ok run_timeout_is_124
else
	echo "# exit status $rc, expected 124 and a message naming --timeout"
	not_ok run_timeout_is_124
fi

# SIGTERM stops the guest, and ktstr run ends as if killed by it. (Not
# SIGINT: a shell starts background commands with SIGINT ignored.)
(cd "$work" && exec "$ktstr" run --kernel "$kernel" --cpus 1 --timeout 60 -- sleep 100) \
	> "$work/out" 2> "$work/err" &
pid=$!
sleep 3
kill -TERM $pid
wait $pid
rc=$?
if [ "$rc" = 143 ] && grep -q "stopped by signal 15" "$work/err"; then
	ok run_sigterm_is_143
else
	echo "# exit status $rc, expected 143 and a message naming signal 15"
	not_ok run_sigterm_is_143
fi

# A file that is no kernel: the VMM's reason, and 125.
echo "not a kernel" > "$work/junk"
(cd "$work" && "$ktstr" run --kernel "$work/junk" -- true) > "$work/out" 2> "$work/err"
rc=$?
if [ "$rc" = 125 ] && grep -q "cannot create the VM: .*$work/junk" "$work/err"; then
	ok run_bad_kernel_is_125
else
	echo "# exit status $rc, expected 125 and the VMM's reason naming the file"
	not_ok run_bad_kernel_is_125
fi

# --capture: the guest rings after the command, the host writes the report.
boot --capture run_cli_cap --capture-out "$work/cap.json" -- sh -c 'echo before_capture'
if [ "$rc" = 0 ] && [ -s "$work/cap.json" ]; then
	ok run_capture_writes_json
else
	echo "# exit status $rc, expected 0 and $work/cap.json"
	not_ok run_capture_writes_json
fi
if "$ktstr" snap show "$work/cap.json" > "$work/show" 2>&1; then
	ok run_capture_json_reads_back
else
	echo "# ktstr snap show $work/cap.json failed:"
	sed 's/^/#   /' "$work/show" | tail -n 5
	not_ok run_capture_json_reads_back
fi
exit $bad
