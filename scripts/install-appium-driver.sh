#!/usr/bin/env bash
# Installs Appium's Chromium driver into the project's own APPIUM_HOME (.appium/, git-ignored), from the npm
# registry. It stands in for a phone on machines without one (CI): the same Appium path a real handset takes.
# Not in package.json: the driver's bundled dependencies break npm ci's lockfile check. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export APPIUM_HOME="${APPIUM_HOME:-$PWD/.appium}"
if [[ -d "$APPIUM_HOME/node_modules/appium-chromium-driver" ]]; then exit 0; fi
npx appium driver install --source=npm appium-chromium-driver@3.1.1 >&2
