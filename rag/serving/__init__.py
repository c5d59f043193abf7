"""The documents as a service: an OpenAI-compatible chat API (`rag serve`, `rag ui --api`).

- `rag.serving.protocol`: requests read and replies written in the OpenAI chat-completions shape (pure);
- `rag.serving.engines`: one engine per collection, sharing the embedder;
- `rag.serving.api`: the routes, authentication, errors and server-sent events;
- `rag.serving.server`: running it with uvicorn on loopback.
"""
