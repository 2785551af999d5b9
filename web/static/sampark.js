// Sampark's own script: progressive enhancement only; every page works without it.
"use strict";

(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // POST from script with the CSRF header (the server refuses unsafe requests without it).
  window.sampark = {
    post: function (url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken() },
        body: body,
      });
    },
  };

  // Search as you type: ask the list's partial endpoint and swap the results in.
  function liveSearch(input) {
    var form = input.form;
    var results = document.getElementById(input.getAttribute("aria-controls"));
    if (!form || !results) return;
    var timer = null;
    var latest = 0;
    function refresh() {
      var params = new URLSearchParams(new FormData(form));
      var asked = ++latest;
      fetch(input.dataset.liveSearch + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          if (response.redirected || (!response.ok && response.status !== 400)) {
            throw new Error("search failed");
          }
          return response.text();
        })
        .then(function (html) {
          if (asked !== latest) return; // an older answer arriving late
          results.innerHTML = html;
          history.replaceState(null, "", form.getAttribute("action") + "?" + params.toString());
        })
        .catch(function () { /* the plain form still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-live-search]").forEach(liveSearch);
    // After a refused form, take keyboard and screen-reader users to the list of problems.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
