#!/usr/bin/env bash
# Makes a Debian 12 host (root, PID 1 not systemd) able to run `npm run test:systemd`, which boots
# systemd in systemd-nspawn containers. Idempotent: installs only what is missing. Run by .ci/run.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "prepare-host.sh: must run as root (nspawn, mounts and cgroups need it)" >&2
  exit 1
fi

missing=()
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
# debootstrap builds the image with a newer systemd (backports) for the notify-reload tests.
command -v debootstrap >/dev/null || missing+=(debootstrap)
[[ -e /usr/share/keyrings/debian-archive-keyring.gpg ]] || missing+=(debian-archive-keyring)
# nsenter drives the container; unshare and setpriv start it (private mounts, parent-death signal);
# flock keeps two runs from building the image at once.
for tool in nsenter unshare setpriv flock; do
  command -v "$tool" >/dev/null || missing+=(util-linux)
done

if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Without --no-install-recommends apt also pulls libnss-mymachines, which edits nsswitch.conf.
  # systemd-container also upgrades the host's systemd packages to its own version.
  mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

echo "prepare-host.sh: $(systemd-nspawn --version | head -n 1)"
