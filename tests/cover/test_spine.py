"""The spine's width: caliper or pages per inch, plus the cover board; none when stitched."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from workbook.config.publication import load_config
from workbook.cover.spine import spine_for
from workbook.errors import WorkbookError


def project_with(tmp_path, name: str, replace: tuple[str, str] | None = None):
    text = (FIXTURES / "config" / f"{name}.toml").read_text(encoding="utf-8")
    if replace:
        text = text.replace(*replace)
    path = tmp_path / "publication.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_caliper_formula(tmp_path):
    spine = spine_for(project_with(tmp_path, "with-cover"), 64)
    assert spine.width == pytest.approx(64 / 2 * 0.120 + 0.5)
    assert spine.formula() == "64 s. / 2 × 0,120 mm + 0,5 mm (kansikartonki) = 4,34 mm"
    assert spine.inputs()["caliper_um"] == 120


def test_pages_per_inch_formula(tmp_path):
    project = project_with(tmp_path, "with-cover", ("caliper = 120", "pages_per_inch = 400"))
    spine = spine_for(project, 96)
    assert spine.width == pytest.approx(96 / 400 * 25.4 + 0.5)
    assert "96 s. / 400 s. tuumalla × 25,4 mm" in spine.formula()


def test_more_pages_a_wider_spine_by_the_formula(tmp_path):
    project = project_with(tmp_path, "with-cover")
    grown = spine_for(project, 72).width - spine_for(project, 64).width
    assert grown == pytest.approx(8 / 2 * 0.120)


def test_saddle_stitch_has_no_spine(tmp_path):
    project = project_with(
        tmp_path, "with-cover", ('binding = "perfect-bound"', 'binding = "saddle-stitch"')
    )
    spine = spine_for(project, 32)
    assert spine.width == 0 and "ei selkää" in spine.formula()


def test_missing_caliper_for_perfect_binding_names_file_and_key(tmp_path):
    project = project_with(tmp_path, "cover-missing-caliper")
    with pytest.raises(WorkbookError) as caught:
        spine_for(project, 64)
    text = str(caught.value)
    assert "publication.toml:" in text and "'print.caliper'" in text and "hint:" in text


def test_caliper_and_pages_per_inch_together_are_refused(tmp_path):
    with pytest.raises(WorkbookError, match="caliper or pages_per_inch, not both"):
        project_with(
            tmp_path, "with-cover", ("caliper = 120", "caliper = 120\npages_per_inch = 400")
        )


def test_spine_text_left_out_below_the_minimum_and_silent_without_a_spine(tmp_path):
    from workbook.cover.layout import spine_text

    project = project_with(tmp_path, "with-cover")
    text, warning = spine_text(project, spine_for(project, 64))  # 4.34 mm < 6 mm
    assert text is None and "narrower than cover.spine_text_min 6 mm" in warning
    text, warning = spine_text(project, spine_for(project, 120))  # 7.7 mm
    assert text is not None and warning is None and 6 <= text.size <= 10
    stitched = project_with(
        tmp_path, "with-cover", ('binding = "perfect-bound"', 'binding = "saddle-stitch"')
    )
    assert spine_text(stitched, spine_for(stitched, 32)) == (None, None)
