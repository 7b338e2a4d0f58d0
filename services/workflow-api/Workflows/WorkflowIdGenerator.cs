namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// New ids are <c>wf_</c> + a ULID: unique without coordination between API replicas,
/// and sortable by creation time, which gives the list endpoint its newest-first order.
/// </summary>
public static class WorkflowIdGenerator
{
    /// <summary>Prefix of every generated id.</summary>
    public const string Prefix = "wf_";

    /// <summary>A new id for a workflow created at <paramref name="now"/>.</summary>
    public static string NewId(DateTimeOffset now) => Prefix + System.Ulid.NewUlid(now).ToString();
}
