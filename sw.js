// The service worker: the site works offline after the first visit. It
// precaches what a first visit loads (scripts/site.sh fills in PRECACHE and
// VERSION; served from the repository, this file caches nothing up front) and
// answers from the network when it can, from the cache when it cannot. A new
// build has a new VERSION: its cache replaces the old one on activation.
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
    try {
      const response = await fetch(request);
      if (response.ok) cache.put(request, response.clone());
      return response;
    } catch (offline) {
      // A link's query selects a state, not a file: any navigation is the page.
      const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
      if (cached) return cached;
      throw offline;
    }
  })());
});
