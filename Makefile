# dlref: every task a reader or CI needs, from a fresh clone.
# `make serve` and `make test` create the environment themselves; nothing needs installing by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.dlref-installed
VENDOR := docs/assets/vendor/temml/temml.css
# Same sources, same site: fixed dates and hash seeds for every build.
export SOURCE_DATE_EPOCH ?= 1767225600
export PYTHONHASHSEED    ?= 0
export NO_MKDOCS_2_WARNING = 1
export MPLBACKEND = svg
# One intra-op thread per process: the tests run one process per core (pytest-xdist), and pages
# compute the same numbers at build and test time. `make bench` sets its own thread count.
export OMP_NUM_THREADS ?= 1

.PHONY: help env serve site test test-stages test-builds test-second-build test-unit \
	test-built-site test-lint test-site test-numerics time-test profile-build build-strict offline report \
	browser-deps lint format bench lock clean audit

help:
	@echo "make serve   建好环境、构建并在 http://127.0.0.1:8000 预览站点"
	@echo "make test    建好环境并运行全部测试（单元测试、页面代码块、docstring 示例、构建、站点与浏览器测试、lint），各阶段并行"
	@echo "make test-numerics  在每种会改变浮点结果的环境下（DEFAULT 内核、MKL 通用路径、2 个线程……）再跑一遍单元测试、页面代码、docstring 示例和严格构建"
	@echo "make time-test  运行一次 make test，列出每个阶段的耗时（墙钟时间与 CPU 时间）"
	@echo "make site    构建静态站点到 site/"
	@echo "make offline 构建可离线打开的站点副本 site-offline/，并打包为 site-offline.zip"
	@echo "make report  构建耗时（冷/热）、页数、图数、首次访问字节数（tools/site_report.py）"
	@echo "make audit   用 Lighthouse（移动端预设）逐页审计 site/（gzip 服务，每页按 5 次的中位数判定，中位数确定即停）：性能 ≥ 95，无障碍、最佳实践、SEO = 100"
	@echo "make profile-build  一次构建的耗时按页面、代码块、插件事件分解（tools/build_profile.py）"
	@echo "make browser-deps  安装浏览器测试用的 Debian chromium 与中文字体（需要 root 或 sudo）"
	@echo "make lint    ruff 检查与格式检查 + mypy --strict + actionlint（.github/workflows/）+ 中文排版（tools/lint_prose.py）"
	@echo "make bench   dlref 与《动手学深度学习》从零实现的代码、与 PyTorch 的前向+反向耗时对比（bench/results*.json），标量 autograd 引擎的代价（bench/autograd.json）"
	@echo "make clean   删除 .venv、site/ 与生成的资源"

# ---- environment ---------------------------------------------------------------------------
# One stamp file: re-running a target on a ready environment installs nothing.
$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "本仓库的环境（constraints.txt 固定的版本）需要 Python 3.11（python3.11 或 python3）；只安装 dlref 包见 README"; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "本仓库的环境（constraints.txt）需要 Python 3.11，当前是 " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[docs,test]"
	touch $@

# Temml and the math font come from the npm registry (pinned in package-lock.json): the build
# typesets every formula as MathML with Temml under node, and Temml's stylesheet is copied into
# the site (no CDN); the font is cut down to the formulas' characters at build time.
$(VENDOR): package.json package-lock.json tools/vendor_assets.py | $(STAMP)
	@command -v npm >/dev/null || { echo "需要 npm（Node.js）来安装 Temml 等前端依赖：apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/vendor_assets.py
	touch $@

env: $(STAMP) $(VENDOR)

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
# `make test` runs its stages side by side, JOBS at a time (default: one per core). Each stage's
# output is printed in one piece when the stage ends, with a last line saying how long it took
# (tools/timed.py); a failing stage fails `make test` with a non-zero exit, and the others still
# run to the end (--keep-going), so one run shows every failure. The stages:
#   test-builds        site/, site-offline/ (+ zip), build/site-hosted/ (the Pages workflow's
#                      configuration) and build/site-cached/: through the cache of executed
#                      blocks (build/exec-cache/, tools/exec_cache.py), so only blocks whose
#                      output is not cached yet run, once (tools/build_sites.py)
#   test-second-build  build/site-again/: a clean build (new process, empty caches: every block
#                      runs), at the same time, for the reproducibility tests; kept, and not
#                      made again while nothing it depends on changed (it says so)
#   test-unit          unit tests, every Python block in docs/, every docstring example (sybil)
#   test-built-site    the built-site and browser tests (tests/site) on those four builds
#   test-lint          make lint
# A page's code or a browser test whose inputs all match those of its last pass is reported
# REUSED instead of run again (tests/reuse.py); a fresh clone (CI) runs everything, and so does
# DLREF_REUSE=0 make test.
# (`nproc` without OMP_NUM_THREADS, which it would obey: this Makefile exports it as 1.)
JOBS ?= $(shell env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 2)
TIMED = $(BIN)/python tools/timed.py
SITE_ENV = DLREF_SITE_DIR=site DLREF_OFFLINE_SITE_DIR=site-offline

test: env
	@DLREF_STAGE_T0=$${DLREF_STAGE_T0:-$$(date +%s.%N)} \
	  $(MAKE) --no-print-directory --jobs=$(JOBS) --output-sync=target --keep-going test-stages

# Listed in the order they should start: the builds gate the longest stage, test-built-site.
test-stages: test-builds test-second-build test-unit test-lint test-built-site

test-builds: env
	@$(TIMED) "builds: site/, site-offline/, build/site-hosted/, build/site-cached/" -- $(BIN)/python \
	  tools/build_sites.py site --offline site-offline --hosted build/site-hosted \
	  --cached build/site-cached
	@$(BIN)/python tools/pack_offline.py site-offline site-offline.zip

test-second-build: env
	@$(TIMED) "second clean build: build/site-again/" -- \
	  $(BIN)/python tools/build_sites.py --clean build/site-again

test-unit: env
	@$(TIMED) "unit tests, page code, docstrings" -- \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadfile -q --ignore=tests/site

test-built-site: test-builds test-second-build
	@$(TIMED) "built-site and browser tests" -- env $(SITE_ENV) \
	  DLREF_HOSTED_SITE_DIR=build/site-hosted DLREF_SECOND_BUILD_DIR=build/site-again \
	  DLREF_CACHED_BUILD_DIR=build/site-cached \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadscope -q -rs tests/site

test-lint: env
	@$(TIMED) lint -- $(MAKE) --no-print-directory lint

# The built-site tests against site/ and site-offline/ as they are (no rebuild of those; the
# published configuration and the reproducibility test's second build are built by the tests).
# Browser tests skip with a message without Chromium.
test-site: env
	$(SITE_ENV) $(BIN)/python -m pytest -n $(JOBS) --dist loadscope -q -rs tests/site

# The numerics matrix (tools/numerics.py): unit tests, every page block, every docstring example
# and a strict build again under each environment that changes floating-point results on this
# machine (torch's DEFAULT kernel and any other SIMD level below the native one, MKL's generic
# code path, two intra-op threads). `make test` is the native run. `--list` prints the matrix.
test-numerics: env
	$(BIN)/python tools/numerics.py --jobs $(JOBS)

# `make test` once more, then a table of how long each stage took (wall-clock and CPU time) and
# how busy it kept the cores; the numbers also go to test-artifacts/make-test-times.jsonl.
# Run it on a ready environment (a warm run: nothing to install).
time-test: env
	@mkdir -p test-artifacts && rm -f test-artifacts/make-test-times.jsonl
	@DLREF_STAGE_LOG=$(CURDIR)/test-artifacts/make-test-times.jsonl \
	  $(TIMED) "make test" -- $(MAKE) --no-print-directory test; status=$$?; \
	  $(TIMED) --summary test-artifacts/make-test-times.jsonl; exit $$status

# Lighthouse (npm, pinned) on every page of site/, served with gzip as a static host serves it;
# fails below performance 95 or accessibility / best practices / SEO 100 (tools/audit.py).
# Builds site/ first if there is none; `.ci/run` runs it after `make test`, which builds it.
audit: env
	@test -f site/index.html || $(MAKE) --no-print-directory site
	$(BIN)/python tools/audit.py --site site \
	  --json test-artifacts/lighthouse.json

# Where one build spends its time: per page, per executed code block, per plugin event.
profile-build: env
	$(BIN)/python tools/build_profile.py --json test-artifacts/build-profile.json

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/actionlint
	$(BIN)/python tools/lint_prose.py

format: env
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Time dlref against d2l's from-scratch code and PyTorch (forward + backward, CPU, float32,
# 1 thread, median of 5 fresh processes with its spread); writes bench/results.json, which the
# performance page renders. Not part of `make test`: timings never gate the tests.
bench: env
	$(BIN)/python bench/run.py --threads 1 --processes 5 --sweep
	$(BIN)/python bench/run.py --threads 1 --processes 3 --heap default --out bench/results-default-heap.json
	$(BIN)/python bench/bench_autograd.py

# Re-pin every Python dependency after editing pyproject.toml. `--all` keeps setuptools, which
# tests/test_packaging.py builds the wheel with (pip itself is left out).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet "torch==2.13.0" -e ".[docs,test]"
	{ echo "# Exact versions of every Python dependency, installed with \`pip install -c constraints.txt\`."; \
	  echo "# Regenerate with \`make lock\` after changing pyproject.toml."; \
	  .lock-venv/bin/pip freeze --all --exclude-editable | grep -v '^pip==' | sed 's/+cpu$$//'; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) site site-offline site-offline.zip build/site-hosted build/site-again \
	  build/site-cached build/exec-cache build/exec-stats build/test-reuse build/numerics \
	  test-artifacts node_modules docs/assets/vendor \
	  .pytest_cache .mypy_cache .ruff_cache
