#!/bin/sh
# Runs a command next to a throwaway GNOME Keyring, in a temporary HOME, on the private session bus it is started on:
#   dbus-run-session --config-file=test/gjs/session-bus.conf -- sh test/gjs/keyring-session.sh MODE COMMAND...
# MODE: unlocked (a login keyring unlocked with its password), locked (a login keyring made beforehand, started
# without its password), empty (the daemon with no login keyring at all).
set -eu
mode=$1
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export HOME="$dir/home" XDG_RUNTIME_DIR="$dir/run"
unset XDG_DATA_HOME
mkdir -m 700 "$HOME" "$XDG_RUNTIME_DIR" "$dir/setup"

start_keyring() {
  gnome-keyring-daemon --components=secrets --daemonize "$@" >/dev/null
  gdbus wait --session --timeout 10 org.freedesktop.secrets
}

case $mode in
unlocked) printf %s headroom-test | start_keyring --unlock ;;
locked)
  XDG_RUNTIME_DIR="$dir/setup" dbus-run-session --config-file="$(dirname "$0")/session-bus.conf" -- \
    sh -c 'printf %s headroom-test | gnome-keyring-daemon --components=secrets --daemonize --unlock >/dev/null &&
      gdbus wait --session --timeout 10 org.freedesktop.secrets'
  start_keyring </dev/null
  ;;
empty) start_keyring </dev/null ;;
*)
  echo "keyring-session.sh: unknown mode $mode" >&2
  exit 2
  ;;
esac
"$@"
