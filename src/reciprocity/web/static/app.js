// Reciprocity's own browser code: upload progress and focus after a fragment arrives.
// Served from /static (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // Upload progress: htmx re-fires the request's progress events as htmx:xhr:progress.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest ? event.target.closest("#import-form") : null;
    if (!form || !event.detail.lengthComputable || !event.detail.total) { return; }
    var bar = document.getElementById("upload-progress");
    var label = document.getElementById("upload-label");
    var percent = document.getElementById("upload-percent");
    var done = Math.round((100 * event.detail.loaded) / event.detail.total);
    bar.value = done;
    percent.textContent = done + "%";
    if (done >= 100) { label.textContent = "Reading the messages…"; }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.id !== "import-form") { return; }
    var bar = document.getElementById("upload-progress");
    bar.value = 0;
    document.getElementById("upload-label").textContent = "Sending the file…";
    document.getElementById("upload-percent").textContent = "";
  });

  // A button with data-focus="#id" moves keyboard focus to what it loaded, so the
  // person who pressed it lands on the new content instead of hunting for it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var source = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    var selector = source && source.getAttribute ? source.getAttribute("data-focus") : null;
    if (selector) {
      var target = document.querySelector(selector);
      if (target) { target.focus(); }
    }
    if (event.detail.target && event.detail.target.id === "coaching") {
      event.detail.target.focus();
    }
  });
})();
