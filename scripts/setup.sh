#!/usr/bin/env bash
# Sets up a fresh Debian machine for running the service and its tests:
# PostgreSQL 15 from Debian (the schema dump and its drift test use the oldest
# supported release), then the locked npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/lib/postgresql/15/bin/pg_dump ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends postgresql-15
fi

npm ci
