"""Regenerate the small demo files in ``examples/media/`` (Pillow and the ffmpeg binary).

Run:  python examples/make_media.py

The committed files were made this way; they are tiny on purpose (a few KB each) so the
examples and the adapter tests can serve them from a fresh clone.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

from PIL import Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational as R

MEDIA = pathlib.Path(__file__).resolve().parent / "media"

# EXIF tag numbers (EXIF 2.32); Pillow writes the IFDs, we choose the values.
MAKE, MODEL, ORIENTATION, SOFTWARE, DATETIME, ARTIST = 0x010F, 0x0110, 0x0112, 0x0131, 0x0132, 0x013B
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
EXPOSURE_TIME, F_NUMBER, ISO, DATETIME_ORIGINAL, FOCAL_LENGTH = 0x829A, 0x829D, 0x8827, 0x9003, 0x920A
GPS_VERSION, GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT_REF, GPS_ALT = 0, 1, 2, 3, 4, 5, 6


def make_photo(path: pathlib.Path) -> None:
    """A 160x120 JPEG with camera, exposure and GPS EXIF entries."""
    image = Image.new("RGB", (160, 120), "#2a6f97")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 30, 140, 90), fill="#f4a261")
    draw.ellipse((60, 40, 100, 80), fill="#e9c46a")
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[MODEL] = "Canon EOS 5D Mark IV"
    exif[ORIENTATION] = 1
    exif[SOFTWARE] = "fop-middleware examples"
    exif[DATETIME] = "2024:05:17 10:21:33"
    exif[ARTIST] = "Example Photographer"
    sub = exif.get_ifd(EXIF_IFD)
    sub[EXPOSURE_TIME] = R(1, 250)
    sub[F_NUMBER] = R(28, 10)
    sub[ISO] = 200
    sub[DATETIME_ORIGINAL] = "2024:05:17 10:21:33"
    sub[FOCAL_LENGTH] = R(50, 1)
    gps = exif.get_ifd(GPS_IFD)
    gps[GPS_VERSION] = b"\x02\x03\x00\x00"
    gps[GPS_LAT_REF] = "N"
    gps[GPS_LAT] = (R(48, 1), R(51, 1), R(2988, 100))
    gps[GPS_LON_REF] = "E"
    gps[GPS_LON] = (R(2, 1), R(17, 1), R(4032, 100))
    gps[GPS_ALT_REF] = b"\x00"
    gps[GPS_ALT] = R(35, 1)
    image.save(path, "JPEG", quality=80, exif=exif)


def make_plain(path: pathlib.Path) -> None:
    """A PNG without EXIF, for the ``no exif data`` answer."""
    Image.new("RGB", (32, 32), "#264653").save(path, "PNG")


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


BITEXACT = ("-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact")


def make_movie(path: pathlib.Path) -> None:
    """A 1 s 160x120 H.264 + AAC MP4 with its moov box first."""
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=1",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1",
        "-c:v", "libx264", "-preset", "veryslow", "-crf", "32", "-pix_fmt", "yuv420p", "-threads", "1",
        "-c:a", "aac", "-b:a", "48k", "-ac", "1",
        "-movflags", "+faststart", *BITEXACT, str(path),
    )  # fmt: skip


def make_sound(path: pathlib.Path) -> None:
    """A 1 s mono MP3 with an ID3 title."""
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=1",
        "-c:a", "libmp3lame", "-b:a", "32k", "-ac", "1",
        *BITEXACT, "-metadata", "title=Example tone", "-id3v2_version", "3", str(path),
    )  # fmt: skip


def main() -> int:
    if shutil.which("ffmpeg") is None:
        print("make_media.py needs the ffmpeg binary (apt-get install ffmpeg)", file=sys.stderr)
        return 1
    MEDIA.mkdir(exist_ok=True)
    make_photo(MEDIA / "photo.jpg")
    make_plain(MEDIA / "plain.png")
    make_movie(MEDIA / "movie.mp4")
    make_sound(MEDIA / "sound.mp3")
    for f in sorted(MEDIA.iterdir()):
        print(f"{f.stat().st_size:>8}  {f.relative_to(MEDIA.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
