"""Offline speech recognition of the host's microphone (vosk), voice commands, model manager.

Modules: :mod:`app.recognition.vosk` (streaming recognizer), :mod:`app.recognition.commands`
(spoken host commands), :mod:`app.recognition.models` (``livehost models``),
:mod:`app.recognition.transcribe` (files). The microphone itself is a chat source:
:mod:`app.sources.microphone`.
"""
