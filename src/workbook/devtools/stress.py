"""A generated stress publication for the benchmark: about 300 pages, 40 illustrations,
30 tables, 20 charts and 20 exercises (one a chapter, with form fields in the
e-version), written into a folder of build/ (never committed).

The text is the sample book's own paragraphs in a shuffled order, so hyphenation,
typography and fonts get real Finnish; illustrations are drawn with Pillow at
print resolution for their placement; survey data is random but plausible.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

from workbook.paths import REPO

SAMPLE = REPO / "content"
CHAPTERS = 20
ILLUSTRATIONS = 40
TABLES = 30
CHARTS = 20
SCALE = ["Täysin samaa mieltä", "Jokseenkin samaa mieltä", "Ei samaa eikä eri mieltä",
         "Jokseenkin eri mieltä", "Täysin eri mieltä"]  # fmt: skip


def _paragraphs() -> list[str]:
    found = []
    for path in sorted((SAMPLE / "chapters").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for block in body.split("\n\n"):
            block = block.strip()
            if (
                len(block) > 300
                and not block.startswith(("#", "|", "<", "!", ">", "-", "["))
                and ":::" not in block  # exercise blocks
            ):
                found.append(re.sub(r"\[\^\d+\]|\[\[[^\]]*\]\]", "", block))
    return found


def _exercise(number: int) -> str:
    """An exercise with write-in lines, a checklist and a rating scale (form fields)."""
    return (
        f"::: tehtävä Harjoitus {number}\nPohtikaa luvun teemoja yhdessä.\n\n"
        "::: rivit 3\nMitä opimme?\n:::\n\n"
        "::: tarkistuslista\n- ensimmäinen kohta\n- toinen kohta\n- kolmas kohta\n:::\n\n"
        "::: asteikko 1-5 alku=heikosti loppu=hyvin\n- Tiedonkulku\n- Perehdytys\n:::\n:::"
    )


def _picture(path: Path, size: tuple[int, int], seed: int) -> None:
    rng = random.Random(seed)
    image = Image.new("RGB", size, (250, 246, 238))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(40, 260)
        colour = rng.choice([(13, 107, 99), (243, 171, 143), (107, 179, 166), (186, 77, 39)])
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour, outline=(43, 43, 51), width=6)
    image.save(path, optimize=True)


def make_stress(folder: Path, seed: int = 2019) -> Path:
    """Write the stress publication into *folder*; return its publication.toml."""
    rng = random.Random(seed)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "chapters").mkdir(parents=True)
    (folder / "kuvat").mkdir()
    (folder / "data").mkdir()
    paragraphs = _paragraphs()
    config = (SAMPLE / "publication.toml").read_text(encoding="utf-8")
    config = re.sub(r'slug = "[^"]+"', 'slug = "stressi"', config)
    config = config.replace('manifest = "../illustrations/illustrations.toml"',
                            'manifest = "kuvat/kuvat.toml"')  # fmt: skip
    config = config.replace('manifest = "data/kyselyt.toml"', 'manifest = "data/data.toml"')
    # Its pictures are its own (kuvat/): it reads nothing outside its folder.
    config = re.sub(r"(?m)^allow = \[.*\]$", "allow = []", config)
    # The inner block is what is measured: no cover (it would want the sample's blurb
    # and illustration), so no [cover] table.
    config = re.sub(r"(?ms)^\[cover\]\n.*?(?=^\[|\Z)", "", config)
    (folder / "publication.toml").write_text(config, encoding="utf-8")

    manifest = []
    for index in range(ILLUSTRATIONS):
        name = f"kuva-{index + 1:02d}"
        _picture(folder / "kuvat" / f"{name}.png", (1000, 700), seed + index)
        manifest.append(
            f'[{name}]\nfile = "{name}.png"\nwidth = 0.5\n'
            f'alt = "Generoitu kuvitus {index + 1}: värikkäitä ympyröitä."\n'
            f'caption = "Kuvitus {index + 1}."\n'
        )
    (folder / "kuvat" / "kuvat.toml").write_text("\n".join(manifest), encoding="utf-8")

    data = []
    for index in range(CHARTS):
        ident = f"kysely-{index + 1:02d}"
        rows = ["tunnus,kysymys," + ",".join(SCALE)]
        for row in range(5):
            counts = [rng.randrange(10, 200) for _ in SCALE]
            rows.append(f"v{row + 1},Väittämä {row + 1} kyselyssä {index + 1}," + ",".join(
                str(c) for c in counts))  # fmt: skip
        (folder / "data" / f"{ident}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        data.append(
            f'[{ident}]\nfile = "{ident}.csv"\nkind = "likert"\n'
            f'title = "Kysely {index + 1}"\nscale = {SCALE!r}\n'.replace("'", '"')
            + 'source = "Generoitu aineisto"\n'
        )
    (folder / "data" / "data.toml").write_text("\n".join(data), encoding="utf-8")

    pictures = iter(range(ILLUSTRATIONS))
    tables = iter(range(TABLES))
    charts = iter(range(CHARTS))
    for number in range(CHAPTERS):
        blocks = [f"---\ntitle: Stressiluku {number + 1}\n---\n"]
        for section in range(3):
            blocks.append(f"## Osio {number + 1}.{section + 1}")
            for _ in range(23):
                blocks.append(rng.choice(paragraphs))
            if (picture := next(pictures, None)) is not None:
                blocks.append(f"![[kuva-{picture + 1:02d}]]")
            if section < 2 and (table := next(tables, None)) is not None:
                blocks.append(
                    "| Kohde | Arvio | Muutos |\n|---|---|---|\n"
                    + "\n".join(
                        f"| Rivi {r + 1} taulukossa {table + 1} | {rng.randrange(100)} % "
                        f"| {rng.randrange(-9, 10)} |"
                        for r in range(6)
                    )
                )
            if section == 1 and (chart := next(charts, None)) is not None:
                blocks.append(f"![[kuvio:kysely-{chart + 1:02d}]]")
            if section == 2:
                blocks.append(_exercise(number + 1))
        (folder / "chapters" / f"{number + 1:02d}-luku-{number + 1}.md").write_text(
            "\n\n".join(blocks) + "\n", encoding="utf-8"
        )
    appendix = (
        "---\ntitle: Liite\nnumbered: false\n---\n\n![[kuvioluettelo]]\n\n![[kuvioiden-taulukot]]\n"
    )
    (folder / "chapters" / "99-liite.md").write_text(appendix, encoding="utf-8")
    return folder / "publication.toml"
