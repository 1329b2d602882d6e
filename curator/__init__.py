"""curator: reads a community's blogs, sorts posts into the roundup's themes, exports the roundup."""

__version__ = "0.1.0"
