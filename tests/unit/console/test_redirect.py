"""The console's redirect after login stays on the console (issue: open redirect via next=)."""
from __future__ import annotations

import pytest

from assistant.console.pages import _safe_next


@pytest.mark.parametrize("attack", [
    "//evil.example", "/\\evil.example", "/\\\\evil.example", "\\\\evil.example", "https://evil.example",
    "javascript:alert(1)", "/\t/evil.example", "/\n/evil.example", "/ /evil.example", "",
    "evil.example", "/\x7f/evil.example",
])
def test_anything_that_could_leave_the_console_goes_home(attack):
    assert _safe_next(attack) == "/"


# an escaped newline stays escaped in the Location header: a path on the console
@pytest.mark.parametrize("path", ["/", "/tickets/12", "/history?q=refund&page=2", "/metrics#week", "/%0a"])
def test_console_paths_are_kept(path):
    assert _safe_next(path) == path
