#!/bin/sh
# Regenerate the edge-case media and their expected ffprobe answers.
# Needs FFmpeg 5.1 (Debian bookworm: apt-get install ffmpeg) and Python 3; run from anywhere.
set -eu
cd "$(dirname "$0")"
ff="ffmpeg -v error -y -bitexact"
A="-f lavfi -i sine=frequency=440:sample_rate=44100:duration=1"
TAGS="-metadata title=fop-test"

# MP3 bases: no VBR header, an Info header (constant rate), a Xing header (variable rate)
$ff $A -c:a libmp3lame -b:a 32k -write_xing 0 -id3v2_version 0 base_cbr.mp3
$ff $A -c:a libmp3lame -b:a 32k -id3v2_version 3 $TAGS base_info.mp3
$ff $A -c:a libmp3lame -q:a 9 -id3v2_version 3 $TAGS base_vbr.mp3
$ff -f lavfi -i sine=frequency=440:sample_rate=22050:duration=0.3 -c:a libmp3lame -b:a 32k base.flv
# one frame of video in a transport and a program stream: too few frames to measure a rate
$ff -f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 1 -c:v libx264 -preset veryfast -pix_fmt yuv420p one_frame_h264.ts
$ff -f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 1 -c:v mpeg2video -f vob one_frame_mpeg2.mpg
# an AVI cut short of its RIFF size: 5.1 cut the streams' durations in proportion
$ff -f lavfi -i testsrc2=size=64x48:rate=15:duration=1 -f lavfi -i sine=duration=1 -c:v mpeg4 -q:v 20 \
    -c:a libmp3lame -b:a 32k base.avi
head -c 12000 base.avi >truncated.avi
python3 build.py
rm -f base_cbr.mp3 base_info.mp3 base_vbr.mp3 base.flv base.avi

for f in *.mp4 *.mp3 *.flv *.ts *.mpg *.avi; do
    ffprobe -v error -show_format -show_streams -print_format json "$f" >"$f.json"
done
