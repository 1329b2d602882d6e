"""Roundup editions: pure rules, blurbs, rendering and link checking (no UI, no database).

The service layer (`curator.services.roundup_service`) stores editions; this package decides windows and
numbering, writes blurbs and renders Markdown, HTML and text from user-overridable templates.
"""
