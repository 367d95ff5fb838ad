"""The fast QR encoder and the SVG/PNG outputs, checked against segno and zxing-cpp."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Callable

import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditcomms.payments import PaymentQR, QRKind, make_qr
from creditcomms.payments._encoder import _codewords, _Template, encode_matrix
from creditcomms.payments._reedsolomon import _EXP, _LOG, _ecc

Decoder = Callable[[bytes], list[bytes]]


def _gf_mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


class TestEncoder:
    """The encoder makes standard symbols: right version, patterns, error correction."""

    @pytest.mark.parametrize("length", [1, 14, 15, 100, 200, 287, 288, 331])
    def test_smallest_version_like_segno(self, length: int) -> None:
        """The chosen version is the smallest byte-mode version at level M, as segno picks."""
        data = bytes(range(256)) * 2
        ours = encode_matrix(data[:length])
        theirs = segno.make_qr(data[:length], error="m", mode="byte", boost_error=False)
        assert ours.version == theirs.version

    @pytest.mark.parametrize("version", range(1, 14))
    def test_function_patterns_match_segno(self, version: int) -> None:
        """Finder, timing, alignment, format and version modules equal segno's (mask 2)."""
        template = _Template(version)
        qr = segno.make_qr(b"x", error="m", version=version, mask=2, boost_error=False)
        reference = b"".join(bytes(row) for row in qr.matrix)
        reserved = [i for i, flag in enumerate(template.reserved) if flag]
        assert [template.dark[i] for i in reserved] == [reference[i] for i in reserved]

    @pytest.mark.parametrize("degree", [10, 16, 18, 22, 24, 26, 30])
    def test_reed_solomon_codeword_is_divisible(self, degree: int) -> None:
        """Data plus error correction evaluates to zero at every generator root."""
        block = _codewords(b"EPC payload", 3)[:40]
        message = list(block + _ecc(block, degree))
        for power in range(degree):
            root, value = _EXP[power], 0
            for coefficient in message:
                value = _gf_mul(value, root) ^ coefficient
            assert value == 0

    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(data=st.binary(min_size=1, max_size=331))
    def test_any_bytes_decode(self, decode: Decoder, data: bytes) -> None:
        """Arbitrary byte strings up to 331 bytes decode to themselves, within version 13."""
        matrix = encode_matrix(data)
        assert matrix.version <= 13
        assert decode(PaymentQR(QRKind.LINK, "", matrix).png()) == [data]

    def test_large_payload_falls_back_to_segno(self, decode: Decoder) -> None:
        """Payloads beyond version 13 are still encoded (by segno) and decode."""
        qr = make_qr("https://pay.example/" + "a" * 500)
        assert qr.version > 13
        assert decode(qr.png(scale=2)) == [qr.payload.encode()]


def _rectangles(path: str) -> list[tuple[int, int, int]]:
    """Interpret the M/m/h/v/z path: each closed ``h n v1 h-n z`` is one run of modules."""
    x = y = 0
    start = (0, 0)
    runs: list[tuple[int, int, int]] = []
    for command, argument in re.findall(r"([MmhvzZ])([-\d ]*)", path):
        numbers = [int(v) for v in argument.split()]
        if command in "Mm":
            x, y = numbers if command == "M" else (x + numbers[0], y + numbers[1])
            start = (x, y)
        elif command == "h":
            if numbers[0] > 0 and (x, y) == start:
                runs.append((x, y, numbers[0]))
            x += numbers[0]
        elif command == "v":
            y += numbers[0]
        else:
            x, y = start
    return runs


class TestOutputs:
    """SVG, PNG and data URIs draw exactly the encoded modules."""

    def test_svg_paths_redraw_the_matrix(self) -> None:
        """Parsing the SVG path back gives the symbol's dark modules, offset by the border."""
        qr = make_qr("https://pay.example/abc")
        svg = qr.svg(border=4, size="30mm", title="Pay <now> & here")
        size = qr.matrix.size
        drawn = bytearray(size * size)
        path = re.search(r'<path fill="#000" d="([^"]+)"', svg)
        assert path is not None
        for x, y, run in _rectangles(path.group(1)):
            for dx in range(run):
                drawn[(y - 4) * size + x - 4 + dx] = 1
        assert bytes(drawn) == qr.matrix.modules
        assert 'width="30mm"' in svg
        assert "<title>Pay &lt;now&gt; &amp; here</title>" in svg

    def test_png_and_data_uri(self, decode: Decoder) -> None:
        """The PNG decodes; the data URI carries the same PNG, or the SVG when asked."""
        qr = make_qr("hello")
        png = qr.png(scale=5, border=2)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert decode(png) == [b"hello"]
        uri = qr.data_uri(scale=5)
        assert base64.b64decode(uri.removeprefix("data:image/png;base64,")) == qr.png(scale=5)
        svg_uri = qr.data_uri(kind="svg")
        decoded = base64.b64decode(svg_uri.removeprefix("data:image/svg+xml;base64,"))
        assert decoded.decode() == qr.svg()

    def test_svg_renders_and_decodes(self, decode: Decoder) -> None:
        """The SVG, rasterised by typst, decodes to the payload (the SVG itself is sound)."""
        typst = pytest.importorskip("typst")
        qr = make_qr("BCD\n002\n1\nSCT\n\nMüller & Co\nDE89370400440532013000\nEUR0.01")
        source = (
            b"#set page(width: 60mm, height: 60mm, margin: 0mm)\n"
            b'#image(bytes(sys.inputs.at("svg")), format: "svg", width: 60mm)'
        )
        png = typst.compile(source, format="png", ppi=200, sys_inputs={"svg": qr.svg()})
        assert decode(png) == [qr.payload.encode()]

    def test_swiss_cross_only_on_swiss_codes(self) -> None:
        """A Swiss code's SVG carries the cross overlay; other kinds do not."""
        assert make_qr("SPC", kind="swiss").svg().count("<rect") == 5
        assert make_qr("SPC", kind="link").svg().count("<rect") == 1


def _png_rows_by_hand(qr: PaymentQR, scale: int, border: int) -> bytes:
    """The uncompressed scanlines, one pixel at a time: the slow, obvious reference."""
    n = qr.matrix.size
    rows = qr.matrix.rows()
    lines = []
    for y in range(-border * scale, (n + border) * scale):
        bits = []
        for x in range(-border * scale, (n + border) * scale):
            my, mx = y // scale, x // scale
            dark = 0 <= my < n and 0 <= mx < n and rows[my][mx] == 1
            bits.append("0" if dark else "1")
        text = "".join(bits)
        text += "0" * (-len(text) % 8)
        lines.append(b"\x00" + int(text, 2).to_bytes(len(text) // 8, "big"))
    return b"".join(lines)


def _unfilter(data: bytes, width: int) -> bytes:
    """Undo PNG filters 0 (None) and 2 (Up), the two the writer uses; rows come back filter 0."""
    rows, previous = [], bytes(width)
    for start in range(0, len(data), width + 1):
        kind, row = data[start], data[start + 1 : start + 1 + width]
        assert kind in (0, 2)
        if kind == 2:
            row = bytes((a + b) & 0xFF for a, b in zip(row, previous, strict=True))
        rows.append(b"\x00" + row)
        previous = row
    return b"".join(rows)


@pytest.mark.parametrize(
    ("scale", "border"), [(4, 4), (8, 2), (4, 0), (3, 4), (1, 1), (12, 3), (2, 0), (5, 1)]
)
@pytest.mark.parametrize("payload", ["x", "https://pay.example/" + "a" * 90])
def test_png_scanlines_equal_reference(payload: str, scale: int, border: int) -> None:
    """Both PNG row builders (hex digits for scales of 4, bit strings otherwise) are exact.

    Repeated pixel rows are stored with PNG filter 2 (Up); undoing the filters gives the
    pixel rows drawn one pixel at a time.
    """
    qr = make_qr(payload)
    png = qr.png(scale=scale, border=border)
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8 : start - 4], "big")
    width = -(-(qr.matrix.size + 2 * border) * scale // 8)
    raw = zlib.decompress(png[start : start + length])
    assert _unfilter(raw, width) == _png_rows_by_hand(qr, scale, border)
    filters = raw[:: width + 1]  # one filter 0 row per module row and margin, copies "Up"
    assert filters.count(0) == qr.matrix.size + (2 if border else 0)
    assert filters.count(2) == len(filters) - filters.count(0)
