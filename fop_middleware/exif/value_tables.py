"""Tag numbers and the enumeration texts of libexif 0.6.24's ``exif-entry.c`` (C locale).

Kept apart from :mod:`fop_middleware.exif.values` because they are data, not logic.
"""

from __future__ import annotations

from fop_middleware.exif.entry import Format as F

# Tag numbers (``exif-tag.h``); the GPS tags reuse 0x0000-0x001f.
GPS_VERSION_ID = 0x0000
INTEROPERABILITY_VERSION = 0x0002  # also GPSLatitude in the GPS IFD
GPS_ALTITUDE_REF = 0x0005
GPS_TIME_STAMP = 0x0007
IMAGE_WIDTH = 0x0100
IMAGE_LENGTH = 0x0101
BITS_PER_SAMPLE = 0x0102
COMPRESSION = 0x0103
PHOTOMETRIC_INTERPRETATION = 0x0106
IMAGE_DESCRIPTION = 0x010E
MAKE = 0x010F
MODEL = 0x0110
ORIENTATION = 0x0112
SAMPLES_PER_PIXEL = 0x0115
X_RESOLUTION = 0x011A
Y_RESOLUTION = 0x011B
PLANAR_CONFIGURATION = 0x011C
RESOLUTION_UNIT = 0x0128
SOFTWARE = 0x0131
DATE_TIME = 0x0132
ARTIST = 0x013B
WHITE_POINT = 0x013E
PRIMARY_CHROMATICITIES = 0x013F
JPEG_INTERCHANGE_FORMAT = 0x0201
JPEG_INTERCHANGE_FORMAT_LENGTH = 0x0202
YCBCR_SUB_SAMPLING = 0x0212
YCBCR_POSITIONING = 0x0213
REFERENCE_BLACK_WHITE = 0x0214
COPYRIGHT = 0x8298
EXPOSURE_TIME = 0x829A
FNUMBER = 0x829D
EXIF_IFD_POINTER = 0x8769
EXPOSURE_PROGRAM = 0x8822
GPS_INFO_IFD_POINTER = 0x8825
ISO_SPEED_RATINGS = 0x8827
SENSITIVITY_TYPE = 0x8830
EXIF_VERSION = 0x9000
DATE_TIME_ORIGINAL = 0x9003
DATE_TIME_DIGITIZED = 0x9004
COMPONENTS_CONFIGURATION = 0x9101
COMPRESSED_BITS_PER_PIXEL = 0x9102
SHUTTER_SPEED_VALUE = 0x9201
APERTURE_VALUE = 0x9202
BRIGHTNESS_VALUE = 0x9203
EXPOSURE_BIAS_VALUE = 0x9204
MAX_APERTURE_VALUE = 0x9205
SUBJECT_DISTANCE = 0x9206
METERING_MODE = 0x9207
LIGHT_SOURCE = 0x9208
FLASH = 0x9209
FOCAL_LENGTH = 0x920A
SUBJECT_AREA = 0x9214
MAKER_NOTE = 0x927C
USER_COMMENT = 0x9286
SUB_SEC_TIME = 0x9290
SUB_SEC_TIME_ORIGINAL = 0x9291
SUB_SEC_TIME_DIGITIZED = 0x9292
XP_TITLE = 0x9C9B
XP_COMMENT = 0x9C9C
XP_AUTHOR = 0x9C9D
XP_KEYWORDS = 0x9C9E
XP_SUBJECT = 0x9C9F
FLASH_PIX_VERSION = 0xA000
COLOR_SPACE = 0xA001
PIXEL_X_DIMENSION = 0xA002
PIXEL_Y_DIMENSION = 0xA003
INTEROPERABILITY_IFD_POINTER = 0xA005
FLASH_ENERGY = 0xA20B
FOCAL_PLANE_X_RESOLUTION = 0xA20E
FOCAL_PLANE_Y_RESOLUTION = 0xA20F
FOCAL_PLANE_RESOLUTION_UNIT = 0xA210
SUBJECT_LOCATION = 0xA214
EXPOSURE_INDEX = 0xA215
SENSING_METHOD = 0xA217
FILE_SOURCE = 0xA300
SCENE_TYPE = 0xA301
CUSTOM_RENDERED = 0xA401
EXPOSURE_MODE = 0xA402
WHITE_BALANCE = 0xA403
DIGITAL_ZOOM_RATIO = 0xA404
FOCAL_LENGTH_IN_35MM_FILM = 0xA405
SCENE_CAPTURE_TYPE = 0xA406
GAIN_CONTROL = 0xA407
CONTRAST = 0xA408
SATURATION = 0xA409
SHARPNESS = 0xA40A
SUBJECT_DISTANCE_RANGE = 0xA40C

#: libexif's ``list``: the text is the value's index; "" prints ``Unknown value %i``,
#: an index past the end prints the number.
INDEXED_NAMES: dict[int, tuple[str, ...]] = {
    PLANAR_CONFIGURATION: ("Chunky format", "Planar format"),
    SENSING_METHOD: (
        "",
        "Not defined",
        "One-chip color area sensor",
        "Two-chip color area sensor",
        "Three-chip color area sensor",
        "Color sequential area sensor",
        "",
        "Trilinear sensor",
        "Color sequential linear sensor",
    ),
    ORIENTATION: (
        "",
        "Top-left",
        "Top-right",
        "Bottom-right",
        "Bottom-left",
        "Left-top",
        "Right-top",
        "Right-bottom",
        "Left-bottom",
    ),
    YCBCR_POSITIONING: ("", "Centered", "Co-sited"),
    PHOTOMETRIC_INTERPRETATION: (
        "Reversed mono",
        "Normal mono",
        "RGB",
        "Palette",
        "",
        "CMYK",
        "YCbCr",
        "",
        "CieLAB",
    ),
    CUSTOM_RENDERED: ("Normal process", "Custom process"),
    EXPOSURE_MODE: ("Auto exposure", "Manual exposure", "Auto bracket"),
    WHITE_BALANCE: ("Auto white balance", "Manual white balance"),
    SCENE_CAPTURE_TYPE: ("Standard", "Landscape", "Portrait", "Night scene"),
    GAIN_CONTROL: ("Normal", "Low gain up", "High gain up", "Low gain down", "High gain down"),
    SATURATION: ("Normal", "Low saturation", "High saturation"),
    CONTRAST: ("Normal", "Soft", "Hard"),
    SHARPNESS: ("Normal", "Soft", "Hard"),
}

#: libexif's ``list2``, keeping only the longest (first) text of each value, which is the
#: one chosen whenever the output buffer is large enough; a missing value prints
#: ``Internal error (unknown value %i)``.
VALUE_NAMES: dict[int, dict[int, str]] = {
    METERING_MODE: {
        0: "Unknown",
        1: "Average",
        2: "Center-weighted average",
        3: "Spot",
        4: "Multi spot",
        5: "Pattern",
        6: "Partial",
        255: "Other",
    },
    COMPRESSION: {
        1: "Uncompressed",
        5: "LZW compression",
        6: "JPEG compression",
        7: "JPEG compression",
        8: "Deflate/ZIP compression",
        32773: "PackBits compression",
    },
    LIGHT_SOURCE: {
        0: "Unknown",
        1: "Daylight",
        2: "Fluorescent",
        3: "Tungsten incandescent light",
        4: "Flash",
        9: "Fine weather",
        10: "Cloudy weather",
        11: "Shade",
        12: "Daylight fluorescent",
        13: "Day white fluorescent",
        14: "Cool white fluorescent",
        15: "White fluorescent",
        17: "Standard light A",
        18: "Standard light B",
        19: "Standard light C",
        20: "D55",
        21: "D65",
        22: "D75",
        24: "ISO studio tungsten",
        255: "Other",
    },
    FOCAL_PLANE_RESOLUTION_UNIT: {2: "Inch", 3: "Centimeter"},
    RESOLUTION_UNIT: {2: "Inch", 3: "Centimeter"},
    EXPOSURE_PROGRAM: {
        0: "Not defined",
        1: "Manual",
        2: "Normal program",
        3: "Aperture priority",
        4: "Shutter priority",
        5: "Creative program (biased toward depth of field)",
        6: "Creative program (biased toward fast shutter speed)",
        7: "Portrait mode (for closeup photos with the background out of focus)",
        8: "Landscape mode (for landscape photos with the background in focus)",
    },
    SENSITIVITY_TYPE: {
        0: "Unknown",
        1: "Standard output sensitivity (SOS)",
        2: "Recommended exposure index (REI)",
        3: "ISO speed",
        4: "Standard output sensitivity (SOS) and recommended exposure index (REI)",
        5: "Standard output sensitivity (SOS) and ISO speed",
        6: "Recommended exposure index (REI) and ISO speed",
        7: "Standard output sensitivity (SOS) and recommended exposure index (REI) and ISO speed",
    },
    FLASH: {
        0x00: "Flash did not fire",
        0x01: "Flash fired",
        0x05: "Strobe return light not detected",
        0x07: "Strobe return light detected",
        0x08: "Flash did not fire",
        0x09: "Flash fired, compulsory flash mode",
        0x0D: "Flash fired, compulsory flash mode, return light not detected",
        0x0F: "Flash fired, compulsory flash mode, return light detected",
        0x10: "Flash did not fire, compulsory flash mode",
        0x18: "Flash did not fire, auto mode",
        0x19: "Flash fired, auto mode",
        0x1D: "Flash fired, auto mode, return light not detected",
        0x1F: "Flash fired, auto mode, return light detected",
        0x20: "No flash function",
        0x41: "Flash fired, red-eye reduction mode",
        0x45: "Flash fired, red-eye reduction mode, return light not detected",
        0x47: "Flash fired, red-eye reduction mode, return light detected",
        0x49: "Flash fired, compulsory flash mode, red-eye reduction mode",
        0x4D: "Flash fired, compulsory flash mode, red-eye reduction mode, return light not detected",
        0x4F: "Flash fired, compulsory flash mode, red-eye reduction mode, return light detected",
        0x58: "Flash did not fire, auto mode, red-eye reduction mode",
        0x59: "Flash fired, auto mode, red-eye reduction mode",
        0x5D: "Flash fired, auto mode, return light not detected, red-eye reduction mode",
        0x5F: "Flash fired, auto mode, return light detected, red-eye reduction mode",
    },
    SUBJECT_DISTANCE_RANGE: {0: "Unknown", 1: "Macro", 2: "Close view", 3: "Distant view"},
    COLOR_SPACE: {1: "sRGB", 2: "Adobe RGB", 0xFFFF: "Uncalibrated"},
}

#: ``ExifVersion`` labels and the version printed for each (``Exif Version %d.%d``).
EXIF_VERSIONS: dict[bytes, tuple[int, int]] = {
    b"0110": (1, 1),
    b"0120": (1, 2),
    b"0200": (2, 0),
    b"0210": (2, 1),
    b"0220": (2, 2),
    b"0221": (2, 21),
    b"0230": (2, 3),
    b"0231": (2, 31),
    b"0232": (2, 32),
}

#: ``ComponentsConfiguration`` byte names; others print ``Reserved``.
COMPONENT_NAMES: dict[int, bytes] = {0: b"-", 1: b"Y", 2: b"Cb", 3: b"Cr", 4: b"R", 5: b"G", 6: b"B"}

#: ``exif-gps-ifd.c``: (format, components, default bytes or None) of the GPS tags libexif
#: creates; a default of None means zero-filled data of the format's size.
GPS_DEFAULTS: dict[int, tuple[int, int, bytes | None]] = {
    0x00: (1, 4, b"\x02\x02\x00\x00"),
    0x01: (2, 0, None),
    0x02: (5, 3, None),
    0x03: (2, 0, None),
    0x04: (5, 3, None),
    0x05: (1, 1, b"\x00"),
    0x06: (5, 1, None),
    0x07: (5, 3, None),
    0x08: (2, 0, None),
    0x09: (2, 0, None),
    0x0A: (2, 0, None),
    0x0B: (5, 1, None),
    0x0C: (2, 2, b"K\x00"),
    0x0D: (5, 1, None),
    0x0E: (2, 2, b"T\x00"),
    0x0F: (5, 1, None),
    0x10: (2, 2, b"T\x00"),
    0x11: (5, 1, None),
    0x12: (2, 0, None),
    0x13: (2, 0, None),
    0x14: (5, 3, None),
    0x15: (2, 0, None),
    0x16: (5, 3, None),
    0x17: (2, 2, b"T\x00"),
    0x18: (5, 1, None),
    0x19: (2, 2, b"K\x00"),
    0x1A: (5, 1, None),
    0x1B: (7, 0, None),
    0x1C: (7, 0, None),
    0x1D: (2, 0, None),
    0x1E: (3, 1, None),
}

#: Tags ``exif_entry_fix()`` converts to SHORT, RATIONAL and SRATIONAL.
SHORT_TAGS = frozenset(
    {
        YCBCR_SUB_SAMPLING,
        SUBJECT_AREA,
        COLOR_SPACE,
        PLANAR_CONFIGURATION,
        SENSING_METHOD,
        ORIENTATION,
        YCBCR_POSITIONING,
        PHOTOMETRIC_INTERPRETATION,
        CUSTOM_RENDERED,
        EXPOSURE_MODE,
        WHITE_BALANCE,
        SCENE_CAPTURE_TYPE,
        GAIN_CONTROL,
        SATURATION,
        CONTRAST,
        SHARPNESS,
        ISO_SPEED_RATINGS,
    }
)
RATIONAL_TAGS = frozenset({FNUMBER, APERTURE_VALUE, EXPOSURE_TIME, FOCAL_LENGTH})
SRATIONAL_TAGS = frozenset({EXPOSURE_BIAS_VALUE, BRIGHTNESS_VALUE, SHUTTER_SPEED_VALUE})

_INITIAL_GROUPS: tuple[tuple[tuple[int, ...], int, int, tuple[int, ...]], ...] = (
    (
        (
            PIXEL_X_DIMENSION,
            PIXEL_Y_DIMENSION,
            EXIF_IFD_POINTER,
            GPS_INFO_IFD_POINTER,
            INTEROPERABILITY_IFD_POINTER,
            JPEG_INTERCHANGE_FORMAT_LENGTH,
            JPEG_INTERCHANGE_FORMAT,
        ),
        F.LONG,
        1,
        (),
    ),
    (
        (
            SUBJECT_LOCATION,
            SENSING_METHOD,
            PHOTOMETRIC_INTERPRETATION,
            COMPRESSION,
            EXPOSURE_MODE,
            WHITE_BALANCE,
            FOCAL_LENGTH_IN_35MM_FILM,
            GAIN_CONTROL,
            SUBJECT_DISTANCE_RANGE,
            FLASH,
            ISO_SPEED_RATINGS,
            SENSITIVITY_TYPE,
            IMAGE_WIDTH,
            IMAGE_LENGTH,
            EXPOSURE_PROGRAM,
            LIGHT_SOURCE,
            METERING_MODE,
            CUSTOM_RENDERED,
            SCENE_CAPTURE_TYPE,
            CONTRAST,
            SATURATION,
            SHARPNESS,
        ),
        F.SHORT,
        1,
        (0,),
    ),
    ((ORIENTATION, PLANAR_CONFIGURATION, YCBCR_POSITIONING), F.SHORT, 1, (1,)),
    ((RESOLUTION_UNIT, FOCAL_PLANE_RESOLUTION_UNIT), F.SHORT, 1, (2,)),
    ((SAMPLES_PER_PIXEL,), F.SHORT, 1, (3,)),
    ((COLOR_SPACE,), F.SHORT, 1, (0xFFFF,)),
    ((BITS_PER_SAMPLE,), F.SHORT, 3, (8, 8, 8)),
    ((YCBCR_SUB_SAMPLING,), F.SHORT, 2, (2, 1)),
    ((EXPOSURE_BIAS_VALUE, BRIGHTNESS_VALUE, SHUTTER_SPEED_VALUE), F.SRATIONAL, 1, ()),
    (
        (
            EXPOSURE_TIME,
            FOCAL_PLANE_X_RESOLUTION,
            FOCAL_PLANE_Y_RESOLUTION,
            EXPOSURE_INDEX,
            FLASH_ENERGY,
            FNUMBER,
            FOCAL_LENGTH,
            SUBJECT_DISTANCE,
            MAX_APERTURE_VALUE,
            APERTURE_VALUE,
            COMPRESSED_BITS_PER_PIXEL,
            PRIMARY_CHROMATICITIES,
            DIGITAL_ZOOM_RATIO,
        ),
        F.RATIONAL,
        1,
        (),
    ),
    ((X_RESOLUTION, Y_RESOLUTION), F.RATIONAL, 1, (72, 1)),
    ((WHITE_POINT,), F.RATIONAL, 2, ()),
    ((REFERENCE_BLACK_WHITE,), F.RATIONAL, 6, (0, 1, 255, 1, 0, 1, 255, 1, 0, 1, 255, 1)),
    ((DATE_TIME, DATE_TIME_ORIGINAL, DATE_TIME_DIGITIZED), F.ASCII, 20, ()),
    ((SUB_SEC_TIME, SUB_SEC_TIME_ORIGINAL, SUB_SEC_TIME_DIGITIZED), F.ASCII, 0, ()),
    (
        (IMAGE_DESCRIPTION, MAKE, MODEL, SOFTWARE, ARTIST),
        F.ASCII,
        7,
        tuple(b"[None]\0"),
    ),
    ((COPYRIGHT,), F.ASCII, 14, tuple(b"[None]\0[None]\0")),
    ((SCENE_TYPE,), F.UNDEFINED, 1, (1,)),
    ((FILE_SOURCE,), F.UNDEFINED, 1, (3,)),
    ((FLASH_PIX_VERSION,), F.UNDEFINED, 4, tuple(b"0100")),
    ((EXIF_VERSION,), F.UNDEFINED, 4, tuple(b"0210")),
    ((COMPONENTS_CONFIGURATION,), F.UNDEFINED, 4, (1, 2, 3, 0)),
)
#: tag -> (format, components, default values) of ``exif_entry_initialize()``; the values
#: are bytes for ASCII/UNDEFINED, numbers (numerator, denominator, ...) otherwise.
INITIAL: dict[int, tuple[int, int, tuple[int, ...]]] = {
    tag: (fmt, count, values) for tags, fmt, count, values in _INITIAL_GROUPS for tag in tags
}
