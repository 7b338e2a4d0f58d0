namespace Vapora.Bench.Clients;

/// <summary>One client connection that watches one workflow and reports what it receives to its tracker.</summary>
internal interface IWatcher : IAsyncDisposable;
