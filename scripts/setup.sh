#!/bin/sh
# The README's two set-up commands: `sh scripts/setup.sh run` and
# `sh scripts/setup.sh test`.  Installs the Debian packages the step needs
# (make and the compiler included, which a fresh Debian may lack), then
# hands over to the Makefile target of the same name.
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
run) sh scripts/install-deps.sh build ;;
test) sh scripts/install-deps.sh test ;;
*) echo "usage: sh scripts/setup.sh run|test" >&2; exit 2 ;;
esac
target=$1
shift
exec make "$target" "$@"
