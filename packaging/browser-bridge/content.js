/*
 * LiveHost browser bridge, content script: on a live-room page (or a seller console page) it asks
 * the service worker for this page's selector file, finds each comment list, watches it with a
 * MutationObserver and hands every new comment / gift / enter / follow / like to the service
 * worker, which delivers it to LiveHost. Items already on the page when watching starts are
 * history and are not sent.
 */
(function () {
  "use strict";
  if (globalThis.__livehostBridgeLoaded) return;
  globalThis.__livehostBridgeLoaded = true;

  const B = globalThis.LiveHostBridge;
  const PAGE_RUN = Math.random().toString(36).slice(2, 8) + Date.now().toString(36);
  const RETRY_FIND_MS = 1500;
  const CHECK_ATTACHED_MS = 2000;
  const KEEPALIVE_MS = 20000;
  const MAX_SEEN_IDS = 5000;
  const MAX_PENDING = 2000;

  let port = null;
  let pending = [];
  let counter = 0;
  let platform = "";
  let watchers = [];

  // ---------------------------------------------------------------- the link to the service worker

  function connect() {
    try {
      port = chrome.runtime.connect({ name: "livehost-bridge" });
    } catch (e) {
      port = null; // the extension was reloaded: this page keeps its old script until reloaded
      return;
    }
    port.onDisconnect.addListener(() => {
      port = null;
      setTimeout(connect, 1000);
    });
    const queued = pending;
    pending = [];
    queued.forEach(post);
    reportStatus();
  }

  function post(msg) {
    if (port) {
      try {
        port.postMessage(msg);
        return;
      } catch (e) {
        port = null;
      }
    }
    if (msg.type === "event") {
      pending.push(msg);
      if (pending.length > MAX_PENDING) pending.shift();
    }
  }

  function reportStatus() {
    post({
      type: "status",
      platform,
      url: location.href,
      frame: window === window.top ? "top" : "frame",
      lists: watchers.map((w) => ({ name: w.list.name, state: w.state, sent: w.sent, skipped: w.skipped,
                                     problem: w.problem })),
    });
  }

  let statusTimer = null;
  function reportStatusSoon() {
    if (statusTimer) return;
    statusTimer = setTimeout(() => {
      statusTimer = null;
      reportStatus();
    }, 500);
  }

  // ---------------------------------------------------------------- watching one list

  class ListWatcher {
    constructor(list) {
      this.list = list;
      this.container = null;
      this.observer = null;
      this.state = "searching";
      this.problem = "";
      this.sent = 0;
      this.skipped = 0;
      this.seenNodes = new WeakMap(); // item element -> signature of what it showed when sent
      this.seenIds = new Map(); // platform message id -> true (bounded, oldest first)
      this.recent = new Map(); // signature -> ms, for lists without ids (dedupe_window_s)
      this.checkSelectors();
      this.find();
      setInterval(() => this.checkAttached(), CHECK_ATTACHED_MS);
    }

    checkSelectors() {
      const l = this.list;
      const all = [l.item, ...l.container, ...l.shadowHosts, ...l.nickname.css, ...l.text.css, ...l.gift.css,
        ...l.count.css, ...l.kinds.map((k) => k.css).filter(Boolean)];
      const frag = document.createDocumentFragment();
      for (const sel of all) {
        try {
          frag.querySelector(sel);
        } catch (e) {
          this.problem = `not a valid CSS selector: ${sel}`;
        }
      }
    }

    roots() {
      const roots = [document];
      for (const hostSel of this.list.shadowHosts) {
        try {
          document.querySelectorAll(hostSel).forEach((h) => h.shadowRoot && roots.push(h.shadowRoot));
        } catch (e) { /* reported by checkSelectors */ }
      }
      return roots;
    }

    locate() {
      const roots = this.roots();
      if (!this.list.container.length) return document.body;
      for (const sel of this.list.container) {
        for (const r of roots) {
          let el = null;
          try {
            el = r.querySelector(sel);
          } catch (e) { /* reported */ }
          if (el) return el;
        }
      }
      return null;
    }

    find() {
      const el = this.locate();
      if (!el) {
        if (this.state !== "not-found") {
          this.state = "not-found";
          reportStatus();
        }
        setTimeout(() => this.find(), RETRY_FIND_MS);
        return;
      }
      this.attach(el);
    }

    attach(el) {
      this.container = el;
      for (const item of this.items(el)) {
        if (this.list.includeExisting) continue;
        const r = B.extractItem(item, this.list);
        if (r.event) this.remember(item, r); // history: never sent
      }
      this.observer = new MutationObserver((muts) => this.onMutations(muts));
      this.observer.observe(el, { childList: true, subtree: true, characterData: true });
      this.state = "watching";
      reportStatus();
      if (this.list.includeExisting) this.items(el).forEach((i) => this.process(i));
    }

    checkAttached() {
      if (this.container && !this.container.isConnected) {
        this.observer.disconnect();
        this.observer = null;
        this.container = null;
        this.state = "searching";
        this.find(); // the page re-rendered its chat panel
      }
    }

    items(el) {
      try {
        return Array.from(el.querySelectorAll(this.list.item));
      } catch (e) {
        return [];
      }
    }

    onMutations(muts) {
      const found = new Set();
      const sel = this.list.item;
      const add = (el) => el && el.nodeType === 1 && found.add(el);
      for (const m of muts) {
        const nodes = m.type === "childList" ? Array.from(m.addedNodes) : [m.target];
        if (m.type === "childList") nodes.push(m.target);
        for (const n of nodes) {
          const el = n.nodeType === 1 ? n : n.parentElement;
          if (!el) continue;
          try {
            if (n.nodeType === 1 && m.type === "childList" && n !== m.target) {
              if (el.matches(sel)) add(el);
              el.querySelectorAll(sel).forEach(add);
            }
            const up = el.closest(sel);
            if (up && this.container.contains(up)) add(up);
          } catch (e) { /* a bad selector is reported */ }
        }
      }
      const ordered = Array.from(found).filter((e) => e.isConnected);
      ordered.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
      ordered.forEach((item) => this.process(item));
    }

    signature(r) {
      const e = r.event;
      return [e.type, e.nickname, e.text || "", e.gift || "", e.count || "", r.messageId || ""].join("\u241f");
    }

    remember(item, r) {
      const sig = this.signature(r);
      this.seenNodes.set(item, sig);
      if (r.messageId) {
        this.seenIds.set(r.messageId, true);
        if (this.seenIds.size > MAX_SEEN_IDS) this.seenIds.delete(this.seenIds.keys().next().value);
      } else if (this.list.dedupeWindowMs) {
        this.recent.set(sig, Date.now());
      }
      return sig;
    }

    isNew(item, r) {
      const sig = this.signature(r);
      if (this.seenNodes.get(item) === sig) return false; // the same row, re-rendered
      if (r.messageId) return !this.seenIds.has(r.messageId);
      if (this.list.dedupeWindowMs) {
        const now = Date.now();
        const last = this.recent.get(sig);
        if (last !== undefined && now - last < this.list.dedupeWindowMs) {
          this.seenNodes.set(item, sig);
          return false; // a recycled row showing a message already sent
        }
        if (this.recent.size > 2000) {
          for (const [k, t] of this.recent) if (now - t >= this.list.dedupeWindowMs) this.recent.delete(k);
        }
      }
      return true;
    }

    process(item) {
      const r = B.extractItem(item, this.list);
      if (!r.event) {
        if (r.skip !== "skip rule" && r.skip !== "empty") {
          this.skipped += 1;
          this.problem = `an item was not understood (${r.skip}); check "${this.list.name}" in the selector file`;
        }
        return;
      }
      if (!this.isNew(item, r)) return;
      this.remember(item, r);
      const ev = r.event;
      ev.id = r.messageId ? `${platform}:${r.messageId}` : `${platform}:${PAGE_RUN}:${++counter}`;
      ev.platform = platform;
      ev.t = Date.now() / 1000; // ignored by LiveHost (its own clock is stream time); kept for logs
      this.sent += 1;
      post({ type: "event", event: ev });
      reportStatusSoon();
    }
  }

  // ---------------------------------------------------------------- start

  async function start() {
    let reply = null;
    try {
      reply = await chrome.runtime.sendMessage({ type: "get-selectors", url: location.href });
    } catch (e) {
      return;
    }
    if (!reply || !reply.lists || !reply.lists.length) return; // not a page LiveHost reads
    platform = reply.platform;
    connect();
    // The service worker sends the lists as plain JSON: compile them here again (RegExp objects
    // do not survive messaging).
    const compiled = B.compileSelectorFile(reply.source, reply.file);
    const lists = compiled.file ? B.listsForUrl(compiled.file, location.href) : [];
    watchers = lists.map((l) => new ListWatcher(l));
    reportStatus();
    setInterval(() => post({ type: "keepalive" }), KEEPALIVE_MS);
  }

  start();
})();
