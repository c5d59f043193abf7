"""Storage: the Chroma collections an index lives in, and their names.

`chroma` is the typed store and its collections, `embedded` and `server` the two places it can be, `factory`
opens the configured one (`open_store`), `records` is what a chunk is stored as, and `collections` names,
lists and deletes collections.
"""
