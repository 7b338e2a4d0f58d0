namespace Vapora.WorkflowApi.Persistence;

/// <summary>An Idempotency-Key as its subject sent it: the same key from another subject is another key.</summary>
/// <param name="Subject">Who sent it: <c>sub:</c> and the token's subject, <c>client:</c> and its client id, or <c>anonymous</c> without authentication.</param>
/// <param name="Key">The header's value (printable ASCII without spaces).</param>
public readonly record struct SubjectKey(string Subject, string Key)
{
    /// <summary>The subject of every request when authentication is off (and of keys stored before keys had subjects).</summary>
    public const string Anonymous = "anonymous";
}
