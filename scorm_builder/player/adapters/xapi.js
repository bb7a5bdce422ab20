/* xAPI (Tin Can) adapter: the tracker interface (see tracking.js) as statements to an LRS, from
 * the Tin Can launch parameters (endpoint, auth, actor, registration, activity_id,
 * activity_platform, grouping). No actor: a preview. A package built with an LRS endpoint uses it
 * when the launch names none.
 */
(function (SB) {
  "use strict";

  var X = SB.xapi;
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

  /** An endpoint ends in "/" so that resources resolve below it. */
  X.endpoint = function (value) {
    return value && value.charAt(value.length - 1) !== "/" ? value + "/" : value;
  };

  /** A string that tells one learner (by their identifier) from another. */
  X.who = function (actor) {
    return JSON.stringify(actor.account || actor.mbox || actor.mbox_sha1sum || actor.openid);
  };

  function launch(data) {
    var q = new URLSearchParams(window.location.search);
    var actor = X.agent(q.get("actor"));
    var lrs = (data && data.xapi && data.xapi.lrs) || {};
    var endpoint = q.get("endpoint");
    if (!actor || !(endpoint || lrs.endpoint)) return null;
    var registration = q.get("registration");
    if (registration && !UUID.test(registration)) {
      if (window.console) console.warn("xAPI: the launch registration '" + registration + "' is not a UUID; it is not used");
      registration = null;
    }
    return {
      endpoint: X.endpoint(endpoint || lrs.endpoint),
      auth: endpoint ? q.get("auth") : q.get("auth") || lrs.auth,
      actor: actor,
      registration: registration,
      root: q.get("activity_id") || null,
      platform: q.get("activity_platform") || null,
      grouping: q.get("grouping") ? [q.get("grouping")] : []
    };
  }

  function Tracker(data, launched) {
    this.name = "xapi";
    this.saves = true;
    this.limits = SB.limitsFor("xapi");
    this.data = data;
    this.launch = launched;
    this.ended = false;
  }
  var P = Tracker.prototype = Object.create(X.LrsTracker); // save, record, event, finish

  P.start = function () {
    var self = this;
    var l = this.launch;
    var root = l.root || this.data.xapi.course;
    var key = "xapi:" + [X.who(l.actor), l.registration || "-", root].join(" ");
    this.queue = new X.Queue({ endpoint: l.endpoint, auth: l.auth, key: key,
      onStatus: function (state) { if (self.onStatus) self.onStatus(state); } });
    this.state = new X.State({ endpoint: l.endpoint, auth: l.auth, activityId: root, agent: JSON.stringify(l.actor),
      registration: l.registration, key: key });
    return this.state.read().then(function (doc) {
      self.reporter = new X.Reporter({ queue: self.queue, key: key, builder: new X.Builder({
        data: self.data, actor: l.actor, registration: l.registration, root: root, platform: l.platform,
        grouping: l.grouping }) });
      var info = { ok: true, resumed: !!(doc && doc.suspendData), location: (doc && doc.location) || "",
        suspendData: (doc && doc.suspendData) || "", masteryScore: null, mode: "normal" };
      self.reporter.begin(info);
      return info;
    });
  };

  SB.tracking.register("xapi", {
    find: launch,
    create: function (data, launched) { return new Tracker(data, launched); }
  });
})(window.ScormBuilder = window.ScormBuilder || {});
