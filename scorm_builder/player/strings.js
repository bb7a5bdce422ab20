/* Every string the player shows, in one table per language.
 *
 * To translate: copy the `en` block under a new BCP 47 primary tag (`es`, `fr`, ...) and translate
 * the values. `{name}` is replaced by a value; an object value is chosen by plural category
 * (Intl.PluralRules: zero, one, two, few, many, other). Missing keys fall back to English.
 */
(function (SB) {
  "use strict";

  SB.strings = {
    en: {
      skipToContent: "Skip to content",
      contents: "Contents",
      showContents: "Contents",
      exit: "Exit",
      previous: "Previous",
      next: "Next",
      loading: "Loading the course…",
      progress: "{done} of {total} pages viewed",
      lessonLabel: "Lesson {n}: {title}",
      pageOf: "Page {n} of {total}",
      viewed: "(viewed)",
      notViewed: "(not viewed)",
      done: "(done)",
      passedMark: "(passed)",
      failedMark: "(not passed)",
      knowledgeCheck: "Knowledge check: {title}",
      knowledgeCheckLabel: "Knowledge check",
      questionOf: "Question {n} of {total}",
      chooseOne: "Choose one answer.",
      chooseAll: "Choose all answers that apply.",
      trueLabel: "True",
      falseLabel: "False",
      matchHint: "Choose the match for each item.",
      matchChoose: "Choose a match",
      orderHint: "Put the items in the right order with the Move up and Move down buttons.",
      moveUp: "Move up",
      moveDown: "Move down",
      moved: "{item}: moved to position {n} of {total}.",
      yourAnswer: "Your answer",
      yourReflection: "Your reflection",
      maxChars: "Up to {max} characters.",
      reflectionHint: "There is no right or wrong answer. Your answer is recorded but not scored.",
      check: "Check answer",
      checked: "Answer checked",
      answerFirst: "Answer the question first.",
      verdictCorrect: "Correct.",
      verdictIncorrect: "Not quite.",
      verdictRecorded: "Thank you: your answer has been recorded.",
      correctAnswerIs: "Correct answer:",
      yourAnswerWas: "Your answer:",
      noAnswer: "no answer",
      answerNotKept: "your answer could not be kept",
      optionChosen: "(your choice)",
      optionCorrect: "(correct answer)",
      submit: "Submit answers",
      unanswered: {
        one: "1 question is not answered yet. Answer it, then submit.",
        other: "{n} questions are not answered yet. Answer them, then submit."
      },
      resultsTitle: "{title}: results",
      yourScore: "Your score: {score}%.",
      passMark: "Pass mark: {mastery}%.",
      passed: "You passed.",
      failed: "You did not pass.",
      attemptOf: "Attempt {n} of {total}.",
      attemptN: "Attempt {n}.",
      attemptsLeft: {
        one: "You have 1 more attempt.",
        other: "You have {n} more attempts."
      },
      noAttemptsLeft: "You have no attempts left.",
      tryAgain: "Try again",
      review: "Review your answers",
      resultCorrect: "Correct",
      resultIncorrect: "Incorrect",
      resultRecorded: "Recorded (not scored)",
      courseComplete: "You have completed the course.",
      completionRule: "How to complete this course:",
      preview: "Preview: progress is not saved",
      notSaved: "Your progress is not being saved: the course could not connect to your learning platform. Close the course and open it again, or tell your training contact.",
      syncOffline: "Your progress is kept on this device and will be sent when the connection is back.",
      syncRefused: "Some of your progress could not be recorded. It is kept on this device; please tell your training contact.",
      notRecorded: "Your progress could not be recorded: your learning platform refused it. What you did here may not count. Please tell your training contact.",
      exitTitle: "Session ended",
      exitSaved: "Your progress has been saved. You can close this window.",
      exitNotSaved: "The course could not connect to your learning platform, so your progress was not saved. You can close this window.",
      exitPreview: "This was a preview, so your progress was not saved. You can close this window.",
      startFinal: "The questions are below. Submit your answers when you have answered them all.",
      lessonProgress: "{done} of {total} viewed",
      canRetry: "You can try again.",
      viewAllPages: "To complete the course, also view every page (see Contents).",
      pages: "Pages",
      table: "Table"
    }
  };

  var table = SB.strings.en;
  var plural = null;

  /** Use the strings for `language` (a BCP 47 tag), falling back to English key by key. */
  SB.useLanguage = function (language) {
    var primary = String(language || "en").toLowerCase().split("-")[0];
    var chosen = SB.strings[String(language || "").toLowerCase()] || SB.strings[primary] || {};
    table = Object.assign({}, SB.strings.en, chosen);
    try { plural = new Intl.PluralRules(language || "en"); } catch (e) { plural = null; }
  };

  /** The string `key` with `{name}` placeholders filled from `params`. */
  SB.t = function (key, params) {
    var value = table[key];
    if (value === undefined) return key;
    if (typeof value === "object") {
      var n = params && typeof params.n === "number" ? params.n : 0;
      var category = plural ? plural.select(n) : (n === 1 ? "one" : "other");
      value = value[category] !== undefined ? value[category] : value.other;
    }
    return String(value).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && params[name] !== undefined ? String(params[name]) : whole;
    });
  };
})(window.ScormBuilder = window.ScormBuilder || {});
