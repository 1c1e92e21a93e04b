#!/bin/sh
# Container test: builds Cairn's image with a private Docker engine and
# checks what the image promises.  Those are its configuration, the admin
# key of the first start, data that outlives the container, a stop within
# two seconds of SIGTERM, backup and restore, the healthcheck and built-in
# TLS.
#
# It starts its own dockerd, listening only on a unix socket in a fresh
# temporary directory, with no bridge network and no iptables rules, so
# every container runs with --network host and Cairn inside listens on a
# free 127.0.0.1 port.  The base image debian:bookworm-slim is built
# locally with debootstrap, so no registry is used.  dockerd is stopped by
# its process id when the test ends, also on failure.
#
# Needs root, dockerd, debootstrap, docker-compose, curl and openssl.
# Without root, with CAIRN_SKIP_DOCKER=1, or when dockerd cannot start on
# this machine it prints "skipped: REASON" and exits 0.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
image=cairn:test
base=debian:bookworm-slim
volume=cairn-test-data
name=cairn-test

# Seconds to wait for dockerd, for the server to respond and for the
# healthcheck.  They only bound the waits.
DOCKERD_TIMEOUT=60
START_TIMEOUT=60
HEALTH_TIMEOUT=60
# Cairn stops within this many milliseconds of SIGTERM (cairn(1), SIGNALS).
STOP_LIMIT_MS=2000

skip() {
	echo "skipped: docker test: $*"
	exit 0
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

[ "${CAIRN_SKIP_DOCKER:-0}" = 1 ] && skip "CAIRN_SKIP_DOCKER=1"
[ "$(id -u)" -eq 0 ] || skip "needs root to run dockerd"
for tool in dockerd debootstrap docker-compose curl openssl; do
	command -v "$tool" >/dev/null ||
		skip "$tool is not installed (sh scripts/install-deps.sh docker)"
done
# The client that comes with this dockerd, so that their API versions match.
docker=$(dirname "$(command -v dockerd)")/docker
[ -x "$docker" ] || docker=docker
export DOCKER="$docker"

started=$(date +%s)
tmp=$(mktemp -d /tmp/cairn-docker-test.XXXXXX)
export DOCKER_HOST="unix://$tmp/docker.sock"
dockerd_pid=

cleanup() {
	status=$?
	if [ -n "$dockerd_pid" ]; then
		"$docker" rm -f "$name" >/dev/null 2>&1 || true
		kill "$dockerd_pid" 2>/dev/null || true
		i=0
		while kill -0 "$dockerd_pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		if kill -0 "$dockerd_pid" 2>/dev/null; then
			echo "dockerd $dockerd_pid did not stop; killing it" >&2
			kill -9 "$dockerd_pid" 2>/dev/null || true
		fi
	fi
	# Mounts dockerd left behind would make rm -rf reach into them.
	awk -v d="$tmp/" 'index($2, d) == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m; do umount -l "$m" || true; done
	rm -rf "$tmp"
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs the Docker client that matches this dockerd, on the test's socket.
dk() {
	"$docker" "$@"
}

# An empty daemon.json of its own keeps the host's /etc/docker settings
# (a TCP listener, a bridge) out of this daemon.
start_dockerd() {
	echo '{}' >"$tmp/daemon.json"
	dockerd --config-file "$tmp/daemon.json" -H "$DOCKER_HOST" \
		--data-root "$tmp/root" \
		--exec-root "$tmp/exec" --pidfile "$tmp/dockerd.pid" \
		--bridge=none --iptables=false --ip-masq=false \
		--containerd-namespace cairn-test \
		--containerd-plugins-namespace cairn-test-plugins \
		>"$tmp/dockerd.log" 2>&1 &
	dockerd_pid=$!
	i=0
	while ! dk version >/dev/null 2>&1; do
		if ! kill -0 "$dockerd_pid" 2>/dev/null; then
			wait "$dockerd_pid" || true
			dockerd_pid=
			echo "dockerd log:"
			tail -n 20 "$tmp/dockerd.log"
			skip "dockerd could not start on this machine;" \
				"its last log line: $(tail -n 1 "$tmp/dockerd.log")"
		fi
		if [ $i -ge $((DOCKERD_TIMEOUT * 5)) ]; then
			tail -n 20 "$tmp/dockerd.log" >&2
			fail "dockerd did not respond on $DOCKER_HOST in" \
				"${DOCKERD_TIMEOUT}s; the end of its log is above"
		fi
		sleep 0.2
		i=$((i + 1))
	done
	pass "dockerd $dockerd_pid answers on $DOCKER_HOST"
}

free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Starts a Cairn container on volume $1, serving on 127.0.0.1:$port, with
# any further arguments as options of docker run.
run_cairn() {
	vol=$1
	shift
	dk run -d --name "$name" --network host \
		-v "$vol:/var/lib/cairn" \
		-e CAIRN_LISTEN="127.0.0.1:$port" \
		--health-interval=1s --health-start-period=30s \
		--health-timeout=5s --health-retries=3 \
		"$@" "$image" >/dev/null
}

# Waits until GET $1 with key $2 returns a status other than 000 (no
# connection); fails, with the container's log, when the container exits.
wait_http() {
	i=0
	while :; do
		code=$(curl -sk -o /dev/null -w '%{http_code}' \
			-H "Authorization: $2" -H 'Accept: application/json' \
			"$1" || true)
		[ "$code" != 000 ] && return 0
		if [ "$(dk inspect -f '{{.State.Running}}' "$name")" != true ]; then
			dk logs "$name" >&2 || true
			fail "container $name exited before serving $1"
		fi
		[ $i -lt $((START_TIMEOUT * 5)) ] ||
			fail "no response from $1 in ${START_TIMEOUT}s"
		sleep 0.2
		i=$((i + 1))
	done
}

# Prints the HTTP status of a request to $scheme://127.0.0.1:$port, and
# leaves the body in $tmp/body: api_status METHOD PATH KEY [BODY].
scheme=http
api_status() {
	curl -sk -o "$tmp/body" -w '%{http_code}' -X "$1" \
		-H "Authorization: $3" -H 'Accept: application/json' \
		-H 'Content-Type: application/json' \
		${4:+--data "$4"} "$scheme://127.0.0.1:$port$2"
}

# Prints the admin key on the line after the first start's banner in the
# container's log, or nothing.
admin_key() {
	dk logs "$name" 2>/dev/null |
		awk 'found { print; exit }
		     /^admin API key \(shown once, keep it safe\):$/ { found = 1 }'
}

wait_healthy() {
	i=0
	while :; do
		health=$(dk inspect -f '{{.State.Health.Status}}' "$name")
		[ "$health" = healthy ] && return 0
		[ $i -lt $((HEALTH_TIMEOUT * 5)) ] ||
			fail "container health is '$health' after" \
				"${HEALTH_TIMEOUT}s, expected 'healthy'"
		sleep 0.2
		i=$((i + 1))
	done
}

# Milliseconds since the epoch, for a date(1)-readable time or now.
ms() {
	date -d "${1:-now}" +%s%3N
}

# docker-compose reads cairn.env beside the compose file, so both go into
# a scratch folder with the example settings.  CAIRN_PUBLISH moves the
# published port, as the guide's reverse-proxy setup does.
mkdir "$tmp/compose"
cp "$repo/docker-compose.yml" "$tmp/compose/docker-compose.yml"
cp "$repo/cairn.env.example" "$tmp/compose/cairn.env"
compose_version=$(docker-compose version --short)
compose_config() {
	docker-compose -f "$tmp/compose/docker-compose.yml" config ||
		fail "docker-compose $compose_version rejects docker-compose.yml"
}
compose_config >"$tmp/compose/default.yml"
grep -q 'published: 8080' "$tmp/compose/default.yml" ||
	fail "docker-compose.yml does not publish port 8080 by default"
CAIRN_PUBLISH=127.0.0.1:8080 compose_config >"$tmp/compose/local.yml"
grep -q '127.0.0.1:8080:8080' "$tmp/compose/local.yml" ||
	fail "CAIRN_PUBLISH=127.0.0.1:8080 does not bind the port to 127.0.0.1"
pass "docker-compose $compose_version accepts docker-compose.yml"

start_dockerd

sh "$repo/tests/docker/base-image.sh" "$tmp" "$base"
pass "base image $base built with debootstrap"

dk build --network host -t "$image" "$repo" >"$tmp/build.log" 2>&1 || {
	tail -n 30 "$tmp/build.log" >&2
	fail "docker build failed; the end of its log is above"
}
size=$(dk image inspect -f '{{.Size}}' "$image")
pass "image $image built: $((size / 1000000)) MB ($size bytes)"

# The image's configuration, as the README and docker-compose.yml use it.
cfg() {
	dk image inspect -f "$1" "$image"
}
[ "$(cfg '{{.Config.User}}')" = cairn ] ||
	fail "image user is '$(cfg '{{.Config.User}}')', expected 'cairn'"
[ "$(cfg '{{json .Config.Cmd}}')" = '["cairn","serve","--init"]' ] ||
	fail "image command is $(cfg '{{json .Config.Cmd}}')," \
		'expected ["cairn","serve","--init"]'
[ "$(cfg '{{json .Config.Healthcheck.Test}}')" = '["CMD","cairn","health"]' ] ||
	fail "healthcheck is $(cfg '{{json .Config.Healthcheck.Test}}')," \
		'expected ["CMD","cairn","health"]'
[ "$(cfg '{{json .Config.Volumes}}')" = '{"/var/lib/cairn":{}}' ] ||
	fail "volumes are $(cfg '{{json .Config.Volumes}}')," \
		'expected {"/var/lib/cairn":{}}'
[ "$(cfg '{{json .Config.ExposedPorts}}')" = '{"8080/tcp":{}}' ] ||
	fail "exposed ports are $(cfg '{{json .Config.ExposedPorts}}')," \
		'expected {"8080/tcp":{}}'
for env in CAIRN_DATA=/var/lib/cairn CAIRN_LISTEN=0.0.0.0:8080; do
	cfg '{{range .Config.Env}}{{println .}}{{end}}' | grep -qx "$env" ||
		fail "image environment lacks $env"
done
pass "image config: user, command, healthcheck, volume, port, environment"

uid=$(dk run --rm --network host "$image" id -u)
[ "$uid" != 0 ] || fail "the container runs as root"
missing=$(dk run --rm --network host "$image" ldd /usr/local/bin/cairn |
	grep 'not found' || true)
[ -z "$missing" ] || fail "libraries missing in the image: $missing"
for tool in cc make curl; do
	if dk run --rm --network host "$image" sh -c "command -v $tool" \
		>/dev/null; then
		fail "the runtime image contains $tool"
	fi
done
pass "runs as uid $uid, every library present, no cc, make or curl"

# First start: initialises the volume and prints the admin key once.
port=$(free_port)
dk volume create "$volume" >/dev/null
run_cairn "$volume"
wait_http "http://127.0.0.1:$port/servers/getVersion" none
key=$(admin_key)
echo "$key" | grep -Eqx '[A-Za-z0-9]{40}' ||
	fail "no 40-character admin key after the banner in the first log:" \
		"$(dk logs "$name" 2>&1 | tail -n 5)"
status=$(api_status GET /users/view/me "$key")
[ "$status" = 200 ] ||
	fail "GET /users/view/me with the printed key returned $status"
grep -q '"admin@admin.test"' "$tmp/body" ||
	fail "/users/view/me is not the admin user: $(cat "$tmp/body")"
status=$(api_status GET /users/view/me "$(echo "$key" | tr 'A-Za-z' 'N-ZA-Mn-za-m')")
[ "$status" = 403 ] || fail "GET /users/view/me with a wrong key returned $status"
pass "the admin key printed by the first start authenticates"

status=$(api_status GET /health none)
[ "$status" = 200 ] || fail "GET /health without a key returned $status"
grep -q '"status": *"ok"' "$tmp/body" ||
	fail "/health body lacks \"status\": \"ok\": $(cat "$tmp/body")"
dk exec "$name" cairn health ||
	fail "cairn health inside the container exited $?"
wait_healthy
pass "/health returns ok, cairn health exits 0, the container is healthy"

status=$(api_status POST /events/add "$key" \
	'{"Event": {"info": "container restart test", "distribution": "0",
	  "threat_level_id": "4", "analysis": "0",
	  "Attribute": [{"type": "ip-dst", "category": "Network activity",
			 "value": "198.51.100.7"}]}}')
[ "$status" = 200 ] || fail "POST /events/add returned $status: $(cat "$tmp/body")"
uuid=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["Event"]["uuid"])' "$tmp/body" || true)
[ -n "$uuid" ] || fail "no event uuid in the add response: $(cat "$tmp/body")"
pass "event $uuid added over HTTP"

# SIGTERM: the time from the signal to the container's exit, as dockerd
# recorded it.
before=$(ms)
dk kill --signal TERM "$name" >/dev/null
code=$(dk wait "$name")
finished=$(ms "$(dk inspect -f '{{.State.FinishedAt}}' "$name")")
elapsed=$((finished - before))
[ "$code" = 0 ] || fail "after SIGTERM the container exited with $code, expected 0"
[ "$elapsed" -le "$STOP_LIMIT_MS" ] ||
	fail "after SIGTERM the container took ${elapsed} ms to exit," \
		"more than the ${STOP_LIMIT_MS} ms allowed"
pass "SIGTERM stopped the container in ${elapsed} ms, exit status 0"

# A new container on the same volume: the event is there, the first key
# still works, and no second key is printed.
dk rm "$name" >/dev/null
run_cairn "$volume"
wait_http "http://127.0.0.1:$port/servers/getVersion" "$key"
status=$(api_status GET "/events/view/$uuid" "$key")
[ "$status" = 200 ] ||
	fail "GET /events/view/$uuid after the restart returned $status"
grep -q '"container restart test"' "$tmp/body" ||
	fail "the event read after the restart is not the one added:" \
		"$(head -c 300 "$tmp/body")"
grep -q '"198.51.100.7"' "$tmp/body" ||
	fail "the event read after the restart lacks its attribute"
[ -z "$(admin_key)" ] || fail "the second start printed a new admin key"
pass "the event survives a new container on the same volume"

# Backup and restore as docs/deploy-ubuntu-vm.md does them: a backup
# written inside the running container and copied out, then restored
# into the stopped volume from a second container.  An event added after
# the backup must be gone afterwards, and the first one still there.
dk exec "$name" cairn backup --data /var/lib/cairn /tmp/cairn.db ||
	fail "cairn backup inside the running container failed"
mkdir "$tmp/backups"
dk cp "$name:/tmp/cairn.db" "$tmp/backups/cairn.db" ||
	fail "docker cp of the backup out of the container failed"
[ "$(head -c 15 "$tmp/backups/cairn.db")" = "SQLite format 3" ] ||
	fail "the backup copied out is not an SQLite database"
chmod 0644 "$tmp/backups/cairn.db"
status=$(api_status POST /events/add "$key" \
	'{"Event": {"info": "added after the backup"}}')
[ "$status" = 200 ] || fail "POST /events/add after the backup returned $status"
later=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["Event"]["uuid"])' "$tmp/body" || true)
[ -n "$later" ] || fail "no event uuid in the add response: $(cat "$tmp/body")"
dk stop "$name" >/dev/null
dk run --rm --network host -v "$volume:/var/lib/cairn" \
	-v "$tmp/backups:/backups:ro" "$image" \
	cairn restore --data /var/lib/cairn /backups/cairn.db ||
	fail "cairn restore into the stopped volume failed"
dk start "$name" >/dev/null
wait_http "http://127.0.0.1:$port/servers/getVersion" "$key"
status=$(api_status GET "/events/view/$uuid" "$key")
[ "$status" = 200 ] ||
	fail "GET /events/view/$uuid after the restore returned $status"
status=$(api_status GET "/events/view/$later" "$key")
[ "$status" = 404 ] ||
	fail "the event added after the backup returned $status after the" \
		"restore, expected 404"
pass "backup in the running container, restore into the stopped volume"

# A fresh volume with the admin key and built-in TLS from the environment,
# as docker-compose.yml's cairn.env sets them: the given key works, none
# is printed, and the healthcheck reaches the server over HTTPS.
dk rm -f "$name" >/dev/null
mkdir "$tmp/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" 2>/dev/null
chmod 0644 "$tmp/tls/key.pem" "$tmp/tls/cert.pem"
given_key=$(head -c 300 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 40)
[ ${#given_key} -eq 40 ] || fail "could not make a 40-character test key"
run_cairn cairn-test-tls -v "$tmp/tls:/etc/cairn/tls:ro" \
	-e CAIRN_ADMIN_KEY="$given_key" \
	-e CAIRN_TLS_CERT=/etc/cairn/tls/cert.pem \
	-e CAIRN_TLS_KEY=/etc/cairn/tls/key.pem
scheme=https
wait_http "https://127.0.0.1:$port/health" none
status=$(api_status GET /users/view/me "$given_key")
[ "$status" = 200 ] ||
	fail "GET /users/view/me over HTTPS with CAIRN_ADMIN_KEY returned $status"
[ -z "$(admin_key)" ] ||
	fail "a start with CAIRN_ADMIN_KEY set printed a generated key"
wait_healthy
pass "CAIRN_ADMIN_KEY authenticates over built-in TLS; the container is healthy"

echo "docker test passed in $(($(date +%s) - started)) s"
