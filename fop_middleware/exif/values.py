"""libexif 0.6.24's ``exif-entry.c`` in Python: value texts, load fix-ups and default entries.

The answer must equal ``exif_entry_get_value()`` byte for byte (C locale), so this follows
the C code branch by branch, quirks included. Texts are built as bytes, like the C buffer,
and only decoded at the end.
"""

from __future__ import annotations

import math
import struct
import time
import typing as t

from fop_middleware.exif import value_tables as T
from fop_middleware.exif.entry import FORMAT_SIZE, ByteOrder, ExifEntry, Format, Ifd

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

#: Size of the buffer the reference program hands to ``exif_entry_get_value()``.
VALUE_BUFFER = 1 << 20

_TO_SHORT: dict[int, str] = {
    Format.LONG: "I",
    Format.SLONG: "i",
    Format.BYTE: "B",
    Format.SBYTE: "B",
    Format.SSHORT: "h",
}
_INTEGER_CODES: dict[int, str] = {Format.SHORT: "H", Format.SSHORT: "h", Format.LONG: "I", Format.SLONG: "i"}
_COMMENT_CODES = (b"ASCII\0\0\0", b"UNICODE\0", b"JIS\0\0\0\0\0", b"\0" * 8)
_ASCII_CODE = b"ASCII\0\0\0"
_NONE = b"[None]"
_XP_TAGS = frozenset({T.XP_TITLE, T.XP_COMMENT, T.XP_AUTHOR, T.XP_KEYWORDS, T.XP_SUBJECT})
# Lone surrogates left by "surrogateescape" stand for bytes that are not UTF-8.
_UNDECODABLE = {code: 0xFFFD for code in range(0xDC80, 0xDD00)}
# printf's " (...)" suffixes go through a ``char b[64]`` first.
_SUFFIX_MAX = 63


def get_value(entry: ExifEntry, *, ifd0: Iterable[ExifEntry] = ()) -> str:
    """Return what ``exif_entry_get_value()`` writes for ``entry`` into the oracle's buffer.

    :param entry: the entry, as loaded (and fixed, if the caller applies fix-ups).
    :param ifd0: the entries of IFD0; only ``FocalLength`` looks at them (libexif reads
        ``Make``/``Model`` there for its Minolta 35 mm equivalent).

    Bytes that are not UTF-8 become U+FFFD one byte at a time, as the oracle prints them.
    """
    size = len(entry.data)
    unit = FORMAT_SIZE.get(entry.format, 0)
    if size != entry.components * unit:
        raw = b"Invalid size of entry (%d, expected %d x %d)." % (size, entry.components, unit)
    elif entry.tag == T.FOCAL_LENGTH:
        raw = _focal_length(entry, ifd0)
    elif entry.tag in _XP_TAGS:
        raw = _xp_text(entry)
    else:
        raw = _HANDLERS.get(entry.tag, _format_value)(entry)
    raw = raw[: VALUE_BUFFER - 1]
    return raw.decode("utf-8", "surrogateescape").translate(_UNDECODABLE)


def fix_entry(entry: ExifEntry) -> None:
    """Apply ``exif_entry_fix()`` in place (libexif's FOLLOW_SPECIFICATION load option).

    Some tags are forced to SHORT, RATIONAL or SRATIONAL, and ``UserComment`` gets a valid
    8-byte character code, as libexif does before anyone formats the entry.
    """
    tag, fmt, order = entry.tag, entry.format, entry.order
    if tag in T.SHORT_TAGS:
        code = _TO_SHORT.get(fmt)
        if code is None:
            return
        count = entry.components
        # libexif cannot allocate 0 bytes and then leaves the entry as it is.
        if not count or len(entry.data) < count * FORMAT_SIZE[fmt]:
            return
        values = struct.unpack_from(f"{order.prefix}{count}{code}", entry.data)
        entry.data = struct.pack(f"{order.prefix}{count}H", *(v & 0xFFFF for v in values))
        entry.format = Format.SHORT
    elif tag in T.RATIONAL_TAGS:
        if fmt == Format.SRATIONAL:
            entry.format = Format.RATIONAL
    elif tag in T.SRATIONAL_TAGS:
        if fmt == Format.RATIONAL:
            entry.format = Format.SRATIONAL
    elif tag == T.USER_COMMENT:
        _fix_user_comment(entry)


def initialize_entry(tag: int, ifd: Ifd, order: ByteOrder) -> ExifEntry:
    """Return the entry ``exif_entry_initialize()`` creates for a mandatory tag libexif adds."""
    if ifd == Ifd.GPS:
        fmt, count, default = T.GPS_DEFAULTS.get(tag, (Format.UNDEFINED, 0, None))
        if default is None:
            default = bytes(FORMAT_SIZE[fmt] * count)
        return ExifEntry(tag, fmt, count, default, ifd, order)
    fmt, count, values = T.INITIAL.get(tag, (Format.UNDEFINED, 0, ()))
    if tag in (T.DATE_TIME, T.DATE_TIME_ORIGINAL, T.DATE_TIME_DIGITIZED):
        data = time.strftime("%Y:%m:%d %H:%M:%S", time.localtime()).encode("ascii") + b"\0"
    elif fmt in (Format.ASCII, Format.UNDEFINED):
        data = bytes(values)
    elif fmt == Format.SHORT:
        data = struct.pack(f"{order.prefix}{count}H", *(values or (0,) * count))
    elif fmt == Format.LONG:
        data = bytes(4 * count)
    else:
        data = struct.pack(f"{order.prefix}{2 * count}I", *(values or (0,) * (2 * count)))
    return ExifEntry(tag, fmt, count, data, ifd, order)


def _fix_user_comment(entry: ExifEntry) -> None:
    """``exif_entry_fix()`` for ``UserComment``: UNDEFINED, with a known character code."""
    # Only the format changes; a non-byte comment then fails the size check, as in libexif.
    entry.format = Format.UNDEFINED
    data = entry.data
    if len(data) >= 8 and data[0] == 0:
        # Canon ZoomBrowser EX 4.5 writes one zero byte and seven of rubbish.
        data = bytes(8) + data[8:]
    if len(data) < 8:
        entry.data = _ASCII_CODE + data
        entry.components += 8
        return
    blank = len(data) - len(data.lstrip(b"\0"))
    if not blank:
        blank = len(data) - len(data.lstrip(b" "))
    if 8 <= blank < len(data):
        entry.data = _ASCII_CODE + data[8:]
        return
    if data[:8] not in _COMMENT_CODES:
        entry.data = _ASCII_CODE + data
        entry.components += 8
        return
    entry.data = data


def _cstr(data: bytes) -> bytes:
    """The C string at the start of ``data`` (what ``strncpy`` copies)."""
    return data.split(b"\0", 1)[0]


def _pow2(x: float) -> float:
    """C's ``pow(2, x)``, which overflows to infinity instead of raising."""
    try:
        return math.pow(2.0, x)
    except OverflowError:
        return math.inf


def _suffix(text: bytes) -> bytes:
    return text[:_SUFFIX_MAX]


def _unknown(value: int) -> bytes:
    return b"Internal error (unknown value %d)" % value


def _u16(entry: ExifEntry, index: int = 0) -> int:
    return int(struct.unpack_from(entry.order.prefix + "H", entry.data, 2 * index)[0])


def _rational(entry: ExifEntry, index: int = 0) -> tuple[int, int]:
    num, den = struct.unpack_from(entry.order.prefix + "II", entry.data, 8 * index)
    return int(num), int(den)


def _srational(entry: ExifEntry, index: int = 0) -> tuple[int, int]:
    num, den = struct.unpack_from(entry.order.prefix + "ii", entry.data, 8 * index)
    return int(num), int(den)


def _ratio_text(num: int, den: int) -> bytes:
    """One (S)RATIONAL of the generic formatter: more decimals for bigger denominators."""
    if not den:
        return b"%d/%d" % (num, den)
    if den == -(2**31):
        # abs(INT_MIN) stays negative in C, log10 gives NaN and the precision is dropped.
        decimals = 6
    else:
        decimals = int(math.log10(abs(den)) - 0.08 + 1.0)
    return b"%2.*f" % (decimals, float(num) / float(den))


def _format_value(entry: ExifEntry) -> bytes:
    """``exif_entry_format_value()``: the generic, tag-independent text of each format."""
    data, fmt, count = entry.data, entry.format, entry.components
    if not data:
        return b""
    prefix = entry.order.prefix
    if fmt == Format.UNDEFINED:
        return b"%d bytes undefined data" % len(data)
    if fmt in (Format.BYTE, Format.SBYTE):
        return b", ".join(b"0x%02x" % v for v in data[:count])
    if fmt == Format.ASCII:
        return _cstr(data)
    code = _INTEGER_CODES.get(fmt)
    if code is not None:
        return b", ".join(b"%d" % v for v in struct.unpack_from(f"{prefix}{count}{code}", data))
    if fmt in (Format.RATIONAL, Format.SRATIONAL):
        code = "I" if fmt == Format.RATIONAL else "i"
        parts = struct.unpack_from(f"{prefix}{2 * count}{code}", data)
        return b", ".join(_ratio_text(parts[i], parts[i + 1]) for i in range(0, 2 * count, 2))
    return b"%d bytes unsupported data type" % len(data)


def _user_comment(entry: ExifEntry) -> bytes:
    data, size = entry.data, len(entry.data)
    # Manufacturers sometimes use ASCII; accept it only if a character code is there.
    if entry.format != Format.ASCII or size <= 8 or data[:8] not in _COMMENT_CODES:
        if entry.format != Format.UNDEFINED:
            return b""
    if size >= 8:
        if data[:8] == _ASCII_CODE:
            return _cstr(data[8:])
        if data[:8] == b"UNICODE\0":
            return b"Unsupported UNICODE string"
        if data[:8] == b"JIS\0\0\0\0\0":
            return b"Unsupported JIS string"
    text = data.lstrip(b"\0 ")
    return bytes(c if 0x20 <= c < 0x7F else 0x2E for c in text)


def _exif_version(entry: ExifEntry) -> bytes:
    if entry.format != Format.UNDEFINED or entry.components != 4:
        return b""
    version = T.EXIF_VERSIONS.get(entry.data)
    if version is None:
        return b"Unknown Exif Version"
    return b"Exif Version %d.%d" % version


def _flash_pix_version(entry: ExifEntry) -> bytes:
    if entry.format != Format.UNDEFINED or entry.components != 4:
        return b""
    if entry.data == b"0100":
        return b"FlashPix Version 1.0"
    if entry.data == b"0101":
        return b"FlashPix Version 1.01"
    return b"Unknown FlashPix Version"


def _is_blank(data: bytes) -> bool:
    """``!match_repeated_char(data, ' ', n)``: only spaces up to the first NUL (or nothing)."""
    return not _cstr(data).strip(b" ")


def _copyright(entry: ExifEntry) -> bytes:
    if entry.format != Format.ASCII:
        return b""
    data = entry.data
    photographer = _NONE if _is_blank(data) else _cstr(data)
    editor = _NONE
    nul = data.find(b"\0")
    if nul >= 0 and not _is_blank(data[nul + 1 :]):
        editor = _cstr(data[nul + 1 :])
    return photographer + b" (Photographer) - " + editor + b" (Editor)"


def _one_rational(entry: ExifEntry) -> tuple[int, int] | None:
    """CF/CC for one RATIONAL: None when libexif would leave the text empty."""
    if entry.format != Format.RATIONAL or entry.components != 1:
        return None
    return _rational(entry)


def _one_srational(entry: ExifEntry) -> tuple[int, int] | None:
    if entry.format != Format.SRATIONAL or entry.components != 1:
        return None
    return _srational(entry)


def _quotient(entry: ExifEntry, fmt: int) -> float | bytes:
    """The value of a single (S)RATIONAL entry, or libexif's whole text when there is none:
    empty for a wrong format or count (CF/CC), the generic text for a zero denominator."""
    ratio = _one_rational(entry) if fmt == Format.RATIONAL else _one_srational(entry)
    if ratio is None:
        return b""
    if not ratio[1]:
        return _format_value(entry)
    return ratio[0] / ratio[1]


def _fnumber(entry: ExifEntry) -> bytes:
    d = _quotient(entry, Format.RATIONAL)
    return d if isinstance(d, bytes) else b"f/%.1f" % d


def _aperture(entry: ExifEntry) -> bytes:
    ratio = _one_rational(entry)
    if ratio is None:
        return b""
    num, den = ratio
    if not den or num == 0x80000000:
        return _format_value(entry)
    d = num / den
    return b"%.2f EV" % d + _suffix(b" (f/%.1f)" % _pow2(d / 2.0))


def _focal_length(entry: ExifEntry, ifd0: Iterable[ExifEntry]) -> bytes:
    ratio = _one_rational(entry)
    if ratio is None:
        return b""
    num, den = ratio
    if not den:
        return _format_value(entry)
    firsts: dict[int, bytes] = {}
    for other in ifd0:
        firsts.setdefault(other.tag, other.data)
    factor = 0.0
    if firsts.get(T.MAKE, b"")[:7] == b"Minolta":
        model = firsts.get(T.MODEL, b"")[:8]
        factor = {b"DiMAGE 7": 3.9, b"DiMAGE 5": 4.9}.get(model, 0.0)
    suffix = b""
    if factor:
        suffix = _suffix(b" (35 equivalent: %.0f mm)" % (factor * num / den))
    return b"%.1f mm" % (num / den) + suffix


def _subject_distance(entry: ExifEntry) -> bytes:
    d = _quotient(entry, Format.RATIONAL)
    return d if isinstance(d, bytes) else b"%.1f m" % d


def _exposure_time(entry: ExifEntry) -> bytes:
    d = _quotient(entry, Format.RATIONAL)
    if isinstance(d, bytes):
        return d
    text = b"1/%.0f" % (1.0 / d) if d and d < 1 else b"%.0f" % d
    return text + b" sec."


def _shutter_speed(entry: ExifEntry) -> bytes:
    d = _quotient(entry, Format.SRATIONAL)
    if isinstance(d, bytes):
        return d
    text = b"%.2f EV" % d
    if _pow2(d):
        d = 1.0 / _pow2(d)
    if d and d < 1:
        return text + _suffix(b" (1/%.0f sec.)" % (1.0 / d))
    return text + _suffix(b" (%.0f sec.)" % d)


def _brightness(entry: ExifEntry) -> bytes:
    d = _quotient(entry, Format.SRATIONAL)
    if isinstance(d, bytes):
        return d
    luminance = 1.0 / (math.pi * 0.3048 * 0.3048) * _pow2(d)
    return b"%.2f EV" % d + _suffix(b" (%.2f cd/m^2)" % luminance)


def _exposure_bias(entry: ExifEntry) -> bytes:
    d = _quotient(entry, Format.SRATIONAL)
    return d if isinstance(d, bytes) else b"%.2f EV" % d


def _one_byte_name(entry: ExifEntry, fmt: int, names: dict[int, bytes]) -> bytes:
    if entry.format != fmt or entry.components != 1:
        return b""
    value = entry.data[0]
    return names.get(value) or _unknown(value)


def _file_source(entry: ExifEntry) -> bytes:
    return _one_byte_name(entry, Format.UNDEFINED, {3: b"DSC"})


def _scene_type(entry: ExifEntry) -> bytes:
    return _one_byte_name(entry, Format.UNDEFINED, {1: b"Directly photographed"})


def _altitude_ref(entry: ExifEntry) -> bytes:
    return _one_byte_name(entry, Format.BYTE, {0: b"Sea level", 1: b"Sea level reference"})


def _components_configuration(entry: ExifEntry) -> bytes:
    if entry.format != Format.UNDEFINED or entry.components != 4:
        return b""
    return b" ".join(T.COMPONENT_NAMES.get(c, b"Reserved") for c in entry.data)


def _ycbcr_sub_sampling(entry: ExifEntry) -> bytes:
    if entry.format != Format.SHORT or entry.components != 2:
        return b""
    pair = (_u16(entry, 0), _u16(entry, 1))
    if pair == (2, 1):
        return b"YCbCr4:2:2"
    if pair == (2, 2):
        return b"YCbCr4:2:0"
    return b"%d, %d" % pair


def _subject_area(entry: ExifEntry) -> bytes:
    if entry.format != Format.SHORT:
        return b""
    count = entry.components
    values = [_u16(entry, i) for i in range(min(count, 4))]
    if count == 2:
        return b"(x,y) = (%d,%d)" % (values[0], values[1])
    if count == 3:
        return b"Within distance %d of (x,y) = (%d,%d)" % (values[2], values[0], values[1])
    if count == 4:
        return b"Within rectangle (width %d, height %d) around (x,y) = (%d,%d)" % (
            values[2],
            values[3],
            values[0],
            values[1],
        )
    return b"Unexpected number of components (%d, expected 2, 3, or 4)." % count


def _gps_version(entry: ExifEntry) -> bytes:
    if entry.format != Format.BYTE or entry.components != 4:
        return b""
    return b".".join(b"%d" % v for v in entry.data)


def _interoperability_version(entry: ExifEntry) -> bytes:
    # Same number as GPSLatitude, which takes the generic branch.
    if entry.format == Format.UNDEFINED:
        return _cstr(entry.data)
    return _format_value(entry)


def _gps_time_stamp(entry: ExifEntry) -> bytes:
    if entry.format != Format.RATIONAL or entry.components != 3:
        return b""
    (hn, hd), (mn, md), (sn, sd) = (_rational(entry, i) for i in range(3))
    if not (hd and md and sd):
        return _format_value(entry)
    return b"%02d:%02d:%05.2f" % (hn // hd, mn // md, sn / sd)


def _value_name(entry: ExifEntry) -> bytes:
    if entry.format != Format.SHORT or entry.components != 1:
        return b""
    value = _u16(entry)
    name = T.VALUE_NAMES[entry.tag].get(value)
    return _unknown(value) if name is None else name.encode("ascii")


def _indexed_name(entry: ExifEntry) -> bytes:
    if entry.format != Format.SHORT or entry.components != 1:
        return b""
    value = _u16(entry)
    names = T.INDEXED_NAMES[entry.tag]
    if value >= len(names):
        return b"%d" % value
    if not names[value]:
        return b"Unknown value %d" % value
    return names[value].encode("ascii")


def _xp_text(entry: ExifEntry) -> bytes:
    """XP* tags: UCS-2LE to UTF-8 as ``exif_convert_utf16_to_utf8()`` does (no surrogates)."""
    data = entry.data
    if len(data) >= 65536 - 4:
        return b""
    # libexif pads a copy with zeros, so an odd last byte becomes a character of its own.
    data += b"\0\0\0"
    out = bytearray()
    for i in range(0, len(data) - 1, 2):
        v = data[i] | data[i + 1] << 8
        if not v:
            break
        if v < 0x80:
            out.append(v)
        elif v < 0x800:
            out += bytes((0xC0 | v >> 6, 0x80 | v & 0x3F))
        else:
            out += bytes((0xE0 | v >> 12, 0x80 | v >> 6 & 0x3F, 0x80 | v & 0x3F))
    return bytes(out)


_HANDLERS: dict[int, Callable[[ExifEntry], bytes]] = {
    T.USER_COMMENT: _user_comment,
    T.EXIF_VERSION: _exif_version,
    T.FLASH_PIX_VERSION: _flash_pix_version,
    T.COPYRIGHT: _copyright,
    T.FNUMBER: _fnumber,
    T.APERTURE_VALUE: _aperture,
    T.MAX_APERTURE_VALUE: _aperture,
    T.SUBJECT_DISTANCE: _subject_distance,
    T.EXPOSURE_TIME: _exposure_time,
    T.SHUTTER_SPEED_VALUE: _shutter_speed,
    T.BRIGHTNESS_VALUE: _brightness,
    T.FILE_SOURCE: _file_source,
    T.COMPONENTS_CONFIGURATION: _components_configuration,
    T.EXPOSURE_BIAS_VALUE: _exposure_bias,
    T.SCENE_TYPE: _scene_type,
    T.YCBCR_SUB_SAMPLING: _ycbcr_sub_sampling,
    T.SUBJECT_AREA: _subject_area,
    T.GPS_VERSION_ID: _gps_version,
    T.INTEROPERABILITY_VERSION: _interoperability_version,
    T.GPS_ALTITUDE_REF: _altitude_ref,
    T.GPS_TIME_STAMP: _gps_time_stamp,
    **{tag: _value_name for tag in T.VALUE_NAMES},
    **{tag: _indexed_name for tag in T.INDEXED_NAMES},
}
