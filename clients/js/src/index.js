// @vapora/client: live workflow progress from Vapora's gateways, in browsers and Node 20+.
export { watch, watchMany } from './watch.js';
export { backoffDelay } from './backoff.js';
export { CloseCodes, isGiveUpCode } from './close-codes.js';
export { VaporaError } from './errors.js';
