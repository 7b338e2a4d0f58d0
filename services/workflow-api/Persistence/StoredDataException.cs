namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// Stored data the API cannot read, such as an unknown status or a payload that is not an update: written by a bug
/// or by another program. Reported as an error (500), never read as something else.
/// </summary>
public sealed class StoredDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoredDataException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
