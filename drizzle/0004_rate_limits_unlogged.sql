-- The rate-limit counters skip the write-ahead log: a sign-in counts two of them, and waiting for
-- their WAL to reach the disk was most of what a sign-in cost besides bcrypt. What a crash then
-- loses: PostgreSQL empties an unlogged table when it recovers from a crash (not on a clean
-- restart), so every window starts again from zero; a replica holds no rows of it. Counters are
-- throwaway by nature, and a limit forgetting one window is the price of cheaper sign-ins.
ALTER TABLE "rate_limits" SET UNLOGGED;
