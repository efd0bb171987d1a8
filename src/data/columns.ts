/**
 * The Kaggle credit-card schema. `INPUT_COLUMNS` is defined once, in the config schema (config is the lower
 * floor: it validates `model.features` against it), and re-exported here so data consumers have one import.
 */
import { INPUT_COLUMNS } from '../config/schema.js';

export { INPUT_COLUMNS };

/** The 31 columns of `creditcard.csv`, in file order: the 30 inputs, then the label. */
export const KAGGLE_COLUMNS = [...INPUT_COLUMNS, 'Class'] as const;

/** Size of the published dataset (the synthetic generator matches it at full size). */
export const KAGGLE_ROWS = 284807;
export const KAGGLE_FRAUDS = 492;

/** Row width of `Dataset.x`: every input column, in `INPUT_COLUMNS` order. */
export const INPUT_WIDTH = INPUT_COLUMNS.length;
