/* The course player app: lesson pages, table of contents, knowledge checks, the final assessment,
 * and the completion contract, all reported through one tracker (see tracking.js).
 */
(function (SB) {
  "use strict";

  var M = SB.model;
  var S = SB.suspend;
  var T = SB.tracking;
  var Q = SB.questions;
  var h = SB.h;
  var t = SB.t;

  var announcer = null;

  /** Say `text` through the polite live region (cleared first so a repeat is heard again). */
  SB.announce = function (text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  };

  var notices = {}; // id -> text: persistent notices, kept across shell rebuilds
  var noticeArea = null;

  function showNotices() {
    if (!noticeArea) return;
    noticeArea.textContent = "";
    Object.keys(notices).forEach(function (id) {
      noticeArea.appendChild(h("p", { class: "sb-notice", id: "sb-notice-" + id, role: "alert", tabindex: "0",
        text: notices[id] }));
    });
    noticeArea.hidden = !Object.keys(notices).length;
  }

  /** A persistent accessible notice `text` (one per `id`; "" removes it), also before the shell exists. */
  SB.notice = function (id, text) {
    if (text) notices[id] = String(text);
    else delete notices[id];
    showNotices();
  };

  SB.notice.area = function (el) {
    noticeArea = el;
    showNotices();
  };

  function newSeed() {
    try {
      var buffer = new Uint32Array(1);
      window.crypto.getRandomValues(buffer);
      return buffer[0] & 0xffffff;
    } catch (e) {
      return Math.floor(Math.random() * 0x1000000);
    }
  }

  /** Make a page's own headings follow its h1: the first level becomes h2. */
  function shiftHeadings(container) {
    var headings = container.querySelectorAll("h1, h2, h3, h4, h5, h6");
    if (!headings.length) return;
    var top = 6;
    Array.prototype.forEach.call(headings, function (el) { top = Math.min(top, Number(el.tagName.charAt(1))); });
    var shift = 2 - top;
    if (!shift) return;
    Array.prototype.forEach.call(headings, function (el) {
      var level = Math.max(2, Math.min(6, Number(el.tagName.charAt(1)) + shift));
      var replacement = document.createElement("h" + level);
      Array.prototype.forEach.call(el.attributes, function (a) { replacement.setAttribute(a.name, a.value); });
      while (el.firstChild) replacement.appendChild(el.firstChild);
      el.parentNode.replaceChild(replacement, el);
    });
  }

  /** Wide tables scroll inside a focusable region instead of widening the page. */
  function wrapTables(container) {
    Array.prototype.forEach.call(container.querySelectorAll("table"), function (table) {
      var wrap = h("div", { class: "sb-table-wrap", tabindex: "0", role: "region", "aria-label": t("table") });
      table.parentNode.replaceChild(wrap, table);
      wrap.appendChild(table);
    });
  }

  function Player(data, root) {
    this.data = data;
    this.root = root;
    this.layout = M.layout(data);
    this.tracker = null;
    this.state = null;
    this.current = 0;
    this.mastery = data.completion.masteryScore;
    this.objectiveScores = null;
    this.ended = false;
    this.shownAt = {};
    this.attemptAt = 0; // when the current final attempt was first shown
    this.syncState = "ok";
  }
  var P = Player.prototype;

  P.start = function (tracker) {
    var self = this;
    this.tracker = tracker;
    return tracker.start().catch(function () { return { ok: false }; }).then(function (info) {
      if (!info.ok) {
        // the LMS refused to start a session: run the course without saving rather than not at all
        SB.notice("not-recorded", t("notRecorded"));
        return self.start(T.adapters.preview.create(self.data, null));
      }
      self.info = info;
      self.limits = tracker.limits;
      if (tracker.missing) SB.notice("not-saved", t("notSaved"));
      tracker.onStatus = function (state) { self.showSync(state); };
      if (info.masteryScore !== null && info.masteryScore !== undefined) self.mastery = info.masteryScore;
      self.state = S.decode(self.data, self.layout, info.suspendData) || S.empty(self.layout, newSeed());
      if (self.state.final.phase === 2) {
        var f = self.state.final;
        self.objectiveScores = M.score(M.draw(self.layout.final, self.state.seed, f.attempts - 1), f.answers).objectives;
      }
      var index = self.screenIndex(info.location);
      self.notify({ type: "restored", status: self.status() });
      self.buildShell();
      self.listen();
      self.show(index >= 0 ? index : 0, true);
      if (window.performance && performance.mark) performance.mark("scorm-builder:ready");
      document.documentElement.setAttribute("data-sb-ready", "true");
    });
  };

  P.screenIndex = function (id) {
    var screens = this.layout.screens;
    for (var i = 0; i < screens.length; i++) if (screens[i].id === id) return i;
    return -1;
  };

  // ---- the shell: header, contents, main, pager, live region ----

  P.buildShell = function () {
    var self = this;
    var data = this.data;
    var root = this.root;
    root.textContent = "";
    root.appendChild(h("a", { class: "sb-skip", href: "#sb-main", text: t("skipToContent"),
      onclick: function (e) { e.preventDefault(); self.focusTitle(); } }));

    this.tocToggle = h("button", { type: "button", class: "sb-button sb-toc-toggle", "aria-expanded": "false",
      "aria-controls": "sb-toc", text: t("showContents"), onclick: function () { self.toggleToc(); } });
    this.exitButton = h("button", { type: "button", class: "sb-button sb-exit", text: t("exit"),
      onclick: function () { self.exit(); } });
    this.progressText = h("p", { class: "sb-progress-text", id: "sb-progress-text" });
    this.progressFill = h("span", { class: "sb-progress-fill" });
    root.appendChild(h("header", { class: "sb-topbar" }, [
      h("div", { class: "sb-topbar-row" }, [
        h("p", { class: "sb-course-title", text: data.course.title }),
        h("div", { class: "sb-topbar-actions" }, [this.tocToggle, this.exitButton])
      ]),
      h("div", { class: "sb-progress" }, [
        this.progressText,
        h("div", { class: "sb-progress-bar", "aria-hidden": "true" }, [this.progressFill])
      ]),
      this.notices = h("div", { class: "sb-notices" })
    ]));
    SB.notice.area(this.notices);

    this.toc = h("nav", { class: "sb-toc", id: "sb-toc", "aria-label": t("contents") });
    this.tocLinks = [];
    var lessons = h("ol", { class: "sb-toc-lessons" });
    var bySection = {};
    this.layout.screens.forEach(function (screen, index) {
      var link = h("a", { class: "sb-toc-link", href: "#" + screen.id,
        onclick: function (e) { e.preventDefault(); self.go(index); self.closeToc(); } });
      self.tocLinks.push(link);
      var item = h("li", { class: "sb-toc-item sb-toc-" + screen.kind }, [link]);
      if (screen.lesson < 0) {
        lessons.appendChild(h("li", { class: "sb-toc-lesson sb-toc-lesson-final" }, [h("ol", { class: "sb-toc-pages" }, [item])]));
        return;
      }
      var list = bySection[screen.lesson];
      if (!list) {
        var lesson = data.lessons[screen.lesson];
        list = bySection[screen.lesson] = h("ol", { class: "sb-toc-pages" });
        var counter = h("span", { class: "sb-toc-count" });
        (self.tocCounters = self.tocCounters || {})[screen.lesson] = counter;
        lessons.appendChild(h("li", { class: "sb-toc-lesson" }, [
          h("p", { class: "sb-toc-lesson-title" }, [(screen.lesson + 1) + ". " + lesson.title, " ", counter]),
          list
        ]));
      }
      list.appendChild(item);
    });
    this.toc.appendChild(lessons);
    this.toc.appendChild(h("p", { class: "sb-toc-rule" }, [h("strong", { text: t("completionRule") }), " ",
      data.completion.text]));

    this.screen = h("div", { class: "sb-screen" });
    this.prevButton = h("button", { type: "button", class: "sb-button sb-prev", text: t("previous"),
      onclick: function () { self.go(self.current - 1); } });
    this.nextButton = h("button", { type: "button", class: "sb-button sb-primary sb-next", text: t("next"),
      onclick: function () { self.go(self.current + 1); } });
    this.pager = h("nav", { class: "sb-pager", "aria-label": t("pages") }, [this.prevButton, this.nextButton]);
    this.main = h("main", { class: "sb-main", id: "sb-main" }, [this.screen, this.pager]);
    root.appendChild(h("div", { class: "sb-layout" }, [this.toc, this.main]));

    var footer = h("footer", { class: "sb-footer" });
    if (!this.tracker.saves && !this.tracker.missing) footer.appendChild(h("p", { class: "sb-preview-note", text: t("preview") }));
    this.syncNote = h("p", { class: "sb-preview-note sb-sync-note", role: "status" });
    footer.appendChild(this.syncNote);
    this.showSync(this.syncState);
    root.appendChild(footer);
    announcer = h("div", { class: "sb-vh", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    root.appendChild(announcer);
  };

  /** The discreet delivery note (xAPI): nothing while all is well. */
  P.showSync = function (state) {
    this.syncState = state;
    if (state === "refused") SB.notice("not-recorded", t("notRecorded"));
    if (!this.syncNote) return;
    var key = state === "offline" ? "syncOffline" : state === "refused" ? "syncRefused" : "";
    this.syncNote.textContent = key ? t(key) : "";
    this.syncNote.hidden = !key;
  };

  /** Tell the tracker what happened, when it wants to know (see tracking.js). */
  P.notify = function (event) {
    if (!this.ended && this.tracker && this.tracker.event) this.tracker.event(event);
  };

  P.lessonDone = function (li) {
    var self = this;
    return this.layout.pages.every(function (page, pi) { return page.lesson !== li || self.state.viewed[pi]; });
  };

  P.toggleToc = function () {
    var open = this.tocToggle.getAttribute("aria-expanded") !== "true";
    this.tocToggle.setAttribute("aria-expanded", String(open));
    this.root.classList.toggle("sb-toc-open", open);
    if (open) {
      var current = this.tocLinks[this.current];
      if (current) current.focus();
    }
  };

  P.closeToc = function () {
    this.tocToggle.setAttribute("aria-expanded", "false");
    this.root.classList.remove("sb-toc-open");
  };

  P.listen = function () {
    var self = this;
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") self.save();
    });
    window.addEventListener("pagehide", function () { self.finish("unload"); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && self.root.classList.contains("sb-toc-open")) {
        self.closeToc();
        self.tocToggle.focus();
      }
    });
  };

  // ---- navigation ----

  P.go = function (index) {
    if (this.ended || index < 0 || index >= this.layout.screens.length) return;
    this.show(index, false);
  };

  P.show = function (index, initial) {
    this.current = index;
    var screen = this.layout.screens[index];
    if (screen.kind === "page") {
      var lessonDone = this.lessonDone(screen.lesson);
      this.state.viewed[screen.page] = true;
      var lesson = this.data.lessons[screen.lesson].id;
      this.notify({ type: "page", page: screen.id, lesson: lesson });
      if (!lessonDone && this.lessonDone(screen.lesson)) this.notify({ type: "lesson", lesson: lesson });
    }
    this.render();
    if (!initial) {
      window.scrollTo(0, 0);
      this.focusTitle();
    }
    this.save();
  };

  P.render = function () {
    var screen = this.layout.screens[this.current];
    this.screen.textContent = "";
    this.screen.className = "sb-screen sb-screen-" + screen.kind;
    if (screen.kind === "page") this.renderPage(screen);
    else if (screen.kind === "check") this.renderCheck(screen);
    else this.renderFinal(screen);
    document.title = screen.title + " – " + this.data.course.title;
    this.prevButton.hidden = this.current === 0;
    this.nextButton.hidden = this.current === this.layout.screens.length - 1;
    this.updateProgress();
  };

  P.focusTitle = function () {
    var title = this.screen.querySelector("h1");
    if (title) title.focus();
  };

  P.title = function (text) {
    return h("h1", { class: "sb-title", tabindex: "-1", text: text });
  };

  P.kicker = function (screen, extra) {
    var lesson = this.data.lessons[screen.lesson];
    var text = lesson.labelled ? lesson.title : t("lessonLabel", { n: screen.lesson + 1, title: lesson.title });
    return h("p", { class: "sb-kicker", text: extra ? text + " · " + extra : text });
  };

  P.renderPage = function (screen) {
    var lesson = this.data.lessons[screen.lesson];
    this.screen.appendChild(this.kicker(screen, t("pageOf", { n: screen.pageInLesson + 1, total: lesson.pages.length })));
    this.screen.appendChild(this.title(screen.title));
    var content = h("div", { class: "sb-content", html: screen.data.html });
    shiftHeadings(content);
    wrapTables(content);
    this.screen.appendChild(content);
  };

  // ---- progress and the completion contract ----

  P.pagesDone = function () {
    return this.state.viewed.every(Boolean);
  };

  P.checkDone = function (ci) {
    var answers = this.state.checks[ci];
    return !!answers && answers.every(function (a) { return a !== null; });
  };

  /** completion, success, score, progress and finished, by the course's completion rule. */
  P.status = function () {
    var data = this.data;
    var f = this.state.final;
    var rule = data.final ? data.completion.rule : "all-pages";
    var pages = this.pagesDone();
    var passed = f.outcome === 1;
    var failed = f.outcome === 2;
    var completion = "incomplete";
    var success = "unknown";
    if (rule === "all-pages") {
      completion = pages ? "completed" : "incomplete";
    } else if (rule === "assessment") {
      completion = passed || failed ? "completed" : "incomplete";
      success = passed ? "passed" : failed ? "failed" : "unknown";
    } else {
      completion = pages && (passed || failed) ? "completed" : "incomplete";
      success = failed ? "failed" : passed && pages ? "passed" : "unknown";
    }
    var viewed = this.state.viewed.filter(Boolean).length;
    var steps = this.layout.pages.length + (data.final ? 1 : 0);
    var done = viewed + (passed || failed ? 1 : 0);
    var progress = completion === "completed" ? 1 : Math.min(0.99, steps ? done / steps : 0);
    return {
      completion: completion,
      success: success,
      score: data.final && f.attempts > 0 ? T.reportedScore(f, data.completion.score) : null,
      progress: Math.floor(progress * 100) / 100,
      finished: completion === "completed"
    };
  };

  P.objectives = function () {
    var self = this;
    var data = this.data;
    return data.objectives.map(function (o) {
      var pagesDone = true;
      var any = false;
      data.lessons.forEach(function (lesson, li) {
        if (lesson.objectives.indexOf(o.id) < 0) return;
        any = true;
        self.layout.pages.forEach(function (page, pi) {
          if (page.lesson === li && !self.state.viewed[pi]) pagesDone = false;
        });
      });
      if (!any) pagesDone = self.pagesDone();
      var score = self.objectiveScores ? self.objectiveScores[o.id] : undefined;
      return {
        id: o.id,
        completion: pagesDone ? "completed" : "incomplete",
        success: score === undefined ? "unknown" : score >= self.mastery ? "passed" : "failed",
        score: score === undefined ? null : score
      };
    });
  };

  P.snapshot = function () {
    var status = this.status();
    status.location = this.layout.screens[this.current].id;
    status.suspendData = S.encode(this.data, this.layout, this.state, this.limits.suspend);
    status.objectives = this.objectives();
    return status;
  };

  P.save = function () {
    if (!this.ended && this.state) this.tracker.save(this.snapshot());
  };

  P.updateProgress = function () {
    var self = this;
    var viewed = this.state.viewed.filter(Boolean).length;
    var total = this.layout.pages.length;
    this.progressText.textContent = t("progress", { done: viewed, total: total });
    this.progressFill.style.width = (total ? Math.round((viewed / total) * 100) : 0) + "%";
    var f = this.state.final;
    this.layout.screens.forEach(function (screen, index) {
      var link = self.tocLinks[index];
      var done = false;
      var label = screen.title;
      var mark = "";
      if (screen.kind === "page") {
        done = self.state.viewed[screen.page];
        mark = done ? t("viewed") : t("notViewed");
      } else if (screen.kind === "check") {
        done = self.checkDone(screen.check);
        label = screen.assessment.labelled ? screen.title : t("knowledgeCheck", { title: screen.title });
        mark = done ? t("done") : "";
      } else {
        done = f.outcome === 1;
        mark = f.outcome === 1 ? t("passedMark") : f.outcome === 2 ? t("failedMark") : "";
      }
      link.textContent = "";
      link.appendChild(h("span", { class: "sb-toc-mark" + (done ? " sb-done" : ""), "aria-hidden": "true",
        text: done ? "✓" : "" }));
      link.appendChild(h("span", { class: "sb-toc-label", text: label }));
      if (mark) link.appendChild(h("span", { class: "sb-vh", text: " " + mark }));
      if (index === self.current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    Object.keys(this.tocCounters || {}).forEach(function (li) {
      var pages = self.layout.pages.filter(function (p) { return p.lesson === Number(li); });
      var seen = pages.filter(function (p) { return self.state.viewed[self.layout.pages.indexOf(p)]; }).length;
      self.tocCounters[li].textContent = t("lessonProgress", { done: seen, total: pages.length });
    });
  };

  // ---- answers to tracker records ----

  P.record = function (q, value, final, latency) {
    var type, response, correct;
    switch (q.type) {
      case "single-choice":
      case "multiple-response":
        type = "choice";
        response = (q.type === "single-choice" ? [value] : value).map(function (i) { return q.options[i].id; });
        correct = q.options.filter(function (o) { return o.correct; }).map(function (o) { return o.id; });
        break;
      case "true-false":
        type = "true-false";
        response = value;
        correct = q.answer;
        break;
      case "matching":
        type = "matching";
        response = q.pairs.map(function (p, i) { return [p.id, q.targets[value[i]].id]; });
        correct = q.pairs.map(function (p) { return [p.id, p.target]; });
        break;
      case "ordering":
        type = "sequencing";
        response = value.map(function (i) { return q.items[i].id; });
        correct = q.items.map(function (item) { return item.id; });
        break;
      case "fill-in":
        type = "fill-in";
        response = value;
        correct = q.accepted;
        break;
      default:
        type = "long-fill-in";
        response = value;
        correct = null;
    }
    this.tracker.record({
      id: q.id, type: type, objective: q.objective || null,
      weight: final && M.isGraded(q) ? q.weight : 0,
      response: response, correct: correct, caseSensitive: !!q.caseSensitive,
      result: M.grade(q, value), latency: Math.max(0, latency || 0), time: new Date(),
      attempt: final ? this.state.final.attempts : 0,
      description: M.plainText(q.promptHtml)
    });
  };

  P.latency = function (uid) {
    return this.shownAt[uid] ? Date.now() - this.shownAt[uid] : 0;
  };

  P.question = function (q, options) {
    options.limits = this.limits;
    if (!this.shownAt[options.uid]) this.shownAt[options.uid] = Date.now();
    return Q.create(q, options);
  };

  // ---- knowledge checks: immediate feedback, never scored ----

  P.renderCheck = function (screen) {
    var self = this;
    var a = screen.assessment;
    var ci = screen.check;
    var drawn = M.draw(a, this.state.seed, 0);
    this.screen.appendChild(this.kicker(screen, t("knowledgeCheckLabel")));
    this.screen.appendChild(this.title(a.title));
    if (a.introHtml) this.screen.appendChild(h("div", { class: "sb-content sb-intro", html: a.introHtml }));
    drawn.forEach(function (q, i) {
      var saved = self.state.checks[ci] ? self.state.checks[ci][i] : null;
      var uid = "sb-" + a.id + "-" + i;
      var ctl = self.question(q, { uid: uid, number: i + 1, total: drawn.length, level: 2, value: saved,
        arrangement: M.arrange(q, self.state.seed, a.id, 0) });
      self.screen.appendChild(ctl.el);
      if (saved !== null) {
        ctl.lock();
        ctl.showFeedback(M.grade(q, saved), true);
        ctl.actions.appendChild(h("p", { class: "sb-checked", text: t("checked") }));
        return;
      }
      var button = h("button", { type: "button", class: "sb-button sb-primary sb-check", text: t("check") });
      button.addEventListener("click", function () {
        if (ctl.locked || self.ended) return;
        var value = ctl.value();
        if (!M.isAnswered(q, value)) {
          ctl.message(t("answerFirst"));
          SB.announce(t("answerFirst"));
          ctl.focus();
          return;
        }
        ctl.message("");
        var answers = self.state.checks[ci] || (self.state.checks[ci] = drawn.map(function () { return null; }));
        answers[i] = value;
        ctl.lock();
        ctl.showFeedback(M.grade(q, value), true);
        button.setAttribute("aria-disabled", "true");
        button.textContent = t("checked");
        self.record(q, value, false, self.latency(uid));
        self.save();
        self.updateProgress();
        SB.announce(Q.feedbackText(ctl));
      });
      ctl.actions.appendChild(button);
    });
  };

  // ---- the final assessment: submit, score, pass/fail, review, retry ----

  P.attemptsAllowed = function () {
    return this.data.completion.attempts; // 0: unlimited
  };

  P.renderFinal = function (screen) {
    if (this.state.final.phase === 2) this.renderResults(screen);
    else this.renderAttempt(screen);
  };

  P.attemptLine = function (n) {
    var allowed = this.attemptsAllowed();
    return allowed ? t("attemptOf", { n: n, total: allowed }) : t("attemptN", { n: n });
  };

  P.renderAttempt = function (screen) {
    var self = this;
    var a = screen.assessment;
    var f = this.state.final;
    var attempt = f.attempts;
    var drawn = M.draw(a, this.state.seed, attempt);
    var answers = f.phase === 1 && f.answers ? f.answers : drawn.map(function () { return null; });
    if (!this.attemptAt) this.attemptAt = Date.now();
    this.screen.appendChild(h("p", { class: "sb-kicker", text: this.attemptLine(attempt + 1) }));
    this.screen.appendChild(this.title(a.title));
    if (a.introHtml) this.screen.appendChild(h("div", { class: "sb-content sb-intro", html: a.introHtml }));
    this.screen.appendChild(h("p", { class: "sb-hint", text: t("passMark", { mastery: this.mastery }) + " " + t("startFinal") }));
    var controls = drawn.map(function (q, i) {
      var uid = "sb-" + a.id + "-" + attempt + "-" + i;
      var ctl = self.question(q, { uid: uid, number: i + 1, total: drawn.length, level: 2, value: answers[i],
        arrangement: M.arrange(q, self.state.seed, a.id, attempt),
        onChange: function (value, commit) {
          if (self.ended) return;
          answers[i] = value;
          ctl.answeredAt = Date.now();
          if (!f.answers || f.phase !== 1) {
            f.answers = answers;
            f.phase = 1;
          }
          if (commit) self.save();
        } });
      self.screen.appendChild(ctl.el);
      return ctl;
    });
    var error = h("p", { class: "sb-error", role: "alert" });
    var submit = h("button", { type: "button", class: "sb-button sb-primary sb-submit", text: t("submit") });
    submit.addEventListener("click", function () {
      if (self.ended) return;
      var values = controls.map(function (c) { return c.value(); });
      var missing = drawn.filter(function (q, i) { return !M.isAnswered(q, values[i]); }).length;
      if (missing) {
        error.textContent = t("unanswered", { n: missing });
        var first = controls.filter(function (c, i) { return !M.isAnswered(drawn[i], values[i]); })[0];
        first.focus();
        return;
      }
      self.submitAttempt(drawn, values, controls);
    });
    this.screen.appendChild(h("div", { class: "sb-submit-row" }, [submit, error]));
  };

  P.submitAttempt = function (drawn, values, controls) {
    var self = this;
    var f = this.state.final;
    var result = M.score(drawn, values);
    f.attempts += 1;
    f.lastScore = result.score;
    f.bestScore = f.bestScore === null || f.bestScore === undefined ? result.score : Math.max(f.bestScore, result.score);
    f.answers = values;
    f.phase = 2;
    var allowed = this.attemptsAllowed();
    f.outcome = result.score >= this.mastery ? 1 : allowed && f.attempts >= allowed ? 2 : 0;
    this.objectiveScores = result.objectives;
    drawn.forEach(function (q, i) {
      var ctl = controls[i];
      var latency = ctl.answeredAt ? ctl.answeredAt - self.shownAt[ctl.uid] : self.latency(ctl.uid);
      self.record(q, values[i], true, latency);
    });
    this.notify({ type: "attempt", assessment: this.layout.final.id, attempt: f.attempts, score: result.score,
      passed: f.outcome === 1, duration: this.attemptAt ? Date.now() - this.attemptAt : 0 });
    this.attemptAt = 0;
    this.render();
    this.save();
    window.scrollTo(0, 0);
    this.focusTitle();
    SB.announce(this.resultSummary());
  };

  P.resultSummary = function () {
    var f = this.state.final;
    var parts = [t("yourScore", { score: f.lastScore }), t("passMark", { mastery: this.mastery }),
      t(f.outcome === 1 ? "passed" : "failed")];
    if (f.outcome !== 1) parts.push(this.attemptsText());
    return parts.join(" ");
  };

  P.attemptsText = function () {
    var f = this.state.final;
    var allowed = this.attemptsAllowed();
    if (f.outcome === 2) return t("noAttemptsLeft");
    return allowed ? t("attemptsLeft", { n: allowed - f.attempts }) : t("canRetry");
  };

  P.renderResults = function (screen) {
    var self = this;
    var a = screen.assessment;
    var f = this.state.final;
    var attempt = f.attempts - 1;
    var drawn = M.draw(a, this.state.seed, attempt);
    var finished = f.outcome !== 0;
    var status = this.status();
    this.screen.appendChild(h("p", { class: "sb-kicker", text: this.attemptLine(f.attempts) }));
    this.screen.appendChild(this.title(t("resultsTitle", { title: a.title })));
    var box = h("div", { class: "sb-result " + (f.outcome === 1 ? "sb-is-correct" : "sb-is-incorrect") }, [
      h("p", { class: "sb-score" }, [h("strong", { text: t("yourScore", { score: f.lastScore }) }), " " +
        t("passMark", { mastery: this.mastery })]),
      h("p", { class: "sb-verdict" }, [h("strong", { text: t(f.outcome === 1 ? "passed" : "failed") })])
    ]);
    if (f.outcome !== 1) box.appendChild(h("p", { text: this.attemptsText() }));
    if (status.completion === "completed") box.appendChild(h("p", { text: t("courseComplete") }));
    else if (f.outcome === 1 && !this.pagesDone()) box.appendChild(h("p", { text: t("viewAllPages") }));
    this.screen.appendChild(box);
    this.alertUnrecorded();
    if (f.outcome === 0) {
      this.screen.appendChild(h("div", { class: "sb-actions" }, [
        h("button", { type: "button", class: "sb-button sb-primary sb-retry", text: t("tryAgain"),
          onclick: function () { self.retry(); } })
      ]));
    }
    this.screen.appendChild(h("h2", { class: "sb-review-title", text: t("review") }));
    drawn.forEach(function (q, i) {
      var ctl = self.question(q, { uid: "sb-" + a.id + "-r" + attempt + "-" + i, number: i + 1, total: drawn.length,
        level: 3, value: f.answers[i], arrangement: M.arrange(q, self.state.seed, a.id, attempt) });
      ctl.lock();
      ctl.showFeedback(M.grade(q, f.answers[i]), finished);
      self.screen.appendChild(ctl.el);
    });
  };

  P.retry = function () {
    if (this.ended) return;
    var f = this.state.final;
    f.phase = 0;
    f.answers = null;
    this.render();
    this.save();
    window.scrollTo(0, 0);
    this.focusTitle();
  };

  // ---- ending the session ----

  P.finish = function (reason) {
    if (this.ended || !this.tracker) return;
    var snapshot = this.state ? this.snapshot() : null;
    this.ended = true;
    this.tracker.finish(snapshot, reason || "exit");
  };

  /** The "not recorded" alert again (results, exit). */
  P.alertUnrecorded = function () {
    if (this.syncState === "refused") SB.notice("not-recorded", t("notRecorded"));
  };

  P.exit = function () {
    if (this.ended) return;
    this.finish("exit");
    this.closeToc();
    this.screen.textContent = "";
    this.screen.className = "sb-screen sb-screen-exit";
    this.screen.appendChild(this.title(t("exitTitle")));
    var said = this.tracker.saves ? "exitSaved" : this.tracker.missing ? "exitNotSaved" : "exitPreview";
    this.screen.appendChild(h("p", { text: t(said) }));
    this.alertUnrecorded();
    this.pager.hidden = true;
    this.toc.hidden = true;
    this.tocToggle.hidden = true;
    this.exitButton.hidden = true;
    document.title = t("exitTitle") + " – " + this.data.course.title;
    this.focusTitle();
  };

  // ---- boot ----

  SB.Player = Player;

  SB.boot = function () {
    var data = window.SCORM_BUILDER_COURSE;
    var root = document.getElementById("sb-app");
    if (!data || !root) return null;
    SB.useLanguage(data.course.language);
    var player = SB.player = new Player(data, root);
    SB.ready = T.connect(data).then(function (tracker) { return player.start(tracker); });
    return player;
  };

  SB.boot();
})(window.ScormBuilder = window.ScormBuilder || {});
