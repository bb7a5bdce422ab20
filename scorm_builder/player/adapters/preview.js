/* Preview adapter: no LMS. The course runs in full; nothing is stored, and the player says so.
 * The last snapshot and the answers stay in memory (`tracker.snapshot`, `tracker.answers`). */
(function (SB) {
  "use strict";

  function Tracker(data) {
    this.name = "preview";
    this.saves = false;
    this.limits = SB.limitsFor(data.standard);
    this.snapshot = null;
    this.answers = [];
    this.ended = false;
  }
  var P = Tracker.prototype;

  P.start = function () {
    return Promise.resolve({ ok: true, resumed: false, location: "", suspendData: "", masteryScore: null, mode: "normal" });
  };
  P.save = function (snapshot) { if (!this.ended) this.snapshot = snapshot; };
  P.record = function (answer) { if (!this.ended) this.answers.push(answer); };
  P.finish = function (snapshot) {
    if (this.ended) return;
    if (snapshot) this.snapshot = snapshot;
    this.ended = true;
  };

  SB.tracking.register("preview", { create: function (data) { return new Tracker(data); } });
})(window.ScormBuilder = window.ScormBuilder || {});
