"""The Gradio chat page: thin handlers over `rag`, pure formatting, and the Blocks wiring.

format.py    answers, sources, status and reports as escaped Markdown/HTML (pure)
uploads.py   sanitise and save uploaded documents (pure file handling)
handlers.py  what the page's events call: ask, upload, status
layout.py    the components and their events (wiring only)
theme.py     theme, CSS and the citation-click script
app.py       build the engine once and launch (`main`, `launch`)
"""
