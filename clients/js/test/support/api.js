// The producer side in tests: create and update workflows through the API's REST surface.
export class ApiClient {
  constructor(baseUrl, token = null) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  async request(method, path, body) {
    const headers = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  /** Creates a workflow (version 1) and returns its id. */
  async create(name = 'js client test', totalSteps = 1000) {
    return (await this.request('POST', '/api/workflows', { name, total_steps: totalSteps })).workflow_id;
  }

  /** One PATCH = one new version; returns the state. */
  update(id, change) {
    return this.request('PATCH', `/api/workflows/${id}`, change);
  }

  progress(id, step) {
    return this.update(id, { status: 'running', current_step: step, message: `step ${step}` });
  }

  /** Steps from..to, one PATCH (one version) each, in order. */
  async progressSteps(id, from, to) {
    for (let step = from; step <= to; step += 1) await this.progress(id, step);
  }
}
