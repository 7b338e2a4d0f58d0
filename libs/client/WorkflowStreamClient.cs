namespace Vapora.Client;

/// <summary>
/// Entry point of the .NET client: <c>new WorkflowStreamClient(new() { BaseUrl = new("ws://lb:8080") }).Watch("wf_…")</c>,
/// then <c>await foreach (var update in stream.ReadAllAsync())</c> or <c>stream.RunAsync()</c> with events.
/// </summary>
public sealed class WorkflowStreamClient(WorkflowClientOptions options)
{
    /// <summary>The options every stream of this client uses.</summary>
    public WorkflowClientOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>
    /// A stream of one workflow. Without <paramref name="afterVersion"/> it starts with the current state;
    /// with it, every version after it comes first, then live updates.
    /// </summary>
    public WorkflowStream Watch(string workflowId, long? afterVersion = null) => new(workflowId, afterVersion, Options);
}
