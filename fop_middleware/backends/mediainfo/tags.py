"""The container tags ffprobe prints, from MediaInfo's General fields.

MediaInfo names every tag its own way; libavformat keeps each container's names, turned
into its common ones by a per-demuxer table (``ff_metadata_conv``): iTunes atoms in
``mov.c``, RIFF INFO chunks in ``avidec.c`` (``avi_metadata_conv``) and ``riffdec.c``,
Vorbis comments kept as written. Tags MediaInfo cannot tell apart are left out.
"""

from __future__ import annotations

import typing as t

#: MediaInfo General fields -> the container tags ffprobe shows for them.
TAGS = {"Title": "title", "Performer": "artist", "Album": "album", "Genre": "genre", "Comment": "comment",
        "Encoded_Application": "encoder"}
#: More tags, in the containers whose tables give them these names.
CONTAINER_TAGS: dict[str, dict[str, str]] = {
    # mov_read_udta_string(): iTunes atoms
    "mov": {"Album_Performer": "album_artist", "Composer": "composer", "Grouping": "grouping",
            "Lyrics": "lyrics", "Recorded_Date": "date", "Copyright": "copyright"},
    # the INFO chunk (ICRD) through ff_riff_info_conv
    "wav": {"Recorded_Date": "date", "Copyright": "copyright"},
    # ID3v2 TYER/TDRC in AIFF
    "aiff": {"Recorded_Date": "date"},
    # avi_metadata_conv: ISFT is "software", not "encoder"; IDIT is the creation time
    "avi": {"Encoded_Application": "software", "Mastered_Date": "creation_time"},
}
#: Position fields -> the "n" or "n/total" tags (``mov_metadata_track_or_disc_number()``, ID3 TRCK).
NUMBERS = {"mov": (("Track_Position", "track"), ("Part_Position", "disc")),
           "aiff": (("Track_Position", "track"),)}
#: Where FFmpeg shows container tags: Ogg keeps them on its streams.
NO_FORMAT_TAGS = {"ogg"}
#: Containers whose tag names stay as written, upper case by the Vorbis and Matroska
#: conventions, except what FFmpeg's muxers write in lower case.
UPPER_CASE = {"matroska,webm": ("title",), "flac": ("encoder",)}


def _family(container: str) -> str:
    return "mov" if container.startswith("mov,") else container


def format_tags(general: dict[str, t.Any], container: str) -> dict[str, str]:
    """The common container tags, named as libavformat names them for ``container``."""
    if container in NO_FORMAT_TAGS:
        return {}
    tags: dict[str, str] = {}
    if container.startswith("mov,") and len(str(general.get("CodecID", ""))) == 4:
        tags["major_brand"] = str(general["CodecID"])
        if general.get("CodecID_Compatible"):
            tags["compatible_brands"] = str(general["CodecID_Compatible"]).replace("/", "")
    family = _family(container)
    names = TAGS | CONTAINER_TAGS.get(family, {})
    lower = UPPER_CASE.get(container)
    for key, tag in names.items():
        if general.get(key):
            name = tag.upper() if lower is not None and tag not in lower else tag
            tags[name] = str(general[key])
    if family == "avi" and "creation_time" in tags:
        tags["creation_time"] = tags["creation_time"].replace("/", "-")  # avi_metadata_creation_time()
    for key, tag in NUMBERS.get(family, ()):
        position, total = str(general.get(key, "")), str(general.get(key + "_Total", ""))
        if position.isdigit():
            tags[tag] = f"{position}/{total}" if family == "mov" and total.isdigit() else position
    return tags
