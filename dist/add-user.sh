#!/bin/sh
# Creates the system user cairn for cairn.service: with systemd-sysusers
# from the sysusers.d file given as $1 when it is available, else with
# useradd.  Does nothing when the user exists.
set -eu

if id cairn >/dev/null 2>&1; then
	exit 0
fi
if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers "$1"
else
	useradd --system --user-group --home-dir /var/lib/cairn \
		--no-create-home --shell /usr/sbin/nologin \
		--comment "Cairn threat intelligence platform" cairn
fi
echo "created the system user cairn"
