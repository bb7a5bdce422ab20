/* SCORM 1.2 adapter: the tracker interface (see tracking.js) over the LMS's `API` object. */
(function (SB) {
  "use strict";

  var T = SB.tracking;
  var NAMES = {
    initialize: "LMSInitialize", terminate: "LMSFinish", getValue: "LMSGetValue",
    setValue: "LMSSetValue", commit: "LMSCommit", getLastError: "LMSGetLastError"
  };
  var RESULTS = { correct: "correct", incorrect: "wrong", neutral: "neutral" };
  var MAX_HOPS = 7; // the ADL 1.2 discovery algorithm's limit

  function isApi(api) {
    return typeof api.LMSInitialize === "function" && typeof api.LMSSetValue === "function";
  }

  /** cmi.core.lesson_status from the completion contract's two answers. */
  function lessonStatus(snapshot) {
    if (snapshot.success === "passed" || snapshot.success === "failed") return snapshot.success;
    return snapshot.completion === "completed" ? "completed" : "incomplete";
  }

  /** A response in the 1.2 format (RTE 3.4.2.7): single characters joined by commas. */
  function format(type, value) {
    switch (type) {
      case "true-false": return value ? "t" : "f";
      case "choice":
      case "sequencing": return value.join(",");
      case "matching": return value.map(function (p) { return p[0] + "." + p[1]; }).join(",");
      default: return T.clip(String(value).replace(/\s+/g, " ").trim(), 255);
    }
  }

  function Tracker(data, api) {
    this.name = "scorm12";
    this.saves = true;
    this.limits = SB.limitsFor("scorm12");
    this.session = new T.ScormSession(api, NAMES);
    this.reportAs = (data.completion || {}).reportAs;
    this.interactionIds = (data.completion || {}).interactionIds;
    this.status = "";
    this.score = null;
    this.rule = data.completion.score;
    this.passWord = SB.report.lessonStatus(data.completion.reportAs, "passed");
    this.judged = data.completion.rule !== "all-pages";
    this.passed = false;
    this.review = false;
    this.ended = false;
  }
  var P = Tracker.prototype;

  P.start = function () {
    var s = this.session;
    if (!s.initialize()) return Promise.resolve({ ok: false });
    var mode = s.get("cmi.core.lesson_mode") || "normal";
    this.review = mode === "review";
    this.status = s.get("cmi.core.lesson_status");
    this.passed = this.status === "passed" || (this.status === this.passWord && this.judged);
    this.score = s.heldScore("cmi.core.score.", false);
    s.readObjectives(function (prefix) {
      return { status: s.get(prefix + "status"), score: s.heldScore(prefix + "score.", false) };
    });
    var masteryText = s.get("cmi.student_data.mastery_score");
    var mastery = masteryText === "" ? NaN : Number(masteryText);
    return Promise.resolve({
      ok: true,
      resumed: s.get("cmi.core.entry") === "resume",
      location: s.get("cmi.core.lesson_location"),
      suspendData: s.get("cmi.suspend_data"),
      masteryScore: isFinite(mastery) && mastery >= 0 && mastery <= 100 ? mastery : null,
      mode: mode
    });
  };

  P.save = function (snapshot) {
    var s = this.session;
    if (this.review || s.status !== "running") return;
    s.set("cmi.core.lesson_location", T.clip(snapshot.location, 255));
    s.set("cmi.suspend_data", snapshot.suspendData);
    this.passed = this.passed || snapshot.success === "passed";
    var now = SB.report.lessonStatus(this.reportAs, lessonStatus(T.keep.passed(snapshot, this.passed)));
    this.status = this.passed ? now : T.keep.lessonStatus(this.status, now);
    this.score = T.keep.score(this.score, snapshot.score, this.rule, this.passed);
    if (this.score !== null) s.setScore("cmi.core.score.", this.score, false);
    s.set("cmi.core.lesson_status", this.status);
    this.saveObjectives(snapshot.objectives || []);
    s.set("cmi.core.exit", snapshot.finished ? "" : "suspend");
    s.set("cmi.core.session_time", T.timespan(s.elapsed()));
    s.commit();
  };

  P.saveObjectives = function (objectives) {
    var s = this.session;
    var rule = this.rule;
    objectives.forEach(function (o) {
      var known = s.objective(o.id, { status: "", score: null });
      if (!known) return;
      known.status = T.keep.lessonStatus(known.status, o.success !== "unknown" ? o.success : o.completion);
      known.score = T.keep.score(known.score, o.score, rule, known.status === "passed");
      if (known.score !== null) s.setScore(known.prefix + "score.", known.score, false);
      s.set(known.prefix + "status", known.status);
    });
  };

  P.record = function (answer) {
    var s = this.session;
    if (this.review || s.status !== "running") return;
    // write-only in 1.2: always append at n = _count, id and type first
    var n = parseInt(s.get("cmi.interactions._count"), 10) || 0;
    var prefix = "cmi.interactions." + n + ".";
    var type = answer.type === "long-fill-in" ? "fill-in" : answer.type;
    if (!s.set(prefix + "id", SB.report.interactionId(this.interactionIds, answer.id, answer.attempt))) return;
    s.set(prefix + "type", type);
    if (answer.objective) s.set(prefix + "objectives.0.id", answer.objective);
    s.set(prefix + "time", T.clockTime(answer.time));
    s.set(prefix + "weighting", T.decimal(Math.min(100, Math.max(0, answer.weight))));
    s.set(prefix + "student_response", format(type, answer.response));
    if (answer.correct !== null && answer.correct !== undefined) {
      var patterns = type === "fill-in" ? answer.correct : [answer.correct];
      patterns.forEach(function (pattern, k) {
        s.set(prefix + "correct_responses." + k + ".pattern", format(type, pattern));
      });
    }
    s.set(prefix + "result", RESULTS[answer.result]);
    s.set(prefix + "latency", T.timespan(answer.latency));
  };

  P.finish = function (snapshot) {
    if (this.ended) return;
    this.ended = true;
    if (snapshot) this.save(snapshot);
    this.session.terminate();
  };

  T.register("scorm12", {
    late: true,
    find: function () { return T.findApi("API", MAX_HOPS, isApi); },
    create: function (data, api) { return new Tracker(data, api); }
  });
})(window.ScormBuilder = window.ScormBuilder || {});
