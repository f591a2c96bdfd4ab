"""The claims Chartwell builds and sends: claims, their lines, batches and control numbers."""

from __future__ import annotations
