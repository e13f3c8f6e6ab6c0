#!/usr/bin/env bash
# Start a PostgreSQL server for the web/access tests (state store in production mode).
# For a fresh Debian machine, run as root; safe to run again.
# After it, run the tests with:
#   export BALIZA_TEST_POSTGRES_URL=postgresql://baliza:baliza@127.0.0.1:5432/baliza_test
# (tests/test_state_postgres.py also tries that address by default and skips when nothing answers).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_lsclusters >/dev/null 2>&1 || ! dpkg -s postgresql >/dev/null 2>&1; then
  apt-get update
  apt-get install -y postgresql
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main
fi
pg_ctlcluster "$version" main start 2>/dev/null || true   # already running is fine
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
su postgres -c "psql -v ON_ERROR_STOP=1 -tAc \"SELECT 1 FROM pg_roles WHERE rolname='baliza'\"" | grep -q 1 \
  || su postgres -c "psql -v ON_ERROR_STOP=1 -c \"CREATE ROLE baliza LOGIN PASSWORD 'baliza'\""
su postgres -c "psql -v ON_ERROR_STOP=1 -tAc \"SELECT 1 FROM pg_database WHERE datname='baliza_test'\"" | grep -q 1 \
  || su postgres -c "psql -v ON_ERROR_STOP=1 -c \"CREATE DATABASE baliza_test OWNER baliza\""
echo "PostgreSQL ready: postgresql://baliza:baliza@127.0.0.1:5432/baliza_test"
