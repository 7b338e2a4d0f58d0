/**
 * Why a watch (or one workflow of a watchMany) stopped for good, or a problem worth reporting.
 * `code` is stable and machine-readable: `not_found`, `forbidden`, `unauthorized`, `bad_request`,
 * `message_too_big`, `unsupported_data`, `too_many_subscriptions`, `reconnect_limit`, `callback_failed`, or an
 * error code the gateway sent.
 */
export class VaporaError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{ workflowId?: string | null, closeCode?: number | null, status?: number | null, transport?: string | null, cause?: unknown }} [details]
   */
  constructor(code, message, { workflowId = null, closeCode = null, status = null, transport = null, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'VaporaError';
    this.code = code;
    this.workflowId = workflowId;
    this.closeCode = closeCode;
    this.status = status;
    this.transport = transport;
  }
}
