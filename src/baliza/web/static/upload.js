// The upload page: send each chosen file (with its progress), ask for the load, follow it to its report.
"use strict";
(function () {
  const form = document.getElementById("upload");
  if (!form) return;
  const texts = document.getElementById("texts").dataset;
  const csrf = (document.querySelector('input[name="csrf_token"]') || {}).value || "";
  const bar = document.getElementById("bar");
  const status = document.getElementById("status");
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));

  function say(text) { status.textContent = text; }
  function fail(text) {
    const error = document.getElementById("error");
    error.textContent = text; error.hidden = false;
    document.getElementById("send").disabled = false;
  }
  async function call(method, url, body, headers) {
    const answer = await fetch(url, {method, body, headers: {"X-CSRF-Token": csrf, ...(headers || {})},
                                     credentials: "same-origin"});
    const data = answer.headers.get("content-type", "").includes("json") ? await answer.json() : {};
    if (!answer.ok) throw new Error(typeof data.detail === "string" ? data.detail : answer.statusText);
    return data;
  }
  function send(url, file, done, total) {  // XHR: fetch cannot report upload progress
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.onprogress = (e) => { bar.value = 100 * (done + e.loaded) / total; };
      xhr.onload = () => {
        if (xhr.status < 300) resolve();
        else { let detail = xhr.statusText; try { detail = JSON.parse(xhr.responseText).detail; } catch (e) {} reject(new Error(detail)); }
      };
      xhr.onerror = () => reject(new Error(xhr.statusText || "network error"));
      xhr.send(file);
    });
  }
  function report(upload) {
    const body = document.getElementById("tables");
    body.replaceChildren();
    let accepted = 0, quarantined = 0;
    for (const [name, t] of Object.entries(upload.report.tables)) {
      const row = document.createElement("tr");
      for (const value of [name, t.rows, t.accepted, t.quarantined, t.inserted, t.replaced, t.unchanged]) {
        const cell = document.createElement("td");
        cell.textContent = typeof value === "number" ? value.toLocaleString() : value;
        if (typeof value === "number") cell.className = "num";
        row.append(cell);
      }
      body.append(row);
      accepted += t.accepted; quarantined += t.quarantined;
    }
    const warnings = document.getElementById("warnings");
    warnings.replaceChildren(...upload.report.warnings.map((w) => { const li = document.createElement("li"); li.textContent = w; return li; }));
    if (quarantined) {
      document.getElementById("quarantine-link").href = `/api/uploads/${upload.upload_id}/quarantine.csv`;
      document.getElementById("quarantine").hidden = false;
    }
    document.getElementById("result").hidden = false;
    say(fill(texts.done, {accepted: accepted.toLocaleString(), quarantined: quarantined.toLocaleString()}));
  }
  async function follow(id) {
    for (;;) {
      const upload = await call("GET", `/api/uploads/${id}`);
      if (upload.state === "failed") { fail(upload.error); say(""); return; }
      if (upload.state === "done") { bar.value = 100; report(upload); return; }
      if (upload.state === "loading" && upload.total) bar.value = 100 * upload.done / upload.total;
      say(upload.state === "waiting" ? fill(texts.waiting, {holder: upload.waiting_for})
        : upload.state === "loading" ? fill(texts.loading, {step: upload.step})
        : upload.state === "computing" ? texts.computing : texts.queued);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    document.getElementById("error").hidden = true;
    const files = [...document.getElementById("files").files, ...document.getElementById("folder").files];
    if (!files.length) { fail(texts.none); return; }
    const total = files.reduce((n, f) => n + f.size, 0);
    if (total > Number(form.dataset.maxBytes)) { fail(texts.tooLarge); return; }
    document.getElementById("send").disabled = true;
    document.getElementById("progress").hidden = false;
    try {
      const {upload_id: id} = await call("POST", "/api/uploads");
      let done = 0;
      for (const file of files) {
        say(fill(texts.sending, {name: file.name}));
        await send(`/api/uploads/${id}/files/${encodeURIComponent(file.name)}`, file, done, total);
        done += file.size;
      }
      bar.value = 0;
      await call("POST", `/api/uploads/${id}/load`);
      await follow(id);
    } catch (error) { fail(error.message); }
  });
})();
