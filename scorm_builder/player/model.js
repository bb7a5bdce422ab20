/* The course as the player walks it: screens, pool draws, shuffles, grading and scores.
 *
 * Pure functions over `window.SCORM_BUILDER_COURSE` (see scorm_builder/render/data.py);
 * no DOM and no tracking, so they run the same in a browser and in node.
 */
(function (SB) {
  "use strict";

  var M = SB.model = {};

  /** Per standard: suspend data limit and the longest text a learner may type (UTF-16 units).
   * Mirrored by scorm_builder/render/suspend.py. */
  SB.limits = {
    scorm12: { suspend: 4096, fillIn: 250, reflection: 255 },
    scorm2004: { suspend: 64000, fillIn: 250, reflection: 4000 },
    preview: { suspend: 64000, fillIn: 250, reflection: 4000 }
  };
  SB.limitsFor = function (standard) { return SB.limits[standard] || SB.limits.preview; };

  // ---- hashing and a small seeded generator (same draw on every device and on resume) ----

  /** FNV-1a, 32 bits, over the UTF-16 units of `text`. */
  M.hash = function (text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  };

  /** mulberry32: a function returning floats in [0, 1) from a 32-bit seed. */
  M.rng = function (seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };

  M.range = function (n) {
    var out = [];
    for (var i = 0; i < n; i++) out.push(i);
    return out;
  };

  /** A shuffled copy of `list` (Fisher-Yates with `rand`). */
  M.shuffle = function (list, rand) {
    var out = list.slice();
    for (var i = out.length - 1; i > 0; i--) {
      var j = Math.floor(rand() * (i + 1));
      var tmp = out[i]; out[i] = out[j]; out[j] = tmp;
    }
    return out;
  };

  // ---- the course layout ----

  /** Screens in learner order: each lesson's pages, then its knowledge check; the final last. */
  M.layout = function (data) {
    var screens = [];
    var pages = [];
    var checks = [];
    data.lessons.forEach(function (lesson, li) {
      lesson.pages.forEach(function (page, pi) {
        pages.push({ lesson: li, index: pi, id: page.id });
        screens.push({ kind: "page", id: page.id, title: page.title, lesson: li, pageInLesson: pi,
          page: pages.length - 1, data: page });
      });
      if (lesson.check) {
        checks.push({ lesson: li, assessment: lesson.check });
        screens.push({ kind: "check", id: lesson.check.id, title: lesson.check.title, lesson: li,
          check: checks.length - 1, assessment: lesson.check });
      }
    });
    if (data.final) {
      screens.push({ kind: "final", id: data.final.id, title: data.final.title, lesson: -1,
        assessment: data.final });
    }
    return { screens: screens, pages: pages, checks: checks, final: data.final || null };
  };

  /** 24 bits that change whenever the course structure changes (then saved progress is ignored). */
  M.fingerprint = function (data) {
    var parts = [data.course.id];
    function assessment(a) {
      parts.push("A" + a.id + (a.shuffleQuestions ? "s" : ""));
      a.sections.forEach(function (s) {
        parts.push("S" + s.id + ":" + (s.draw == null ? "" : s.draw));
        s.questions.forEach(function (q) {
          parts.push("Q" + q.id + ":" + q.type + ":" + (q.options || []).length + ":" + (q.pairs || []).length +
            ":" + (q.targets || []).length + ":" + (q.items || []).length);
        });
      });
    }
    data.lessons.forEach(function (lesson) {
      parts.push("L" + lesson.id);
      lesson.pages.forEach(function (p) { parts.push("P" + p.id); });
      if (lesson.check) assessment(lesson.check);
    });
    if (data.final) assessment(data.final);
    return M.hash(parts.join("\n")) & 0xffffff;
  };

  // ---- draws and display order ----

  /** The questions shown in attempt `attempt` of `assessment` (pools drawn, maybe shuffled). */
  M.draw = function (assessment, seed, attempt) {
    var rand = M.rng(M.hash(seed + "|" + assessment.id + "|" + attempt));
    var list = [];
    assessment.sections.forEach(function (section) {
      var questions = section.questions;
      if (section.draw == null || section.draw >= questions.length) {
        list = list.concat(questions);
        return;
      }
      M.shuffle(M.range(questions.length), rand).slice(0, section.draw)
        .sort(function (a, b) { return a - b; })
        .forEach(function (i) { list.push(questions[i]); });
    });
    return assessment.shuffleQuestions ? M.shuffle(list, rand) : list;
  };

  /** Display order of a question's options / targets / items for one attempt. */
  M.arrange = function (q, seed, assessmentId, attempt) {
    var rand = M.rng(M.hash(seed + "|" + assessmentId + "|" + attempt + "|" + q.id));
    var out = {};
    if (q.options) out.options = q.shuffle ? M.shuffle(M.range(q.options.length), rand) : M.range(q.options.length);
    if (q.targets) out.targets = q.shuffle ? M.shuffle(M.range(q.targets.length), rand) : M.range(q.targets.length);
    if (q.items) {
      // ordering items always start shuffled, never already in the right order
      var order = M.shuffle(M.range(q.items.length), rand);
      if (order.every(function (v, i) { return v === i; })) order.push(order.shift());
      out.items = order;
    }
    return out;
  };

  // ---- answers and grading ----
  // Answer values: single-choice option index; multiple-response sorted option indices;
  // true-false boolean; matching target index (or null) per pair; ordering item indices in the
  // learner's order; fill-in and reflection text, or {lost: true, result} when the text could not
  // be kept in the suspend data. null means unanswered.

  M.TEXT_TYPES = { "fill-in": true, "reflection": true };

  M.isAnswered = function (q, value) {
    if (value === null || value === undefined) return false;
    switch (q.type) {
      case "multiple-response": return value.length > 0;
      case "matching": return value.every(function (t) { return t !== null && t !== undefined; });
      case "fill-in":
      case "reflection": return typeof value === "object" || value.trim() !== "";
      default: return true;
    }
  };

  M.normalise = function (text, caseSensitive) {
    var out = String(text).trim();
    if (out.normalize) out = out.normalize("NFC");
    return caseSensitive ? out : out.toLowerCase();
  };

  /** "correct", "incorrect" or "neutral" (reflection). */
  M.grade = function (q, value) {
    if (q.type === "reflection") return "neutral";
    if (value && typeof value === "object" && value.lost) return value.result || "incorrect";
    if (!M.isAnswered(q, value)) return "incorrect";
    var ok;
    switch (q.type) {
      case "single-choice":
        ok = !!q.options[value] && q.options[value].correct;
        break;
      case "multiple-response":
        ok = q.options.every(function (o, i) { return o.correct === (value.indexOf(i) >= 0); });
        break;
      case "true-false":
        ok = value === q.answer;
        break;
      case "matching":
        ok = q.pairs.every(function (p, i) { return q.targets[value[i]] && q.targets[value[i]].id === p.target; });
        break;
      case "ordering":
        ok = value.length === q.items.length && value.every(function (v, i) { return v === i; });
        break;
      case "fill-in":
        var answer = M.normalise(value, q.caseSensitive);
        ok = q.accepted.some(function (a) { return M.normalise(a, q.caseSensitive) === answer; });
        break;
      default:
        ok = false;
    }
    return ok ? "correct" : "incorrect";
  };

  M.isGraded = function (q) { return q.type !== "reflection" && q.weight > 0; };

  /** Weighted percentage (0-100, 2 decimals) of `questions` answered with `values`, overall and
   * per objective: {score, objectives: {id: score}}. */
  M.score = function (questions, values) {
    var total = 0, earned = 0, objectives = {};
    questions.forEach(function (q, i) {
      if (!M.isGraded(q)) return;
      var got = M.grade(q, values[i]) === "correct" ? q.weight : 0;
      total += q.weight;
      earned += got;
      if (q.objective) {
        var o = objectives[q.objective] || (objectives[q.objective] = { total: 0, earned: 0 });
        o.total += q.weight;
        o.earned += got;
      }
    });
    var pct = function (e, t) { return t > 0 ? Math.round((e / t) * 10000) / 100 : 100; };
    var byObjective = {};
    Object.keys(objectives).forEach(function (id) {
      byObjective[id] = pct(objectives[id].earned, objectives[id].total);
    });
    return { score: pct(earned, total), objectives: byObjective };
  };

  /** The longest text a learner may type for `q` under `limits`. */
  M.textLimit = function (q, limits) {
    return q.type === "reflection" ? limits.reflection : limits.fillIn;
  };

  /** Strip markup: the plain text of an HTML fragment (for select options and descriptions). */
  M.plainText = function (html) {
    var named = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: " " };
    return String(html).replace(/<(br|\/p|\/li|\/div|\/h[1-6]|\/t[dh]|\/blockquote)\b[^>]*>/gi, " ")
      .replace(/<[^>]*>/g, "")
      .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, function (whole, name) {
        if (name.charAt(0) !== "#") return named[name.toLowerCase()] || whole;
        var code = name.charAt(1).toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        try { return String.fromCodePoint(code); } catch (e) { return whole; }
      })
      .replace(/\s+/g, " ").trim();
  };
})(window.ScormBuilder = window.ScormBuilder || {});
