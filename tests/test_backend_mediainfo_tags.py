"""The container tag names the mediainfo backend gives MediaInfo's General fields."""

from __future__ import annotations

import typing as t

import pytest

from fop_middleware.backends.mediainfo.tags import format_tags

MOV = "mov,mp4,m4a,3gp,3g2,mj2"


@pytest.mark.parametrize(
    ("general", "container", "want"),
    [
        pytest.param({"Track_Position": "1", "Track_Position_Total": "2", "Part_Position": "1",
                      "Part_Position_Total": "3", "Album_Performer": "aa", "Recorded_Date": "2006"}, MOV,
                     {"track": "1/2", "disc": "1/3", "album_artist": "aa", "date": "2006"}, id="itunes-numbers"),
        pytest.param({"Track_Position": "1", "Track_Position_Total": "2"}, "aiff", {"track": "1"}, id="id3-track"),
        pytest.param({"Encoded_Application": "PENTAX K-x  ", "Mastered_Date": "2009/10/27 12:14:34"}, "avi",
                     {"software": "PENTAX K-x  ", "creation_time": "2009-10-27 12:14:34"}, id="avi-info"),
        pytest.param({"Encoded_Application": "Lavf59.27.100", "Recorded_Date": "2005-08-08"}, "wav",
                     {"encoder": "Lavf59.27.100", "date": "2005-08-08"}, id="wav-info"),
        pytest.param({"Performer": "Nobody", "Encoded_Application": "Lavf59.27.100"}, "flac",
                     {"ARTIST": "Nobody", "encoder": "Lavf59.27.100"}, id="vorbis-comment-case"),
        pytest.param({"Title": "t", "Performer": "p"}, "matroska,webm", {"title": "t", "ARTIST": "p"}, id="matroska-case"),
        pytest.param({"Title": "t"}, "ogg", {}, id="ogg-on-streams"),
        pytest.param({"Composer": "c", "Recorded_Date": "2006"}, "mp3", {}, id="id3-names-unknown"),
    ],
)
def test_format_tags(general: dict[str, t.Any], container: str, want: dict[str, str]) -> None:
    assert format_tags(general, container) == want
