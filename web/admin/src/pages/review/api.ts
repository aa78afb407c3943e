// The weekly review's calls to the owner API (src/modules/owner/routes.ts); the shapes are the
// server's own (src/modules/owner/contract.ts), as types only.
import { apiGet, apiSend } from '../../api.js';
import type { AbsenceForecast, OwnerSettings, Review, ReviewDecision } from '../../../../../src/modules/owner/contract.js';
import type { Team } from '../../../../../src/modules/team/contract.js';

export type { AbsenceForecast, OwnerSettings, Review, ReviewDecision };
export type DecisionAction = ReviewDecision['actions'][number];

export const reviewApi = {
  review: () => apiGet<Review>('/api/owner/review'),
  forecast: () => apiGet<AbsenceForecast>('/api/owner/forecast'),
  settings: () => apiGet<OwnerSettings>('/api/owner/settings'),
  saveSettings: (body: Partial<Pick<OwnerSettings, 'timeBudget' | 'awayFrom' | 'awayUntil' | 'awayDelegateId' | 'courseReviewDays'>>) => apiSend<OwnerSettings>('PATCH', '/api/owner/settings', body),
  team: () => apiGet<Team>('/api/team'),
  /** A decision's one-click action: the API call it names (approve, refuse, mark reviewed, acknowledge, accept a delegation, reassign to `extra.assigneeId`). */
  act: (a: DecisionAction, extra: Record<string, string> = {}) => apiSend('POST', a.url!, { ...(a.body ?? {}), ...extra }),
};
