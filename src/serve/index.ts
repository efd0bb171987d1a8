/** The scoring HTTP API: an app factory for tests and embedding, and a listener for the CLI. */
export { buildApp, DEFAULT_BODY_LIMIT_BYTES, type AppOptions } from './app.js';
export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export {
  NO_MODEL_MESSAGE,
  requireScorer,
  staticModelProvider,
  type ModelProvider,
} from './model-provider.js';
export { errorReplySchema, type ErrorReply } from './error-reply.js';
export {
  predictBodySchema,
  predictResponseSchema,
  type PredictBody,
  type PredictResponse,
} from './routes/predict-schemas.js';
export { statusResponseSchema, type StatusResponse } from './routes/status.js';
