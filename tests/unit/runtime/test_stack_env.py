"""The serving processes get one thread per model call unless the environment says otherwise."""
from __future__ import annotations

import sys

from assistant.runtime.stack import SERVING_ENV, make_stack


def _env_of(stack, name: str, extra=None) -> dict:
    code = "import json, os; print(json.dumps({k: os.environ.get(k) for k in %r}))" % sorted(SERVING_ENV)
    process, log = stack._spawn(name, [sys.executable, "-c", code], extra)
    process.wait(timeout=30)
    import json

    return json.loads(log.read_text().strip().splitlines()[-1])


def test_serving_defaults_apply_and_the_environment_wins(tmp_path, monkeypatch) -> None:
    for name in SERVING_ENV:  # an encoder loaded earlier in this process sets OMP_NUM_THREADS
        monkeypatch.delenv(name, raising=False)
    stack = make_stack({"SHOP_VAR_DIR": str(tmp_path), "ENCODER_THREADS": "3"}, log_dir=tmp_path / "log")
    seen = _env_of(stack, "probe", SERVING_ENV)
    assert seen["OMP_NUM_THREADS"] == "1" and seen["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert seen["MALLOC_ARENA_MAX"] == "2"
    assert seen["ENCODER_THREADS"] == "3"  # set by the operator: kept
    other = _env_of(stack, "plain")  # other processes (the console) are left alone
    assert other["MALLOC_ARENA_MAX"] is None or other["MALLOC_ARENA_MAX"] == stack.env.get("MALLOC_ARENA_MAX")


def test_encoder_threads_come_from_the_settings() -> None:
    import pytest

    from assistant.runtime.settings import get_settings
    from knowledge_base.encoders import _threads, use_threads

    assert get_settings({"ENCODER_THREADS": "1"}).encoder_threads == 1
    assert get_settings({}).encoder_threads is None
    with pytest.raises(ValueError, match="ENCODER_THREADS"):
        get_settings({"ENCODER_THREADS": "zero"})
    try:
        use_threads(1)
        assert _threads() == 1
    finally:
        use_threads(None)
    assert _threads() >= 1
