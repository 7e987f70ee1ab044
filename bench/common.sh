# Sourced by the bench scripts: from the repository root, builds oktascope
# into bench/out/ and sets out (the output directory) and bin (the binary).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=bench/out
mkdir -p "$out"
go build -o "$out/oktascope" ./cmd/oktascope
bin="$out/oktascope"
