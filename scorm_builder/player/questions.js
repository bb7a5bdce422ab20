/* Question widgets: one per question type, all usable by keyboard alone (native radios,
 * checkboxes, selects, text fields and buttons; ordering moves with buttons, never by drag).
 *
 * SB.questions.create(q, options) returns a controller:
 *   el              the <section> to insert
 *   actions         a <div> under the answers for the caller's buttons
 *   value()         the current answer value (see model.js); ordering: the order shown
 *   lock()          make it read-only (checked or submitted)
 *   showFeedback(result, showCorrect)   verdict, option / outcome feedback, maybe the right answer
 *   message(text)   a short inline note (e.g. "Answer the question first.")
 *   focus()         focus the first control
 * options: {uid, number, total, level (heading level), arrangement, value, limits, onChange(value, final)}
 */
(function (SB) {
  "use strict";

  var M = SB.model;
  var t = SB.t;

  /** Create an element: h("p", {class: "x", text: "..."}, [children]); html sets innerHTML. */
  var h = SB.h = function (tag, attrs, children) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") el.textContent = value;
        else if (key === "html") el.innerHTML = value;
        else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  };

  var Q = SB.questions = {};

  Q.create = function (q, options) {
    var uid = options.uid;
    var section = h("section", { class: "sb-question", id: uid, "aria-labelledby": uid + "-h" });
    section.appendChild(h("h" + (options.level || 2), { class: "sb-question-number", id: uid + "-h",
      text: t("questionOf", { n: options.number, total: options.total }) }));
    section.appendChild(h("div", { class: "sb-prompt", id: uid + "-p", html: q.promptHtml }));
    var ctl = {
      q: q, el: section, uid: uid, arrangement: options.arrangement || {}, limits: options.limits,
      onChange: options.onChange || function () {}, locked: false, controls: []
    };
    var build = BUILDERS[q.type];
    var answers = build(ctl, options.value);
    section.appendChild(answers);
    ctl.note = h("p", { class: "sb-note", id: uid + "-note" });
    ctl.note.hidden = true;
    section.appendChild(ctl.note);
    ctl.actions = h("div", { class: "sb-actions" });
    section.appendChild(ctl.actions);
    ctl.feedback = h("div", { class: "sb-feedback", id: uid + "-f" });
    ctl.feedback.hidden = true;
    section.appendChild(ctl.feedback);
    ctl.lock = function () {
      ctl.locked = true;
      section.classList.add("sb-locked");
      ctl.controls.forEach(function (c) {
        if (c.tagName === "INPUT" && c.type === "text" || c.tagName === "TEXTAREA") c.readOnly = true;
        else c.disabled = true;
      });
      if (ctl.afterLock) ctl.afterLock();
    };
    ctl.message = function (text) {
      ctl.note.textContent = text || "";
      ctl.note.hidden = !text;
    };
    ctl.focus = function () {
      var target = ctl.controls.filter(function (c) { return !c.disabled; })[0];
      if (target) target.focus();
    };
    ctl.showFeedback = function (result, showCorrect) { showFeedback(ctl, result, showCorrect); };
    return ctl;
  };

  function hint(ctl, text) {
    return h("p", { class: "sb-hint", id: ctl.uid + "-hint", text: text });
  }

  // ---- single-choice, multiple-response, true-false ----

  function choices(ctl, value, kind, labels) {
    var q = ctl.q;
    var multiple = kind === "checkbox";
    var group = h("fieldset", { class: "sb-answers sb-choices", "aria-labelledby": ctl.uid + "-p",
      "aria-describedby": ctl.uid + "-hint" });
    group.appendChild(hint(ctl, t(multiple ? "chooseAll" : "chooseOne")));
    ctl.optionLabels = {};
    ctl.entries = labels;
    labels.forEach(function (entry) {
      var checked = multiple ? (value || []).indexOf(entry.value) >= 0 : value === entry.value;
      var input = h("input", { type: kind, name: ctl.uid, value: String(entry.index), id: ctl.uid + "-o" + entry.index,
        checked: checked });
      input.addEventListener("change", function () { ctl.onChange(ctl.value(), true); });
      ctl.controls.push(input);
      var text = h("span", { class: "sb-option-text" });
      if (entry.html !== undefined) text.innerHTML = entry.html;
      else text.textContent = entry.text;
      var label = h("label", { class: "sb-option", for: input.id }, [input, text]);
      ctl.optionLabels[entry.index] = label;
      group.appendChild(label);
    });
    ctl.value = function () {
      var picked = ctl.controls.filter(function (c) { return c.checked; }).map(function (c) {
        return labels[Number(c.value)].value;
      });
      if (multiple) return picked.length ? picked.sort(function (a, b) { return a - b; }) : null;
      return picked.length ? picked[0] : null;
    };
    return group;
  }

  function choiceQuestion(ctl, value) {
    var q = ctl.q;
    var order = ctl.arrangement.options || M.range(q.options.length);
    var labels = order.map(function (i, position) {
      return { index: position, value: i, html: q.options[i].htmlLabel || q.options[i].html };
    });
    return choices(ctl, value, q.type === "multiple-response" ? "checkbox" : "radio", labels);
  }

  function trueFalse(ctl, value) {
    return choices(ctl, value, "radio", [
      { index: 0, value: true, text: t("trueLabel") },
      { index: 1, value: false, text: t("falseLabel") }
    ]);
  }

  // ---- matching: one select per prompt ----

  function matching(ctl, value) {
    var q = ctl.q;
    var order = ctl.arrangement.targets || M.range(q.targets.length);
    var group = h("div", { class: "sb-answers sb-matching", role: "group", "aria-labelledby": ctl.uid + "-p",
      "aria-describedby": ctl.uid + "-hint" });
    group.appendChild(hint(ctl, t("matchHint")));
    var list = h("ul", { class: "sb-match-list" });
    var selects = q.pairs.map(function (pair, i) {
      var id = ctl.uid + "-m" + i;
      var select = h("select", { id: id, class: "sb-select" });
      select.appendChild(h("option", { value: "", text: t("matchChoose") }));
      order.forEach(function (ti) {
        select.appendChild(h("option", { value: String(ti), text: M.plainText(q.targets[ti].html) }));
      });
      var current = value ? value[i] : null;
      select.value = current === null || current === undefined ? "" : String(current);
      select.addEventListener("change", function () { ctl.onChange(ctl.value(), true); });
      ctl.controls.push(select);
      var label = h("label", { class: "sb-match-prompt", for: id, html: pair.promptHtml });
      list.appendChild(h("li", { class: "sb-match-row" }, [label, select]));
      return select;
    });
    group.appendChild(list);
    ctl.rows = list;
    ctl.value = function () {
      var picked = selects.map(function (s) { return s.value === "" ? null : Number(s.value); });
      return picked.some(function (p) { return p !== null; }) ? picked : null;
    };
    return group;
  }

  // ---- ordering: move up / move down buttons ----

  function ordering(ctl, value) {
    var q = ctl.q;
    var order = (value || ctl.arrangement.items || M.range(q.items.length)).slice();
    var group = h("div", { class: "sb-answers sb-ordering", role: "group", "aria-labelledby": ctl.uid + "-p",
      "aria-describedby": ctl.uid + "-hint" });
    group.appendChild(hint(ctl, t("orderHint")));
    var list = h("ol", { class: "sb-order-list" });
    group.appendChild(list);

    function move(position, step, direction) {
      var target = position + step;
      if (ctl.locked || target < 0 || target >= order.length) return;
      var item = order[position];
      order[position] = order[target];
      order[target] = item;
      draw();
      // keep focus on the moved item: same button, or the other one at either end
      var buttons = list.children[target].querySelectorAll("button");
      var preferred = buttons[direction === "up" ? 0 : 1];
      (preferred.disabled ? buttons[direction === "up" ? 1 : 0] : preferred).focus();
      SB.announce(t("moved", { item: M.plainText(q.items[item].html), n: target + 1, total: order.length }));
      ctl.onChange(ctl.value(), true);
    }

    function draw() {
      list.textContent = "";
      ctl.controls = [];
      order.forEach(function (itemIndex, position) {
        var text = M.plainText(q.items[itemIndex].html);
        var row = h("li", { class: "sb-order-row" });
        row.appendChild(h("span", { class: "sb-order-text", html: q.items[itemIndex].html }));
        if (!ctl.locked) {
          // the visible label starts the accessible name (WCAG 2.5.3), the item tells which one
          var up = h("button", { type: "button", class: "sb-button sb-move", disabled: position === 0,
            "aria-label": t("moveUp") + ": " + text, text: t("moveUp"),
            onclick: function () { move(position, -1, "up"); } });
          var down = h("button", { type: "button", class: "sb-button sb-move", disabled: position === order.length - 1,
            "aria-label": t("moveDown") + ": " + text, text: t("moveDown"),
            onclick: function () { move(position, 1, "down"); } });
          ctl.controls.push(up, down);
          row.appendChild(h("span", { class: "sb-order-buttons" }, [up, down]));
        }
        list.appendChild(row);
      });
    }
    draw();
    ctl.afterLock = draw;
    ctl.value = function () { return order.slice(); };
    return group;
  }

  // ---- fill-in and reflection: text ----

  function textQuestion(ctl, value) {
    var q = ctl.q;
    var reflection = q.type === "reflection";
    var max = M.textLimit(q, ctl.limits);
    var id = ctl.uid + "-i";
    var group = h("div", { class: "sb-answers sb-text" });
    var described = ctl.uid + "-p " + ctl.uid + "-hint";
    group.appendChild(h("label", { class: "sb-text-label", for: id, text: t(reflection ? "yourReflection" : "yourAnswer") }));
    var field = reflection
      ? h("textarea", { id: id, class: "sb-textarea", rows: "5", maxlength: String(max), "aria-describedby": described })
      : h("input", { id: id, type: "text", class: "sb-input", maxlength: String(max), autocomplete: "off",
        spellcheck: "false", "aria-describedby": described });
    if (typeof value === "string") field.value = value;
    field.addEventListener("input", function () { ctl.onChange(ctl.value(), false); });
    field.addEventListener("change", function () { ctl.onChange(ctl.value(), true); });
    ctl.controls.push(field);
    group.appendChild(field);
    group.appendChild(h("p", { class: "sb-hint", id: ctl.uid + "-hint",
      text: (reflection ? t("reflectionHint") + " " : "") + t("maxChars", { max: max }) }));
    ctl.value = function () {
      var text = SB.tracking.clip(field.value, max);
      if (text.trim() === "" && value && typeof value === "object") return value; // a kept result without its text
      return text.trim() === "" ? null : text;
    };
    return group;
  }

  var BUILDERS = {
    "single-choice": choiceQuestion,
    "multiple-response": choiceQuestion,
    "true-false": trueFalse,
    "matching": matching,
    "ordering": ordering,
    "fill-in": textQuestion,
    "reflection": textQuestion
  };

  // ---- feedback ----

  /** The right answer in words, for feedback and review. */
  Q.correctAnswer = function (q) {
    switch (q.type) {
      case "single-choice":
      case "multiple-response":
        return q.options.filter(function (o) { return o.correct; })
          .map(function (o) { return M.plainText(o.html); }).join("; ");
      case "true-false":
        return t(q.answer ? "trueLabel" : "falseLabel");
      case "matching":
        return q.pairs.map(function (p) {
          var target = q.targets.filter(function (x) { return x.id === p.target; })[0];
          return M.plainText(p.promptHtml) + " → " + M.plainText(target ? target.html : "");
        }).join("; ");
      case "ordering":
        return q.items.map(function (item, i) { return (i + 1) + ". " + M.plainText(item.html); }).join("; ");
      case "fill-in":
        return q.accepted[0] || "";
      default:
        return "";
    }
  };

  function showFeedback(ctl, result, showCorrect) {
    var q = ctl.q;
    var box = ctl.feedback;
    box.textContent = "";
    box.className = "sb-feedback sb-is-" + result;
    var verdict = result === "correct" ? "verdictCorrect" : result === "neutral" ? "verdictRecorded" : "verdictIncorrect";
    var said = h("p", { class: "sb-verdict" }, [h("strong", { text: t(verdict) })]);
    box.appendChild(said);
    var first = null;
    var value = ctl.value();
    (ctl.entries || []).forEach(function (entry) {
      var label = ctl.optionLabels[entry.index];
      var chosen = label.querySelector("input").checked;
      var correct = q.options ? q.options[entry.value].correct : entry.value === q.answer;
      var marks = label.querySelector(".sb-marks") || label.appendChild(h("span", { class: "sb-marks" }));
      marks.textContent = "";
      if (chosen) marks.appendChild(h("span", { class: "sb-mark-chosen", text: t("optionChosen") }));
      if (showCorrect && correct) marks.appendChild(h("span", { class: "sb-mark", text: t("optionCorrect") }));
      if (chosen && q.options && q.options[entry.value].feedbackHtml) {
        if (first === null) first = q.options[entry.value].feedbackVerdict || "";
        box.appendChild(h("div", { class: "sb-option-feedback", html: q.options[entry.value].feedbackHtml }));
      }
    });
    var outcome = result === "incorrect" ? q.feedback.incorrectHtml : q.feedback.correctHtml;
    if (outcome) {
      if (first === null) first = (result === "incorrect" ? q.feedback.incorrectVerdict : q.feedback.correctVerdict) || "";
      box.appendChild(h("div", { class: "sb-outcome-feedback", html: outcome }));
    }
    if (first === result) box.removeChild(said);
    if (value && typeof value === "object" && value.lost) {
      box.appendChild(h("p", { class: "sb-hint" }, [t("yourAnswerWas") + " " + t("answerNotKept")]));
    }
    if (showCorrect && result === "incorrect") {
      var answer = Q.correctAnswer(q);
      if (answer) box.appendChild(h("p", { class: "sb-correct-answer" }, [h("strong", { text: t("correctAnswerIs") }), " " + answer]));
    }
    box.hidden = false;
  }

  /** The feedback as one line of text, for the live region. */
  Q.feedbackText = function (ctl) {
    return M.plainText(ctl.feedback.innerHTML);
  };
})(window.ScormBuilder = window.ScormBuilder || {});
