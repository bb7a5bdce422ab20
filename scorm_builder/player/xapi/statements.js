/* xAPI 1.0.3 statements: ids, times, value formats, and the one Builder of statements (see the
 * player README, "xAPI and cmi5"). Activities, definitions, parents and verbs come from data.xapi.
 */
(function (SB) {
  "use strict";

  var X = SB.xapi = SB.xapi || {};
  X.VERSION = "1.0.3";
  X.PLATFORM = "scorm-builder";
  // cmi5 (Quartz) §9: the same strings as scorm_builder/xapi/vocabulary.py `Cmi5` (a test compares them)
  X.CMI5 = {
    category: "https://w3id.org/xapi/cmi5/context/categories/cmi5",
    moveOn: "https://w3id.org/xapi/cmi5/context/categories/moveon",
    sessionId: "https://w3id.org/xapi/cmi5/context/extensions/sessionid",
    masteryScore: "https://w3id.org/xapi/cmi5/context/extensions/masteryscore",
    progress: "https://w3id.org/xapi/cmi5/result/extensions/progress"
  };

  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] + 0x100).toString(16).slice(1);
    return out;
  }

  /** A random UUID v4 (RFC 4122 variant). */
  X.uuid = function () {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256); // no crypto at all: very old browsers
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = hex(b);
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  };

  var last = 0;
  /** Now in ms, strictly after the previous call: in a burst, wait for the clock to tick (at
   * most a millisecond) rather than stamp a statement in the future or give two the same time. */
  X.now = function () {
    var t = Date.now();
    if (t <= last) {
      if (last - t < 5) while ((t = Date.now()) <= last) { /* a millisecond at most */ }
      else t = last + 1; // the clock went back: keep the order
    }
    last = t;
    return t;
  };

  /** ISO 8601 UTC with milliseconds: 2026-11-26T20:30:14.512Z. */
  X.timestamp = function (ms) {
    return new Date(ms).toISOString();
  };

  /** ISO 8601 duration with at most 0.01 s precision: PT1H2M3.46S. */
  X.duration = function (ms) {
    return SB.tracking.duration(ms);
  };

  /** One text item for a fill-in response: no [,] (it would split the text into several) and
   * no leading "{" (it would read as a {lang=...} parameter). */
  function textItem(value, max) {
    var out = String(value).split("[,]").join(", ");
    if (out.charAt(0) === "{") out = " " + out;
    return SB.tracking.clip(out, max);
  }

  /** A learner's answer as xAPI `result.response` (1.0.3 Data §2.4.4.1.5). */
  X.response = function (type, value) {
    switch (type) {
      case "true-false": return value ? "true" : "false";
      case "choice":
      case "sequencing": return value.join("[,]");
      case "matching": return value.map(function (p) { return p[0] + "[.]" + p[1]; }).join("[,]");
      case "fill-in": return textItem(String(value).replace(/\s+/g, " ").trim(), 250);
      default: return textItem(value, 4000);
    }
  };

  /** A percentage as xAPI score: scaled 0..1 (4 decimals), raw 0..100 (an integer when `whole`). */
  X.score = function (percent, whole) {
    var p = Math.max(0, Math.min(100, Number(percent) || 0));
    return { scaled: Math.round(p * 100) / 10000, raw: whole ? Math.round(p) : Math.round(p * 100) / 100, min: 0, max: 100 };
  };

  function first(value) {
    return Array.isArray(value) ? value[0] : value;
  }

  /** A launch `actor` (JSON text or object, xAPI 1.0 or the 0.9 form with arrays) as a 1.0
   * Agent with exactly one identifier, the account first; null when it has none. */
  X.agent = function (value) {
    var a = value;
    if (typeof a === "string") {
      try { a = JSON.parse(a); } catch (e) { return null; }
    }
    if (!a || typeof a !== "object") return null;
    var out = { objectType: "Agent" };
    var name = first(a.name);
    if (typeof name === "string" && name) out.name = name;
    var account = first(a.account);
    if (account && typeof account === "object") {
      var home = account.homePage || account.accountServiceHomePage;
      var id = account.name || account.accountName;
      if (home && id) {
        out.account = { homePage: String(home), name: String(id) };
        return out;
      }
    }
    var mbox = first(a.mbox);
    if (mbox) {
      out.mbox = /^mailto:/i.test(mbox) ? String(mbox) : "mailto:" + mbox;
      return out;
    }
    var keys = ["mbox_sha1sum", "openid"];
    for (var i = 0; i < keys.length; i++) {
      var v = first(a[keys[i]]);
      if (v) {
        out[keys[i]] = String(v);
        return out;
      }
    }
    return null;
  };

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function list(value) {
    return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  }

  /** Add activity `id` to the context activity list `key` unless it is there already. */
  function addTo(activities, key, id) {
    var items = activities[key] = list(activities[key]);
    for (var i = 0; i < items.length; i++) if (items[i] && items[i].id === id) return;
    items.push({ objectType: "Activity", id: id });
  }

  /**
   * Shapes statements for one learner and registration.
   *   o.data          the course data (needs data.xapi and data.package)
   *   o.actor         the Agent, as launched
   *   o.registration  UUID or null
   *   o.root          the IRI that stands for the course (Tin Can activity_id, cmi5 activityId)
   *   o.template      cmi5 contextTemplate (null otherwise)
   *   o.masteryScore  cmi5 LaunchData masteryScore (0..1) or null
   *   o.platform, o.grouping (extra grouping IRIs from a Tin Can launch)
   */
  function Builder(o) {
    var x = o.data.xapi;
    this.x = x;
    this.language = o.data.course.language;
    this.actor = o.actor;
    this.registration = o.registration || null;
    this.root = o.root || x.course;
    this.template = o.template || null;
    this.masteryScore = o.masteryScore === undefined ? null : o.masteryScore;
    this.platform = o.platform || X.PLATFORM;
    this.grouping = o.grouping || [];
    this.extension = X.packageExtension(x.base);
    this.pkg = { version: o.data.package.version, hash: o.data.package.hash };
  }
  X.Builder = Builder;
  var B = Builder.prototype;

  /** The IRI of the context extension that names the package: {base}extensions/package. */
  X.packageExtension = function (base) {
    return new URL("extensions/package", base).href;
  };

  B.verb = function (name) {
    var display = {};
    display["en-US"] = name;
    return { id: this.x.verbs[name], display: display };
  };

  /** The Activity for course IRI `iri` (the course itself stands as `root`), with its definition. */
  B.activity = function (iri) {
    var activity = { objectType: "Activity", id: iri === this.x.course ? this.root : iri };
    var definition = this.x.definitions[iri];
    if (definition) activity.definition = copy(definition);
    return activity;
  };

  /**
   * The context of a statement about course activity `iri`.
   * kind: "allowed" (anything else; cmi5 "allowed" statements), "cmi5" (a cmi5 defined statement),
   * "moveon" (cmi5 defined, judged for moveOn: completed, passed, failed).
   */
  B.context = function (iri, kind, mastery) {
    var x = this.x;
    var c = copy(this.template) || {};
    if (this.registration) c.registration = this.registration;
    var a = c.contextActivities = c.contextActivities || {};
    var parent = x.parents[iri];
    if (parent) addTo(a, "parent", parent === x.course ? this.root : parent);
    // the course groups everything, unless it is there already (as object or parent)
    if (this.root !== x.course || (iri !== x.course && parent !== x.course)) addTo(a, "grouping", x.course);
    for (var i = 0; i < this.grouping.length; i++) addTo(a, "grouping", this.grouping[i]);
    if (kind === "cmi5" || kind === "moveon") addTo(a, "category", X.CMI5.category);
    if (kind === "moveon") addTo(a, "category", X.CMI5.moveOn);
    Object.keys(a).forEach(function (key) { if (!list(a[key]).length) delete a[key]; });
    if (!Object.keys(a).length) delete c.contextActivities;
    c.language = this.language;
    c.platform = this.platform;
    var ext = c.extensions = c.extensions || {};
    ext[this.extension] = copy(this.pkg);
    if (mastery && kind === "moveon" && this.masteryScore !== null) ext[X.CMI5.masteryScore] = this.masteryScore;
    return c;
  };

  /** A statement: `verb` about course activity `iri`, with `result` (or none) and context `kind`. */
  B.statement = function (verb, iri, result, kind) {
    var s = { id: X.uuid(), actor: copy(this.actor), verb: this.verb(verb), object: this.activity(iri) };
    if (result) s.result = result;
    s.context = this.context(iri, kind, verb === "passed" || verb === "failed");
    s.timestamp = X.timestamp(X.now());
    return s;
  };

  /** `answered` for a tracker answer (see tracking.js): the interaction with its definition. */
  B.answered = function (answer) {
    if (!this.x.questions[answer.id]) return null;
    var result = { response: X.response(answer.type, answer.response), duration: X.duration(answer.latency) };
    if (answer.result !== "neutral") result.success = answer.result === "correct";
    return this.statement("answered", this.x.questions[answer.id], result, "allowed");
  };
})(window.ScormBuilder = window.ScormBuilder || {});
