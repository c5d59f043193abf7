"""Retrieval: the embedder, dense and keyword search over small units, their fusion, and the passages read.

`embed` turns text into vectors (bundled or over HTTP); `keyword` is the BM25 side; `fusion` weighs the two;
`window` grows each hit into the passage the model reads; `retriever` puts them together.
"""
