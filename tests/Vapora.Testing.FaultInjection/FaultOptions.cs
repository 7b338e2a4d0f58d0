namespace Vapora.Testing.FaultInjection;

/// <summary>Test-only faults (section <c>Faults</c>); all off unless configured.</summary>
public sealed class FaultOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Faults";

    /// <summary>
    /// When an accepted update carries exactly this message, the process kills itself (SIGKILL) after the store
    /// accepted it and before it is published: the crash the outbox relay exists for.
    /// </summary>
    public string? CrashBeforePublishWhenMessageIs { get; set; }

    /// <summary>
    /// A request header (e.g. <c>Vapora-Test-Store-Delay</c>) whose value, in milliseconds, delays every store call of
    /// that request (or, as <c>operation=milliseconds</c> pairs separated by <c>;</c>, the named calls only): a store that
    /// accepts the call and then stalls, on demand and per request.
    /// </summary>
    public string? StoreDelayHeader { get; set; }
}
