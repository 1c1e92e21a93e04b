#!/bin/sh
# Installs the Debian packages that building ("build") or testing ("test")
# Cairn needs, or the container test's tools ("docker"), skipping the ones
# already present.  Runs as root, or with sudo when it is available.
set -eu

# chromium runs the browser tests.
build_pkgs="build-essential pkg-config libmicrohttpd-dev libyajl-dev
libjansson-dev libsqlite3-dev libsodium-dev libpcre2-dev libidn2-dev
libgnutls28-dev libfuzzy-dev libtlsh-dev"
test_pkgs="$build_pkgs libcmocka-dev python3-pytest python3-requests sqlite3
openssl bind9-utils yara python3-jsonschema chromium"

# The container test's commands and the packages that provide them.  A
# command found on PATH counts as present, so an engine installed another
# way (docker-ce, for one) is used rather than replaced.
docker_cmds="dockerd:docker.io debootstrap:debootstrap
docker-compose:docker-compose curl:curl openssl:openssl"

missing=""
case "${1:-build}" in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
docker)
	want=""
	for pair in $docker_cmds; do
		command -v "${pair%%:*}" >/dev/null || missing="$missing ${pair#*:}"
	done
	;;
*) echo "usage: $0 build|test|docker" >&2; exit 2 ;;
esac

# node and npm install the web UI's pinned packages (web/ and tests/web/
# package-lock.json).  They count as present when both commands are on
# PATH, because a Node.js from another source (NodeSource's nodejs, which
# bundles npm) conflicts with Debian's npm package.
if [ -n "$want" ] && ! { command -v node >/dev/null &&
	command -v npm >/dev/null; }; then
	want="$want nodejs npm"
fi

for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
echo "installing:$missing" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >&2
