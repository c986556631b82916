/*
 * LiveHost browser bridge, service worker: keeps ONE WebSocket to LiveHost's local ingest
 * endpoint (ws://127.0.0.1:PORT/ws?token=TOKEN) and delivers the events the content scripts
 * hand it.
 *
 * Delivery: every event has an id; it stays "in flight" until LiveHost acknowledges it
 * ({"type":"ack","id":...}). When the connection drops, the events in flight go back to the
 * front of the queue and are sent again after reconnecting (LiveHost drops the ones it already
 * had, by id). While disconnected, events wait in a bounded queue (oldest dropped first, and
 * counted), kept in chrome.storage.session so a restarted service worker keeps them.
 * Reconnect: exponential backoff from 0.5 s to 15 s, with jitter.
 */
importScripts("extract.js");

const DEFAULTS = { port: 17321, token: "" };
const MAX_QUEUE = 5000;
const MAX_IN_FLIGHT = 200;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const PING_MS = 20000;
const CLIENT_NAME = "browser-bridge";
const TOKEN_REFUSED = 4401;

const state = {
  settings: { ...DEFAULTS },
  ws: null,
  conn: "idle", // idle | no-token | connecting | open | waiting | token-refused
  queue: [], // events waiting, in order (each has .seq)
  inFlight: new Map(), // id -> event, in send order
  seq: 0,
  backoffMs: BACKOFF_MIN_MS,
  retryAt: 0,
  retryTimer: null,
  pausedUntil: 0,
  pingTimer: null,
  stats: { sent: 0, accepted: 0, duplicates: 0, rejected: 0, dropped: 0, reconnects: 0 },
  lastError: "",
  pages: new Map(), // "tab:frame" -> last status from a content script
  selectorFiles: [], // {name, ok, errors, source, file}
};

// ------------------------------------------------------------------ selector files

async function loadSelectorFiles() {
  const out = [];
  let index;
  try {
    index = await (await fetch(chrome.runtime.getURL("selectors/index.json"))).json();
  } catch (e) {
    state.selectorFiles = [{ name: "selectors/index.json", ok: false, errors: [`cannot read: ${e.message}`] }];
    return;
  }
  for (const name of index.files || []) {
    let source = null;
    try {
      source = await (await fetch(chrome.runtime.getURL(`selectors/${name}`))).json();
    } catch (e) {
      out.push({ name, ok: false, errors: [`selectors/${name}: not readable JSON (${e.message})`] });
      continue;
    }
    const c = LiveHostBridge.compileSelectorFile(source, name);
    out.push({ name, ok: c.ok, errors: c.errors, source, file: c.file });
  }
  state.selectorFiles = out;
}

function selectorsFor(url) {
  for (const f of state.selectorFiles) {
    if (!f.ok || !f.file) continue;
    if (LiveHostBridge.listsForUrl(f.file, url).length) {
      return { platform: f.file.platform, file: f.name, source: f.source, lists: f.file.lists.map((l) => l.name) };
    }
  }
  return null;
}

// ------------------------------------------------------------------ queue persistence

let saveTimer = null;
function saveQueueSoon() {
  if (saveTimer) return;
  saveTimer = setTimeout(() => {
    saveTimer = null;
    const waiting = [...state.inFlight.values(), ...state.queue];
    chrome.storage.session.set({ bridgeQueue: waiting, bridgeStats: state.stats }).catch(() => {});
  }, 300);
}

async function restoreQueue() {
  try {
    const { bridgeQueue, bridgeStats } = await chrome.storage.session.get(["bridgeQueue", "bridgeStats"]);
    if (Array.isArray(bridgeQueue)) {
      state.queue = bridgeQueue.concat(state.queue);
      for (const ev of state.queue) state.seq = Math.max(state.seq, ev.seq || 0);
    }
    if (bridgeStats) Object.assign(state.stats, bridgeStats);
  } catch (e) { /* nothing kept */ }
}

function enqueue(event) {
  event.seq = ++state.seq;
  state.queue.push(event);
  while (state.queue.length > MAX_QUEUE) {
    state.queue.shift();
    state.stats.dropped += 1;
    state.lastError = `LiveHost was unreachable for long: the oldest waiting events were dropped (${state.stats.dropped} so far)`;
  }
  saveQueueSoon();
  pump();
}

function requeue(events) {
  // back into the queue in their original order (by seq), ahead of what came later
  state.queue = events.concat(state.queue).sort((a, b) => a.seq - b.seq);
}

// ------------------------------------------------------------------ the WebSocket

function wsUrl() {
  const { port, token } = state.settings;
  return `ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}&client=${CLIENT_NAME}`;
}

function connect() {
  clearTimeout(state.retryTimer);
  state.retryTimer = null;
  if (state.ws) return;
  if (!state.settings.token) {
    state.conn = "no-token";
    return;
  }
  state.conn = "connecting";
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch (e) {
    state.lastError = `cannot open ws://127.0.0.1:${state.settings.port}: ${e.message}`;
    scheduleReconnect();
    return;
  }
  state.ws = ws;
  ws.onopen = () => {
    state.conn = "open";
    state.backoffMs = BACKOFF_MIN_MS;
    state.lastError = "";
    const platforms = [...new Set([...state.pages.values()].map((p) => p.platform).filter(Boolean))];
    ws.send(JSON.stringify({ type: "hello", client: CLIENT_NAME, platform: platforms.join(","),
                             page: [...state.pages.values()].map((p) => p.url).slice(0, 3).join(" ") }));
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), PING_MS);
    pump();
  };
  ws.onmessage = (msg) => onReply(msg.data);
  ws.onclose = (ev) => {
    clearInterval(state.pingTimer);
    state.ws = null;
    requeue([...state.inFlight.values()]);
    state.inFlight.clear();
    saveQueueSoon();
    if (ev.code === TOKEN_REFUSED) {
      state.conn = "token-refused";
      state.lastError = "LiveHost refused the token: copy the token LiveHost shows into these options";
      state.backoffMs = BACKOFF_MAX_MS;
    } else if (ev.code !== 1000 && ev.code !== 1005 && ev.reason) {
      state.lastError = `connection closed (${ev.code} ${ev.reason})`;
    }
    scheduleReconnect();
  };
  ws.onerror = () => {
    if (state.conn === "connecting") {
      state.lastError = `LiveHost is not reachable on port ${state.settings.port} (is the ingest source started?)`;
    }
  };
}

function scheduleReconnect() {
  if (state.conn !== "token-refused") state.conn = "waiting";
  const jitter = 0.8 + Math.random() * 0.4;
  const delay = Math.round(state.backoffMs * jitter);
  state.retryAt = Date.now() + delay;
  state.backoffMs = Math.min(BACKOFF_MAX_MS, state.backoffMs * 2);
  state.stats.reconnects += 1;
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(connect, delay);
}

function reconnectNow() {
  state.backoffMs = BACKOFF_MIN_MS;
  if (state.ws) {
    state.ws.onclose = null;
    try {
      state.ws.close(1000, "settings changed");
    } catch (e) { /* already closed */ }
    state.ws = null;
    requeue([...state.inFlight.values()]);
    state.inFlight.clear();
  }
  connect();
}

function pump() {
  const ws = state.ws;
  if (!ws || ws.readyState !== 1) return;
  const now = Date.now();
  if (now < state.pausedUntil) {
    setTimeout(pump, state.pausedUntil - now);
    return;
  }
  while (state.queue.length && state.inFlight.size < MAX_IN_FLIGHT) {
    const ev = state.queue.shift();
    state.inFlight.set(ev.id, ev);
    const { seq, ...wire } = ev;
    ws.send(JSON.stringify(wire));
    state.stats.sent += 1;
  }
  saveQueueSoon();
}

function onReply(data) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch (e) {
    return;
  }
  if (msg.type === "ack" && msg.id != null) {
    if (state.inFlight.delete(msg.id)) {
      if (msg.status === "duplicate") state.stats.duplicates += 1;
      else state.stats.accepted += 1;
    }
  } else if (msg.type === "error") {
    const ev = msg.id != null ? state.inFlight.get(msg.id) : undefined;
    if (ev) state.inFlight.delete(msg.id);
    if (msg.code === "ingest-rate-limited" && ev) {
      requeue([ev]); // not lost: sent again after the pause LiveHost asked for
      state.pausedUntil = Math.max(state.pausedUntil, Date.now() + Math.ceil((msg.retry_after_s || 0.5) * 1000));
    } else {
      state.stats.rejected += ev ? 1 : 0;
      state.lastError = `LiveHost refused an event: ${msg.message} (${msg.code})`;
    }
  }
  pump();
}

// ------------------------------------------------------------------ messages from pages and options

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== "livehost-bridge") return;
  const key = `${port.sender?.tab?.id ?? "?"}:${port.sender?.frameId ?? 0}`;
  port.onMessage.addListener(async (msg) => {
    await ready;
    if (msg.type === "event" && msg.event && msg.event.id) {
      enqueue(msg.event);
    } else if (msg.type === "status") {
      state.pages.set(key, { ...msg, seen: Date.now() });
    }
  });
  port.onDisconnect.addListener(() => state.pages.delete(key));
});

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  ready.then(() => {
    if (msg.type === "get-selectors") {
      sendResponse(selectorsFor(String(msg.url || "")));
    } else if (msg.type === "get-status") {
      sendResponse(statusSnapshot());
    } else if (msg.type === "reconnect") {
      reconnectNow();
      sendResponse(statusSnapshot());
    }
  });
  return true; // answered asynchronously
});

function statusSnapshot() {
  return {
    conn: state.conn,
    url: `ws://127.0.0.1:${state.settings.port}/ws`,
    hasToken: Boolean(state.settings.token),
    retryInMs: state.conn === "waiting" || state.conn === "token-refused" ? Math.max(0, state.retryAt - Date.now()) : 0,
    queued: state.queue.length,
    inFlight: state.inFlight.size,
    stats: { ...state.stats },
    lastError: state.lastError,
    pages: [...state.pages.values()].map(({ platform, url, frame, lists }) => ({ platform, url, frame, lists })),
    selectorFiles: state.selectorFiles.map(({ name, ok, errors, file }) => ({
      name, ok, errors, platform: file?.platform || "", title: file?.title || "", verified: file?.verified || false,
    })),
  };
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "local" || !changes.settings) return;
  state.settings = { ...DEFAULTS, ...(changes.settings.newValue || {}) };
  reconnectNow();
});

chrome.action.onClicked.addListener(() => chrome.runtime.openOptionsPage());

// ------------------------------------------------------------------ start

async function init() {
  const { settings } = await chrome.storage.local.get("settings");
  state.settings = { ...DEFAULTS, ...(settings || {}) };
  await Promise.all([loadSelectorFiles(), restoreQueue()]);
  connect();
}

const ready = init();
