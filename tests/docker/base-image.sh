#!/bin/sh
# Builds a local stand-in for the debian:bookworm-slim image with
# debootstrap and `docker import`, so that the container test needs no
# registry.  The image gets this machine's Debian apt sources (and the
# keyrings and validity settings they depend on), so that apt-get inside a
# build that runs with --network host reaches the same mirror.
#
# usage: base-image.sh WORKDIR TAG   (DOCKER_HOST names the engine)
# The mirror is the first Debian bookworm URI in /etc/apt/sources.list*, or
# $CAIRN_DEBIAN_MIRROR when set.
set -eu

work=$1
tag=$2
docker=${DOCKER:-docker}
rootfs=$work/rootfs

# Prints the first URI that serves the suite "bookworm" in the deb822
# (.sources) and one-line (.list) source files.
find_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^[ \t]*$/ { if (uri != "" && bookworm) { print uri; exit }
				     uri = ""; bookworm = 0; next }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++)
					 if ($i == "bookworm") bookworm = 1 }
			END { if (uri != "" && bookworm) print uri }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" {
			i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == "bookworm") print $i }' "$f"
	done
}

mirror=${CAIRN_DEBIAN_MIRROR:-$(find_mirror | head -n 1)}
if [ -z "$mirror" ]; then
	echo "error: no Debian bookworm mirror in /etc/apt/sources.list*;" \
		"set CAIRN_DEBIAN_MIRROR to one" >&2
	exit 1
fi
echo "debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" \
	>"$work/debootstrap.log" 2>&1 || {
	tail -n 20 "$work/debootstrap.log" >&2
	echo "error: debootstrap failed; its log is above" >&2
	exit 1
}

# The host's Debian sources replace debootstrap's one-line sources.list,
# with the keyrings their Signed-By fields name.  Files that were renamed
# to disable them (foo.list.disabled) are not copied.
rm -f "$rootfs/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	cp "$f" "$rootfs$f"
	sed -n 's/^Signed-By:[ \t]*\(\/[^ \t]*\)$/\1/p;
		s/.*\[.*signed-by=\(\/[^] \t]*\).*/\1/p' "$f" |
		while read -r key; do
			[ -f "$key" ] || continue
			mkdir -p "$rootfs$(dirname "$key")"
			cp "$key" "$rootfs$key"
		done
done
# A snapshot mirror serves Release files past their Valid-Until date, so
# the host may have turned that check off; the image needs the same.
apt-config dump |
	grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' \
	>"$rootfs/etc/apt/apt.conf.d/90host" || true

# Trimmed as the slim images are: no package cache, indexes, manuals,
# documentation or translations, and dpkg configured not to unpack them
# later.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
	"$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
	"$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG

tar -C "$rootfs" --numeric-owner -c . | "$docker" import - "$tag" >/dev/null
rm -rf "$rootfs"
echo "imported $tag"
