#!/usr/bin/env bash
# Installs the system packages headerguard needs, from Debian's registry, when they are missing:
#   chromium + chromium-driver  the embedded farm's browser and its driver (/usr/bin/chromium, /usr/bin/chromedriver)
#   a Java runtime              Allure 2's report generator (allure-commandline) runs on it
# Idempotent and quick when everything is present. Nothing here downloads a browser build of its own.
set -euo pipefail
quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)

if [[ ${#missing[@]} -eq 0 ]]; then
  [[ $quiet -eq 1 ]] || echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "headerguard: missing system packages (${missing[*]}); run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
