/* Suspend data between sessions (Tin Can, cmi5): the LRS's State API (stateId
 * "scorm-builder.suspend") when it has one, and always a copy on this device; the newer wins.
 */
(function (SB) {
  "use strict";

  var X = SB.xapi;
  var STATE_ID = "scorm-builder.suspend";
  var PAUSE = 1000;

  /** o: {endpoint, auth, activityId, agent (JSON text), registration, key, readOnly} */
  function State(o) {
    this.o = o;
    this.key = "sb-xapi-state:" + o.key;
    this.store = X.storage();
    this.api = true; // the LRS has a State API, until it shows otherwise
    this.timer = null;
    this.pending = null;
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

  /** Promise of the newest saved document ({location, suspendData, saved}) or null; never rejected. */
  P.read = function () {
    var self = this;
    var local = this.local();
    var auth = this.o.auth;
    return Promise.resolve().then(function () {
      return X.request("GET", self.address(null), { auth: auth });
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (ids) {
      if (!Array.isArray(ids) || ids.indexOf(STATE_ID) < 0) return null;
      return X.request("GET", self.address(STATE_ID), { auth: auth }).then(function (response) {
        return response.ok ? response.json() : null;
      });
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

  P.send = function (keepalive) {
    var body = this.pending;
    var self = this;
    if (!body || !this.api) return;
    this.pending = null;
    var size = X.bytes(body);
    keepalive = keepalive && X.keep(size); // what does not fit goes without (the device has a copy)
    function done() {
      if (keepalive) X.keep(-size);
    }
    X.request("PUT", this.address(STATE_ID), { auth: this.o.auth, body: body, keepalive: keepalive }).then(function (response) {
      done();
      if (response.status === 404 || response.status === 405 || response.status === 501) self.api = false;
    }, function () {
      done();
      if (!self.pending) self.pending = body; // the next write sends the newest anyway
    });
  };
})(window.ScormBuilder = window.ScormBuilder || {});
