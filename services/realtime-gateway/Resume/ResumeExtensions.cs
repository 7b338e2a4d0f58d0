namespace Vapora.RealtimeGateway.Resume;

/// <summary>Registers how subscriptions start: the catch-up and its bounded, shared history reads.</summary>
internal static class ResumeExtensions
{
    public static IHostApplicationBuilder AddResume(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ResumeOptions>().BindConfiguration(ResumeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HistoryReads>();
        builder.Services.AddSingleton<CatchUp>();
        return builder;
    }
}
