/*
 * LiveHost browser bridge: reading selector files and turning one chat item of a page into one
 * LiveHost ingest event. Plain JS, shared by the service worker (checking the selector files)
 * and the content script (reading the page). No DOM is touched at load time.
 *
 * A selector file (selectors/<platform>.json) describes, per list of the page:
 *   container   CSS selectors tried in order for the element that holds the items ([] = the page)
 *   item        CSS selector of one chat item (one comment / gift / enter / follow / like)
 *   shadow_hosts  elements whose open shadow root holds the list (micro-frontends)
 *   id_attribute / uid_attribute  attributes of the item with the platform's message / user id
 *   nickname, text, gift, count   {"css": [selectors...], "strip": "regex removed from the value"}
 *   whole       regex on the item's whole text with named groups, used when css finds nothing
 *   kinds       ordered rules: {"kind", "text": regex found in the whole text, "css": selector the
 *               item matches or contains, "pattern": regex that must match, with named groups
 *               nickname / text / gift / count* / uid, "field": what text and pattern look at --
 *               "whole" (default), "text" or "nickname" (that field's css value)}; the first rule
 *               whose conditions hold decides; "skip" drops the item
 *   dedupe_window_s  for lists without ids that re-render rows: the same item text within this
 *               many seconds is sent once
 */
(function (root) {
  "use strict";

  const KINDS = ["comment", "gift", "follow", "enter", "like", "skip"];
  const MAX_TEXT = 500;
  const MAX_NICK = 64;

  function asList(v) {
    if (v === undefined || v === null || v === "") return [];
    return Array.isArray(v) ? v : [v];
  }

  /** "https://live.douyin.com/*" -> RegExp. '*' matches anything (also across '/' and ':'). */
  function globToRegExp(glob) {
    const escaped = String(glob).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
    return new RegExp("^" + escaped + "$");
  }

  function urlMatches(patterns, url) {
    return patterns.some((re) => re.test(url));
  }

  function compileRegex(source, where, errors, flags) {
    if (source === undefined || source === null || source === "") return null;
    try {
      return new RegExp(source, flags || "u");
    } catch (e) {
      errors.push(`${where}: not a valid regular expression (${e.message})`);
      return null;
    }
  }

  function compileField(spec, where, errors) {
    if (!spec) return { css: [], strip: null };
    if (typeof spec === "string" || Array.isArray(spec)) spec = { css: spec };
    return { css: asList(spec.css).map(String), strip: compileRegex(spec.strip, `${where}.strip`, errors) };
  }

  /**
   * Check and compile one selector file (the parsed JSON). Returns {ok, errors, file} where file
   * has RegExp objects in place of regex strings. Never throws.
   */
  function compileSelectorFile(obj, name) {
    const errors = [];
    const where = name || "selector file";
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
      return { ok: false, errors: [`${where}: not a JSON object`], file: null };
    }
    if (obj.schema !== 1) errors.push(`${where}: "schema" must be 1`);
    const platform = typeof obj.platform === "string" ? obj.platform : "";
    if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(platform)) {
      errors.push(`${where}: "platform" must be a platform key such as "douyin"`);
    }
    const pages = asList(obj.pages).map(String);
    if (!pages.length) errors.push(`${where}: "pages" lists no page address`);
    const lists = [];
    asList(obj.lists).forEach((l, i) => {
      const lw = `${where} lists[${i}]`;
      if (!l || typeof l !== "object") {
        errors.push(`${lw}: not an object`);
        return;
      }
      if (typeof l.item !== "string" || !l.item.trim()) errors.push(`${lw}: "item" (a CSS selector) is missing`);
      const kinds = [];
      asList(l.kinds).forEach((k, j) => {
        const kw = `${lw}.kinds[${j}]`;
        if (!k || !KINDS.includes(k.kind)) {
          errors.push(`${kw}: "kind" must be one of ${KINDS.join(", ")}`);
          return;
        }
        const field = k.field || "whole";
        if (!["whole", "text", "nickname"].includes(field)) {
          errors.push(`${kw}: "field" must be whole, text or nickname`);
        }
        kinds.push({
          kind: k.kind,
          field,
          text: compileRegex(k.text, `${kw}.text`, errors),
          css: k.css ? String(k.css) : "",
          pattern: compileRegex(k.pattern, `${kw}.pattern`, errors),
          gift: k.gift ? compileField(k.gift, `${kw}.gift`, errors) : null,
          count: k.count ? compileField(k.count, `${kw}.count`, errors) : null,
        });
      });
      if (!kinds.length) errors.push(`${lw}: "kinds" is empty (add at least {"kind": "comment"})`);
      lists.push({
        name: String(l.name || `list ${i + 1}`),
        pages: asList(l.pages).map((p) => globToRegExp(p)),
        container: asList(l.container).map(String),
        shadowHosts: asList(l.shadow_hosts).map(String),
        item: String(l.item || ""),
        idAttribute: l.id_attribute ? String(l.id_attribute) : "",
        uidAttribute: l.uid_attribute ? String(l.uid_attribute) : "",
        nickname: compileField(l.nickname, `${lw}.nickname`, errors),
        text: compileField(l.text, `${lw}.text`, errors),
        gift: compileField(l.gift, `${lw}.gift`, errors),
        count: compileField(l.count, `${lw}.count`, errors),
        whole: compileRegex(l.whole, `${lw}.whole`, errors),
        kinds,
        dedupeWindowMs: Math.max(0, Number(l.dedupe_window_s || 0) * 1000),
        includeExisting: Boolean(l.include_existing),
      });
    });
    if (!lists.length) errors.push(`${where}: "lists" is empty`);
    const file = {
      name: where, platform, title: String(obj.name || platform), verified: Boolean(obj.verified),
      pagesSource: pages, pages: pages.map(globToRegExp), lists,
    };
    return { ok: errors.length === 0, errors, file };
  }

  /** The lists of a compiled file that apply to this page address. */
  function listsForUrl(file, url) {
    if (!urlMatches(file.pages, url)) return [];
    return file.lists.filter((l) => !l.pages.length || urlMatches(l.pages, url));
  }

  /** Visible text of an element: text nodes and the alt text of images (emoji), spaces collapsed. */
  function textOf(el) {
    if (!el) return "";
    let out = "";
    const walk = (node) => {
      if (node.nodeType === 3) {
        out += node.data;
      } else if (node.nodeType === 1) {
        const tag = node.tagName;
        if (tag === "SCRIPT" || tag === "STYLE" || tag === "TEMPLATE") return;
        if (tag === "IMG") {
          out += node.getAttribute("alt") || "";
          return;
        }
        if (tag === "BR") out += " ";
        for (let c = node.firstChild; c; c = c.nextSibling) walk(c);
      }
    };
    walk(el);
    return out.replace(/\s+/g, " ").trim();
  }

  function firstCss(item, field) {
    for (const sel of field.css) {
      let el = null;
      try {
        el = item.matches(sel) ? item : item.querySelector(sel);
      } catch (e) {
        continue; // a bad selector is reported by checkSelectors()
      }
      if (el) {
        let v = textOf(el);
        if (field.strip) v = v.replace(field.strip, "").trim();
        if (v) return v;
      }
    }
    return "";
  }

  function attrOf(item, name) {
    if (!name) return "";
    if (item.hasAttribute(name)) return item.getAttribute(name) || "";
    let el = null;
    try {
      el = item.querySelector(`[${name}]`);
    } catch (e) {
      return "";
    }
    return el ? el.getAttribute(name) || "" : "";
  }

  const CN_DIGITS = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

  function parseCount(v) {
    if (v === undefined || v === null) return null;
    const s = String(v).trim();
    const m = s.match(/\d+/);
    if (m) return parseInt(m[0], 10);
    if (s.length === 1 && CN_DIGITS[s]) return CN_DIGITS[s];
    return null;
  }

  function matchRule(rule, item, subject) {
    if (rule.text && !rule.text.test(subject)) return false;
    if (rule.css) {
      try {
        if (!item.matches(rule.css) && !item.querySelector(rule.css)) return false;
      } catch (e) {
        return false;
      }
    }
    return true;
  }

  /**
   * One chat item -> {event} (an ingest event without id/platform/t), or {skip: reason}.
   * `list` is a compiled list of compileSelectorFile().
   */
  function extractItem(item, list) {
    const whole = textOf(item);
    if (!whole) return { skip: "empty" };
    let rule = null;
    let ruleMatch = null;
    for (const r of list.kinds) {
      const subject = r.field === "whole" ? whole : firstCss(item, list[r.field]);
      if (!matchRule(r, item, subject)) continue;
      const m = r.pattern ? subject.match(r.pattern) : null;
      if (r.pattern && !m) continue; // e.g. a comment that merely mentions a gift word
      rule = r;
      ruleMatch = m;
      break;
    }
    if (!rule) return { skip: "no kind rule matches" };
    if (rule.kind === "skip") return { skip: "skip rule" };
    const f = {
      nickname: firstCss(item, list.nickname),
      text: rule.kind === "comment" ? firstCss(item, list.text) : "",
      gift: firstCss(item, rule.gift || list.gift),
      count: firstCss(item, rule.count || list.count),
      uid: attrOf(item, list.uidAttribute),
    };
    const fill = (m, override) => {
      if (!m || !m.groups) return;
      const g = m.groups;
      for (const key of ["nickname", "text", "gift", "uid"]) {
        if (g[key] !== undefined && g[key] !== "" && (override || !f[key])) f[key] = g[key].trim();
      }
      const counts = Object.keys(g).filter((k) => k.startsWith("count") && g[k]);
      if (counts.length && (override || !f.count)) f.count = g[counts.sort()[0]];
    };
    if (ruleMatch) fill(ruleMatch, true);
    if (list.whole && (!f.nickname || (rule.kind === "comment" && !f.text))) fill(whole.match(list.whole), false);
    if (list.nickname.strip) f.nickname = f.nickname.replace(list.nickname.strip, "").trim();
    const nickname = f.nickname.slice(0, MAX_NICK);
    if (!nickname) return { skip: "no nickname" };
    const ev = { type: rule.kind, uid: f.uid ? String(f.uid) : `nick:${nickname}`, nickname };
    if (rule.kind === "comment") {
      if (!f.text) return { skip: "no text" };
      ev.text = f.text.slice(0, MAX_TEXT);
    } else if (rule.kind === "gift") {
      if (!f.gift) return { skip: "no gift name" };
      ev.gift = f.gift.slice(0, MAX_NICK);
      ev.count = parseCount(f.count) || 1;
    } else if (rule.kind === "like") {
      ev.count = parseCount(f.count) || 1;
    }
    const id = attrOf(item, list.idAttribute);
    return { event: ev, messageId: id };
  }

  root.LiveHostBridge = { compileSelectorFile, listsForUrl, extractItem, textOf, globToRegExp, urlMatches, parseCount };
})(typeof globalThis !== "undefined" ? globalThis : self);
