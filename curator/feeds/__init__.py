"""The feed list: OPML read and write (lossless), the file lock, and feed discovery."""
