namespace Vapora.Client.Transports;

/// <summary>One open connection of a stream, whatever its transport: frames in, until it ends.</summary>
internal interface IStreamConnection : IAsyncDisposable
{
    /// <summary>The next frame, or how the connection ended (never throws for network problems).</summary>
    ValueTask<Received> ReceiveAsync(CancellationToken cancellationToken);
}
