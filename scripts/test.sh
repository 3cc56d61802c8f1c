#!/usr/bin/env bash
# The project's test command (the README's, and what .ci/run calls): sets up what the tests need on a fresh
# machine, then runs pytest with any arguments given (e.g. `bash scripts/test.sh -m "not e2e"`).
#
# - Debian packages, installed only when missing: chromium + chromium-driver (the browser tests of `browse`, and
#   `render: js` sources, driven by scrapy-playwright from the test extra),
#   libreoffice-calc-nogui (the spreadsheet checks), postgresql, redis-server, rabbitmq-server.
# - Services on loopback, used when they already run, started when they do not: PostgreSQL (5432),
#   Redis (6379), RabbitMQ (5672).
# - The project itself with its test extras (pip install -e ".[test]").
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() {  # wait_for PORT NAME SECONDS
  for _ in $(seq "$3"); do listening "$1" && return 0; sleep 1; done
  echo "scripts/test.sh: $2 did not start on 127.0.0.1:$1" >&2; return 1
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! listening 5432; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  wait_for 5432 PostgreSQL 30
fi
if ! listening 6379; then
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for 6379 Redis 30
fi
if ! listening 5672; then
  as_root rabbitmq-server -detached
  wait_for 5672 RabbitMQ 90
fi

python -m pip install -q -e ".[test]"
exec python -m pytest "$@"
