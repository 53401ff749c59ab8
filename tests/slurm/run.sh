#!/usr/bin/env bash
# A real single-node Slurm on this machine: installs slurmctld, slurmd and
# munge from the distribution's packages if missing, starts them with a
# throwaway configuration, submits a job array of 8 shards and a merge job
# that depends on it (afterok), waits, and checks that the merged folder is
# byte-identical to a single run. Not part of the normal test suite (it
# needs root and starts daemons); run it by hand:
#
#   bash tests/slurm/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge
fi
cargo build --release --quiet
VIRALSIM=$ROOT/target/release/viralsim
SCENARIO=$ROOT/tests/golden/campaign.toml

WORK=$(mktemp -d)
STATE=$WORK/slurm
mkdir -p "$STATE"/{ctld,d,log} "$WORK/munge"
HOST=$(hostname -s)
CPUS=$(nproc)
cleanup() {
  [ -f "$STATE/slurmd.pid" ] && kill "$(cat "$STATE/slurmd.pid")" 2>/dev/null || true
  [ -f "$STATE/slurmctld.pid" ] && kill "$(cat "$STATE/slurmctld.pid")" 2>/dev/null || true
  [ -f "$WORK/munge/munged.pid" ] && kill "$(cat "$WORK/munge/munged.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT

# munge with its own key, socket and pid file.
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
munged --force --key-file="$WORK/munge/munge.key" \
  --socket="$WORK/munge/munge.socket" --pid-file="$WORK/munge/munged.pid" \
  --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munge.seed"

export SLURM_CONF=$STATE/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=viralsim
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName=$HOST CPUs=$CPUS State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld
slurmd
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -qE '^idle' && break
  sleep 1
done
sinfo

cd "$WORK"
"$VIRALSIM" run "$SCENARIO" --out whole -q
N=8
# The README's recipe: a job array of N shards, then the merge.
ARRAY=$(sbatch --parsable --array=0-$((N - 1)) --cpus-per-task=1 -o 'shard-%a.log' \
  --wrap "$VIRALSIM run $SCENARIO --shard \$SLURM_ARRAY_TASK_ID/$N --out parts -q --threads 1")
MERGE=$(sbatch --parsable --dependency=afterok:$ARRAY -o merge.log \
  --wrap "$VIRALSIM merge merged parts -q")
echo "submitted array job $ARRAY ($N shards) and merge job $MERGE"
for _ in $(seq 600); do
  squeue -h -j "$ARRAY,$MERGE" 2>/dev/null | grep -q . || break
  sleep 1
done
echo "parts:"; ls parts
cat merge.log shard-*.log
status=0
for f in summary.json trials.csv timeseries.csv reach_over_time.png cascade_size_ccdf.png funnel.png segments.png roles.png; do
  if cmp -s "whole/$f" "merged/$f"; then echo "identical: $f"; else echo "DIFFERENT: $f"; status=1; fi
done
[ "$status" = 0 ] && echo "slurm: $N shards merged byte-identical to one run" || echo "slurm: FAILED"
exit $status
