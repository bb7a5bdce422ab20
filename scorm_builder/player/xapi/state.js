/* Suspend data between sessions (Tin Can, cmi5): the LRS's State API (stateId
 * "scorm-builder.suspend"), so that a learner resumes on any device; this device's copy is the
 * fallback; the newer wins. Concurrency (xAPI 1.0.3 Communication 3.1): see the player README.
 */
(function (SB) {
  "use strict";

  var X = SB.xapi;
  var STATE_ID = "scorm-builder.suspend";
  var PAUSE = 1000;

  /** Promise of the spec's ETag of `text` (quoted SHA-1), or null without SubtleCrypto. */
  function etagOf(text) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) return Promise.resolve(null);
    return subtle.digest("SHA-1", new TextEncoder().encode(text)).then(function (buffer) {
      return '"' + Array.prototype.map.call(new Uint8Array(buffer), function (x) { return (x + 256).toString(16).slice(1); }).join("") + '"';
    }, function () { return null; });
  }

  /** o: {endpoint, auth, activityId, agent (JSON text), registration, key, readOnly} */
  function State(o) {
    this.o = o;
    this.key = "sb-xapi-state:" + o.key;
    this.store = X.storage();
    this.api = true; // the LRS has a State API, until it shows otherwise
    this.etag = null; // the LRS document's ETag as last known (null: there is none)
    this.timer = null;
    this.pending = null;
    this.sending = false;
    this.keepNext = false; // the write waiting behind the one under way goes with keepalive
  }
  X.State = State;
  var P = State.prototype;

  P.address = function (stateId) {
    var o = this.o;
    return X.address(o.endpoint, "activities/state", { activityId: o.activityId, agent: o.agent,
      registration: o.registration || null, stateId: stateId || null });
  };

  P.local = function () {
    try {
      return JSON.parse(this.store.getItem(this.key));
    } catch (e) {
      return null;
    }
  };

  /** Promise of {doc, etag} ({doc: null} on 404). */
  P.reread = function () {
    var self = this;
    return X.request("GET", this.address(STATE_ID), { auth: this.o.auth }).then(function (response) {
      if (response.status === 404) return { doc: null, etag: null };
      if (!response.ok) throw new Error("HTTP " + response.status);
      var doc = null;
      try { doc = response.json(); } catch (e) { doc = null; }
      var etag = response.headers.get("ETag");
      return (etag ? Promise.resolve(etag) : etagOf(response.text)).then(function (found) {
        return { doc: doc, etag: found || "*" };
      });
    }).then(function (found) {
      self.etag = found.etag;
      return found;
    });
  };

  /** Promise of the newest saved document ({location, suspendData, saved}) or null; never rejected. */
  P.read = function () {
    var self = this;
    var local = this.local();
    var auth = this.o.auth;
    return Promise.resolve().then(function () {
      return X.request("GET", self.address(null), { auth: auth });
    }).then(function (response) {
      // 404 with an xAPI version header: nothing saved (ADL LRS); without: no State API
      if (response.status === 404 && response.headers.get("X-Experience-API-Version")) return [];
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (ids) {
      if (!Array.isArray(ids) || ids.indexOf(STATE_ID) < 0) return null;
      return self.reread().then(function (found) { return found.doc; });
    }).then(function (remote) {
      if (!remote || typeof remote !== "object") return local;
      return local && (local.saved || 0) > (remote.saved || 0) ? local : remote;
    }, function () {
      self.api = false; // no State API here: the device's copy is used (see above)
      return local;
    });
  };

  /** Keep `doc` ({location, suspendData}); `now`: send to the LRS at once, with keepalive. */
  P.write = function (doc, now) {
    if (this.o.readOnly) return;
    var self = this;
    doc.saved = Date.now();
    this.pending = JSON.stringify(doc);
    if (this.store) {
      try { this.store.setItem(this.key, this.pending); } catch (e) { /* the LRS copy is still written */ }
    }
    if (!this.api) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (now) this.send(true);
    else this.timer = setTimeout(function () { self.timer = null; self.send(false); }, PAUSE);
  };

  /** Promise: no write waiting or under way (or `ms` passed). */
  P.idle = function (ms) {
    var self = this;
    var end = Date.now() + ms;
    return new Promise(function check(resolve) {
      if ((!self.sending && !self.pending) || Date.now() > end) resolve();
      else setTimeout(function () { check(resolve); }, 50);
    });
  };

  /** PUT `body` over the document whose ETag is `etag` (null: there is none yet). */
  P.put = function (body, keepalive, etag) {
    return X.request("PUT", this.address(STATE_ID), { auth: this.o.auth, body: body, keepalive: keepalive,
      headers: etag ? { "If-Match": etag } : { "If-None-Match": "*" } });
  };

  P.send = function (keepalive) {
    var body = this.pending;
    var self = this;
    if (!body || !this.api) return;
    if (this.sending) { // one at a time (its ETag is the next one's If-Match); the newest follows
      this.keepNext = this.keepNext || !!keepalive;
      return;
    }
    this.pending = null;
    this.sending = true;
    var size = X.bytes(body);
    keepalive = keepalive && X.keep(size); // what does not fit goes without (the device has a copy)
    var before = this.etag;
    // ETag unknown ("?"): read it first, unless the page is going
    var ready = before === "?" && !keepalive ? this.reread().then(function (found) { return found.etag; }) : Promise.resolve(before);
    this.etag = "?";
    function done() {
      if (keepalive) X.keep(-size);
      keepalive = false;
    }
    ready.then(function (etag) {
      return self.put(body, keepalive, etag === "?" ? null : etag);
    }).then(function (response) {
      done();
      if (response.status !== 409 && response.status !== 412) return response;
      // changed elsewhere: re-read the ETag, try once more
      return self.reread().then(function (found) { return self.put(body, false, found.etag); });
    }).then(function (response) {
      if (response.ok) return etagOf(body).then(function (etag) { if (self.etag === "?") self.etag = etag || "?"; });
      if (response.status === 405 || response.status === 501) self.api = false;
      self.etag = before;
    }).then(null, function () {
      done();
      self.etag = before;
      if (!self.pending) self.pending = body; // the next write sends the newest anyway
    }).then(function () {
      self.sending = false;
      var keep = self.keepNext;
      self.keepNext = false;
      if (self.pending && !self.timer) self.send(keep);
    });
  };
})(window.ScormBuilder = window.ScormBuilder || {});
