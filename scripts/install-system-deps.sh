#!/usr/bin/env bash
# Installs the system packages headerguard needs, from Debian's registry, when they are missing:
#   chromium + chromium-driver  the embedded farm's browser and its driver (/usr/bin/chromium, /usr/bin/chromedriver)
#   a Java runtime              Allure 2's report generator (allure-commandline) runs on it
#   postgresql                  initdb/pg_ctl: the store tests start a throw-away PostgreSQL cluster of their own
#                               (nothing uses Debian's postgresql service)
#   squid                       a real third-party gateway for the end-to-end tests (test/support/squid.ts starts
#                               its own instances; nothing uses Debian's squid service)
# Idempotent and quick when everything is present. Nothing here downloads a browser build of its own.
#
# One line per step. apt-get's own output goes to a log file (HEADERGUARD_APT_LOG, default a temporary file)
# and is printed only when a step fails. --quiet prints nothing when everything is already present.
set -euo pipefail
quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1

# The same overrides src/shared/chromium.ts honours (a browser and driver of the user's own need no install).
missing=()
[[ -x ${HEADERGUARD_CHROMIUM:-/usr/bin/chromium} ]] || missing+=(chromium)
[[ -x ${CHROMEDRIVER_PATH:-/usr/bin/chromedriver} ]] || missing+=(chromium-driver)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
# HEADERGUARD_PG_BIN: a folder with initdb and pg_ctl of the user's own (scripts/postgres-cluster.ts, used by the tests and benches, honours it too).
if [[ -n ${HEADERGUARD_PG_BIN:-} ]]; then
  [[ -x $HEADERGUARD_PG_BIN/initdb ]] || missing+=(postgresql)
else
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
fi
# HEADERGUARD_SQUID: a squid binary of the user's own (test/support/squid.ts honours it too).
[[ -x ${HEADERGUARD_SQUID:-/usr/sbin/squid} ]] || missing+=(squid)

if [[ ${#missing[@]} -eq 0 ]]; then
  [[ $quiet -eq 1 ]] || echo "system packages: all present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "headerguard: missing system packages (${missing[*]}); run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
log=${HEADERGUARD_APT_LOG:-$(mktemp "${TMPDIR:-/tmp}/headerguard-apt.XXXXXX.log")}

# step "what" command…: one line saying what and how long; the command's output only if it fails.
step() {
  local what=$1 start=$SECONDS
  shift
  printf 'system packages: %s…' "$what" >&2
  if "$@" >>"$log" 2>&1; then
    printf ' done (%ss)\n' $((SECONDS - start)) >&2
  else
    local code=$?
    printf ' FAILED (exit %s); apt-get said:\n' "$code" >&2
    tail -n 40 "$log" >&2
    echo "headerguard: installing ${missing[*]} failed; full log: $log" >&2
    exit "$code"
  fi
}

step "updating package lists" $SUDO apt-get update -q
step "installing ${missing[*]}" $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
[[ -n ${HEADERGUARD_APT_LOG:-} ]] || rm -f "$log"
