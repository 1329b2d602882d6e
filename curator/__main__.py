"""Allow `python -m curator`."""

from curator.launch.entry import main

main()
