// Preloaded into each server by the reliability suite (node --expose-gc --require …): a full
// collection every second, so that the soak's resident-memory figures show what the server
// retains rather than where V8 happens to be in its collection cycle (a heap that has not been
// collected for a minute looks like a leak; one collected a second ago looks like none).
if (typeof globalThis.gc === 'function') setInterval(() => globalThis.gc(), 1000).unref();
