namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// Runs before every store call, inside its <c>Storage:OperationTimeout</c> bound. The API registers none; tests load
/// one from the test-only assembly <c>tests/Vapora.Testing.FaultInjection</c> (like <see cref="Messaging.IBeforePublishHook"/>)
/// to make the store slow, which no real store can be made to be on demand. That assembly is not part of the API's
/// build output or image.
/// </summary>
public interface IStoreCallHook
{
    /// <summary>Called before the store is asked for <paramref name="operation"/> (a <c>vapora.api.store.errors</c> operation name).</summary>
    /// <param name="operation">The operation, e.g. <c>append</c>.</param>
    /// <param name="cancellationToken">Cancelled when the call's bound passes or its caller gives up.</param>
    ValueTask BeforeCallAsync(string operation, CancellationToken cancellationToken);
}
