#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL on the same machine, to exercise read routing.
#
#   bash deploy/replica-demo.sh up     # create cluster "replica" on port 5433 streaming from 5432
#   bash deploy/replica-demo.sh status
#   bash deploy/replica-demo.sh down   # stop and drop it, and remove the replication line from pg_hba
#
# Needs root (Debian's pg_createcluster / pg_ctlcluster) and a primary on 127.0.0.1:5432 with
# trust auth. In production the replica is another machine; the steps are the same.
set -euo pipefail

VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -n1)}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
PORT="${REPLICA_PORT:-5433}"
NAME="${REPLICA_CLUSTER:-replica}"
DATA="/var/lib/postgresql/${VERSION}/${NAME}"
HBA="/etc/postgresql/${VERSION}/main/pg_hba.conf"

up() {
  # The primary must accept replication connections from this machine.
  if ! grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32' "$HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >> "$HBA"
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload
  fi
  if pg_lsclusters -h | awk '{print $2}' | grep -qx "$NAME"; then
    echo "cluster $NAME exists"; status; return
  fi
  pg_createcluster "$VERSION" "$NAME" --port "$PORT" >/dev/null
  echo "listen_addresses = '127.0.0.1'" > "/etc/postgresql/${VERSION}/${NAME}/conf.d/90-replica.conf"
  echo "hot_standby = on" >> "/etc/postgresql/${VERSION}/${NAME}/conf.d/90-replica.conf"
  cp "$HBA" "/etc/postgresql/${VERSION}/${NAME}/pg_hba.conf"
  rm -rf "$DATA" && install -d -o postgres -g postgres -m 700 "$DATA"
  # A base backup of the primary, with standby.signal and primary_conninfo written by -R.
  su postgres -c "pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D $DATA -R -X stream -c fast"
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
  status
}

status() {
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc \
    "SELECT 'replica on port $PORT, in recovery: ' || pg_is_in_recovery()"
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc \
    "SELECT 'primary sees standby: ' || application_name || ' ' || state FROM pg_stat_replication"
}

down() {
  if pg_lsclusters -h | awk '{print $2}' | grep -qx "$NAME"; then
    pg_dropcluster --stop "$VERSION" "$NAME"
    echo "dropped cluster $NAME"
  fi
  # Take back the replication line `up` added to the primary.
  if grep -qE '^host replication all 127\.0\.0\.1/32 trust$' "$HBA"; then
    sed -i '/^host replication all 127\.0\.0\.1\/32 trust$/d' "$HBA"
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload
  fi
}

"${1:-up}"
