#!/usr/bin/env bash
# Builds the root file system for the tests that need a newer systemd than Debian 12's 252
# (Type=notify-reload came with 253): Debian 12 from debootstrap (minbase) with systemd from
# bookworm-backports, about 350 MB.
#
# Usage (as root, from image.ts): setpriv --pdeathsig TERM unshare --mount --propagation private \
#   bash build-image.sh IMAGE_DIR
#
# Builds into IMAGE_DIR.partial and renames it to IMAGE_DIR only once complete, so IMAGE_DIR is
# either a whole image or absent; a build interrupted half-way is removed by the next one. Other
# images in IMAGE_DIR's directory (built by older versions of this script) are removed then too.
# The mirror is the one the host's apt uses for the same suite: nothing is hard-coded here.
# Runs in a private mount namespace: the /proc mounts of the chroot vanish with it whatever happens.
set -euo pipefail

image_dir=$1
readonly suite=bookworm
readonly min_version=254
partial=$image_dir.partial

log() { printf 'build-image: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# On SIGTERM (the test runner gave up or died) take the whole process group along: debootstrap and
# dpkg would otherwise go on writing the partial image. Commands run in the background so that the
# trap runs at once rather than after the current command.
trap 'trap - TERM; kill -TERM 0; exit 143' TERM
run() {
  "$@" &
  wait $!
}

command -v debootstrap >/dev/null || die "debootstrap is missing: run test/systemd/prepare-host.sh"

mkdir -p "$(dirname "$image_dir")"
# One build at a time: a second test run waits here and then finds the image built.
exec 9>"$(dirname "$image_dir")/.build.lock"
run flock 9
if [[ -d $image_dir ]]; then
  exit 0
fi

# sed, not head: reading all of apt's output spares it a SIGPIPE, which pipefail would count.
mirror=$(apt-get indextargets --format '$(SITE)' "Release: $suite" 'Target-Of: deb' | sed -n 1p)
[[ -n $mirror ]] || die "the host's apt has no source for $suite: no mirror to take"
log "debootstrap $suite from $mirror into $partial"

rm -rf --one-file-system "$partial"
# dbus, as on any installed Debian (minbase has no bus): systemctl itself uses the manager's
# private socket, but a system without a bus is not what users run. No Recommends: far more than
# the tests need.
run debootstrap --variant=minbase --include=dbus "$suite" "$partial" "$mirror" >/dev/null

echo "deb $mirror $suite-backports main" >"$partial/etc/apt/sources.list.d/$suite-backports.list"
mount -t proc proc "$partial/proc"
in_image() { run chroot "$partial" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
in_image apt-get update -qq
# -t: systemd and everything it needs at a matching version (libsystemd0, libudev1) from backports.
in_image apt-get install -y -qq --no-install-recommends -t "$suite-backports" \
  systemd systemd-sysv >/dev/null
in_image apt-get clean
umount "$partial/proc"

version=$(chroot "$partial" systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
((version >= min_version)) || die "$suite-backports gave systemd ${version:-?}, not $min_version+"

for old in "$(dirname "$image_dir")"/*; do
  [[ $old == "$partial" || $old == "$image_dir" ]] || rm -rf --one-file-system "$old"
done
mv "$partial" "$image_dir"
log "systemd $version in $image_dir"
