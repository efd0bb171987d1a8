/**
 * The API's types, taken from the server's zod schemas (type-only imports: nothing of the server is bundled).
 * One place, so a page never hand-writes the shape of a response.
 */
import type { z } from 'zod';
import type { reloadResponseSchema } from '../../src/serve/routes/admin.js';
import type { feedbackBodySchema, feedbackResponseSchema } from '../../src/serve/routes/feedback.js';
import type { PredictResponse } from '../../src/serve/routes/predict-schemas.js';

export type {
  BatchResponse,
  BatchResult,
  PredictResponse,
  PredictRow,
} from '../../src/serve/routes/predict-schemas.js';
export type { ErrorReply } from '../../src/serve/error-reply.js';
export type { ModelResponse } from '../../src/serve/routes/model.js';
export type { MetricsSummary } from '../../src/serve/routes/metrics-summary.js';
export type { RunDetail, RunList, RunListItem } from '../../src/serve/routes/api-runs.js';
export type {
  BundleDetail,
  BundleListItem,
  ExamplesResponse,
  ModelRegistry,
  PromoteRequest,
  PromoteResponse,
} from '../../src/serve/routes/api-models.js';
export type { DriftReport, FeatureDrift, QualityReport } from '../../src/monitor/report-schema.js';
export type { StoredPrCurve } from '../../src/evaluate/report-schema.js';

export type ReloadResponse = z.infer<typeof reloadResponseSchema>;
export type FeedbackBody = z.input<typeof feedbackBodySchema>;
export type FeedbackResponse = z.infer<typeof feedbackResponseSchema>;

/** One contributing feature of a prediction (`top_features[i]`). */
export type FeatureContribution = PredictResponse['top_features'][number];
