"""Benchmarks of VISLIVIS (``make bench``): ingest over HTTP, footfall queries, capture, VisitorsFlow.

Every figure is a ratio to a baseline measured in the same run on the same server, interleaved
A B A B over several rounds (medians), with the absolute numbers beside it. Nothing here is
imported by the product; the bench-only URLconf adds the bare baseline view.
"""
