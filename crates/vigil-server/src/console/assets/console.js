// Vigil console: the few things a page cannot do without script. Every page
// works without it; with it, the hit queue updates live and uploads show
// their progress. Values are written with textContent, never as HTML.
"use strict";

// The hit queue: new hits arrive over server-sent events and are put on top.
function liveQueue() {
  const body = document.getElementById("queue");
  const status = document.querySelector("[data-live=hits]");
  if (!body || body.dataset.live !== "on" || !window.EventSource) return;
  const after = encodeURIComponent(body.dataset.after || "0");
  const source = new EventSource(`/console/hits/stream?after=${after}`);
  let arrived = 0;
  source.addEventListener("hit", (event) => {
    const hit = JSON.parse(event.data);
    if (body.querySelector(`tr[data-seq="${Number(hit.seq)}"]`)) return;
    const row = document.createElement("tr");
    row.className = "is-new";
    row.dataset.seq = String(hit.seq);
    const t = hit.traveller || {};
    const name = [].concat(t.names || [], [t.surname, t.given_names].filter(Boolean).join(" ")).filter(Boolean).join(" / ");
    const flight = hit.context && hit.context.flight
      ? [hit.context.flight.carrier, hit.context.flight.flight, hit.context.flight.arrival_time || hit.context.flight.departure_time].filter(Boolean).join(" ")
      : "—";
    const cells = [
      [String(hit.created_at).replace("T", " ").slice(0, 19) + " UTC", `/console/hits/${encodeURIComponent(hit.id)}`],
      [name + (t.birth_date ? ` (born ${t.birth_date})` : "")],
      [flight],
      [hit.reference, `/console/records/${encodeURIComponent(hit.record)}`],
      [hit.screening_agency],
      [`${Math.round(hit.score * 100)} %`],
      ["new"],
    ];
    for (const [text, href] of cells) {
      const td = document.createElement("td");
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = text;
        td.appendChild(a);
      } else {
        td.textContent = text;
        td.dir = "auto";
      }
      row.appendChild(td);
    }
    const decide = document.createElement("td");
    decide.appendChild(decisionForm(hit.id, body.dataset.csrf));
    row.appendChild(decide);
    body.insertBefore(row, body.firstChild);
    const empty = document.querySelector("p.empty");
    if (empty) empty.hidden = true;
    arrived += 1;
    if (status) status.textContent = `Live: ${arrived} new hit(s) since this page opened.`;
  });
  source.onerror = () => {
    if (status) status.textContent = "Live updates interrupted; reconnecting…";
  };
}

// The same decision form the server renders for a hit in the queue.
function decisionForm(id, csrf) {
  const form = document.createElement("form");
  form.className = "decision";
  form.method = "post";
  form.action = `/console/hits/${encodeURIComponent(id)}/decision`;
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrf";
  token.value = csrf || "";
  const statusLabel = document.createElement("label");
  statusLabel.htmlFor = `status-${id}`;
  statusLabel.textContent = "Decision";
  const status = document.createElement("select");
  status.id = `status-${id}`;
  status.name = "status";
  for (const [value, text] of [["confirmed", "confirmed"], ["false_positive", "false positive"], ["action_taken", "action taken"]]) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = text;
    status.appendChild(option);
  }
  const noteLabel = document.createElement("label");
  noteLabel.htmlFor = `note-${id}`;
  noteLabel.textContent = "Note";
  const note = document.createElement("input");
  note.id = `note-${id}`;
  note.name = "note";
  note.maxLength = 2000;
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Decide";
  form.append(token, statusLabel, status, noteLabel, note, button);
  return form;
}

// Uploads (a flight, a list file): a progress bar while the file travels,
// then the server's answer page.
function uploads() {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const bar = form.querySelector("progress.upload");
      const status = form.querySelector(".upload-status");
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.onprogress = (e) => {
        if (!e.lengthComputable || !bar) return;
        bar.hidden = false;
        bar.value = Math.round((e.loaded / e.total) * 100);
        if (status) status.textContent = `Uploading… ${bar.value} %`;
      };
      request.upload.onload = () => {
        if (bar) bar.removeAttribute("value");
        if (status) status.textContent = "Uploaded; working on it…";
      };
      // The answer (the flight's page after the redirect, or the page
      // naming what was wrong) replaces this one, parsed as a document:
      // nothing is written as markup, no script of it runs, and the page
      // is fetched once.
      request.onload = () => {
        const type = request.getResponseHeader("content-type") || "";
        if (type.startsWith("text/html")) {
          const answer = new DOMParser().parseFromString(request.responseText, "text/html");
          document.replaceChild(document.adoptNode(answer.documentElement), document.documentElement);
          if (request.status < 400 && request.responseURL) {
            history.pushState(null, "", request.responseURL);
          }
        } else if (status) {
          status.textContent = request.responseText || `The upload failed (${request.status}).`;
        }
      };
      request.onerror = () => {
        if (status) status.textContent = "The upload failed: check the connection and try again.";
      };
      request.send(new FormData(form));
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  liveQueue();
  uploads();
});
