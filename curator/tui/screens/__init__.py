"""The app's screens: inbox, roundup editor, feeds, themes, help and dialogs."""
