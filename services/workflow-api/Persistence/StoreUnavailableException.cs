namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// The store could not be reached, or did not answer within <c>Storage:OperationTimeout</c>; requests answer 503 with
/// Retry-After. A write whose answer was lost this way may still have been stored, as with any lost answer: a producer
/// that must not apply a change twice retries with If-Match.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreUnavailableException(string operation, string message, Exception? innerException = null)
        : base(message, innerException) => Operation = operation;

    /// <summary>The storage operation that failed (the <c>operation</c> tag of <c>vapora.api.store.errors</c>).</summary>
    public string Operation { get; }
}
