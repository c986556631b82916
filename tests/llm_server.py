"""A local chat-completions server for the tests: the OpenAI protocol (``POST
/v1/chat/completions``, JSON or server-sent events; ``GET /v1/models``) on 127.0.0.1, port 0,
answering with whatever the test scripts -- including the failures (HTTP 500, a hang, a slow
answer, a huge answer)."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web


@dataclass
class Answer:
    """What the server does with one request."""

    text: str = ""
    status: int = 200
    hang: bool = False
    """Accept the request and never answer (until the client gives up)."""
    delay_s: float = 0.0
    """Wait this long before answering."""
    chunk: int = 6
    """Characters per streamed event."""


class ChatServer:
    """``answer(body) -> Answer`` decides each reply; ``requests`` keeps every request body."""

    def __init__(self, answer: Callable[[dict], Answer], model: str = "qwen-test") -> None:
        self.answer = answer
        self.model = model
        self.requests: list[dict] = []
        self._runner: web.AppRunner | None = None
        self._hanging: list[asyncio.Future] = []
        self.base_url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def stop(self) -> None:
        for f in self._hanging:
            f.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> "ChatServer":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def _models(self, _request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": self.model, "object": "model"}]})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        a = self.answer(body)
        if a.hang:
            f = asyncio.get_running_loop().create_future()
            self._hanging.append(f)
            try:
                await f
            except asyncio.CancelledError:
                pass
            raise web.HTTPServiceUnavailable()
        if a.delay_s:
            await asyncio.sleep(a.delay_s)
        if a.status != 200:
            return web.json_response({"error": {"message": "the model crashed", "type": "server_error"}},
                                     status=a.status)
        if not body.get("stream"):
            return web.json_response({
                "id": "cmpl-1", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": a.text},
                             "finish_reason": "stop"}]})
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        for i in range(0, len(a.text), a.chunk):
            event = {"id": "cmpl-1", "object": "chat.completion.chunk",
                     "choices": [{"index": 0, "delta": {"content": a.text[i:i + a.chunk]}, "finish_reason": None}]}
            try:
                await resp.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
            except (ConnectionResetError, RuntimeError):  # the client stopped reading
                return resp
        end = {"id": "cmpl-1", "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        try:
            await resp.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
            await resp.write_eof()
        except (ConnectionResetError, RuntimeError):
            pass
        return resp


def last_user(body: dict) -> str:
    """The last user message of a request."""
    return next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")


def system(body: dict) -> str:
    return next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
