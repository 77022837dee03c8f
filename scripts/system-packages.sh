#!/usr/bin/env bash
# System packages the suite drives (.ci/apt-packages.txt: Debian's Chromium for browser tests).
# Benchmark tools (wrk) are not here: `make bench` installs them itself, `make run` needs none.
# Installs what is missing when it can (root with apt-get, as on the project's machines and CI);
# elsewhere it says what to install and carries on — the browser tests then name what is missing.
set -u
cd "$(dirname "$0")/.."
missing=()
while read -r package; do
  [ -n "$package" ] || continue
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done < .ci/apt-packages.txt 2>/dev/null
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Note: system packages not installed: ${missing[*]} (browser tests need Chromium;" \
       "install it or set CHROMIUM_PATH)." >&2
fi
exit 0
