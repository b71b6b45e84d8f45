#!/usr/bin/env bash
# Stops the daemons tools/slurm/start-cluster.sh started under DIR, by their pid files only
# (slurmd, slurmctld, then munged), and waits until they are gone. Leaves DIR in place.
set -uo pipefail

dir=${1:?usage: stop-cluster.sh DIR}
for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
done
exit 0
