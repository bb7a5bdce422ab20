/* cmi5 adapter: the tracker interface (see tracking.js) as a cmi5 Assignable Unit (Quartz §7-10):
 * the fetch URL once (the token kept in sessionStorage for this launch: a reload must not fetch
 * again), LMS.LaunchData, cmi5LearnerPreferences, the suspend state, then initialized ...
 * terminated; returnURL at Exit. The queue waits for the learner preferences, then opens for this
 * session. Reloaded after terminated: the queue delivers what this session holds; a preview.
 */
(function (SB) {
  "use strict";

  var X = SB.xapi;
  var MODES = { Normal: "normal", Browse: "browse", Review: "review" };
  var RETURN_WAIT = 10000; // ms to wait for delivery before going to returnURL

  function launch() {
    var q = new URLSearchParams(window.location.search);
    var names = ["endpoint", "fetch", "actor", "registration", "activityId"];
    var found = {};
    for (var i = 0; i < names.length; i++) {
      found[names[i]] = q.get(names[i]);
      if (!found[names[i]]) return null;
    }
    try { found.agent = JSON.parse(found.actor); } catch (e) { return null; }
    if (!X.agent(found.agent)) return null;
    found.endpoint = X.endpoint(found.endpoint);
    return found;
  }

  function Tracker(data, launched) {
    this.name = "cmi5";
    this.saves = true;
    this.limits = SB.limitsFor("cmi5");
    this.data = data;
    this.launch = launched;
    this.ended = false;
    this.sessionKey = "sb-cmi5:" + launched.fetch;
    this.session = {};
    try { this.session = JSON.parse(window.sessionStorage.getItem(this.sessionKey)) || {}; } catch (e) { this.session = {}; }
  }
  var P = Tracker.prototype = Object.create(X.LrsTracker); // save, record, event

  P.remember = function (changes) {
    var self = this;
    Object.keys(changes).forEach(function (k) { self.session[k] = changes[k]; });
    try { window.sessionStorage.setItem(this.sessionKey, JSON.stringify(this.session)); } catch (e) { /* memory only */ }
  };

  /** Promise of the auth token: the one this launch fetched already, or one POST to the fetch URL. */
  P.token = function () {
    var self = this;
    if (this.session.token) return Promise.resolve(this.session.token);
    return X.request("POST", this.launch.fetch, { version: false }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      var token = answer && answer["auth-token"];
      if (!token) throw new Error("the fetch URL gave no token (error " + (answer && answer["error-code"]) + ": " + (answer && answer["error-text"]) + ")");
      self.remember({ token: token });
      return token;
    });
  };

  /** GET a JSON document from the LRS (null when it answers 404). */
  P.get = function (resource, params) {
    return X.request("GET", X.address(this.launch.endpoint, resource, params), { auth: this.auth }).then(function (response) {
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(resource + " answered HTTP " + response.status);
      return response.json();
    });
  };

  P.start = function () {
    var self = this;
    var l = this.launch;
    var key = "cmi5:" + l.registration + " " + l.activityId;
    var agent = l.actor;
    return this.token().then(function (token) {
      self.auth = "Basic " + token;
      // batches of 10: CATAPULT gives the LRS 10 s
      self.queue = new X.Queue({ endpoint: l.endpoint, auth: self.auth, key: key, hold: true, batch: 10,
        onStatus: function (state) { if (self.onStatus) self.onStatus(state); } });
      if (self.session.terminated) {
        if (self.session.id) self.queue.open(self.session.id); // this session's own leftovers, if any
        throw new Error("this launch's session has ended; open the course again from the LMS");
      }
      return self.get("activities/state", { stateId: "LMS.LaunchData", activityId: l.activityId, agent: agent,
        registration: l.registration });
    }).then(function (launchData) {
      var template = launchData && launchData.contextTemplate;
      var id = template && template.extensions && template.extensions[X.CMI5.sessionId];
      if (!template || typeof id !== "string" || !id || !MODES[launchData.launchMode]) throw new Error("LMS.LaunchData is missing or incomplete");
      self.launchData = launchData;
      self.mode = MODES[launchData.launchMode];
      self.remember({ id: id });
      return self.get("agents/profile", { profileId: "cmi5LearnerPreferences", agent: agent }).catch(function () { return null; });
    }).then(function () {
      // preferences read (cmi5 11.0.0.0-3): sending may start
      self.queue.open(self.session.id);
      self.state = new X.State({ endpoint: l.endpoint, auth: self.auth, activityId: l.activityId, agent: agent,
        registration: l.registration, key: key, readOnly: self.mode === "review" });
      return self.state.read();
    }).then(function (doc) {
      var d = self.launchData;
      var mastery = typeof d.masteryScore === "number" && d.masteryScore >= 0 && d.masteryScore <= 1 ? d.masteryScore : null;
      if (!self.session.startedAt) self.remember({ startedAt: Date.now() });
      self.reporter = new X.Reporter({ queue: self.queue, key: key, cmi5: true, mode: self.mode,
        startedAt: self.session.startedAt, builder: new X.Builder({ data: self.data, actor: l.agent,
          registration: l.registration, root: l.activityId, template: d.contextTemplate, masteryScore: mastery }) });
      if (self.session.initialized) self.reporter.begun = true; // the page came back after a crash: same session
      self.reporter.begin(null);
      self.remember({ initialized: true });
      return { ok: true, resumed: !!(doc && doc.suspendData), location: (doc && doc.location) || "",
        suspendData: (doc && doc.suspendData) || "", mode: self.mode,
        masteryScore: mastery === null ? null : Math.round(mastery * 10000) / 100 };
    }).catch(function (error) {
      if (window.console) console.warn("cmi5: nothing will be recorded: " + error.message);
      return { ok: false };
    });
  };

  P.finish = function (snapshot, reason) {
    var q = this.queue;
    var exit = reason === "exit" && !this.ended && q;
    if (exit) q.held = true; // terminated after the last state write (8.1.2.0-2)
    if (!X.LrsTracker.finish.call(this, snapshot, reason)) return;
    this.remember({ terminated: true });
    var back = this.launchData.returnURL;
    var id = this.session.id;
    if (!exit) return;
    this.state.idle(RETURN_WAIT).then(function () {
      q.open(id);
      return q.drain(RETURN_WAIT);
    }).then(function () {
      if (typeof back === "string" && /^https?:$/.test(new URL(back, window.location.href).protocol)) window.location.assign(back);
    });
  };

  SB.tracking.register("cmi5", {
    find: launch,
    create: function (data, launched) { return new Tracker(data, launched); }
  });
})(window.ScormBuilder = window.ScormBuilder || {});
