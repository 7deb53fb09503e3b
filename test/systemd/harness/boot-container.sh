#!/usr/bin/env bash
# Boots systemd as PID 1 of a throwaway nspawn container and tears it down again.
#
# Usage (as root, from container.ts): setpriv --pdeathsig TERM unshare --mount --propagation private \
#   bash boot-container.sh MOUNT_DIR CGROUP_DIR LOWER_DIR REPO_DIR NODE_BINARY MACHINE_NAME [NSPAWN_OPTION...]
#
# Runs in a private mount namespace, so every mount made here disappears with the last process in
# it and none is ever seen by the host. The container's root is an overlay of LOWER_DIR (the host's
# own /, or a cached image) with its changes on a tmpfs, so LOWER_DIR itself is never written to.
# nspawn runs in CGROUP_DIR, a cgroup of its own, so whatever is left when it is gone can be found
# and killed without touching anything else. NSPAWN_OPTIONs (e.g. --private-network) are passed on.
#
# SIGTERM (sent by the harness, or by the kernel when the test runner dies: --pdeathsig) shuts the
# container down and removes every mount and cgroup made here before exiting.
set -uo pipefail

mount_dir=$1
cgroup_dir=$2
lower_dir=$3
repo_dir=$4
node_binary=$5
machine=$6
nspawn_options=("${@:7}")
# The test runner: setpriv and unshare exec'd into this shell, so it is our parent.
runner_pid=$PPID

# Seconds each shutdown step may take before the next, blunter one.
readonly graceful_timeout=20
readonly halt_timeout=10

log() { printf 'boot-container: %s\n' "$*"; }

# A zombie still answers kill -0, so look at its state.
alive() { [[ -r /proc/$1/stat ]] && [[ $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) != Z ]]; }

wait_until_dead() {
  local pid=$1 tenths=$(($2 * 10))
  while ((tenths-- > 0)) && alive "$pid"; do sleep 0.1; done
  ! alive "$pid"
}

cgroup_populated() { grep -qx 'populated 1' "$cgroup_dir/cgroup.events" 2>/dev/null; }

container_pid1() { head -n 1 "$cgroup_dir/payload/init.scope/cgroup.procs" 2>/dev/null; }

kill_cgroup() {
  if [[ -w $cgroup_dir/cgroup.kill ]]; then
    echo 1 >"$cgroup_dir/cgroup.kill"
  else
    # Kernels before 5.14: one SIGKILL per process, repeated since a dying parent may still fork.
    find "$cgroup_dir" -name cgroup.procs -exec cat {} + | xargs -r kill -KILL 2>/dev/null
  fi
}

remove_cgroup() {
  [[ -d $cgroup_dir ]] || return 0
  # Deepest first: a cgroup directory can only be removed once it has no children.
  find "$cgroup_dir" -depth -type d -exec rmdir {} + 2>/dev/null
  [[ ! -d $cgroup_dir ]]
}

nspawn_pid=
stop_container() {
  if [[ -n $nspawn_pid ]] && alive "$nspawn_pid"; then
    # nspawn turns SIGTERM into a clean poweroff of the container (SIGRTMIN+3 to its PID 1).
    kill -TERM "$nspawn_pid" 2>/dev/null
    wait_until_dead "$nspawn_pid" "$graceful_timeout" || log "nspawn ignored SIGTERM"
  fi
  local pid1
  pid1=$(container_pid1)
  if [[ -n $pid1 ]] && alive "$pid1"; then
    log "container PID 1 outlived nspawn: asking it to halt"
    kill -s RTMIN+3 "$pid1" 2>/dev/null
    wait_until_dead "$pid1" "$halt_timeout" || log "container PID 1 ignored SIGRTMIN+3"
  fi
  local tries=50
  while cgroup_populated && ((tries-- > 0)); do
    kill_cgroup
    sleep 0.1
  done
  cgroup_populated && log "processes survive in $cgroup_dir"
  [[ -n $nspawn_pid ]] && wait "$nspawn_pid" 2>/dev/null
}

# Mounts made so far, innermost last; unmounted in reverse.
mounted=()
cleanup() {
  stop_container
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" || log "could not unmount ${mounted[i]}"
  done
  remove_cgroup || log "could not remove $cgroup_dir"
  # Orphaned (the test runner died): nobody will read the console log or remove the state
  # directory, so do it here; the shared parent directories go too once empty.
  if ! alive "$runner_pid"; then
    rm -rf --one-file-system "$(dirname "$mount_dir")"
    rmdir "$(dirname "$cgroup_dir")" "$(dirname "$(dirname "$mount_dir")")" 2>/dev/null
  fi
}

die() {
  log "$*"
  exit 1
}

mount_on() {
  local target=${*: -1}
  mount "$@" || die "mount $* failed"
  mounted+=("$target")
}

# Everything below removes things under these paths: refuse anything but the harness's own.
if [[ $mount_dir != /*/nestjs-systemd-test/*/mnt || $cgroup_dir != /*/nestjs-systemd-test/* ]]; then
  log "refusing paths outside the harness's directories: $mount_dir $cgroup_dir"
  exit 2
fi

terminating=0
trap 'terminating=1' TERM INT HUP
trap cleanup EXIT

# nspawn leaves state under /run, and this host's /run is no tmpfs: give it a scratch one.
mount_on -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
# overlayfs refuses an upper dir on the ext4 that also holds its lower dir; tmpfs is fine.
mount_on -t tmpfs -o mode=0755 tmpfs "$mount_dir"
mkdir "$mount_dir/upper" "$mount_dir/work" "$mount_dir/root" || die "mkdir in $mount_dir failed"
mount_on -t overlay overlay \
  -o "lowerdir=$lower_dir,upperdir=$mount_dir/upper,workdir=$mount_dir/work" "$mount_dir/root"

root=$mount_dir/root
{
  # A machine ID of its own, so the container's journal and DynamicUser= state are its own too.
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id" &&
    echo >>"$root/etc/machine-id" &&
    # Boot no further than basic.target: the host's enabled services (databases, getty, ...) stay off.
    ln -sf /lib/systemd/system/basic.target "$root/etc/systemd/system/default.target" &&
    # Periodic jobs (apt-daily, man-db, fstrim, ...) would only add load and journal noise.
    ln -sf /dev/null "$root/etc/systemd/system/timers.target"
} || die "could not prepare the container's /etc"

mkdir -p "$cgroup_dir" || die "could not create $cgroup_dir"
# Without this variable nspawn mirrors the host's hybrid cgroup layout; systemd 252 inside then
# manages a clean cgroup2 tree, as on any current distribution.
export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
(
  echo "$BASHPID" >"$cgroup_dir/cgroup.procs" || exit 1
  # --system-call-filter=bpf: nspawn's seccomp filter denies bpf() by default, and without it
  #   systemd cannot enforce IPAddressDeny= (it ignores it, saying why at debug level only) nor BPF
  #   device policies. The sample unit relies on both.
  # --register=no --keep-unit: there is no host systemd to register with or to ask for a scope.
  # The units run /usr/bin/node: bind the test runner's own node there, wherever it lives.
  exec setpriv --pdeathsig TERM -- systemd-nspawn --quiet --boot \
    --directory="$root" --machine="$machine" \
    --register=no --keep-unit --link-journal=no --console=read-only \
    --system-call-filter=bpf \
    --bind-ro="$repo_dir:/opt/nestjs-systemd" \
    --bind-ro="$node_binary:/usr/bin/node" \
    "${nspawn_options[@]}"
) &
nspawn_pid=$!

while ((!terminating)) && alive "$nspawn_pid"; do
  wait "$nspawn_pid"
done
((terminating)) || log "nspawn exited by itself"
exit 0
