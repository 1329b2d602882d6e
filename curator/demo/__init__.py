"""Bundled sample blogs and a loopback server for `curator demo` (no UI imports here)."""

from curator.demo.blogs import BLOGS, DemoBlog
from curator.demo.server import DemoServer
from curator.demo.site import ALL_POSTS, build_site, expected_themes

__all__ = ["ALL_POSTS", "BLOGS", "DemoBlog", "DemoServer", "build_site", "expected_themes"]
