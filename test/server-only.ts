// Tests import server modules directly; the real `server-only` throws outside Next's server build.
export {};
