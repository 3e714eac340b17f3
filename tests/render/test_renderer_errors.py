"""What the renderer cannot draw is one line naming the edition, never a traceback."""

from __future__ import annotations

import pytest

from conftest import REPO
from workbook.config.editions import VARIANTS
from workbook.errors import WorkbookError
from workbook.render.pdf import render_pdf


def test_css_the_renderer_cannot_draw_in_cmyk_is_one_line(tmp_path):
    """A gradient between device-cmyk() colours stops WeasyPrint 70 with
    NotImplementedError; the raw HTML allowlist keeps it out of chapters, and should
    one come from a stylesheet, it is still one line."""
    profile = (REPO / "styles" / "icc" / "default-cmyk.icc").as_uri()
    html = (
        f"<style>@color-profile device-cmyk {{ src: url({profile}); components: c, m, y, k; }}"
        "p { background: linear-gradient(device-cmyk(0 1 0 0), device-cmyk(1 0 0 0)) }"
        "</style><p>Teksti</p>"
    )
    source = tmp_path / "publication.toml"
    with pytest.raises(WorkbookError) as raised:
        render_pdf(html, base=tmp_path, variant=VARIANTS["press"], allowed=[REPO], source=source)
    text = str(raised.value)
    assert "the renderer cannot draw the press edition: NotImplementedError" in text
    assert text.startswith(str(source))
