#!/usr/bin/env bash
# Regenerates the committed TorchScript fixtures (operators/src/test/resources/torchscript/) with
# PyTorch itself: Debian's python3-torch, installed here with apt when it is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../resources/torchscript"
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing Debian's python3-torch ..." >&2
  ${SUDO:-$( [ "$(id -u)" -eq 0 ] || echo sudo )} apt-get install -y python3-torch >&2
fi
/usr/bin/python3 "$here/export_tiny_dlrm.py" "$out/tiny-dlrm" --version 1 --seed 7
/usr/bin/python3 "$here/export_tiny_dlrm.py" "$out/tiny-dlrm-v2" --version 2 --seed 8
/usr/bin/python3 "$here/export_tiny_dlrm.py" "$out/two-scores" --version 1 --seed 7 --two-scores
