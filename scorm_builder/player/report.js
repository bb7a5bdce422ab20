/* Reporting choices of the course (completion.report_as, completion.interaction_ids) that the SCORM
 * adapters apply to what they send. Pure functions; see docs/authoring.md "Reporting options". */
(function (SB) {
  "use strict";

  /** "passed-incomplete" -> {pass: "passed", fail: "incomplete"}; the default is "passed-failed". */
  function words(mode) {
    var parts = String(mode || "passed-failed").split("-");
    return { pass: parts[0] || "passed", fail: parts[1] || "failed" };
  }

  /** SCORM 1.2 cmi.core.lesson_status: "passed" becomes the first word, "failed" the second. */
  function lessonStatus(mode, status) {
    var w = words(mode);
    if (status === "passed") return w.pass;
    if (status === "failed") return w.fail;
    return status;
  }

  /** SCORM 2004 {completion, success, progress} for a snapshot. On pass: success "passed", or
   * "unknown" when the first word is "completed". On final fail: with "incomplete" as the second
   * word the completion stays incomplete (and progress below 1, so no LMS derives completion from
   * it); success is "failed" unless the pair is completed-incomplete (then "unknown"). */
  function pair(mode, snapshot) {
    var w = words(mode);
    var out = { completion: snapshot.completion, success: snapshot.success, progress: snapshot.progress };
    if (snapshot.success === "passed" && w.pass === "completed") out.success = "unknown";
    if (snapshot.success === "failed" && w.fail === "incomplete") {
      out.completion = "incomplete";
      out.progress = Math.min(snapshot.progress, 0.99);
      if (w.pass === "completed") out.success = "unknown";
    }
    return out;
  }

  /** cmi.interactions.n.id: the question id, or with the attempt ("q1-a2") when ids are per attempt. */
  function interactionId(mode, id, attempt) {
    return mode === "per-attempt" && attempt > 0 ? id + "-a" + attempt : id;
  }

  SB.report = { lessonStatus: lessonStatus, pair: pair, interactionId: interactionId };
})(window.ScormBuilder = window.ScormBuilder || {});
