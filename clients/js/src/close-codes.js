// The gateway's WebSocket close codes (libs/contracts/CloseReason.cs, README "Close codes"), in one place.
// 4000–4399 and 1001/1011/1012/1013 mean "reconnect (to any replica) and resume from the last version seen";
// 4400–4499 mirror HTTP client errors and mean "give up": retrying cannot help.

/** Named close codes. */
export const CloseCodes = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  abnormal: 1006,
  messageTooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  slowConsumer: 4000,
  catchUpFailed: 4001,
  catchUpBusy: 4002,
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
});

/**
 * True when a close code means "do not reconnect": the documented give-up codes (4400–4499, 1003 binary frame,
 * 1009 message too big) plus 1007 (invalid payload) and 1008 (policy violation): the gateway refused what this client
 * sent, and sending it again cannot help. Every other code, including ones this version does not know, is retried
 * with backoff: a client that gives up on an unknown code would stay dark after a server upgrade. The .NET client's
 * CloseReason.ShouldResume is the same rule (a test compares them on every code).
 * @param {number} code
 */
export function isGiveUpCode(code) {
  return (code >= 4400 && code <= 4499) || code === 1003 || code === 1007 || code === 1008 || code === 1009;
}

/** The error code a give-up close code stands for (the same words as the /ws error frames). */
export function errorCodeOf(closeCode) {
  switch (closeCode) {
    case CloseCodes.unauthorized: return 'unauthorized';
    case CloseCodes.forbidden: return 'forbidden';
    case CloseCodes.notFound: return 'not_found';
    case CloseCodes.messageTooBig: return 'message_too_big';
    case CloseCodes.unsupportedData: return 'unsupported_data';
    default: return 'bad_request';
  }
}
