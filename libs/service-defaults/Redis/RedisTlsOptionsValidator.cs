using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// Refuses to start with TLS settings that cannot work: missing or unreadable files, half a client key pair, or a CA
/// given while the connection string does not ask for TLS (which would otherwise connect in plain text).
/// </summary>
internal sealed class RedisTlsOptionsValidator(IConfiguration configuration) : IValidateOptions<RedisTlsOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisTlsOptions options)
    {
        if (!options.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        var connectionString = configuration.GetConnectionString(RedisConnectionExtensions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(connectionString) && !ConfigurationOptions.Parse(connectionString).Ssl)
        {
            failures.Add("Redis:Tls is configured but ConnectionStrings:redis does not contain ssl=true; add it, or remove the Redis:Tls settings.");
        }

        if (!string.IsNullOrWhiteSpace(options.CaFile))
        {
            Check(failures, "Redis:Tls:CaFile", options.CaFile, path => X509CertificateLoader.LoadCertificateFromFile(path).Dispose());
        }

        var hasCertificate = !string.IsNullOrWhiteSpace(options.ClientCertFile);
        var hasKey = !string.IsNullOrWhiteSpace(options.ClientKeyFile);
        if (hasCertificate != hasKey)
        {
            failures.Add("Redis:Tls:ClientCertFile and Redis:Tls:ClientKeyFile go together: set both (PEM certificate and its PEM key) or neither.");
        }
        else if (hasCertificate)
        {
            Check(failures, "Redis:Tls:ClientCertFile/ClientKeyFile", options.ClientCertFile!,
                _ => X509Certificate2.CreateFromPemFile(options.ClientCertFile!, options.ClientKeyFile).Dispose());
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string key, string path, Action<string> load)
    {
        if (!File.Exists(path))
        {
            failures.Add($"{key}: the file {path} does not exist.");
            return;
        }

        try
        {
            load(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            failures.Add($"{key}: {path} is not a readable PEM certificate (and key): {ex.Message}");
        }
    }
}
