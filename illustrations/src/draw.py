"""Veera Koski's drawing script: writes the SVG originals of the illustrations.

    python illustrations/src/draw.py      # from the repository root

writes src/kohtaaminen.svg, src/hyllyjen-valissa.svg, src/automaatti.svg,
src/neuvonta.svg and src/tyopaja.svg (rasterised by render.py) and the two
line-art deliverables polku.svg and koriste.svg in illustrations/.
Like render.py this is an illustrator's tool, not part of the book build.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kit import (
    CORAL,
    CORAL_D,
    CORAL_L,
    CREAM,
    CREAM_D,
    CREAM_DD,
    GREY,
    GREY_L,
    HAIR,
    INK,
    PAPER,
    SKIN,
    SLATE,
    SOFT_BOOK_COLS,
    TEAL,
    TEAL_D,
    TEAL_L,
    TEAL_M,
    TEAL_XL,
    WOOD,
    WOOD_D,
    YELLOW,
    YELLOW_D,
    YELLOW_L,
    bookcase,
    circle,
    ellipse,
    group,
    held_book,
    line,
    n,
    path,
    person,
    plant,
    poly,
    rect,
    shadow,
    svg_doc,
    tube,
)
from lineart import koriste, polku

SRC = Path(__file__).resolve().parent
OUT = SRC.parent


def lamp(cx, y_top, cord, r, lw, col=YELLOW):
    """A pendant lamp hanging from y_top."""
    y = y_top + cord
    return [line([(cx, y_top), (cx, y)], INK, lw * 1.2),
            circle(cx, y + r * 0.62, r * 0.26, PAPER, INK, lw),
            path(f"M{n(cx - r)},{n(y + r * 0.62)} C{n(cx - r)},{n(y - r * 0.2)} "
                 f"{n(cx - r * 0.5)},{n(y - r * 0.1)} {n(cx - r * 0.28)},{n(y)} "
                 f"L{n(cx + r * 0.28)},{n(y)} C{n(cx + r * 0.5)},{n(y - r * 0.1)} "
                 f"{n(cx + r)},{n(y - r * 0.2)} {n(cx + r)},{n(y + r * 0.62)} Z", col, INK, lw),
            rect(cx - r * 0.22, y - r * 0.16, r * 0.44, r * 0.2, INK, INK, lw, rx=lw)]


def bunting(x0, x1, y0, sag, flags, size, lw, cols=(CORAL, YELLOW, TEAL_M, CREAM_D)):
    """A garland of triangular flags hanging between x0 and x1."""
    def at(t):
        return x0 + (x1 - x0) * t, y0 + sag * 4 * t * (1 - t)
    out = [path(f"M{n(x0)},{n(y0)} Q{n((x0 + x1) / 2)},{n(y0 + sag * 2)} {n(x1)},{n(y0)}",
                "none", INK, lw * 1.1)]
    for i in range(flags):
        t0 = (i + 0.12) / flags
        t1 = (i + 0.88) / flags
        (ax, ay), (bx, by) = at(t0), at(t1)
        mx, my = (ax + bx) / 2, (ay + by) / 2
        out.append(poly([(ax, ay), (bx, by), (mx, my + size)], cols[i % len(cols)], INK, lw))
    return out


def desk_monitor_back(cx, base, w, h, lw):
    """A computer screen seen from behind, standing on base."""
    return [rect(cx - w * 0.09, base - h * 0.35, w * 0.18, h * 0.36, GREY, INK, lw),
            rect(cx - w * 0.28, base - h * 0.06, w * 0.56, h * 0.07, GREY, INK, lw, rx=lw),
            rect(cx - w / 2, base - h, w, h * 0.7, SLATE, INK, lw, rx=lw * 3),
            rect(cx - w * 0.2, base - h * 0.82, w * 0.4, h * 0.3, "#5d6278", INK, lw * 0.7,
                 rx=lw * 2)]


# -----------------------------------------------------------------------------
def kohtaaminen() -> str:
    """Full page: a welcome at the service desk."""
    W, H = 2079, 2906
    rnd = random.Random(11)
    lw, blw = 6.0, 4.2
    floor = 2330
    b = [rect(-10, -10, W + 20, H + 20, CREAM)]
    # wall, lamps, bunting
    b.append(rect(-10, -10, W + 20, 640, YELLOW_L))
    b += bunting(-30, W + 30, 150, 150, 11, 130, blw)
    for cx in (420, 1040, 1660):
        b += lamp(cx, -20, 330 if cx != 1040 else 380, 120, blw, CORAL if cx == 1040 else TEAL_M)
    # bookcases running off both edges
    for x in (-60, 680, 1420):
        b += bookcase(x, 640, 720, floor - 640, 6, rnd, blw, frame=TEAL_L, back=TEAL_XL,
                      cols=SOFT_BOOK_COLS)
    # floor and rug
    b.append(rect(-10, floor, W + 20, H - floor + 20, CREAM_D, INK, blw))
    b.append(rect(-10, floor, W + 20, 26, CREAM_DD, INK, blw))
    for yy in (2450, 2640, 2830):
        b.append(line([(-10, yy), (W + 10, yy)], CREAM_DD, blw * 1.4))
    b.append(ellipse(1390, 2620, 700, 150, TEAL_L, INK, blw))
    b.append(ellipse(1390, 2620, 610, 112, "none", CREAM, blw * 2.2))

    # the service desk with the librarian behind it
    staff = person(700, floor, 13.2, lw_px=lw, hair="bob", hair_col=HAIR["dark"],
                   skin=SKIN["tan"], top=TEAL, badge=CORAL, look=0.7, mouth="open",
                   earring=YELLOW, open_hands=("R",),
                   arms=(("to", 560, 1752, 1), ("a", 62, 158)))
    b.append(staff.svg())
    b += desk_monitor_back(330, 1742, 300, 270, blw)
    # desk
    b.append(rect(130, 1730, 1100, 70, WOOD, INK, lw, rx=8))
    b.append(rect(160, 1800, 1040, floor - 1800 + 4, TEAL, INK, lw))
    b.append(rect(220, 1860, 440, 330, TEAL_M, INK, blw, rx=10))
    b.append(rect(700, 1860, 440, 330, TEAL_M, INK, blw, rx=10))
    b.append(rect(160, 2240, 1040, 30, CORAL, INK, blw))
    # things on the desk: books and a small plant
    y = 1730
    for w_, h_, c in ((250, 50, CORAL), (230, 44, YELLOW), (260, 54, TEAL_M)):
        b.append(rect(960 - w_ / 2, y - h_, w_, h_, c, INK, blw, rx=6))
        b.append(rect(960 + w_ / 2 - 40, y - h_, 18, h_, PAPER, INK, blw * 0.7))
        y -= h_
    b += plant(1130, 1730, 90, blw, pot=YELLOW)
    # staff hand resting on the desk drawn again over the desk top
    b.append(group([circle(*staff.local_hand["L"], 3.4, SKIN["tan"], INK, lw / 13.2)],
                   f"translate(700,{floor}) scale(13.2)"))

    # a big plant in the foreground
    b += plant(300, 2770, 190, lw, pot=CORAL, rnd=random.Random(5))
    # grandfather with a walking stick, and a child waving
    gx, gy, gs = 1660, 2560, 14.0
    kx, ky, ks = 1120, 2590, 14.6
    meet = (1478, 2024)
    b.append(shadow(gx + 40, gy + 8, 260, 34, CREAM_DD))
    b.append(shadow(kx, ky + 8, 170, 28, CREAM_DD))
    grand = person(gx, gy, gs, lw_px=lw, hair="bald", hair_col=HAIR["grey"], skin=SKIN["rosy"],
                   top=CREAM, jacket=CORAL_D, bottom=SLATE, neckline="collar",
                   moustache=HAIR["grey"], glasses=True, look=-0.8, belly=1.5, shoe="#5a3b2a",
                   arms=(("to", meet[0], meet[1], 1), ("a", 24, 4)))
    hx, hy = grand.hand["R"]
    stick = (f"M{n(hx + 10)},{n(hy)} L{n(hx + 60)},{n(gy + 6)}")
    handle = (f"M{n(hx - 40)},{n(hy + 26)} Q{n(hx - 40)},{n(hy - 34)} {n(hx + 4)},{n(hy - 30)} "
              f"Q{n(hx + 14)},{n(hy - 26)} {n(hx + 10)},{n(hy)}")
    b.append(grand.body + grand.head)
    b.append(tube(stick, 15, WOOD_D, lw, cap="round"))
    b.append(tube(handle, 15, WOOD_D, lw, cap="round"))
    b.append(grand.hands)
    kid = person(kx, ky, ks, kid=True, lw_px=lw, hair="pony", hair_col=HAIR["ginger"],
                 top=YELLOW, skirt=TEAL, shoe=CORAL_D, look=-0.9, mouth="open",
                 open_hands=("L",),
                 arms=(("a", 142, 176), ("to", meet[0] - 6, meet[1] + 4, -1)))
    b.append(kid.svg())
    # the clasped hands on top
    b.append(circle(meet[0], meet[1], 3.4 * gs, SKIN["rosy"], INK, lw))
    return svg_doc(W, H, b)


def book_cart(x, base, w, h, lw, rnd):
    """A library trolley with two shelves of books, wheels on base."""
    out = []
    wr = h * 0.07
    top = base - h
    out.append(rect(x, top, w * 0.05, h - wr, TEAL_D, INK, lw))
    out.append(rect(x + w * 0.95, top, w * 0.05, h - wr, TEAL_D, INK, lw))
    for _i, yy in enumerate((top + h * 0.36, top + h * 0.78)):
        out += _books_on(x + w * 0.06, x + w * 0.94, yy, h * 0.3, rnd, lw)
        out.append(rect(x - w * 0.02, yy, w * 1.04, h * 0.05, TEAL, INK, lw, rx=lw))
    out.append(path(f"M{n(x + w * 0.97)},{n(top)} q{n(w * 0.02)},{n(-h * 0.12)} {n(w * 0.14)},"
                    f"{n(-h * 0.14)}", "none", INK, lw * 3.6, stroke_linecap="round"))
    out.append(path(f"M{n(x + w * 0.97)},{n(top)} q{n(w * 0.02)},{n(-h * 0.12)} {n(w * 0.14)},"
                    f"{n(-h * 0.14)}", "none", TEAL_D, lw * 1.6, stroke_linecap="round"))
    for wx in (x + w * 0.1, x + w * 0.9):
        out.append(circle(wx, base - wr, wr, SLATE, INK, lw))
        out.append(circle(wx, base - wr, wr * 0.35, GREY_L, INK, lw * 0.7))
    return out


def _books_on(x0, x1, base, hmax, rnd, lw):
    from kit import BOOK_COLS, book_row
    return book_row(x0, x1, base, hmax, rnd, lw, BOOK_COLS, gaps=False)


def end_panel(x, y, w, h, lw, col=TEAL):
    """The end of a bookcase seen straight on, with a blank shelf-label plate."""
    return [rect(x, y, w, h, col, INK, lw),
            rect(x + w * 0.12, y + h * 0.04, w * 0.76, h * 0.92, TEAL_M, INK, lw * 0.8),
            rect(x + w * 0.2, y + h * 0.12, w * 0.6, h * 0.1, PAPER, INK, lw, rx=lw),
            rect(x + w * 0.2, y + h * 0.12, w * 0.6, h * 0.03, YELLOW, INK, lw * 0.8)]


def hyllyjen_valissa() -> str:
    """Chapter-opener band: looking for a book between the shelves."""
    W, H = 2079, 1300
    rnd = random.Random(23)
    lw, blw = 5.0, 3.6
    wall = 1100
    floor = 1160
    b = [rect(-10, -10, W + 20, H + 20, CREAM)]
    # back shelves, running off the top
    for x in (120, 740, 1360):
        b += bookcase(x, -40, 610, wall + 40, 5, rnd, blw, frame=TEAL_L, back=TEAL_XL,
                      cols=SOFT_BOOK_COLS)
    b.append(rect(-10, wall, W + 20, H - wall + 20, CREAM_D, INK, blw))
    for yy in (wall + 120, wall + 170):
        b.append(path(f"M-10,{yy} L{W + 10},{yy}", "none", CREAM_DD, blw * 1.4))
    # a runner rug along the aisle
    b.append(path(f"M230,{floor - 40} L1850,{floor - 40} L1910,{floor + 40} L170,{floor + 40} Z",
                  TEAL_L, INK, blw))
    b.append(path(f"M272,{floor - 24} L1808,{floor - 24} L1846,{floor + 24} L234,{floor + 24} Z",
                  "none", CREAM, blw * 1.6))

    # the customer, looking up and reaching for a book high up
    cx, cs = 690, 9.3
    reach = (412, 352)
    b.append(shadow(cx, floor + 4, 160, 20, "#7fb2a6"))
    # the book being reached for sticks out of the shelf a little
    b.append(rect(reach[0] - 40, reach[1] - 120, 46, 150, CORAL, INK, lw, rx=4))
    b.append(rect(reach[0] - 40, reach[1] - 96, 46, 14, PAPER, INK, lw * 0.7))
    cust = person(cx, floor, cs, lw_px=lw, hair="curly", hair_col=HAIR["black"],
                  skin=SKIN["brown"], top=YELLOW, bottom=TEAL_D, backpack=CORAL, look=-0.6,
                  look_y=-1.2, mouth="smile", shoe=CORAL_D,
                  arms=(("to", reach[0], reach[1], -1), ("a", 16, -42)))
    nx_, ny_ = cust.hand["R"]
    note = group([rect(-30, -40, 60, 70, PAPER, INK, lw * 0.8),
                  line([(-18, -22), (18, -22)], GREY_L, lw),
                  line([(-18, -6), (10, -6)], GREY_L, lw),
                  line([(-18, 10), (14, 10)], GREY_L, lw)],
                 f"translate({n(nx_ + 6)},{n(ny_ - 24)}) rotate(-8)")
    b.append(cust.svg(between=note))
    # the staff member steps in from the book trolley
    sx, ss = 1330, 9.3
    b += book_cart(1560, floor, 380, 520, blw, rnd)
    b.append(shadow(sx - 10, floor + 4, 180, 20, "#7fb2a6"))
    staff = person(sx, floor, ss, lw_px=lw, hair="long", hair_col=HAIR["blonde"],
                   skin=SKIN["light"], top=CORAL, bottom=SLATE, badge=TEAL, neckline="collar",
                   look=-0.8, mouth="open", legs="walk_l", shoe=TEAL_D,
                   open_hands=("L",), arms=(("a", 52, 84), ("a", 14, 2)))
    hx, hy = staff.hand["R"]
    books = held_book(hx + 18, hy - 20, 105, 140, TEAL, lw, angle=8)
    b.append(staff.svg(between=books))
    return svg_doc(W, H, b)


def kiosk_screen(x0, y0, w, h, lw):
    """The screen of the loan machine: simple shapes, no words."""
    out = [rect(x0, y0, w, h, TEAL_XL, INK, lw, rx=lw * 2)]
    out.append(rect(x0, y0, w, h * 0.16, TEAL_M, INK, lw, rx=lw * 2))
    # a book icon
    bx, by = x0 + w * 0.14, y0 + h * 0.3
    out.append(rect(bx, by, w * 0.22, h * 0.42, CORAL, INK, lw, rx=lw))
    out.append(rect(bx + w * 0.03, by, w * 0.19, h * 0.42, PAPER, INK, lw * 0.7))
    out.append(rect(bx, by, w * 0.19, h * 0.42, CORAL, INK, lw, rx=lw))
    # lines of "text" as soft bars
    for i, ww in enumerate((0.38, 0.3, 0.34)):
        out.append(rect(x0 + w * 0.45, y0 + h * (0.32 + i * 0.13), w * ww, h * 0.06, TEAL_L,
                        None, 0, rx=h * 0.03))
    # a big round OK button with a tick
    out.append(circle(x0 + w * 0.8, y0 + h * 0.82, h * 0.11, YELLOW, INK, lw))
    out.append(path(f"M{n(x0 + w * 0.765)},{n(y0 + h * 0.82)} l{n(h * 0.04)},{n(h * 0.045)} "
                    f"l{n(h * 0.07)},{n(-h * 0.085)}", "none", INK, lw * 1.2,
                    stroke_linecap="round"))
    return out


def automaatti() -> str:
    """Inline: the self-service loan machine."""
    W, H = 1100, 1000
    lw, blw = 4.2, 3.2
    floor = 905
    b = [rect(-10, -10, W + 20, H + 20, CREAM)]
    b.append(rect(60, 60, 980, floor - 60, TEAL_XL, INK, blw, rx=40))
    # a framed picture on the wall above the machine
    b.append(rect(455, 90, 200, 130, WOOD, INK, blw, rx=6))
    b.append(rect(471, 106, 168, 98, "#bfe0e6", INK, blw))
    b.append(circle(600, 135, 14, YELLOW, INK, blw * 0.8))
    b.append(path("M471,190 Q520,140 565,178 Q600,155 639,180 L639,204 L471,204 Z", TEAL_L,
                  INK, blw * 0.8))
    b.append(rect(-10, floor, W + 20, H - floor + 20, CREAM_D, INK, blw))
    b.append(line([(-10, floor + 52), (W + 10, floor + 52)], CREAM_DD, blw * 1.3))

    # the loan machine
    kx = 555
    b.append(shadow(kx, floor + 6, 150, 16))
    b.append(rect(kx - 120, floor - 40, 240, 46, TEAL_D, INK, lw, rx=8))
    b.append(path(f"M{kx - 85},{floor - 40} L{kx - 95},520 L{kx + 95},520 "
                  f"L{kx + 85},{floor - 40} Z", TEAL, INK, lw))
    b.append(rect(kx - 60, 640, 120, 190, TEAL_M, INK, blw, rx=10))
    b.append(rect(kx - 40, 668, 80, 14, INK, INK, blw, rx=7))       # receipt slot
    b.append(path(f"M{kx - 28},{675} L{kx + 28},{675} L{kx + 24},{745} L{kx - 24},{748} Z",
                  PAPER, INK, blw * 0.8))                          # receipt
    b.append(line([(kx - 14, 700), (kx + 14, 700)], GREY_L, blw))
    b.append(line([(kx - 14, 720), (kx + 8, 720)], GREY_L, blw))
    b.append(rect(kx - 40, 668, 80, 12, INK, INK, blw, rx=6))
    b.append(rect(kx - 50, 780, 100, 30, CORAL, INK, blw, rx=8))     # card reader
    b.append(rect(kx - 30, 792, 60, 6, INK, INK, 0, rx=3))
    # reader shelf where the book is laid
    b.append(path(f"M{kx - 150},515 L{kx + 150},515 L{kx + 130},560 L{kx - 130},560 Z", YELLOW,
                  INK, lw))
    b.append(path(f"M{kx - 95},520 L{kx + 95},520 L{kx + 85},548 L{kx - 85},548 Z", YELLOW_D,
                  INK, blw))
    # screen head
    b.append(path(f"M{kx - 150},250 L{kx + 150},250 L{kx + 160},500 L{kx - 160},500 Z", SLATE,
                  INK, lw))
    b += kiosk_screen(kx - 125, 275, 250, 200, blw)
    b.append(circle(kx, 488, 5, YELLOW, INK, blw * 0.6))

    # the customer lays a book on the reader
    cx, cs = 235, 7.5
    book_at = (470, 518)
    b.append(shadow(cx, floor + 4, 120, 14))
    cust = person(cx, floor, cs, lw_px=lw, hair="cap", hair_col=CORAL, skin=SKIN["light"],
                  top=TEAL_M, bottom=SLATE, backpack=YELLOW_D, neckline="turtle", look=0.8,
                  look_y=0.4, shoe=CORAL_D,
                  arms=(("a", 10, 4), ("to", book_at[0] - 8, book_at[1] - 30, 1)))
    bk = (f'<g transform="translate({book_at[0] + 34},{book_at[1] - 14}) rotate(-4)">'
          + rect(-70, -22, 140, 30, CORAL_D, INK, lw, rx=5)
          + rect(-66, -14, 130, 16, PAPER, INK, blw * 0.7) + rect(-70, -22, 140, 10, CORAL_D,
                                                                  INK, lw, rx=4) + "</g>")
    b.append(cust.svg(between=bk))
    # the staff member points at the screen
    sx, ss = 875, 7.7
    b.append(shadow(sx, floor + 4, 120, 14))
    staff = person(sx, floor, ss, lw_px=lw, hair="short", hair_col=HAIR["dark"],
                   skin=SKIN["tan"], top=PAPER, jacket=CORAL, bottom=TEAL_D, badge=TEAL,
                   neckline="collar", glasses=True, look=-0.8, mouth="open", shoe=INK,
                   arms=(("to", kx + 122, 452, -1), ("a", 10, 4)))
    b.append(staff.svg())
    # a pointing finger over the screen
    hx, hy = staff.hand["L"]
    b.append(path(f"M{n(hx)},{n(hy)} L{n(hx - 34)},{n(hy - 6)}", "none", INK, lw * 2 + 10,
                  stroke_linecap="round"))
    b.append(path(f"M{n(hx)},{n(hy)} L{n(hx - 34)},{n(hy - 6)}", "none", SKIN["tan"], 10,
                  stroke_linecap="round"))
    b.append(circle(hx, hy, 3.4 * ss, SKIN["tan"], INK, lw))
    return svg_doc(W, H, b)


def monitor_front(x0, y0, x1, h0, h1, lw):
    """A screen turned towards the left: left edge x0 (height h0), right edge x1 (h1)."""
    c0, c1 = y0, y0 + (h0 - h1) / 2
    out = [path(f"M{n(x0)},{n(c0)} L{n(x1)},{n(c1)} L{n(x1)},{n(c1 + h1)} L{n(x0)},{n(c0 + h0)} Z",
                SLATE, INK, lw)]
    m = 14

    def P(u, v):  # u 0..1 left-right, v 0..1 top-bottom inside the bezel
        top = c0 + m + (c1 - c0) * u
        hh = (h0 - 2 * m) + ((h1 - 2 * m) - (h0 - 2 * m)) * u
        return (x0 + m + (x1 - x0 - 2 * m) * u, top + hh * v)

    def quad(u0, v0, u1, v1, fill, sw=lw * 0.7, stroke=INK):
        pts = [P(u0, v0), P(u1, v0), P(u1, v1), P(u0, v1)]
        return poly(pts, fill, stroke, sw)
    out.append(quad(0, 0, 1, 1, PAPER, lw))
    out.append(quad(0, 0, 1, 0.14, TEAL_M))
    out.append(quad(0.08, 0.22, 0.78, 0.33, PAPER))          # a search box
    out.append(quad(0.8, 0.22, 0.93, 0.33, CORAL))
    for i, col in enumerate((YELLOW, CORAL_L, TEAL_L)):       # three book covers
        u = 0.08 + i * 0.3
        out.append(quad(u, 0.42, u + 0.22, 0.78, col))
        out.append(quad(u + 0.03, 0.84, u + 0.2, 0.89, GREY_L, 0, None))
    return out


def neuvonta() -> str:
    """Half page: help at the library computer."""
    W, H = 1600, 1100
    lw, blw = 4.6, 3.4
    floor = 1010
    rnd = random.Random(5)
    b = [rect(-10, -10, W + 20, H + 20, CREAM)]
    # window with a tree outside, a low shelf at the back right
    b.append(rect(120, 110, 420, 380, PAPER, INK, blw, rx=10))
    b.append(rect(142, 132, 376, 336, "#bfe0e6", INK, blw, rx=4))
    b.append(circle(250, 330, 110, TEAL_L, INK, blw))
    b.append(circle(360, 290, 90, TEAL_M, INK, blw))
    b.append(rect(290, 370, 26, 98, WOOD_D, INK, blw))
    b.append(line([(330, 132), (330, 468)], PAPER, blw * 3))
    b.append(line([(142, 300), (518, 300)], PAPER, blw * 3))
    b.append(rect(120, 110, 420, 380, "none", INK, blw, rx=10))
    b.append(rect(100, 480, 460, 26, PAPER, INK, blw, rx=6))
    b += bookcase(1130, 250, 360, 420, 2, rnd, blw, frame=TEAL_L, back=TEAL_XL,
                  cols=SOFT_BOOK_COLS)
    b.append(rect(-10, floor, W + 20, H - floor + 20, CREAM_D, INK, blw))
    b.append(line([(-10, floor + 50), (W + 10, floor + 50)], CREAM_DD, blw * 1.3))

    # the staff member standing behind the desk, leaning in
    sx, ss = 1130, 8.4
    screen_pt = (820, 470)
    staff = person(sx, floor - 12, ss, lw_px=lw, hair="bun", hair_col=HAIR["brown"],
                   skin=SKIN["rosy"], top=TEAL, bottom=SLATE, badge=CORAL, neckline="v",
                   look=-0.9, look_y=0.3, mouth="open", shoe=TEAL_D,
                   arms=(("to", screen_pt[0] + 30, screen_pt[1] + 10, -1),
                         ("to", sx + 60, 640, -1)))
    b.append(shadow(sx, floor - 8, 120, 14))
    b.append(staff.body + staff.head)
    # the customer on an office chair
    cx, cs = 470, 8.2
    b.append(rect(cx - 115, 430, 230, 310, CORAL, INK, lw, rx=40))           # chair back
    b.append(rect(cx - 92, 452, 184, 262, CORAL_L, INK, blw, rx=30))
    b.append(shadow(cx, floor + 2, 150, 16))
    b.append(rect(cx - 12, 800, 24, 170, GREY, INK, blw))
    b.append(path(f"M{cx - 130},985 L{cx},950 L{cx + 130},985", "none", INK, 22 + 2 * blw,
                  stroke_linecap="round"))
    b.append(path(f"M{cx - 130},985 L{cx},950 L{cx + 130},985", "none", SLATE, 22,
                  stroke_linecap="round"))
    for wx in (cx - 130, cx + 130):
        b.append(circle(wx, 996, 14, INK, INK, 0))
    cust = person(cx, floor + 11 * cs, cs, lw_px=lw, hair="bob", hair_col=HAIR["grey"],
                  skin=SKIN["brown"], top=CORAL, jacket=TEAL_D, bottom=SLATE, legs="sit",
                  neckline="round", glasses=True, look=0.9, look_y=0.3, earring=YELLOW,
                  shoe=CORAL_D, arms=(("a", 8, 3), ("to", 640, 652, 1)))
    b.append(cust.body + cust.head + cust.hand_svg["L"])
    # the desk
    b.append(rect(245, 760, 40, floor - 760, TEAL_D, INK, lw))
    b.append(rect(1315, 760, 40, floor - 760, TEAL_D, INK, lw))
    b.append(rect(200, 640, 1200, 40, WOOD, INK, lw, rx=8))
    b.append(rect(230, 680, 1140, 110, TEAL, INK, lw))
    b.append(rect(230, 770, 1140, 20, TEAL_D, INK, blw))
    # computer
    b.append(rect(865, 610, 40, 36, GREY, INK, blw))
    b.append(path("M810,646 L960,646 L950,632 L820,632 Z", GREY, INK, blw))
    b += monitor_front(720, 330, 1040, 300, 230, lw)
    b.append(path("M680,652 L880,652 L900,676 L660,676 Z", GREY_L, INK, blw))  # keyboard
    for i in range(5):
        b.append(line([(690 + i * 42, 664), (714 + i * 42, 664)], GREY, blw))
    b.append(ellipse(640, 657, 26, 15, PAPER, INK, blw))                      # mouse
    # a stack of books and a mug
    y = 640
    for w_, h_, c in ((210, 34, CORAL), (190, 30, YELLOW), (200, 36, TEAL_M)):
        b.append(rect(1200 - w_ / 2, y - h_, w_, h_, c, INK, blw, rx=5))
        y -= h_
    b.append(rect(250, 580, 64, 62, YELLOW, INK, blw, rx=8))
    b.append(path("M250,594 q-30,0 -30,18 q0,18 30,18", "none", INK, blw * 2.6))
    b.append(path("M250,594 q-30,0 -30,18 q0,18 30,18", "none", YELLOW, blw * 0.9))
    # hands on top of the desk
    b.append(cust.hand_svg["R"])
    b.append(staff.hands)
    return svg_doc(W, H, b)


def tyopaja() -> str:
    """Inline: a workshop around a big sheet of paper."""
    W, H = 1300, 900
    lw, blw = 4.2, 3.2
    rnd = random.Random(9)
    b = [rect(-10, -10, W + 20, H + 20, CREAM)]
    # pin board with notes on the wall
    b.append(rect(250, 70, 800, 330, WOOD, INK, blw, rx=10))
    b.append(rect(268, 88, 764, 294, "#e8bd8a", INK, blw, rx=6))
    for i in range(14):
        x = 300 + (i % 7) * 104 + rnd.uniform(-12, 12)
        y = 110 + (i // 7) * 130 + rnd.uniform(-10, 10)
        col = rnd.choice((YELLOW_L, CORAL_L, TEAL_L, PAPER))
        b.append(group([rect(-36, -36, 72, 72, col, INK, blw * 0.8),
                        line([(-20, -6), (20, -6)], INK, blw * 0.7, opacity="0.35"),
                        line([(-20, 10), (10, 10)], INK, blw * 0.7, opacity="0.35"),
                        circle(0, -28, 5, CORAL_D, INK, blw * 0.6)],
                       f"translate({n(x + 36)},{n(y + 36)}) rotate({n(rnd.uniform(-6, 6))})"))
    floor_y = 600
    b.append(rect(-10, floor_y, W + 20, H - floor_y + 20, CREAM_D, INK, blw))

    # the table in a slight top view
    bl, br, by = 340, 960, 485     # back edge
    fl, fr, fy = 215, 1085, 715    # front edge

    def T(u, v):
        xl = bl + (fl - bl) * v
        xr = br + (fr - br) * v
        return (xl + (xr - xl) * u, by + (fy - by) * v)

    figs_back = []
    for x, kw in ((505, dict(hair="bob", hair_col=HAIR["brown"], skin=SKIN["light"], top=CORAL,
                             badge=TEAL, look=0.3, look_y=1.0, mouth="smile", earring=TEAL,
                             arms=(("to", 470, 540, -1), ("to", 590, 520, 1)))),
                  (800, dict(hair="short", hair_col=HAIR["black"], skin=SKIN["deep"],
                             top=TEAL_M, badge=YELLOW, look=-0.3, look_y=1.0,
                             mouth="open", neckline="collar",
                             arms=(("to", 700, 535, -1), ("a", 14, -6))))):
        figs_back.append(person(x, 755, 7.0, lw_px=lw, **kw))
    for f in figs_back:
        b.append(f.body + f.head)
    # legs of the table
    b.append(rect(bl + 10, by + 20, 24, 150, WOOD_D, INK, blw))
    b.append(rect(br - 34, by + 20, 24, 150, WOOD_D, INK, blw))
    b.append(shadow((fl + fr) / 2, fy + 150, 470, 22))
    b.append(rect(fl + 30, fy, 30, 150, WOOD_D, INK, blw))
    b.append(rect(fr - 60, fy, 30, 150, WOOD_D, INK, blw))
    b.append(poly([T(0, 0), T(1, 0), T(1, 1), T(0, 1)], WOOD, INK, lw))
    b.append(rect(fl, fy, fr - fl, 28, WOOD_D, INK, lw))
    # the big sheet
    sheet = [T(0.09, 0.1), T(0.86, 0.06), T(0.9, 0.9), T(0.07, 0.94)]
    b.append(poly(sheet, PAPER, INK, blw))

    def S(u, v):  # inside the sheet
        a, bb, c, d = sheet
        top = (a[0] + (bb[0] - a[0]) * u, a[1] + (bb[1] - a[1]) * u)
        bot = (d[0] + (c[0] - d[0]) * u, d[1] + (c[1] - d[1]) * u)
        return (top[0] + (bot[0] - top[0]) * v, top[1] + (bot[1] - top[1]) * v)

    centre = (0.5, 0.5)
    branches = [((0.18, 0.28), CORAL, [(0.06, 0.12), (0.08, 0.45)]),
                ((0.5, 0.14), YELLOW, [(0.34, 0.08)]),
                ((0.8, 0.25), TEAL_L, [(0.93, 0.1), (0.95, 0.42)]),
                ((0.78, 0.76), CORAL_L, [(0.94, 0.88), (0.62, 0.92)]),
                ((0.22, 0.74), YELLOW_L, [(0.08, 0.9), (0.38, 0.92)])]
    for (u, v), _col, subs in branches:
        b.append(line([S(*centre), S(u, v)], INK, blw * 0.9))
        for su, sv in subs:
            b.append(line([S(u, v), S(su, sv)], INK, blw * 0.7))
    for (u, v), col, subs in branches:
        for su, sv in subs:
            x, y = S(su, sv)
            b.append(ellipse(x, y, 18, 9, col, INK, blw * 0.7))
        x, y = S(u, v)
        b.append(ellipse(x, y, 42, 19, col, INK, blw * 0.9))
    x, y = S(*centre)
    b.append(ellipse(x, y, 78, 34, TEAL, INK, blw))
    b.append(ellipse(x, y, 54, 21, TEAL_M, None, 0))
    # sticky notes around the sheet, in perspective
    for u, v, col, rot in ((0.05, 0.58, YELLOW, -8), (0.94, 0.6, CORAL, 6), (0.6, 0.93, YELLOW, 4),
                           (0.955, 0.13, TEAL_L, -5), (0.33, 0.45, YELLOW_L, 10),
                           (0.66, 0.33, CORAL_L, -6)):
        x, y = T(u, v)
        b.append(group([rect(-26, -13, 52, 26, col, INK, blw * 0.8)],
                       f"translate({n(x)},{n(y)}) rotate({n(rot)})"))
    # marker pens
    for (x, y, ang, col) in ((700, 690, -12, CORAL_D), (400, 520, 20, TEAL_D)):
        b.append(group([rect(-32, -6, 64, 12, col, INK, blw * 0.8, rx=6),
                        rect(20, -6, 12, 12, PAPER, INK, blw * 0.8, rx=3)],
                       f"translate({x},{y}) rotate({ang})"))
    # a note in a hand of the first person at the back
    hx, hy = figs_back[0].hand["R"]
    b.append(group([rect(-24, -14, 48, 28, YELLOW, INK, blw * 0.8)],
                   f"translate({n(hx + 8)},{n(hy + 10)}) rotate(5)"))
    for f in figs_back:
        b.append(f.hands)

    # two more at the ends of the table
    left = person(150, 870, 7.0, lw_px=lw, hair="long", hair_col=HAIR["ginger"],
                  skin=SKIN["rosy"], top=YELLOW, bottom=TEAL_D, badge=CORAL, look=0.8,
                  look_y=0.8, mouth="smile",
                  arms=(("a", 10, 4), ("to", 320, 640, -1)))
    note = group([rect(-24, -18, 48, 36, CORAL, INK, blw * 0.8)],
                 f"translate({n(left.hand['R'][0] + 20)},{n(left.hand['R'][1] - 6)}) rotate(-10)")
    b.append(left.svg(between=note))
    right = person(1150, 870, 7.0, lw_px=lw, hair="curly", hair_col=HAIR["dark"],
                   skin=SKIN["tan"], top=PAPER, jacket=TEAL, bottom=SLATE, badge=CORAL,
                   glasses=True, neckline="collar", look=-0.8, look_y=0.6, mouth="open",
                   arms=(("to", 935, 600, -1), ("a", 12, 5)))
    b.append(right.svg())
    return svg_doc(W, H, b)


# --- line art: ink plus one accent colour, strokes >= 2.5 units ------------------
SCENES = {
    "kohtaaminen": kohtaaminen,
    "hyllyjen-valissa": hyllyjen_valissa,
    "automaatti": automaatti,
    "neuvonta": neuvonta,
    "tyopaja": tyopaja,
    "polku": polku,
    "koriste": koriste,
}


def main(names=None):
    for name, fn in SCENES.items():
        if names and name not in names:
            continue
        out = (SRC if name not in ("polku", "koriste") else OUT) / f"{name}.svg"
        out.write_text(fn(), encoding="utf-8")
        print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1:])
