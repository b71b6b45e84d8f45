#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine, everything under DIR (default: a new
# temporary directory): a munge key and munged (as user munge), slurm.conf with the machine's real
# CPU count and memory, then slurmctld and slurmd (as root). Needs root and the Debian packages
# slurm-wlm and munge. Prints the directory; clients find the cluster with
#   export SLURM_CONF=DIR/slurm.conf
# tools/slurm/stop-cluster.sh DIR stops the daemons again (by their pid files).
set -euo pipefail

fail() { echo "start-cluster: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (the daemons run as root and munge)"
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || fail "$tool not found (apt-get install slurm-wlm munge)"
done
id munge >/dev/null 2>&1 || fail "no user munge (apt-get install munge)"

dir=${1:-$(mktemp -d /tmp/dymu-slurm.XXXXXX)}
mkdir -p "$dir"/munge "$dir"/state "$dir"/spool "$dir"/log
dir=$(cd "$dir" && pwd)
chmod 755 "$dir"
chown munge:munge "$dir"/munge
runuser -u munge -- test -x "$dir/munge" || fail "user munge cannot reach $dir (its parent directories must be searchable by others)"
chmod 755 "$dir"/munge  # munged wants its socket directory searchable by all

# munge: a fresh key, readable by munge only; the daemon runs as munge.
runuser -u munge -- sh -c "umask 077; dd if=/dev/urandom of='$dir/munge/munge.key' bs=1024 count=1 status=none"
runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

host=$(hostname -s)
cpus=$(nproc --all)
memory=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 ))
ctld_port=${SLURMCTLD_PORT:-6817}
slurmd_port=${SLURMD_PORT:-6818}
cat >"$dir/slurm.conf" <<EOF
# Written by tools/slurm/start-cluster.sh: a single-node test cluster.
ClusterName=dymu-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"

# Up when the node is idle (a few seconds).
for _ in $(seq 1 60); do
  if [ "$(sinfo -h -n "$host" -o %t 2>/dev/null)" = idle ]; then
    echo "$dir"
    exit 0
  fi
  sleep 0.5
done
echo "start-cluster: the node did not come up; logs in $dir/log and $dir/munge" >&2
"$(dirname "$0")/stop-cluster.sh" "$dir" >&2 || true
exit 1
