"""Veera Koski's little SVG drawing kit: palette, shapes, figures and props.

Used by draw.py to write the SVG originals in this folder.  Everything is
plain SVG: paths, rects, circles and ellipses with hex fill/stroke colours.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

# --- palette -----------------------------------------------------------------
INK = "#2b2b33"
TEAL = "#1f6f6b"
TEAL_D = "#17534f"
TEAL_M = "#3f8f86"
TEAL_L = "#8fc2b6"
TEAL_XL = "#cfe3da"
CORAL = "#e8825f"
CORAL_D = "#c4603f"
CORAL_L = "#f3b497"
CORAL_XL = "#f8d6c2"
YELLOW = "#f2c14e"
YELLOW_D = "#d9a530"
YELLOW_L = "#f8dd94"
CREAM = "#f7eedc"
CREAM_D = "#eddcbc"
CREAM_DD = "#dcc39a"
PAPER = "#fffaf0"
WOOD = "#d89b5f"
WOOD_D = "#b97a43"
GREY = "#8d8a92"
GREY_L = "#c9c5c9"
SLATE = "#4b5066"

SKIN = {"light": "#f4d0b2", "rosy": "#eebd9c", "tan": "#d49a70", "brown": "#a66c48",
        "deep": "#7a4e35"}
HAIR = {"dark": "#3b3441", "brown": "#7a4a2e", "grey": "#dcd7cf", "ginger": "#c9643c",
        "blonde": "#e8c46e", "black": "#2f2a30"}
MOUTH = "#9c3f35"


def n(v: float) -> str:
    """A short number for SVG attributes."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _attrs(fill, stroke, sw, extra) -> str:
    out = [f'fill="{fill}"']
    if stroke and sw:
        out.append(f'stroke="{stroke}" stroke-width="{n(sw)}"')
    for k, v in extra.items():
        if v is None:
            continue
        out.append(f'{k.rstrip("_").replace("_", "-")}="{v}"')
    return " ".join(out)


def path(d: str, fill="none", stroke=INK, sw=0.0, **kw) -> str:
    if "stroke_linejoin" not in kw:
        kw["stroke_linejoin"] = "round"
    return f'<path d="{d}" {_attrs(fill, stroke, sw, kw)}/>'


def rect(x, y, w, h, fill, stroke=INK, sw=0.0, rx=0, **kw) -> str:
    r = f' rx="{n(rx)}"' if rx else ""
    return (f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}"{r} '
            f'{_attrs(fill, stroke, sw, kw)}/>')


def circle(cx, cy, r, fill, stroke=INK, sw=0.0, **kw) -> str:
    return f'<circle cx="{n(cx)}" cy="{n(cy)}" r="{n(r)}" {_attrs(fill, stroke, sw, kw)}/>'


def ellipse(cx, cy, rx, ry, fill, stroke=INK, sw=0.0, **kw) -> str:
    return (f'<ellipse cx="{n(cx)}" cy="{n(cy)}" rx="{n(rx)}" ry="{n(ry)}" '
            f'{_attrs(fill, stroke, sw, kw)}/>')


def line(pts, stroke=INK, sw=1.0, cap="round", **kw) -> str:
    d = "M" + " L".join(f"{n(x)},{n(y)}" for x, y in pts)
    return path(d, "none", stroke, sw, stroke_linecap=cap, **kw)


def poly(pts, fill, stroke=INK, sw=0.0, **kw) -> str:
    d = "M" + " L".join(f"{n(x)},{n(y)}" for x, y in pts) + " Z"
    return path(d, fill, stroke, sw, **kw)


def group(items, transform: str | None = None) -> str:
    t = f' transform="{transform}"' if transform else ""
    return f"<g{t}>" + "".join(items) + "</g>"


def tube(d: str, width: float, colour: str, lw: float, cap="round") -> str:
    """A thick outlined stroke: an ink stroke with a coloured stroke on top."""
    return (path(d, "none", INK, width + 2 * lw, stroke_linecap=cap)
            + path(d, "none", colour, width, stroke_linecap=cap))


def svg_doc(w: float, h: float, body: list[str], pixel_size: bool = True) -> str:
    size = f' width="{n(w)}" height="{n(h)}"' if pixel_size else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n(w)} {n(h)}"{size}>\n'
            + "\n".join(body) + "\n</svg>\n")


# --- figures -----------------------------------------------------------------
ADULT = dict(hc=(0.0, -86.0), hk=1.0, neck_w=3.3, neck_top=-78.0, sh_y=-70.5, sh_w=12.0,
             hip_y=-40.0, hip_w=10.6, shoulder=(9.6, -66.0), upper=15.5, fore=14.5,
             arm_w=6.8, hand_r=3.4, hip=(5.0, -43.0), knee_y=-21.5, foot=(5.6, -3.2),
             leg_w=9.4, shoe=(5.6, 2.8))
KID = dict(hc=(0.0, -52.0), hk=0.9, neck_w=2.6, neck_top=-44.0, sh_y=-39.5, sh_w=8.4,
           hip_y=-19.5, hip_w=7.8, shoulder=(6.5, -36.5), upper=9.8, fore=9.2,
           arm_w=5.0, hand_r=2.7, hip=(3.5, -21.5), knee_y=-11.0, foot=(3.9, -2.4),
           leg_w=6.5, shoe=(4.3, 2.3))


def ik(S, T, a, b, bend):
    """Two-link arm from shoulder S reaching for T; bend=+1/-1 picks the elbow side."""
    dx, dy = T[0] - S[0], T[1] - S[1]
    d = math.hypot(dx, dy) or 1e-6
    reach = min(max(d, abs(a - b) + 1e-3), a + b - 1e-3)
    cos_a = (a * a + reach * reach - b * b) / (2 * a * reach)
    A = math.acos(max(-1.0, min(1.0, cos_a)))
    base = math.atan2(dy, dx)
    ang = base + bend * A
    E = (S[0] + a * math.cos(ang), S[1] + a * math.sin(ang))
    H = (S[0] + dx / d * reach, S[1] + dy / d * reach)
    return E, H


@dataclass
class Figure:
    x: float
    y: float
    s: float
    body: str = ""
    head: str = ""
    hands: str = ""
    hand: dict = field(default_factory=dict)     # scene coordinates of hands
    local_hand: dict = field(default_factory=dict)
    hand_svg: dict = field(default_factory=dict)   # each hand on its own

    def svg(self, between: str = "") -> str:
        return self.body + self.head + between + self.hands

    def to_scene(self, p):
        return (self.x + p[0] * self.s, self.y + p[1] * self.s)


def head_svg(lw, skin, hair, hair_col, look=0.0, look_y=0.0, mouth="smile", eyes="dot",
             glasses=False, moustache=None, brows=True, earring=None, layer="front"):
    """A head centred on (0,0) with rx 10, ry 11.5.  layer='back' gives hair behind."""
    out = []
    if layer == "back":
        if hair == "bob":
            out.append(path("M-12.6,9 C-14.2,-6 -10.2,-14.6 0,-14.6 C10.2,-14.6 14.2,-6 12.6,9 "
                            "Q12.3,12.4 9,12.2 L-9,12.2 Q-12.3,12.4 -12.6,9 Z", hair_col, INK, lw))
        elif hair == "long":
            out.append(path("M-12.8,19 C-14.6,-6 -10.2,-14.6 0,-14.6 C10.2,-14.6 14.6,-6 12.8,19 "
                            "Q12.4,22.5 9,22 L-9,22 Q-12.4,22.5 -12.8,19 Z", hair_col, INK, lw))
        elif hair == "bun":
            out.append(circle(0.5, -14.2, 5.6, hair_col, INK, lw))
        elif hair == "pony":
            out.append(path("M6,-9 C15,-13 21,-4 18.5,6 C17.5,10 14.5,13 12,13.5 "
                            "C14,9 14,2 10.5,-3 Z", hair_col, INK, lw))
            out.append(circle(8.6, -8.2, 2.1, CORAL, INK, lw * 0.8))
        elif hair == "curly":
            blobs = [(math.cos(a) * 10.6, -1.5 + math.sin(a) * 10.8, 4.6)
                     for a in [math.radians(t) for t in range(150, 391, 24)]]
            out.append("".join(circle(x, y, r, INK, INK, 2 * lw) for x, y, r in blobs))
            out.append("".join(circle(x, y, r, hair_col) for x, y, r in blobs))
        return "".join(out)

    # ears, face
    out.append(ellipse(-9.9, 1.2, 2.4, 3.3, skin, INK, lw))
    out.append(ellipse(9.9, 1.2, 2.4, 3.3, skin, INK, lw))
    if earring:
        out.append(circle(-10.2, 5.6, 1.2, earring, INK, lw * 0.6))
        out.append(circle(10.2, 5.6, 1.2, earring, INK, lw * 0.6))
    out.append(path("M-10,-0.5 C-10,-8 -5.6,-11.5 0,-11.5 C5.6,-11.5 10,-8 10,-0.5 "
                    "C10,6.5 6,11.5 0,11.5 C-6,11.5 -10,6.5 -10,-0.5 Z", skin, INK, lw))
    dx = look * 2.3
    # cheeks
    out.append(ellipse(-6.1 + dx, 4.0, 2.0, 1.25, CORAL, None, 0, opacity="0.45"))
    out.append(ellipse(6.1 + dx, 4.0, 2.0, 1.25, CORAL, None, 0, opacity="0.45"))
    # eyes
    for ex in (-3.8 + dx, 3.8 + dx):
        if eyes == "happy":
            out.append(path(f"M{n(ex - 1.5)},0.4 Q{n(ex)},-1.6 {n(ex + 1.5)},0.4", "none", INK,
                            lw * 0.9, stroke_linecap="round"))
        elif eyes == "down":
            out.append(path(f"M{n(ex - 1.4)},0 Q{n(ex)},1.4 {n(ex + 1.4)},0", "none", INK,
                            lw * 0.9, stroke_linecap="round"))
        else:
            out.append(ellipse(ex, -0.2 + look_y * 0.9, 1.15, 1.5, INK))
        if brows:
            out.append(path(f"M{n(ex - 1.8)},-3.9 Q{n(ex)},-5.3 {n(ex + 1.8)},-4.1", "none",
                            INK, lw * 0.75, stroke_linecap="round"))
    if glasses:
        for ex in (-3.8 + dx, 3.8 + dx):
            out.append(circle(ex, -0.1, 3.0, PAPER, INK, lw * 0.75, fill_opacity="0.35"))
        out.append(line([(-0.9 + dx, -0.4), (0.9 + dx, -0.4)], INK, lw * 0.75))
        for ex in (-3.8 + dx, 3.8 + dx):
            if eyes == "dot":
                out.append(ellipse(ex, -0.2 + look_y * 0.9, 1.15, 1.5, INK))
    # nose
    nx = dx * 1.25
    out.append(path(f"M{n(nx + 0.3)},1.2 Q{n(nx + 1.6 + look)},3.3 {n(nx - 0.5)},3.6", "none",
                    INK, lw * 0.75, stroke_linecap="round"))
    if moustache:
        out.append(path(f"M{n(dx - 5.2)},6.4 C{n(dx - 4.6)},3.6 {n(dx - 1.6)},3.2 {n(dx)},4.4 "
                        f"C{n(dx + 1.6)},3.2 {n(dx + 4.6)},3.6 {n(dx + 5.2)},6.4 "
                        f"C{n(dx + 3.4)},5.2 {n(dx + 1.6)},5.6 {n(dx)},5.6 "
                        f"C{n(dx - 1.6)},5.6 {n(dx - 3.4)},5.2 {n(dx - 5.2)},6.4 Z", moustache,
                        INK, lw * 0.8))
    # mouth
    my = 7.2 if moustache else 5.6
    if mouth == "open":
        out.append(path(f"M{n(dx - 3.4)},{n(my - 0.4)} Q{n(dx)},{n(my + 0.4)} {n(dx + 3.4)},"
                        f"{n(my - 0.4)} Q{n(dx)},{n(my + 5.2)} {n(dx - 3.4)},{n(my - 0.4)} Z",
                        MOUTH, INK, lw * 0.8))
    elif mouth == "o":
        out.append(ellipse(dx, my + 1.2, 1.4, 1.7, MOUTH, INK, lw * 0.7))
    elif mouth == "flat":
        out.append(path(f"M{n(dx - 2.2)},{n(my + 0.8)} Q{n(dx)},{n(my + 1.6)} {n(dx + 2.2)},"
                        f"{n(my + 0.8)}", "none", INK, lw * 0.85, stroke_linecap="round"))
    else:
        out.append(path(f"M{n(dx - 3)},{n(my)} Q{n(dx)},{n(my + 3)} {n(dx + 3)},{n(my)}", "none",
                        INK, lw * 0.85, stroke_linecap="round"))
    # hair in front
    if hair == "short":
        out.append(path("M-10.3,1 C-11.6,-9 -6.4,-14 0.4,-14 C7.2,-14 11.6,-9 10.3,1 "
                        "C9.7,-3 8.7,-5.6 6.5,-6.7 C2,-4.4 -4,-4.8 -7.6,-7.2 "
                        "C-9.1,-5 -9.8,-2 -10.3,1 Z", hair_col, INK, lw))
    elif hair in ("bob", "long", "pony"):
        out.append(path("M-10.4,3 C-11.2,-9 -6,-13.8 0,-13.8 C6,-13.8 11.2,-9 10.4,3 "
                        "C9,-1.5 7.8,-5.4 5,-7.2 C1,-4.4 -5.5,-3.2 -10.4,3 Z", hair_col, INK, lw))
    elif hair == "bun":
        out.append(path("M-10.3,2 C-11.4,-9 -6,-13.6 0,-13.6 C6,-13.6 11.4,-9 10.3,2 "
                        "C9.4,-2.5 8.4,-6 5.2,-7.6 C2.4,-6.2 -2.4,-6.2 -5.2,-7.6 "
                        "C-8.4,-6 -9.4,-2.5 -10.3,2 Z", hair_col, INK, lw))
        out.append(path("M0,-13.4 Q-0.6,-10.5 -1.8,-8.4", "none", INK, lw * 0.6,
                        stroke_linecap="round"))
    elif hair == "bald":
        for sx in (-1, 1):
            out.append(path(f"M{n(sx * 10.2)},3 C{n(sx * 11.2)},-2 {n(sx * 10.4)},-6.5 "
                            f"{n(sx * 7.6)},-8.4 C{n(sx * 8.6)},-5 {n(sx * 8.4)},-1.5 "
                            f"{n(sx * 9.4)},1.2 Z", hair_col, INK, lw))
    elif hair == "curly":
        blobs = [(-8.4, -5.6, 3.6), (-5.6, -9.4, 4.0), (-1.2, -11.2, 4.2), (3.6, -10.6, 4.0),
                 (7.6, -7.6, 3.8), (9.4, -3.6, 2.8), (-9.8, -2, 2.6)]
        out.append("".join(circle(x, y, r, INK, INK, 2 * lw) for x, y, r in blobs))
        out.append("".join(circle(x, y, r, hair_col) for x, y, r in blobs))
    elif hair == "cap":  # beanie
        out.append(path("M-10.8,-2.4 C-11.6,-11 -6,-15.6 0,-15.6 C6,-15.6 11.6,-11 10.8,-2.4 Z",
                        hair_col, INK, lw))
        out.append(rect(-11.4, -4.4, 22.8, 3.8, hair_col, INK, lw, rx=1.6))
        out.append(circle(0, -16.2, 2.4, hair_col, INK, lw))
    return "".join(out)


def person(x, y, s, *, lw_px=5.0, kid=False, skin=SKIN["light"], hair="short",
           hair_col=HAIR["brown"], top=TEAL, jacket=None, bottom=SLATE, skirt=None,
           shoe=INK, arms=(("a", 10, 4), ("a", 10, 4)), legs="stand", look=0.0, look_y=0.0,
           mouth="smile", eyes="dot", glasses=False, moustache=None, badge=None,
           neckline="round", sleeve=None, backpack=None, scarf=None, earring=None,
           legs_col=None, belly=0.0, open_hands=()):
    """A friendly cartoon person, feet at (x, y), s = scene px per body unit.

    An adult is about 100 units tall, a child about 62.  arms = (left, right) as seen
    by the viewer; each is ("a", upper_deg, fore_deg) with angles from hanging
    straight down, positive outwards, or ("to", X, Y, bend) to reach a scene point.
    """
    g = KID if kid else ADULT
    lw = lw_px / s
    tr = f"translate({n(x)},{n(y)}) scale({n(s)})"
    sleeve = sleeve or (jacket or top)
    fig = Figure(x, y, s)
    body: list[str] = []

    hcx, hcy = g["hc"]
    hk = g["hk"]
    htr = f"translate({n(hcx)},{n(hcy)}) scale({n(hk)})"
    # hair behind everything
    back = head_svg(lw / hk, skin, hair, hair_col, layer="back")
    if back:
        body.append(group([back], htr))

    # backpack behind the body
    if backpack:
        bw = g["sh_w"] * 1.55
        body.append(rect(-bw / 2 - 2.5, g["sh_y"] + 3, bw + 5, (g["hip_y"] - g["sh_y"]) * 0.9,
                         backpack, INK, lw, rx=4))

    # legs
    hx, hy = g["hip"]
    fx, fy = g["foot"]
    ky = g["knee_y"]
    lwid = g["leg_w"] if not skirt else g["leg_w"] * 0.62
    lcol = legs_col or (bottom if not skirt else skin)
    if legs == "stand":
        L = [(-hx, hy), (-hx * 1.05, ky), (-fx, fy)]
        R = [(hx, hy), (hx * 1.05, ky), (fx, fy)]
        shoes = [(-fx - 0.8, fy + 1.2, -1), (fx + 0.8, fy + 1.2, 1)]
    elif legs == "walk_r":  # stepping towards the viewer's right
        L = [(-hx, hy), (-hx - 2.2, ky + 0.5), (-fx - 5.2, fy - 1.2)]
        R = [(hx, hy), (hx + 3.8, ky), (fx + 6.6, fy)]
        shoes = [(-fx - 4.8, fy + 0.1, 0.4), (fx + 7.6, fy + 1.2, 1)]
    elif legs == "walk_l":
        L = [(-hx, hy), (-hx - 3.8, ky), (-fx - 6.6, fy)]
        R = [(hx, hy), (hx + 2.2, ky + 0.5), (fx + 5.2, fy - 1.2)]
        shoes = [(-fx - 7.6, fy + 1.2, -1), (fx + 4.8, fy + 0.1, -0.4)]
    elif legs == "sit":  # sitting, thighs towards the viewer; the floor is at y = -11
        kx_, ky_ = hx * 1.2, hy + 8
        L = [(-kx_, ky_), (-kx_, ky_ + 12), (-kx_ * 1.02, ky_ + 24)]
        R = [(kx_, ky_), (kx_, ky_ + 12), (kx_ * 1.02, ky_ + 24)]
        shoes = [(-kx_ - 0.6, ky_ + 25.6, -0.5), (kx_ + 0.6, ky_ + 25.6, 0.5)]
    else:
        raise ValueError(legs)

    def leg_d(p):
        return (f"M{n(p[0][0])},{n(p[0][1])} Q{n(2 * p[1][0] - (p[0][0] + p[2][0]) / 2)},"
                f"{n(2 * p[1][1] - (p[0][1] + p[2][1]) / 2)} {n(p[2][0])},{n(p[2][1])}")
    sw_, sh_ = g["shoe"]
    for pts, (sx, sy, dirn) in ((L, shoes[0]), (R, shoes[1])):
        body.append(tube(leg_d(pts), lwid, lcol, lw, cap="butt"))
        body.append(path(f"M{n(sx - sw_ * 0.95 + dirn * 1.4)},{n(sy)} "
                         f"C{n(sx - sw_ + dirn * 1.4)},{n(sy - sh_ * 1.9)} "
                         f"{n(sx + sw_ + dirn * 1.4)},{n(sy - sh_ * 1.9)} "
                         f"{n(sx + sw_ * 0.95 + dirn * 1.4)},{n(sy)} Z", shoe, INK, lw))
    if legs == "sit":  # thighs seen end-on, knees round
        for sx in (-1, 1):
            d = f"M{n(sx * hx)},{n(hy)} L{n(sx * hx * 1.2)},{n(hy + 8)}"
            body.append(tube(d, lwid * 1.12, lcol, lw))
    if skirt:
        sy0, sy1 = g["hip_y"] - 3, g["knee_y"] + 2.5
        w0, w1 = g["hip_w"], g["hip_w"] * 1.45
        body.append(path(f"M{n(-w0)},{n(sy0)} L{n(-w1)},{n(sy1)} Q0,{n(sy1 + 2)} {n(w1)},"
                         f"{n(sy1)} L{n(w0)},{n(sy0)} Z", skirt, INK, lw))

    # neck
    nw = g["neck_w"]
    body.append(rect(-nw, g["neck_top"], 2 * nw, g["sh_y"] - g["neck_top"] + 3, skin, INK, lw))

    # torso
    T, B, W, Hw = g["sh_y"], g["hip_y"], g["sh_w"], g["hip_w"]
    r = W * 0.45
    bl = belly
    torso = (f"M{n(-Hw)},{n(B)} C{n(-Hw - bl)},{n(B - 8)} {n(-W - bl * 0.6)},{n(T + r + 6)} "
             f"{n(-W)},{n(T + r)} Q{n(-W)},{n(T)} {n(-W + r)},{n(T)} L{n(W - r)},{n(T)} "
             f"Q{n(W)},{n(T)} {n(W)},{n(T + r)} C{n(W + bl * 0.6)},{n(T + r + 6)} "
             f"{n(Hw + bl)},{n(B - 8)} {n(Hw)},{n(B)} Z")
    body.append(path(torso, jacket or top, INK, lw))
    if jacket:
        k = 1 if not kid else 0.7
        body.append(path(f"M{n(-4.2 * k)},{n(T)} L{n(-3 * k)},{n(B)} L{n(3 * k)},{n(B)} "
                         f"L{n(4.2 * k)},{n(T)} Z", top, INK, lw))
    if neckline == "round":
        k = 1 if not kid else 0.72
        body.append(path(f"M{n(-4.3 * k)},{n(T)} Q0,{n(T + 5.5 * k)} {n(4.3 * k)},{n(T)} Z",
                         skin, INK, lw))
    elif neckline == "v":
        body.append(path(f"M-4,{n(T)} L0,{n(T + 7)} L4,{n(T)} Z", skin, INK, lw))
    elif neckline == "collar":
        body.append(path(f"M-4.3,{n(T)} Q0,{n(T + 4.5)} 4.3,{n(T)} Z", skin, INK, lw))
        body.append(path(f"M-4.6,{n(T - 0.6)} L-0.4,{n(T + 4.4)} L-5.6,{n(T + 4.8)} Z", PAPER,
                         INK, lw))
        body.append(path(f"M4.6,{n(T - 0.6)} L0.4,{n(T + 4.4)} L5.6,{n(T + 4.8)} Z", PAPER,
                         INK, lw))
    elif neckline == "turtle":
        body.append(rect(-4.4, T - 3.2, 8.8, 4.4, top, INK, lw, rx=1.5))
    if scarf:
        body.append(path(f"M-5.6,{n(T - 1.5)} Q0,{n(T + 4.5)} 5.6,{n(T - 1.5)} L6.2,{n(T + 1.6)} "
                         f"Q0,{n(T + 8)} -6.2,{n(T + 1.6)} Z", scarf, INK, lw))
        body.append(path(f"M2,{n(T + 3)} L4.6,{n(T + 14)} L1.2,{n(T + 14.4)} L0,{n(T + 3.6)} Z",
                         scarf, INK, lw))
    if badge:
        body.append(path(f"M-4,{n(T + 0.6)} L0,{n(T + 15)} L4,{n(T + 0.6)}", "none", INK,
                         lw * 2.3))
        body.append(path(f"M-4,{n(T + 0.6)} L0,{n(T + 15)} L4,{n(T + 0.6)}", "none", badge,
                         lw * 1.1))
        body.append(rect(-2.9, T + 14.2, 5.8, 7.4, PAPER, INK, lw * 0.8, rx=0.8))
        body.append(rect(-2.9, T + 14.2, 5.8, 2.4, badge, INK, lw * 0.8, rx=0.8))
        body.append(circle(0, T + 18.9, 1.3, GREY_L, None, 0))
    if backpack:
        for sx in (-1, 1):
            body.append(path(f"M{n(sx * 6.5)},{n(T)} Q{n(sx * 8.6)},{n(T + 10)} {n(sx * 8.2)},"
                             f"{n(T + 19)}", "none", INK, lw * 3.4, stroke_linecap="round"))
            body.append(path(f"M{n(sx * 6.5)},{n(T)} Q{n(sx * 8.6)},{n(T + 10)} {n(sx * 8.2)},"
                             f"{n(T + 19)}", "none", backpack, lw * 1.6, stroke_linecap="round"))

    # arms
    sx0, sy0 = g["shoulder"]
    hands = []
    hand_parts = {}
    for side, spec in ((-1, arms[0]), (1, arms[1])):
        first = len(hands)
        S = (side * sx0, sy0)
        if spec[0] == "a":
            a1, a2 = math.radians(spec[1]), math.radians(spec[2])
            E = (S[0] + side * g["upper"] * math.sin(a1), S[1] + g["upper"] * math.cos(a1))
            H = (E[0] + side * g["fore"] * math.sin(a2), E[1] + g["fore"] * math.cos(a2))
        else:
            tgt = ((spec[1] - x) / s, (spec[2] - y) / s)
            E, H = ik(S, tgt, g["upper"], g["fore"], spec[3] if len(spec) > 3 else -side)
        c = (2 * E[0] - (S[0] + H[0]) / 2, 2 * E[1] - (S[1] + H[1]) / 2)
        d = f"M{n(S[0])},{n(S[1])} Q{n(c[0])},{n(c[1])} {n(H[0])},{n(H[1])}"
        body.append(tube(d, g["arm_w"], sleeve, lw))
        key = "L" if side < 0 else "R"
        fig.local_hand[key] = H
        fig.hand[key] = fig.to_scene(H)
        # a mitten hand: thumb towards the body's midline, then the palm
        fx_, fy_ = H[0] - E[0], H[1] - E[1]
        fl = math.hypot(fx_, fy_) or 1.0
        ux, uy = fx_ / fl, fy_ / fl
        px_, py_ = -uy, ux
        if (px_ * -side) < 0:
            px_, py_ = -px_, -py_
        hr = g["hand_r"]
        if key in open_hands:  # an open palm: fingers fanned out along the forearm
            for i, spread in enumerate((-30, -10, 10, 30)):
                a = math.atan2(uy, ux) + math.radians(spread)
                bx_, by_ = H[0] + math.cos(a) * hr * 0.4, H[1] + math.sin(a) * hr * 0.4
                ln = hr * (1.35 if i in (1, 2) else 1.1)
                hands.append(tube(f"M{n(bx_)},{n(by_)} L{n(bx_ + math.cos(a) * ln)},"
                                  f"{n(by_ + math.sin(a) * ln)}", hr * 0.52, skin, lw))
        tcx, tcy = H[0] + px_ * hr * 0.78 + ux * hr * 0.05, H[1] + py_ * hr * 0.78 + uy * hr * 0.05
        ang = math.degrees(math.atan2(uy, ux))
        hands.append(circle(H[0], H[1], hr, skin, INK, lw))
        hands.append(group([ellipse(0, 0, hr * 0.66, hr * 0.38, skin, INK, lw)],
                           f"translate({n(tcx)},{n(tcy)}) rotate({n(ang + 15 * side)})"))
        hand_parts[key] = hands[first:]

    fig.body = group(body, tr)
    fig.hands = group(hands, tr)
    fig.hand_svg = {k: group(v, tr) for k, v in hand_parts.items()}
    head = head_svg(lw / hk, skin, hair, hair_col, look=look, look_y=look_y, mouth=mouth, eyes=eyes,
                    glasses=glasses, moustache=moustache, earring=earring)
    fig.head = group([group([head], htr)], tr)
    return fig


# --- props ---------------------------------------------------------------------
BOOK_COLS = [TEAL, TEAL_M, CORAL, CORAL_D, YELLOW, TEAL_L, CORAL_L, YELLOW_L, CREAM_DD, TEAL_D]
SOFT_BOOK_COLS = [TEAL_L, TEAL_XL, CORAL_L, CORAL_XL, YELLOW_L, CREAM_DD, "#b9d6cc", "#f1c9a8",
                  TEAL_M, "#e9b07a"]


def book_row(x0, x1, base, hmax, rnd, lw, cols=BOOK_COLS, gaps=True):
    """A row of standing books on a shelf between x0 and x1, bottoms at base."""
    out = []
    x = x0 + rnd.uniform(0.02, 0.12) * hmax
    while True:
        w = rnd.uniform(0.11, 0.2) * hmax
        h = rnd.uniform(0.68, 0.97) * hmax
        if x + w > x1 - 0.04 * hmax:
            break
        roll = rnd.random()
        col = rnd.choice(cols)
        if gaps and roll < 0.06 and x + 0.9 * hmax < x1:  # a flat stack
            sw = rnd.uniform(0.55, 0.75) * hmax
            y = base
            for _ in range(rnd.randint(2, 4)):
                bh = rnd.uniform(0.1, 0.15) * hmax
                out.append(rect(x, y - bh, sw, bh, rnd.choice(cols), INK, lw, rx=lw))
                y -= bh
                x_off = rnd.uniform(-0.04, 0.04) * hmax
                x += x_off
            x += sw + 0.06 * hmax
            continue
        if gaps and roll < 0.11 and x + w + 0.6 * hmax < x1:  # a leaning book after a gap
            ang = rnd.uniform(14, 22)
            out.append(group([rect(0, -h, w, h, col, INK, lw, rx=lw),
                              rect(0, -h * 0.86, w, h * 0.07, PAPER, INK, lw * 0.6)],
                             f"translate({n(x + 0.02 * hmax + w)},{n(base)}) rotate({n(ang)}) "
                             f"translate({n(-w)},0)"))
            x += w + h * math.sin(math.radians(ang)) + 0.05 * hmax
            continue
        out.append(rect(x, base - h, w, h, col, INK, lw, rx=lw * 0.8))
        deco = rnd.random()
        if deco < 0.45:
            out.append(rect(x, base - h * 0.84, w, h * 0.07, PAPER, INK, lw * 0.6))
        elif deco < 0.7:
            out.append(line([(x + lw, base - h * 0.2), (x + w - lw, base - h * 0.2)], INK,
                            lw * 0.6))
            out.append(line([(x + lw, base - h * 0.8), (x + w - lw, base - h * 0.8)], INK,
                            lw * 0.6))
        x += w
    return out


def bookcase(x, y, w, h, shelves, rnd, lw, frame=TEAL_M, back=TEAL_XL, cols=BOOK_COLS,
             top_items=True):
    """A bookcase with its top-left corner at (x, y)."""
    out = [rect(x, y, w, h, back, INK, lw)]
    t = lw * 4.5  # board thickness
    inner = (h - t * 2) / shelves
    for i in range(shelves):
        base = y + t + inner * (i + 1) - t * 0.5
        out += book_row(x + t * 1.4, x + w - t * 1.4, base, (inner - t) * 0.86, rnd, lw, cols)
    # boards last so they crisply cut the books
    for i in range(1, shelves):
        yy = y + t + inner * i - t * 0.5
        out.append(rect(x, yy, w, t, frame, INK, lw))
    out.append(rect(x, y, t * 1.4, h, frame, INK, lw))
    out.append(rect(x + w - t * 1.4, y, t * 1.4, h, frame, INK, lw))
    out.append(rect(x - t * 0.6, y - t * 1.2, w + t * 1.2, t * 1.6, frame, INK, lw))
    out.append(rect(x, y + h - t * 1.6, w, t * 1.6, frame, INK, lw))
    return out


def plant(cx, base, size, lw, pot=CORAL, leaf=TEAL_M, leaf2=TEAL, rnd=None):
    """A potted plant standing on base, size = pot height."""
    rnd = rnd or random.Random(7)
    out = []
    pw = size * 0.9
    leaves = []
    for i in range(9):
        ang = math.radians(-150 + i * 15 + rnd.uniform(-5, 5))
        ln = size * rnd.uniform(1.0, 1.5)
        tx, ty = cx + math.cos(ang) * ln, base - size + math.sin(ang) * ln
        mx, my = (cx + tx) / 2, (base - size + ty) / 2
        nx, ny = -(ty - (base - size)) * 0.22, (tx - cx) * 0.22
        d = (f"M{n(cx)},{n(base - size * 0.9)} Q{n(mx + nx)},{n(my + ny)} {n(tx)},{n(ty)} "
             f"Q{n(mx - nx)},{n(my - ny)} {n(cx)},{n(base - size * 0.9)} Z")
        leaves.append(path(d, leaf if i % 2 else leaf2, INK, lw))
        leaves.append(path(f"M{n(cx)},{n(base - size * 0.9)} Q{n(mx + nx * 0.2)},"
                           f"{n(my + ny * 0.2)} {n(tx)},{n(ty)}", "none", INK, lw * 0.6))
    out += leaves
    out.append(path(f"M{n(cx - pw / 2)},{n(base - size)} L{n(cx + pw / 2)},{n(base - size)} "
                    f"L{n(cx + pw * 0.38)},{n(base)} L{n(cx - pw * 0.38)},{n(base)} Z", pot, INK,
                    lw))
    out.append(rect(cx - pw * 0.56, base - size - size * 0.16, pw * 1.12, size * 0.2, pot, INK,
                    lw, rx=lw))
    return out


def held_book(cx, cy, w, h, col, lw, angle=0.0, open_=False):
    """A book held in a hand, centred at (cx, cy)."""
    if open_:
        items = [path(f"M{n(-w)},{n(-h / 2)} Q{n(-w / 2)},{n(-h / 2 - h * 0.12)} 0,{n(-h / 2)} "
                      f"L0,{n(h / 2)} Q{n(-w / 2)},{n(h / 2 - h * 0.12)} {n(-w)},{n(h / 2)} Z",
                      PAPER, INK, lw),
                 path(f"M{n(w)},{n(-h / 2)} Q{n(w / 2)},{n(-h / 2 - h * 0.12)} 0,{n(-h / 2)} "
                      f"L0,{n(h / 2)} Q{n(w / 2)},{n(h / 2 - h * 0.12)} {n(w)},{n(h / 2)} Z",
                      PAPER, INK, lw)]
        for i in range(3):
            yy = -h * 0.25 + i * h * 0.2
            items.append(line([(-w * 0.8, yy), (-w * 0.2, yy)], GREY_L, lw * 0.8))
            items.append(line([(w * 0.2, yy), (w * 0.8, yy)], GREY_L, lw * 0.8))
    else:
        items = [rect(-w / 2, -h / 2, w, h, col, INK, lw, rx=lw),
                 rect(-w / 2, -h / 2 + h * 0.2, w, h * 0.12, PAPER, INK, lw * 0.7)]
    return group(items, f"translate({n(cx)},{n(cy)}) rotate({n(angle)})")


def shadow(cx, cy, rx, ry, col=CREAM_DD):
    return ellipse(cx, cy, rx, ry, col, None, 0)
