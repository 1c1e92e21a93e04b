#!/bin/sh
# Tests `make install` and `make uninstall` into a DESTDIR, without root.
# Each file must land where the PREFIX puts it, with its mode.  The unit
# must name the installed binary and keep its sandboxing, and an edited
# environment file must survive a second install.  Where this machine has
# them, systemd-analyze and systemd-sysusers check the unit and the user
# entry.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
make=${MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

install_into() {
	"$make" -s -C "$repo" install DESTDIR="$1" ${2:+PREFIX="$2"} >/dev/null
}

# check_mode FILE MODE
check_mode() {
	if [ ! -f "$1" ]; then
		fail "$1 was not installed"
	elif [ "$(stat -c %a "$1")" != "$2" ]; then
		fail "$1 has mode $(stat -c %a "$1"), expected $2"
	fi
}

# check_line FILE LINE: FILE has LINE as a whole line.
check_line() {
	grep -qxF "$2" "$1" || fail "$1 lacks the line '$2'"
}

root=$tmp/root
install_into "$root"
check_mode "$root/usr/local/bin/cairn" 755
check_mode "$root/usr/local/share/man/man1/cairn.1" 644
check_mode "$root/usr/local/lib/systemd/system/cairn.service" 644
check_mode "$root/usr/local/lib/sysusers.d/cairn.conf" 644
check_mode "$root/etc/cairn/cairn.env" 600
"$root/usr/local/bin/cairn" --help >/dev/null ||
	fail "the installed cairn --help exited $?"

unit=$root/usr/local/lib/systemd/system/cairn.service
for line in "ExecStart=/usr/local/bin/cairn serve --init" \
	"EnvironmentFile=-/etc/cairn/cairn.env" \
	"Environment=CAIRN_DATA=/var/lib/cairn" \
	User=cairn StateDirectory=cairn ProtectSystem=strict \
	NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes \
	PrivateDevices=yes CapabilityBoundingSet=; do
	check_line "$unit" "$line"
done
if grep -n '@[A-Z]*@' "$unit"; then
	fail "$unit keeps template placeholders"
fi
check_line "$root/usr/local/lib/sysusers.d/cairn.conf" \
	'u cairn - "Cairn threat intelligence platform" /var/lib/cairn /usr/sbin/nologin'

# An administrator's edit of the environment file survives a reinstall.
echo "CAIRN_LOG_LEVEL=debug" >>"$root/etc/cairn/cairn.env"
install_into "$root"
check_line "$root/etc/cairn/cairn.env" "CAIRN_LOG_LEVEL=debug"

# Another PREFIX moves the binary, the man page and the unit's ExecStart.
install_into "$tmp/usr" /usr
check_mode "$tmp/usr/usr/bin/cairn" 755
check_mode "$tmp/usr/usr/share/man/man1/cairn.1" 644
check_line "$tmp/usr/usr/lib/systemd/system/cairn.service" \
	"ExecStart=/usr/bin/cairn serve --init"

"$make" -s -C "$repo" uninstall DESTDIR="$root" >/dev/null
for f in usr/local/bin/cairn usr/local/share/man/man1/cairn.1 \
	usr/local/lib/systemd/system/cairn.service \
	usr/local/lib/sysusers.d/cairn.conf; do
	[ ! -e "$root/$f" ] || fail "make uninstall left $root/$f"
done
[ -f "$root/etc/cairn/cairn.env" ] ||
	fail "make uninstall removed the environment file"

if command -v man >/dev/null; then
	warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l \
		"$repo/docs/cairn.1" 2>&1 >/dev/null)
	[ -z "$warnings" ] || fail "man reports on docs/cairn.1: $warnings"
else
	echo "skipped: man page rendering: man is not installed"
fi

# systemd-analyze verify requires ExecStart's binary to exist and only
# warns about an invalid value, so it checks a copy of the unit that runs
# the DESTDIR binary, and any output counts as a failure.
if command -v systemd-analyze >/dev/null; then
	install_into "$root"
	sed "s|^ExecStart=/usr/local/bin/|ExecStart=$root/usr/local/bin/|" \
		"$unit" >"$tmp/cairn.service"
	report=$(systemd-analyze verify --man=no "$tmp/cairn.service" 2>&1) ||
		fail "systemd-analyze verify exited $?: $report"
	[ -z "$report" ] || fail "systemd-analyze verify reports: $report"
else
	echo "skipped: systemd-analyze verify: systemd-analyze is not installed"
fi
if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers --dry-run --root="$tmp/sysusers-root" \
		"$root/usr/local/lib/sysusers.d/cairn.conf" >/dev/null 2>&1 ||
		fail "systemd-sysusers --dry-run rejects cairn.conf"
else
	echo "skipped: sysusers check: systemd-sysusers is not installed"
fi

if [ "$failures" -ne 0 ]; then
	echo "install test: $failures failures" >&2
	exit 1
fi
echo "install test passed"
