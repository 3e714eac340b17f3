"""Make WorkbookFields-Regular.otf: the e-version's form-field font.

WeasyPrint 70 embeds a font used by form fields whole and builds its ToUnicode
map from the font's cmap only, so text set in the same face with OpenType
features (tabular figures in the contents, leaders) loses its Unicode mapping.
The fields therefore get a face of their own: Inter Regular (OFL-1.1, no
Reserved Font Name; see ../inter/LICENSE.txt) cut down to the Latin letters,
digits and punctuation a Finnish form needs, without layout features, under
the family name "Workbook Fields". Run from the repository root:

    python styles/fonts/fields/make_fields_font.py
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "inter" / "Inter-Regular.otf"
TARGET = HERE / "WorkbookFields-Regular.otf"
UNICODES = [
    *range(0x20, 0x7F),  # Basic Latin
    *range(0xA0, 0x100),  # Latin-1: ä, ö, å, é, §, ...
    *range(0x100, 0x180),  # Latin Extended-A: š, ž, ...
    *range(0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    0x20AC,  # euro
]


def main() -> None:
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    font = TTFont(SOURCE)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4):
            names.setName("Workbook Fields" + (" Regular" if record.nameID == 4 else ""),
                          record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (3, 6):
            names.setName("WorkbookFields-Regular", record.nameID, record.platformID,
                          record.platEncID, record.langID)
    font["CFF "].cff.fontNames = ["WorkbookFields-Regular"]
    font.save(TARGET)
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
