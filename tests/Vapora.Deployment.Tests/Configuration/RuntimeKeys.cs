using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Vapora.ServiceDefaults.Configuration;

namespace Vapora.Deployment.Tests.Configuration;

/// <summary>
/// Settings the deployment files give that ASP.NET Core and .NET read rather than Vapora's code: the logging
/// sections (checked against the framework's own options classes) and the host and runtime variables listed here
/// with what they do. Anything else must be a key a service reads.
/// </summary>
public static class RuntimeKeys
{
    /// <summary>Host and runtime variables, exactly as written, and why they are set.</summary>
    public static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["ASPNETCORE_URLS"] = "the addresses Kestrel listens on (Dockerfiles: http://+:8080)",
        ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "honour X-Forwarded-For/-Proto from the ingress",
        ["DOTNET_gcServer"] = "workstation GC in containers",
        ["AllowedHosts"] = "host filtering",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "the OpenTelemetry SDK's OTLP exporter: grpc or http/protobuf (components/otlp)",
        ["OTEL_EXPORTER_OTLP_HEADERS"] = "the OpenTelemetry SDK's OTLP exporter: headers such as a collector's API key",
        ["OTEL_RESOURCE_ATTRIBUTES"] = "the OpenTelemetry SDK's resource: which namespace and pod a trace or metric came from",
        ["SSL_CERT_DIR"] = "OpenSSL's certificate folders (.NET on Linux trusts them): the system's and MongoDB's private CA",
    };

    /// <summary>The logging keys: Logging:LogLevel and the console logger with its formatters.</summary>
    public static ConfigurationSchema Logging { get; } = new([
        new("Logging:LogLevel", typeof(Dictionary<string, LogLevel>)),
        new("Logging:Console", typeof(ConsoleLoggerOptions)),
        new("Logging:Console:LogLevel", typeof(Dictionary<string, LogLevel>)),
        new("Logging:Console:FormatterOptions", typeof(JsonConsoleFormatterOptions)),
        new("Logging:Console:FormatterOptions", typeof(SimpleConsoleFormatterOptions)),
    ]);

    /// <summary>Null when <paramref name="key"/> is read by <paramref name="schema"/> or the runtime; else what is wrong, with the likely intended key.</summary>
    public static string? Problem(string key, ConfigurationSchema schema, string reader)
    {
        if (Variables.ContainsKey(key) || schema.Knows(key) || Logging.Knows(key))
        {
            return null;
        }

        var meant = schema.Suggest(key) ?? Logging.Suggest(key);
        return $"{key}: not a setting {reader} reads{(meant is null ? string.Empty : $" (did you mean {meant.Replace(":", "__", StringComparison.Ordinal)}?)")}";
    }
}
