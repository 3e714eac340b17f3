"""The two line-art deliverables of the drawing script: the path of footprints
(polku.svg) and the ornament (koriste.svg), with the curve helpers they use.
Written by draw.py; an illustrator's tool, not part of the book build.
"""

from __future__ import annotations

import itertools
import math

from kit import (
    CORAL_D,
    INK,
    TEAL,
    circle,
    ellipse,
    group,
    line,
    n,
    path,
    rect,
    svg_doc,
)


def _bezier_points(segs, steps=200):
    """Sample a chain of cubic Bezier segments [(p0, c1, c2, p3), ...]."""
    pts = []
    for p0, c1, c2, p3 in segs:
        for i in range(steps + (1 if (p0, c1, c2, p3) == segs[-1] else 0)):
            t = i / steps
            mt = 1 - t
            x = mt ** 3 * p0[0] + 3 * mt * mt * t * c1[0] + 3 * mt * t * t * c2[0] + t ** 3 * p3[0]
            y = mt ** 3 * p0[1] + 3 * mt * mt * t * c1[1] + 3 * mt * t * t * c2[1] + t ** 3 * p3[1]
            pts.append((x, y))
    return pts


def _smooth_chain(points, tension=0.2):
    """Cubic segments through points (Catmull-Rom style)."""
    segs = []
    for i in range(len(points) - 1):
        p0 = points[i - 1] if i else points[i]
        p1, p2 = points[i], points[i + 1]
        p3 = points[i + 2] if i + 2 < len(points) else p2
        c1 = (p1[0] + (p2[0] - p0[0]) * tension, p1[1] + (p2[1] - p0[1]) * tension)
        c2 = (p2[0] - (p3[0] - p1[0]) * tension, p2[1] - (p3[1] - p1[1]) * tension)
        segs.append((p1, c1, c2, p2))
    return segs


def _seg_d(segs):
    return " ".join(f"C{n(c1[0])},{n(c1[1])} {n(c2[0])},{n(c2[1])} {n(p3[0])},{n(p3[1])}"
                    for _, c1, c2, p3 in segs)


def footprint(x, y, ang, side, col, size=1.0):
    """One shoe print pointing along ang (degrees), side = -1 left / +1 right."""
    return group([ellipse(0, 0, 9.5 * size, 6 * size, col, None, 0),
                  ellipse(-15 * size, 0.6 * side * size, 5.2 * size, 4.4 * size, col, None, 0)],
                 f"translate({n(x)},{n(y)}) rotate({n(ang)})")


def polku() -> str:
    """Line art: a path from a small door to an open book, with footprints."""
    W, H = 1200, 600
    ACC = CORAL_D
    sw, sw2 = 6.0, 4.0
    out = ['<g transform="translate(0,-58)">']
    # the winding route from the door to the book
    route = [(200, 468), (300, 528), (440, 514), (530, 440), (500, 360), (580, 296),
             (700, 310), (770, 410), (860, 492), (962, 452)]
    segs = _smooth_chain(route)
    # one continuous line: ground, door, route, book
    bx, btop, bbot = 1045, 282, 420   # spine x, spine top, spine bottom
    d = ("M36,468 L92,468 L92,300 C92,236 188,236 188,300 L188,468 L200,468 "
         + _seg_d(segs)
         + f" C{n(2 * route[-1][0] - segs[-1][2][0])},{n(2 * route[-1][1] - segs[-1][2][1])}"
           f" {bx - 14},{bbot + 4} {bx},{bbot}"
         + f" C{bx - 36},{bbot - 18} {bx - 84},{bbot - 16} {bx - 112},{bbot - 6}"
         + f" L{bx - 108},{btop - 8}"
         + f" C{bx - 80},{btop - 20} {bx - 30},{btop - 14} {bx},{btop}"
         + f" C{bx + 30},{btop - 14} {bx + 80},{btop - 20} {bx + 108},{btop - 8}"
         + f" L{bx + 112},{bbot - 6}"
         + f" C{bx + 84},{bbot - 16} {bx + 36},{bbot - 18} {bx},{bbot}"
         + f" L{bx},{btop}")
    out.append(path(d, "none", INK, sw, stroke_linecap="round"))
    # door details: panels, handle, a little step
    out.append(path("M112,300 C112,262 168,262 168,300 L168,360 L112,360 Z", "none", INK, sw2))
    out.append(rect(112, 384, 56, 62, "none", INK, sw2, rx=4))
    out.append(circle(176, 380, 5, "none", INK, sw2))
    out.append(path("M80,486 L200,486", "none", INK, sw2, stroke_linecap="round"))
    # the covers under the pages and lines of text as plain strokes
    out.append(path(f"M{bx - 120},{bbot + 2} C{bx - 80},{bbot - 6} {bx - 30},{bbot - 2} "
                    f"{bx},{bbot + 14} C{bx + 30},{bbot - 2} {bx + 80},{bbot - 6} "
                    f"{bx + 120},{bbot + 2}", "none", INK, sw2, stroke_linecap="round"))
    for i in range(5):
        y = btop + 26 + i * 22
        out.append(path(f"M{bx - 92},{y + 2} Q{bx - 56},{y - 8} {bx - 16},{y + 2}", "none", INK,
                        sw2 * 0.75, stroke_linecap="round"))
        if i != 2:
            out.append(path(f"M{bx + 16},{y + 2} Q{bx + 56},{y - 8} {bx + 92},{y + 2}", "none",
                            INK, sw2 * 0.75, stroke_linecap="round"))
    # accent: ribbon bookmark and a few sparks of light above the book
    out.append(path(f"M{bx + 4},{bbot + 8} L{bx + 6},{bbot + 54} L{bx + 16},{bbot + 44} "
                    f"L{bx + 26},{bbot + 54} L{bx + 22},{bbot + 4}", "none", ACC, sw2,
                    stroke_linecap="round"))
    for a, r0, r1 in ((-150, 58, 96), (-120, 56, 100), (-90, 62, 112), (-60, 56, 100),
                      (-30, 58, 96)):
        ca, sa = math.cos(math.radians(a)), math.sin(math.radians(a))
        cx_, cy_ = bx, btop - 30
        out.append(line([(cx_ + ca * r0, cy_ + sa * r0), (cx_ + ca * r1, cy_ + sa * r1)], ACC,
                        sw))
    # a light above the door
    for a in (-150, -120, -90, -60, -30):
        ca, sa = math.cos(math.radians(a)), math.sin(math.radians(a))
        out.append(line([(140 + ca * 80, 276 + sa * 80), (140 + ca * 104, 276 + sa * 104)], ACC,
                        sw2))
    # footprints along the route, alternating feet
    pts = _bezier_points(segs, 240)
    acc = [0.0]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        acc.append(acc[-1] + math.hypot(x1 - x0, y1 - y0))
    total = acc[-1]
    step = 58
    k = 0
    dist = 40
    j = 0
    while dist < total - 40:
        while acc[j + 1] < dist:
            j += 1
        (x0, y0), (x1, y1) = pts[j], pts[j + 1]
        ang = math.degrees(math.atan2(y1 - y0, x1 - x0))
        side = -1 if k % 2 == 0 else 1
        nx_, ny_ = -(y1 - y0), (x1 - x0)
        ln = math.hypot(nx_, ny_) or 1
        off = 17 * side
        out.append(footprint(x0 + nx_ / ln * off, y0 + ny_ / ln * off, ang, side, ACC, 1.15))
        dist += step
        k += 1
    out.append("</g>")
    return svg_doc(W, H, out, pixel_size=False)


def koriste() -> str:
    """Line art: a small vignette of three stacked books and a leaf."""
    W, H = 400, 120
    ACC = TEAL
    sw, sw2 = 4.0, 3.0
    out = []
    base = 100

    def book(x, y, w, h, rot=0.0):
        items = [rect(0, -h, w, h, "none", INK, sw, rx=4),
                 path(f"M16,{-h} L16,0", "none", INK, sw2),
                 path(f"M{n(w * 0.5)},{n(-h * 0.64)} L{w - 8},{n(-h * 0.64)} "
                      f"M{n(w * 0.42)},{n(-h * 0.34)} L{w - 8},{n(-h * 0.34)}", "none", INK,
                      sw2 * 0.85, stroke_linecap="round")]
        return group(items, f"translate({n(x)},{n(y)}) rotate({n(rot)})")
    out.append(book(132, base, 136, 24))
    out.append(book(144, base - 24, 118, 21))
    out.append(book(150, base - 46, 104, 19, rot=-3))
    # flourishes to both sides
    out.append(path(f"M122,{base - 4} C96,{base - 4} 84,{base - 22} 64,{base - 16} "
                    f"C48,{base - 11} 52,{base + 6} 66,{base + 2} C74,{base - 1} 70,{base - 10} "
                    f"62,{base - 8}", "none", INK, sw2, stroke_linecap="round"))
    out.append(path(f"M278,{base - 4} C304,{base - 4} 316,{base - 22} 336,{base - 16} "
                    f"C352,{base - 11} 348,{base + 6} 334,{base + 2} C326,{base - 1} 330,"
                    f"{base - 10} 338,{base - 8}", "none", INK, sw2, stroke_linecap="round"))
    out.append(circle(30, base - 10, 4, ACC))
    out.append(circle(370, base - 10, 4, ACC))
    out.append(line([(42, base - 10), (50, base - 10)], INK, sw2))
    out.append(line([(350, base - 10), (358, base - 10)], INK, sw2))
    # a leafy sprig growing from behind the top book
    stem = f"M226,{base - 69} C240,{base - 78} 258,{base - 82} 286,{base - 80}"
    out.append(path(stem, "none", INK, sw2, stroke_linecap="round"))

    def leaf(x, y, ang, ln, wd):
        d = f"M0,0 C{n(ln * 0.3)},{n(-wd)} {n(ln * 0.75)},{n(-wd)} {n(ln)},0 " \
            f"C{n(ln * 0.75)},{n(wd)} {n(ln * 0.3)},{n(wd)} 0,0 Z"
        return group([path(d, ACC, None, 0),
                      path(f"M{n(ln * 0.12)},0 L{n(ln * 0.72)},0", "none", INK, 2.5,
                           stroke_linecap="round")],
                     f"translate({n(x)},{n(y)}) rotate({n(ang)})")
    out.append(leaf(286, base - 80, 4, 42, 9))
    out.append(leaf(258, base - 81, -30, 25, 6.5))
    out.append(leaf(240, base - 76, -156, 26, 7))
    return svg_doc(W, H, out, pixel_size=False)
