"""libexif 0.6.24's tag table (``exif-tag.c``): names and per-IFD support levels.

libexif keeps an entry only when the tag has a name in its IFD, names it by that IFD
(``exif_tag_get_name_in_ifd``) and, when following the specification, adds the tags
that are mandatory in an IFD for every data type. Rows are generated from the C table,
in its order; each level string has one group per IFD (0, 1, EXIF, GPS, Interoperability)
and one letter per data type (uncompressed chunky, planar, YCC, compressed):
``N`` not recorded, ``O`` optional, ``M`` mandatory, ``U`` unknown.
"""

from __future__ import annotations

from .entry import Ifd

#: (tag, name, support levels), sorted by tag as libexif requires for its binary search.
TAG_TABLE: tuple[tuple[int, str, str], ...] = (
    (0x0000, 'GPSVersionID', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0001, 'InteroperabilityIndex', 'NNNN NNNN NNNN NNNN OOOO'),
    (0x0001, 'GPSLatitudeRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0002, 'InteroperabilityVersion', 'NNNN NNNN NNNN NNNN OOOO'),
    (0x0002, 'GPSLatitude', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0003, 'GPSLongitudeRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0004, 'GPSLongitude', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0005, 'GPSAltitudeRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0006, 'GPSAltitude', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0007, 'GPSTimeStamp', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0008, 'GPSSatellites', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0009, 'GPSStatus', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x000a, 'GPSMeasureMode', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x000b, 'GPSDOP', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x000c, 'GPSSpeedRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x000d, 'GPSSpeed', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x000e, 'GPSTrackRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x000f, 'GPSTrack', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0010, 'GPSImgDirectionRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0011, 'GPSImgDirection', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0012, 'GPSMapDatum', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0013, 'GPSDestLatitudeRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0014, 'GPSDestLatitude', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0015, 'GPSDestLongitudeRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0016, 'GPSDestLongitude', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0017, 'GPSDestBearingRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0018, 'GPSDestBearing', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x0019, 'GPSDestDistanceRef', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x001a, 'GPSDestDistance', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x001b, 'GPSProcessingMethod', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x001c, 'GPSAreaInformation', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x001d, 'GPSDateStamp', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x001e, 'GPSDifferential', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x001f, 'GPSHPositioningError', 'NNNN NNNN NNNN OOOO NNNN'),
    (0x00fe, 'NewSubfileType', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x0100, 'ImageWidth', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x0101, 'ImageLength', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x0102, 'BitsPerSample', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x0103, 'Compression', 'MMMN MMMM NNNN NNNN NNNN'),
    (0x0106, 'PhotometricInterpretation', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x010a, 'FillOrder', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x010d, 'DocumentName', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x010e, 'ImageDescription', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x010f, 'Make', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x0110, 'Model', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x0111, 'StripOffsets', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x0112, 'Orientation', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x0115, 'SamplesPerPixel', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x0116, 'RowsPerStrip', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x0117, 'StripByteCounts', 'MMMN MMMN NNNN NNNN NNNN'),
    (0x011a, 'XResolution', 'MMMM MMMM NNNN NNNN NNNN'),
    (0x011b, 'YResolution', 'MMMM MMMM NNNN NNNN NNNN'),
    (0x011c, 'PlanarConfiguration', 'OMON OMON NNNN NNNN NNNN'),
    (0x0128, 'ResolutionUnit', 'MMMM MMMM NNNN NNNN NNNN'),
    (0x012d, 'TransferFunction', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x0131, 'Software', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x0132, 'DateTime', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x013b, 'Artist', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x013e, 'WhitePoint', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x013f, 'PrimaryChromaticities', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x014a, 'SubIFDs', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x0156, 'TransferRange', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x0200, 'JPEGProc', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x0201, 'JPEGInterchangeFormat', 'NNNN NNNM NNNN NNNN NNNN'),
    (0x0202, 'JPEGInterchangeFormatLength', 'NNNN NNNM NNNN NNNN NNNN'),
    (0x0211, 'YCbCrCoefficients', 'NNOO NNOO NNNN NNNN NNNN'),
    (0x0212, 'YCbCrSubSampling', 'NNMN NNMN NNNN NNNN NNNN'),
    (0x0213, 'YCbCrPositioning', 'NNMM NNOO NNNN NNNN NNNN'),
    (0x0214, 'ReferenceBlackWhite', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x02bc, 'XMLPacket', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x1000, 'RelatedImageFileFormat', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x1001, 'RelatedImageWidth', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x1002, 'RelatedImageLength', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x828d, 'CFARepeatPatternDim', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x828e, 'CFAPattern', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x828f, 'BatteryLevel', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x8298, 'Copyright', 'OOOO OOOO NNNN NNNN NNNN'),
    (0x829a, 'ExposureTime', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x829d, 'FNumber', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x83bb, 'IPTC/NAA', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x8649, 'ImageResources', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x8769, 'ExifIfdPointer', 'NNNN NNNN NNNN NNNN NNNN'),
    (0x8773, 'InterColorProfile', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x8822, 'ExposureProgram', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8824, 'SpectralSensitivity', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8825, 'GPSInfoIFDPointer', 'NNNN NNNN NNNN NNNN NNNN'),
    (0x8827, 'ISOSpeedRatings', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8828, 'OECF', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x882a, 'TimeZoneOffset', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x8830, 'SensitivityType', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8831, 'StandardOutputSensitivity', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8832, 'RecommendedExposureIndex', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8833, 'ISO Speed', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8834, 'ISO Speed Latitude yyy', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x8835, 'ISO Speed Latitude zzz', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9000, 'ExifVersion', 'NNNN NNNN MMMM NNNN NNNN'),
    (0x9003, 'DateTimeOriginal', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9004, 'DateTimeDigitized', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9010, 'OffsetTime', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9011, 'OffsetTimeOriginal', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9012, 'OffsetTimeDigitized', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9101, 'ComponentsConfiguration', 'NNNN NNNN NNNM NNNN NNNN'),
    (0x9102, 'CompressedBitsPerPixel', 'NNNN NNNN NNNO NNNN NNNN'),
    (0x9201, 'ShutterSpeedValue', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9202, 'ApertureValue', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9203, 'BrightnessValue', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9204, 'ExposureBiasValue', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9205, 'MaxApertureValue', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9206, 'SubjectDistance', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9207, 'MeteringMode', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9208, 'LightSource', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9209, 'Flash', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x920a, 'FocalLength', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9214, 'SubjectArea', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9216, 'TIFF/EPStandardID', 'UUUU UUUU UUUU UUUU UUUU'),
    (0x927c, 'MakerNote', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9286, 'UserComment', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9290, 'SubsecTime', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9291, 'SubSecTimeOriginal', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9292, 'SubSecTimeDigitized', 'NNNN NNNN OOOO NNNN NNNN'),
    (0x9c9b, 'XPTitle', 'OOOO NNNN NNNN NNNN NNNN'),
    (0x9c9c, 'XPComment', 'OOOO NNNN NNNN NNNN NNNN'),
    (0x9c9d, 'XPAuthor', 'OOOO NNNN NNNN NNNN NNNN'),
    (0x9c9e, 'XPKeywords', 'OOOO NNNN NNNN NNNN NNNN'),
    (0x9c9f, 'XPSubject', 'OOOO NNNN NNNN NNNN NNNN'),
    (0xa000, 'FlashpixVersion', 'NNNN NNNN MMMM NNNN NNNN'),
    (0xa001, 'ColorSpace', 'NNNN NNNN MMMM NNNN NNNN'),
    (0xa002, 'PixelXDimension', 'NNNN NNNN NNNM NNNN NNNN'),
    (0xa003, 'PixelYDimension', 'NNNN NNNN NNNM NNNN NNNN'),
    (0xa004, 'RelatedSoundFile', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa005, 'InteroperabilityIFDPointer', 'NNNN NNNN NNNN NNNN NNNN'),
    (0xa20b, 'FlashEnergy', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa20c, 'SpatialFrequencyResponse', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa20e, 'FocalPlaneXResolution', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa20f, 'FocalPlaneYResolution', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa210, 'FocalPlaneResolutionUnit', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa214, 'SubjectLocation', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa215, 'ExposureIndex', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa217, 'SensingMethod', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa300, 'FileSource', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa301, 'SceneType', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa302, 'CFAPattern', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa401, 'CustomRendered', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa402, 'ExposureMode', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa403, 'WhiteBalance', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa404, 'DigitalZoomRatio', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa405, 'FocalLengthIn35mmFilm', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa406, 'SceneCaptureType', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa407, 'GainControl', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa408, 'Contrast', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa409, 'Saturation', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa40a, 'Sharpness', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa40b, 'DeviceSettingDescription', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa40c, 'SubjectDistanceRange', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa420, 'ImageUniqueID', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa430, 'CameraOwnerName', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa431, 'BodySerialNumber', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa432, 'LensSpecification', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa433, 'LensMake', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa434, 'LensModel', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa435, 'LensSerialNumber', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa460, 'CompositeImage', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa461, 'SourceImageNumberOfCompositeImage', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa462, 'SourceExposureTimesOfCompositeImage', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xa500, 'Gamma', 'NNNN NNNN OOOO NNNN NNNN'),
    (0xc4a5, 'PrintImageMatching', 'UUUU UUUU UUUU UUUU UUUU'),
    (0xea1c, 'Padding', 'OOOO NNNN OOOO NNNN NNNN'),
)


def _build_names() -> dict[tuple[int, int], str]:
    """``exif_tag_get_name_in_ifd``: first row of the tag recorded for some data type."""
    names: dict[tuple[int, int], str] = {}
    for tag, name, levels in TAG_TABLE:
        for ifd, group in enumerate(levels.split()):
            if group != "NNNN":
                names.setdefault((tag, ifd), name)
    return names


def _build_mandatory() -> dict[int, tuple[int, ...]]:
    """Tags ``exif_content_fix`` adds: with no data type set (libexif's default), a level
    counts only when it is the same for every data type, so only ``MMMM`` is mandatory."""
    mandatory: dict[int, list[int]] = {int(ifd): [] for ifd in Ifd}
    for tag, _name, levels in TAG_TABLE:
        for ifd, group in enumerate(levels.split()):
            if group == "MMMM" and tag not in mandatory[ifd]:
                mandatory[ifd].append(tag)
    return {ifd: tuple(tags) for ifd, tags in mandatory.items()}


_NAMES = _build_names()

#: IFD -> tags added with default values when missing (``exif_content_fix``).
MANDATORY_TAGS: dict[int, tuple[int, ...]] = _build_mandatory()


def name_in_ifd(tag: int, ifd: int) -> str | None:
    """libexif's name of ``tag`` in ``ifd``, or None when libexif does not know it there."""
    return _NAMES.get((tag, ifd))
