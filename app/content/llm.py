"""A client for an OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp's
``llama-server``, LM Studio, vLLM, or a hosted service).

``POST {base_url}/chat/completions`` with ``{"model", "messages", "stream", "temperature",
"max_tokens"}``; the answer is either one JSON object (``choices[0].message.content``) or, with
``stream = true``, server-sent events whose ``data:`` lines carry ``choices[0].delta.content``
chunks and end with ``data: [DONE]`` (the OpenAI protocol; parsed with ``httpx-sse``).

What the client guarantees, whatever the server does:

* **a deadline**: :meth:`ChatClient.complete` returns or raises within ``timeout_s`` seconds
  (wall clock), retries included; a server that accepts the connection and never answers
  raises ``llm-timeout``;
* **a size limit**: at most ``max_chars`` characters are read; a longer answer is cut off and
  marked ``truncated`` (the checks then refuse it);
* **retries**: connection failures, HTTP 5xx and 429 are retried ``retries`` times with a short
  back-off (0.5 s, 1 s, ...) while the deadline allows; other HTTP errors are not;
* **errors with a code**: :class:`~app.errors.LiveHostError` with ``llm-unreachable``,
  ``llm-timeout``, ``llm-http-error`` or ``llm-bad-response``, a message naming the URL and a
  hint; :attr:`ChatClient.state` follows (:class:`app.vocab.LlmState`).

The API key (hosted services only) is read from the OS keyring, service ``livehost``, user
``llm`` (:func:`app.sources.credentials.load_login`), never from a settings file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

import httpx

from app.errors import LiveHostError
from app.vocab import ErrorCode, LlmState

log = logging.getLogger(__name__)

KEYRING_USER = "llm"
"""User name of the API key's keyring entry (service ``livehost``)."""

MAX_BODY_BYTES = 1_048_576
"""A non-streamed answer larger than this is refused without being read further."""


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    """What the model said."""

    text: str
    """The answer (at most ``max_chars`` characters)."""
    truncated: bool
    """True when the answer was longer than ``max_chars`` and was cut off."""
    finish_reason: str
    """The server's ``finish_reason`` (``stop``, ``length`` ...), ``""`` when it gave none."""
    seconds: float
    """Wall-clock time from the request to the last character, seconds."""
    attempts: int = 1


def load_api_key() -> tuple[str | None, str]:
    """The API key from the OS keyring: ``(key, "")``, ``(None, "")`` when none is stored, or
    ``(None, notice)`` when the keyring cannot be read. Blocking."""
    from app.sources.credentials import load_login

    return load_login(KEYRING_USER)


def store_api_key(key: str) -> None:
    """Keep ``key`` in the OS keyring (an empty key forgets it).

    Raises:
        LiveHostError(code="login-store-unavailable"): no keyring backend.
    """
    from app.sources.credentials import store_login

    store_login(KEYRING_USER, key)


class ChatClient:
    """See the module docstring.

    Args:
        base_url: the endpoint's base URL (``http://127.0.0.1:11434/v1``).
        model: model name; empty = ``"default"`` (llama.cpp and LM Studio serve the loaded one).
        api_key: bearer token, if the server needs one.
        connect_timeout_s: seconds to open the connection.
        retries: retries after a retryable failure.
        max_chars: longest answer read, characters.
        stream: ask for server-sent events.
        temperature: sampling temperature.
        transport: an ``httpx`` transport (tests).
    """

    def __init__(self, base_url: str, model: str = "", *, api_key: str | None = None,
                 connect_timeout_s: float = 3.0, retries: int = 1, max_chars: int = 600, stream: bool = True,
                 temperature: float = 0.7, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + "/chat/completions"
        self.model = model or "default"
        self.api_key = api_key
        self.connect_timeout_s = float(connect_timeout_s)
        self.retries = int(retries)
        self.max_chars = int(max_chars)
        self.stream = bool(stream)
        self.temperature = float(temperature)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.state: str = LlmState.READY
        self.last_error: LiveHostError | None = None

    @classmethod
    def from_settings(cls, llm, *, api_key: str | None = None, transport=None) -> "ChatClient":
        """From :class:`app.settings.LlmSettings` (the key, when ``api_key_in_keyring``, is the
        caller's to load with :func:`load_api_key`, off the event loop)."""
        return cls(llm.base_url, llm.model, api_key=api_key, connect_timeout_s=llm.connect_timeout_s,
                   retries=llm.retries, max_chars=llm.max_chars, stream=llm.stream,
                   temperature=llm.temperature, transport=transport)

    # ------------------------------------------------------------------ lifecycle
    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            headers = {"Accept": "application/json, text/event-stream"}
            if self.api_key:
                headers["Authorization"] = f"Bearer {self.api_key}"
            local = httpx.URL(self.base_url).host in ("127.0.0.1", "localhost", "::1")
            self._client = httpx.AsyncClient(headers=headers, transport=self._transport, trust_env=not local,
                                             timeout=httpx.Timeout(30.0, connect=self.connect_timeout_s))
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            client, self._client = self._client, None
            try:
                await client.aclose()
            except RuntimeError:  # the loop it belonged to is gone
                pass

    # ------------------------------------------------------------------ requests
    async def complete(self, messages: list[dict[str, str]], *, timeout_s: float,
                       max_tokens: int | None = None) -> ChatAnswer:
        """Ask the model; the whole exchange (retries included) takes at most ``timeout_s``.

        Args:
            messages: ``[{"role": "system"|"user"|"assistant", "content": str}, ...]``.
            timeout_s: the deadline, wall-clock seconds.
            max_tokens: cap on the answer's tokens (default: from ``max_chars``).

        Raises:
            LiveHostError: ``llm-unreachable``, ``llm-timeout``, ``llm-http-error`` or
                ``llm-bad-response`` (see the module docstring).
        """
        body = {"model": self.model, "messages": messages, "stream": self.stream,
                "temperature": self.temperature, "max_tokens": max_tokens or max(64, self.max_chars * 2)}
        started = time.monotonic()
        attempt = 0
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    attempt += 1
                    try:
                        text, truncated, finish = await self._request(body)
                    except _Retryable as exc:
                        delay = 0.5 * (2 ** (attempt - 1))
                        if attempt > self.retries or time.monotonic() - started + delay >= timeout_s:
                            raise exc.error from exc
                        log.info("LLM request failed (%s), retrying in %.1f s", exc.error.message, delay)
                        await asyncio.sleep(delay)
                        continue
                    break
        except TimeoutError as exc:
            err = LiveHostError(ErrorCode.LLM_TIMEOUT,
                                f"The language model at {self.base_url} did not answer within {timeout_s:g} s.",
                                "Use a smaller model or a faster machine, or raise llm.timeout_s; "
                                "what came late was dropped.")
            self._fail(LlmState.TIMEOUT, err)
            raise err from exc
        except LiveHostError as err:
            self._fail(LlmState.ERROR if err.code != ErrorCode.LLM_UNREACHABLE else LlmState.UNREACHABLE, err)
            raise
        self.state, self.last_error = LlmState.READY, None
        return ChatAnswer(text=text, truncated=truncated, finish_reason=finish,
                          seconds=time.monotonic() - started, attempts=attempt)

    def _fail(self, state: str, err: LiveHostError) -> None:
        self.state, self.last_error = state, err

    async def _request(self, body: dict) -> tuple[str, bool, str]:
        client = self._http()
        try:
            async with client.stream("POST", self.url, json=body) as resp:
                if resp.status_code >= 400:
                    detail = (await _read_capped(resp, 2000)).decode("utf-8", "replace").strip()
                    err = LiveHostError(
                        ErrorCode.LLM_HTTP_ERROR,
                        f"The language model at {self.base_url} answered HTTP {resp.status_code}"
                        + (f": {detail[:200]}" if detail else "."),
                        "Check llm.model names a model the server has (e.g. `ollama list`), and the API key "
                        "if the service needs one." if resp.status_code < 500 else
                        "The model server failed; look at its own log. LiveHost retries and goes on without it.")
                    if resp.status_code >= 500 or resp.status_code == 429:
                        raise _Retryable(err)
                    raise err
                ctype = resp.headers.get("content-type", "")
                if "text/event-stream" in ctype:
                    return await self._read_sse(resp)
                raw = await _read_capped(resp, MAX_BODY_BYTES)
                return self._parse_json(raw)
        except httpx.TimeoutException as exc:
            raise _Retryable(LiveHostError(
                ErrorCode.LLM_TIMEOUT, f"The language model at {self.base_url} timed out ({type(exc).__name__}).",
                "Check the model server is running and not overloaded.")) from exc
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retryable(LiveHostError(
                ErrorCode.LLM_UNREACHABLE, f"Cannot reach the language model at {self.base_url} ({exc}).",
                "Start the model server (e.g. `ollama serve`) or correct llm.base_url; LiveHost works "
                "without it (built-in introductions, no chit-chat answers).")) from exc
        except httpx.HTTPError as exc:
            raise LiveHostError(ErrorCode.LLM_BAD_RESPONSE,
                                f"The language model at {self.base_url} failed: {type(exc).__name__}: {exc}",
                                "Check llm.base_url ends with /v1 (the OpenAI-compatible API).") from exc

    def _bad(self, what: str) -> LiveHostError:
        return LiveHostError(ErrorCode.LLM_BAD_RESPONSE,
                             f"The language model at {self.base_url} sent an answer LiveHost cannot read ({what}).",
                             "Check llm.base_url points at an OpenAI-compatible endpoint (…/v1).")

    def _parse_json(self, raw: bytes) -> tuple[str, bool, str]:
        try:
            data = json.loads(raw.decode("utf-8"))
            choice = data["choices"][0]
            text = choice.get("message", {}).get("content") or ""
            finish = choice.get("finish_reason") or ""
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise self._bad(f"{type(exc).__name__}") from exc
        if not isinstance(text, str):
            raise self._bad("content is not text")
        truncated = len(text) > self.max_chars
        return text[: self.max_chars], truncated, str(finish)

    async def _read_sse(self, resp: httpx.Response) -> tuple[str, bool, str]:
        from httpx_sse import EventSource, SSEError

        parts: list[str] = []
        size = 0
        finish = ""
        try:
            async for sse in EventSource(resp).aiter_sse():
                data = sse.data.strip()
                if not data:
                    continue
                if data == "[DONE]":
                    break
                try:
                    chunk = json.loads(data)
                    choice = chunk["choices"][0] if chunk.get("choices") else {}
                except (json.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError) as exc:
                    raise self._bad(f"event {data[:60]!r}") from exc
                piece = (choice.get("delta") or {}).get("content") or ""
                if not isinstance(piece, str):
                    raise self._bad("delta content is not text")
                finish = choice.get("finish_reason") or finish
                parts.append(piece)
                size += len(piece)
                if size > self.max_chars:
                    text = "".join(parts)
                    return text[: self.max_chars], True, finish or "cut"
        except SSEError as exc:
            raise self._bad(str(exc)) from exc
        return "".join(parts), False, str(finish)

    async def probe(self, timeout_s: float = 3.0) -> str:
        """Ask the server for its models (``GET {base_url}/models``); returns a one-line status for
        the seller and sets :attr:`state`. Never raises."""
        try:
            async with asyncio.timeout(timeout_s):
                resp = await self._http().get(self.base_url + "/models")
        except (TimeoutError, httpx.TimeoutException):
            self.state = LlmState.TIMEOUT
            return f"No answer from {self.base_url} within {timeout_s:g} s."
        except httpx.HTTPError as exc:
            self.state = LlmState.UNREACHABLE
            return f"Cannot reach {self.base_url}: {exc}"
        if resp.status_code >= 400:
            self.state = LlmState.ERROR
            return f"{self.base_url} answered HTTP {resp.status_code}."
        try:
            names = [m.get("id", "") for m in resp.json().get("data", [])]
        except (ValueError, AttributeError):
            names = []
        self.state = LlmState.READY
        if names and self.model != "default" and self.model not in names:
            return f"Connected to {self.base_url}, but it has no model {self.model!r} (it has: {', '.join(names[:8])})."
        return f"Connected to {self.base_url}" + (f" ({', '.join(names[:8])})." if names else ".")


class _Retryable(Exception):
    def __init__(self, error: LiveHostError) -> None:
        super().__init__(error.message)
        self.error = error


async def _read_capped(resp: httpx.Response, limit: int) -> bytes:
    buf = bytearray()
    async for chunk in resp.aiter_bytes():
        buf += chunk
        if len(buf) > limit:
            break
    return bytes(buf[:limit])
