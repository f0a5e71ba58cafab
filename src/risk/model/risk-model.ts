// Written by `npm run train:risk` (src/scripts/train-risk.ts): do not edit. Trained on SYNTHETIC data
// (src/risk/model/simulator.ts, seed 20261206); metrics on the held-out later 25% of the days.
import type { RiskModel } from "./score.js";

export const RISK_MODEL: RiskModel = {
  "version": "lr-8b68e91158",
  "features": [
    "amount_vs_large",
    "amount_vs_usual",
    "new_card",
    "card_attempts",
    "cards_per_customer",
    "cards_per_email",
    "cards_per_ip",
    "country_mismatch"
  ],
  "mean": [
    -6.951144536,
    -0.1663000373,
    0.0551586387,
    0.003120981377,
    0.02785957754,
    0.04010272973,
    0.05551453685,
    0.04364804999
  ],
  "scale": [
    1.399864118,
    0.7951618242,
    0.2282896478,
    0.05632460555,
    0.1657921386,
    0.2413441594,
    0.3059970329,
    0.2043107871
  ],
  "weights": [
    0.834021869,
    0.8494285958,
    0.6619681895,
    0.05940002745,
    -0.5865294914,
    -0.05674044148,
    1.023762143,
    0.9636091879
  ],
  "intercept": -6.626800867,
  "range": {
    "lo": [
      -10,
      -4,
      0,
      0,
      0,
      0,
      0,
      0
    ],
    "hi": [
      0.5619996036,
      6,
      1,
      2,
      1.584962501,
      4.087462841,
      4.247927513,
      1
    ]
  }
};

export const RISK_MODEL_TRAINING = {
  "simulation": {
    "seed": 20261206,
    "customers": 4000,
    "days": 120,
    "burnInDays": 14
  },
  "split": "first 75% of days / last 25%",
  "metrics": {
    "train": {
      "payments": 78102,
      "fraud": 1774,
      "prAuc": 0.7855,
      "rocAuc": 0.9757,
      "atScore": [
        {
          "score": 50,
          "precision": 0.8287,
          "recall": 0.6218,
          "flaggedShare": 0.017
        },
        {
          "score": 70,
          "precision": 0.9058,
          "recall": 0.5152,
          "flaggedShare": 0.0129
        },
        {
          "score": 85,
          "precision": 0.9702,
          "recall": 0.385,
          "flaggedShare": 0.009
        }
      ],
      "recallByScenario": {
        "compromised_card": 0.4407,
        "card_testing": 0.8908,
        "account_takeover": 0.8653,
        "amount_anomaly": 0.3469
      }
    },
    "heldOut": {
      "payments": 31073,
      "fraud": 650,
      "prAuc": 0.8041,
      "rocAuc": 0.9816,
      "atScore": [
        {
          "score": 50,
          "precision": 0.836,
          "recall": 0.6354,
          "flaggedShare": 0.0159
        },
        {
          "score": 70,
          "precision": 0.9093,
          "recall": 0.5246,
          "flaggedShare": 0.0121
        },
        {
          "score": 85,
          "precision": 0.9676,
          "recall": 0.3677,
          "flaggedShare": 0.0079
        }
      ],
      "recallByScenario": {
        "compromised_card": 0.5208,
        "card_testing": 0.8663,
        "account_takeover": 0.8387,
        "amount_anomaly": 0.3692
      }
    }
  },
  "prAucFloor": 0.78
};

/** The scores the golden payments (golden.ts) get from this model. */
export const RISK_MODEL_GOLDEN: Record<string, number> = {
  "everyday": 0,
  "new_card_first_payment": 2,
  "travelling": 10,
  "honest_retries": 0,
  "big_purchase": 11,
  "compromised_card": 90,
  "card_testing": 100,
  "account_takeover": 80,
  "amount_anomaly": 40,
  "no_counters": 0
};
