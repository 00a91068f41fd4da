"""``fop_middleware.exif.tags``: libexif 0.6.24's names per IFD and its mandatory tags."""

from __future__ import annotations

import pytest

from fop_middleware.exif.entry import Ifd
from fop_middleware.exif.tags import MANDATORY_TAGS, TAG_TABLE, name_in_ifd


@pytest.mark.parametrize(
    ("tag", "ifd", "name"),
    [
        pytest.param(0x0001, Ifd.GPS, "GPSLatitudeRef", id="tag-1-in-gps"),
        pytest.param(0x0001, Ifd.INTEROPERABILITY, "InteroperabilityIndex", id="tag-1-in-interop"),
        pytest.param(0x0000, Ifd.GPS, "GPSVersionID", id="tag-0-in-gps"),
        pytest.param(0x8827, Ifd.EXIF, "ISOSpeedRatings", id="iso"),
        pytest.param(0x9290, Ifd.EXIF, "SubsecTime", id="subsec"),
        pytest.param(0xA002, Ifd.EXIF, "PixelXDimension", id="pixel-x"),
        pytest.param(0x83BB, Ifd.IFD0, "IPTC/NAA", id="unknown-level-any-ifd"),
        pytest.param(0xC4A5, Ifd.GPS, "PrintImageMatching", id="print-image-matching-anywhere"),
        pytest.param(0x0103, Ifd.IFD1, "Compression", id="thumbnail-compression"),
    ],
)
def test_names_in_ifd(tag: int, ifd: Ifd, name: str) -> None:
    assert name_in_ifd(tag, ifd) == name


@pytest.mark.parametrize(
    ("tag", "ifd"),
    [
        pytest.param(0x0001, Ifd.IFD0, id="gps-tag-outside-gps"),
        pytest.param(0x927C, Ifd.IFD0, id="makernote-in-ifd0"),
        pytest.param(0x829A, Ifd.IFD0, id="exposure-time-in-ifd0"),
        pytest.param(0x010F, Ifd.EXIF, id="make-in-exif"),
        pytest.param(0x1234, Ifd.IFD0, id="not-a-tag"),
    ],
)
def test_tags_libexif_does_not_name_there(tag: int, ifd: Ifd) -> None:
    assert name_in_ifd(tag, ifd) is None


def test_table_is_sorted_for_the_binary_search() -> None:
    tags = [row[0] for row in TAG_TABLE]
    assert tags == sorted(tags)


def test_mandatory_tags_are_those_of_every_data_type() -> None:
    # XResolution, YResolution, ResolutionUnit; IFD1 adds Compression; EXIF: versions, colour space.
    assert set(MANDATORY_TAGS[Ifd.IFD0]) == {0x011A, 0x011B, 0x0128}
    assert set(MANDATORY_TAGS[Ifd.IFD1]) == {0x0103, 0x011A, 0x011B, 0x0128}
    assert set(MANDATORY_TAGS[Ifd.EXIF]) == {0x9000, 0xA000, 0xA001}
    assert MANDATORY_TAGS[Ifd.GPS] == MANDATORY_TAGS[Ifd.INTEROPERABILITY] == ()
