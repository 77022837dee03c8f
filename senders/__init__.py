"""VISLIVIS sender client: the store PC's side of the sender API (SPEC §3, seed 000).

Standalone on purpose: it needs only ``requests`` (and OpenCV, optionally, for setup snapshots)
so a store PC can ``pip install ./senders`` without Django or the rest of the project.
"""

__version__ = "0.1.0"
