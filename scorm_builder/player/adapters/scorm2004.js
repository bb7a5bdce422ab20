/* SCORM 2004 4th Edition adapter: the tracker interface (see tracking.js) over `API_1484_11`. */
(function (SB) {
  "use strict";

  var T = SB.tracking;
  var NAMES = {
    initialize: "Initialize", terminate: "Terminate", getValue: "GetValue",
    setValue: "SetValue", commit: "Commit", getLastError: "GetLastError"
  };
  var MAX_HOPS = 500; // the ADL 2004 discovery algorithm's limit
  var MAX_PATTERNS = 10;

  function isApi(api) {
    return typeof api.Initialize === "function" && typeof api.SetValue === "function";
  }

  /** Text safe in a 2004 characterstring response: one line, no leading "{" (reserved for
   * delimiters such as {lang=...}), no "[,]" when that separates several strings. */
  function text(value, max, list) {
    var out = String(value).replace(/\s+/g, " ").trim();
    if (list) out = out.split("[,]").join(", ");
    if (out.charAt(0) === "{") out = " " + out;
    return T.clip(out, max);
  }

  /** A response or pattern in the 2004 format (RTE 4.2.9): [,] and [.] delimiters. */
  function format(type, value) {
    switch (type) {
      case "true-false": return value ? "true" : "false";
      case "choice":
      case "sequencing": return value.join("[,]");
      case "matching": return value.map(function (p) { return p[0] + "[.]" + p[1]; }).join("[,]");
      case "fill-in": return text(value, 250, true);
      default: return text(value, 4000, false);
    }
  }

  function Tracker(data, api) {
    this.name = "scorm2004";
    this.saves = true;
    this.limits = SB.limitsFor("scorm2004");
    // the {lang=} tag the build derived for this runtime's grammar (null: write no delimiter)
    this.language = data.runtime ? data.runtime.descriptionLanguage : data.course.language;
    this.session = new T.ScormSession(api, NAMES);
    this.reportAs = (data.completion || {}).reportAs;
    this.interactionIds = (data.completion || {}).interactionIds;
    this.completion = "";
    this.success = "";
    this.score = null;
    this.progress = null;
    this.rule = data.completion.score;
    this.passCompletes = SB.report.pair(data.completion.reportAs, { success: "passed" }).success !== "passed" &&
      data.completion.rule !== "all-pages";
    this.passed = false;
    this.review = false;
    this.ended = false;
  }
  var P = Tracker.prototype;

  P.start = function () {
    var s = this.session;
    if (!s.initialize()) return Promise.resolve({ ok: false });
    var mode = s.get("cmi.mode") || "normal";
    this.review = mode === "review";
    this.completion = s.get("cmi.completion_status");
    this.success = s.get("cmi.success_status");
    this.passed = this.success === "passed" ||
      (this.passCompletes && this.completion === "completed" && this.success !== "failed");
    this.score = s.heldScore("cmi.score.", true);
    this.progress = T.number(s.get("cmi.progress_measure"));
    s.readObjectives(function (prefix) {
      return { completion: s.get(prefix + "completion_status"), success: s.get(prefix + "success_status"),
        score: s.heldScore(prefix + "score.", true) };
    });
    var entry = s.get("cmi.entry");
    var passingText = s.get("cmi.scaled_passing_score");
    var passing = passingText === "" ? NaN : Number(passingText);
    return Promise.resolve({
      ok: true,
      resumed: entry === "resume",
      location: s.get("cmi.location"),
      suspendData: s.get("cmi.suspend_data"),
      masteryScore: isFinite(passing) && passing >= -1 && passing <= 1 ? Math.max(0, Math.round(passing * 10000) / 100) : null,
      mode: mode
    });
  };

  P.save = function (snapshot) {
    var s = this.session;
    if (this.review || s.status !== "running") return;
    s.set("cmi.location", T.clip(snapshot.location, 1000));
    s.set("cmi.suspend_data", snapshot.suspendData);
    this.passed = this.passed || snapshot.success === "passed";
    var reported = SB.report.pair(this.reportAs, T.keep.passed(snapshot, this.passed));
    this.success = this.passed ? reported.success : T.keep.success(this.success, reported.success);
    this.score = T.keep.score(this.score, snapshot.score, this.rule, this.passed);
    if (this.score !== null) s.setScore("cmi.score.", this.score, true);
    this.completion = T.keep.completion(this.completion, reported.completion);
    var progress = this.completion === "completed" ? 1 : reported.progress;
    this.progress = this.progress === null ? progress : Math.max(this.progress, progress);
    s.set("cmi.progress_measure", T.decimal(this.progress, 4));
    s.set("cmi.completion_status", this.completion);
    s.set("cmi.success_status", this.success);
    this.saveObjectives(snapshot.objectives || []);
    s.set("cmi.exit", snapshot.finished ? "normal" : "suspend");
    s.set("cmi.session_time", T.duration(s.elapsed()));
    s.commit();
  };

  P.saveObjectives = function (objectives) {
    var s = this.session;
    var rule = this.rule;
    objectives.forEach(function (o) {
      var known = s.objective(o.id, { completion: "", success: "", score: null });
      if (!known) return;
      known.success = T.keep.success(known.success, o.success);
      known.score = T.keep.score(known.score, o.score, rule, known.success === "passed");
      if (known.score !== null) s.setScore(known.prefix + "score.", known.score, true);
      known.completion = T.keep.completion(known.completion, o.completion);
      s.set(known.prefix + "completion_status", known.completion);
      s.set(known.prefix + "success_status", known.success);
    });
  };

  P.record = function (answer) {
    var s = this.session;
    if (this.review || s.status !== "running") return;
    // journal: a new entry per answer, id then type before anything that depends on them
    var n = parseInt(s.get("cmi.interactions._count"), 10) || 0;
    var prefix = "cmi.interactions." + n + ".";
    var type = answer.type;
    if (!s.set(prefix + "id", SB.report.interactionId(this.interactionIds, answer.id, answer.attempt))) return;
    s.set(prefix + "type", type);
    if (answer.objective) s.set(prefix + "objectives.0.id", answer.objective);
    s.set(prefix + "timestamp", T.timestamp(answer.time));
    s.set(prefix + "weighting", T.decimal(answer.weight));
    if (answer.correct !== null && answer.correct !== undefined) {
      if (type === "fill-in") {
        answer.correct.slice(0, MAX_PATTERNS).forEach(function (accepted, k) {
          s.set(prefix + "correct_responses." + k + ".pattern",
            "{case_matters=" + (answer.caseSensitive ? "true" : "false") + "}" + format(type, accepted));
        });
      } else {
        s.set(prefix + "correct_responses.0.pattern", format(type, answer.correct));
      }
    }
    s.set(prefix + "learner_response", format(type, answer.response));
    s.set(prefix + "result", answer.result);
    s.set(prefix + "latency", T.duration(answer.latency));
    if (answer.description) {
      var tag = this.language ? "{lang=" + this.language + "}" : "";
      s.set(prefix + "description", tag + text(answer.description, 250, false));
    }
  };

  P.finish = function (snapshot) {
    if (this.ended) return;
    this.ended = true;
    if (snapshot) this.save(snapshot);
    this.session.terminate();
  };

  T.register("scorm2004", {
    late: true,
    find: function () { return T.findApi("API_1484_11", MAX_HOPS, isApi); },
    create: function (data, api) { return new Tracker(data, api); }
  });
})(window.ScormBuilder = window.ScormBuilder || {});
