"""Storage: the Chroma collections an index lives in, and their names.

`chroma` opens the embedded or server store and reads and writes its records; `collections` names, lists and
deletes collections.
"""
