"""Dreams over time: zoom animations and flow-steady videos, their frames, work folders and
animation writers."""

from .dreams import dream_video, dream_zoom

__all__ = ["dream_video", "dream_zoom"]
