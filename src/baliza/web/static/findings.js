// Decisions on findings without leaving the page: the form is posted with fetch, the finding shows its new
// decision and a status message confirms it. Without JavaScript the form posts and comes back to its place.
(function () {
  "use strict";
  var status = document.getElementById("decision-status");
  document.querySelectorAll("form.decide").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      var data = new FormData(form);
      if (button && button.name) { data.set(button.name, button.value); }
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        })
        .then(function (answer) {
          var article = form.closest("article");
          if (!answer.ok) { throw new Error(answer.body.detail || "refused"); }
          var decision = article.querySelector(".decision");
          decision.textContent = answer.body.text;
          decision.hidden = false;
          article.className = "finding decided-" + answer.body.decision + " just-decided";
          status.textContent = answer.body.message;
          status.hidden = false;
          status.classList.remove("error");
        })
        .catch(function (error) {
          status.textContent = String(error.message || error);
          status.hidden = false;
          status.classList.add("error");
        })
        .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
    });
  });
})();
