#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, M failed".
# Usage: bash scripts/test.sh            (from anywhere; extra arguments go to `dotnet test`)
# It needs the .NET SDK; the tests use SQLite files in the temp folder and start their own child processes. The
# dashboard's browser tests drive Debian's Chromium (/usr/bin/chromium), and the PostgreSQL tests start a throwaway
# cluster with Debian's PostgreSQL server programs (/usr/lib/postgresql/*/bin) unless GRIDQUEUE_TEST_POSTGRES names a
# server; both are installed here with apt-get when missing.
set -uo pipefail
cd "$(dirname "$0")/.."

# apt_install <package> <what it is for>: as root, or through sudo without a password.
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! sudo -n true 2>/dev/null; then
      echo "$1 is missing and this user cannot install it: run 'apt-get install $1' as root first."
      return 1
    fi
    sudo=(sudo -n)
  fi
  echo "Installing $1 for $2 (apt-get install $1)..."
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "$1" >/dev/null
}

if [ ! -x /usr/bin/chromium ] && ! apt_install chromium "the browser tests"; then
  echo "0 passed, 1 failed"
  exit 1
fi

if [ -z "${GRIDQUEUE_TEST_POSTGRES:-}" ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
  && ! apt_install postgresql "the PostgreSQL tests"; then
  echo "0 passed, 1 failed"
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=.test-results
rm -rf "$results"

if ! dotnet build GridQueue.slnx -c Release -warnaserror -nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# The command-line tool's tests press Ctrl+C (SIGINT) on it. A shell that starts this script in the background
# without job control makes it ignore SIGINT, and every child inherits that; start the tests with it reset, so the
# tool meets Ctrl+C as a user's would.
reset_signals=()
if env --default-signal=INT true 2>/dev/null; then
  reset_signals=(env --default-signal=INT,QUIT)
fi

"${reset_signals[@]}" dotnet test GridQueue.slnx -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "${#trx_files[@]}" -eq 0 ] || [ "$passed" -eq 0 ]; then
  echo "no test results were written"
  failed=$((failed + 1))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failing test (a crashed test host, say): count it as a failure.
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
