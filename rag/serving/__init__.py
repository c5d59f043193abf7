"""What we run ourselves: the embedded model endpoint, the embeddings server and the chat API.

The embedded model endpoint (llama.cpp's OpenAI-compatible server on loopback):
- `rag.serving.model_files`: the bundled GGUF weights, assembled from their packages and checked by SHA-256;
- `rag.serving.model_server`: starting it once, recording it, and attaching to a running one;
- `rag.serving.child`: the server process, which ends with its parent.

`rag.serving.embeddings_server`: the bundled embedder behind an OpenAI-shaped `/v1/embeddings` route.

The chat API (`rag serve`, `rag ui --api`), OpenAI-compatible:
- `rag.serving.protocol`: requests read and replies written in the OpenAI chat-completions shape (pure);
- `rag.serving.engines`: one engine per collection, sharing the embedder;
- `rag.serving.api`: the routes, authentication, errors and server-sent events;
- `rag.serving.api_server`: running it with uvicorn on loopback.
"""
