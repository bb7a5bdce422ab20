/* Suspend data: the learner's progress, answers, attempts and draw seed in a few characters.
 *
 * The format is positional: the course structure (known to both sides) says what comes next, so
 * nothing but values is written. Numbers use a 64-character URL-safe alphabet, fixed width.
 *
 *   "2"                       format version (a "1" is still read: it has no best score)
 *   4 chars                   structure fingerprint (24 bits); a mismatch discards the data
 *   4 chars                   seed for pool draws and shuffles (24 bits)
 *   ceil(pages / 6) chars     viewed pages, 6 per char
 *   final assessment, if any: 2 attempts used, 1 phase (0 not started, 1 answering, 2 results),
 *                             1 outcome (0 open, 1 passed, 2 failed), 3 last score x100 (or none),
 *                             3 best score x100 (or none; not in version "1"),
 *                             then, when phase > 0, one answer per question drawn
 *   each knowledge check:     one answer per question drawn (only answers the learner checked)
 *
 * Answers by type: single-choice 1 char (0 none, else option index + 1); true-false 1 (0, 1 false,
 * 2 true); multiple-response ceil(options / 6) chars of bits; matching 1 per pair (0, else target
 * index + 1); ordering "0", or "1" + 1 char per item; fill-in / reflection "0", or 1 result char
 * (1 unscored, 2 correct, 3 incorrect, 4 neutral) + 2 chars text length + the text.
 *
 * Texts are kept whole or not at all: when the data would pass the standard's limit, texts are
 * dropped (length 0, result kept), final assessment first in line to be kept. So the data never
 * exceeds the limit while the rest fits, and scorm_builder/render/suspend.py computes the worst
 * case from the same rules.
 */
(function (SB) {
  "use strict";

  var M = SB.model;
  var S = SB.suspend = {};
  var ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var NO_SCORE = 262143; // 64^3 - 1
  var RESULT_CODES = { unscored: 1, correct: 2, incorrect: 3, neutral: 4 };
  var RESULT_NAMES = [null, null, "correct", "incorrect", "neutral"];

  S.VERSION = "2";
  var READS = { "1": true, "2": true }; // versions decode() understands

  function num(value, width) {
    var out = "";
    for (var i = 0; i < width; i++) {
      out = ALPHABET.charAt(value & 63) + out;
      value = Math.floor(value / 64);
    }
    return out;
  }

  function scoreCode(score) {
    return score === null || score === undefined ? NO_SCORE : Math.round(score * 100);
  }

  function scoreOf(code) {
    return code === NO_SCORE ? null : code / 100;
  }

  function Reader(text) {
    this.text = text;
    this.pos = 0;
  }
  Reader.prototype.num = function (width) {
    var value = 0;
    for (var i = 0; i < width; i++) {
      var digit = ALPHABET.indexOf(this.text.charAt(this.pos++));
      if (digit < 0) throw new Error("bad suspend data at " + (this.pos - 1));
      value = value * 64 + digit;
    }
    return value;
  };
  Reader.prototype.take = function (length) {
    if (this.pos + length > this.text.length) throw new Error("suspend data too short");
    var out = this.text.substr(this.pos, length);
    this.pos += length;
    return out;
  };

  /** Parts for one answer; a text answer adds {text, code} to be resolved against the budget. */
  function encodeAnswer(q, value, graded, parts) {
    var answered = M.isAnswered(q, value);
    switch (q.type) {
      case "single-choice":
        parts.push(num(answered ? value + 1 : 0, 1));
        break;
      case "true-false":
        parts.push(num(answered ? (value ? 2 : 1) : 0, 1));
        break;
      case "multiple-response":
        for (var c = 0; c < Math.ceil(q.options.length / 6); c++) {
          var bits = 0;
          for (var b = 0; b < 6; b++) {
            if (answered && value.indexOf(c * 6 + b) >= 0) bits |= 1 << b;
          }
          parts.push(num(bits, 1));
        }
        break;
      case "matching":
        q.pairs.forEach(function (pair, i) {
          var t = value ? value[i] : null;
          parts.push(num(t === null || t === undefined ? 0 : t + 1, 1));
        });
        break;
      case "ordering":
        if (!answered) parts.push("0");
        else parts.push("1" + value.map(function (v) { return num(v, 1); }).join(""));
        break;
      case "fill-in":
      case "reflection":
        if (!answered) {
          parts.push("0");
          break;
        }
        var code = graded ? RESULT_CODES[M.grade(q, value)] : RESULT_CODES.unscored;
        parts.push(num(code, 1));
        parts.push({ text: typeof value === "string" ? value : "" });
        break;
      default:
        throw new Error("unknown question type " + q.type);
    }
  }

  function decodeAnswer(q, reader) {
    var v, i;
    switch (q.type) {
      case "single-choice":
        v = reader.num(1);
        return v === 0 || v > q.options.length ? null : v - 1;
      case "true-false":
        v = reader.num(1);
        return v === 0 ? null : v === 2;
      case "multiple-response":
        var chosen = [];
        for (var c = 0; c < Math.ceil(q.options.length / 6); c++) {
          var bits = reader.num(1);
          for (var b = 0; b < 6; b++) {
            if (bits & (1 << b) && c * 6 + b < q.options.length) chosen.push(c * 6 + b);
          }
        }
        return chosen.length ? chosen : null;
      case "matching":
        var targets = [];
        var any = false;
        for (i = 0; i < q.pairs.length; i++) {
          v = reader.num(1);
          targets.push(v === 0 || v > q.targets.length ? null : v - 1);
          any = any || v !== 0;
        }
        return any ? targets : null;
      case "ordering":
        if (reader.num(1) === 0) return null;
        var order = [];
        for (i = 0; i < q.items.length; i++) order.push(reader.num(1));
        var valid = order.slice().sort(function (a, b) { return a - b; }).every(function (x, k) { return x === k; });
        return valid ? order : null;
      case "fill-in":
      case "reflection":
        var code = reader.num(1);
        if (code === 0) return null;
        var length = reader.num(2);
        if (length === 0) return RESULT_NAMES[code] ? { lost: true, result: RESULT_NAMES[code] } : null;
        return reader.take(length);
      default:
        throw new Error("unknown question type " + q.type);
    }
  }

  /** The questions drawn for the final's current (or last submitted) attempt. */
  S.finalAttemptIndex = function (final) {
    return final.phase === 2 ? Math.max(0, final.attempts - 1) : final.attempts;
  };

  /** A fresh state for `layout`. */
  S.empty = function (layout, seed) {
    return {
      seed: seed,
      viewed: layout.pages.map(function () { return false; }),
      checks: layout.checks.map(function () { return null; }),
      final: { attempts: 0, phase: 0, outcome: 0, lastScore: null, bestScore: null, answers: null }
    };
  };

  /** The suspend data for `state`, at most `limit` characters while the non-text part fits. */
  S.encode = function (data, layout, state, limit) {
    var parts = [S.VERSION, num(M.fingerprint(data), 4), num(state.seed & 0xffffff, 4)];
    for (var p = 0; p < layout.pages.length; p += 6) {
      var bits = 0;
      for (var b = 0; b < 6 && p + b < layout.pages.length; b++) {
        if (state.viewed[p + b]) bits |= 1 << b;
      }
      parts.push(num(bits, 1));
    }
    if (layout.final) {
      var f = state.final;
      parts.push(num(Math.min(f.attempts, 4095), 2), num(f.phase, 1), num(f.outcome, 1),
        num(scoreCode(f.lastScore), 3), num(scoreCode(f.bestScore), 3));
      if (f.phase > 0) {
        var drawn = M.draw(layout.final, state.seed, S.finalAttemptIndex(f));
        drawn.forEach(function (q, i) {
          encodeAnswer(q, f.answers ? f.answers[i] : null, f.phase === 2, parts);
        });
      }
    }
    layout.checks.forEach(function (check, ci) {
      var answers = state.checks[ci];
      M.draw(check.assessment, state.seed, 0).forEach(function (q, i) {
        encodeAnswer(q, answers ? answers[i] : null, true, parts);
      });
    });
    // resolve texts: the fixed part first, then each text whole while the budget allows
    var fixed = 0;
    parts.forEach(function (part) { fixed += typeof part === "string" ? part.length : 2; });
    var budget = limit - fixed;
    return parts.map(function (part) {
      if (typeof part === "string") return part;
      if (part.text.length > 0 && part.text.length <= budget && part.text.length <= 4095) {
        budget -= part.text.length;
        return num(part.text.length, 2) + part.text;
      }
      return num(0, 2);
    }).join("");
  };

  /** The state saved in `text`, or null when it is empty, damaged or from another course version. */
  S.decode = function (data, layout, text) {
    if (!text) return null;
    try {
      var reader = new Reader(text);
      var version = reader.take(1);
      if (!READS[version]) return null;
      if (reader.num(4) !== M.fingerprint(data)) return null;
      var state = S.empty(layout, reader.num(4));
      for (var p = 0; p < layout.pages.length; p += 6) {
        var bits = reader.num(1);
        for (var b = 0; b < 6 && p + b < layout.pages.length; b++) state.viewed[p + b] = !!(bits & (1 << b));
      }
      if (layout.final) {
        var f = state.final;
        f.attempts = reader.num(2);
        f.phase = reader.num(1);
        f.outcome = reader.num(1);
        f.lastScore = scoreOf(reader.num(3));
        f.bestScore = version === "1" ? f.lastScore : scoreOf(reader.num(3));
        if (f.phase > 2 || f.outcome > 2 || (f.phase === 2 && f.attempts === 0)) return null;
        if (f.phase > 0) {
          f.answers = M.draw(layout.final, state.seed, S.finalAttemptIndex(f)).map(function (q) {
            return decodeAnswer(q, reader);
          });
        }
      }
      layout.checks.forEach(function (check, ci) {
        var answers = M.draw(check.assessment, state.seed, 0).map(function (q) { return decodeAnswer(q, reader); });
        state.checks[ci] = answers.some(function (a) { return a !== null; }) ? answers : null;
      });
      return reader.pos === text.length ? state : null;
    } catch (e) {
      return null;
    }
  };
})(window.ScormBuilder = window.ScormBuilder || {});
