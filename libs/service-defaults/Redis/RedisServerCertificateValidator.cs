using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// Accepts a Redis server certificate only when it chains to the configured private CA (and names the host we
/// connect to). The machine's own trust store plays no part: a certificate from any other CA, public or not, is
/// refused, and each refusal is logged with the reason (at most once per 10 s while it repeats).
/// </summary>
internal sealed class RedisServerCertificateValidator
{
    private readonly X509Certificate2 _authority;
    private readonly string _authorityFile;
    private readonly ILogger _logger;
    private readonly LogBurst _refusals;

    public RedisServerCertificateValidator(string authorityFile, ILogger logger, TimeProvider time)
    {
        _authorityFile = authorityFile;
        _authority = X509CertificateLoader.LoadCertificateFromFile(authorityFile);
        _logger = logger;
        _refusals = new LogBurst(time);
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return Refuse("(none)", "(none)", "the server presented no certificate");
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Refuse(presented.Subject, presented.Issuer,
                "its names do not include the host connected to (connect by a name the certificate holds, or set sslHost= in ConnectionStrings:redis)");
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_authority);
        // A private CA rarely publishes revocation lists; expiry, signatures and key usage are still checked.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        if (chain is not null)
        {
            // Intermediates the server sent along.
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (custom.Build(presented))
        {
            return true;
        }

        var reasons = string.Join("; ", custom.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
        return Refuse(presented.Subject, presented.Issuer, $"it does not chain to the CA in Redis:Tls:CaFile ({reasons})");
    }

    private bool Refuse(string subject, string issuer, string reason)
    {
        if (_refusals.ShouldLog(out var skipped))
        {
            RedisLog.ServerCertificateRefused(_logger, subject, issuer, reason, _authority.Subject, _authorityFile, skipped);
        }

        return false;
    }
}
