namespace Vapora.Bench.Clients;

/// <summary>One client connection that watches one workflow and reports what it receives to its tracker.</summary>
internal interface IWatcher : IAsyncDisposable
{
    /// <summary>Stops reading for good while staying connected: a slow consumer (<c>--stalled</c>).</summary>
    void Stall() => throw new NotSupportedException("this client cannot stall");
}
