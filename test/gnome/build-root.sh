#!/bin/bash
# build-root.sh SUITE — build (or restore from cache) a Debian chroot with a real
# GNOME Shell for SUITE in {trixie (48), forky (50), sid (51)}.
#
# Cache layout (outside the repo):
#   ${HEADROOM_GNOME_CACHE:-/var/cache/headroom-gnome}/<suite>-<hash>.tar.zst   packed root
#   ${HEADROOM_GNOME_CACHE:-/var/cache/headroom-gnome}/roots/<suite>/           unpacked root
# The hash covers the suite, the mirror, the package list and the user setup, so
# changing any of them builds a new root. Prints the root path on stdout (last line).
# Set HEADROOM_GNOME_REBUILD=1 to ignore an existing tarball.
set -euo pipefail

SUITE=${1:?usage: build-root.sh trixie|forky|sid}
case "$SUITE" in trixie|forky|sid) ;; *) echo "unknown suite: $SUITE" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "build-root.sh must run as root" >&2; exit 2; }

CACHE=${HEADROOM_GNOME_CACHE:-/var/cache/headroom-gnome}
ROOTS=$CACHE/roots
ROOT=$ROOTS/$SUITE

log() { echo "[build-root $SUITE] $*" >&2; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# Same mirror as the host's apt configuration (deb822 or one-line format).
host_mirror() {
  local m
  m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$m" ]; then
    m=$(grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
          | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  echo "${HEADROOM_GNOME_MIRROR:-${m:-http://deb.debian.org/debian}}"
}
MIRROR=$(host_mirror)

# Package list (the brief's list; per-suite adjustments below).
PKGS="gnome-shell gnome-shell-extension-prefs dbus-daemon dbus-bin libgl1-mesa-dri gjs gir1.2-soup-3.0 gir1.2-secret-1 gnome-keyring libsecret-tools python3"
EXTRA_PKGS=""
case "$SUITE" in
  trixie) ;;
  forky)
    # forky has gnome-shell 50.5 but gnome-shell-extension-prefs is already the
    # 51~alpha transitional package -> gnome-extensions-app, which Breaks
    # gnome-shell (<< 51~): not co-installable. The shell tests don't need it.
    PKGS=${PKGS/gnome-shell-extension-prefs /} ;;
  sid) ;;   # prefs is a transitional package pulling gnome-extensions-app 51
esac
ALL_PKGS="$PKGS $EXTRA_PKGS"
RECIPE_VERSION=2   # bump when the build steps below change
HASH=$(printf '%s\n' "$SUITE" "$MIRROR" "$ALL_PKGS" "uid1000:tester" "$RECIPE_VERSION" | sha256sum | cut -c1-12)
TARBALL=$CACHE/$SUITE-$HASH.tar.zst
STAMP=.headroom-root   # file inside the root that records its hash

ensure_host_tools() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v zstd >/dev/null || missing+=(zstd)
  command -v unshare >/dev/null || missing+=(util-linux)
  [ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing host tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
}

# Refuse to delete a root that still has something mounted inside it.
safe_rm_root() {
  local dir=$1
  [ -e "$dir" ] || return 0
  if grep -q " $(readlink -f "$dir")/" /proc/self/mountinfo; then
    log "refusing to remove $dir: mounts still active inside it"; exit 1
  fi
  rm -rf --one-file-system "$dir"
}

if [ -f "$ROOT/$STAMP" ] && [ "$(cat "$ROOT/$STAMP")" = "$HASH" ] && [ -z "${HEADROOM_GNOME_REBUILD:-}" ]; then
  log "root up to date ($HASH)"
  echo "$ROOT"; exit 0
fi

ensure_host_tools
mkdir -p "$ROOTS"

if [ -f "$TARBALL" ] && [ -z "${HEADROOM_GNOME_REBUILD:-}" ]; then
  log "restoring $TARBALL"
  t0=$(date +%s.%N)
  safe_rm_root "$ROOT.tmp"; mkdir -p "$ROOT.tmp"
  tar --zstd -xpf "$TARBALL" -C "$ROOT.tmp" --numeric-owner
  safe_rm_root "$ROOT"; mv "$ROOT.tmp" "$ROOT"
  log "restored in $(since "$t0")s"
  echo "$ROOT"; exit 0
fi

t0=$(date +%s.%N)
NEW=$ROOT.tmp
safe_rm_root "$NEW"
# debootstrap in bookworm has no script for forky; forky/sid share the sid script.
SCRIPT=/usr/share/debootstrap/scripts/$SUITE
[ -e "$SCRIPT" ] || SCRIPT=/usr/share/debootstrap/scripts/sid
log "debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$NEW" "$MIRROR" "$SCRIPT" >"$CACHE/$SUITE-debootstrap.log" 2>&1 \
  || { tail -n 30 "$CACHE/$SUITE-debootstrap.log" >&2; exit 1; }
t1=$(date +%s.%N)
log "debootstrap done in $(since "$t0")s"

cat >"$NEW/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main
SRC
# The archive this machine reaches can serve Release files past their Valid-Until
# date (seen for forky and sid: "Release file ... is expired"); accept them.
printf 'Acquire::Check-Valid-Until "false";\n' >"$NEW/etc/apt/apt.conf.d/99headroom-no-valid-until"
# No service may start during package installation.
printf '#!/bin/sh\nexit 101\n' >"$NEW/usr/sbin/policy-rc.d"; chmod +x "$NEW/usr/sbin/policy-rc.d"

# Install inside a private mount namespace so no mount outlives this script.
# The inner script expands its own arguments; the package list must word-split.
log "apt-get install $ALL_PKGS"
# shellcheck disable=SC2016,SC2086
unshare --mount --propagation private -- /bin/sh -euc '
  R=$1; shift
  mount -t proc proc "$R/proc"
  mount --rbind /dev "$R/dev"
  mount --rbind /sys "$R/sys"
  export DEBIAN_FRONTEND=noninteractive LC_ALL=C
  chroot "$R" apt-get update -qq
  # Drop (and report) any package name this suite does not know.
  want=""
  for p in "$@"; do
    if chroot "$R" apt-cache show "$p" >/dev/null 2>&1; then want="$want $p"
    else echo "[build-root] WARNING: package $p not in this suite, skipped" >&2; fi
  done
  chroot "$R" apt-get install -y -qq --no-install-recommends $want
  chroot "$R" apt-get clean
  chroot "$R" useradd -m -u 1000 -U -s /bin/bash tester
' sh "$NEW" $ALL_PKGS >"$CACHE/$SUITE-install.log" 2>&1 \
  || { tail -n 40 "$CACHE/$SUITE-install.log" >&2; exit 1; }
grep -h WARNING "$CACHE/$SUITE-install.log" >&2 || true
t2=$(date +%s.%N)
log "install done in $(since "$t1")s"

# Leftovers from postinst (e.g. /run/systemd/seats) make the shell think logind runs.
find "$NEW/run" "$NEW/tmp" -mindepth 1 -delete 2>/dev/null || true
rm -rf "$NEW/var/lib/apt/lists/"* "$NEW/var/cache/apt/"*.bin
# shellcheck disable=SC2016
chroot "$NEW" dpkg-query -W -f '${Package} ${Version}\n' >"$NEW/.headroom-packages"
echo "$HASH" >"$NEW/$STAMP"

log "packing $TARBALL"
rm -f "$CACHE/$SUITE"-*.tar.zst.part
tar --zstd -cpf "$TARBALL.part" -C "$NEW" --numeric-owner --one-file-system .
mv "$TARBALL.part" "$TARBALL"
# Keep only the newest tarball per suite (each is ~350-410 MB).
find "$CACHE" -maxdepth 1 -name "$SUITE-*.tar.zst" ! -name "$(basename "$TARBALL")" -print -delete >&2
log "packed in $(since "$t2")s ($(du -h "$TARBALL" | cut -f1))"

safe_rm_root "$ROOT"; mv "$NEW" "$ROOT"
log "total $(since "$t0")s, root $(du -sh --one-file-system "$ROOT" | cut -f1)"
echo "$ROOT"
