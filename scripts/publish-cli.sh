#!/usr/bin/env bash
# Publishes the command-line tool, gridqueue, as one self-contained executable per operating system: nothing else to
# install (no .NET runtime), nothing beside it to copy. The settings that make it so (self-contained, single file,
# trimmed) are in src/GridQueue.Cli/GridQueue.Cli.csproj, applied to a publish for a runtime identifier only.
#
# Usage: bash scripts/publish-cli.sh [-o DIR] [RID...] [-- extra dotnet publish arguments]
#   RID   runtime identifiers to build for; default: linux-x64 linux-arm64 osx-x64 osx-arm64 win-x64
#   -o    folder for the results, one subfolder per RID; default: artifacts/cli (so artifacts/cli/linux-x64/gridqueue)
# It needs the .NET SDK; the runtime for each RID comes from the package feed on the first publish for it.
set -euo pipefail

usage() {
  sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit "$1"
}

out=artifacts/cli
while getopts ":o:h" option; do
  case "$option" in
    o) out=$OPTARG ;;
    h) usage 0 ;;
    *) usage 2 ;;
  esac
done
shift $((OPTIND - 1))

rids=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  rids+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
extra=("$@")
[ ${#rids[@]} -eq 0 ] && rids=(linux-x64 linux-arm64 osx-x64 osx-arm64 win-x64)

# A relative -o is taken from where the script was started, before moving to the repository's root.
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."

for rid in "${rids[@]}"; do
  target="$out/$rid"
  rm -rf "$target"
  echo "Publishing gridqueue for $rid..."
  # -warnaserror: a trim warning (code the trimmer cannot follow) fails the publish instead of shipping a binary that
  # may break at run time.
  dotnet publish src/GridQueue.Cli/GridQueue.Cli.csproj -c Release -r "$rid" -warnaserror -nologo -v quiet \
    -o "$target" "${extra[@]}"
  echo "  $target/$(ls "$target")"
done
