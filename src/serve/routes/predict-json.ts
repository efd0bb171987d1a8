/**
 * The JSON text of a `POST /predict` answer, concatenated field by field: the hot route's answer has a fixed
 * shape (the handler builds it from checked numbers, see fast-path.ts), and this is ~1.5× cheaper than
 * `JSON.stringify` walking it (util/json-text.ts). Same text as `JSON.stringify` for every answer of the schema,
 * keys in the schema's order (predict-json.test.ts holds it to that).
 */
import { jsonNullableString, jsonNumber, jsonString } from '../../util/json-text.js';
import type { PredictResponse } from './predict-schemas.js';

type FeatureContribution = PredictResponse['top_features'][number];

function topFeaturesJson(top: readonly FeatureContribution[]): string {
  let text = '[';
  for (let i = 0; i < top.length; i++) {
    const item = top[i] as FeatureContribution;
    text +=
      (i === 0 ? '{"feature":' : ',{"feature":') +
      jsonString(item.feature) +
      ',"contribution":' +
      jsonNumber(item.contribution) +
      ',"share":' +
      jsonNumber(item.share) +
      '}';
  }
  return text + ']';
}

export function predictResponseJson(answer: PredictResponse): string {
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
    jsonNumber(answer.threshold) +
    ',"risk":' +
    jsonString(answer.risk) +
    ',"model_version":' +
    jsonString(answer.model_version) +
    ',"engine":' +
    jsonString(answer.engine) +
    ',"top_features":' +
    topFeaturesJson(answer.top_features) +
    '}'
  );
}
