"""Sales copy written from the catalog: product introductions (话术) and offer lines.

* :mod:`app.content.generator` -- the built-in generator (FABE introductions in Chinese and
  English, several variants, fitted to 15-40 s of speech; countdown and stock-running-low
  lines); every clause keeps the catalog fields it says.
* :mod:`app.content.timing` -- how long a text takes to say at ``speech.rate_wpm``.
* :mod:`app.content.book` -- the introductions a running session speaks for products without
  a script (the idle rotation, Introduce).
* :mod:`app.content.llm` -- an optional OpenAI-compatible chat-completions client (local
  Ollama / llama.cpp / LM Studio, or a hosted service with its key in the OS keyring).
* :mod:`app.content.check` -- what every text the model writes must pass before it is spoken
  or saved (fact guard, banned words, markup, other products, offensive language).
* :mod:`app.content.writer` -- the prompts and the use of the answers (introduction drafts,
  small talk, rewording of replies); :mod:`app.content.stage` -- the model in a live session.
* :mod:`app.content.drafts` -- drafts for review as CSV, and a catalog copy with scripts.
"""
