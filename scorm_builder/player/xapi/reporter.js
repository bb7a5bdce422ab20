/* Tracker calls to statements, for the xapi and cmi5 adapters and for SCORM packages built with
 * an LRS (SB.xapi.alongside). Which statement when, and the cmi5 rules: the player README.
 */
(function (SB) {
  "use strict";

  var X = SB.xapi;

  /**
   * o.builder (X.Builder), o.queue (X.Queue), o.key (storage key of the once-per-registration flags),
   * o.cmi5 (true: cmi5 rules), o.mode ("normal", "browse", "review"), o.startedAt (ms, default now),
   * o.remember (false: keep the flags in memory only; the restored state alone then says what was reported)
   */
  function Reporter(o) {
    this.b = o.builder;
    this.queue = o.queue;
    this.cmi5 = !!o.cmi5;
    this.mode = o.mode || "normal";
    this.startedAt = o.startedAt || Date.now();
    this.flagsKey = "sb-xapi-done:" + o.key;
    this.store = o.remember === false ? null : X.storage();
    this.done = this.loadFlags();
    this.progress = -1;
    this.ended = false;
    this.begun = false;
  }
  X.Reporter = Reporter;
  var R = Reporter.prototype;

  R.loadFlags = function () {
    if (!this.store) return {};
    try {
      return JSON.parse(this.store.getItem(this.flagsKey)) || {};
    } catch (e) {
      return {};
    }
  };

  R.flag = function (name) {
    this.done[name] = true;
    if (this.store) {
      try { this.store.setItem(this.flagsKey, JSON.stringify(this.done)); } catch (e) { /* kept in memory */ }
    }
  };

  R.elapsed = function () {
    return X.duration(Date.now() - this.startedAt);
  };

  R.send = function (statement, alone) {
    if (statement && !this.ended) this.queue.add(statement, alone);
  };

  /** The course-level statement `verb` (cmi5: about the AU, cmi5 defined). `alone`: see Queue.add. */
  R.course = function (verb, result, moveOn, alone) {
    this.send(this.b.statement(verb, this.b.x.course, result, this.cmi5 ? (moveOn ? "moveon" : "cmi5") : "allowed"), alone);
  };

  /** Whether statements other than initialized/terminated may be sent (cmi5 Review: none). */
  R.records = function () {
    return this.mode !== "review";
  };

  /** Whether the course may be reported completed, passed or failed (cmi5 Normal launches only). */
  R.judges = function () {
    return this.mode === "normal";
  };

  R.begin = function (info) {
    if (this.begun) return;
    this.begun = true;
    // cmi5: alone and first (each statement is judged against the session before the request)
    this.course("initialized", null, false, this.cmi5);
    if (!this.cmi5 && info && info.resumed) this.course("resumed", null, false);
  };

  /** The state the session starts with, before any page is shown: what is already reported. */
  R.restored = function (status) {
    if (status.completion === "completed") this.flag("completed");
    if (status.success === "passed") this.flag("passed");
    if (status.success === "failed") this.flag("failed");
    this.progress = Math.max(this.progress, Math.floor((status.progress || 0) * 100));
  };

  R.save = function (snapshot) {
    if (this.ended || !snapshot) return;
    var b = this.b;
    if (this.cmi5 && this.records() && !this.done.completed && snapshot.completion !== "completed") {
      var percent = Math.max(0, Math.min(99, Math.floor(snapshot.progress * 100)));
      if (percent > this.progress) {
        this.progress = percent;
        var extensions = {};
        extensions[X.CMI5.progress] = percent;
        this.send(b.statement("progressed", b.x.course, { extensions: extensions }, "allowed"));
      }
    }
    if (!this.judges()) return;
    if (snapshot.completion === "completed" && !this.done.completed) {
      this.flag("completed");
      this.course("completed", { completion: true, duration: this.elapsed() }, true);
    }
    var verdict = snapshot.success;
    // once per registration, and at most one of the two per session (cmi5 §9.3): a retry that passes
    // after a fail is reported in the next session
    if ((verdict === "passed" || verdict === "failed") && !this.done.passed && !this.done[verdict] && !this.judged) {
      this.judged = true;
      this.flag(verdict);
      var result = { success: verdict === "passed", duration: this.elapsed() };
      if (snapshot.score !== null && snapshot.score !== undefined) result.score = X.score(snapshot.score, this.cmi5);
      this.course(verdict, result, true);
    }
  };

  R.record = function (answer) {
    if (this.records()) this.send(this.b.answered(answer));
  };

  /** Player events (see tracking.js): page, lesson, attempt, restored. */
  R.event = function (e) {
    var b = this.b;
    var x = b.x;
    if (e.type === "restored") return this.restored(e.status);
    if (!this.records()) return;
    // Browse: no completed, passed or failed at all, not even about a lesson or an attempt
    if (e.type === "page" && x.pages[e.page]) {
      this.send(b.statement("experienced", x.pages[e.page], null, "allowed"));
    } else if (!this.judges()) {
      return;
    } else if (e.type === "lesson" && x.lessons[e.lesson]) {
      this.send(b.statement("completed", x.lessons[e.lesson], { completion: true }, "allowed"));
    } else if (e.type === "attempt" && x.assessments[e.assessment]) {
      this.send(b.statement(e.passed ? "passed" : "failed", x.assessments[e.assessment], {
        score: X.score(e.score, this.cmi5), success: !!e.passed, completion: true, duration: X.duration(e.duration)
      }, "allowed"));
    }
  };

  /** The end of the session: what the last snapshot changed, suspended, terminated; then send. */
  R.end = function (snapshot, reason) {
    if (this.ended) return;
    this.save(snapshot);
    if (!this.cmi5 && snapshot && !snapshot.finished && this.records()) {
      this.course("suspended", { duration: this.elapsed() }, false);
    }
    this.course("terminated", { duration: this.elapsed() }, false);
    this.ended = true;
    this.queue.flush(reason === "unload");
  };

  // ---- what the Tin Can and cmi5 trackers share once started (this.reporter, this.state) ----

  X.LrsTracker = {
    keep: function (snapshot, now) {
      this.state.write({ location: snapshot.location, suspendData: snapshot.suspendData }, now);
    },
    save: function (snapshot) {
      if (this.ended) return;
      this.reporter.save(snapshot);
      this.keep(snapshot, document.visibilityState === "hidden");
    },
    record: function (answer) {
      if (!this.ended) this.reporter.record(answer);
    },
    event: function (e) {
      if (!this.ended) this.reporter.event(e);
    },
    finish: function (snapshot, reason) {
      if (this.ended) return false;
      this.ended = true;
      if (snapshot) this.keep(snapshot, true);
      this.reporter.end(snapshot, reason);
      return true;
    }
  };

  // ---- SCORM packages built with an LRS endpoint: statements next to the LMS record ----

  /** The learner id the SCORM session gives (1.2 cmi.core.student_id, 2004 cmi.learner_id). */
  function scormLearner(tracker) {
    var s = tracker.session;
    if (!s || typeof s.get !== "function") return "";
    return s.get(tracker.name === "scorm12" ? "cmi.core.student_id" : "cmi.learner_id");
  }

  /**
   * The SCORM tracker `inner`, also sending statements to data.xapi.lrs. The actor is an account:
   * the LMS's learner id, on the home page of the site the package is served from (the LMS;
   * SCORM does not name it otherwise). No learner id: no statements (an actor is never invented).
   * There is no registration in SCORM, so statements carry none.
   */
  X.alongside = function (data, inner) {
    var lrs = data.xapi && data.xapi.lrs;
    if (!lrs || !lrs.endpoint || !inner.session) return inner;
    var reporter = null;
    var outer = Object.create(inner);
    outer.start = function () {
      return inner.start().then(function (info) {
        var id = info.ok ? scormLearner(inner) : "";
        if (!id) return info;
        var origin = /^https?:$/.test(window.location.protocol) ? window.location.origin : new URL(data.xapi.base).origin;
        var actor = { objectType: "Agent", account: { homePage: origin + "/", name: id } };
        var key = "scorm:" + id + ":" + data.xapi.course;
        reporter = new Reporter({
          builder: new X.Builder({ data: data, actor: actor }),
          queue: new X.Queue({ endpoint: lrs.endpoint, auth: lrs.auth, key: key,
            onStatus: function (state) { if (outer.onStatus) outer.onStatus(state); } }),
          key: key,
          remember: false // a new SCORM attempt starts afresh; the LMS's suspend data says what is done
        });
        outer.queue = reporter.queue;
        reporter.begin(info);
        return info;
      });
    };
    outer.save = function (snapshot) {
      inner.save(snapshot);
      if (reporter && !inner.review) reporter.save(snapshot);
    };
    outer.record = function (answer) {
      inner.record(answer);
      if (reporter && !inner.review) reporter.record(answer);
    };
    outer.event = function (e) {
      if (reporter && !inner.review) reporter.event(e);
    };
    outer.finish = function (snapshot, reason) {
      inner.finish(snapshot, reason);
      if (reporter) reporter.end(inner.review ? null : snapshot, reason);
    };
    return outer;
  };

  SB.tracking.wrap(function (data, tracker) {
    return tracker.name === "scorm12" || tracker.name === "scorm2004" ? X.alongside(data, tracker) : tracker;
  });
})(window.ScormBuilder = window.ScormBuilder || {});
