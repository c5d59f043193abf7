"""Ingest: files read, cut into small search units with their paragraphs, embedded and written incrementally.

`readers` turns a file into text with its structure; `chunk` cuts it; `catalog` lists what is indexed;
`indexer` brings a collection in step with its folders.
"""
