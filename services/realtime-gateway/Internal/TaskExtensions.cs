namespace Vapora.RealtimeGateway.Internal;

internal static class TaskExtensions
{
    /// <summary>Awaits a loop that ends by cancellation at shutdown.</summary>
    public static async Task IgnoreCancellation(this Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
