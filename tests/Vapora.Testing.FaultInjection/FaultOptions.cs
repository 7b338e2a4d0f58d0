namespace Vapora.Testing.FaultInjection;

/// <summary>Test-only crash points (section <c>Faults</c>); all off unless configured.</summary>
public sealed class FaultOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Faults";

    /// <summary>
    /// When an accepted update carries exactly this message, the process kills itself (SIGKILL) after the store
    /// accepted it and before it is published: the crash the outbox relay exists for.
    /// </summary>
    public string? CrashBeforePublishWhenMessageIs { get; set; }
}
