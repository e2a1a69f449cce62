// The service worker (served at /sw.js by consultations/views/offline.py, which sets RETROFIT_SW).
//
// It only keeps what opens the app without signal: the stylesheets and scripts (the shell), the page of
// saves waiting on the phone, the unit page last opened and the visit forms opened. Every request goes to
// the network first, as without a worker; the kept copy answers only when the network does not. The saves
// themselves are kept and sent by the page (static/js/offline.js), never here.
/* global RETROFIT_SW */
"use strict";

const CACHE = `retrofit-${RETROFIT_SW.version}`;
const UNIT_PAGE = /^\/units\/\d+\/$/;
const VISIT_FORM = /^\/households\/\d+\/contacts\/new\/$/;
const VISIT_FORMS_KEPT = 20;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all(RETROFIT_SW.shell.map((url) => cache.add(url).catch(() => null))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("retrofit-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// Only the last unit page is kept; visit forms, the latest few, each under its path (the ?next= varies).
async function keepPage(url, response) {
  const cache = await caches.open(CACHE);
  const kept = await cache.keys();
  const path = url.pathname;
  if (UNIT_PAGE.test(path)) {
    await Promise.all(kept.filter((request) => UNIT_PAGE.test(new URL(request.url).pathname)).map((request) => cache.delete(request)));
  } else if (VISIT_FORM.test(path)) {
    const forms = kept.filter((request) => VISIT_FORM.test(new URL(request.url).pathname) && new URL(request.url).pathname !== path);
    await Promise.all(forms.slice(0, Math.max(0, forms.length - VISIT_FORMS_KEPT + 1)).map((request) => cache.delete(request)));
  }
  await cache.put(new Request(url.origin + path), response);
}

async function page(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    const path = url.pathname;
    if (response.ok && response.type === "basic" && !response.redirected && (UNIT_PAGE.test(path) || VISIT_FORM.test(path) || path === RETROFIT_SW.queue)) {
      await keepPage(url, response.clone());
    }
    return response;
  } catch (error) {
    const cache = await caches.open(CACHE);
    return (await cache.match(url.origin + url.pathname)) || (await cache.match(RETROFIT_SW.queue)) || Response.error();
  }
}

async function file(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      const cache = await caches.open(CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    return (await caches.match(request)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (RETROFIT_SW.shell.includes(url.pathname)) event.respondWith(file(request));
});
