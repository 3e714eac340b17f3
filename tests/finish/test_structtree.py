"""The structure tree read once for the preflight: reachable elements, figures, tags."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from workbook.finish.structtree import read_structure
from workbook.preflight import pdfcontent


def _tree() -> tuple[pikepdf.Pdf, Dictionary, dict[str, Dictionary]]:
    """Document > (H1, P > (Span, Link > OBJR), Figure, Table > TR > TH), a stray P."""
    pdf = pikepdf.new()

    def element(tag: str, *kids: object) -> Dictionary:
        made = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(tag)))
        made.K = Array(list(kids)) if len(kids) != 1 else kids[0]
        return made

    objr = Dictionary(Type=Name.OBJR, Obj=pdf.make_indirect(Dictionary()))
    made = {
        "h1": element("/H1", 0),
        "span": element("/Span", 1),
        "link": element("/Link", objr, 2),
        "figure": element("/Figure", 3),
        "th": element("/TH", 4),
    }
    made["p"] = element("/P", made["span"], made["link"])
    made["table"] = element("/Table", element("/TR", made["th"]))
    made["document"] = element("/Document", made["h1"], made["p"], made["figure"], made["table"])
    made["stray"] = element("/P", 5)  # in no element's /K
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=made["document"]))
    return pdf, root, made


def test_every_element_once_in_reading_order():
    _, root, made = _tree()
    structure = read_structure(root)
    tags = [tag for tag, _ in structure.elements]
    assert tags == ["/Document", "/H1", "/P", "/Span", "/Link", "/Figure", "/Table", "/TR", "/TH"]
    below = dict(structure.elements[i] for i in (2, 6))  # P and Table
    assert below["/P"] == {"/Span", "/Link"}
    assert below["/Table"] == {"/TR", "/TH"}
    assert structure.figures == (made["figure"],)
    assert made["stray"].objgen not in structure.reachable
    assert {made[n].objgen for n in ("document", "th", "link")} <= structure.reachable
    assert root.objgen in structure.reachable
    assert len(structure.reachable) == 10  # the root and nine elements, no OBJR


def test_an_element_listed_twice_is_walked_once():
    _, root, made = _tree()
    made["document"].K.append(made["p"])
    structure = read_structure(root)
    assert [tag for tag, _ in structure.elements].count("/P") == 1


def test_no_tree():
    structure = read_structure(None)
    assert structure.elements == () and structure.figures == () and not structure.reachable


def test_walked_once_per_file_for_all_checks(monkeypatch, tmp_path):
    pdf, root, _ = _tree()
    pdf.Root.StructTreeRoot = root
    pdf.add_blank_page()
    path = tmp_path / "tagged.pdf"
    pdf.save(path)
    walks = []
    monkeypatch.setattr(
        pdfcontent, "read_structure", lambda root: walks.append(root) or read_structure(root)
    )
    data = path.read_bytes()
    pdfcontent.forget()
    first = pdfcontent.painted(data).structure
    again = pdfcontent.painted(data).structure
    assert first is again and len(walks) == 1
    assert [tag for tag, _ in first.elements][:2] == ["/Document", "/H1"]
    pdfcontent.forget()
