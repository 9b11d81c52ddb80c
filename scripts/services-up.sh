#!/usr/bin/env bash
# Starts local Postgres, Redis and RabbitMQ when they are down (Debian packages), and waits
# until each answers. Idempotent: does nothing to a service that is already up.
set -euo pipefail

wait_for() {  # name, command, seconds
  local name=$1 check=$2 limit=${3:-60} i
  for ((i = 0; i < limit * 4; i++)); do
    if eval "$check" >/dev/null 2>&1; then echo "$name: up"; return 0; fi
    sleep 0.25
  done
  echo "$name: did not come up within ${limit}s" >&2
  return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "postgres: starting"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
fi
wait_for postgres "pg_isready -h 127.0.0.1 -p 5432 -q" 60

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "redis: starting"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for redis "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG" 30

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "rabbitmq: starting"
  rabbitmq-server -detached
fi
wait_for rabbitmq "rabbitmqctl -q await_startup" 120
