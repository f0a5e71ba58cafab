// Written by `npm run train:risk` (src/scripts/train-risk.ts): do not edit. Trained on SYNTHETIC data
// (src/risk/model/simulator.ts, seed 20261206); metrics on the held-out later 25% of the days.
import type { RiskModel } from "./score.js";

export const RISK_MODEL: RiskModel = {
  "version": "lr-3bf21ada3c",
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
    -6.955569647,
    -0.1759003507,
    0.02056103635,
    0.003533038864,
    0.001709885105,
    0.007869828422,
    0.0179409245,
    0.0426665637
  ],
  "scale": [
    1.377434194,
    0.7869795002,
    0.1419094082,
    0.06034144702,
    0.04454665659,
    0.142236595,
    0.2286000336,
    0.2021042504
  ],
  "weights": [
    0.5882440915,
    1.231755604,
    0.5110737033,
    0.08724845674,
    -0.09424652985,
    -0.01866672713,
    1.549043609,
    1.040070216
  ],
  "intercept": -7.294348905
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
      "payments": 103594,
      "fraud": 2120,
      "prAuc": 0.8595,
      "rocAuc": 0.988,
      "atScore": [
        {
          "score": 50,
          "precision": 0.8756,
          "recall": 0.7137,
          "flaggedShare": 0.0167
        },
        {
          "score": 70,
          "precision": 0.933,
          "recall": 0.617,
          "flaggedShare": 0.0135
        },
        {
          "score": 85,
          "precision": 0.9687,
          "recall": 0.5104,
          "flaggedShare": 0.0108
        }
      ],
      "recallByScenario": {
        "compromised_card": 0.5326,
        "card_testing": 0.9722,
        "account_takeover": 0.946,
        "amount_anomaly": 0.5321
      }
    },
    "heldOut": {
      "payments": 31913,
      "fraud": 579,
      "prAuc": 0.85,
      "rocAuc": 0.986,
      "atScore": [
        {
          "score": 50,
          "precision": 0.8789,
          "recall": 0.6891,
          "flaggedShare": 0.0142
        },
        {
          "score": 70,
          "precision": 0.929,
          "recall": 0.5872,
          "flaggedShare": 0.0115
        },
        {
          "score": 85,
          "precision": 0.9519,
          "recall": 0.4784,
          "flaggedShare": 0.0091
        }
      ],
      "recallByScenario": {
        "compromised_card": 0.5354,
        "card_testing": 0.9862,
        "account_takeover": 0.9367,
        "amount_anomaly": 0.3966
      }
    }
  },
  "prAucFloor": 0.83
};

/** The scores the golden payments (golden.ts) get from this model. */
export const RISK_MODEL_GOLDEN: Record<string, number> = {
  "everyday": 0,
  "new_card_first_payment": 2,
  "travelling": 9,
  "honest_retries": 0,
  "big_purchase": 16,
  "compromised_card": 96,
  "card_testing": 100,
  "account_takeover": 100,
  "amount_anomaly": 59,
  "no_counters": 0
};
