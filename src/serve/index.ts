/** The scoring HTTP API: an app factory for tests and embedding, and a listener for the CLI. */
export { buildApp, DEFAULT_BODY_LIMIT_BYTES, type AppOptions } from './app.js';
export { APP_DEFAULTS } from './options.js';
export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export {
  NO_MODEL_MESSAGE,
  leaseScorer,
  requireScorer,
  staticModelProvider,
  type ModelProvider,
  type ReloadOutcome,
  type ScorerLease,
} from './model-provider.js';
export {
  reloadableModelProvider,
  type ReloadableModelProvider,
  type ReloadableProviderOptions,
} from './reloadable-provider.js';
export { ADMIN_KEY_ENV } from './admin-auth.js';
export { errorReplySchema, type ErrorReply } from './error-reply.js';
export { riskLevel, RISK_DESCRIPTION, type Risk, type FeatureContribution } from './explain.js';
export {
  predictRowSchema,
  predictResponseSchema,
  batchResponseSchema,
  type PredictRow,
  type PredictResponse,
  type BatchResponse,
  type BatchResult,
} from './routes/predict-schemas.js';
export { statusResponseSchema, type StatusResponse } from './routes/status.js';
export { modelResponseSchema, type ModelResponse } from './routes/model.js';
