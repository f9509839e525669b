import type { Database } from './db/pool.js';

/** What request handlers share: the open database and what it can do. */
export interface AppContext {
  database: Database;
}
