/**
 * An answer a simulated host gives instead of the resource: thrown by a route handler, turned
 * into that host's error body by its dialect (GitHub: `message`, `documentation_url`,
 * `status`; GitLab: `{"message":"404 Project Not Found"}`). It is a reply, not a failure of
 * the simulator: nothing is logged.
 */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly status: number,
    message: string,
    readonly options: {
      /** Extra fields merged into the host's error body (GitHub `errors[]`). */
      fields?: Record<string, unknown>;
      /** The whole body, replacing the host's shape (GitLab's `{"error":"ref is missing"}`). */
      body?: unknown;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }
}
