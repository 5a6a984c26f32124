"""Renderings of stored runs: the text tree of `show`, the run list and waterfall pages."""
