// The playground page: one person's Telegram, drawn from the sandbox's user side.
"use strict";

const state = {
  setup: null,
  lang: localStorage.getItem("play.lang") || "zh",
  role: localStorage.getItem("play.role") || "resident",
  chatId: null,
  replyTo: null,
  dismissedForce: new Set(),
  lastChat: "",
  generation: null,
};
const $ = (id) => document.getElementById(id);

function t(key, values) {
  const ui = state.setup ? state.setup.ui[state.lang] || {} : {};
  let text = ui[key] || key;
  for (const [name, value] of Object.entries(values || {})) text = text.split(`{${name}}`).join(value);
  return text;
}

function person() {
  const people = state.setup.people;
  return people.find((p) => p.role === state.role) || people[0];
}

async function api(path, body) {
  const sep = path.includes("?") ? "&" : "?";
  const url = `${path}${sep}lang=${state.lang}`;
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// ---- text with Telegram entities (offsets are UTF-16, like JavaScript strings) ----------

const STYLE = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote",
};

function renderText(text, entities) {
  const cuts = new Set([0, text.length]);
  for (const e of entities) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].filter((p) => p <= text.length).sort((a, b) => a - b);
  const out = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const active = entities.filter((e) => e.offset <= start && e.offset + e.length >= end);
    let node = document.createTextNode(text.slice(start, end));
    for (const e of active) {
      if (STYLE[e.type]) node = el(STYLE[e.type], {}, node);
      else if (e.type === "spoiler") node = el("span", { class: "spoiler" }, node);
      else if (e.type === "text_link" || e.type === "url") {
        const href = e.type === "url" ? text.slice(e.offset, e.offset + e.length) : e.url;
        node = el("a", { href, onclick: (ev) => { ev.preventDefault(); openUrl(href); } }, node);
      } else if (e.type === "bot_command") {
        const command = text.slice(e.offset, e.offset + e.length);
        node = el("span", { class: "cmd", onclick: () => send(command) }, node);
      }
    }
    out.append(node);
  }
  return out;
}

// ---- chat list ---------------------------------------------------------------------------

function initial(title) { return (title || "?").trim().charAt(0); }

function recordingMark(r) {
  const icon = { voice: "🎤", audio: "🎵", video_note: "📹" }[r.kind] || "🎤";
  return `${icon} ${Math.floor(r.duration / 60)}:${String(r.duration % 60).padStart(2, "0")}`;
}

function preview(m) {
  if (!m) return "";
  if (m.service) return serviceText(m.service);
  const who = m.from.is_bot || m.from.id === person().id ? "" : `${m.from.name}: `;
  if (m.text) return who + m.text.split("\n")[0];
  if (m.photo) return `${who}[${t("photo")}]`;
  if (m.document) return `${who}${m.document.name}`;
  if (m.location) return `${who}[${t("location")}]`;
  if (m.recording) return `${who}[${recordingMark(m.recording)}]`;
  return "";
}

async function refreshChats() {
  const me = person();
  const chats = await api(`/play/chats?user=${me.id}`);
  const list = $("chats");
  list.replaceChildren(...chats.map((chat) => {
    const isBot = chat.type === "private";
    const item = el("li", { "data-chat-id": chat.id, onclick: () => openChat(chat.id) },
      el("div", { class: `avatar${isBot ? " bot" : ""}` }, initial(chat.title)),
      el("div", { class: "chat-item-text" },
        el("div", { class: "chat-item-title" }, chat.title),
        el("div", { class: "chat-item-preview" }, preview(chat.last))));
    if (chat.id === state.chatId) item.classList.add("active");
    return item;
  }));
}

// ---- one chat ------------------------------------------------------------------------------

function openChat(chatId) {
  state.chatId = chatId;
  state.replyTo = null;
  state.lastChat = "";
  document.body.classList.add("in-chat");
  hidePopups();
  refreshChat();
  refreshChats();
}

function closeChat() {
  document.body.classList.remove("in-chat");
  state.chatId = null;
  refreshChats();
}

// The chat list; on a desktop the first chat opens beside it, as the pane is always shown.
async function showChats() {
  document.body.classList.remove("in-chat");
  state.chatId = null;
  await refreshChats();
  if (window.matchMedia("(min-width: 761px)").matches) {
    const first = document.querySelector("#chats li");
    if (first) openChat(Number(first.dataset.chatId));
  }
}

function timeOf(date) {
  const d = new Date(date * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function serviceText(service) {
  const names = service.names.join(", ");
  const key = { joined: "joined", left: "left", pinned: "pinned_service", migrated: "migrated" }[service.kind];
  return t(key, { names });
}

function renderMessage(m, me, isGroup) {
  if (m.service) return el("div", { class: "service", "data-message-id": m.id }, serviceText(m.service));
  const mine = m.from.id === me.id;
  const bubble = el("div", { class: "bubble" });
  if (isGroup && !mine) {
    bubble.append(el("div", { class: `sender${m.from.is_bot ? " bot" : ""}` }, m.from.name));
  }
  if (m.reply_to) {
    bubble.append(el("div", { class: "quote", onclick: () => flash(m.reply_to.id) },
      el("b", {}, m.reply_to.name), el("div", {}, m.reply_to.text || "…")));
  }
  if (m.photo) {
    const src = `/play/file/${m.photo}`;
    bubble.append(el("img", { class: "photo", src, alt: "photo", onclick: () => window.open(src) }));
  }
  if (m.document) {
    bubble.append(el("a", { class: "doc", href: `/play/file/${m.document.file_id}`, download: m.document.name },
      el("span", { class: "icon" }, "⬇"),
      el("span", {}, el("div", { class: "name" }, m.document.name), el("div", { class: "dl" }, t("download")))));
  }
  if (m.location) {
    bubble.append(el("div", { class: "loc" }, `📍 ${m.location.latitude.toFixed(5)}, ${m.location.longitude.toFixed(5)}`));
  }
  if (m.recording) bubble.append(el("div", { class: "loc" }, recordingMark(m.recording)));
  if (m.text) bubble.append(el("div", { class: "body" }, renderText(m.text, m.entities)));
  if (m.buttons.length) {
    bubble.append(el("div", { class: "keyboard" }, ...m.buttons.map((row) => el("div", { class: "row" },
      ...row.map((b) => el("button", {
        type: "button",
        class: b.url ? "url" : "",
        onclick: (ev) => (b.url ? openUrl(b.url) : press(m.id, b.data, ev.currentTarget)),
      }, b.text))))));
  }
  const meta = el("div", { class: "meta" },
    el("button", { type: "button", class: "reply-btn", title: t("reply_to"), onclick: () => setReply(m) }, "↩"),
    m.edited ? `${t("edited")} ` : "", timeOf(m.date));
  bubble.append(meta);
  return el("div", { class: `msg${mine ? " mine" : ""}`, "data-message-id": m.id }, bubble);
}

async function refreshChat() {
  if (state.chatId === null) return;
  const me = person();
  const chatId = state.chatId;
  const view = await api(`/play/chat?user=${me.id}&chat=${chatId}`);
  if (chatId !== state.chatId) return;
  const key = JSON.stringify(view);
  if (key === state.lastChat) return;
  state.lastChat = key;
  const isGroup = view.type !== "private";
  $("chat-title").textContent = view.title;
  $("chat-sub").textContent = isGroup ? t("members", { count: view.members }) : t("bot");
  $("chat-avatar").textContent = initial(view.title);
  $("chat-avatar").className = `avatar${isGroup ? "" : " bot"}`;
  const pinned = view.pinned;
  $("pinned").hidden = !pinned;
  if (pinned) {
    $("pinned-text").textContent = (pinned.text || "").split("\n")[0];
    $("pinned").onclick = () => flash(pinned.id);
  }
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.replaceChildren(...view.messages.map((m) => renderMessage(m, me, isGroup)));
  if (!view.messages.length) box.append(el("div", { class: "empty" }, t("empty")));
  if (atBottom || !box.dataset.seen) box.scrollTop = box.scrollHeight;
  box.dataset.seen = "1";
  state.commands = view.commands;
  renderReplyKeyboard(view.keyboard);
  const force = view.force_reply;
  if (force && !state.dismissedForce.has(`${chatId}:${force.message_id}`)) {
    const target = view.messages.find((m) => m.id === force.message_id);
    if (target && (!state.replyTo || state.replyTo.id !== target.id)) setReply(target, force.placeholder);
  }
}

function renderReplyKeyboard(rows) {
  const box = $("reply-keyboard");
  box.hidden = !rows;
  if (!rows) return;
  box.replaceChildren(...rows.map((row) => el("div", { class: "row" }, ...row.map((b) => el("button", {
    type: "button",
    onclick: () => (b.location ? showPlaces() : send(b.text)),
  }, b.text)))));
}

function flash(messageId) {
  const node = document.querySelector(`#messages [data-message-id="${messageId}"]`);
  if (!node) return;
  node.scrollIntoView({ block: "center" });
  node.classList.add("flash");
  setTimeout(() => node.classList.remove("flash"), 1200);
}

function setReply(message, placeholder) {
  state.replyTo = { id: message.id, name: message.from.name, text: message.text };
  $("reply-name").textContent = message.from.name;
  $("reply-text").textContent = (message.text || "").split("\n")[0];
  $("reply-bar").hidden = false;
  $("text").placeholder = placeholder || t("message");
  $("text").focus();
}

function clearReply(dismiss) {
  if (dismiss && state.replyTo) state.dismissedForce.add(`${state.chatId}:${state.replyTo.id}`);
  state.replyTo = null;
  $("reply-bar").hidden = true;
  $("text").placeholder = t("message");
}

// ---- acting ----------------------------------------------------------------------------------

async function send(text) {
  if (!text.trim() || state.chatId === null) return;
  const body = { user: person().id, chat: state.chatId, text };
  if (state.replyTo) body.reply_to = state.replyTo.id;
  clearReply(false);
  hidePopups();
  await api("/play/send", body);
  refreshSoon();
}

async function press(messageId, data, button) {
  button.disabled = true;
  try {
    const { answer } = await api("/play/press", { user: person().id, chat: state.chatId, message_id: messageId, data });
    if (answer && answer.url) openUrl(answer.url);
    else if (answer && answer.text) (answer.show_alert ? alertBox : toast)(answer.text);
  } finally {
    button.disabled = false;
    refreshSoon();
  }
}

function openUrl(url) {
  // Links to the bot (t.me/<bot>?start=X) open the private chat and send /start X, as Telegram does.
  const bot = (state.setup.bot.username || "").toLowerCase();
  const match = url.match(/^(?:https?:\/\/)?t\.me\/([A-Za-z0-9_]+)(?:\?start=([\w-]+))?/i)
    || url.match(/^tg:\/\/resolve\?domain=([A-Za-z0-9_]+)(?:&start=([\w-]+))?/i);
  if (match && match[1].toLowerCase() === bot) {
    openChat(person().id);
    if (match[2]) send(`/start ${match[2]}`);
    else toast(t("open_private"));
    return;
  }
  window.open(url, "_blank", "noopener");
}

async function sharePlace(point) {
  hidePopups();
  await api("/play/location", { user: person().id, chat: state.chatId, lat: point.lat, lon: point.lon });
  refreshSoon();
}

async function sendPhoto(file) {
  const form = new FormData();
  form.append("user", person().id);
  form.append("chat", state.chatId);
  form.append("caption", $("text").value);
  if (state.replyTo) form.append("reply_to", state.replyTo.id);
  form.append("photo", file);
  $("text").value = "";
  clearReply(false);
  await fetch("/play/photo", { method: "POST", body: form });
  refreshSoon();
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 2500);
}

function alertBox(text) {
  $("alert-text").textContent = text;
  $("alert").showModal();
}

function hidePopups() { $("menu").hidden = true; $("places").hidden = true; }

function showMenu() {
  const menu = $("menu");
  if (!menu.hidden) { hidePopups(); return; }
  hidePopups();
  menu.replaceChildren(...(state.commands || []).map((c) => el("button", {
    type: "button",
    onclick: () => { hidePopups(); send(`/${c.command}`); },
  }, el("b", {}, `/${c.command}`), el("span", {}, c.description))));
  menu.hidden = false;
}

function showPlaces() {
  const places = $("places");
  if (!places.hidden) { hidePopups(); return; }
  hidePopups();
  places.replaceChildren(...state.setup.points.map((p) => el("button", { type: "button", onclick: () => sharePlace(p) },
    el("b", {}, `📍 ${p.label[state.lang] || p.label.zh}`), el("span", {}, `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`))));
  places.hidden = false;
}

// ---- training, clock, reset ----------------------------------------------------------------

async function refreshTraining() {
  const { tasks, clock } = await api(`/play/training?user=${person().id}`);
  $("clock").textContent = clock;
  $("tasks").replaceChildren(...tasks.map((task) => el("li", { class: task.done ? "done" : "", "data-task": task.key },
    el("span", { class: "mark", title: t(task.done ? "done" : "todo") }, task.done ? "✓" : ""),
    el("span", { class: "task-text" }, task.text))));
}

async function advance(hours) {
  const { clock } = await api("/play/clock", { hours });
  $("clock").textContent = clock;
  refreshSoon();
}

async function reset() {
  if (!confirm(t("reset_confirm"))) return;
  await api("/play/reset", {});
  await start();
}

// ---- wiring ----------------------------------------------------------------------------------

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(() => {
    refreshChats().catch(() => {});
    refreshChat().catch(() => {});
    refreshTraining().catch(() => {});
  }, 60);
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  $("lang").textContent = t("language");
  $("text").placeholder = t("message");
  const select = $("person");
  select.replaceChildren(...state.setup.people.map((p) => el("option", { value: p.role }, `${p.name} · ${p.label[state.lang]}`)));
  select.value = person().role;
}

async function start() {
  state.setup = await api("/play/setup");
  state.generation = state.setup.generation;
  state.chatId = null;
  state.lastChat = "";
  state.dismissedForce.clear();
  document.body.classList.remove("in-chat");
  applyLanguage();
  clearReply(false);
  await showChats();
  await refreshTraining();
  document.body.dataset.ready = state.generation;
}

function listen() {
  const events = new EventSource("/play/events");
  events.onmessage = (event) => {
    const tick = JSON.parse(event.data);
    if (state.generation !== null && tick.generation !== state.generation) start();
    else refreshSoon();
  };
}

function wire() {
  $("person").addEventListener("change", (ev) => {
    state.role = ev.target.value;
    localStorage.setItem("play.role", state.role);
    clearReply(false);
    state.dismissedForce.clear();
    showChats();
    refreshTraining();
  });
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("play.lang", state.lang);
    applyLanguage();
    state.lastChat = "";
    refreshSoon();
  });
  $("tools-toggle").addEventListener("click", () => {
    const tools = $("tools");
    tools.hidden = !tools.hidden;
    $("tools-toggle").setAttribute("aria-expanded", String(!tools.hidden));
  });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => advance(Number(button.dataset.advance)));
  }
  $("reset").addEventListener("click", reset);
  $("back").addEventListener("click", closeChat);
  $("reply-cancel").addEventListener("click", () => clearReply(true));
  $("menu-button").addEventListener("click", showMenu);
  $("place-button").addEventListener("click", showPlaces);
  $("photo").addEventListener("change", (ev) => { if (ev.target.files[0]) sendPhoto(ev.target.files[0]); ev.target.value = ""; });
  $("composer").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("text").value;
    $("text").value = "";
    send(text);
  });
}

wire();
start().then(listen);
