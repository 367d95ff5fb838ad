"""scripts/screenshots.py draws the documentation's pictures from the real library."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("typst")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "screenshots.py"
PNG = b"\x89PNG\r\n\x1a\n"


def test_screenshots_are_generated(tmp_path: Path) -> None:
    """Four PNGs, each small enough for the docs, and the docs show the committed ones."""
    spec = importlib.util.spec_from_file_location("screenshots_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    paths = module.main(["--out", str(tmp_path)])
    names = sorted(path.name for path in paths)
    assert names == ["email.png", "letter.png", "report-chart.png", "sms.png"]
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG)
        assert 2_000 < len(data) < 200_000, path
        committed = ROOT / "docs" / "images" / path.name
        assert committed.exists(), f"run scripts/screenshots.py and commit {committed}"
        assert committed.stat().st_size < 200_000
    # The letter picture is a real print: its QR-bill scans, with the creditor's QR-IBAN.
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    with Image.open(tmp_path / "letter.png") as picture:
        codes = zxingcpp.read_barcodes(picture.convert("L"))
    (payload,) = [code.text for code in codes if code.text.startswith("SPC")]
    assert "CH4431999123000889012" in payload
    assert "1949.75" in payload
    shown = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    for name in names:
        assert f"images/{name})" in shown, f"{name} is not shown in the docs"
