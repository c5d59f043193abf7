"""Clients of a model endpoint (any OpenAI-compatible server): chat with retries, and health checks.

What we run ourselves (the embedded llama.cpp server, the embeddings server, the chat API) is in
`rag.serving`.
"""
