/* A test LMS page: scorm-again as the runtime, the package in an iframe, every call recorded.
 *
 * Query: standard=scorm12|scorm2004, pkg=<index.html URL>, delay=<ms before the API appears; -1: never>,
 * window=1 to open the package in a new window instead of the iframe.
 * Before load a test may set window.LMS_PRELOAD (CMI JSON an LMS restores on relaunch).
 * Read back: lmsCalls (method, args, result, error), lmsLog (scorm-again messages), lmsState().
 */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var standard = params.get("standard");
  var calls = window.lmsCalls = [];
  var log = window.lmsLog = [];
  var settings = {
    autocommit: false,
    lmsCommitUrl: false,
    logLevel: 3, // WARN and ERROR reach onLogMessage
    onLogMessage: function (level, message) { log.push({ level: Number(level), message: String(message) }); }
  };
  var api = standard === "scorm12" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  if (window.LMS_PRELOAD) api.loadFromJSON(window.LMS_PRELOAD);

  var methods = standard === "scorm12"
    ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
       "LMSGetErrorString", "LMSGetDiagnostic"]
    : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString", "GetDiagnostic"];
  var lastError = api[methods[5]].bind(api);
  methods.forEach(function (name) {
    var original = api[name].bind(api);
    api[name] = function () {
      var args = Array.prototype.slice.call(arguments).map(String);
      var result = original.apply(null, arguments);
      calls.push({ method: name, args: args, result: String(result), error: String(lastError()), t: Date.now() });
      return result;
    };
  });

  window.lmsApi = api;
  window.lmsState = function () {
    return JSON.parse(JSON.stringify(api.renderCommitCMI(true)));
  };
  var name = standard === "scorm12" ? "API" : "API_1484_11";
  var delay = Number(params.get("delay") || 0);
  if (delay > 0) window.setTimeout(function () { window[name] = api; }, delay);
  else if (delay === 0) window[name] = api;
  // delay < 0: the API never appears (an LMS whose runtime failed to load)

  document.addEventListener("DOMContentLoaded", function () {
    // window=1: the LMS opens the package in a new window (the content finds the API through its opener)
    if (params.get("window") === "1") window.open(params.get("pkg"), "sco");
    else document.getElementById("sco").src = params.get("pkg");
  });
})();
