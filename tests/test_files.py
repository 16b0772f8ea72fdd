"""modlean._util: atomic writes."""

from __future__ import annotations

import os
import stat

import pytest

from modlean._util import write_atomic


def test_write_atomic_text_bytes_and_permissions(tmp_path):
    target = write_atomic(tmp_path / "sub" / "a.txt", "héllo")
    assert target.read_text(encoding="utf-8") == "héllo"
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_write_atomic_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "b.txt"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["b.txt"]
