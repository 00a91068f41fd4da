"""ffprobe's ways of writing numbers: ``"%f"`` times, ``num/den`` ratios, FourCC strings.

Each helper mirrors one libavutil or ``fftools/ffprobe.c`` routine (named in its
docstring) so that a value computed in Python prints byte for byte as ffprobe 5.1 prints it.
"""

from __future__ import annotations

import fractions
import math
import typing as t

#: ``AV_NOPTS_VALUE``: "no timestamp" in libavformat.
NOPTS = -(2**63)

#: ``AV_TIME_BASE``: the format context's durations are in microseconds.
TIME_BASE = 1_000_000

Rational = t.Union[fractions.Fraction, tuple[int, int], None]

# libavutil/pixdesc.c name tables, FFmpeg 5.1; index = enum value.
COLOR_RANGES = ("unknown", "tv", "pc")
COLOR_SPACES = (
    "gbr", "bt709", "unknown", "reserved", "fcc", "bt470bg", "smpte170m", "smpte240m",
    "ycgco", "bt2020nc", "bt2020c", "smpte2085", "chroma-derived-nc", "chroma-derived-c", "ictcp",
)
COLOR_PRIMARIES = {
    0: "reserved", 1: "bt709", 2: "unknown", 3: "reserved", 4: "bt470m", 5: "bt470bg",
    6: "smpte170m", 7: "smpte240m", 8: "film", 9: "bt2020", 10: "smpte428", 11: "smpte431",
    12: "smpte432", 22: "ebu3213",
}
COLOR_TRANSFERS = (
    "reserved", "bt709", "unknown", "reserved", "bt470m", "bt470bg", "smpte170m", "smpte240m",
    "linear", "log100", "log316", "iec61966-2-4", "bt1361e", "iec61966-2-1", "bt2020-10",
    "bt2020-12", "smpte2084", "smpte428", "arib-std-b67",
)
CHROMA_LOCATIONS = ("unspecified", "left", "center", "topleft", "top", "bottomleft", "bottom")
FIELD_ORDERS = (None, "progressive", "tt", "bb", "tb", "bt")


def av_reduce(num: int, den: int, limit: int) -> tuple[int, int]:
    """``av_reduce()``: the closest fraction to num/den with both terms <= ``limit``.

    Ported for its rounding, which decides display aspect ratios such as ``"16:9"``.
    """
    sign = (num < 0) ^ (den < 0)
    gcd = math.gcd(num, den)
    if gcd:
        num, den = abs(num) // gcd, abs(den) // gcd
    a0n, a0d, a1n, a1d = 0, 1, 1, 0
    if num <= limit and den <= limit:
        a1n, a1d, den = num, den, 0
    while den:
        x = num // den
        next_den = num - den * x
        a2n, a2d = x * a1n + a0n, x * a1d + a0d
        if a2n > limit or a2d > limit:
            if a1n:
                x = (limit - a0n) // a1n
            if a1d:
                x = min(x, (limit - a0d) // a1d)
            if den * (2 * x * a1d + a0d) > num * a1d:
                a1n, a1d = x * a1n + a0n, x * a1d + a0d
            break
        a0n, a0d, a1n, a1d = a1n, a1d, a2n, a2d
        num, den = den, next_den
    return (-a1n if sign else a1n), a1d


def av_d2q(d: float, limit: int) -> tuple[int, int]:
    """``av_d2q()``: the rational libavutil picks for a double (Matroska's float fields)."""
    if math.isnan(d):
        return 0, 0
    if abs(d) > 2**31 - 1 + 3:
        return (-1 if d < 0 else 1), 0
    exponent = max(math.frexp(d)[1] - 1, 0)
    den = 1 << (61 - exponent)
    num = math.floor(d * den + 0.5)
    reduced = av_reduce(num, den, limit)
    if (not reduced[0] or not reduced[1]) and d and 0 < limit < 2**31 - 1:
        reduced = av_reduce(num, den, 2**31 - 1)
    return reduced


def q(value: Rational, sep: str = "/") -> str:
    """``print_q``: a rational as ``num/den`` (``0/0`` when unknown), unreduced."""
    if value is None:
        return f"0{sep}0"
    if isinstance(value, tuple):
        return f"{value[0]}{sep}{value[1]}"
    return f"{value.numerator}{sep}{value.denominator}"


def seconds(ts: int | None, time_base: Rational) -> str | None:
    """``print_time``: ``ts * av_q2d(tb)`` with ``"%f"``; None (not printed) for no timestamp."""
    if ts is None or ts == NOPTS or time_base is None:
        return None
    num, den = (time_base if isinstance(time_base, tuple) else (time_base.numerator, time_base.denominator))
    if den == 0:
        return None
    return "%f" % (ts * (num / den))


def fourcc(tag: int) -> str:
    """``av_fourcc2str()``: printable bytes as is, the others as ``[n]``."""
    out = []
    for _ in range(4):
        c = tag & 0xFF
        printable = chr(c).isascii() and (chr(c).isalnum() or (c and chr(c) in ". -_"))
        out.append(chr(c) if printable else f"[{c}]")
        tag >>= 8
    return "".join(out)


def name_at(table: t.Sequence[str | None] | t.Mapping[int, str], value: int) -> str | None:
    """The name of enum ``value`` in a pixdesc table, or None."""
    if isinstance(table, t.Mapping):
        return table.get(value)
    return table[value] if 0 <= value < len(table) else None
