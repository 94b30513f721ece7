// The storage layer's public names. Importers take them from here, so the files behind can move without them knowing.
export type {
  ChainCut,
  Dump,
  EmbeddingRecord,
  ExampleRecord,
  FeatureChoiceRecord,
  HeadExtra,
  TextGroup,
  ImportPlan,
  LabelChange,
  LabelChangeCounts,
  LabelChangeOutcome,
  LabelEdit,
  LoadedModel,
  LogRange,
  LoggedInput,
  LogRecord,
  BatchDecisionRecord,
  ModelMeta,
  PurgeCounts,
  QueueRecord,
  SparseVector,
  SquarePixels,
  StoredHead,
  StoredInput,
  UndoOutcome,
  Vector,
  WeightsRecord,
  VersionRecord,
} from './records.js';
export { assertKeepVersions, assertVersionNumber, KEEP_VERSIONS_DEFAULT, serialOf, type ServeChange, type ServeLogWriter } from './versions.js';
export { databaseName, SCHEMA_VERSION } from './schema.js';
export { batchDecision, fromLogEntry, perDecision, toLogEntry } from './log-entry.js';
export { GENESIS, verifyChain } from './log-chain.js';
export { assertLabelChange, retiredBy } from './label-changes.js';
export {
  assertNewer,
  clearedMeta,
  mergeMeta,
  QUOTA_MESSAGE,
  StorageUnavailableError,
  type ModelStore,
  type LabelChangeLogWriter,
  type StorageProblem,
  type UndoLogWriter,
} from './store.js';
export { BLOCKED_TIMEOUT_MS, type IndexedDbStoreOptions } from './idb-connection.js';
export { IndexedDbStore } from './indexeddb-store.js';
export { MemoryStore } from './memory-store.js';
