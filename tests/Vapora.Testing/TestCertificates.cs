namespace Vapora.Testing;

/// <summary>
/// Throwaway PEM certificates made with openssl for TLS tests: a private CA with a server certificate (for 127.0.0.1
/// and localhost) and a client certificate, and a second, unrelated CA with a server certificate of its own.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string ServerCertFile => Path.Combine(Directory, "server.crt");

    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    public string ClientCertFile => Path.Combine(Directory, "client.crt");

    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    /// <summary>A CA that signed nothing the services trust.</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.crt");

    /// <summary>A server certificate for 127.0.0.1 signed by <see cref="OtherCaFile"/>.</summary>
    public string OtherServerCertFile => Path.Combine(Directory, "other-server.crt");

    public string OtherServerKeyFile => Path.Combine(Directory, "other-server.key");

    public static async Task<TestCertificates> CreateAsync()
    {
        var certificates = new TestCertificates(System.IO.Directory.CreateTempSubdirectory("vapora-tls-").FullName);
        await certificates.AuthorityAsync("ca", "Vapora test CA");
        await certificates.AuthorityAsync("other-ca", "Unrelated test CA");
        await certificates.LeafAsync("server", "ca", "127.0.0.1", "serverAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        await certificates.LeafAsync("client", "ca", "vapora-test-client", "clientAuth");
        await certificates.LeafAsync("other-server", "other-ca", "127.0.0.1", "serverAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        return certificates;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private Task AuthorityAsync(string name, string commonName) => OpenSslAsync(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-keyout", $"{name}.key", "-out", $"{name}.crt", "-subj", $"/CN={commonName}",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    private Task LeafAsync(string name, string authority, string commonName, string usage, params string[] extensions) => OpenSslAsync(
        [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-CA", $"{authority}.crt", "-CAkey", $"{authority}.key",
            "-keyout", $"{name}.key", "-out", $"{name}.crt", "-subj", $"/CN={commonName}",
            "-addext", "basicConstraints=critical,CA:FALSE", "-addext", $"extendedKeyUsage={usage}",
            .. extensions.SelectMany(e => new[] { "-addext", e }),
        ]);

    private async Task OpenSslAsync(params string[] arguments)
    {
        var openssl = ManagedProcess.Start("openssl", "openssl", arguments, workingDirectory: Directory);
        if (!await openssl.WaitForExitAsync(TimeSpan.FromSeconds(30)) || openssl.ExitCode != 0)
        {
            var tail = openssl.Tail();
            await openssl.DisposeAsync();
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {tail}");
        }

        await openssl.DisposeAsync();
    }
}
