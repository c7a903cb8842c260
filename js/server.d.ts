// Types for `attune/server` (hand-written; see README.md "Counting segments on the server").

import type { Config } from './index.js';
export { AttuneError } from './index.js';

/** The label list and randomised-response parameters, given directly. */
export interface LabelParams {
  /** every label a browser can report, m of them (the segments' labels and the default) */
  labels: string[];
  /** k-ary randomised response with this ε (0.01–20); when set it replaces randomRate */
  epsilon?: number | null;
  /** chance of a uniformly random label (0–1, default 0.05) */
  randomRate?: number;
  /** the rest of the config's label section may come along; it is ignored */
  k?: number;
  populations?: Record<string, number>;
  epochDays?: number;
}

/** A site config (as served to the browsers, as JSON text, or engine.config) or LabelParams. */
export type LabelSource = Config | LabelParams | string;

export interface LabelParameters {
  labels: string[];
  m: number;
  mechanism: 'epsilon' | 'randomRate';
  /** null when epsilon is set */
  randomRate: number | null;
  /** p: the chance a browser reports its true label */
  keepProbability: number;
  /** q = (1 − p)/(m − 1): the chance it reports one given other label */
  otherProbability: number;
  /** ln(p/q) per report; null when no noise is added (unbounded), 0 for a single label */
  epsilon: number | null;
}

export interface LabelEstimate {
  /** reports of this label */
  observed: number;
  /** unbiased estimate of the people whose true label this is: (c − n·q)/(p − q); may fall outside [0, n] */
  estimate: number;
  /** estimated variance: n·q(1−q)/(p−q)² + estimate·(1−p−q)/(p−q) */
  variance: number;
  standardError: number;
  /** 95 % normal interval, clipped to [0, n] */
  interval: [number, number];
}

export interface DebiasResult extends Omit<LabelParameters, 'm' | 'randomRate'> {
  /** total reports */
  n: number;
  estimates: Record<string, LabelEstimate>;
}

/** The keep probability, ε and labels the browsers use for this config. Throws AttuneError `bad_argument`. */
export function labelParameters(config: LabelSource): LabelParameters;

/**
 * Unbiased estimates of the true label counts behind randomised reports.
 * Throws AttuneError `bad_argument` for unknown labels, negative or fractional counts, or parameters out of range.
 */
export function debiasCounts(counts: Record<string, number> | Map<string, number>, params: LabelSource): DebiasResult;

/** Counts to publish in config.label.populations: estimates (or 95 % lower bounds) rounded down, never below 0. */
export function populations(result: DebiasResult, options?: { lower?: boolean }): Record<string, number>;
