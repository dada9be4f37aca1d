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

  // Say so at once when a file is over the limit, instead of sending it for the server to
  // refuse (it stops reading at the limit, which a browser may show as a broken connection).
  function say(text) {
    var result = document.getElementById("result");
    var box = document.createElement("div");
    box.className = "problem";
    box.setAttribute("role", "alert");
    box.textContent = text;
    result.replaceChildren(box);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.id !== "import-form") { return; }
    var input = document.getElementById("export");
    var limit = Number(event.target.getAttribute("data-max-bytes"));
    var file = input && input.files && input.files[0];
    if (file && limit && file.size > limit) {
      event.preventDefault();
      say("The file is larger than " + event.target.getAttribute("data-max-mb") +
          " MB; export the chat without media and try again.");
      return;
    }
    var bar = document.getElementById("upload-progress");
    bar.value = 0;
    document.getElementById("upload-label").textContent = "Sending the file…";
    document.getElementById("upload-percent").textContent = "";
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (event.target.id !== "import-form") { return; }
    say("The connection broke off while the file was being sent. Reload the page and try again.");
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
