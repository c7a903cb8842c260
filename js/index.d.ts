// Types for the `attune` package (hand-written; see README.md "API").

export type Level = 'none' | 'segment' | 'behavioral' | 'contextual' | 'individual';
export type EventType = 'view' | 'click' | 'like' | 'share' | 'purchase' | 'dismiss' | 'impression';

export type ErrorCode =
  | 'out_of_memory' | 'bad_json' | 'bad_config' | 'bad_catalog' | 'bad_argument' | 'unknown_item'
  | 'bad_trait' | 'corrupt_profile' | 'newer_version' | 'level_not_allowed' | 'too_large' | 'bad_state'
  | 'wasm_unavailable' | 'wasm_mismatch' | 'closed' | 'storage_failed' | 'storage_blocked'
  | 'quota_exceeded' | 'catalog_unavailable' | 'listener_failed';

export class AttuneError extends Error {
  readonly name: 'AttuneError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown });
}

export interface CatalogItem {
  id: string;
  title?: string;
  tags?: string[];
  category?: string | null;
  popularity?: number;
  /** ms since 1970 */
  publishedAt?: number;
  vector?: number[];
  /** related items computed server-side: [id, weight] */
  neighbors?: [string, number][];
  [extra: string]: unknown;
}

export interface Catalog {
  version: 1;
  dim?: number;
  items: CatalogItem[];
}

export interface Boost {
  tags?: Record<string, number>;
  categories?: Record<string, number>;
  items?: Record<string, number>;
}

export interface Config {
  privacyLevel?: Level;
  maxPrivacyLevel?: Level;
  history?: { size?: number; retentionDays?: number; halfLifeDays?: number };
  events?: Partial<Record<Exclude<EventType, 'impression'>, number>>;
  traits?: Record<string, string[]>;
  usage?: { regularDays?: number; heavyDays?: number };
  segments?: { label: string; when?: Record<string, string[]>; boost?: Boost }[];
  defaultSegment?: string;
  context?: { keys?: string[]; rules?: { when?: Record<string, string[]>; boost?: Boost }[] };
  label?: {
    k?: number;
    populations?: Record<string, number>;
    randomRate?: number;
    epsilon?: number | null;
    epochDays?: number;
  };
  ranking?: {
    excludeSeen?: boolean;
    diversity?: number;
    maxPerCategory?: number;
    exploration?: number;
    weights?: {
      popularity?: number; freshness?: number; affinity?: number; related?: number;
      context?: number; session?: number; model?: number;
    };
    freshnessHalfLifeDays?: number;
  };
  model?: {
    lambda?: number; alpha?: number; learningRate?: number;
    /** How item vectors are held: as given, or quantised to int8 (about a quarter of the memory). */
    vectors?: 'float32' | 'int8';
  };
  sensitiveTags?: string[];
  editorial?: { pins?: { item: string; position: number; segment?: string }[]; exclude?: string[] };
}

/** A stored profile: snapshot bytes, their revision, and snapshots closed tabs left pending. */
export interface StoredProfile {
  bytes: Uint8Array | null;
  rev: string | null;
  pending?: { key: string; base: Uint8Array | null; bytes: Uint8Array }[];
}

/** A note another tab posts after it committed a change to a profile. */
export interface StorageNote {
  rev: string | null;
  from?: string;
  reason?: string;
  level?: Level;
}

/**
 * Where snapshots are kept.  `load`, `save` and `remove` are required; the optional methods
 * enable merging between tabs (`sync`, `watch`), early opening (`warm`), saving as a page
 * closes (`stash`) and keeping damaged data aside (`quarantine`).
 */
export interface StorageAdapter {
  load(profileId: string): Promise<Uint8Array | StoredProfile | null>;
  save(profileId: string, bytes: Uint8Array): Promise<unknown>;
  remove(profileId: string): Promise<unknown>;
  /** Reads, calls `produce` synchronously and writes its result atomically; null deletes. */
  sync?(profileId: string, produce: (stored: StoredProfile) => Uint8Array | null | undefined,
    note?: Omit<StorageNote, 'rev'>): Promise<{ rev: string | null }>;
  watch?(profileId: string, onNote: (note: StorageNote) => void): () => void;
  /** Opens storage ahead of the first write; createEngine awaits it when the level stores things. */
  warm?(): void | Promise<void>;
  stash?(profileId: string, writer: string, base: Uint8Array | null, bytes: Uint8Array): Promise<void>;
  quarantine?(profileId: string, bytes: Uint8Array): Promise<void>;
  close?(): void;
}

export class MemoryStorage implements StorageAdapter {
  load(profileId: string): Promise<StoredProfile | null>;
  save(profileId: string, bytes: Uint8Array): Promise<{ rev: string | null }>;
  remove(profileId: string): Promise<{ rev: string | null }>;
  sync(profileId: string, produce: (stored: StoredProfile) => Uint8Array | null | undefined,
    note?: Omit<StorageNote, 'rev'>): Promise<{ rev: string | null }>;
  watch(profileId: string, onNote: (note: StorageNote) => void): () => void;
  quarantine(profileId: string, bytes: Uint8Array): Promise<void>;
  peek(profileId: string): Uint8Array | null;
  peekQuarantine(profileId: string): Uint8Array | null;
  keys(): string[];
  close(): void;
}

export interface Context {
  hour?: number;
  weekday?: number | string;
  daypart?: 'morning' | 'afternoon' | 'evening' | 'night';
  device?: 'mobile' | 'tablet' | 'desktop';
  referrer?: 'search' | 'social' | 'email' | 'direct' | 'internal';
  [siteKey: string]: string | number | undefined;
}

export interface EngineOptions {
  /**
   * A catalog object; its JSON text; the URL (or URL text) of a JSON or packed catalog; or the
   * bytes of one (a packed catalog as packCatalog or attune-pack make it, or JSON text).
   */
  catalog: Catalog | string | URL | Uint8Array | ArrayBuffer;
  config?: Config | string;
  storage?: 'indexeddb' | 'memory' | StorageAdapter;
  profileId?: string;
  dbName?: string;
  now?: () => number;
  random?: () => number;
  saveDelayMs?: number;
  wasm?: string | URL;
  /** An SRI value for the wasm, or dist/integrity.json's object (keyed by file name). */
  wasmIntegrity?: string | Record<string, string>;
  /** Ask the browser to keep this origin's storage (navigator.storage.persist); never forced. */
  persist?: boolean;
  on?: { change?: (e: ChangeEvent) => void; error?: (e: AttuneError) => void };
}

export interface TrackEvent {
  item: string;
  type: EventType;
  at?: number | Date;
  value?: number;
}

export interface RecommendOptions {
  k?: number;
  exclude?: string[];
  filter?: { tags?: string[]; categories?: string[] };
  context?: Context;
  /** Makes exploration reproducible (level individual). */
  seed?: number;
}

export interface Recommendation {
  id: string;
  score: number;
  reasons: string[];
  editorial?: true;
  propensity?: number;
}

export interface Contribution {
  signal: 'popularity' | 'freshness' | 'segment' | 'affinity' | 'category' | 'context' | 'session' | 'related' |
    'model' | 'fatigue' | 'editorial';
  level: Level;
  weight: number;
  reason: string;
  tag?: string;
  category?: string;
  /** At level individual: the learned weight of the signal's group, already in `weight`. */
  learnedWeight?: number;
}

export interface Explanation {
  id: string;
  score: number;
  level: Level;
  segment: string | null;
  rank: number | null;
  excluded: string | null;
  editorial: number | null;
  contributions: Contribution[];
}

export interface InventoryRow {
  key: string;
  what: string;
  why: string;
  count: number;
  oldest: number | null;
  expiresAt: number | null;
  level: Level;
  stored: boolean;
  leavesDevice: boolean;
}

export interface Counts {
  impressions: number;
  clicks: number;
  ctr: number | null;
}

export interface Metrics {
  since: number | null;
  levels: Record<Level, Counts & { positions: (Counts & { position: number | null; orLater: boolean })[] }>;
  total: Counts;
  counterfactual: {
    impressions: number;
    /** Inverse-propensity estimate of the click rate of the greedy (non-exploring) policy. */
    greedyCtrEstimate: number | null;
    exploredShown: number;
    exploredClicked: number;
    exploredCtr: number | null;
  };
}

export interface PrivacyReport {
  level: Level;
  maxLevel: Level;
  retentionDays: number;
  historySize: number;
  halfLifeDays: number;
  label: {
    labels: number;
    mechanism: string;
    randomRate: number | null;
    keepProbability: number;
    epsilonPerEpoch: number | null;
    epochDays: number;
    currentEpoch: number;
    disclosures: number;
    cumulativeEpsilon: number | null;
    k: number;
    kAnonymityEnforced: boolean;
  };
  storedByLevel: { level: Level; keeps: string; current: boolean }[];
  leavesDevice: string;
}

export interface ChangeEvent {
  reason: string;
  level: Level;
}

export interface ProfileExport {
  format: 'attune-profile';
  version: number;
  [key: string]: unknown;
}

export interface Engine {
  readonly level: Level;
  /**
   * True when attune.wasm could not be fetched, compiled or instantiated: the engine then ranks
   * by popularity (level `none`), stores and sends nothing, and `degradedReason` says why (the
   * cause was also emitted as an `error`, code `wasm_unavailable`).
   */
  readonly degraded: boolean;
  readonly degradedReason: string | null;
  /** `bytes`: the catalog's tables; `rankingBytes`: the ranker's per-catalog tables and scratch. */
  readonly catalogInfo: { items: number; tags: number; categories: number; dim: number; droppedNeighbors: number; bytes: number; rankingBytes: number };
  /** The configuration in effect, every default filled in. */
  readonly config: Required<Config>;
  setTraits(traits: Record<string, string | null>): Promise<void>;
  track(event: TrackEvent, context?: Context): Promise<void>;
  recommend(options?: RecommendOptions): Recommendation[];
  /** Logs the displayed recommendations (or ids) as impressions. */
  shown(items: (Recommendation | string)[], context?: Context): Promise<void>;
  explain(itemId: string, context?: Context): Explanation;
  segment(): string;
  serverPayload(): { segment: string } | null;
  inventory(): InventoryRow[];
  setPrivacyLevel(level: Level): Promise<void>;
  block(target: { tag: string } | { item: string }): Promise<void>;
  unblock(target: { tag: string } | { item: string }): Promise<void>;
  export(): Promise<ProfileExport>;
  import(data: ProfileExport | string | Uint8Array): Promise<void>;
  forget(): Promise<void>;
  privacyReport(): PrivacyReport;
  metrics(): Metrics;
  flush(): Promise<void>;
  on(event: 'change', fn: (e: ChangeEvent) => void): () => void;
  on(event: 'error', fn: (e: AttuneError) => void): () => void;
  close(): void;
}

export function createEngine(options: EngineOptions): Promise<Engine>;

/**
 * Packs a catalog into the compact binary form createEngine loads fastest (what `attune-pack`
 * writes).  Returns null for a shape it does not expect: createEngine, given the catalog itself,
 * says what is wrong with it.  Throws an AttuneError (`bad_catalog`) for a NaN popularity or
 * publishedAt, which the packed form would read as absent.
 */
export function packCatalog(catalog: Catalog): Uint8Array | null;
