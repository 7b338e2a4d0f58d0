using System.Globalization;
using Vapora.Testing;
using YamlDotNet.RepresentationModel;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The access-log settings of deploy/k8s/ingress-nginx, run in a real nginx: tokens sent as access_token (how browsers
/// authenticate sockets and event streams) never reach the log, the rest of the request line does. A second log with
/// the stock request line shows the same requests would have logged them.
/// </summary>
public sealed class AccessLogRedactionTests
{
    private const string Token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ";

    [Fact]
    public async Task Tokens_in_query_strings_are_redacted_in_the_access_log_and_the_rest_of_the_request_line_stays()
    {
        var directory = Directory.CreateTempSubdirectory("vapora-ingress-log-").FullName;
        try
        {
            var port = TestPorts.GetFree();
            await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), Configuration(directory, port), TestContext.Current.CancellationToken);
            await using var nginx = ManagedProcess.Start("nginx-access-log", File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx",
                ["-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log")]);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Poll.UntilAsync(async () => !nginx.HasExited && (await TryGetAsync(http, "/")), TimeSpan.FromSeconds(20), "nginx to answer");

            string[] requests =
            [
                $"/api/workflows/wf_1/events?access_token={Token}",
                $"/api/workflows/wf_1/updates?after=3&access_token={Token}",
                $"/ws?access_token={Token}&after=7",
                $"/events?ACCESS%5FTOKEN={Token}",
                $"/ws?access_token={Token}&access_token={Token}",
                "/api/workflows/wf_1/history?after=2&limit=10",
            ];
            foreach (var request in requests)
            {
                Assert.True(await TryGetAsync(http, request), request);
            }

            var redacted = await ReadLinesAsync(Path.Combine(directory, "access.log"), requests.Length + 1);
            var stock = await ReadLinesAsync(Path.Combine(directory, "stock.log"), requests.Length + 1);
            Assert.Equal(requests.Length - 1, stock.Count(l => l.Contains(Token, StringComparison.Ordinal)));
            Assert.DoesNotContain(redacted, l => l.Contains(Token, StringComparison.Ordinal));
            Assert.Contains(redacted, l => l.Contains("GET /api/workflows/wf_1/updates?after=3&access_token=REDACTED HTTP/1.1", StringComparison.Ordinal));
            Assert.Contains(redacted, l => l.Contains("GET /ws?access_token=REDACTED&after=7 HTTP/1.1", StringComparison.Ordinal));
            Assert.Contains(redacted, l => l.Contains("GET /ws?access_token=REDACTED&access_token=REDACTED HTTP/1.1", StringComparison.Ordinal));
            Assert.Contains(redacted, l => l.Contains("GET /api/workflows/wf_1/history?after=2&limit=10 HTTP/1.1", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // nginx with the controller's http-snippet and log format. ingress-nginx sets $proxy_upstream_name and $req_id for
    // every location itself; here the server sets them.
    private static string Configuration(string directory, int port)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Manifests.Directory, "ingress-nginx", "controller-configmap.yaml"))));
        var data = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["data"];
        var snippet = ((YamlScalarNode)data["http-snippet"]).Value;
        var format = ((YamlScalarNode)data["log-format-upstream"]).Value;
        var user = Environment.UserName == "root" ? "user root;" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            events { worker_connections 64; }
            http {
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{snippet}}
                log_format vapora '{{format}}';
                log_format stock '$remote_addr [$time_local] "$request" $status';
                server {
                    listen 127.0.0.1:{{port}};
                    set $proxy_upstream_name "vapora-realtime-gateway-http";
                    set $req_id $request_id;
                    access_log {{directory}}/access.log vapora;
                    access_log {{directory}}/stock.log stock;
                    location / { return 200 "ok"; }
                }
            }
            """);
    }

    private static async Task<bool> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<string[]> ReadLinesAsync(string path, int count)
    {
        string[] lines = [];
        await Poll.UntilAsync(async () => (lines = File.Exists(path) ? await File.ReadAllLinesAsync(path) : []).Length >= count,
            TimeSpan.FromSeconds(10), $"{count} lines in {Path.GetFileName(path)}");
        return lines;
    }
}
