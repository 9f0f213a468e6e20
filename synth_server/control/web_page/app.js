// synth-server controller page: the same messages as OSC, over one WebSocket (docs/web.md).
// No build step, no library: plain DOM, canvas and pointer events.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { pad: [0.5, 0.5], dragging: false, model: "", manifold: "", descriptor: "",
                presets: new Set(), sliders: [0.5, 0.5, 0.5, 0.5], notes: new Map() };
let socket = null;
let renew = null;

// -- connection ------------------------------------------------------------------------------
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws${location.search}`);
  socket.onopen = () => {
    $("connection").textContent = "connected";
    $("connection").className = "status on";
    send("/subscribe", 20);
    renew = setInterval(() => send("/subscribe", 20), 4000);  // the lease lasts 10 s
    ["/model/list", "/manifold/list", "/descriptor/list", "/preset/list", "/state"].forEach((a) => send(a));
  };
  socket.onclose = () => {
    $("connection").textContent = "disconnected (retrying)";
    $("connection").className = "status off";
    clearInterval(renew);
    setTimeout(connect, 1000);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    const handler = replies[message.address];
    if (handler) handler(...message.args);
  };
}

function send(address, ...args) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ address, args }));
}

function say(text, isError) {
  const line = document.createElement("div");
  line.textContent = text;
  if (isError) line.className = "error";
  const box = $("messages");
  box.prepend(line);
  while (box.childNodes.length > 4) box.lastChild.remove();
}

function fill(select, names, keep) {
  const current = keep ?? select.value;
  select.replaceChildren(...names.map((n) => new Option(n, n)));
  if (names.includes(current)) select.value = current;
}

// -- replies from the server -----------------------------------------------------------------
const replies = {
  "/state/model": (name) => {
    if (name !== state.model) {
      state.model = name;
      $("model-state").textContent = `model ${name}`;
      if ($("model").value !== name && [...$("model").options].some((o) => o.value === name)) $("model").value = name;
      send("/manifold/list"); send("/descriptor/list");
      showHeatmap();
    }
  },
  "/state/pad": (x, y) => { if (!state.dragging) { state.pad = [x, y]; drawPad(); } },
  "/state/manifold": (name) => {
    if (name !== state.manifold) { state.manifold = name; $("manifold").value = name; showHeatmap(); }
  },
  "/state/sliders": (...values) => {
    if (values.length >= 4) values.slice(0, 4).forEach((v, i) => setSlider(i, v));
  },
  "/state/gain": (g) => { if (document.activeElement !== $("gain")) $("gain").value = g; },
  "/state/underruns": (n) => { $("underruns").textContent = `underruns ${n}`; },
  "/state/latency_ms": (median, p99) => {
    $("latency").textContent = median > 0 ? `latency ${median.toFixed(1)} ms (p99 ${p99.toFixed(1)})` : "";
  },
  "/state/level_db": (db) => { $("level").value = Math.max(-60, db ?? -60); },
  "/state/voices": (n) => { $("voices").textContent = n ? `${n} voice${n > 1 ? "s" : ""}` : ""; },
  "/model/list": (...names) => fill($("model"), names, state.model),
  "/manifold/list": (...names) => fill($("manifold"), names, state.manifold),
  "/descriptor/list": (...names) => {
    fill($("descriptor"), ["", ...names]);
    $("descriptor").options[0].textContent = "none";
  },
  "/manifold/selected": (name) => { state.manifold = name; showHeatmap(); },
  "/model/loaded": (name, dim, ms) => say(`model ${name} loaded (${dim} dims, ${Math.round(ms)} ms)`),
  "/preset/stored": (name) => { addPresets([name]); say(`preset ${name} stored`); },
  "/preset/list": (...names) => addPresets(names),
  "/error": (address, reason) => {
    if (address.startsWith("/note") || address === "/pitchbend" || address === "/sustain") {
      $("notes-note").textContent = reason;
    } else {
      say(`${address}: ${reason}`, true);
    }
  },
};

// -- pad ----------------------------------------------------------------------------------------
const pad = $("pad");
function drawPad() {
  const ctx = pad.getContext("2d");
  const w = pad.width, h = pad.height;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = "rgba(255,255,255,0.12)";
  for (let i = 1; i < 4; i++) {
    ctx.beginPath(); ctx.moveTo((i * w) / 4, 0); ctx.lineTo((i * w) / 4, h); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(0, (i * h) / 4); ctx.lineTo(w, (i * h) / 4); ctx.stroke();
  }
  const [x, y] = state.pad;
  ctx.fillStyle = "#5ec4ff";
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 3;
  ctx.beginPath(); ctx.arc(x * w, (1 - y) * h, 14, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
}
let padPending = null;
function padAt(event) {
  const r = pad.getBoundingClientRect();
  const x = Math.min(1, Math.max(0, (event.clientX - r.left) / r.width));
  const y = Math.min(1, Math.max(0, 1 - (event.clientY - r.top) / r.height));
  state.pad = [x, y];
  drawPad();
  if (padPending === null) {  // at most one /pad per frame
    padPending = requestAnimationFrame(() => { padPending = null; send("/pad", ...state.pad); });
  }
}
pad.addEventListener("pointerdown", (e) => { state.dragging = true; pad.setPointerCapture(e.pointerId); padAt(e); });
pad.addEventListener("pointermove", (e) => { if (state.dragging) padAt(e); });
const release = () => { state.dragging = false; };
pad.addEventListener("pointerup", release);
pad.addEventListener("pointercancel", release);

function showHeatmap() {
  const d = $("descriptor").value;
  state.descriptor = d;
  pad.style.backgroundImage = d
    ? `url("heatmap.png?descriptor=${encodeURIComponent(d)}&m=${encodeURIComponent(state.manifold)}&model=${encodeURIComponent(state.model)}")`
    : "none";
}

// -- menus, sliders, gain, presets ----------------------------------------------------------------
$("model").addEventListener("change", (e) => send("/model/load", e.target.value));
$("manifold").addEventListener("change", (e) => send("/manifold/select", e.target.value));
$("descriptor").addEventListener("change", showHeatmap);
$("gain").addEventListener("input", (e) => send("/gain", Number(e.target.value)));
$("random").addEventListener("click", () => send("/random", Number($("temperature").value)));

function setSlider(i, v) {
  const input = $("sliders").children[i]?.querySelector("input");
  if (input && document.activeElement !== input) input.value = v;
}
for (let i = 0; i < 4; i++) {
  const label = document.createElement("label");
  label.textContent = `axis ${i + 1}`;
  const input = Object.assign(document.createElement("input"), { type: "range", min: 0, max: 1, step: 0.005, value: 0.5 });
  input.addEventListener("input", () => send("/slider", i, Number(input.value)));
  label.append(input);
  $("sliders").append(label);
}

function addPresets(names) {
  names.forEach((n) => state.presets.add(n));
  const all = [...state.presets].sort();
  fill($("preset-a"), all);
  fill($("preset-b"), all);
}
$("store").addEventListener("click", () => {
  const name = $("preset-name").value.trim();
  if (name) send("/preset/store", name);
});
$("recall").addEventListener("click", () => { if ($("preset-a").value) send("/preset/recall", $("preset-a").value); });
$("interp").addEventListener("input", (e) => {
  const a = $("preset-a").value, b = $("preset-b").value;
  if (a && b) send("/interp", a, b, Number(e.target.value));
});

// -- keyboard (multi-touch) and Web MIDI ------------------------------------------------------------
const LOWEST = 48, OCTAVES = window.innerWidth < 500 ? 1 : 2;
function buildKeyboard() {
  const board = $("keyboard");
  const whites = [0, 2, 4, 5, 7, 9, 11];
  const nWhite = 7 * OCTAVES + 1;
  const width = 100 / nWhite;
  let w = 0;
  for (let p = LOWEST; p <= LOWEST + 12 * OCTAVES; p++) {
    const key = document.createElement("div");
    key.dataset.pitch = p;
    if (whites.includes((p - LOWEST) % 12)) {
      key.className = "key white";
      key.style.left = `${w * width}%`;
      key.style.width = `${width}%`;
      w++;
    } else {
      key.className = "key black";
      key.style.left = `${(w - 0.3) * width}%`;
      key.style.width = `${0.6 * width}%`;
    }
    board.append(key);
  }
}
function keyAt(event) {
  const el = document.elementFromPoint(event.clientX, event.clientY);
  return el && el.classList.contains("key") ? el : null;
}
function velocityOf(key, event) {  // lower on the key = louder, as on a piano
  const r = key.getBoundingClientRect();
  return Math.round(40 + 87 * Math.min(1, Math.max(0, (event.clientY - r.top) / r.height)));
}
function press(pointer, key, event) {
  const held = state.notes.get(pointer);
  if (held === key) return;
  if (held) { held.classList.remove("down"); send("/note/off", Number(held.dataset.pitch)); }
  state.notes.delete(pointer);
  if (key) {
    key.classList.add("down");
    state.notes.set(pointer, key);
    send("/note/on", Number(key.dataset.pitch), velocityOf(key, event));
  }
}
const board = $("keyboard");
board.addEventListener("pointerdown", (e) => { board.setPointerCapture(e.pointerId); press(e.pointerId, keyAt(e), e); e.preventDefault(); });
board.addEventListener("pointermove", (e) => { if (state.notes.has(e.pointerId)) press(e.pointerId, keyAt(e), e); });
["pointerup", "pointercancel"].forEach((t) => board.addEventListener(t, (e) => press(e.pointerId, null, e)));
buildKeyboard();

if (navigator.requestMIDIAccess) {
  navigator.requestMIDIAccess().then((access) => {
    const listen = (input) => { input.onmidimessage = onMidi; };
    access.inputs.forEach(listen);
    access.onstatechange = (e) => { if (e.port.type === "input" && e.port.state === "connected") listen(e.port); };
    if (access.inputs.size) say(`MIDI: ${[...access.inputs.values()].map((i) => i.name).join(", ")}`);
  }, () => {});
}
function onMidi(event) {
  const [status, a, b] = event.data;
  const kind = status & 0xf0;
  if (kind === 0x90 && b > 0) send("/note/on", a, b);
  else if (kind === 0x80 || kind === 0x90) send("/note/off", a);
  else if (kind === 0xe0) send("/pitchbend", (((b << 7) | a) - 8192) / 8192 * 2);
  else if (kind === 0xb0 && a === 64) send("/sustain", b >= 64 ? 1 : 0);
  else if (kind === 0xb0 && a === 123) send("/note/all_off");
}

drawPad();
connect();
