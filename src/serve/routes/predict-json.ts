/**
 * The JSON text of a `POST /predict` answer, concatenated field by field: the hot route's answer has a fixed
 * shape (the handler builds it from checked numbers, see fast-path.ts), and this is ~1.5× cheaper than
 * `JSON.stringify` walking it (util/json-text.ts). Same text as `JSON.stringify` for every answer of the schema,
 * keys in the schema's order (predict-json.test.ts holds it to that).
 */
import { jsonNullableString, jsonNumber, jsonString } from '../../util/json-text.js';
import type { PredictResponse } from './predict-schemas.js';

type FeatureContribution = PredictResponse['top_features'][number];

/**
 * Where an answer may carry its `top_features` text already written (see {@link topFeaturesTexts}). A symbol
 * key: `JSON.stringify` and zod skip it, so the answer stays exactly the schema's for every other reader.
 */
export const TOP_FEATURES_JSON: unique symbol = Symbol('top_features as JSON text');

/** A `POST /predict` answer as the handler returns it. */
export type PredictAnswer = PredictResponse & { readonly [TOP_FEATURES_JSON]?: string };

/** The top features as the answer writes them and as the prediction log stores them. */
export interface TopFeaturesTexts {
  /** `JSON.stringify(top)`: `[{"feature":…,"contribution":…,"share":…}, …]`. */
  readonly answer: string;
  /** `JSON.stringify` of the log's form (predictions/types.ts TopFeature): `[{"name":…,"contribution":…}, …]`. */
  readonly log: string;
}

/**
 * Column names, risk bands, engines and model versions repeat (a few dozen values): their JSON text is kept
 * instead of checked and quoted in every answer.
 */
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 10_000;

function quotedName(name: string): string {
  let text = quotedNames.get(name);
  if (text === undefined) {
    text = jsonString(name);
    if (quotedNames.size < MAX_QUOTED_NAMES) quotedNames.set(name, text);
  }
  return text;
}

/**
 * Both texts of the top features in one pass: the answer and the log share the feature names and the
 * contributions' text (10 numbers per prediction, rounded, so jsonNumber's fast path writes them).
 */
export function topFeaturesTexts(top: readonly FeatureContribution[]): TopFeaturesTexts {
  let answer = '[';
  let log = '[';
  for (let i = 0; i < top.length; i++) {
    const item = top[i] as FeatureContribution;
    const head = (i === 0 ? '{"' : ',{"') as string;
    const feature = quotedName(item.feature);
    const contribution = jsonNumber(item.contribution);
    answer +=
      head +
      'feature":' +
      feature +
      ',"contribution":' +
      contribution +
      ',"share":' +
      jsonNumber(item.share) +
      '}';
    log += head + 'name":' + feature + ',"contribution":' + contribution + '}';
  }
  return { answer: answer + ']', log: log + ']' };
}

/** The threshold is the model's, the same for every answer: written once per value. */
let lastThreshold = Number.NaN;
let lastThresholdText = 'null';

function thresholdJson(value: number): string {
  if (value !== lastThreshold) {
    lastThreshold = value;
    lastThresholdText = jsonNumber(value);
  }
  return lastThresholdText;
}

export function predictResponseJson(answer: PredictAnswer): string {
  return (
    '{"prediction_id":' +
    jsonString(answer.prediction_id) +
    ',"transaction_id":' +
    jsonNullableString(answer.transaction_id) +
    ',"is_fraud":' +
    (answer.is_fraud ? 'true' : 'false') +
    ',"score":' +
    jsonNumber(answer.score) +
    ',"threshold":' +
    thresholdJson(answer.threshold) +
    ',"risk":' +
    quotedName(answer.risk) +
    ',"model_version":' +
    quotedName(answer.model_version) +
    ',"engine":' +
    quotedName(answer.engine) +
    ',"top_features":' +
    (answer[TOP_FEATURES_JSON] ?? topFeaturesTexts(answer.top_features).answer) +
    '}'
  );
}
