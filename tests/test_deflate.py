"""pydyf's streams deflated at zlib's default level: the same bytes inflated, fewer CPU."""

from __future__ import annotations

import io
import zlib

import pikepdf
import pydyf
from weasyprint import HTML

from workbook import deflate


def _stream() -> pydyf.Stream:
    stream = pydyf.Stream(compress=True)
    for number in range(400):  # text operators, as a page's content stream has them
        stream.begin_text()
        stream.set_text_matrix(1, 0, 0, 1, 72 + number % 7, 700 - number)
        stream.show_text(f"<{number:04x}00250031>")
        stream.end_text()
    return stream


def _split(data: bytes) -> tuple[bytes, bytes]:
    head, rest = data.split(b"\nstream\n", 1)
    return head, rest.rsplit(b"\nendstream", 1)[0]


def test_same_content_same_dictionary_at_level_6():
    stream = _stream()
    stock_head, stock_body = _split(deflate._stock_data.fget(stream))
    head, body = _split(deflate._data(stream))
    assert zlib.decompress(body) == zlib.decompress(stock_body)
    level_6 = zlib.compressobj(level=6)
    assert body == level_6.compress(zlib.decompress(stock_body)) + level_6.flush()
    assert head.replace(str(len(body)).encode(), b"N") == stock_head.replace(
        str(len(stock_body)).encode(), b"N"
    )


def test_uncompressed_streams_are_untouched():
    stream = _stream()
    stream.compress = False
    assert deflate._data(stream) == deflate._stock_data.fget(stream)


def test_weasyprint_pages_are_deflated_at_level_6():
    deflate.install()
    assert pydyf.Stream.data.fget is deflate._data
    html = "<p style='font-family: serif'>" + "Kirjasto palvelee kaikkia. " * 200 + "</p>"
    data = HTML(string=html).write_pdf()
    with pikepdf.open(io.BytesIO(data)) as document:
        contents = document.pages[0].obj.Contents
        raw = contents.read_raw_bytes()
        level_6 = zlib.compressobj(level=6)
        inflated = zlib.decompress(raw)
        assert raw == level_6.compress(inflated) + level_6.flush()
        assert b"TJ" in inflated or b"Tj" in inflated
