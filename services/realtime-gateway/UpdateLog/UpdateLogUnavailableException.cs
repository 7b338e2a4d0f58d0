namespace Vapora.RealtimeGateway.UpdateLog;

/// <summary>The API did not answer (down, timing out, or 5xx) after the client's retries.</summary>
internal sealed class UpdateLogUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
