using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// Runs on the request path after an update is stored and before it is published. The API registers none; the
/// end-to-end tests load one from a test-only assembly (<c>tests/Vapora.Testing.FaultInjection</c>, through ASP.NET
/// Core's hosting startup mechanism) that kills the process at this point, the crash the outbox relay exists for.
/// That assembly is not part of the API's build output or image, so no setting can switch the crash on in production.
/// </summary>
public interface IBeforePublishHook
{
    /// <summary>Called with each update about to be published by the request that stored it.</summary>
    void BeforePublish(StoredUpdate update);
}
