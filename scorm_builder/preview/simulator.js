/* A small LMS simulator for authors: it stores what the course sets and shows it live.
   It is not a conformance runtime (the tests use scorm-again for that). */
(function () {
  "use strict";
  var STORE = "scorm-builder-preview";
  var frame = document.getElementById("course");
  var generation = null;
  var standard = null;
  var data = {};
  var state = "idle";  // idle -> running -> done
  var lastError = "0";

  var SUMMARY = {
    scorm12: ["cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.lesson_location", "cmi.core.exit",
              "cmi.core.session_time", "cmi.suspend_data"],
    scorm2004: ["cmi.completion_status", "cmi.success_status", "cmi.score.scaled", "cmi.score.raw",
                "cmi.progress_measure", "cmi.location", "cmi.exit", "cmi.session_time", "cmi.suspend_data"]
  };

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE + ":" + standard)) || {}; } catch (e) { return {}; }
  }
  function save() { sessionStorage.setItem(STORE + ":" + standard, JSON.stringify(data)); }

  function log(call, args, result, error) {
    var item = document.createElement("li");
    item.textContent = call + "(" + args.map(function (a) { return JSON.stringify(a); }).join(", ") + ") = " +
      JSON.stringify(result) + (error && error !== "0" ? "  [error " + error + "]" : "");
    if (error && error !== "0") item.className = "error";
    var calls = document.getElementById("calls");
    calls.insertBefore(item, calls.firstChild);
    while (calls.children.length > 200) calls.removeChild(calls.lastChild);
  }

  function show() {
    var summary = document.getElementById("summary");
    summary.textContent = "";
    (SUMMARY[standard] || []).forEach(function (key) {
      var dt = document.createElement("dt"); dt.textContent = key.replace(/^cmi\.(core\.)?/, "");
      var dd = document.createElement("dd");
      var value = data[key] === undefined ? "(not set)" : String(data[key]);
      dd.textContent = key.indexOf("suspend_data") >= 0 && data[key] !== undefined ?
        value.length + " characters" : value;
      summary.appendChild(dt); summary.appendChild(dd);
    });
    var body = document.getElementById("values");
    body.textContent = "";
    Object.keys(data).sort().forEach(function (key) {
      var row = body.insertRow();
      row.insertCell().textContent = key;
      row.insertCell().textContent = data[key];
    });
  }

  function count(prefix) {
    var n = 0;
    while (data[prefix + n + ".id"] !== undefined) n++;
    return String(n);
  }

  function get(element) {
    if (/\._count$/.test(element)) return count(element.replace(/_count$/, ""));
    if (element === "cmi.core.student_id" || element === "cmi.learner_id") return "preview-learner";
    if (element === "cmi.core.student_name" || element === "cmi.learner_name") return "Learner, Preview";
    if (element === "cmi.core.lesson_mode" || element === "cmi.mode") return "normal";
    if (element === "cmi.core.credit" || element === "cmi.credit") return "credit";
    if (data[element] !== undefined) return String(data[element]);
    lastError = standard === "scorm12" ? "0" : "403";
    return "";
  }

  function api(names) {
    var api = {};
    function wrap(name, fn) {
      api[name] = function () {
        var args = Array.prototype.slice.call(arguments);
        lastError = "0";
        var result = fn.apply(null, args);
        if (name.indexOf("GetLastError") < 0 && name.indexOf("GetErrorString") < 0 &&
            name.indexOf("GetDiagnostic") < 0) { log(name, args, result, lastError); show(); }
        return result;
      };
    }
    wrap(names.init, function () {
      if (state === "running") { lastError = standard === "scorm12" ? "101" : "103"; return "false"; }
      state = "running";
      return "true";
    });
    wrap(names.finish, function () {
      if (state !== "running") { lastError = standard === "scorm12" ? "301" : "112"; return "false"; }
      state = "done"; save(); return "true";
    });
    wrap(names.get, function (element) {
      if (state !== "running") { lastError = standard === "scorm12" ? "301" : "122"; return ""; }
      return get(element);
    });
    wrap(names.set, function (element, value) {
      if (state !== "running") { lastError = standard === "scorm12" ? "301" : "132"; return "false"; }
      data[element] = String(value); return "true";
    });
    wrap(names.commit, function () { save(); return "true"; });
    wrap(names.error, function () { return lastError; });
    wrap(names.errorString, function (code) { return "error " + code; });
    wrap(names.diagnostic, function (code) { return "error " + code; });
    return api;
  }

  function launch() {
    // Unload the running course first, so it finishes (and saves) against the current data.
    frame.onload = function () { frame.onload = null; start(); };
    frame.src = "about:blank";
  }

  function start() {
    data = load();
    var suspended = data["cmi.core.exit"] === "suspend" || data["cmi.exit"] === "suspend";
    if (standard === "scorm12") data["cmi.core.entry"] = suspended ? "resume" : "ab-initio";
    else data["cmi.entry"] = suspended ? "resume" : "ab-initio";
    delete data["cmi.core.exit"]; delete data["cmi.exit"];
    state = "idle";
    frame.src = "/course/index.html?generation=" + generation;
    show();
  }

  function install() {
    window.API = standard === "scorm12" ? api({ init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue",
      set: "LMSSetValue", commit: "LMSCommit", error: "LMSGetLastError", errorString: "LMSGetErrorString",
      diagnostic: "LMSGetDiagnostic" }) : undefined;
    window.API_1484_11 = standard === "scorm2004" ? api({ init: "Initialize", finish: "Terminate",
      get: "GetValue", set: "SetValue", commit: "Commit", error: "GetLastError", errorString: "GetErrorString",
      diagnostic: "GetDiagnostic" }) : undefined;
  }

  function poll() {
    fetch("/__status", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (status) {
      var box = document.getElementById("problems");
      var errors = status.problems.filter(function (p) { return p.indexOf(": warning: ") < 0; });
      box.hidden = errors.length === 0;
      box.textContent = errors.length ? "The source has problems; showing the last good build.\n" +
        errors.join("\n") : "";
      if (status.generation !== generation) {
        generation = status.generation;
        if (standard !== status.standard) {
          standard = status.standard;
          document.getElementById("standard").textContent = "(" + standard + ")";
          install();
        }
        launch();
      }
    }).catch(function () { /* server stopped: keep showing what we have */ });
  }

  document.getElementById("relaunch").addEventListener("click", function () { save(); launch(); });
  document.getElementById("reset").addEventListener("click", function () {
    sessionStorage.removeItem(STORE + ":" + standard); launch();
  });
  poll();
  setInterval(poll, 1000);
}());
