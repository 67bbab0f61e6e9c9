"""``python -m knowledge_base build``: the options the setup script passes."""
from __future__ import annotations

from knowledge_base import __main__ as cli
from knowledge_base import encoders


def test_build_threads_sets_the_encoder_threads(monkeypatch, tmp_path):
    """setup.sh embeds a fresh index on one thread while the model trains on the other core."""
    built = []

    class Report:
        def summary(self) -> str:
            return "built"

    def fake_build(content, index_dir, name, index_type, progress):
        built.append((name, encoders._threads()))
        return Report()

    monkeypatch.setattr(cli, "build_index", fake_build)
    monkeypatch.setattr(encoders, "_threads_setting", None)
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path))
    assert cli.main(["build", "--quiet", "--threads", "1", "--encoder", "use"]) == 0
    assert built == [("use", 1)]


def test_build_without_threads_leaves_the_default(monkeypatch, tmp_path):
    built = []

    class Report:
        def summary(self) -> str:
            return "built"

    monkeypatch.setattr(cli, "build_index", lambda *a, **k: built.append(encoders._threads_setting) or Report())
    monkeypatch.setattr(encoders, "_threads_setting", None)
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path))
    assert cli.main(["build", "--quiet", "--encoder", "use"]) == 0
    assert built == [None]
