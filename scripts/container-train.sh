#!/bin/sh
# The one-shot `train` service of compose.yaml, run inside the image with the state volume as working directory:
# data → train (evaluates on the held-out split) → export → gate → promote to `production`.
#   CARDWATCH_INPUT=/input/creditcard.csv  prepare this Kaggle CSV (else the built-in synthetic data is used)
#   CARDWATCH_RETRAIN=1                    train even when a production model exists (promoted if it passes the gate)
#   CARDWATCH_MAX_DROP=0.01                the gate's margin on AUPRC against the current production model
#   CARDWATCH_HOME=/app                    where the package is (the image puts it in /app)
# Extra arguments are config overrides for `train`, e.g. training.epochs=5.
set -eu
home="${CARDWATCH_HOME:-/app}"
cardwatch() { node "$home/bin/cardwatch.js" --config "$home/configs/default.yaml" "$@"; }

if [ -f models/aliases.json ] && grep -q '"production"' models/aliases.json; then
  if [ "${CARDWATCH_RETRAIN:-0}" != 1 ]; then
    echo "train: a production model exists; set CARDWATCH_RETRAIN=1 to train a new one"
    exit 0
  fi
  has_production=1
else
  has_production=0
fi

if [ -n "${CARDWATCH_INPUT:-}" ]; then
  cardwatch data prepare --input "$CARDWATCH_INPUT"
fi
# Without a prepared dataset, train generates and prepares the built-in one.
cardwatch train "$@"
cardwatch export --promote candidate
# A candidate that fails the gate is not promoted, and the job still succeeds: the API starts and keeps serving
# the production model it had (the candidate alias keeps the new bundle for a look).
if [ "$has_production" = 1 ] &&
  ! cardwatch models gate --candidate candidate --baseline production --max-drop "${CARDWATCH_MAX_DROP:-0.01}"; then
  echo "train: the candidate was not promoted (see the gate above); production is unchanged"
else
  cardwatch models promote candidate --alias production
fi
cardwatch data status
