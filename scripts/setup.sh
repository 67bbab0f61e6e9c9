#!/usr/bin/env bash
# Sets everything up, idempotently: both virtual environments, the demo shop
# database and the trained Rasa model. Each step is skipped when its inputs
# have not changed since it last ran. `--no-train` skips training the model.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
mkdir -p var/log

log() { printf '[setup] %s\n' "$*" >&2; }

# pip prints a warning per package for this machine's local index mirrors; keep
# the full output in a log and show only the tail on failure.
pip_install() {
  local venv=$1; shift
  local logfile="var/log/pip-$(basename "$venv").log"
  if ! "$venv/bin/pip" install --disable-pip-version-check "$@" >>"$logfile" 2>&1; then
    grep -v "WARNING: Location" "$logfile" | tail -30 >&2
    echo "[setup] pip install failed in $venv (full log: $logfile)" >&2
    exit 1
  fi
}

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

find_python() {  # $1 = version, e.g. 3.10.13
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  local candidate="$root/versions/$1/bin/python${1%.*}"
  if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  echo "[setup] Python $1 not found at $candidate; install it with pyenv." >&2
  exit 1
}

# The two virtual environments are built side by side (pip mostly waits on disk), and the Rasa model
# trains as soon as the Rasa one is ready, while the rest is set up: training only needs .venv-rasa and
# the repository's files (not the knowledge-base index, which Rasa reads when it starts).

# ---- a virtual environment: rebuilt when its requirement files change ----------
# $1 = folder, $2 = Python version, $3 = what it holds; then its requirement files, installed in this
# order (the actions venv's CPU torch first and alone)
build_venv() {
  local venv=$1 version=$2 what=$3; shift 3
  local want
  want=$(stamp_of "$@")
  if [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$want" ]; then
    log "$venv is up to date"
    return
  fi
  log "building $venv ($what on Python $version)"
  [ -x "$venv/bin/python" ] || "$(find_python "$version")" -m venv "$venv"
  local requirements
  for requirements in "$@"; do
    pip_install "$venv" -r "$requirements"
  done
  echo "$want" > "$venv/.stamp"
}

export HF_HUB_OFFLINE=1 RASA_TELEMETRY_ENABLED=false

# a background step's failure stops the setup; the other background steps are stopped with it
background=()
stop_background() {  # each step and its children (pip, rasa train)
  for pid in "${background[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
}
trap stop_background EXIT
wait_for() {  # $1 = pid, $2 = what it was doing
  if ! wait "$1"; then
    echo "[setup] $2 failed (see the lines above)" >&2
    exit 1
  fi
}

build_venv .venv-rasa 3.10.13 "Rasa 3.6.21" requirements/rasa.txt & rasa_venv=$!
build_venv .venv-actions 3.11.7 "rasa-sdk, sentence-transformers, faiss, spaCy" \
  requirements/actions-torch.txt requirements/actions.txt & actions_venv=$!
background+=("$rasa_venv" "$actions_venv")

# ---- Chromium for the browser tests (Debian's; Playwright drives it) ---------
# plus a CJK font, so Chinese and Japanese render in screenshots
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's chromium, chromium-driver and a CJK font (browser tests)"
    { apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei; } >>var/log/apt.log 2>&1 \
      || { tail -20 var/log/apt.log >&2; echo "[setup] apt-get install chromium failed (log: var/log/apt.log)" >&2; exit 1; }
  else
    log "chromium is missing: install it with 'apt-get install chromium chromium-driver fonts-wqy-zenhei' (browser tests skip without it)"
  fi
fi

wait_for "$rasa_venv" "building .venv-rasa"

# ---- Rasa model (in the background; the wrapper is standard library only) ----
# On a fresh machine the knowledge-base index is embedded from scratch while the model trains: each gets
# one thread of the two cores (TensorFlow and the encoder each take both by default, and the two fighting
# over the cores took 13 minutes where one thread each takes 7.5: training 431 s, the e5 index 456 s).
kb_threads=() train_threads=()
if [ ! -f "${KB_INDEX_DIR:-var/kb}/${KB_ENCODER:-e5}/manifest.json" ] && [ "${1:-}" != "--no-train" ] \
    && [ "$(nproc)" -le 2 ] \
    && .venv-rasa/bin/python -c "from assistant.runtime.training import model_path; exit(model_path().exists())"; then
  train_threads=(TF_INTRA_OP_PARALLELISM_THREADS=1 TF_INTER_OP_PARALLELISM_THREADS=1)
  kb_threads=(--threads 1)
fi
if [ "${1:-}" != "--no-train" ]; then
  env "${train_threads[@]}" .venv-rasa/bin/python -m assistant.runtime.training >&2 & training=$!
  background+=("$training")
fi

wait_for "$actions_venv" "building .venv-actions"

# ---- chat widget: the socket.io client from the npm registry (pinned) -------
want=$(stamp_of assistant/console/widget/package.json assistant/console/widget/package-lock.json)
if [ "$(cat assistant/console/widget/node_modules/.stamp 2>/dev/null)" != "$want" ]; then
  command -v npm >/dev/null || { echo "[setup] npm is needed for the chat widget's socket.io client" >&2; exit 1; }
  log "installing the widget's socket.io client (npm ci)"
  npm ci --prefix assistant/console/widget --no-audit --no-fund --loglevel=error >>var/log/npm.log 2>&1 \
    || { tail -20 var/log/npm.log >&2; echo "[setup] npm ci failed (log: var/log/npm.log)" >&2; exit 1; }
  echo "$want" > assistant/console/widget/node_modules/.stamp
fi

# ---- demo shop database ----------------------------------------------------
log "seeding the demo shop (skipped when already seeded)"
.venv-actions/bin/python -m assistant.runtime.demo seed >&2

# ---- knowledge-base index ----------------------------------------------------
# Incremental: only chunks whose text changed are embedded again.
log "building the knowledge-base index (only changed content is embedded)"
.venv-actions/bin/python -m knowledge_base build --quiet "${kb_threads[@]}" >&2

if [ "${1:-}" != "--no-train" ]; then
  wait_for "$training" "training the Rasa model"
fi
trap - EXIT
