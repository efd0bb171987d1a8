/**
 * The data module: CSV ingest and validation, the synthetic dataset, splits, scaling, fingerprints and
 * prepared datasets. Everything downstream receives validated float32 matrices and never re-checks them.
 */
export { INPUT_COLUMNS, KAGGLE_COLUMNS, KAGGLE_ROWS, KAGGLE_FRAUDS } from './columns.js';
export type { Dataset, SplitIndices, CsvRowError, ParsedCsv, CsvOptions } from './types.js';
export { parseKaggleCsv } from './csv-parse.js';
export { readKaggleCsvFile, readKaggleCsvFileAsync, type AsyncCsvOptions } from './csv-read.js';
export { generateSyntheticCsv, writeSyntheticCsv, type SyntheticOptions } from './synthetic.js';
export { splitDataset, type SplitOptions } from './split.js';
export { applyScaler, fitStandardScaler, selectColumns, type StandardScaler } from './scaler.js';
export { fingerprintBuffer, fingerprintFile } from './fingerprint.js';
export {
  currentPreparedFingerprint,
  loadPreparedDataset,
  prepareDataset,
  preparedMetaSchema,
  setCurrentPrepared,
  PREPARED_FORMAT_VERSION,
  type PreparedDataset,
  type PreparedMeta,
  type PrepareOptions,
  type PrepareStage,
} from './prepared.js';
export { datasetSummary, type DatasetSummary } from './summary.js';
