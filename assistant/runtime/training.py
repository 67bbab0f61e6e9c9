"""Trains the Rasa model when its inputs changed, and finds the current model.

A model is named after a hash of everything that shapes it (pipeline config,
domain, training data, custom components, the Rasa requirements), so an
unchanged project never trains twice and tests share one trained model.

    python -m assistant.runtime.training            # train if needed, print the model path
    python -m assistant.runtime.training --force    # train even if a model exists
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

from assistant.runtime.settings import REPO_ROOT, get_settings

logger = logging.getLogger(__name__)

CONFIG = REPO_ROOT / "assistant" / "config.yml"
DOMAIN = REPO_ROOT / "assistant" / "domain"
TRAINING_DATA = REPO_ROOT / "nlu_data" / "train"
COMPONENTS = REPO_ROOT / "assistant" / "rasa_plugins" / "components"
RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in {".yml", ".yaml", ".py"})
        elif path.is_file():
            found.append(path)
    return found


def content_hash(config: Path = CONFIG, data: Path = TRAINING_DATA) -> str:
    """Hash of every input that shapes the trained model."""
    digest = hashlib.sha256()
    inputs = [config, DOMAIN, data, COMPONENTS, REPO_ROOT / "assistant" / "i18n" / "segmenters.py",
              REPO_ROOT / "requirements" / "rasa.txt"]
    for path in _files(inputs):
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(model_dir: Optional[Path] = None, prefix: str = "shop") -> Path:
    model_dir = model_dir or get_settings().model_dir
    return model_dir / f"{prefix}-{content_hash()}.tar.gz"


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    return env


def training_log(output: Path) -> Path:
    """Where ``rasa train``'s output for the model ``output`` is kept."""
    return get_settings().var_dir / "log" / f"train-{output.name}.log"


def train(
    output: Path,
    config: Path = CONFIG,
    data: Path = TRAINING_DATA,
    nlu_only: bool = False,
    cache_dir: Optional[Path] = None,
) -> Path:
    """Runs ``rasa train`` into ``output`` (a .tar.gz path) and returns it.

    ``cache_dir`` replaces Rasa's training cache (``.rasa/cache``), e.g. an empty one to time a
    training from scratch."""
    output.parent.mkdir(parents=True, exist_ok=True)
    kind = ["train", "nlu", "--nlu", str(data)] if nlu_only else ["train", "--data", str(data)]
    command = [
        str(RASA_PYTHON), "-m", "assistant.rasa_plugins.server", *kind,
        "--config", str(config),
        "--domain", str(DOMAIN),
        "--out", str(output.parent),
        "--fixed-model-name", output.name.removesuffix(".tar.gz"),
    ]
    started = time.monotonic()
    logger.info("training %s (this takes a few minutes on 2 cores)", output.name)
    log_file = training_log(output)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = rasa_env()
    if cache_dir is not None:
        env["RASA_CACHE_DIRECTORY"] = str(cache_dir)
    with open(log_file, "w") as log:
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not output.exists():
        tail = log_file.read_text(errors="replace").splitlines()[-40:]
        raise RuntimeError(
            f"rasa train failed (exit {result.returncode}); last lines of {log_file}:\n" + "\n".join(tail)
        )
    logger.info("trained %s in %.0f s", output.name, time.monotonic() - started)
    return output


def ensure_model(force: bool = False) -> Path:
    """Returns the model for the current content, training it first if needed.

    One training at a time per model folder: a second caller (tests, ``make run``)
    waits for the first and then uses its model instead of training in parallel.
    """
    path = model_path()
    if path.exists() and not force:
        logger.info("model %s is up to date", path.name)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and not force:
            logger.info("model %s was trained meanwhile", path.name)
            return path
        return train(path)


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="train even if the model exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[train] %(message)s")
    try:
        print(ensure_model(force=args.force))
    except RuntimeError as exc:
        logger.error("%s", exc)
        sys.exit(1)


if __name__ == "__main__":
    main()
