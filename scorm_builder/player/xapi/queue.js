/* The statement queue: stored in localStorage before anything is sent, sent in batches, retried
 * with the same ids, flushed with keepalive when the page goes; the only `fetch` of the player, for
 * the LRS endpoint and the cmi5 fetch URL given at launch or build. What each LRS answer does: the
 * player README, "xAPI and cmi5".
 * Sessions, `hold`, `alone`, dropped statements: the README too.
 */
(function (SB) {
  "use strict";

  var X = SB.xapi;
  var PREFIX = "sb-xapi:";
  var S = X.settings = {
    batch: 50, // statements per request
    batchBytes: 256000,
    delay: 50, // ms to gather a burst into one batch
    first: 1000, // first retry after (ms), doubling up to `cap`
    cap: 30000,
    timeout: 30000, // a request that has not answered by then counts as a network error
    keepalive: 60000 // bytes in flight with keepalive (the browser allows 64 KiB in all)
  };

  /** `resource` below `endpoint` (which ends in "/"), with query parameters. */
  X.address = function (endpoint, resource, params) {
    var url = new URL(resource, endpoint);
    Object.keys(params || {}).forEach(function (key) {
      if (params[key] !== null && params[key] !== undefined) url.searchParams.set(key, params[key]);
    });
    return url.href;
  };

  /** A request to the LRS (or the cmi5 fetch URL): Promise of {status, ok, type, headers, text, json()},
   * rejected on network errors. o: {auth, body (text), type, keepalive, timeout, version (false: no
   * xAPI header), headers (more request headers)} */
  X.request = function (method, url, o) {
    o = o || {};
    var headers = {};
    if (o.version !== false) headers["X-Experience-API-Version"] = X.VERSION;
    if (o.auth) headers.Authorization = o.auth;
    if (o.body !== undefined) headers["Content-Type"] = o.type || "application/json";
    Object.keys(o.headers || {}).forEach(function (name) { headers[name] = o.headers[name]; });
    var init = { method: method, headers: headers, body: o.body, credentials: "omit", cache: "no-store",
      redirect: "manual", referrerPolicy: "no-referrer", keepalive: !!o.keepalive };
    var timer = null;
    if (typeof AbortController === "function") {
      var abort = new AbortController();
      init.signal = abort.signal;
      timer = setTimeout(function () { abort.abort(); }, o.timeout || S.timeout);
    }
    return window.fetch(url, init).then(function (response) {
      // read the body, whatever it is: a keepalive request holds its share of the browser's
      // 64 KiB until then, and a budget never given back stalls every later keepalive request
      return response.text().then(function (text) {
        clearTimeout(timer);
        return { status: response.status, ok: response.ok, type: response.type, headers: response.headers,
          text: text, json: function () { return JSON.parse(text); } };
      });
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  };

  /** The browser's keepalive budget is shared by every request of the page (statements, state):
   * `X.keep(size)` takes `size` bytes of it if they fit (true), `X.keep(-size)` gives them back. */
  var inFlight = 0;
  X.keep = function (size) {
    if (size > 0 && inFlight + size > S.keepalive) return false;
    inFlight += size;
    return true;
  };
  X.room = function () {
    return S.keepalive - inFlight;
  };

  /** Bytes of `text` in UTF-8. */
  function bytes(text) {
    if (typeof TextEncoder === "function") return new TextEncoder().encode(text).length;
    return text.length * 3;
  }
  X.bytes = bytes;

  /** localStorage, or null where it cannot be used (then the queue lives in memory only). */
  X.storage = function () {
    try {
      var store = window.localStorage;
      store.setItem(PREFIX + "probe", "1");
      store.removeItem(PREFIX + "probe");
      return store;
    } catch (e) {
      return null;
    }
  };

  /** o: {endpoint, auth, key, onStatus, hold (send nothing before `open`), batch} */
  function Queue(o) {
    var self = this;
    this.endpoint = o.endpoint;
    this.auth = o.auth || null;
    this.key = PREFIX + o.key;
    this.onStatus = o.onStatus || function () {};
    this.store = X.storage();
    this.items = []; // {n, body, size}, oldest first
    this.flying = {}; // n -> true while a request carries it
    this.meta = { first: 0, next: 0, session: null, gate: null };
    this.held = !!o.hold;
    this.busy = false; // the send loop has a request out
    this.timer = null;
    this.waitUntil = 0;
    this.attempt = 0;
    this.most = o.batch || S.batch;
    this.cap = this.most;
    this.plain = false;
    this.stopped = false;
    this.state = "ok";
    this.warned = false;
    this.waiters = [];
    if (!this.store) this.warn("localStorage is not available: statements are kept in memory only");
    this.load();
    this.inherited = this.meta.next; // below: left by an earlier page
    window.addEventListener("online", function () { self.retryNow(); });
    window.addEventListener("pagehide", function () { self.flush(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") self.flush(true);
      else self.retryNow();
    });
    if (this.items.length && !this.held) this.schedule(0);
  }
  X.Queue = Queue;
  var Q = Queue.prototype;

  Q.warn = function (text) {
    if (window.console && console.warn) console.warn("xAPI: " + text);
  };

  Q.put = function (name, value) {
    if (!this.store) return;
    try {
      this.store.setItem(name, value);
    } catch (e) {
      if (!this.warned) this.warn("the browser's storage is full: new statements are kept in memory only");
      this.warned = true;
    }
  };

  Q.saveMeta = function () {
    this.meta.first = this.items.length ? this.items[0].n : this.meta.next;
    this.put(this.key, JSON.stringify(this.meta));
  };

  /** What an earlier page of the same key left: every statement not yet delivered. */
  Q.load = function () {
    if (!this.store) return;
    var meta = null;
    try { meta = JSON.parse(this.store.getItem(this.key)); } catch (e) { meta = null; }
    if (!meta || typeof meta.next !== "number") return;
    this.meta = { first: meta.first, next: meta.next, session: meta.session, gate: meta.gate };
    for (var n = meta.first; n < meta.next; n++) {
      var body = this.store.getItem(this.key + ":" + n);
      if (body) this.items.push({ n: n, body: body, size: bytes(body) });
    }
  };

  /** Statements of ended sessions dropped on this device (for support). */
  Q.dropped = function () {
    return (this.store ? Number(this.store.getItem(this.key + ":dropped")) : this.droppedHere) || 0;
  };

  /** Drop the queued statements numbered below `below` (all by default), counted: their session ended. */
  Q.dropAll = function (why, below) {
    var self = this;
    var limit = below === undefined ? Infinity : below;
    var gone = this.items.filter(function (item) { return item.n < limit; });
    var count = gone.length;
    if (!count) return;
    gone.forEach(function (item) {
      if (self.store) self.store.removeItem(self.key + ":" + item.n);
      delete self.flying[item.n];
    });
    this.items = this.items.filter(function (item) { return item.n >= limit; });
    this.droppedHere = (this.droppedHere || 0) + count;
    this.put(this.key + ":dropped", String(this.dropped() + count));
    this.saveMeta();
    this.warn(count + " statements of " + why + " dropped (" + this.key + ":dropped)");
  };

  /** Start sending for `session`; what an earlier page left for another (ended) session is dropped. */
  Q.open = function (session) {
    if (this.meta.session !== session) this.dropAll("an earlier session", this.inherited);
    this.meta.session = session;
    this.saveMeta();
    this.held = false;
    if (this.items.length) this.schedule(0);
  };

  /** Queue one statement (stored at once). `alone`: sent by itself, and nothing after it before it is accepted. */
  Q.add = function (statement, alone) {
    var body = JSON.stringify(statement); // exactly so: CATAPULT re-serializes under our Content-Length
    var item = { n: this.meta.next++, body: body, size: bytes(body) };
    this.items.push(item);
    if (alone) this.meta.gate = item.n;
    this.saveMeta(); // the range first: a crash between the two writes loses nothing that was stored
    this.put(this.key + ":" + item.n, body);
    this.schedule(S.delay);
  };

  /** The statement everything waits for, while it is queued. */
  Q.gate = function () {
    var gate = this.meta.gate;
    for (var i = 0; i < this.items.length; i++) if (this.items[i].n === gate) return this.items[i];
    return null;
  };

  Q.size = function () {
    return this.items.length;
  };

  Q.schedule = function (ms) {
    if (this.stopped || this.held || this.busy || this.timer) return;
    var self = this;
    var wait = Math.max(ms, this.waitUntil - Date.now(), 0);
    this.timer = setTimeout(function () {
      self.timer = null;
      self.send();
    }, wait);
  };

  /** The oldest statements not in flight: at most `count` and `max` bytes (at least one unless `strict`). */
  Q.take = function (count, max, strict) {
    var gate = this.gate();
    if (gate) return this.flying[gate.n] ? [] : [gate];
    var out = [];
    var size = 2;
    for (var i = 0; i < this.items.length && out.length < count; i++) {
      var item = this.items[i];
      if (this.flying[item.n]) continue;
      if (size + item.size + 1 > max && (out.length || strict)) break;
      out.push(item);
      size += item.size + 1;
    }
    return out;
  };

  Q.send = function () {
    if (this.stopped || this.held || this.busy) return;
    var batch = this.take(this.cap, S.batchBytes, false);
    if (batch.length) this.post(batch, false);
    else this.settle();
  };

  /** POST `batch`, with keepalive when it takes at most half the budget (the other half is for the
   * page's last flush), so that it outlives the page: a batch in flight when the learner leaves still
   * arrives. A larger one (a backlog after an outage) goes without; should the page go meanwhile, it
   * waits in localStorage for the next launch. `last`: the page's last flush, not the send loop. */
  Q.post = function (batch, last) {
    var self = this;
    var size = 2;
    batch.forEach(function (item) {
      self.flying[item.n] = true;
      size += item.size + 1;
    });
    var keepalive = (last || (!this.plain && size <= S.keepalive / 2)) && X.keep(size);
    if (!last) this.busy = true;
    var body = "[" + batch.map(function (item) { return item.body; }).join(",") + "]";
    var sent;
    try {
      sent = X.request("POST", X.address(this.endpoint, "statements"), { auth: this.auth, body: body, keepalive: keepalive });
    } catch (e) {
      sent = Promise.reject(e);
    }
    sent.then(null, function () { return null; }).then(function (response) {
      batch.forEach(function (item) { delete self.flying[item.n]; });
      if (keepalive) X.keep(-size);
      if (!last) {
        self.busy = false;
        self.plain = keepalive && !response; // a keepalive request that failed: the retry goes without
      }
      self.answer(batch, response);
    });
  };

  /** What the LRS said about `batch` (response null: a network error). */
  Q.answer = function (batch, response) {
    var status = response ? response.status : 0;
    if (response && (response.type === "opaqueredirect" || (status >= 300 && status < 400))) {
      this.stop("a redirect");
    } else if ((status >= 200 && status < 300) || (status === 409 && batch.length === 1)) {
      this.remove(batch, false);
      this.attempt = 0;
      this.waitUntil = 0;
      if (this.state === "offline") this.report("ok");
      this.schedule(0);
    } else if (!response || status === 429 || status >= 500) {
      // a gateway timeout: smaller batches
      if (status === 504 && batch.length > 1) this.cap = Math.ceil(batch.length / 2);
      this.backoff(response);
    } else if (status === 403 && ended(response)) {
      this.dropAll("a session the LMS has ended (" + ended(response) + ")");
      this.report("refused");
      this.settle();
    } else if (status === 400 || status === 403 || status === 404 || status === 409 || status === 413 || status === 422) {
      // refused for good: halved until alone, set aside; the rest go on
      if (batch.length > 1) {
        this.cap = Math.ceil(batch.length / 2);
      } else {
        this.remove(batch, true);
        this.cap = this.most;
        if (window.console) console.error("xAPI: the LRS refused a statement (HTTP " + status + reason(response) + "); it is kept aside on this device: " + batch[0].body);
        this.report("refused");
      }
      this.schedule(0);
    } else {
      this.stop("HTTP " + status);
    }
  };

  /** The cmi5 requirement id a 403 names (`violatedReqId`, or the message's start), or "". */
  function violated(response) {
    var answer = null;
    try { answer = response.json(); } catch (e) { answer = null; }
    if (!answer || typeof answer !== "object") return "";
    var found = /^[\d.]+-\d+/.exec(answer.violatedReqId || answer.message);
    return found ? found[0] : "";
  }

  /** The requirement id of a 403 saying the session is over, or "". */
  function ended(response) {
    var id = violated(response);
    return id === "8.1.2.0-2" || id === "9.3.0.0-5" || id === "9.3.6.0-2" ? id : "";
  }

  function reason(response) {
    var id = response && response.status === 403 ? violated(response) : "";
    return id ? ", violatedReqId " + id : "";
  }

  Q.remove = function (batch, aside) {
    var gone = {};
    for (var i = 0; i < batch.length; i++) {
      var item = batch[i];
      gone[item.n] = true;
      if (aside) this.put(this.key + ":aside:" + item.n, item.body);
      if (this.store) this.store.removeItem(this.key + ":" + item.n);
    }
    this.items = this.items.filter(function (item) { return !gone[item.n]; });
    this.saveMeta();
  };

  Q.backoff = function (response) {
    this.attempt += 1;
    var wait = Math.min(S.cap, S.first * Math.pow(2, this.attempt - 1) * (0.8 + Math.random() * 0.4));
    var after = response ? Number(response.headers.get("Retry-After")) : 0;
    if (after > 0) wait = Math.max(wait, Math.min(after * 1000, 300000));
    this.waitUntil = Date.now() + wait;
    if (this.state !== "offline" && this.state !== "refused") {
      this.warn("the LRS cannot be reached; " + this.items.length + " statements are kept on this device and retried");
      this.report("offline");
    }
    this.schedule(0);
  };

  Q.stop = function (why) {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (window.console) console.error("xAPI: the LRS answered " + why + "; sending stops, and " + this.items.length + " statements stay on this device for the next launch");
    this.report("refused");
    this.settle();
  };

  Q.report = function (state) {
    if (this.state === "refused") return; // stays until the next launch
    this.state = state;
    this.onStatus(state);
  };

  /** Resolve the drain waiters when nothing is left (or nothing more will be sent). */
  Q.settle = function () {
    if (this.items.length && !this.stopped) return;
    this.cap = this.most;
    var waiters = this.waiters;
    var empty = !this.items.length;
    this.waiters = [];
    waiters.forEach(function (resolve) { resolve(empty); });
  };

  /** Send what is due now. `keepalive` (the page is hidden or leaving): everything not in flight,
   * as far as the keepalive budget goes, whatever the backoff says: it may be the last chance. */
  Q.flush = function (keepalive) {
    if (this.stopped || this.held || !this.items.length) return;
    if (!keepalive) {
      if (this.timer && this.waitUntil <= Date.now()) {
        clearTimeout(this.timer);
        this.timer = null;
        this.send();
      }
      return;
    }
    var batch = this.take(Infinity, X.room(), true);
    if (batch.length) this.post(batch, true);
  };

  /** Promise of true once every statement is delivered, false after `timeout` ms or when stopped. */
  Q.drain = function (timeout) {
    var self = this;
    if (!this.items.length || this.stopped || this.held) return Promise.resolve(!this.items.length);
    return new Promise(function (resolve) {
      var done = false;
      function finish(value) {
        if (!done) resolve(value);
        done = true;
      }
      self.waiters.push(finish);
      setTimeout(function () { finish(false); }, timeout);
      self.flush(false);
    });
  };

  /** Back online (or visible again): retry now instead of waiting out the backoff. */
  Q.retryNow = function () {
    if (this.stopped || !this.waitUntil) return;
    this.attempt = 0;
    this.waitUntil = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.schedule(0);
  };
})(window.ScormBuilder = window.ScormBuilder || {});
