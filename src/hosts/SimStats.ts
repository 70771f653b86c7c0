/** Requests received, and how many of them were answered 304 Not Modified. */
export interface SimCounter {
  /** Every request that reached an API (304s, errors, faults and rate-limited ones included). */
  requests: number;
  /** Of those, the ones answered 304. */
  notModified: number;
}

/** One webhook delivery attempt. */
export interface SimWebhookDelivery {
  id: string;
  host: 'github' | 'gitlab';
  /** `create`, `push`, `Tag Push Hook`. */
  event: string;
  url: string;
  repository: string;
  /** The tag (or ref) the event is about. */
  ref: string;
  /** The receiver's status; absent when it could not be reached or timed out. */
  status?: number;
  error?: string;
  durationMs: number;
}

/** What `GET /_sim/stats` returns. Endpoints are named as the hosts' docs name them: `GET /repos/{owner}/{repo}/git/trees/{tree_sha}`. */
export interface SimStatsSnapshot {
  requests: number;
  notModified: number;
  /** Requests refused because the budget was spent (also counted in `requests`). */
  rateLimited: number;
  /** Faults injected (also counted in `requests`). */
  faults: number;
  byHost: Record<string, SimCounter>;
  byEndpoint: Record<string, SimCounter>;
  /** By repository path; requests about no repository (listings) are not here. */
  byRepository: Record<string, SimCounter>;
  /** By token name (`anonymous` without one, `unauthenticated` for 401s). */
  byToken: Record<string, SimCounter>;
  byStatus: Record<string, number>;
  webhooks: { delivered: number; failed: number; deliveries: SimWebhookDelivery[] };
}

/** The keys one request is counted under. */
export interface SimRequestKeys {
  host: string;
  endpoint: string;
  repository?: string;
  token: string;
}

/** Per-endpoint, per-repository, per-token call counters of the simulator. */
export class SimStats {
  private data: SimStatsSnapshot = emptySnapshot();

  /** Counts a request as it arrives; the returned function records its final status. */
  begin(keys: SimRequestKeys): (status: number) => void {
    const counters = this.countersOf(keys);
    this.data.requests += 1;
    for (const counter of counters) counter.requests += 1;
    // Stats may be reset while a request is in flight: its status then belongs to no snapshot.
    const generation = this.data;
    return (status) => {
      if (this.data !== generation) return;
      generation.byStatus[String(status)] = (generation.byStatus[String(status)] ?? 0) + 1;
      if (status !== 304) return;
      generation.notModified += 1;
      for (const counter of counters) counter.notModified += 1;
    };
  }

  /** Counts a repository one request read (a GraphQL query resolves many per request). */
  repositoryRead(repository: string): void {
    const counter = (this.data.byRepository[repository] ??= { requests: 0, notModified: 0 });
    counter.requests += 1;
  }

  rateLimited(): void {
    this.data.rateLimited += 1;
  }

  fault(): void {
    this.data.faults += 1;
  }

  webhook(delivery: SimWebhookDelivery): void {
    if (delivery.status !== undefined && delivery.status < 400) this.data.webhooks.delivered += 1;
    else this.data.webhooks.failed += 1;
    this.data.webhooks.deliveries.push(delivery);
  }

  snapshot(): SimStatsSnapshot {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = emptySnapshot();
  }

  private countersOf(keys: SimRequestKeys): SimCounter[] {
    const at = (map: Record<string, SimCounter>, key: string): SimCounter => (map[key] ??= { requests: 0, notModified: 0 });
    return [
      at(this.data.byHost, keys.host),
      at(this.data.byEndpoint, keys.endpoint),
      at(this.data.byToken, keys.token),
      ...(keys.repository ? [at(this.data.byRepository, keys.repository)] : []),
    ];
  }
}

function emptySnapshot(): SimStatsSnapshot {
  return {
    requests: 0,
    notModified: 0,
    rateLimited: 0,
    faults: 0,
    byHost: {},
    byEndpoint: {},
    byRepository: {},
    byToken: {},
    byStatus: {},
    webhooks: { delivered: 0, failed: 0, deliveries: [] },
  };
}
