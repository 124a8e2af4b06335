# dlref: every task a reader or CI needs, from a fresh clone.
# `make serve` and `make test` create the environment themselves; nothing needs installing by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.dlref-installed
KATEX  := docs/assets/vendor/katex/katex.min.js
# Same sources, same site: fixed dates and hash seeds for every build.
export SOURCE_DATE_EPOCH ?= 1767225600
export PYTHONHASHSEED    ?= 0
export NO_MKDOCS_2_WARNING = 1
export MPLBACKEND = svg
# One intra-op thread per process: the tests run one process per core (pytest-xdist), and pages
# compute the same numbers at build and test time. `make bench` sets its own thread count.
export OMP_NUM_THREADS ?= 1

.PHONY: help env serve site test test-unit test-docs build-strict test-site offline report \
	browser-deps lint format bench lock clean

help:
	@echo "make serve   建好环境、构建并在 http://127.0.0.1:8000 预览站点"
	@echo "make test    建好环境并运行全部测试（单元测试、页面代码块、docstring 示例、严格构建）"
	@echo "make site    构建静态站点到 site/"
	@echo "make offline 构建可离线打开的站点副本 site-offline/，并打包为 site-offline.zip"
	@echo "make report  构建耗时、页数、图数、首次访问字节数（tools/site_report.py）"
	@echo "make browser-deps  安装浏览器测试用的 Debian chromium 与中文字体（需要 root 或 sudo）"
	@echo "make lint    ruff 检查与格式检查 + mypy --strict"
	@echo "make bench   dlref 与 PyTorch 的前向+反向耗时对比，写入 bench/results.json"
	@echo "make clean   删除 .venv、site/ 与生成的资源"

# ---- environment ---------------------------------------------------------------------------
# One stamp file: re-running a target on a ready environment installs nothing.
$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11（python3.11 或 python3）"; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "dlref 需要 Python 3.11，当前是 " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[docs,test]"
	touch $@

# KaTeX comes from the npm registry (pinned in package-lock.json) and is copied into the site:
# no page ever loads it from a CDN.
$(KATEX): package.json package-lock.json tools/vendor_assets.py | $(STAMP)
	@command -v npm >/dev/null || { echo "需要 npm（Node.js）来安装 KaTeX：apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/vendor_assets.py
	touch $@

env: $(STAMP) $(KATEX)

# ---- site ----------------------------------------------------------------------------------
serve: env
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

site: env
	$(BIN)/mkdocs build --strict --site-dir site

build-strict: env
	@start=$$(date +%s); $(BIN)/mkdocs build --strict --site-dir site; \
	  echo "site/ built in $$(( $$(date +%s) - start )) s"

# A copy that works opened from a folder (file://): material's offline plugin, switched on by
# DLREF_OFFLINE, with the vendored iframe-worker shim; packed into one reproducible zip.
offline: env
	DLREF_OFFLINE=true $(BIN)/mkdocs build --strict --site-dir site-offline
	$(BIN)/python tools/pack_offline.py site-offline site-offline.zip

# Build time (cold and warm), pages, figures, first-visit weight; numbers also in test-artifacts/.
report: build-strict
	$(BIN)/python tools/site_report.py --time-builds --json test-artifacts/site-report.json

# Debian's Chromium (browser tests) and a CJK font (screenshots show Chinese, not boxes).
browser-deps:
	$(SUDO) apt-get update -qq
	pkgs=fonts-noto-cjk; command -v chromium >/dev/null || command -v google-chrome >/dev/null \
	  || pkgs="chromium $$pkgs"; \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# ---- tests ---------------------------------------------------------------------------------
# Unit tests, every Python block in docs/, every docstring example (sybil); then one strict build
# and one offline build, which the built-site tests (tests/site: links, third-party resources,
# formulas, figures, reproducibility, and the browser tests) check; then lint.
test: env
	$(BIN)/python -m pytest -n auto --dist loadfile -q --ignore=tests/site
	$(MAKE) --no-print-directory build-strict
	$(MAKE) --no-print-directory offline
	$(MAKE) --no-print-directory test-site
	$(MAKE) --no-print-directory lint

# The built-site tests against site/ and site-offline/ as they are (no rebuild, except the
# reproducibility test's second build). Browser tests skip with a message without Chromium.
test-site: env
	DLREF_SITE_DIR=site DLREF_OFFLINE_SITE_DIR=site-offline $(BIN)/python -m pytest -q -rs tests/site

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: env
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Time dlref against PyTorch (forward + backward, CPU, float32, 1 thread); writes bench/results.json,
# which the performance page renders. Not part of `make test`: timings never gate the tests.
bench: env
	$(BIN)/python bench/run.py --threads 1

# Re-pin every Python dependency after editing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet "torch==2.13.0" -e ".[docs,test]"
	{ echo "# Exact versions of every Python dependency, installed with \`pip install -c constraints.txt\`."; \
	  echo "# Regenerate with \`make lock\` after changing pyproject.toml."; \
	  .lock-venv/bin/pip freeze --exclude-editable | sed 's/+cpu$$//'; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) site site-offline site-offline.zip test-artifacts node_modules docs/assets/vendor \
	  .pytest_cache .mypy_cache .ruff_cache
