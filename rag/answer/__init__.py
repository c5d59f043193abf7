"""Answering: the follow-up rewrite, the prompt, the model's answer, and the check of every citation.

`followup` turns what was typed into what is searched; `context` cuts each passage to what the model reads;
`prompts` holds every prompt; `pipeline` runs one question end to end (streaming, with the non-streaming call
consuming the stream); `support` and `verify` decide what the passages state; `complete` finishes a list.
"""
