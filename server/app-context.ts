import type { Database } from './db/pool.js';
import type { TileService } from './services/tile-service.js';

/** What request handlers share: the open database and what it can do. */
export interface AppContext {
  database: Database;
  /** Cached, invalidated tiles (`TileService.start`); without it tiles are rendered uncached. */
  tiles?: TileService;
  /** Folder of the built web client; `SIMPUL_WEB_DIR` (config.webDistDir) when not given. */
  webDistDir?: string;
  /** How long a download may stall before it is cut; config.exportStallMs when not given. */
  exportStallMs?: number;
}
