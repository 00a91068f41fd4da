"""The ``?avinfo`` operation: ffprobe-shaped answers shared by its backends."""
