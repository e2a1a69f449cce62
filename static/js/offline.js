// Working without signal (README, "Without signal").
//
// The vote sheet (保存意愿) and the visit log (记录走访) keep working when the phone has no signal: a save
// that cannot reach the server is kept on the phone (IndexedDB), shown as "待上传 N 条" in the menu bar and
// on the flat's cell, and sent when the signal returns, in the order it was saved. Each save carries a key
// made here (crypto.randomUUID) before it is first sent; the server records a key once
// (consultations/services/client_saves.py), so a retry or a double tap is recorded once. A save sent later
// carries the time it was taken here (saved_at). A vote changed on the server meanwhile comes back as the
// stale form: both are shown on the page of waiting saves (/offline/) and the worker chooses.
//
// The queue is this script's; the service worker (static/js/sw.js) only keeps the pages and files to open
// the app without signal. Online, nothing changes: the sheets are htmx's, the visit log a plain form.
(() => {
  "use strict";

  const body = document.body;
  const user = body.dataset.user;
  if (!user) return; // logged out, or a role that records nothing
  const DB_NAME = "retrofit-offline";
  const STORE = "saves";

  // --- keys -------------------------------------------------------------------------------------

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // An older browser or an insecure origin: a version-4 UUID from getRandomValues.
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // Each form shown gets its key once: a second tap or a retry of the same form sends the same key.
  function giveKeys(root) {
    root.querySelectorAll("input[data-client-key]").forEach((input) => {
      if (!input.value) input.value = newKey();
    });
  }

  // --- the store --------------------------------------------------------------------------------

  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  async function store(mode, work) {
    const database = await db();
    return new Promise((resolve, reject) => {
      const tx = database.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }

  const put = (item) => store("readwrite", (s) => s.put(item));
  const drop = (id) => store("readwrite", (s) => s.delete(id));
  // This user's saves, oldest first (another user's stay on the phone until they log in again).
  const mine = async () => (await store("readonly", (s) => s.getAll())).filter((item) => item.user === user).sort((a, b) => a.id - b.id);

  // --- keeping a save ---------------------------------------------------------------------------

  function fieldsOf(form) {
    const skip = new Set(["csrfmiddlewaretoken", "saved_at", "client_key", "next"]);
    return Array.from(new FormData(form).entries()).filter(([name, value]) => !skip.has(name) && !(value instanceof File && !value.size));
  }

  function checkedLabel(form, name) {
    const input = form.querySelector(`input[name="${name}"]:checked`);
    const label = input && form.querySelector(`label[for="${input.id}"]`);
    return label ? label.textContent.trim() : "";
  }

  async function keep(form, kind, household, url, room) {
    const key = form.querySelector("input[name=client_key]");
    const item = {
      user,
      kind,
      household,
      url,
      room,
      key: (key && key.value) || newKey(),
      savedAt: new Date().toISOString(),
      fields: fieldsOf(form),
      what: kind === "vote" ? checkedLabel(form, "value") : [checkedLabel(form, "channel"), checkedLabel(form, "vote")].filter(Boolean).join(" · "),
      value: (form.querySelector("input[name=value]:checked") || {}).value || "",
      reason: (form.querySelector("textarea[name=reason], textarea[name=note]") || {}).value || "",
      state: "pending",
    };
    // A second vote for a flat whose first is still waiting goes against the version the first one makes.
    item.chained = kind === "vote" && (await mine()).some((other) => other.kind === "vote" && other.household === household);
    await put(item);
    await show();
    if (navigator.onLine) sync();
  }

  // --- the vote sheet ---------------------------------------------------------------------------

  const sheet = () => document.getElementById("vote-sheet");
  function closeSheet() {
    const element = sheet();
    if (element && window.bootstrap) window.bootstrap.Offcanvas.getOrCreateInstance(element).hide();
  }

  function voteUrl(household) {
    const cell = document.querySelector(`.flat[data-household="${household}"]`);
    return cell ? cell.getAttribute("hx-get") : `/households/${household}/vote/`;
  }

  // Tapped without signal: the sheet is drawn here from the flat's cell.
  function offlineSheet(cell) {
    const template = document.getElementById("offline-vote-template");
    const target = document.getElementById("vote-sheet-body");
    if (!template || !target) return;
    const content = template.content.cloneNode(true);
    const form = content.querySelector("form");
    form.dataset.household = cell.dataset.household;
    content.querySelector("[data-f=room]").textContent = cell.dataset.room;
    const owner = cell.querySelector(".flat-owner");
    content.querySelector("[data-f=owner]").textContent = owner ? owner.firstChild.textContent.trim() : "";
    form.querySelector("input[name=version]").value = cell.dataset.version;
    const current = form.querySelector(`input[name=value][value="${cell.dataset.vote}"]`);
    if (current) current.checked = true;
    form.querySelector("textarea[name=reason]").value = cell.dataset.reason || "";
    form.querySelector("[data-vote-choices]").dataset.initial = cell.dataset.vote;
    target.replaceChildren(content);
    prepare(target);
    if (window.bootstrap) window.bootstrap.Offcanvas.getOrCreateInstance(sheet()).show();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("form[data-offline-vote]")) {
      event.preventDefault();
      if (form.dataset.kept) return; // a double tap
      form.dataset.kept = "1";
      const household = Number(form.dataset.household);
      keep(form, "vote", household, voteUrl(household), roomOf(household)).then(closeSheet);
    } else if (form.matches("form[data-offline-contact]") && !navigator.onLine) {
      // The visit log without signal: kept here; with signal it is the plain form it always was.
      event.preventDefault();
      if (form.dataset.kept) return;
      if (!form.checkValidity()) { form.reportValidity(); return; } // how and outcome, as the server asks
      form.dataset.kept = "1";
      keep(form, "contact", Number(form.dataset.offlineContact), form.getAttribute("action") || location.pathname, form.dataset.room).then(() => {
        const note = document.getElementById("offline-contact-kept");
        if (note) note.hidden = false;
        form.reset();
        form.querySelectorAll("input[data-client-key]").forEach((input) => { input.value = newKey(); });
        delete form.dataset.kept;
        window.scrollTo(0, 0);
      });
    }
  });

  function roomOf(household) {
    const cell = document.querySelector(`.flat[data-household="${household}"]`);
    return cell ? cell.dataset.room : "";
  }

  // htmx could not reach the server: the flat's sheet is drawn here, a save of the sheet is kept.
  document.addEventListener("htmx:sendError", (event) => {
    const element = event.detail.elt;
    if (element.matches(".flat[data-household]")) {
      offlineSheet(element);
    } else if (element.matches("form[hx-post]") && element.closest("#vote-sheet-body")) {
      const household = Number((element.getAttribute("hx-post").match(/households\/(\d+)\//) || [])[1]);
      if (household && !element.dataset.kept) {
        element.dataset.kept = "1";
        keep(element, "vote", household, element.getAttribute("hx-post"), roomOf(household)).then(closeSheet);
      }
    }
  });

  // The reason belongs to one vote: another choice empties the box, the first choice gives it back.
  function prepare(root) {
    giveKeys(root);
    root.querySelectorAll("[data-vote-choices]").forEach((choices) => {
      const form = choices.closest("form");
      const box = form && form.querySelector("textarea[name=reason]");
      if (!box || choices.dataset.ready) return;
      choices.dataset.ready = "1";
      const initialReason = box.value;
      choices.addEventListener("change", (event) => {
        if (event.target.name !== "value") return;
        if (box.value !== initialReason && box.value !== "") return; // typed for the new choice: kept
        box.value = event.target.value === choices.dataset.initial ? initialReason : "";
      });
    });
  }

  // --- showing what waits -----------------------------------------------------------------------

  async function show() {
    const items = await mine();
    const badge = document.querySelector("[data-pending-badge]");
    if (badge) {
      badge.hidden = items.length === 0;
      badge.textContent = badge.dataset.words.replace("{n}", String(items.length));
      badge.classList.toggle("btn-danger", items.some((item) => item.state !== "pending"));
    }
    const grid = document.querySelector(".floor-grid[data-pending-word]");
    if (grid) {
      grid.querySelectorAll(".flat-pending-tag").forEach((tag) => tag.remove());
      grid.querySelectorAll(".flat-pending").forEach((cell) => {
        cell.classList.remove("flat-pending", `vote-${cell.dataset.shown}`);
        cell.classList.add(`vote-${cell.dataset.vote}`);
        const word = cell.querySelector(".flat-vote");
        if (word && cell.dataset.word) word.textContent = cell.dataset.word;
      });
      const byFlat = new Map();
      items.filter((item) => item.kind === "vote").forEach((item) => byFlat.set(item.household, [...(byFlat.get(item.household) || []), item]));
      byFlat.forEach((saves, household) => {
        const cell = grid.querySelector(`.flat[data-household="${household}"]`);
        if (!cell) return;
        const last = saves[saves.length - 1];
        const conflict = saves.some((item) => item.state !== "pending");
        cell.classList.add("flat-pending");
        const tag = document.createElement("span");
        tag.className = `flat-pending-tag badge ${conflict ? "text-bg-danger" : "text-bg-warning"}`;
        tag.dataset.testid = `pending-${cell.dataset.room}`;
        tag.textContent = conflict ? grid.dataset.conflictWord : `${grid.dataset.pendingWord}${saves.length > 1 ? ` ×${saves.length}` : ""}`;
        // The cell shows the vote kept on the phone, in its colour, marked as waiting.
        const word = cell.querySelector(".flat-vote");
        if (word && !cell.dataset.word) cell.dataset.word = word.textContent;
        if (word && last.what) word.textContent = last.what;
        if (last.value) {
          cell.classList.remove(`vote-${cell.dataset.vote}`);
          cell.classList.add(`vote-${last.value}`);
          cell.dataset.shown = last.value;
        }
        cell.appendChild(tag);
      });
    }
    drawQueue(items);
  }

  // The page of waiting saves (/offline/).
  function drawQueue(items) {
    const page = document.querySelector("[data-offline-queue]");
    if (!page) return;
    const list = page.querySelector("[data-offline-list]");
    const template = document.getElementById("offline-item");
    page.querySelector("[data-offline-empty]").hidden = items.length > 0;
    page.querySelector("[data-offline-login]").hidden = !needsLogin;
    list.replaceChildren(
      ...items.map((item) => {
        const row = template.content.firstElementChild.cloneNode(true);
        row.dataset.id = item.id;
        const set = (name, text) => { row.querySelector(`[data-f="${name}"]`).textContent = text || ""; };
        set("room", item.room);
        set("what", item.what);
        set("time", new Date(item.savedAt).toLocaleString("zh-CN", { hour12: false }));
        set("reason", item.reason);
        set("error", item.error);
        set("mine", item.what);
        if (item.theirs) {
          set("theirs", item.theirs.label);
          set("theirs-reason", item.theirs.reason ? `— ${item.theirs.reason}` : "");
          set("theirs-by", item.theirs.by);
        }
        row.querySelectorAll("[data-state]").forEach((part) => { part.hidden = part.dataset.state !== item.state; });
        return row;
      }),
    );
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-act], [data-offline-sync]");
    if (!button) return;
    if (button.matches("[data-offline-sync]")) { sync(); return; }
    const id = Number(button.closest("[data-id]").dataset.id);
    const item = (await mine()).find((other) => other.id === id);
    if (!item) return;
    if (button.dataset.act === "mine" && item.theirs) {
      // Recorded now, over the vote now stored: a new save with a new key.
      item.fields = item.fields.map(([name, value]) => [name, name === "version" ? item.theirs.version : value]);
      Object.assign(item, { key: newKey(), savedAt: new Date().toISOString(), state: "pending", chained: false, theirs: null });
      await put(item);
      sync();
    } else {
      await drop(id); // the recorded vote stays; or a refused save is let go
    }
    show();
  });

  // --- sending ----------------------------------------------------------------------------------

  let syncing = false;
  let needsLogin = false;

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    const headers = JSON.parse(body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function errorsOf(doc) {
    return Array.from(doc.querySelectorAll(".alert-danger, .text-danger")).map((node) => node.textContent.trim()).filter(Boolean).join(" ");
  }

  // The vote now stored, read from the stale form the server drew again.
  function theirsOf(doc) {
    const form = doc.querySelector("form");
    const checked = form && form.querySelector("input[name=value]:checked");
    const label = checked && form.querySelector(`label[for="${checked.id}"]`);
    const history = doc.querySelector("details li");
    return {
      value: checked ? checked.value : "",
      label: label ? label.textContent.trim() : "",
      reason: ((form && form.querySelector("textarea[name=reason]")) || {}).value || "",
      version: ((form && form.querySelector("input[name=version]")) || {}).value || "",
      by: history ? history.textContent.replace(/\s+/g, " ").trim() : "",
    };
  }

  async function send(item) {
    const data = new FormData();
    item.fields.forEach(([name, value]) => data.append(name, value));
    data.set("client_key", item.key);
    data.set("saved_at", item.savedAt);
    const headers = { "X-CSRFToken": csrfToken() };
    if (item.kind === "vote") headers["HX-Request"] = "true";
    const response = await fetch(item.url, {
      method: "POST",
      body: data,
      headers,
      credentials: "same-origin",
      redirect: item.kind === "vote" ? "manual" : "follow",
    });
    if (response.type === "opaqueredirect" || response.status === 403 || new URL(response.url || location.href).pathname.startsWith("/login/")) {
      return { outcome: "login" };
    }
    const html = await response.text();
    if (item.kind === "contact") {
      return response.ok ? { outcome: "saved" } : { outcome: "refused", error: errorsOf(new DOMParser().parseFromString(html, "text/html")) || String(response.status) };
    }
    if (response.ok && response.headers.get("HX-Trigger") === "voteSaved") {
      return { outcome: "saved", version: response.headers.get("X-Vote-Version"), html };
    }
    const doc = new DOMParser().parseFromString(html, "text/html");
    if (response.ok && doc.querySelector("[data-stale]")) return { outcome: "conflict", theirs: theirsOf(doc) };
    return { outcome: "refused", error: errorsOf(doc) || String(response.status) };
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    let swapped = null;
    try {
      const held = new Set(); // a flat whose earlier save waits for the worker: its later saves wait too
      for (const item of await mine()) {
        const flat = `${item.kind}:${item.household}`;
        if (item.state !== "pending" || held.has(flat)) {
          if (item.kind === "vote") held.add(flat);
          continue;
        }
        let result;
        try {
          result = await send(item);
        } catch {
          break; // still no signal: the rest keep their order for the next try
        }
        needsLogin = result.outcome === "login";
        if (needsLogin) break;
        if (result.outcome === "saved") {
          await drop(item.id);
          if (item.kind === "vote") {
            swapped = result.html;
            // The flat's next waiting votes go against the version this one made.
            for (const next of await mine()) {
              if (next.kind === "vote" && next.household === item.household && next.chained && next.id > item.id) {
                next.fields = next.fields.map(([name, value]) => [name, name === "version" ? result.version : value]);
                next.chained = false;
                await put(next);
                break;
              }
            }
          }
        } else {
          Object.assign(item, { state: result.outcome, theirs: result.theirs || null, error: result.error || "" });
          await put(item);
          if (item.kind === "vote") held.add(flat);
        }
      }
    } finally {
      syncing = false;
    }
    // On the unit page, the figures and the grid as the server now has them.
    if (swapped && document.getElementById("grid-section") && window.htmx) {
      window.htmx.swap(document.getElementById("grid-section"), swapped, { swapStyle: "none" });
    }
    await show();
  }

  // --- start ------------------------------------------------------------------------------------

  if (window.htmx) window.htmx.onLoad(prepare);
  else prepare(document);
  window.addEventListener("online", sync);
  window.setInterval(() => { if (navigator.onLine) sync(); }, 30000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden && navigator.onLine) sync(); });
  // After the grid is swapped by a save, its cells are drawn again: mark the waiting ones again.
  document.addEventListener("htmx:afterSettle", () => show());
  show().then(() => { if (navigator.onLine) sync(); });

  // Log out: the pages kept for working without signal go (the saves waiting stay, for this user only).
  document.addEventListener("submit", (event) => {
    if (!event.target.matches("form[action$='/logout/']") || !window.caches) return;
    event.preventDefault();
    caches.keys().then((names) => Promise.all(names.map((name) => caches.delete(name)))).finally(() => event.target.submit());
  });

  if ("serviceWorker" in navigator && body.dataset.sw && window.isSecureContext) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(() => {});
  }

  window.retrofitOffline = { sync, count: async () => (await mine()).length };
})();
