/* The one tracking interface the lesson and quiz code talks to, and what adapters share.
 *
 * An adapter registers itself per standard (`data.standard`) with
 *   SB.tracking.register(name, {find: function (data) -> runtime or null, create: function (data, runtime) -> tracker})
 * `find(data)` is optional: without it `create(data, null)` is called at once. `connect` polls `find`
 * for a moment (an LMS may expose its API just after the content loads; with `late: true`, inside an
 * LMS frame, for up to T.LATE_MS) and falls back to the preview adapter when nothing appears. An xAPI or cmi5 adapter finds its launch parameters instead
 * of an API object, and implements the same tracker:
 *
 *   tracker.name              "scorm12", "scorm2004", "preview", ...
 *   tracker.saves             false when nothing is stored (the player then says so)
 *   tracker.missing           set on the preview fallback when an LMS launched the course but its API
 *                             never appeared: the player shows a persistent "not being saved" notice
 *   tracker.limits            {suspend, fillIn, reflection}: see SB.limits
 *   tracker.start()           Promise of {ok, resumed, location, suspendData, masteryScore (0-100 or null),
 *                             mode ("normal", "review", "browse")}
 *   tracker.save(snapshot)    store what changed, then commit
 *   tracker.record(answer)    record one answered question
 *   tracker.finish(snapshot, reason)  store, then end the session (exit, session time, terminate); once
 *                             only. reason: "exit" (the Exit button) or "unload" (the page is going away)
 *   tracker.event(event)      optional: what else happened, for adapters that report it (xAPI):
 *                             {type: "restored", status} the state a session starts with, before any page;
 *                             {type: "page", page, lesson} a page shown; {type: "lesson", lesson} a lesson's
 *                             pages all seen (first time); {type: "attempt", assessment, attempt, score,
 *                             passed, duration (ms)} a final assessment attempt submitted (ids: source ids)
 *   tracker.onStatus          set by the player: the adapter calls it with "ok", "offline" or "refused"
 *                             when delivery changes, and the player shows a discreet note
 *
 *   snapshot = {location, suspendData, completion: "incomplete"|"completed",
 *               success: "unknown"|"passed"|"failed", score: 0-100 or null, progress: 0-1,
 *               finished: true when nothing is left to do, objectives: [{id, completion, success, score}]}
 *   answer   = {id, type: "choice"|"true-false"|"matching"|"sequencing"|"fill-in"|"long-fill-in",
 *               objective, weight, response, correct (null: none), caseSensitive,
 *               result: "correct"|"incorrect"|"neutral", latency (ms), time (Date), description}
 *   responses: choice and sequencing: ids; true-false: boolean; matching: [[source, target], ...];
 *   fill-in and long-fill-in: text (correct: the accepted texts).
 */
(function (SB) {
  "use strict";

  var T = SB.tracking = {};
  T.WAIT_MS = 1000; // how long to wait for an API or launch data that is not there at load
  T.LATE_MS = 8000; // inside an LMS frame, how long to keep looking for a SCORM API injected late
  T.POLL_MS = 50; // the first pause between looks; it doubles up to T.POLL_MAX_MS
  T.POLL_MAX_MS = 1000;
  T.adapters = {};

  T.wrappers = [];

  T.register = function (name, spec) {
    T.adapters[name] = spec;
  };

  /** `wrapper(data, tracker)` may return a tracker that does more (SCORM plus xAPI statements). */
  T.wrap = function (wrapper) {
    T.wrappers.push(wrapper);
  };

  function wrapped(data, tracker) {
    return T.wrappers.reduce(function (t, wrapper) { return wrapper(data, t); }, tracker);
  }

  /** In another window's frame, or opened by one. */
  T.launchedByLms = function () {
    try {
      if (window.parent && window.parent !== window) return true;
    } catch (e) { return true; }
    try { return !!window.opener; } catch (e) { return true; }
  };

  /** A tracker for `data.standard`: Promise, never rejected. A `late` adapter in an LMS frame is looked
   * for up to LATE_MS (backoff); then preview with `missing` set. */
  T.connect = function (data) {
    var spec = T.adapters[data.standard];
    return new Promise(function (resolve) {
      if (!spec) {
        resolve(T.adapters.preview.create(data, null));
        return;
      }
      if (!spec.find) {
        resolve(spec.create(data, null));
        return;
      }
      var inLms = !!spec.late && T.launchedByLms();
      var limit = inLms ? T.LATE_MS : T.WAIT_MS;
      var started = Date.now();
      var pause = T.POLL_MS;
      (function attempt() {
        var runtime = null;
        try { runtime = spec.find(data); } catch (e) { runtime = null; }
        var waited = Date.now() - started;
        if (runtime) {
          resolve(wrapped(data, spec.create(data, runtime)));
        } else if (waited >= limit) {
          var fallback = T.adapters.preview.create(data, null);
          if (inLms) fallback.missing = data.standard;
          resolve(fallback);
        } else {
          setTimeout(attempt, Math.min(pause, limit - waited));
          pause = Math.min(pause * 2, T.POLL_MAX_MS);
        }
      })();
    });
  };

  // ---- results never regress: what adapters consult before writing ----

  /** A finite number from an LMS value, else null. */
  T.number = function (text) {
    if (text === null || text === undefined || String(text).trim() === "") return null;
    var value = Number(text);
    return isFinite(value) ? value : null;
  };

  /** The course score of final state `f` under completion.score `rule` ("best" or "last"). */
  T.reportedScore = function (f, rule) {
    var best = f.bestScore === null || f.bestScore === undefined ? f.lastScore : Math.max(f.bestScore, f.lastScore);
    return rule === "last" ? f.lastScore : best;
  };

  T.keep = {
    /** 1.2 lesson_status: passed stays; completed never failed; neither becomes incomplete. */
    lessonStatus: function (before, now) {
      if (before === "passed") return "passed";
      if (now === "failed" && before === "completed") return before;
      if (now === "incomplete" && (before === "completed" || before === "failed")) return before;
      return now;
    },
    /** Once `passed`, report passed and complete whatever a later attempt says. */
    passed: function (snapshot, passed) {
      return passed ? Object.assign({}, snapshot, { success: "passed", completion: "completed", progress: 1 }) : snapshot;
    },
    completion: function (before, now) {
      return before === "completed" ? "completed" : now;
    },
    /** passed stays; failed never becomes unknown. */
    success: function (before, now) {
      if (before === "passed") return "passed";
      if (now === "unknown" && before === "failed") return before;
      return now;
    },
    /** Score to store over `held`: never erased; once `passed` never lower; else "last" newer, "best" higher. */
    score: function (held, now, rule, passed) {
      if (now === null || now === undefined) return held === undefined ? null : held;
      if (held === null || held === undefined) return now;
      if (passed || rule !== "last") return Math.max(held, now);
      return now;
    }
  };

  // ---- SCORM API discovery (ADL algorithm, guarded against cross-origin frames) ----

  function scan(win, name, maxHops, check) {
    for (var hops = 0; win && hops <= maxHops; hops++) {
      try {
        var api = win[name];
        if (api && check(api)) return api;
      } catch (e) { /* a frame from another origin: keep climbing */ }
      var parent = null;
      try { parent = win.parent; } catch (e) { parent = null; }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }

  /** The object `name` in this window, its parents, then the opener's chain; null when absent. */
  T.findApi = function (name, maxHops, check) {
    var api = scan(window, name, maxHops, check);
    var openers = [];
    try { if (window.opener) openers.push(window.opener); } catch (e) { /* ignore */ }
    try { if (window.top && window.top.opener) openers.push(window.top.opener); } catch (e) { /* ignore */ }
    for (var i = 0; !api && i < openers.length; i++) api = scan(openers[i], name, maxHops, check);
    return api || null;
  };

  // ---- a SCORM API session: initialize once, cache values, terminate once ----

  /** `names` maps initialize, terminate, getValue, setValue, commit, getLastError to API methods. */
  T.ScormSession = function (api, names) {
    this.api = api;
    this.names = names;
    this.cache = {};
    this.status = "new"; // new, running, failed, terminated
    this.problems = [];
    this.startedAt = Date.now();
    this.objectives = {}; // id -> {index, prefix, ...what the adapter keeps}
    this.objectiveCount = 0;
  };
  var P = T.ScormSession.prototype;

  P.call = function (method, a, b) {
    try {
      var fn = this.api[this.names[method]];
      var result = arguments.length > 2 ? fn.call(this.api, a, b) : fn.call(this.api, a);
      return result === undefined || result === null ? "" : String(result);
    } catch (e) {
      return "false";
    }
  };

  P.initialize = function () {
    if (this.status !== "new") return this.status === "running";
    var ok = this.call("initialize", "") === "true";
    // "already initialized" (101 in 1.2, 103 in 2004) still means we may talk to it
    if (!ok && /^10[13]$/.test(this.call("getLastError"))) ok = true;
    this.status = ok ? "running" : "failed";
    this.startedAt = Date.now();
    return ok;
  };

  P.get = function (element) {
    if (this.status !== "running") return "";
    return this.call("getValue", element);
  };

  /** Set `element` unless it already holds `value` (as far as we know); true when stored. */
  P.set = function (element, value) {
    if (this.status !== "running") return false;
    value = String(value);
    if (this.cache[element] === value) return true;
    var ok = this.call("setValue", element, value) === "true";
    if (ok) {
      this.cache[element] = value;
    } else {
      var code = this.call("getLastError");
      this.problems.push(element + " = " + JSON.stringify(value) + ": error " + code);
      if (window.console && console.warn) console.warn("SCORM: could not set " + element + " (error " + code + ")");
    }
    return ok;
  };

  P.commit = function () {
    if (this.status !== "running") return false;
    return this.call("commit", "") === "true";
  };

  P.terminate = function () {
    if (this.status !== "running") return false;
    this.status = "terminated";
    return this.call("terminate", "") === "true";
  };

  /** Learn the objectives the LMS holds already: `read(prefix)` gives what the adapter keeps of one. */
  P.readObjectives = function (read) {
    this.objectiveCount = parseInt(this.get("cmi.objectives._count"), 10) || 0;
    for (var n = 0; n < this.objectiveCount; n++) {
      var prefix = "cmi.objectives." + n + ".";
      var id = this.get(prefix + "id");
      if (id) {
        var slot = read(prefix);
        slot.index = n;
        slot.prefix = prefix;
        this.objectives[id] = slot;
      }
    }
  };

  /** Objective `id`'s slot ({index, prefix, ...}), appending it (id first) as `fresh` when new;
   * null when the LMS refuses it. */
  P.objective = function (id, fresh) {
    var slot = this.objectives[id];
    if (slot) return slot;
    var index = this.objectiveCount;
    if (!this.set("cmi.objectives." + index + ".id", id)) return null;
    fresh.index = index;
    fresh.prefix = "cmi.objectives." + index + ".";
    this.objectiveCount += 1;
    this.objectives[id] = fresh;
    return fresh;
  };

  /** A 0-100 score under `prefix` ("cmi.core.score.", "cmi.objectives.3.score.", ...): min, max
   * and raw (what Moodle grades from), and scaled too when `scaled` (SCORM 2004). */
  P.setScore = function (prefix, score, scaled) {
    this.set(prefix + "min", "0");
    this.set(prefix + "max", "100");
    this.set(prefix + "raw", T.decimal(score, 2));
    if (scaled) this.set(prefix + "scaled", T.decimal(score / 100, 4));
  };

  /** The 0-100 score the LMS holds under `prefix` (raw, else scaled x 100), or null. */
  P.heldScore = function (prefix, scaled) {
    var raw = T.number(this.get(prefix + "raw"));
    if (raw !== null || !scaled) return raw;
    var fraction = T.number(this.get(prefix + "scaled"));
    return fraction === null ? null : fraction * 100;
  };

  P.elapsed = function () {
    return Date.now() - this.startedAt;
  };

  // ---- value formats ----

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  function split(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000);
    cs -= h * 360000;
    var m = Math.floor(cs / 6000);
    cs -= m * 6000;
    var s = Math.floor(cs / 100);
    return { h: h, m: m, s: s, cs: cs - s * 100 };
  }

  /** SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (capped at 9999 hours). */
  T.timespan = function (ms) {
    var t = split(ms);
    if (t.h > 9999) t = { h: 9999, m: 59, s: 59, cs: 99 };
    return pad(t.h, 4) + ":" + pad(t.m, 2) + ":" + pad(t.s, 2) + "." + pad(t.cs, 2);
  };

  /** SCORM 2004 duration: PT[nH][nM]n[.nn]S. */
  T.duration = function (ms) {
    var t = split(ms);
    var seconds = String(t.s) + (t.cs ? "." + pad(t.cs, 2).replace(/0$/, "") : "");
    return "PT" + (t.h ? t.h + "H" : "") + (t.m ? t.m + "M" : "") + seconds + "S";
  };

  /** SCORM 1.2 CMITime: local time of day HH:MM:SS. */
  T.clockTime = function (date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  };

  /** SCORM 2004 time (second.fraction + Z, as required with a time zone): 2026-11-26T20:30:14.5Z. */
  T.timestamp = function (date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1, 2) + "-" + pad(date.getUTCDate(), 2) +
      "T" + pad(date.getUTCHours(), 2) + ":" + pad(date.getUTCMinutes(), 2) + ":" + pad(date.getUTCSeconds(), 2) +
      "." + Math.floor(date.getUTCMilliseconds() / 100) + "Z";
  };

  /** A plain decimal (no exponent), at most `places` decimals. */
  T.decimal = function (value, places) {
    var factor = Math.pow(10, places === undefined ? 4 : places);
    var rounded = Math.round(value * factor) / factor;
    return String(rounded === 0 ? 0 : rounded);
  };

  /** At most `max` UTF-16 units of `text`, never cutting a character in two. */
  T.clip = function (text, max) {
    text = String(text);
    if (text.length <= max) return text;
    var out = text.slice(0, max);
    var last = out.charCodeAt(out.length - 1);
    return last >= 0xd800 && last <= 0xdbff ? out.slice(0, -1) : out;
  };
})(window.ScormBuilder = window.ScormBuilder || {});
