"""Regenerate the small files in this folder (run from anywhere: ``python tests/files/core/make.py``)."""

from __future__ import annotations

import math
import pathlib
import struct
import subprocess
import wave

from PIL import Image

HERE = pathlib.Path(__file__).resolve().parent


def make_jpegs() -> None:
    image = Image.new("RGB", (32, 24), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS 5D"  # Model
    exif[0x0112] = 1  # Orientation
    exif[0x0132] = "2024:05:06 07:08:09"  # DateTime
    exif[0x010E] = "Café crème"  # ImageDescription, non-ASCII on purpose
    image.save(HERE / "photo.jpg", quality=80, exif=exif)
    image.save(HERE / "noexif.jpg", quality=80)


def make_wav() -> None:
    with wave.open(str(HERE / "tone.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8))) for i in range(800)))


def make_mp4() -> None:
    # ffmpeg writes the moov box after mdat unless told -movflags +faststart.
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=0.5",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=0.5",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "16k",
         "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
         str(HERE / "clip.mp4")],
        check=True,
    )


if __name__ == "__main__":
    make_jpegs()
    make_wav()
    make_mp4()
    (HERE / "notes.txt").write_text("Plain text, not an image.\n", encoding="utf-8")
