// The service worker of the built site (scripts/site.sh fills in VERSION and
// PRECACHE, and marks dist/index.html so the page registers it; served from
// the repository the page never registers it). It precaches what a first visit
// loads and answers from that cache first: the cache belongs to one build, so
// nothing in it goes stale. A new build is a new sw.js (a new VERSION); the
// browser installs it on the next visit, and its cache replaces the old one.
// Files outside the precache (the trainer's wasm) are fetched, and kept once
// fetched, so they work offline too after their first use.
const VERSION = 'dev';
const PRECACHE = [];
const CACHE = `flash-nas-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('flash-nas-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // A link's query selects a state, not a file: any navigation is the page.
    const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (cached) return cached;
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  })());
});
