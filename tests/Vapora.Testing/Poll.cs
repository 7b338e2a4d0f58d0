namespace Vapora.Testing;

/// <summary>Waiting in tests: poll a condition until a deadline, never sleep a fixed time.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> at the deadline.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Polls an async condition until it holds; exceptions count as "not yet".</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (PollFailedException)
            {
                throw;
            }
            catch (Exception ex)
            {
                last = ex;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}" + (last is null ? "" : $" (last error: {last.Message})"), last);
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Polls until <paramref name="read"/> returns a value that satisfies <paramref name="accept"/>, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> accept, TimeSpan timeout, string what)
    {
        T value = default!;
        await UntilAsync(async () => accept(value = await read()), timeout, what);
        return value;
    }
}

/// <summary>Thrown from a polled condition to stop waiting at once (the awaited thing can no longer happen).</summary>
public sealed class PollFailedException(string message) : Exception(message);
