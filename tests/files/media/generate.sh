#!/bin/sh
# Regenerate the small media files and their expected ffprobe answers.
# Needs FFmpeg 5.1 (Debian bookworm: apt-get install ffmpeg); run from this folder.
set -eu
cd "$(dirname "$0")"
ff="ffmpeg -v error -y -bitexact"
V="-f lavfi -i testsrc2=size=160x120:rate=15:duration=1"
A="-f lavfi -i sine=frequency=440:sample_rate=44100:duration=1"
A2="-f lavfi -i sine=frequency=660:sample_rate=48000:duration=1"
X264="-c:v libx264 -preset veryfast -crf 35 -pix_fmt yuv420p"
TAGS="-metadata title=fop-test -metadata artist=fop-middleware"

printf '1\n00:00:00,000 --> 00:00:00,800\nhello\n' >/tmp/fop-sub.srt

$ff $V $A $X264 -c:a aac -b:a 32k -movflags +faststart $TAGS h264_aac_faststart.mp4
$ff $V $A $X264 -c:a aac -b:a 32k $TAGS h264_aac_moov_end.mp4
$ff $V $A $A2 -i /tmp/fop-sub.srt -map 0 -map 1 -map 2 -map 3 $X264 -c:a:0 aac -b:a:0 32k \
    -c:a:1 libvorbis -q:a:1 0 -c:s srt -metadata:s:a:0 language=eng -metadata:s:a:1 language=fra \
    -metadata:s:s:0 language=eng $TAGS h264_2audio_srt.mkv
$ff -f lavfi -i testsrc2=size=160x120:rate=25:duration=1 $A $X264 -c:a aac -b:a 32k h264_aac.mkv
$ff $V $A -c:v libvpx-vp9 -b:v 50k -deadline realtime -c:a libopus -b:a 24k $TAGS vp9_opus.webm
$ff $A -c:a libmp3lame -b:a 32k -id3v2_version 3 $TAGS cbr_id3.mp3
$ff $A -c:a flac $TAGS audio.flac
$ff $A -ac 2 -c:a pcm_s16le -t 0.3 pcm_stereo.wav
$ff $A -c:a libvorbis -q:a 0 $TAGS vorbis.ogg
$ff $A2 -c:a libopus -b:a 24k $TAGS voice.opus
$ff $A -c:a aac -b:a 32k $TAGS aac.m4a
$ff $V $A -c:v mpeg4 -q:v 20 -c:a libmp3lame -b:a 32k mpeg4_mp3.avi
$ff $V $A $X264 -c:a aac -b:a 32k h264_aac.ts
rm -f /tmp/fop-sub.srt

for f in *.mp4 *.mkv *.webm *.mp3 *.flac *.wav *.ogg *.opus *.m4a *.avi *.ts; do
    ffprobe -v error -show_format -show_streams -print_format json "$f" >"$f.json"
done
