/* LiveHost browser bridge: the options page (port and token) and the live status. */
"use strict";

const DEFAULTS = { port: 17321, token: "" };
const $ = (id) => document.getElementById(id);

const CONN_TEXT = {
  idle: ["…", ""],
  "no-token": ["请填写令牌 · Enter the token LiveHost shows", "bad"],
  connecting: ["正在连接 · Connecting …", "wait"],
  open: ["已连接 · Connected to ", "ok"],
  waiting: ["未连接，稍后重试 · Not connected, retrying in ", "wait"],
  "token-refused": ["令牌被拒绝 · LiveHost refused the token; retrying in ", "bad"],
};

async function load() {
  const { settings } = await chrome.storage.local.get("settings");
  const s = { ...DEFAULTS, ...(settings || {}) };
  $("port").value = s.port;
  $("token").value = s.token;
}

$("settings").addEventListener("submit", async (e) => {
  e.preventDefault();
  const port = parseInt($("port").value, 10);
  const token = $("token").value.trim();
  if (!(port >= 1 && port <= 65535)) {
    $("port").setCustomValidity("1-65535");
    $("port").reportValidity();
    return;
  }
  $("port").setCustomValidity("");
  await chrome.storage.local.set({ settings: { port, token } });
  $("saved").hidden = false;
  setTimeout(() => ($("saved").hidden = true), 2000);
  refresh();
});

$("show-token").addEventListener("change", (e) => {
  $("token").type = e.target.checked ? "text" : "password";
});

function li(text, cls) {
  const el = document.createElement("li");
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

const LIST_STATE = {
  watching: "正在读取 · watching",
  "not-found": "未找到评论列表 · comment list not found",
  searching: "查找中 · looking for the list",
};

async function refresh() {
  let st;
  try {
    st = await chrome.runtime.sendMessage({ type: "get-status" });
  } catch (e) {
    return;
  }
  if (!st) return;
  const [text, cls] = CONN_TEXT[st.conn] || [st.conn, ""];
  let line = text;
  if (st.conn === "open") line += st.url;
  if (st.conn === "waiting" || st.conn === "token-refused") line += `${(st.retryInMs / 1000).toFixed(1)} s`;
  $("conn").textContent = line;
  $("conn").className = `conn ${cls}`;
  $("last-error").hidden = !st.lastError;
  $("last-error").textContent = st.lastError;
  for (const k of ["sent", "accepted", "duplicates", "rejected", "dropped"]) $(k).textContent = st.stats[k];
  $("queued").textContent = st.queued + st.inFlight;

  const pages = $("pages");
  pages.replaceChildren();
  const shown = st.pages.filter((p) => p.lists && p.lists.length);
  if (!shown.length) pages.append(li("没有 · none", "muted"));
  for (const p of shown) {
    for (const l of p.lists) {
      const ok = l.state === "watching";
      let t = `${p.platform} · ${l.name}: ${LIST_STATE[l.state] || l.state} · ${l.sent} sent`;
      if (l.problem) t += ` · ${l.problem}`;
      const item = li(t, ok ? "ok" : "bad");
      item.title = p.url;
      pages.append(item);
    }
  }
  const files = $("files");
  files.replaceChildren();
  for (const f of st.selectorFiles) {
    const t = f.ok
      ? `${f.name} · ${f.title}${f.verified ? "" : " · 未在真实网站验证 (unverified)"}`
      : `${f.name} · 错误 error: ${f.errors.join("; ")}`;
    files.append(li(t, f.ok ? "" : "bad"));
  }
}

load();
refresh();
setInterval(refresh, 1000);
