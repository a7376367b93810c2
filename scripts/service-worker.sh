#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): writes sw.js, the page's service worker (web/sw.js), into the build, with
#   VERSION  the first 16 hex digits of a SHA-256 over every file of the build (path and content) and web/sw.js,
#            so any change to the app gives a new cache and an update notice, and an unchanged build the same;
#   FILES    the paths of the build's files relative to the folder, which it caches.
set -euo pipefail
staging=${TRUNK_STAGING_DIR:?run me as a trunk post_build hook (TRUNK_STAGING_DIR is not set)}
template="$(cd "${TRUNK_SOURCE_DIR:-.}" && pwd)/web/sw.js"

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

cd "$staging"
rm -f sw.js
files=()
while IFS= read -r file; do files+=("$file"); done < <(find . -type f ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort)
version=$({ sha256 "${files[@]}"; sha256 < "$template"; } | sha256 | cut -c1-16)

list=$(printf '"%s", ' "${files[@]}")
{
  printf '// Written by scripts/service-worker.sh at build time.\n'
  printf 'const VERSION = "%s";\n' "$version"
  printf 'const FILES = [%s];\n\n' "${list%, }"
  cat "$template"
} > sw.js
echo "service worker: sw.js, version $version, ${#files[@]} files cached"
