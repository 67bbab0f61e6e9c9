"""``python -m knowledge_base build``: the options the setup script passes."""
from __future__ import annotations

import pytest

from knowledge_base import __main__ as cli
from knowledge_base import encoders


class Report:
    def summary(self) -> str:
        return "built"


@pytest.fixture
def builds(monkeypatch, tmp_path):
    """The builds ``build`` asks for, as (encoder, thread setting at that moment), with no encoder run."""
    built = []

    def fake_build(content, index_dir, name, index_type, progress):
        built.append((name, encoders._threads_setting))
        return Report()

    monkeypatch.setattr(cli, "build_index", fake_build)
    monkeypatch.setattr(encoders, "_threads_setting", None)
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path))
    return built


def test_build_threads_sets_the_encoder_threads(builds):
    """setup.sh embeds a fresh index on one thread while the model trains on the other core."""
    assert cli.main(["build", "--quiet", "--threads", "1", "--encoder", "use"]) == 0
    assert builds == [("use", 1)]
    assert encoders._threads() == 1


def test_build_without_threads_leaves_the_default(builds):
    assert cli.main(["build", "--quiet", "--encoder", "use"]) == 0
    assert builds == [("use", None)]
