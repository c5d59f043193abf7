"""No traffic but to the configured endpoints.

Importing `rag` imports this first: Chroma's and Gradio's telemetry off and the Hugging Face libraries
offline, set before any of them is imported (each reads its switch once, at import). A value the user set is
kept.
"""

from __future__ import annotations

import os

SWITCHES = {
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}

for _name, _value in SWITCHES.items():
    os.environ.setdefault(_name, _value)
