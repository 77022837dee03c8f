"""VISLIVIS sender client: the store PC's side of the sender API (SPEC §3, seed 000).

Standalone on purpose: it needs Python 3.8+ and its standard library only (OpenCV, optionally,
for setup snapshots), so a store PC's stock ``python3`` runs it: from the panel's one-file
download (``/downloads/vislivis-sender.pyz``) or after ``pip install ./senders``.
"""

__version__ = "0.1.0"
